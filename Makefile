# Thin wrapper over CMake + Ninja. `make`, `make test` and `make demo` first
# install what is missing (scripts/setup.sh, Debian packages), so on a fresh
# Debian 12 machine they are the only commands a newcomer needs.
#
#   make              build into build/ (the emulator is build/mimic-riscv64)
#   make test         build, run the whole suite with CTest, then run it again
#                     in a second build under ASan + UBSan (build-asan/)
#   make demo         run a small RISC-V program under mimic-riscv64, then, when
#                     guest images are found, boot Linux to a busybox shell under
#                     mimic-system-riscv64 (Ctrl-a x quits)
#   make guests       build those images into build/guests (scripts/guests, 5-15 min)
#   make bench        benchmarks against native and qemu-riscv64 (not a test)
#
# Variables: CMAKE_FLAGS (extra cmake -D options, e.g. -DMIMIC_WERROR=ON),
# JOBS (parallel build and test jobs), CTEST_FLAGS (e.g. -L guest),
# GUEST_IMAGES (guest images for the demo; default $(MIMIC_GUEST_IMAGES) or
# ../shared/guests/images, then $(BUILD)/guests), GUESTS_OUT (where `make guests` builds).
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=
CTEST_FLAGS ?=
JOBS ?= $(shell nproc)
# Every guest test runs once per execution backend (name@backend).
TEST_BACKENDS ?= interp;jit;jit-hot
# Sanitized runs are slower: give each guest program run more time.
ASAN_FLAGS = -DMIMIC_SANITIZE=ON -DMIMIC_TEST_BACKENDS="$(TEST_BACKENDS)" -DMIMIC_GUEST_TIMEOUT=240 \
             -DMIMIC_REALPROG_CACHE=$(abspath $(BUILD))/realprog

# docs/guests.md: layout riscv64/{Image,initramfs.cpio.gz}, disk-ext4.img
GUEST_IMAGES ?= $(or $(MIMIC_GUEST_IMAGES),../shared/guests/images)
GUESTS_OUT ?= $(BUILD)/guests

.PHONY: all setup configure build test test-asan demo guests bench clean

all: build

setup:
	@bash scripts/setup.sh

# Configuring again is cheap and picks up changed CMAKE_FLAGS.
configure: setup
	cmake -S . -B $(BUILD) -G Ninja -DMIMIC_TEST_BACKENDS="$(TEST_BACKENDS)" $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The whole suite: the normal build, then once more under ASan + UBSan
# (tests labelled slow are left out there; none is today). The sanitized run
# shares build/realprog, so the real programs are fetched and built once.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_FLAGS)
	$(MAKE) --no-print-directory test-asan

test-asan: setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja $(ASAN_FLAGS) $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -LE slow $(CTEST_FLAGS)

# The system demo is interactive (gmode=shell) when stdin is a terminal; otherwise
# the guest prints its markers and powers off by itself (gmode=poweroff, at most 300 s).
demo: configure
	cmake --build $(BUILD) -j $(JOBS) --target mimic-riscv64 guest_demo mimic-system-riscv64
	@echo "--- $(BUILD)/mimic-riscv64 $(BUILD)/tests/guest/riscv64/demo/demo"
	@$(BUILD)/mimic-riscv64 $(BUILD)/tests/guest/riscv64/demo/demo
	@img=; for d in "$(GUEST_IMAGES)" "$(GUESTS_OUT)"; do \
	  if [ -r "$$d/riscv64/Image" ] && [ -r "$$d/riscv64/initramfs.cpio.gz" ]; then img=$$d/riscv64; break; fi; \
	done; \
	if [ -z "$$img" ]; then \
	  echo "--- no riscv64 guest images in $(GUEST_IMAGES) nor in $(GUESTS_OUT)"; \
	  echo "    build them with 'make guests' (scripts/guests/build-riscv64.sh, 5-15 min), see docs/guests.md"; \
	  exit 0; \
	fi; \
	mode=shell; limit=; [ -t 0 ] || { mode=poweroff; limit="timeout -k 5 300"; }; \
	cmd="$(BUILD)/mimic-system-riscv64 -M virt -m 256M -nographic -kernel $$img/Image -initrd $$img/initramfs.cpio.gz"; \
	echo "--- $$cmd -append 'console=ttyS0 gmode=$$mode'"; \
	[ $$mode = poweroff ] || echo "--- Linux boots to a busybox shell; 'exit' powers the guest off, Ctrl-a x quits"; \
	$$limit $$cmd -append "console=ttyS0 gmode=$$mode"

guests:
	OUT="$(GUESTS_OUT)" JOBS=$(JOBS) bash scripts/guests/build-riscv64.sh

bench: build
	bash bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
