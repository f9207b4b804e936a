# Quality gates (owner: benchmarks + quality gates).
# Documentation/CONTRIBUTING.md says what each gate checks and why.
#
#   make lint              every gate: checkpatch, sparse, cppcheck,
#                          clang-tidy, clang-format drift, bats assertions
#                          that cannot fail (scripts/lint_bats.py)
#   make lint-<gate>       one gate (lint-checkpatch, lint-sparse, ...)
#   make format            rewrite user/, bpf/, tests/ C with .clang-format
#   make check-asan        unit tests (UNIT_TESTS) and lbctl rebuilt with
#                          -fsanitize=address,undefined in $(BUILD)/asan
.PHONY: lint lint-checkpatch lint-sparse lint-cppcheck lint-clang-tidy \
	lint-format lint-bats format check-asan

LINT       := BUILD=$(BUILD) KDIR=$(KDIR) scripts/lint.sh
LINT_GATES := checkpatch sparse cppcheck clang-tidy format bats

# clang-tidy needs the skeleton headers; a BPF build failure is reported by
# the gate ("could not run") rather than stopping the other gates.
LINT_SKELS := $(BUILD)/xlb.skel.h $(BUILD)/bench_xdp.skel.h $(BUILD)/ct_clock.skel.h

lint:
	-@$(MAKE) --no-print-directory $(LINT_SKELS)
	$(LINT) $(LINT_GATES)

lint-clang-tidy:
	-@$(MAKE) --no-print-directory $(LINT_SKELS)
	$(LINT) clang-tidy

lint-checkpatch lint-sparse lint-cppcheck lint-format lint-bats:
	$(LINT) $(@:lint-%=%)

format:
	$(LINT) --apply-format

# AddressSanitizer + UndefinedBehaviorSanitizer variant of the host tests:
# a sub-make with its own build directory and an instrumented compiler, so
# every fragment's rules (and only userspace ones) are reused as they are.
ASAN_BUILD := $(BUILD)/asan
ASAN_CC    := $(CC) -fsanitize=address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer
ASAN_ENV   := ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=86 \
	      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86

check-asan:
	$(ASAN_ENV) $(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) \
		CC="$(ASAN_CC)" check-unit check-asan-lbctl

# lbctl's command line and restore-file parsers, instrumented (the parser
# unit test is in UNIT_TESTS already).
.PHONY: check-asan-lbctl
check-asan-lbctl: $(BUILD)/lbctl
	@echo "== tests/asan/lbctl_cli.sh"
	tests/asan/lbctl_cli.sh $(BUILD)/lbctl

# The bats gate's own test: planted cases it must flag, forms it must not.
UNIT_TESTS += tests/unit/test_lint_bats.sh
