# Thin wrapper over CMake + Ninja. `make`, `make test` and `make demo` install
# what is missing first (scripts/setup.sh), so a fresh Debian 12 machine needs
# nothing else.
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all setup build test test-asan demo clean bench

all: build

setup:
	@bash scripts/setup.sh

$(BUILD)/build.ninja: | setup
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The whole suite: the normal build, then once more under ASan + UBSan.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) test-asan

test-asan: setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DMIMIC_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -LE slow

demo: build
	$(BUILD)/mimic-riscv64 $(BUILD)/tests/guest/riscv64/demo

bench: build
	bash bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
