# SPDX-License-Identifier: GPL-2.0
# The hooks every end-to-end suite shares: one topology per file (built in
# setup_file, torn down in teardown_file), held connections ended after
# each test.  Use at the top of a suite:  load e2e/suite
bats_require_minimum_version 1.5.0

# shellcheck source=tests/e2e/lib.bash
. "${BATS_TEST_DIRNAME:?}/e2e/lib.bash"

setup_file() {
	e2e_setup
}

teardown_file() {
	e2e_teardown
}

teardown() {
	hold_stop
}
