# fivetrex: convenience targets around CMake. The two README commands:
#   make demo    install dependencies, build (release) and run the demo
#   make check   install dependencies, build with ASan+UBSan, run every test, the unit
#                tests under valgrind (plain build), the ABI check of the release
#                build against abi/libfivetrex.abi, fuzz smoke run, format and
#                banned-function checks, and the Debian packages built, installed and
#                used (make deb-check) (what CI runs)
SHELL := /bin/bash

BUILD      ?= build
BUILD_ASAN ?= build-asan
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 300
CMAKE      ?= cmake
CTEST      ?= ctest

SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
           UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

.PHONY: all deps build release check test asan fuzz fuzz-smoke format check-format \
        check-banned check-gen gen valgrind abi-check abi-baseline demo install bench clean deb \
        deb-check

all: build

deps:
	scripts/install-deps.sh

# ---- release build (build/) ----
$(BUILD)/CMakeCache.txt:
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build release: $(BUILD)/CMakeCache.txt
	$(CMAKE) --build $(BUILD) -j$(JOBS)

# ---- sanitizer build (build-asan/) and the full check ----
asan:
	$(CMAKE) -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DFTX_SANITIZE=ON
	$(CMAKE) --build $(BUILD_ASAN) -j$(JOBS)

test: asan
	cd $(BUILD_ASAN) && $(SAN_ENV) $(CTEST) --output-on-failure -j2

check: deps
	$(MAKE) test
	$(MAKE) valgrind
	$(MAKE) abi-check
	scripts/fuzz.sh --smoke
	scripts/check-gen.sh
	scripts/check-format.sh
	scripts/check-banned.sh
	$(MAKE) deb-check

# ---- Debian packages: build (in a temporary copy), lint, install, use, purge ----
deb-check:
	scripts/update-symbols.sh --check
	scripts/check-deb.sh

fuzz-smoke:
	scripts/fuzz.sh --smoke

fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

check-format:
	scripts/check-format.sh

# ---- generator (tools/gen): the API description and the coverage page ----
# Fivetran's OpenAPI definition sits next to the clone (../shared/openapi/...); the
# machine-wide copy is the fallback. Override with make gen FIVETRAN_OPENAPI=path.
FIVETRAN_OPENAPI ?= $(firstword $(wildcard $(CURDIR)/../shared/openapi/fivetran-openapi.json \
                      /work/shared/openapi/fivetran-openapi.json) \
                      $(CURDIR)/../shared/openapi/fivetran-openapi.json)
PYTHON ?= python3

gen:
	$(PYTHON) tools/gen/extract.py $(FIVETRAN_OPENAPI) -o api/fivetran-api.json
	$(PYTHON) tools/gen/coverage.py -o docs/api-coverage.md
	$(PYTHON) tools/gen/sandbox.py -o sandbox/routes_gen.c --readme sandbox/README.md

check-gen:
	FIVETRAN_OPENAPI=$(FIVETRAN_OPENAPI) scripts/check-gen.sh

check-banned:
	scripts/check-banned.sh

format:
	scripts/check-format.sh --fix

# ---- valgrind: every unit test of the release build under memcheck ----
valgrind: build
	scripts/valgrind.sh $(BUILD)

# ---- ABI: the release build (RelWithDebInfo, with DWARF) against the committed baseline ----
# abi-check fails on an incompatible change; abi-baseline rewrites abi/libfivetrex.abi
# deliberately (commit it with the change). See docs/abi.md.
abi-check: build
	scripts/check-abi.sh $(BUILD)

abi-baseline: build
	scripts/check-abi.sh --update $(BUILD)

# ---- demo / install / bench ----
demo: deps
	$(MAKE) build
	BUILD_DIR=$(BUILD) scripts/demo.sh

install: build
	$(CMAKE) --install $(BUILD) --prefix $(PREFIX)

bench: build
	@if [ -x bench/run ]; then BUILD_DIR=$(BUILD) bench/run; \
	else echo "bench/run does not exist yet; bench programs are in $(BUILD)/bench/"; fi

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) build-fuzz
