#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: the module parameters max_services / max_backends are enforced
# with ENOSPC and a clear message, and a refused change leaves the state as
# it was.  Bad parameter values refuse the load.

load module_lib

setup_file() {
	[ -f "$XLB_KO" ] || { echo "no module at $XLB_KO (make module)" >&2; return 1; }
	xlb_reload max_services=2 max_backends=3
}

teardown_file() {
	xlb_unload || true
}

@test "limits are reported by config_get" {
	run nl_ok config_get
	[ "$(jq -r '.messages[0].config.max_services' <<<"$output")" = 2 ]
	[ "$(jq -r '.messages[0].config.max_backends' <<<"$output")" = 3 ]
}

@test "service and backend limits: ENOSPC, state unchanged" {
	nl_ok flush
	nl_ok service_new '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251}}'
	nl_ok service_new '{"service": {"addr4": "10.0.0.2", "port": 80, "proto": 6, "table_size": 251}}'
	for i in 1 2 3; do
		nl_ok backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.$i)}" >/dev/null
	done
	before=$(config_snapshot)
	g=$(generation)
	nl_fail ENOSPC 'service limit 2 reached' service_new \
		'{"service": {"addr4": "10.0.0.3", "port": 80, "proto": 6, "table_size": 251}}'
	nl_fail ENOSPC 'service 10.0.0.1:80/tcp already has the maximum of 3 backends' \
		backend_new "{\"service\": $(svc 10.0.0.1 80), \"backend\": $(be 10.1.0.4)}"
	nl_fail ENOSPC '3 services exceed the limit of 2' replace '{"services": [
		{"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251},
		{"addr4": "10.0.0.2", "port": 80, "proto": 6, "table_size": 251},
		{"addr4": "10.0.0.3", "port": 80, "proto": 6, "table_size": 251}]}'
	nl_fail ENOSPC 'service 10.0.0.2:80/tcp: 4 backends exceed the limit of 3' replace '{"services": [
		{"addr4": "10.0.0.1", "port": 80, "proto": 6, "table_size": 251},
		{"addr4": "10.0.0.2", "port": 80, "proto": 6, "table_size": 251,
		 "backends": [{"addr4": "10.2.0.1"}, {"addr4": "10.2.0.2"}, {"addr4": "10.2.0.3"}, {"addr4": "10.2.0.4"}]}]}'
	[ "$(config_snapshot)" = "$before" ]
	[ "$(generation)" = "$g" ]
	# At the limit, a replace by a different full configuration works.
	nl_ok replace '{"services": [
		{"addr4": "10.0.0.7", "port": 80, "proto": 6, "table_size": 251,
		 "backends": [{"addr4": "10.2.0.1"}, {"addr4": "10.2.0.2"}, {"addr4": "10.2.0.3"}]},
		{"addr4": "10.0.0.8", "port": 80, "proto": 6, "table_size": 251}]}'
	run nl_ok --dump service_get
	[ "$(jq -r '[.messages[].service.addr4] | sort | join(",")' <<<"$output")" = 10.0.0.7,10.0.0.8 ]
	# Deleting frees room again.
	nl_ok service_del "{\"service\": $(svc 10.0.0.8 80)}"
	nl_ok service_new '{"service": {"addr4": "10.0.0.3", "port": 80, "proto": 6, "table_size": 251}}'
}

@test "out-of-range module parameters refuse the load" {
	xlb_unload
	run insmod "$XLB_KO" max_services=0
	[ "$status" -ne 0 ]
	! xlb_loaded || false
	run insmod "$XLB_KO" max_backends=2000000
	[ "$status" -ne 0 ]
	! xlb_loaded || false
	insmod "$XLB_KO" max_services=2 max_backends=3
}
