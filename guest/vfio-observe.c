// SPDX-License-Identifier: GPL-2.0-only
/*
 * An LD_PRELOAD observer of the VFIO ioctls a program (QEMU) makes, since
 * strace cannot decode them. One line per ioctl to $VFIO_OBSERVE_LOG (else
 * stderr), e.g.
 *
 *   IOMMU_GET_INFO fd=5 argsz=24->400 ret=0 flags=0x3 cap_offset=0
 *   IOMMU_GET_INFO fd=5 argsz=400->400 ret=0 flags=0x3 cap_offset=24
 *     chain ok: 2@24 3@56 1@72 4@104 5@232 4@272
 *     cap 3 dma_avail 65535
 *     cap 4 zpci_fn 1234:00:00.0 uid=0x1234,fid=0x42,pfgid=0x12,...
 *     cap 5 zpci_group pfgid=0x12,platform_refresh=0x0,...
 *   MAP_DMA fd=5 iova=0x100000000 size=0x1000 ret=0
 *
 * (the zPCI capabilities as records, guest/record.h). The chain is walked
 * as a careful reader would: every header inside
 * argsz, 8-byte aligned, after the previous one. A chain that fails that
 * is reported as "chain broken: <why>" with the offsets seen so far.
 *
 * Container and device ioctls share numbers (VFIO_IOMMU_GET_INFO is
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO), so the container ioctls are decoded
 * only on the file descriptors that became containers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "chain.h"
#include "record.h"

static int (*real_ioctl)(int fd, unsigned long request, ...);
static FILE *out;
static int containers[64];
static int nr_containers;

static int is_container(int fd)
{
	for (int i = 0; i < nr_containers; i++)
		if (containers[i] == fd)
			return 1;
	return 0;
}

static void add_container(int fd)
{
	if (!is_container(fd) && nr_containers < 64)
		containers[nr_containers++] = fd;
}

__attribute__((constructor)) static void observe_init(void)
{
	const char *path = getenv("VFIO_OBSERVE_LOG");

	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	out = path ? fopen(path, "a") : NULL;
	if (!out)
		out = stderr;
	setvbuf(out, NULL, _IOLBF, 0);
}

/* One capability of the chain, where it fits in the @argsz bytes of @info. */
static void decode_cap(const struct vfio_iommu_type1_info *info, __u32 argsz,
		       const struct vfio_info_cap_header *hdr)
{
	const struct vfio_iommu_type1_info_cap_zpci_group *group = (const void *)hdr;
	const struct vfio_iommu_type1_info_cap_zpci_fn *fn = (const void *)hdr;
	const struct vfio_iommu_type1_info_dma_avail *avail = (const void *)hdr;
	char name[16];
	size_t size = hdr->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL ? sizeof(*avail) :
		      hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_FN ? sizeof(*fn) :
		      hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_GROUP ? sizeof(*group) : 0;

	if (!cap_fits(info, argsz, hdr, size)) {
		fprintf(out, "    cap %u: %zu bytes past argsz\n", hdr->id, size);
		return;
	}
	switch (hdr->id) {
	case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL:
		fprintf(out, "    cap %u dma_avail %u\n", hdr->id, avail->avail);
		break;
	case VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_FN:
		fprintf(out, "    cap %u zpci_fn %s ", hdr->id, zpci_fn_bdf(name, sizeof(name), fn));
		print_fn_record(out, fn);
		fputc('\n', out);
		break;
	case VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_GROUP:
		fprintf(out, "    cap %u zpci_group ", hdr->id);
		print_group_record(out, group);
		fputc('\n', out);
		break;
	}
}

static void decode_chain(const struct vfio_iommu_type1_info *info, __u32 argsz)
{
	const struct vfio_info_cap_header *hdr;
	char seen[512] = "";
	const char *why;

	for_each_cap(hdr, info, argsz, why)
		snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), " %u@%u", hdr->id,
			 cap_off(info, hdr));
	if (why) {
		fprintf(out, "    chain broken: %s after:%s\n", why, seen);
		return;
	}
	fprintf(out, "    chain ok:%s\n", seen);
	for_each_cap(hdr, info, argsz, why)
		decode_cap(info, argsz, hdr);
}

int ioctl(int fd, unsigned long request, ...)
{
	__u32 argsz_in = 0;
	void *arg;
	va_list ap;
	int ret, err;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (request == VFIO_GROUP_SET_CONTAINER)
		add_container(*(int *)arg);
	if (request == VFIO_SET_IOMMU)
		add_container(fd);
	if (request == VFIO_IOMMU_GET_INFO && arg)
		argsz_in = ((struct vfio_iommu_type1_info *)arg)->argsz;
	ret = real_ioctl(fd, request, arg);
	err = errno;

	if (!is_container(fd) && (request == VFIO_IOMMU_GET_INFO ||
				  request == VFIO_IOMMU_MAP_DMA ||
				  request == VFIO_IOMMU_UNMAP_DMA))
		request = 0;	/* a device ioctl with the same number */

	switch (request) {
	case VFIO_GET_API_VERSION:
		fprintf(out, "GET_API_VERSION fd=%d ret=%d\n", fd, ret);
		break;
	case VFIO_CHECK_EXTENSION:
		fprintf(out, "CHECK_EXTENSION fd=%d ext=%lu ret=%d\n", fd, (unsigned long)arg, ret);
		break;
	case VFIO_SET_IOMMU:
		fprintf(out, "SET_IOMMU fd=%d type=%lu ret=%d\n", fd, (unsigned long)arg, ret);
		break;
	case VFIO_GROUP_SET_CONTAINER:
		fprintf(out, "GROUP_SET_CONTAINER fd=%d container=%d ret=%d\n", fd, *(int *)arg,
			ret);
		break;
	case VFIO_GROUP_GET_DEVICE_FD:
		fprintf(out, "GROUP_GET_DEVICE_FD fd=%d name=%s ret=%d\n", fd, (char *)arg, ret);
		break;
	case VFIO_DEVICE_GET_INFO:
		fprintf(out, "DEVICE_GET_INFO fd=%d ret=%d\n", fd, ret);
		break;
	case VFIO_IOMMU_GET_INFO: {
		struct vfio_iommu_type1_info *info = arg;

		if (ret) {
			fprintf(out, "IOMMU_GET_INFO fd=%d argsz=%u ret=%d errno=%d\n", fd,
				argsz_in, ret, err);
			break;
		}
		fprintf(out, "IOMMU_GET_INFO fd=%d argsz=%u->%u ret=0 flags=0x%x cap_offset=%u\n",
			fd, argsz_in, info->argsz, info->flags,
			argsz_in >= sizeof(*info) ? info->cap_offset : 0);
		if (argsz_in >= sizeof(*info) && (info->flags & VFIO_IOMMU_INFO_CAPS) &&
		    info->cap_offset)
			decode_chain(info, argsz_in);
		break;
	}
	case VFIO_IOMMU_MAP_DMA: {
		struct vfio_iommu_type1_dma_map *map = arg;

		fprintf(out, "MAP_DMA fd=%d iova=0x%llx size=0x%llx ret=%d\n", fd,
			(unsigned long long)map->iova, (unsigned long long)map->size, ret);
		break;
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfio_iommu_type1_dma_unmap *unmap = arg;

		fprintf(out, "UNMAP_DMA fd=%d iova=0x%llx size=0x%llx ret=%d\n", fd,
			(unsigned long long)unmap->iova, (unsigned long long)unmap->size, ret);
		break;
	}
	}
	errno = err;
	return ret;
}
