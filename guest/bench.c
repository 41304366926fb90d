// SPDX-License-Identifier: GPL-2.0
/*
 * bench: the cost of VFIO_IOMMU_GET_INFO with the zPCI capabilities, in one
 * run, as ratios to VFIO_DEVICE_GET_INFO on one of the devices and to
 * VFIO_CHECK_EXTENSION (a trivial ioctl on the same container), and the
 * number of CLP requests the kernel makes meanwhile (a kprobe on the CLP
 * request path, counted by the kernel in kprobe_profile). As a control
 * that the probe counts, the function named by VFIO_SELFTESTS_OUTSIDE_BDF
 * is recovered (disabled and enabled, through CLP) afterwards.
 *
 *   bench BDF...
 */
#include <sys/mount.h>
#include <time.h>
#include "container.h"

#define CALLS 10000
#define TRACING "/sys/kernel/tracing"

static double ns[CALLS];

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median and 99th percentile, in ns, of CALLS calls of @fn. */
static void measure(const char *what, int (*fn)(void *), void *arg, double *median, double *p99)
{
	struct timespec a, b;

	for (int i = 0; i < CALLS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (fn(arg))
			fail("ioctl failed:", what);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns[i] = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	}
	qsort(ns, CALLS, sizeof(ns[0]), cmp);
	*median = ns[CALLS / 2];
	*p99 = ns[CALLS * 99 / 100];
	printf("%-34s median %9.0f ns  p99 %9.0f ns  (%d calls)\n", what, *median, *p99, CALLS);
}

static int container;
static int device;
static struct vfio_iommu_type1_info *info;

static int iommu_info(void *unused)
{
	return ioctl(container, VFIO_IOMMU_GET_INFO, info);
}

static int device_info(void *buf)
{
	struct vfio_device_info *dinfo = buf;

	dinfo->argsz = 4096;
	return ioctl(device, VFIO_DEVICE_GET_INFO, dinfo);
}

static int check_extension(void *unused)
{
	return ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1;
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

int main(int argc, char **argv)
{
	double m_info, p_info, m_dev, p_dev, m_ext, p_ext;
	void *dbuf = calloc(1, 4096);
	long before, after;
	int group;

	prog = "bench";
	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF...\n", argv[0]);
		return 2;
	}
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		fail("cannot open", "/dev/vfio/vfio");
	group = attach(container, argv[1]);
	for (int i = 2; i < argc; i++)
		attach(container, argv[i]);
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		fail("VFIO_SET_IOMMU", "type1v2");
	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[1]);
	if (device < 0)
		fail("VFIO_GROUP_GET_DEVICE_FD", argv[1]);
	info = get_info(container, 0);

	/* Count CLP requests: every one allocates its request block first. */
	if (access(TRACING "/kprobe_events", W_OK))
		mount("tracefs", TRACING, "tracefs", 0, NULL);
	put("kprobe_events", "p:clp clp_alloc_block\n");
	put("events/kprobes/clp/enable", "1");

	printf("VFIO_IOMMU_GET_INFO answer: %u bytes, %d functions in the container\n",
	       info->argsz, argc - 1);
	before = clp_hits();
	measure("VFIO_IOMMU_GET_INFO (full chain)", iommu_info, NULL, &m_info, &p_info);
	after = clp_hits();
	measure("VFIO_DEVICE_GET_INFO", device_info, dbuf, &m_dev, &p_dev);
	measure("VFIO_CHECK_EXTENSION", check_extension, NULL, &m_ext, &p_ext);

	printf("ratio GET_INFO / DEVICE_GET_INFO:   median %.2f  p99 %.2f\n",
	       m_info / m_dev, p_info / p_dev);
	printf("ratio GET_INFO / CHECK_EXTENSION:   median %.2f  p99 %.2f\n",
	       m_info / m_ext, p_info / p_ext);
	printf("CLP requests during %d VFIO_IOMMU_GET_INFO calls: %ld\n", CALLS, after - before);

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
	return after - before != 0;
}
