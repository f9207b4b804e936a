// SPDX-License-Identifier: GPL-2.0
/*
 * test_lbctl_parse.c - host unit tests of lbctl's input parsing
 * (user/parse.c, linked as is): addresses, service keys, endpoints,
 * weights, table sizes, formatting round trips and the word splitter.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "tap.h"
#include "../../user/parse.h"
#include "../../include/uapi/xlb_netlink.h"

static void test_addr(void)
{
	struct lb_addr a;
	char buf[LB_ADDRSTRLEN];

	is_int(lb_parse_addr("10.0.0.2", &a), 0, "IPv4 address parses");
	is_int(a.family, AF_INET, "IPv4 family");
	ok(a.a[0] == 10 && a.a[3] == 2 && a.a[4] == 0, "IPv4 bytes, rest zero");
	is_str(lb_fmt_addr(&a, buf, sizeof(buf)), "10.0.0.2", "IPv4 formats");

	is_int(lb_parse_addr("2001:db8::1", &a), 0, "bare IPv6 parses");
	is_int(a.family, AF_INET6, "IPv6 family");
	ok(a.a[0] == 0x20 && a.a[1] == 0x01 && a.a[15] == 1, "IPv6 bytes");
	is_int(lb_parse_addr("[2001:db8::1]", &a), 0, "bracketed IPv6 parses");
	is_str(lb_fmt_addr(&a, buf, sizeof(buf)), "2001:db8::1",
	       "IPv6 formats compressed");

	is_int(lb_parse_addr("10.0.0.256", &a), -1, "octet 256 rejected");
	is_str(lb_parse_error(),
	       "invalid address \"10.0.0.256\": expected an IPv4 or IPv6 address",
	       "address error names the value and the rule");
	is_int(lb_parse_addr("", &a), -1, "empty address rejected");
	is_int(lb_parse_addr("10.0.0.2:80", &a), -1,
	       "address with port rejected");
	is_int(lb_parse_addr("[10.0.0.2]", &a), -1, "bracketed IPv4 rejected");
	is_int(lb_parse_addr("2001:db8::1::2", &a), -1, "double :: rejected");
	is_int(lb_parse_addr("example.com", &a), -1, "host names rejected");
}

static void test_svc(void)
{
	struct lb_svc_key k;
	char buf[LB_SVCSTRLEN];

	is_int(lb_parse_svc("192.0.2.10:80/tcp", &k), 0, "v4 service parses");
	is_int(k.addr.family, AF_INET, "v4 service family");
	is_int(k.port, 80, "v4 service port");
	is_int(k.proto, IPPROTO_TCP, "v4 service proto tcp");
	is_str(lb_fmt_svc(&k, false, buf, sizeof(buf)), "192.0.2.10:80/tcp",
	       "v4 service formats back");

	is_int(lb_parse_svc("[2001:db8::1]:53/udp", &k), 0,
	       "v6 service parses");
	is_int(k.addr.family, AF_INET6, "v6 service family");
	is_int(k.port, 53, "v6 service port");
	is_int(k.proto, IPPROTO_UDP, "v6 service proto udp");
	is_str(lb_fmt_svc(&k, false, buf, sizeof(buf)), "[2001:db8::1]:53/udp",
	       "v6 service formats back with brackets");

	is_int(lb_parse_svc("192.0.2.10:65535/udp", &k), 0, "port 65535 ok");
	is_int(lb_parse_svc("192.0.2.10:0/tcp", &k), -1, "port 0 rejected");
	is_str(lb_parse_error(),
	       "invalid port \"0\": expected 1..65535 or a service name",
	       "port error message");
	is_int(lb_parse_svc("192.0.2.10:65536/tcp", &k), -1,
	       "port 65536 rejected");
	is_int(lb_parse_svc("192.0.2.10:-1/tcp", &k), -1,
	       "negative port rejected");
	is_int(lb_parse_svc("192.0.2.10:80/sctp", &k), -1, "sctp rejected");
	is_str(lb_parse_error(),
	       "invalid protocol \"sctp\": expected tcp or udp",
	       "protocol error message");
	is_int(lb_parse_svc("192.0.2.10:80", &k), -1, "missing proto rejected");
	ok(strstr(lb_parse_error(), "expected VIP:PORT/PROTO") != NULL,
	   "missing proto error shows the expected form");
	is_int(lb_parse_svc("192.0.2.10/tcp", &k), -1, "missing port rejected");
	is_int(lb_parse_svc("2001:db8::1:80/tcp", &k), -1,
	       "unbracketed IPv6 with port rejected (ambiguous)");
	is_int(lb_parse_svc("[2001:db8::1]80/tcp", &k), -1, "no colon after ]");
	is_int(lb_parse_svc("[192.0.2.10]:80/tcp", &k), -1,
	       "bracketed v4 rejected");
	is_int(lb_parse_svc("192.0.2.300:80/tcp", &k), -1,
	       "bad v4 VIP rejected");
	ok(strstr(lb_parse_error(), "\"192.0.2.300:80/tcp\"") != NULL,
	   "bad VIP error quotes the whole service");
	is_int(lb_parse_svc("192.0.2.10:80x/tcp", &k), -1, "junk after port");
	is_int(lb_parse_svc("192.0.2.10:80/TCP/udp", &k), -1, "two slashes");

	is_int(lb_parse_svc("192.0.2.10:80/6", &k), 0, "numeric proto 6");
	is_int(k.proto, IPPROTO_TCP, "proto 6 is tcp");
}

static void test_endpoint(void)
{
	struct lb_endpoint e;

	is_int(lb_parse_endpoint("198.51.100.7:40000", &e), 0, "v4 endpoint");
	is_int(e.port, 40000, "v4 endpoint port");
	is_int(lb_parse_endpoint("[2001:db8::7]:1", &e), 0, "v6 endpoint");
	is_int(e.addr.family, AF_INET6, "v6 endpoint family");
	is_int(lb_parse_endpoint("198.51.100.7", &e), -1,
	       "endpoint needs port");
	is_int(lb_parse_endpoint("198.51.100.7:70000", &e), -1,
	       "endpoint port range");
}

static void test_numbers(void)
{
	uint32_t v;

	is_int(lb_parse_weight("0", &v), 0, "weight 0 (drain)");
	is_u64(v, 0, "weight 0 value");
	is_int(lb_parse_weight("65535", &v), 0, "weight 65535");
	is_u64(v, 65535, "weight max value");
	is_int(lb_parse_weight("70000", &v), -1, "weight 70000 rejected");
	is_str(lb_parse_error(),
	       "invalid weight \"70000\": expected a decimal integer 0..65535",
	       "weight error message");
	is_int(lb_parse_weight("-1", &v), -1, "negative weight rejected");
	is_int(lb_parse_weight("1.5", &v), -1, "fractional weight rejected");
	is_int(lb_parse_weight("", &v), -1, "empty weight rejected");
	is_int(lb_parse_weight(" 5", &v), -1, "leading space rejected");
	is_int(lb_parse_weight("99999999999999999999", &v), -1,
	       "overflowing weight rejected");

	is_int(lb_parse_table_size("65537", &v), 0, "table size 65537");
	is_u64(v, 65537, "table size value");
	is_int(lb_parse_table_size("65536", &v), -1, "non-prime rejected");
	ok(strstr(lb_parse_error(), "\"65536\"") != NULL,
	   "table size error names the value");
	is_int(lb_parse_table_size("7", &v), -1, "prime not in list rejected");
	is_int(lb_parse_table_size("abc", &v), -1, "non-number rejected");

	/* Decimal only: a leading 0 is not octal, 0x is not hex. */
	is_int(lb_parse_weight("010", &v), 0, "weight 010 parses");
	is_u64(v, 10, "weight 010 is decimal 10, not octal 8");
	is_int(lb_parse_weight("08", &v), 0, "weight 08 parses");
	is_u64(v, 8, "weight 08 is 8");
	is_int(lb_parse_weight("0x10", &v), -1, "hex weight rejected");
	is_str(lb_parse_error(),
	       "invalid weight \"0x10\": expected a decimal integer 0..65535",
	       "hex weight error says decimal");
	is_int(lb_parse_table_size("065537", &v), 0, "table size 065537");
	is_u64(v, 65537, "table size with a leading 0 is decimal");
	is_int(lb_parse_u32("0x10", "max-services", 1, 4096, &v), -1,
	       "hex u32 rejected");
	is_int(lb_parse_u32("4294967296", "seed", 0, UINT32_MAX, &v), -1,
	       "u32 overflow rejected");

	/* The seed alone also takes 0x hex (save writes it so). */
	is_int(lb_parse_seed("0x10", &v), 0, "hex seed");
	is_u64(v, 16, "hex seed value");
	is_int(lb_parse_seed("010", &v), 0, "seed 010");
	is_u64(v, 10, "seed 010 is decimal");
	is_int(lb_parse_seed("0xffffffff", &v), 0, "seed 0xffffffff");
	is_u64(v, UINT32_MAX, "seed max value");
	is_int(lb_parse_seed("0x100000000", &v), -1, "seed overflow rejected");
	is_str(lb_parse_error(),
	       "invalid seed \"0x100000000\": expected a decimal or 0x "
	       "hexadecimal integer 0..4294967295",
	       "seed error message");
	is_int(lb_parse_seed("0x", &v), -1, "bare 0x rejected");
}

static void test_backend(void)
{
	struct lb_addr a;

	is_int(lb_parse_backend("10.0.0.2", &a), 0, "backend address");
	is_int(a.family, AF_INET, "backend family");
	is_int(lb_parse_backend("10.0.0.2:80", &a), -1,
	       "backend with a port rejected");
	is_str(lb_parse_error(),
	       "invalid backend \"10.0.0.2:80\": backends take no port "
	       "(packets keep the service's port): expected an IPv4 or IPv6 "
	       "address",
	       "backend port error says backends take no port");
	is_int(lb_parse_backend("[2001:db8::2]:80", &a), -1,
	       "IPv6 backend with a port rejected");
	ok(strstr(lb_parse_error(), "backends take no port") != NULL,
	   "IPv6 backend port error says backends take no port");
	is_int(lb_parse_backend("10.0.0.256", &a), -1, "bad backend");
	is_str(lb_parse_error(),
	       "invalid address \"10.0.0.256\": expected an IPv4 or IPv6 "
	       "address",
	       "a bad backend without a port keeps the address message");
}

static void test_keywords(void)
{
	char *argv[] = { "add",	  "10.0.0.2", "weight", "1",
			 "state", "drain",    "weight", "2" };

	is_int(lb_check_keyword(argv, 2, 2), 0, "first keyword is new");
	is_int(lb_check_keyword(argv, 2, 4), 0, "second keyword is new");
	is_int(lb_check_keyword(argv, 2, 6), -1, "repeated keyword refused");
	is_str(lb_parse_error(),
	       "keyword \"weight\" given twice: give each keyword once",
	       "repeated keyword error names it");
	is_int(lb_check_keyword(argv, 4, 6), 0,
	       "only keywords from first on count");
}

static void test_split(void)
{
	char line[] = "  add 10.0.0.2\tweight 5  # comment\n";
	char empty[] = "   # only a comment\n";
	char many[] = "a b c d";
	char *argv[8];

	is_int(lb_split_words(line, argv, 8), 4, "four words before comment");
	is_str(argv[0], "add", "word 0");
	is_str(argv[3], "5", "word 3");
	is_int(lb_split_words(empty, argv, 8), 0, "comment-only line");
	is_int(lb_split_words(many, argv, 3), -1, "too many words");
}

static void test_cmp(void)
{
	struct lb_svc_key a, b;

	lb_parse_svc("192.0.2.10:80/tcp", &a);
	lb_parse_svc("192.0.2.10:80/udp", &b);
	ok(lb_svc_cmp(&a, &b) < 0, "tcp sorts before udp");
	lb_parse_svc("192.0.2.9:443/tcp", &b);
	ok(lb_svc_cmp(&a, &b) > 0, "addresses compare as bytes");
	lb_parse_svc("[::1]:80/tcp", &b);
	ok(lb_svc_cmp(&a, &b) < 0, "IPv4 sorts before IPv6");
	ok(lb_svc_cmp(&a, &a) == 0, "equal keys compare equal");
}

/* encap ipip|gue and port N of service add/set and restore lines. */
static void test_encap(void)
{
	struct lb_encap_opt o = { 0 };

	is_int(lb_parse_encap_opt("table-size", "251", &o), 1,
	       "other keys are not encap options");
	ok(!o.has_encap && !o.has_port, "... and leave the options alone");
	is_int(lb_parse_encap_opt("encap", "gue", &o), 0, "encap gue");
	ok(o.has_encap && o.encap == XLB_ENCAP_GUE, "encap gue value");
	is_int(lb_parse_encap_opt("encap", "ipip", &o), 0, "encap ipip");
	is_int(o.encap, XLB_ENCAP_IPIP, "encap ipip value");
	is_int(lb_parse_encap_opt("encap", "vxlan", &o), -1, "encap vxlan");
	is_str(lb_parse_error(),
	       "invalid encap \"vxlan\": expected ipip or gue",
	       "encap error message");
	is_int(lb_parse_encap_opt("port", "65535", &o), 0, "port 65535");
	ok(o.has_port && o.port == 65535, "port value");
	is_int(lb_parse_encap_opt("port", "0", &o), -1, "port 0 rejected");
	is_str(lb_parse_error(),
	       "invalid port \"0\": expected a decimal integer 1..65535",
	       "port error message");
	is_int(lb_parse_encap_opt("port", "65536", &o), -1,
	       "port 65536 rejected");
}

int main(void)
{
	test_addr();
	test_svc();
	test_endpoint();
	test_numbers();
	test_backend();
	test_keywords();
	test_split();
	test_cmp();
	test_encap();
	return tap_done();
}
