/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Putting PCI functions into a VFIO type1 container and reading its
 * VFIO_IOMMU_GET_INFO answer, as QEMU does. Shared by the guest programs.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "chain.h"

static const char *prog;

static void fail(const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s %s: %s\n", prog, what, arg, strerror(errno));
	exit(1);
}

/* Add the IOMMU group of @bdf to @container; the group's file descriptor. */
static int attach(int container, const char *bdf)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	int group;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		fail("no IOMMU group for", bdf);
	link[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));
	group = open(path, O_RDWR);
	if (group < 0)
		fail("cannot open", path);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		fail("group not viable:", path);
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		fail("cannot add to the container:", path);
	return group;
}

/* The whole answer, by the size handshake: ask, learn the size, ask again. */
static inline struct vfio_iommu_type1_info *get_info(int container, int verbose)
{
	const struct vfio_info_cap_header *hdr;
	struct vfio_iommu_type1_info *info;
	__u32 argsz = sizeof(*info);
	const char *why;

	for (;;) {
		info = calloc(1, argsz);
		if (!info)
			fail("out of memory for", "info");
		info->argsz = argsz;
		if (ioctl(container, VFIO_IOMMU_GET_INFO, info))
			fail("VFIO_IOMMU_GET_INFO", "");
		if (verbose)
			printf("VFIO_IOMMU_GET_INFO argsz %u -> %u\n", argsz, info->argsz);
		if (info->argsz <= argsz)
			break;
		argsz = info->argsz;
		free(info);
	}
	/* A chain the callers can walk with for_each_cap() to its end. */
	for_each_cap(hdr, info, info->argsz, why)
		;
	if (why) {
		errno = EPROTO;
		fail("VFIO_IOMMU_GET_INFO capability chain:", why);
	}
	return info;
}
