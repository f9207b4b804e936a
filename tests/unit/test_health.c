// SPDX-License-Identifier: GPL-2.0
/*
 * test_health.c - host unit tests of the health check lines and the
 * rise/fall state machine (user/health.c, linked as is).
 */
#include "tap.h"
#include "../../user/health.h"
#include "../../user/parse.h"

/* Split a literal line and parse it as the words after "health SERVICE". */
static int parse(const char *line, struct lb_hc *hc)
{
	char buf[1024], *argv[64];
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = lb_split_words(buf, argv, 64);
	return lb_hc_parse(argc, argv, hc);
}

static void test_parse(void)
{
	struct lb_hc hc, back;
	char buf[2048];

	is_int(parse("http path /healthz expect 204 interval 2 timeout 1 "
		     "rise 2 fall 3",
		     &hc),
	       0, "the issue's http line parses");
	is_int(hc.type, XLB_HC_HTTP, "type http");
	is_str(hc.path, "/healthz", "path");
	is_int(hc.expect, 204, "expect");
	is_int(hc.interval, 2000, "interval 2 s");
	is_int(hc.timeout, 1000, "timeout 1 s");
	is_int(hc.rise, 2, "rise");
	is_int(hc.fall, 3, "fall");
	is_str(lb_hc_fmt(&hc, buf, sizeof(buf)),
	       "http path /healthz expect 204 interval 2 timeout 1 rise 2 fall 3",
	       "formats back to the same words");

	is_int(parse("tcp", &hc), 0, "tcp alone parses");
	is_str(lb_hc_fmt(&hc, buf, sizeof(buf)),
	       "tcp interval 2 timeout 1 rise 2 fall 3", "tcp defaults shown");
	is_int(parse("http", &hc), 0, "http alone parses");
	is_str(hc.path, "/", "http path defaults to /");
	is_int(hc.expect, 200, "http expect defaults to 200");

	is_int(parse("udp port 53 send ping receive pong interval 500ms "
		     "timeout 0.25 rise 1 fall 1",
		     &hc),
	       0, "udp parses");
	is_int(hc.interval, 500, "500ms");
	is_int(hc.timeout, 250, "0.25 s");
	is_int(hc.port, 53, "port");
	lb_hc_fmt(&hc, buf, sizeof(buf));
	is_str(buf,
	       "udp port 53 send ping receive pong interval 500ms "
	       "timeout 250ms rise 1 fall 1",
	       "udp formats");
	is_int(parse(buf, &back), 0, "its output parses");
	ok(lb_hc_eq(&hc, &back), "round trip gives the same check");

	is_int(parse("exec command /bin/true interval 1", &hc), 0,
	       "exec parses");
	is_str(hc.cmd, "/bin/true", "command");
	is_int(parse("none", &hc), 0, "none parses");
	is_int(hc.type, 0, "none is type 0");
	is_str(lb_hc_fmt(&hc, buf, sizeof(buf)), "none", "none formats");
}

static void test_errors(void)
{
	struct lb_hc hc;

	is_int(parse("ping", &hc), -1, "unknown type refused");
	is_str(lb_parse_error(),
	       "invalid health check type \"ping\": expected "
	       "tcp, http, udp, exec or none",
	       "type error names the value and the rule");
	is_int(parse("http timeout 3 interval 2", &hc), -1,
	       "timeout above interval refused");
	is_str(lb_parse_error(),
	       "invalid timeout 3000 ms: must not exceed "
	       "the interval (2000 ms)",
	       "timeout error names both values");
	is_int(parse("tcp path /x", &hc), -1, "path on tcp refused");
	is_str(lb_parse_error(), "\"path\" does not apply to a tcp check",
	       "keyword/type error");
	is_int(parse("http path x", &hc), -1, "relative path refused");
	is_int(parse("http expect 600", &hc), -1, "status 600 refused");
	is_str(lb_parse_error(),
	       "invalid expected HTTP status \"600\": "
	       "expected a decimal integer 100..599",
	       "status error names the range");
	is_int(parse("tcp interval 0.05", &hc), -1, "interval 50 ms refused");
	is_int(parse("tcp interval 2.0001", &hc), -1,
	       "more than three decimals refused");
	is_int(parse("tcp interval 2.", &hc), -1, "dangling dot refused");
	is_int(parse("tcp interval 7200", &hc), -1, "interval 2 h refused");
	is_int(parse("tcp rise 0", &hc), -1, "rise 0 refused");
	/* numbers are plain decimal: no sign (strtoul would take "+2") */
	is_int(parse("tcp interval +5", &hc), -1, "signed interval refused");
	is_int(parse("tcp rise +2", &hc), -1, "signed rise refused");
	is_str(lb_parse_error(),
	       "invalid rise \"+2\": expected a decimal integer 1..100",
	       "the message names the value and the rule");
	is_int(parse("tcp port +80", &hc), -1, "signed port refused");
	is_int(parse("tcp fall 101", &hc), -1, "fall 101 refused");
	is_int(parse("tcp port 0", &hc), -1, "port 0 refused");
	is_int(parse("tcp rise", &hc), -1, "missing value refused");
	is_str(lb_parse_error(), "missing value after \"rise\"",
	       "missing value named");
	is_int(parse("tcp speed 3", &hc), -1, "unknown keyword refused");
	is_int(parse("udp", &hc), -1, "udp without send refused");
	is_int(parse("exec", &hc), -1, "exec without command refused");
	is_int(parse("exec command true", &hc), -1, "relative command refused");
	is_int(parse("none interval 2", &hc), -1, "words after none refused");
	is_int(parse("", &hc), -1, "no type refused");
}

/* udp payloads: printable words, or hex: for any bytes (spaces, NUL). */
static void test_payload(void)
{
	char *spaced[] = { "udp", "send", "a b" };
	char *lead[] = { "tcp", "interval", " 5" };
	char *ctl[] = { "udp", "send", "ping\n" };
	struct lb_hc hc, back;
	uint8_t bin[XLB_HC_STR_MAX];
	char buf[2048];

	is_int(parse("udp send hex:00ff0a20 receive hex:4f4B", &hc), 0,
	       "hex send and receive parse");
	is_int(lb_hc_payload(hc.send, bin, sizeof(bin)), 4, "4 bytes sent");
	ok(!memcmp(bin, "\0\xff\n ", 4), "NUL, 0xff, newline, space");
	is_int(lb_hc_payload(hc.recv, bin, sizeof(bin)), 2, "2 bytes expected");
	ok(!memcmp(bin, "OK", 2), "either case of hex digits");
	is_int(lb_hc_payload("ping", bin, sizeof(bin)), 4, "plain text as is");
	is_int(lb_hc_payload("hex:0a0", bin, sizeof(bin)), -1,
	       "odd digit count is malformed");
	is_int(lb_hc_payload("hex:0a0a", bin, 1), -1, "longer than the buffer");
	lb_hc_fmt(&hc, buf, sizeof(buf));
	is_int(parse(buf, &back), 0, "the hex line parses back");
	ok(lb_hc_eq(&hc, &back), "hex round trip");

	is_int(lb_hc_parse(3, lead, &hc), -1, "interval \" 5\" refused");
	is_int(lb_hc_parse(3, spaced, &hc), -1, "a space refused");
	is_str(lb_parse_error(),
	       "invalid send \"a b\": expected printable characters without "
	       "spaces, not starting with # (hex:HEX for any bytes, e.g. "
	       "hex:70696e670a)",
	       "the error names the value, the rule and the hex form");
	is_int(lb_hc_parse(3, ctl, &hc), -1, "a control byte refused");
	is_int(parse("udp send #x", &hc), -1, "# first refused (a comment)");
	is_int(parse("udp send hex:", &hc), -1, "empty hex refused");
	is_int(parse("udp send hex:zz", &hc), -1, "non-hex digits refused");
	is_str(lb_parse_error(),
	       "invalid send \"hex:zz\": expected hex: and pairs of hex "
	       "digits (at least one byte)",
	       "hex error names the value and the rule");
	is_int(parse("udp send ping receive hex:abc", &hc), -1,
	       "odd hex receive refused");
	is_int(parse("http path /a#b", &hc), 0, "# inside a word is fine");
}

/* Feed results; the health after each, "u"p "d"own "?"unknown, as a string. */
static const char *run(const struct lb_hc *hc, const char *results)
{
	static char out[64];
	struct lb_hc_fsm f = { 0 };
	size_t i, n = strnlen(results, sizeof(out) - 1);

	for (i = 0; i < n; i++) {
		uint8_t r = results[i] == '+' ? XLB_HC_R_OK :
			    results[i] == '!' ? XLB_HC_R_ERROR :
						XLB_HC_R_TIMEOUT;

		lb_hc_step(&f, hc, r);
		out[i] = f.health == XLB_BE_HEALTH_UP	? 'u' :
			 f.health == XLB_BE_HEALTH_DOWN ? 'd' :
							  '?';
	}
	out[i] = '\0';
	return out;
}

static void test_fsm(void)
{
	struct lb_hc hc;
	struct lb_hc_fsm f = { 0 };

	parse("tcp rise 2 fall 3", &hc);
	is_str(run(&hc, "++"), "?u", "two successes: up");
	is_str(run(&hc, "++--"), "?uuu", "two failures of three: still up");
	is_str(run(&hc, "++---"), "?uuud", "the third failure: down");
	is_str(run(&hc, "++--+--"), "?uuuuuu",
	       "a success in between restarts the count");
	is_str(run(&hc, "---+"), "??dd", "down needs rise successes again");
	is_str(run(&hc, "---++"), "??ddu", "rise successes: up again");
	is_str(run(&hc, "++!!!!!"), "?uuuuuu",
	       "the checker's own errors never drain");
	is_str(run(&hc, "++-!-!-"), "?uuuuud",
	       "errors neither count nor reset the failures");
	parse("tcp rise 1 fall 1", &hc);
	is_str(run(&hc, "+-+-"), "udud", "rise 1 fall 1 follows each result");

	parse("tcp rise 2 fall 3", &hc);
	is_int(lb_hc_step(&f, &hc, XLB_HC_R_OK), -1, "no change: -1");
	is_int(lb_hc_step(&f, &hc, XLB_HC_R_OK), XLB_BE_HEALTH_UP,
	       "the change is returned");
	is_int(lb_hc_step(&f, &hc, XLB_HC_R_OK), -1, "staying up: -1");
}

int main(void)
{
	test_parse();
	test_errors();
	test_payload();
	test_fsm();
	return tap_done();
}
