// SPDX-License-Identifier: GPL-2.0
/*
 * show.c - "lbctl show", "service list", "lookup" and "config" output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lbctl.h"
#include "nl.h"

static double share(const struct lb_backend *b, const struct lb_service *s)
{
	return s->table_size ? 100.0 * b->slots / s->table_size : 0.0;
}

static void json_backend_health(const struct lb_backend *b)
{
	char res[96];

	json_str("health", lb_hc_health_name(b->health));
	json_str("last_check", lb_hc_result_fmt(b->hc_result, b->hc_detail, res,
						sizeof(res)));
	json_u64("health_age", b->hc_age);
}

static void json_service(const struct lb_service *s, bool backends)
{
	char buf[LB_SVCSTRLEN];
	int i;

	json_obj_open(NULL);
	json_str("service", lb_fmt_svc(&s->key, false, buf, sizeof(buf)));
	json_str("address", lb_fmt_addr(&s->key.addr, buf, sizeof(buf)));
	json_u64("port", s->key.port);
	json_str("protocol", lb_proto_name(s->key.proto));
	json_u64("table_size", s->table_size);
	json_str("hash", lb_hash_name(s->flags));
	if (s->udp_timeout)
		json_u64("udp_timeout", s->udp_timeout);
	if (s->encap == XLB_ENCAP_GUE) {
		json_str("encap", "gue");
		json_u64("encap_port", s->encap_port);
	}
	json_u64("nbackends", s->nbackends);
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)s->digest);
	json_str("digest", buf);
	if (s->hc.type) {
		char hc[2048];

		json_str("health_check", lb_hc_fmt(&s->hc, hc, sizeof(hc)));
	}
	if (backends) {
		json_arr_open("backends");
		for (i = 0; i < s->nbe; i++) {
			const struct lb_backend *b = &s->be[i];

			json_obj_open(NULL);
			json_str("address",
				 lb_fmt_addr(&b->addr, buf, sizeof(buf)));
			json_u64("weight", b->weight);
			json_str("state", lb_state_name(b));
			json_u64("slots", b->slots);
			json_double("share", share(b, s));
			if (b->has_hc_age)
				json_backend_health(b);
			if (b->hc) {
				char hc[2048];

				json_str("health_check",
					 lb_hc_fmt(b->hc, hc, sizeof(hc)));
			}
			json_obj_close();
		}
		json_arr_close();
	}
	json_obj_close();
}

static void text_service(const struct lb_service *s, bool backends)
{
	char buf[LB_SVCSTRLEN];
	int i;

	printf("service %s table-size %u hash %s",
	       lb_fmt_svc(&s->key, !opts.numeric, buf, sizeof(buf)),
	       s->table_size, lb_hash_name(s->flags));
	if (s->udp_timeout)
		printf(" udp-timeout %u", s->udp_timeout);
	printf("%s", lb_fmt_encap(s, buf, sizeof(buf)));
	printf(" backends %u digest %016llx\n", s->nbackends,
	       (unsigned long long)s->digest);
	if (s->hc.type) {
		char hc[2048];

		printf("  health %s\n", lb_hc_fmt(&s->hc, hc, sizeof(hc)));
	}
	for (i = 0; backends && i < s->nbe; i++) {
		const struct lb_backend *b = &s->be[i];
		char res[96];

		printf("  backend %-39s weight %-5u slots %-7u %6.2f%%  %s",
		       lb_fmt_addr(&b->addr, buf, sizeof(buf)), b->weight,
		       b->slots, share(b, s), lb_state_name(b));
		/* as xlb-healthd last reported it */
		if (b->has_hc_age)
			printf("  health %s for %us, last check %s",
			       lb_hc_health_name(b->health), b->hc_age,
			       lb_hc_result_fmt(b->hc_result, b->hc_detail, res,
						sizeof(res)));
		putchar('\n');
		if (b->hc) {
			char hc[2048];

			printf("    health %s\n",
			       lb_hc_fmt(b->hc, hc, sizeof(hc)));
		}
	}
}

void lb_print_services(const struct lb_state *st, bool backends)
{
	int i;

	if (opts.json) {
		json_init(stdout);
		json_arr_open(NULL);
		for (i = 0; i < st->nsvc; i++)
			json_service(&st->svc[i], backends);
		json_arr_close();
		json_done();
		return;
	}
	for (i = 0; i < st->nsvc; i++)
		text_service(&st->svc[i], backends);
}

/* Keep only the service named by "service KEY" (argv[1..2]), if given. */
void lb_filter_service(struct lb_state *st, int argc, char **argv)
{
	struct lb_svc_key k;
	struct lb_service tmp;
	int i;

	if (argc < 3)
		return;
	if (lb_parse_svc(argv[2], &k))
		lb_die_parse();
	for (i = 0; i < st->nsvc; i++) {
		if (lb_svc_cmp(&st->svc[i].key, &k))
			continue;
		tmp = st->svc[0];
		st->svc[0] = st->svc[i];
		st->svc[i] = tmp;
		for (i = 1; i < st->nsvc; i++)
			lb_free_backends(&st->svc[i]);
		st->nsvc = 1;
		return;
	}
	lb_die(EXIT_ERR, "no such service \"%s\"", argv[2]);
}

/* Accept nothing or "service VIP:PORT/PROTO"; validate before any I/O. */
void lb_check_service_arg(int argc, char **argv)
{
	struct lb_svc_key k;

	if (argc == 1)
		return;
	if (strcmp(argv[1], "service"))
		lb_die_unknown(argv[1], argv[0]);
	if (argc == 2)
		lb_need_arg(argc, argv, 1, "VIP:PORT/PROTO");
	if (lb_parse_svc(argv[2], &k))
		lb_die_parse();
	if (argc > 3)
		lb_die_unknown(argv[3], argv[0]);
}

int cmd_show(int argc, char **argv)
{
	struct lb_state st;
	int err;

	lb_check_service_arg(argc, argv);
	err = lb_load_state(&st, true);
	if (err)
		return xnl_report(err, "show");
	lb_filter_service(&st, argc, argv);
	lb_print_services(&st, true);
	lb_free_state(&st);
	return EXIT_OK;
}
