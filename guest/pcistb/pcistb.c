// SPDX-License-Identifier: GPL-2.0
/*
 * pcistb: what a hostile guest kernel can do that Linux never does: one
 * PCI Store Block of @len bytes (Linux writes at most 128) to BAR @bar at
 * @offset of the zPCI function @bdf. Prints what the instruction answered:
 * 0, or -ENXIO where it raised a program exception (a length above the
 * function group's maxstbl is a specification exception). It changes
 * nothing of the kernel and stays loaded; loading it is the test.
 *
 *   insmod pcistb.ko bdf=4321:00:00.0 [len=256] [bar=4] [offset=0x3800]
 *
 * The default target is in the notification area of a modern virtio-pci
 * device's BAR 4, where a write to a queue that does not exist is ignored.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <asm/pci.h>
#include <asm/pci_insn.h>
#include <asm/pci_io.h>

static char *bdf;
module_param(bdf, charp, 0);
static uint len = 256;
module_param(len, uint, 0);
static uint bar = 4;
module_param(bar, uint, 0);
static ulong offset = 0x3800;
module_param(offset, ulong, 0);

static int __init pcistb_init(void)
{
	unsigned int domain, bus, slot, fn;
	struct pci_dev *pdev;
	u64 *data;
	int rc;

	if (!bdf || sscanf(bdf, "%x:%x:%x.%x", &domain, &bus, &slot, &fn) != 4 ||
	    len > PAGE_SIZE)
		return -EINVAL;
	pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	data = (u64 *)__get_free_page(GFP_KERNEL);
	if (!data) {
		pci_dev_put(pdev);
		return -ENOMEM;
	}
	memset(data, 0x5a, len);
	rc = __zpci_store_block(data, ZPCI_CREATE_REQ(to_zpci(pdev)->fh, bar, len), offset);
	pr_info("pcistb: %s bar %u offset 0x%lx len %u: %d\n", bdf, bar, offset, len, rc);
	free_page((unsigned long)data);
	pci_dev_put(pdev);
	return 0;
}

static void __exit pcistb_exit(void)
{
}

module_init(pcistb_init);
module_exit(pcistb_exit);
MODULE_DESCRIPTION("A hostile guest's PCI Store Block, for testing a hypervisor");
MODULE_LICENSE("GPL");
