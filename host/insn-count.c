// SPDX-License-Identifier: GPL-2.0
/*
 * insn-count: a QEMU TCG plugin for the host's qemu-system-s390x that counts
 * the instructions a one-vCPU guest executes between two markers, for
 * make bench (host/bench.sh, guest/bench.c).
 *
 * The marker is an instruction nothing else uses: BC with mask 0 (a no-op)
 * and displacement 0x5a5, "nop 0x5a5", 47 00 05 a5. Each time the guest
 * executes one, the plugin appends to the file out=PATH the number of
 * instructions executed since the previous one, one line each.
 *
 *   qemu-system-s390x -plugin insn-count.so,out=PATH ...
 *
 * Instructions are counted per translation block as it starts, so a marker
 * line also holds the rest of the block the previous marker was in, and not
 * the rest of its own; with markers in straight-line code, the error is the
 * same few instructions every time.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static const unsigned char marker_insn[] = { 0x47, 0x00, 0x05, 0xa5 };
static struct qemu_plugin_scoreboard *board;
static qemu_plugin_u64 count;	/* the one vCPU's, in board */
static uint64_t last;
static FILE *out;

static void marker(unsigned int vcpu, void *unused)
{
	uint64_t now = qemu_plugin_u64_get(count, vcpu);

	fprintf(out, "%" PRIu64 "\n", now - last);
	fflush(out);
	last = now;
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(tb, QEMU_PLUGIN_INLINE_ADD_U64, count, n);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		unsigned char data[sizeof(marker_insn)];

		if (qemu_plugin_insn_size(insn) == sizeof(marker_insn) &&
		    qemu_plugin_insn_data(insn, data, sizeof(data)) == sizeof(data) &&
		    !memcmp(data, marker_insn, sizeof(marker_insn)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, marker,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL;

	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	if (!path || info->system.smp_vcpus != 1) {
		fprintf(stderr, "insn-count: needs out=PATH and one vCPU\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	board = qemu_plugin_scoreboard_new(sizeof(uint64_t));
	count = qemu_plugin_scoreboard_u64(board);
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	return 0;
}
