// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-info: put the given PCI functions into one VFIO type1 container, as
 * QEMU does, and print the VFIO_IOMMU_GET_INFO capability chain decoded.
 *
 *   vfio-info SEGMENT:BUS:DEV.FN...
 */
#include "container.h"

static void print_cap(const struct vfio_info_cap_header *hdr)
{
	printf("  cap id %u version %u", hdr->id, hdr->version);
	switch (hdr->id) {
	case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: {
		const struct vfio_iommu_type1_info_cap_iova_range *c = (const void *)hdr;

		printf(" IOVA_RANGE: %u range(s)\n", c->nr_iovas);
		for (__u32 i = 0; i < c->nr_iovas; i++)
			printf("    0x%llx-0x%llx\n", (unsigned long long)c->iova_ranges[i].start,
			       (unsigned long long)c->iova_ranges[i].end);
		break;
	}
	case VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION: {
		const struct vfio_iommu_type1_info_cap_migration *c = (const void *)hdr;

		printf(" MIGRATION: flags 0x%x pgsize_bitmap 0x%llx max_dirty_bitmap_size %llu\n",
		       c->flags, (unsigned long long)c->pgsize_bitmap,
		       (unsigned long long)c->max_dirty_bitmap_size);
		break;
	}
	case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: {
		const struct vfio_iommu_type1_info_dma_avail *c = (const void *)hdr;

		printf(" DMA_AVAIL: %u mappings available\n", c->avail);
		break;
	}
#ifdef VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_FN
	case VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_FN: {
		const struct vfio_iommu_type1_info_cap_zpci_fn *c = (const void *)hdr;
		const struct iommu_hw_info_s390_zpci_fn *f = &c->info;

		printf(" ZPCI_FN: %04x:%02x:%02x.%x IOMMU group %u\n", c->segment, c->bus,
		       c->devfn >> 3, c->devfn & 7, c->iommu_group);
		printf("    fid 0x%x uid 0x%x flags 0x%x pchid 0x%x vfn %u pft 0x%x pfgid 0x%x port %u\n",
		       f->fid, f->uid, f->flags, f->pchid, f->vfn, f->pft, f->pfgid, f->port);
		printf("    dma 0x%llx-0x%llx fmb_length %u rid 0x%x pfip %u.%u.%u.%u\n",
		       (unsigned long long)f->start_dma, (unsigned long long)f->end_dma,
		       f->fmb_length, f->rid, f->pfip[0], f->pfip[1], f->pfip[2], f->pfip[3]);
		printf("    util_str");
		for (unsigned int i = 0; i < sizeof(f->util_str); i++)
			printf("%s%02x", i % 16 ? "" : " ", f->util_str[i]);
		printf("\n");
		break;
	}
	case VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_GROUP: {
		const struct vfio_iommu_type1_info_cap_zpci_group *c = (const void *)hdr;
		const struct iommu_hw_info_s390_zpci_group *g = &c->info;

		printf(" ZPCI_GROUP: pfgid 0x%x\n", g->pfgid);
		printf("    dasm 0x%llx msi_addr 0x%llx flags 0x%x noi %u maxstbl %u mui %u version %u dtsm 0x%x\n",
		       (unsigned long long)g->dasm, (unsigned long long)g->msi_addr, g->flags,
		       g->noi, g->maxstbl, g->mui, g->version, g->dtsm);
		break;
	}
#endif
	default:
		printf(" (not decoded)\n");
	}
}

int main(int argc, char **argv)
{
	struct vfio_iommu_type1_info *info;
	int container;

	prog = "vfio-info";
	if (argc < 2) {
		fprintf(stderr, "usage: %s SEGMENT:BUS:DEV.FN...\n", argv[0]);
		return 2;
	}
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		fail("cannot open", "/dev/vfio/vfio");
	for (int i = 1; i < argc; i++) {
		attach(container, argv[i]);
		printf("%s: in the container\n", argv[i]);
	}
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		fail("VFIO_SET_IOMMU", "type1v2");

	info = get_info(container, 1);
	printf("flags 0x%x iova_pgsizes 0x%llx cap_offset %u\n", info->flags,
	       (unsigned long long)info->iova_pgsizes, info->cap_offset);
	for (__u32 off = info->cap_offset; off; ) {
		const struct vfio_info_cap_header *hdr = (const void *)((char *)info + off);

		printf("  @%-4u", off);
		print_cap(hdr);
		off = hdr->next;
	}
	printf("raw answer (%u bytes):\n", info->argsz);
	for (__u32 i = 0; i < info->argsz; i++)
		printf("%s%02x%s", i % 16 ? "" : "  ", ((__u8 *)info)[i],
		       i % 16 == 15 || i + 1 == info->argsz ? "\n" : i % 4 == 3 ? " " : "");
	free(info);
	return 0;
}
