// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-dev-caps: put the given PCI functions into one VFIO type1 container,
 * open each as a vfio-pci device, and print the zPCI capabilities of its
 * VFIO_DEVICE_GET_INFO answer (vfio-pci's, linux/vfio_zdev.h, not the
 * series') as one record a function, FIELD=VALUE in vfio_zdev.h's names,
 * numbers in lowercase hex, bytes in hex:
 *
 *   zpci_dev SEGMENT:BUS:DEV.FN start_dma=0x...,end_dma=...,...
 *
 * The group capability's REFRESH flag is the field refresh (0 or 1). The
 * guest's stage "interfaces" compares the records with the container's.
 *
 *   vfio-dev-caps SEGMENT:BUS:DEV.FN...
 */
#include "container.h"
#include "record.h"
#include <linux/vfio_zdev.h>

/* The device's whole VFIO_DEVICE_GET_INFO answer, by the size handshake. */
static struct vfio_device_info *device_info(int device, const char *bdf)
{
	__u32 argsz = sizeof(struct vfio_device_info);
	struct vfio_device_info *info;

	for (;;) {
		info = calloc(1, argsz);
		if (!info)
			fail("out of memory for", bdf);
		info->argsz = argsz;
		if (ioctl(device, VFIO_DEVICE_GET_INFO, info))
			fail("VFIO_DEVICE_GET_INFO", bdf);
		if (info->argsz <= argsz)
			return info;
		argsz = info->argsz;
		free(info);
	}
}

static void print_caps(const char *bdf, const struct vfio_device_info *info)
{
	const struct vfio_info_cap_header *hdr;
	const char *why, *sep = "";

	printf("zpci_dev %s ", bdf);
	for_each_cap(hdr, info, info->argsz, why) {
		const struct vfio_device_info_cap_zpci_base *base = (const void *)hdr;
		const struct vfio_device_info_cap_zpci_group *group = (const void *)hdr;
		const struct vfio_device_info_cap_zpci_util *util = (const void *)hdr;
		const struct vfio_device_info_cap_zpci_pfip *pfip = (const void *)hdr;

		if (hdr->id == VFIO_DEVICE_INFO_CAP_ZPCI_BASE &&
		    cap_fits(info, info->argsz, hdr, sizeof(*base))) {
			printf("%sstart_dma=0x%llx,end_dma=0x%llx,pchid=0x%x,vfn=0x%x,", sep,
			       (unsigned long long)base->start_dma,
			       (unsigned long long)base->end_dma, base->pchid, base->vfn);
			printf("fmb_length=0x%x,pft=0x%x,gid=0x%x", base->fmb_length, base->pft,
			       base->gid);
			if (hdr->version >= 2)
				printf(",fh=0x%x", base->fh);
		} else if (hdr->id == VFIO_DEVICE_INFO_CAP_ZPCI_GROUP &&
			   cap_fits(info, info->argsz, hdr, sizeof(*group))) {
			printf("%sdasm=0x%llx,msi_addr=0x%llx,refresh=0x%x,", sep,
			       (unsigned long long)group->dasm,
			       (unsigned long long)group->msi_addr,
			       !!(group->flags & VFIO_DEVICE_INFO_ZPCI_FLAG_REFRESH));
			printf("mui=0x%x,noi=0x%x,maxstbl=0x%x,version=0x%x", group->mui,
			       group->noi, group->maxstbl, group->version);
			if (hdr->version >= 2)
				printf(",imaxstbl=0x%x", group->imaxstbl);
		} else if (hdr->id == VFIO_DEVICE_INFO_CAP_ZPCI_UTIL &&
			   cap_fits(info, info->argsz, hdr, sizeof(*util)) &&
			   cap_fits(info, info->argsz, hdr, sizeof(*util) + util->size)) {
			printf("%sutil_str=", sep);
			print_hex_bytes(stdout, util->util_str, util->size, 1);
		} else if (hdr->id == VFIO_DEVICE_INFO_CAP_ZPCI_PFIP &&
			   cap_fits(info, info->argsz, hdr, sizeof(*pfip)) &&
			   cap_fits(info, info->argsz, hdr, sizeof(*pfip) + pfip->size)) {
			printf("%spfip=", sep);
			print_hex_bytes(stdout, pfip->pfip, pfip->size, 0);
		} else {
			continue;
		}
		sep = ",";
	}
	putchar('\n');
	if (why) {
		errno = EPROTO;
		fail("VFIO_DEVICE_GET_INFO capability chain:", why);
	}
}

int main(int argc, char **argv)
{
	int container, *groups;

	prog = "vfio-dev-caps";
	if (argc < 2) {
		fprintf(stderr, "usage: %s SEGMENT:BUS:DEV.FN...\n", argv[0]);
		return 2;
	}
	groups = calloc(argc, sizeof(*groups));
	container = open("/dev/vfio/vfio", O_RDWR);
	if (!groups || container < 0)
		fail("cannot open", "/dev/vfio/vfio");
	for (int i = 1; i < argc; i++)
		groups[i] = attach(container, argv[i]);
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		fail("VFIO_SET_IOMMU", "type1v2");
	for (int i = 1; i < argc; i++) {
		struct vfio_device_info *info;
		int device = ioctl(groups[i], VFIO_GROUP_GET_DEVICE_FD, argv[i]);

		if (device < 0)
			fail("VFIO_GROUP_GET_DEVICE_FD", argv[i]);
		info = device_info(device, argv[i]);
		print_caps(argv[i], info);
		free(info);
		close(device);
	}
	return 0;
}
