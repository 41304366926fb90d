// SPDX-License-Identifier: GPL-2.0
/*
 * bench: what a query costs, in guest instructions, counted by the host's
 * QEMU (host/insn-count.c): each measurement is CALLS calls between two
 * markers, "nop 0x5a5", and prints a line
 *
 *   ### bench NAME CALLS
 *
 * for the host to pair with the count between its two markers. Measured,
 * with containers (type1v2) of the first 1, 2 and 4 functions given:
 * VFIO_IOMMU_GET_INFO with the whole chain (get_info_N); on the 2-function
 * container VFIO_CHECK_EXTENSION, the floor of an ioctl (check_extension);
 * iommufd's IOMMU_GET_HW_INFO on the first function's cdev (hw_info).
 *
 * Also the number of CLP requests the kernel makes during the
 * VFIO_IOMMU_GET_INFO calls (a kprobe on the CLP request path, counted in
 * kprobe_profile); as a control that the probe counts, the function named
 * by VFIO_SELFTESTS_OUTSIDE_BDF is recovered (disabled and enabled, through
 * CLP) afterwards.
 *
 *   bench BDF BDF BDF BDF     (4 functions bound to vfio-pci)
 */
#include <dirent.h>
#include <sys/mount.h>
#include <linux/iommufd.h>
#include "container.h"

#define CALLS 2000
#define TRACING "/sys/kernel/tracing"

static void marker(void)
{
	asm volatile("bc 0,0x5a5" ::: "memory");
}

/* CALLS calls of @fn between markers, as the measurement @name. */
static void measure(const char *name, int (*fn)(void *), void *arg)
{
	fflush(stdout);
	marker();
	for (int i = 0; i < CALLS; i++)
		if (fn(arg))
			fail("ioctl failed:", name);
	marker();
	printf("### bench %s %d\n", name, CALLS);
	fflush(stdout);
}

static int container, iommufd;

static int get_info_call(void *info)
{
	return ioctl(container, VFIO_IOMMU_GET_INFO, info);
}

static int check_extension(void *unused)
{
	return ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1;
}

static int hw_info_call(void *cmd)
{
	return ioctl(iommufd, IOMMU_GET_HW_INFO, cmd);
}

static void put(const char *file, const char *what)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", TRACING, file);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, what, strlen(what)) < 0)
		fail("cannot write", path);
	close(fd);
}

/* Hits of the kprobe "clp" so far. */
static long clp_hits(void)
{
	char line[256], name[64];
	long hits = -1, h;
	FILE *f = fopen(TRACING "/kprobe_profile", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &h) == 2 && !strcmp(name, "clp"))
			hits = h;
	if (f)
		fclose(f);
	return hits;
}

/* A container of the functions @bdfs[@n] (their groups' files in @groups). */
static int container_of_fns(char **bdfs, int n, int *groups)
{
	int c = open("/dev/vfio/vfio", O_RDWR);

	if (c < 0)
		fail("cannot open", "/dev/vfio/vfio");
	for (int i = 0; i < n; i++)
		groups[i] = attach(c, bdfs[i]);
	if (ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		fail("VFIO_SET_IOMMU", "type1v2");
	return c;
}

/* The VFIO cdev of @bdf bound to a new iommufd, @iommufd: its device ID. */
static __u32 bind_iommufd(const char *bdf, int *iommufd)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;
	int fd = -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	dir = opendir(path);
	while (dir && (d = readdir(dir)))
		if (!strncmp(d->d_name, "vfio", 4)) {
			snprintf(path, sizeof(path), "/dev/vfio/devices/%s", d->d_name);
			fd = open(path, O_RDWR);
		}
	if (dir)
		closedir(dir);
	*iommufd = open("/dev/iommu", O_RDWR);
	bind.iommufd = *iommufd;
	if (fd < 0 || *iommufd < 0 || ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		fail("cannot bind the cdev of", bdf);
	return bind.out_devid;
}

int main(int argc, char **argv)
{
	static const int sizes[] = { 1, 2, 4 };
	long clp = 0, before;
	__u8 data[512];
	int groups[4];

	prog = "bench";
	if (argc != 5) {
		fprintf(stderr, "usage: %s BDF BDF BDF BDF\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Count CLP requests: every one allocates its request block first. */
	if (access(TRACING "/kprobe_events", W_OK))
		mount("tracefs", TRACING, "tracefs", 0, NULL);
	put("kprobe_events", "p:clp clp_alloc_block\n");
	put("events/kprobes/clp/enable", "1");

	for (int s = 0; s < 3; s++) {
		struct vfio_iommu_type1_info *info;
		char name[32];

		container = container_of_fns(argv + 1, sizes[s], groups);
		info = get_info(container, 0);
		printf("VFIO_IOMMU_GET_INFO, %d functions: %u bytes\n", sizes[s], info->argsz);
		snprintf(name, sizeof(name), "get_info_%d", sizes[s]);
		before = clp_hits();
		measure(name, get_info_call, info);
		clp += clp_hits() - before;
		if (sizes[s] == 2)
			measure("check_extension", check_extension, NULL);
		free(info);
		for (int i = 0; i < sizes[s]; i++)
			close(groups[i]);
		close(container);
	}

	{
		struct iommu_hw_info cmd = {
			.size = sizeof(cmd),
			.data_len = sizeof(data),
			.data_uptr = (uintptr_t)data,
		};

		cmd.dev_id = bind_iommufd(argv[1], &iommufd);
		if (hw_info_call(&cmd))
			fail("IOMMU_GET_HW_INFO on", argv[1]);
		printf("IOMMU_GET_HW_INFO: type %u, %u bytes\n", cmd.out_data_type, cmd.data_len);
		measure("hw_info", hw_info_call, &cmd);
	}
	printf("CLP requests during %d VFIO_IOMMU_GET_INFO calls on each container: %ld\n",
	       CALLS, clp);

	/* The control: recovering a function goes through CLP. */
	if (getenv("VFIO_SELFTESTS_OUTSIDE_BDF")) {
		char path[PATH_MAX];
		long control = clp_hits();
		int fd;

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/recover",
			 getenv("VFIO_SELFTESTS_OUTSIDE_BDF"));
		fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, "1", 1) != 1)
			fail("cannot write", path);
		close(fd);
		control = clp_hits() - control;
		printf("control: recovering %s made %ld CLP requests\n",
		       getenv("VFIO_SELFTESTS_OUTSIDE_BDF"), control);
		if (control <= 0)
			return 1;
	}
	return clp != 0;
}
