/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A zPCI capability of VFIO_IOMMU_GET_INFO as a record of FIELD=VALUE pairs,
 * as the guest's tests compare them with the test bed: the fields of
 * config/fields in its order (host/topology.py writes the test bed's records
 * the same way, and generates the printers, fields.h, from it), numbers in
 * lowercase hex, bytes in hex (strings without their trailing zero bytes),
 * a field that has a flag for it only where that flag says it is valid.
 */
#ifndef GUEST_RECORD_H
#define GUEST_RECORD_H

#include <stdio.h>
#include <linux/vfio.h>

/* The PCI address of a function capability, as sysfs names it, in @buf. */
static inline const char *zpci_fn_bdf(char *buf, size_t n,
				      const struct vfio_iommu_type1_info_cap_zpci_fn *c)
{
	snprintf(buf, n, "%04x:%02x:%02x.%x", c->segment, c->bus, c->devfn >> 3, c->devfn & 7);
	return buf;
}

static inline void print_hex_bytes(FILE *f, const __u8 *p, size_t n, int trim)
{
	while (trim && n && !p[n - 1])
		n--;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* print_fn_record() and print_group_record(), of config/fields. */
#include "fields.h"

#endif
