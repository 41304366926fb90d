// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug: a zPCI function leaves and comes back while a process holds its
 * container and asks VFIO_IOMMU_GET_INFO. The host (host/hotplug.py) acts
 * on the "### hotplug" lines this prints: it removes the function through
 * QEMU's monitor (device_del) and plugs it back (device_add), twice: first
 * with the other values of the test bed's replug line, then with its own. Its
 * capability must say REPLUG_RECORD, then GONE_RECORD (the test bed's
 * records of the function, guest/record.h): the values of the platform's
 * latest answer, never those of a function that was there before.
 *
 *   hotplug KEEP_BDF GONE_BDF GONE_UID GONE_RECORD REPLUG_RECORD
 *
 * Prints TAP.
 */
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include "container.h"
#include "record.h"

static int container, stop, answers[3], bad;
static const char *keep, *gone;

/*
 * How many function capabilities name @bdf (or any, with NULL); the record of
 * each goes to @f, if not NULL.
 */
static int fns_to(const struct vfio_iommu_type1_info *info, const char *bdf, FILE *f)
{
	const struct vfio_info_cap_header *hdr;
	const char *why;
	int n = 0;

	for_each_cap(hdr, info, info->argsz, why) {
		const struct vfio_iommu_type1_info_cap_zpci_fn *c = (const void *)hdr;
		char name[16];

		if (hdr->id != VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_FN ||
		    !cap_fits(info, info->argsz, hdr, sizeof(*c)))
			continue;
		if (bdf && strcmp(bdf, zpci_fn_bdf(name, sizeof(name), c)))
			continue;
		n++;
		if (f)
			print_fn_record(f, c);
	}
	return n;
}

static int fns(const struct vfio_iommu_type1_info *info, const char *bdf)
{
	return fns_to(info, bdf, NULL);
}

/* The record of @bdf's function capability in @info, in @buf. */
static const char *fn_record(const struct vfio_iommu_type1_info *info, const char *bdf,
			  char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");

	buf[0] = '\0';
	if (f) {
		fns_to(info, bdf, f);
		fclose(f);
	}
	return buf;
}

/* Ask all the time; every answer must be whole, with one or two functions. */
static void *ask(void *unused)
{
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct vfio_iommu_type1_info *info = get_info(container, 0);
		int n = fns(info, NULL);

		if (n == 1 || n == 2)
			__atomic_add_fetch(&answers[n], 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
		free(info);
	}
	return NULL;
}

/* Wait up to a minute for @bdf to be there (or gone). */
static int wait_for(const char *bdf, int there)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	for (int i = 0; i < 600; i++) {
		if ((access(path, F_OK) == 0) == there)
			return 1;
		usleep(100000);
	}
	return 0;
}

/* Wait up to 10 s for devtmpfs to create the VFIO group node of @bdf. */
static void wait_group_node(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));
			if (!access(path, F_OK))
				return;
		}
		usleep(100000);
	}
}

extern char **environ;

/* Bound to vfio-pci, as zpci_setup does at boot (guest/bind-vfio). */
static void bind_vfio(const char *bdf)
{
	char *argv[] = { "/bin/bind-vfio", (char *)bdf, NULL };
	int status;
	pid_t pid;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) ||
	    waitpid(pid, &status, 0) < 0 || status)
		printf("# %s %s failed\n", argv[0], bdf);
}

/*
 * Plug the function back (@how: "plug" or "replug"), bound to vfio-pci and
 * in the container again; its capability must then say @want. Returns
 * whether the function came back.
 */
static int plug_back(const char *how, const char *bdf, const char *uid, const char *want,
		     const char *name, int t)
{
	struct vfio_iommu_type1_info *info;
	char buf[512];
	int back;

	printf("### hotplug %s %s\n", how, uid);
	back = wait_for(bdf, 1);
	if (back) {
		bind_vfio(bdf);
		wait_group_node(bdf);
		attach(container, bdf);
	}
	info = get_info(container, 0);
	fn_record(info, bdf, buf, sizeof(buf));
	/* A note before the result, which results.py gives the next result */
	if (strcmp(buf, want))
		printf("# expected %s\n", want);
	printf("%sok %d %s # %s\n", fns(info, bdf) == 1 && fns(info, keep) == 1 &&
	       !strcmp(buf, want) ? "" : "not ", t, name, buf);
	free(info);
	return back;
}

int main(int argc, char **argv)
{
	struct vfio_iommu_type1_info *info;
	pthread_t thread;
	int t = 0, back;

	prog = "hotplug";
	if (argc != 6) {
		fprintf(stderr, "usage: %s KEEP_BDF GONE_BDF GONE_UID GONE_RECORD REPLUG_RECORD\n",
			argv[0]);
		return 2;
	}
	keep = argv[1];
	gone = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..7\n");

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		fail("cannot open", "/dev/vfio/vfio");
	attach(container, keep);
	attach(container, gone);
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		fail("VFIO_SET_IOMMU", "type1v2");
	info = get_info(container, 0);
	printf("%sok %d both_listed\n", fns(info, keep) == 1 && fns(info, gone) == 1 ? "" : "not ", ++t);
	free(info);

	pthread_create(&thread, NULL, ask, NULL);
	/*
	 * The host acts within a tenth of a second of the request, which can be
	 * before a slow TCG guest has scheduled the thread: it must have had an
	 * answer first (up to 10 s).
	 */
	for (int i = 0; i < 1000 && !__atomic_load_n(&answers[2], __ATOMIC_RELAXED) &&
	     !__atomic_load_n(&bad, __ATOMIC_RELAXED); i++)
		usleep(10000);
	printf("### hotplug unplug %s\n", argv[3]);
	printf("%sok %d unplugged # %s gone while the container asks\n",
	       wait_for(gone, 0) ? "" : "not ", ++t, gone);
	sleep(1);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);
	info = get_info(container, 0);
	/* The asking thread must have seen both: before and after the unplug. */
	printf("%sok %d gone_not_listed # answers with 2 functions: %d, with 1: %d, bad: %d\n",
	       fns(info, gone) == 0 && fns(info, keep) == 1 && !bad && answers[2] && answers[1] ?
	       "" : "not ", ++t, answers[2], answers[1], bad);
	free(info);

	/* Back with other values, gone again, back with its own. */
	back = plug_back("replug", gone, argv[3], argv[5], "new_values", ++t);
	printf("### hotplug unplug %s\n", argv[3]);
	printf("%sok %d unplugged_again\n", back && wait_for(gone, 0) ? "" : "not ", ++t);
	plug_back("plug", gone, argv[3], argv[4], "own_values_again", ++t);

	/* With one CPU the asking thread interleaved only where the kernel let it. */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		printf("ok %d raced_on_two_cpus # SKIP one CPU\n", ++t);
	else
		printf("ok %d raced_on_two_cpus # %ld CPUs\n", ++t, sysconf(_SC_NPROCESSORS_ONLN));
	return 0;
}
