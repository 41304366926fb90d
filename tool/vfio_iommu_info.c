// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_iommu_info - show what VFIO_IOMMU_GET_INFO says about a container
 *
 * Puts the IOMMU groups of the given PCI functions (or the given IOMMU
 * groups) into one type1 container, each group once, opens their devices,
 * as QEMU does, and prints every capability of the answer, decoded: a table
 * for people, or JSON with --json.
 *
 * The project's program, not the kernel series' (it would belong in
 * s390-tools, not in the kernel): it needs libc and the uAPI headers of a
 * kernel with the series only. host/initramfs.sh builds it for the guest.
 * Stage tool tests it, make run shows its table and JSON (stages
 * vfio_iommu_info, vfio_iommu_info_json), and the nested guest's JSON from
 * it is what stages qemu_nested and qemu_ab compare with the test bed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_GROUPS 64

enum {
	EXIT_USAGE = 1,
	EXIT_NO_DEVICE = 2,	/* no such PCI function or IOMMU group */
	EXIT_NOT_VFIO = 3,	/* the function is not bound to vfio-pci */
	EXIT_NOT_VIABLE = 4,	/* a device of the group is bound elsewhere */
	EXIT_PERMISSION = 5,	/* no access to a VFIO file */
	EXIT_VFIO = 6,		/* a VFIO ioctl failed */
};

static int json;

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vfio_iommu_info: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(code);
}

static void print_help(FILE *f)
{
	fprintf(f,
		"Usage: vfio_iommu_info [--json] [--iommufd] {SEGMENT:BUS:DEV.FN | IOMMU_GROUP}...\n"
		"\n"
		"Put the IOMMU groups of the PCI functions (or the IOMMU groups) given into\n"
		"one VFIO type1v2 container, each group once, open their devices (as QEMU\n"
		"does) and print the container's VFIO_IOMMU_GET_INFO answer.\n"
		"\n"
		"  --json     print JSON: one object, its \"capabilities\" one per line;\n"
		"             64-bit values (addresses, masks, sizes) are strings \"0x...\",\n"
		"             so that readers holding numbers as doubles keep them exact;\n"
		"             byte arrays are hex strings; the others are numbers\n"
		"  --iommufd  use iommufd's VFIO compatibility container (/dev/iommu)\n"
		"             instead of /dev/vfio/vfio\n"
		"  --help     print this\n"
		"\n"
		"Exit status: 0 done, 1 bad arguments, 2 no such PCI function or IOMMU group,\n"
		"3 not bound to vfio-pci, 4 group not viable, 5 permission denied,\n"
		"6 a VFIO ioctl failed\n");
}

/* The IOMMU group number of @arg: a PCI address bound to vfio-pci, or a number. */
static long group_of(const char *arg, int *is_bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	char *end;
	long nr;
	ssize_t n;

	nr = strtol(arg, &end, 10);
	*is_bdf = !(*arg && !*end);
	if (!*is_bdf)
		return nr;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", arg);
	if (access(path, F_OK))
		die(EXIT_NO_DEVICE, "%s: no such PCI function", arg);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", arg);
	n = readlink(path, link, sizeof(link) - 1);
	link[n < 0 ? 0 : n] = '\0';
	if (n < 0 || strcmp(basename(link), "vfio-pci"))
		die(EXIT_NOT_VFIO, "%s: not bound to vfio-pci (driver: %s)", arg,
		    n < 0 ? "none" : basename(link));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", arg);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die(EXIT_NO_DEVICE, "%s: no IOMMU group", arg);
	link[n] = '\0';
	return strtol(basename(link), NULL, 10);
}

/* Open /dev/vfio/@nr and put it into @container; the group's file. */
static int attach(int container, long nr)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[32];
	int group;

	snprintf(path, sizeof(path), "/dev/vfio/%ld", nr);
	group = open(path, O_RDWR);
	if (group < 0 && (errno == EACCES || errno == EPERM))
		die(EXIT_PERMISSION, "%s: %s", path, strerror(errno));
	if (group < 0)
		die(errno == ENOENT ? EXIT_NO_DEVICE : EXIT_VFIO, "%s: %s", path, strerror(errno));
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status))
		die(EXIT_VFIO, "%s: VFIO_GROUP_GET_STATUS: %s", path, strerror(errno));
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		die(EXIT_NOT_VIABLE, "IOMMU group %ld is not viable: bind all its devices to %s",
		    nr, "vfio-pci");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		die(EXIT_VFIO, "%s: VFIO_GROUP_SET_CONTAINER: %s", path, strerror(errno));
	return group;
}

static void open_device(int group, long nr, const char *name)
{
	if (ioctl(group, VFIO_GROUP_GET_DEVICE_FD, name) < 0)
		die(EXIT_VFIO, "IOMMU group %ld: VFIO_GROUP_GET_DEVICE_FD %s: %s", nr, name,
		    strerror(errno));
}

/*
 * Open every device of IOMMU group @nr that is bound to vfio-pci: iommufd's
 * compatibility container only knows a group's devices once they are opened.
 */
static void open_devices(int group, long nr)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%ld/devices", nr);
	dir = opendir(path);
	if (!dir)
		die(EXIT_NO_DEVICE, "%s: %s", path, strerror(errno));
	while ((d = readdir(dir))) {
		char drv[PATH_MAX], link[PATH_MAX];
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		/* Bridges and unbound devices leave a group viable: skip them */
		snprintf(drv, sizeof(drv), "%s/%s/driver", path, d->d_name);
		n = readlink(drv, link, sizeof(link) - 1);
		link[n < 0 ? 0 : n] = '\0';
		if (n > 0 && !strcmp(basename(link), "vfio-pci"))
			open_device(group, nr, d->d_name);
	}
	closedir(dir);
}

/* The whole answer: ask, learn the size needed, ask again. */
static struct vfio_iommu_type1_info *get_info(int container)
{
	struct vfio_iommu_type1_info *info;
	__u32 argsz = sizeof(*info);

	for (;;) {
		info = calloc(1, argsz);
		if (!info)
			die(EXIT_VFIO, "out of memory");
		info->argsz = argsz;
		if (ioctl(container, VFIO_IOMMU_GET_INFO, info))
			die(EXIT_VFIO, "VFIO_IOMMU_GET_INFO: %s", strerror(errno));
		if (info->argsz <= argsz)
			break;
		argsz = info->argsz;
		free(info);
	}
	/* Walk nothing that is not inside the answer and going forwards. */
	for (__u32 off = info->cap_offset, prev = 0; off;
	     prev = off, off = ((struct vfio_info_cap_header *)((char *)info + off))->next)
		if (off < sizeof(*info) || off <= prev || off % 8 ||
		    off + sizeof(struct vfio_info_cap_header) > info->argsz)
			die(EXIT_VFIO, "VFIO_IOMMU_GET_INFO: broken capability chain at %u", off);
	return info;
}

/*
 * One field: a line "  name  value" of the table, its values in one column
 * after the longest name (max_dirty_bitmap_size), or "name": value in JSON.
 * @fmt formats the value the same in both, but for the quotes of strings.
 */
#define NAME_WIDTH 21
static int fields;

static void field(const char *name, const char *fmt, ...)
{
	va_list ap;

	if (json)
		printf("%s\"%s\": ", fields++ ? ", " : "", name);
	else
		printf("  %-*s  ", NAME_WIDTH, name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!json)
		putchar('\n');
}

static void num(const char *name, unsigned int v)
{
	field(name, json ? "%u" : "0x%x", v);
}

/* The name of each flag a flags field can have. */
struct flag_name {
	__u32 flag;
	const char *name;
};

static const struct flag_name info_flags[] = {
	{ VFIO_IOMMU_INFO_PGSIZES, "pgsizes" },
	{ VFIO_IOMMU_INFO_CAPS, "caps" },
	{}
};

static const struct flag_name zpci_fn_flags[] = {
	{ VFIO_IOMMU_ZPCI_FN_FLAG_UTIL_STR, "util_str" },
	{ VFIO_IOMMU_ZPCI_FN_FLAG_RID, "rid" },
	{ VFIO_IOMMU_ZPCI_FN_FLAG_PHYSFN, "physfn" },
	{ VFIO_IOMMU_ZPCI_FN_FLAG_TID, "tid" },
	{}
};

static const struct flag_name zpci_group_flags[] = {
	{ VFIO_IOMMU_ZPCI_GROUP_FLAG_PLATFORM_REFRESH, "platform_refresh" },
	{ VFIO_IOMMU_ZPCI_GROUP_FLAG_RTR, "rtr" },
	{ VFIO_IOMMU_ZPCI_GROUP_FLAG_FRAME, "frame" },
	{}
};

/*
 * Flags: a number in JSON; in the table, the number and the names of the
 * flags set, with any other bits as a number ("0x7 (util_str rid physfn)").
 */
static void flags(const char *name, __u32 v, const struct flag_name *names)
{
	char text[64] = "";
	__u32 rest = v;
	int len = 0;

	if (json) {
		num(name, v);
		return;
	}
	for (; names->name; names++) {
		if (v & names->flag) {
			len += snprintf(text + len, sizeof(text) - len, " %s", names->name);
			rest &= ~names->flag;
		}
	}
	if (rest)
		snprintf(text + len, sizeof(text) - len, " 0x%x", rest);
	if (v)
		field(name, "0x%x (%s)", v, text + 1);
	else
		field(name, "0x0");
}

/* 64 bits: a string in JSON, which holds numbers as doubles */
static void num64(const char *name, unsigned long long v)
{
	field(name, json ? "\"0x%llx\"" : "0x%llx", v);
}

static void str(const char *name, const char *s)
{
	field(name, json ? "\"%s\"" : "%s", s);
}

static void bytes(const char *name, const __u8 *p, size_t n)
{
	char *hex = malloc(2 * n + 1);

	if (!hex)
		die(EXIT_VFIO, "out of memory");
	hex[0] = '\0';
	for (size_t i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", p[i]);
	str(name, hex);
	free(hex);
}

/* EBCDIC (code page 037) to ASCII, for the printable characters. */
static char ebcdic(__u8 c)
{
	static const char *const rows[16] = {
		[0x4] = "           .<(+|",
		[0x5] = "&         !$*); ",
		[0x6] = "-/         ,%_>?",
		[0x7] = "         `:#@'=\"",
		[0x8] = " abcdefghi      ",
		[0x9] = " jklmnopqr      ",
		[0xa] = " ~stuvwxyz      ",
		[0xb] = "^         []    ",
		[0xc] = "{ABCDEFGHI      ",
		[0xd] = "}JKLMNOPQR      ",
		[0xe] = "\\ STUVWXYZ      ",
		[0xf] = "0123456789      ",
	};
	const char *row = rows[c >> 4];
	char a = row ? row[c & 0xf] : ' ';

	return c == 0x40 ? ' ' : a == ' ' ? '.' : a;
}

/* The utility string as text, without its trailing blanks and NULs. */
static void util_str(const __u8 *p, size_t n)
{
	char text[65], *s = text;

	while (n && (p[n - 1] == 0x40 || !p[n - 1]))
		n--;
	for (size_t i = 0; i < n && i < sizeof(text) - 1; i++) {
		*s = ebcdic(p[i]);
		/* nothing that needs escaping in JSON */
		if (*s == '"' || *s == '\\')
			*s = '.';
		s++;
	}
	*s = '\0';
	str("util_str_text", text);
}

static void cap_zpci_fn(const struct vfio_iommu_type1_info_cap_zpci_fn *c)
{
	char bdf[16];

	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", c->segment, c->bus, c->devfn >> 3,
		 c->devfn & 7);
	str("function", bdf);
	field("iommu_group", "%u", c->iommu_group);
	num("fid", c->fid);
	num("uid", c->uid);
	flags("flags", c->flags, zpci_fn_flags);
	num("pchid", c->pchid);
	num("vfn", c->vfn);
	num("pft", c->pft);
	num("pfgid", c->pfgid);
	num("port", c->port);
	num64("start_dma", c->start_dma);
	num64("end_dma", c->end_dma);
	num("fmb_length", c->fmb_length);
	num("rid", c->rid);
	num("tid", c->tid);
	bytes("pfip", c->pfip, sizeof(c->pfip));
	if (c->flags & VFIO_IOMMU_ZPCI_FN_FLAG_UTIL_STR) {
		util_str(c->util_str, sizeof(c->util_str));
		if (json)
			bytes("util_str", c->util_str, sizeof(c->util_str));
	}
}

static void cap_zpci_group(const struct vfio_iommu_type1_info_cap_zpci_group *c)
{
	num("pfgid", c->pfgid);
	num64("dasm", c->dasm);
	num64("msi_addr", c->msi_addr);
	flags("flags", c->flags, zpci_group_flags);
	num("noi", c->noi);
	num("platform_maxstbl", c->platform_maxstbl);
	num("mui", c->mui);
	num("version", c->version);
	num("dtsm", c->dtsm);
}

/* The size of the capability @id needs to be decoded, 0 for one not known */
static size_t cap_size(__u16 id)
{
	switch (id) {
	case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE:
		return sizeof(struct vfio_iommu_type1_info_cap_iova_range);
	case VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION:
		return sizeof(struct vfio_iommu_type1_info_cap_migration);
	case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL:
		return sizeof(struct vfio_iommu_type1_info_dma_avail);
	case VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_FN:
		return sizeof(struct vfio_iommu_type1_info_cap_zpci_fn);
	case VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_GROUP:
		return sizeof(struct vfio_iommu_type1_info_cap_zpci_group);
	}
	return 0;
}

static void print_cap(const struct vfio_info_cap_header *hdr, size_t size)
{
	static const char *const names[] = {
		[VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE] = "iova_range",
		[VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION] = "migration",
		[VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL] = "dma_avail",
		[VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_FN] = "zpci_fn",
		[VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_GROUP] = "zpci_group",
	};
	const char *name = hdr->id < ARRAY_SIZE(names) ? names[hdr->id] : NULL;
	const struct vfio_iommu_type1_info_cap_iova_range *range = (const void *)hdr;

	/* What does not fit is shown as bytes, not read past the answer */
	if (size < cap_size(hdr->id) ||
	    (name && hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE &&
	     (size - sizeof(*range)) / sizeof(range->iova_ranges[0]) < range->nr_iovas))
		name = NULL;

	fields = 0;
	if (json) {
		printf("    {");
		field("id", "%u", hdr->id);
		field("version", "%u", hdr->version);
		str("name", name ? name : "unknown");
	} else {
		printf("%s: capability %u, version %u\n", name ? name : "unknown", hdr->id,
		       hdr->version);
	}
	switch (name ? hdr->id : 0) {
	case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: {
		const struct vfio_iommu_type1_info_cap_iova_range *c = (const void *)hdr;

		if (json)
			field("iova_ranges", "[");
		for (__u32 i = 0; i < c->nr_iovas; i++) {
			unsigned long long start = c->iova_ranges[i].start;
			unsigned long long end = c->iova_ranges[i].end;

			if (json)
				printf("%s{\"start\": \"0x%llx\", \"end\": \"0x%llx\"}",
				       i ? ", " : "", start, end);
			else
				field("iova_range", "0x%llx-0x%llx", start, end);
		}
		if (json)
			printf("]");
		break;
	}
	case VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION: {
		const struct vfio_iommu_type1_info_cap_migration *c = (const void *)hdr;

		num("flags", c->flags);
		num64("pgsize_bitmap", c->pgsize_bitmap);
		num64("max_dirty_bitmap_size", c->max_dirty_bitmap_size);
		break;
	}
	case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL:
		field("avail", "%u", ((const struct vfio_iommu_type1_info_dma_avail *)hdr)->avail);
		break;
	case VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_FN:
		cap_zpci_fn((const void *)hdr);
		break;
	case VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_GROUP:
		cap_zpci_group((const void *)hdr);
		break;
	default:	/* not dropped: its bytes after the header */
		bytes("data", (const __u8 *)(hdr + 1), size - sizeof(*hdr));
	}
	if (json)
		printf("}");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "iommufd", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *container_path = "/dev/vfio/vfio";
	long groups[MAX_GROUPS];
	int fds[MAX_GROUPS], all[MAX_GROUPS] = {};
	struct vfio_iommu_type1_info *info;
	int container, opt, i, g, n = 0;
	int *bdf_group;		/* per argument: its group's index, -1 if a number */
	__u32 off;

	while ((opt = getopt_long(argc, argv, "jih", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'i':
			container_path = "/dev/iommu";
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			print_help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		print_help(stderr);
		return EXIT_USAGE;
	}

	container = open(container_path, O_RDWR);
	if (container < 0)
		die(errno == EACCES ? EXIT_PERMISSION : EXIT_NO_DEVICE, "%s: %s", container_path,
		    strerror(errno));
	bdf_group = calloc(argc, sizeof(*bdf_group));
	if (!bdf_group)
		die(EXIT_VFIO, "out of memory");
	/* Each group once, however many of its functions are given. */
	for (i = optind; i < argc; i++) {
		int is_bdf;
		long nr = group_of(argv[i], &is_bdf);

		for (g = 0; g < n && groups[g] != nr; g++)
			;
		if (g == n) {
			if (n == MAX_GROUPS)
				die(EXIT_USAGE, "more than %d IOMMU groups", MAX_GROUPS);
			groups[n] = nr;
			fds[n++] = attach(container, nr);
		}
		all[g] |= !is_bdf;
		bdf_group[i] = is_bdf ? g : -1;
	}
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die(EXIT_VFIO, "VFIO_SET_IOMMU: %s", strerror(errno));
	/* The devices, once the container has its IOMMU, as QEMU opens them. */
	for (g = 0; g < n; g++)
		if (all[g])
			open_devices(fds[g], groups[g]);
	for (i = optind; i < argc; i++) {
		int j;

		g = bdf_group[i];
		for (j = optind; j < i && strcmp(argv[j], argv[i]); j++)
			;
		if (g >= 0 && !all[g] && j == i)
			open_device(fds[g], groups[g], argv[i]);
	}
	free(bdf_group);
	info = get_info(container);

	fields = 0;
	if (json) {
		printf("{");
		str("container", container_path);
		num("argsz", info->argsz);
		flags("flags", info->flags, info_flags);
		num64("iova_pgsizes", info->iova_pgsizes);
		printf(", \"capabilities\": [\n");
	} else {
		printf("%s: VFIO_IOMMU_GET_INFO\n", container_path);
		field("argsz", "%u", info->argsz);
		flags("flags", info->flags, info_flags);
		num64("iova_pgsizes", info->iova_pgsizes);
	}
	for (off = info->cap_offset; off; ) {
		const struct vfio_info_cap_header *hdr = (const void *)((char *)info + off);
		__u32 next = hdr->next;

		print_cap(hdr, (next ? next : info->argsz) - off);
		if (json)
			printf(next ? ",\n" : "\n");
		off = next;
	}
	if (json)
		printf("]}\n");
	free(info);
	return 0;
}
