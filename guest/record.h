/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A zPCI capability of VFIO_IOMMU_GET_INFO as a record of FIELD=VALUE pairs,
 * as the guest's tests compare them with the test bed (host/topology.py
 * writes the test bed's records the same way, in the same order): numbers
 * in lowercase hex, pfip and util_str as hex bytes (util_str without its
 * trailing zero bytes), rid and util_str only where their flag says they
 * are valid.
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

static inline void print_fn_record(FILE *f, const struct vfio_iommu_type1_info_cap_zpci_fn *c)
{
	fprintf(f, "uid=0x%x,fid=0x%x,pfgid=0x%x,pchid=0x%x,vfn=0x%x,pft=0x%x,port=0x%x,pfip=",
		c->uid, c->fid, c->pfgid, c->pchid, c->vfn, c->pft, c->port);
	print_hex_bytes(f, c->pfip, sizeof(c->pfip), 0);
	fprintf(f, ",fmb_length=0x%x,start_dma=0x%llx,end_dma=0x%llx", c->fmb_length,
		(unsigned long long)c->start_dma, (unsigned long long)c->end_dma);
	if (c->flags & VFIO_IOMMU_ZPCI_FN_FLAG_RID)
		fprintf(f, ",rid=0x%x", c->rid);
	fprintf(f, ",physfn=0x%x", !!(c->flags & VFIO_IOMMU_ZPCI_FN_FLAG_PHYSFN));
	if (c->flags & VFIO_IOMMU_ZPCI_FN_FLAG_UTIL_STR) {
		fprintf(f, ",util_str=");
		print_hex_bytes(f, c->util_str, sizeof(c->util_str), 1);
	}
}

static inline void print_group_record(FILE *f,
				      const struct vfio_iommu_type1_info_cap_zpci_group *c)
{
	fprintf(f, "pfgid=0x%x,refresh=0x%x,maxstbl=0x%x,noi=0x%x,mui=0x%x,msi_addr=0x%llx,"
		"dasm=0x%llx,version=0x%x,dtsm=0x%x", c->pfgid,
		!!(c->flags & VFIO_IOMMU_ZPCI_GROUP_FLAG_REFRESH), c->maxstbl, c->noi, c->mui,
		(unsigned long long)c->msi_addr, (unsigned long long)c->dasm, c->version,
		c->dtsm);
}

#endif
