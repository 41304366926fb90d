# The pipeline: deps -> tree -> kernel -> initramfs -> boot -> results.
# Each stage is one script in host/; everything generated goes to work/.
#
#   make run     build, boot, print the guest's VFIO_IOMMU_GET_INFO answer
#   make check   every test; the last line is "N passed, N failed, N skipped"
#   make bench   what the series costs: sizes, guest instruction and CLP counts
#   make lava    the test kernel's boot as a LAVA job (also in make check)
#   make export  write the work tree's commits back to patches/
#   make shell   boot the guest with a shell
#   make fresh   make run and make check in a fresh Debian root (host/fresh.sh);
#                HOST_CCACHE=1 shares this machine's ccache with it

SHELL := /bin/bash
H := host
T = @start=$$SECONDS; trap 'echo "    ($@: $$((SECONDS - start))s)"' EXIT;

.PHONY: all run check bench deps tree kernel debug-kernel host-qemu qemu initramfs run-initramfs \
	tree-6.12 kernel-6.12 initramfs-6.12 gates judge kunit lava-deps lava export shell fresh clean
all: run

deps:
	$(T) $(H)/deps.sh
tree: deps
	$(T) $(H)/tree.sh linux
kernel: tree
	$(T) $(H)/kernel.sh test
debug-kernel: tree
	$(T) $(H)/kernel.sh debug
# The stable backport: patches-6.12/ on Linux 6.12, its test kernel and
# an initramfs of its kselftests.
tree-6.12: deps
	$(T) $(H)/tree.sh linux-6.12
kernel-6.12: tree-6.12
	$(T) $(H)/kernel.sh 6.12
initramfs-6.12: kernel-6.12
	$(T) $(H)/initramfs.sh 6.12
# QEMU's work tree (work/qemu: Debian's QEMU source, tagged base, and
# qemu-patches/); the host's qemu-system-s390x, which presents the test bed
# (config/topology), from its base; and the guest's, with the series.
host-qemu: deps
	$(T) $(H)/tree.sh qemu && $(H)/qemu-build.sh host
qemu: host-qemu
	$(T) $(H)/qemu-build.sh guest
initramfs: kernel qemu
	$(T) $(H)/initramfs.sh
# make run shows the guest's answer: it needs no QEMU in the guest.
run-initramfs: kernel
	$(T) $(H)/initramfs.sh run

gates: kernel tree-6.12 qemu
	$(T) $(H)/gates.sh

run: run-initramfs host-qemu
	$(T) $(H)/boot.sh run
	@$(H)/console.py stages work/logs/boot-run.log --except zpci_setup
	@$(H)/results.py --expected host/expected --answer work/logs/boot-run.log

# The judge's own tests (host/results_test.py): stored consoles, seconds, no
# boot; first in make check, their results in its summary.
judge: tree
	$(T) $(H)/results_test.py --tree work/linux --out work/logs/judge.results

# The series' KUnit suite as kernel CI runs it: kunit.py run --arch=s390
# with its .kunitconfig, under the host's QEMU (host/kunit.sh).
kunit: tree host-qemu
	$(T) $(H)/kunit.sh

# The guest suite where labs run it: the test kernel's boot as a LAVA job,
# run by Debian's LAVA dispatcher (host/lava.sh); LAVA's recorded results
# must be those host/results.py reads in the same boot's console.
lava-deps: deps
	$(T) $(H)/deps.sh lava
lava: lava-deps initramfs
	-$(T) $(H)/lava.sh
	@$(H)/results.py --tree work/linux --expected host/expected \
		--results work/logs/lava.results \
		--guest lava work/logs/boot-lava.log work/build/.config

# A boot that ends badly, or a kunit.py run that fails, does not stop make
# check: its results say so.
check: judge initramfs gates debug-kernel initramfs-6.12
	-$(T) $(H)/kunit.sh
	-$(T) $(H)/boot.sh check test
	-$(T) $(H)/boot.sh check debug
	-$(T) $(H)/boot.sh check 6.12
	-$(T) $(H)/deps.sh lava
	-$(T) $(H)/lava.sh
	@$(H)/results.py --tree work/linux --expected host/expected \
		--results work/logs/judge.results --results work/logs/gates.results \
		--kunit-py work/logs/kunit.py.json \
		--guest test work/logs/boot-check.log work/build/.config \
		--guest debug work/logs/boot-check-debug.log work/build-debug/.config \
		--guest 6.12 work/logs/boot-check-6.12.log work/build-6.12/.config \
		--results work/logs/lava.results \
		--guest lava work/logs/boot-lava.log work/build/.config

bench: run-initramfs host-qemu gates
	$(T) $(H)/bench.sh

shell: initramfs
	$(H)/boot.sh shell

fresh:
	$(H)/fresh.sh $(if $(filter 1,$(HOST_CCACHE)),--ccache) run check

export:
	$(H)/export.sh linux
	$(H)/export.sh linux-6.12
	$(H)/export.sh qemu

clean:
	rm -rf work/build work/build-debug work/build-6.12 work/initramfs work/initramfs-6.12 \
		work/initramfs.cpio.gz work/initramfs-6.12.cpio.gz work/logs
