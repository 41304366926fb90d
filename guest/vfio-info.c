// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-info: put the given PCI functions into one VFIO type1 container, as
 * QEMU does, and print the VFIO_IOMMU_GET_INFO size handshake, the chain of
 * capabilities (the zPCI ones as records, guest/record.h) and the raw
 * bytes of the answer. (The project's tool/vfio_iommu_info decodes them.)
 *
 *   vfio-info SEGMENT:BUS:DEV.FN...
 */
#include "container.h"
#include "record.h"

int main(int argc, char **argv)
{
	struct vfio_iommu_type1_info *info;
	const struct vfio_info_cap_header *hdr;
	const char *why;
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
	for_each_cap(hdr, info, info->argsz, why) {
		const struct vfio_iommu_type1_info_cap_zpci_group *group = (const void *)hdr;
		const struct vfio_iommu_type1_info_cap_zpci_fn *fn = (const void *)hdr;

		printf("  @%-4u capability id %u version %u\n", cap_off(info, hdr), hdr->id,
		       hdr->version);
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_FN &&
		    cap_fits(info, info->argsz, hdr, sizeof(*fn))) {
			char name[16];

			printf("    zpci_fn %s ", zpci_fn_bdf(name, sizeof(name), fn));
			print_fn_record(stdout, fn);
			putchar('\n');
		}
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_GROUP &&
		    cap_fits(info, info->argsz, hdr, sizeof(*group))) {
			printf("    zpci_group ");
			print_group_record(stdout, group);
			putchar('\n');
		}
	}
	printf("raw answer (%u bytes):\n", info->argsz);
	for (__u32 i = 0; i < info->argsz; i++)
		printf("%s%02x%s", i % 16 ? "" : "  ", ((__u8 *)info)[i],
		       i % 16 == 15 || i + 1 == info->argsz ? "\n" : i % 4 == 3 ? " " : "");
	free(info);
	return 0;
}
