// SPDX-License-Identifier: GPL-2.0
/*
 * zpci_insn: what a hostile guest kernel can do that Linux never does. It
 * issues the zPCI load/store instructions it is told to, as they are, to
 * one function, and prints what each answered: its condition code and
 * status, or that it raised a program exception. It changes nothing of the
 * kernel and stays loaded; loading it is the test.
 *
 *   insmod zpci_insn.ko bdf=4321:00:00.0 ops=OP[,OP...]
 *
 * OP is INSN:BAR:OFFSET:LEN (OFFSET in hexadecimal), INSN one of pcilg
 * (PCI Load), pcistg (PCI Store), pcistb (PCI Store Block); BAR is the
 * instruction's PCI address space, which may name a BAR the function does
 * not implement. Or OP is unimplemented_bars: for each BAR from 0 to 5 that
 * the function does not implement (its CLP answer gave it no size), in
 * turn, pcilg:BAR:0:8, pcistg:BAR:0:8 and pcistb:BAR:0:16. Each line printed:
 *
 *   zpci_insn: BDF INSN bar BAR offset 0xOFFSET len LEN: cc CC status STATUS
 *   zpci_insn: BDF INSN bar BAR offset 0xOFFSET len LEN: program exception
 *
 * Loads and stores of 1 to 8 bytes, a store block of LEN bytes of 0x5a.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <asm/asm-extable.h>
#include <asm/pci.h>
#include <asm/pci_insn.h>
#include <asm/pci_io.h>

static char *bdf;
module_param(bdf, charp, 0);
static char *ops;
module_param(ops, charp, 0);

#define EXCEPTION -1

/* Each returns the condition code, or EXCEPTION. */
static int pcilg(u64 req, u64 offset, u8 *status)
{
	union register_pair ro = { .even = req, .odd = offset };
	int cc = EXCEPTION;
	u64 data;

	asm volatile(
		"	.insn	rre,0xb9d20000,%[data],%[ro]\n"
		"0:	ipm	%[cc]\n"
		"	srl	%[cc],28\n"
		"1:\n"
		EX_TABLE(0b, 1b)
		: [cc] "+d" (cc), [data] "=d" (data), [ro] "+&d" (ro.pair)
		:
		: "cc");
	*status = ro.even >> 24;
	return cc;
}

static int pcistg(u64 req, u64 offset, u8 *status)
{
	union register_pair ro = { .even = req, .odd = offset };
	u64 data = 0x5a5a5a5a5a5a5a5aULL;
	int cc = EXCEPTION;

	asm volatile(
		"	.insn	rre,0xb9d00000,%[data],%[ro]\n"
		"0:	ipm	%[cc]\n"
		"	srl	%[cc],28\n"
		"1:\n"
		EX_TABLE(0b, 1b)
		: [cc] "+d" (cc), [ro] "+&d" (ro.pair)
		: [data] "d" (data)
		: "cc");
	*status = ro.even >> 24;
	return cc;
}

static int pcistb(u64 req, u64 offset, const u64 *block, u8 *status)
{
	int cc = EXCEPTION;

	asm volatile(
		"	.insn	rsy,0xeb00000000d0,%[req],%[offset],%[block]\n"
		"0:	ipm	%[cc]\n"
		"	srl	%[cc],28\n"
		"1:\n"
		EX_TABLE(0b, 1b)
		: [cc] "+d" (cc), [req] "+d" (req)
		: [offset] "d" (offset), [block] "Q" (*block)
		: "cc");
	*status = req >> 24;
	return cc;
}

static int issue(u32 fh, const char *insn, unsigned int bar,
		 unsigned long long offset, unsigned int len, u64 *block)
{
	u8 status = 0;
	u64 req;
	int cc;

	if (bar > 15 || !len || len > PAGE_SIZE) {
		pr_err("zpci_insn: %s %s bar %u len %u: out of range\n", bdf, insn, bar, len);
		return -EINVAL;
	}
	req = ZPCI_CREATE_REQ(fh, bar, len);
	if (!strcmp(insn, "pcilg") && len <= 8) {
		cc = pcilg(req, offset, &status);
	} else if (!strcmp(insn, "pcistg") && len <= 8) {
		cc = pcistg(req, offset, &status);
	} else if (!strcmp(insn, "pcistb")) {
		memset(block, 0x5a, len);
		cc = pcistb(req, offset, block, &status);
	} else {
		pr_err("zpci_insn: %s %s len %u: no such instruction, or too long\n", bdf, insn,
		       len);
		return -EINVAL;
	}
	if (cc == EXCEPTION)
		pr_info("zpci_insn: %s %s bar %u offset 0x%llx len %u: program exception\n",
			bdf, insn, bar, offset, len);
	else
		pr_info("zpci_insn: %s %s bar %u offset 0x%llx len %u: cc %d status %u\n",
			bdf, insn, bar, offset, len, cc, status);
	return 0;
}

static int unimplemented_bars(struct pci_dev *pdev, u64 *block)
{
	u32 fh = to_zpci(pdev)->fh;
	int bar, rc = 0;

	for (bar = 0; !rc && bar < PCI_STD_NUM_BARS; bar++) {
		if (pci_resource_len(pdev, bar))
			continue;
		rc = issue(fh, "pcilg", bar, 0, 8, block);
		if (!rc)
			rc = issue(fh, "pcistg", bar, 0, 8, block);
		if (!rc)
			rc = issue(fh, "pcistb", bar, 0, 16, block);
	}
	return rc;
}

static int run(struct pci_dev *pdev, char *op, u64 *block)
{
	unsigned long long offset;
	unsigned int bar, len;
	char insn[8];

	if (!strcmp(op, "unimplemented_bars"))
		return unimplemented_bars(pdev, block);
	if (sscanf(op, "%7[^:]:%u:%llx:%u", insn, &bar, &offset, &len) != 4) {
		pr_err("zpci_insn: %s %s: not INSN:BAR:OFFSET:LEN\n", bdf, op);
		return -EINVAL;
	}
	return issue(to_zpci(pdev)->fh, insn, bar, offset, len, block);
}

static int __init zpci_insn_init(void)
{
	unsigned int domain, bus, slot, fn;
	struct pci_dev *pdev;
	char *list, *cur, *op;
	u64 *block;
	int rc = 0;

	if (!bdf || !ops || sscanf(bdf, "%x:%x:%x.%x", &domain, &bus, &slot, &fn) != 4)
		return -EINVAL;
	pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	block = (u64 *)__get_free_page(GFP_KERNEL);
	list = kstrdup(ops, GFP_KERNEL);
	if (!block || !list) {
		rc = -ENOMEM;
		goto out;
	}
	cur = list;
	while (!rc && (op = strsep(&cur, ",")))
		rc = run(pdev, op, block);
out:
	kfree(list);
	free_page((unsigned long)block);
	pci_dev_put(pdev);
	return rc;
}

static void __exit zpci_insn_exit(void)
{
}

module_init(zpci_insn_init);
module_exit(zpci_insn_exit);
MODULE_DESCRIPTION("A hostile guest's zPCI load/store instructions, for testing a hypervisor");
MODULE_LICENSE("GPL");
