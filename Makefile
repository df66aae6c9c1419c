# SPDX-License-Identifier: MIT
# zebrapad - the two README commands and their parts.
#
#   make demo    install packages, build, replay vtest.avi with examples/vtest.ini,
#                print the summary, write out/vtest-overlay.avi (+ CSVs)
#   make test    install packages, build with -Werror, run every test suite
#                (normal build, ASan/UBSan build, NEON kernels under qemu-aarch64)
#
#   make deb           Debian packages zebrapad + zebrapad-tools into dist/ (lintian clean)
#   make deb-arm64     the zebrapad package for arm64, cross-built (its tests: make test-aarch64)
#   make test-install  install dist/zebrapad_*.deb into a fresh bookworm root and check it
#
# Parts: deps build asan test-unit test-asan test-aarch64 bench fuzz clean

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
VTEST      ?= /usr/share/doc/opencv-doc/examples/data/vtest.avi
OUT        ?= out
ZEBRAPAD    = $(BUILD)/app/zebrapad
CTEST_ARGS ?= --output-on-failure --timeout 900

.PHONY: all deps build asan demo test test-unit test-asan test-aarch64 bench fuzz clean deb deb-arm64 test-install

all: build

deps:
	scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZP_WERROR=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DZP_WERROR=ON -DZP_SANITIZE="address;undefined"

asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j$(JOBS)

demo: build
	@mkdir -p $(OUT)
	$(ZEBRAPAD) replay --source $(VTEST) --config examples/vtest.ini \
		--overlay-out $(OUT)/vtest-overlay.avi --zones-out $(OUT)/vtest-zones.csv \
		--tracks-out $(OUT)/vtest-tracks.csv --lights-out $(OUT)/vtest-lights.csv
	@echo "demo: watch $(OUT)/vtest-overlay.avi (e.g. ffplay or vlc); CSVs in $(OUT)/"

test-unit: build
	cd $(BUILD) && ctest $(CTEST_ARGS)

test-asan: asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest $(CTEST_ARGS)

test-aarch64: deps
	scripts/cross-test-aarch64

test: test-unit test-asan test-aarch64

bench: build
	$(ZEBRAPAD) bench --source $(VTEST)

fuzz: deps
	scripts/fuzz

deb:
	scripts/build-deb

deb-arm64:
	scripts/build-deb arm64

test-install: deb
	scripts/test-install

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-aarch64 build-aarch64-daemon build-fuzz build-deb build-deb-arm64 dist $(OUT)
