/* test_http.c - Chrome's Host and Origin checks and the JSON string style of
 * the discovery bodies (docs/chrome.md §2.1, 1.3).  The endpoints themselves are
 * covered on the wire by tests/integration/test_http.c. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "cdp/discovery.h"
#include "net/http.h"
#include "server.h"

static const struct {
	const char *host; /* NULL: no header */
	int ok;
} host_rows[] = {
	{NULL, 1}, {"127.0.0.1", 1}, {"127.0.0.1:9222", 1}, {"10.1.2.3:80", 1},
	{"localhost", 1}, {"LOCALHOST:1", 1}, {"a.b.localhost", 1}, {"[::1]", 1},
	{"[::1]:9222", 1}, {"evil.com", 0}, {"localhost.evil.com", 0}, {"xlocalhost", 0},
	{"[::1", 0}, {"[nope]:1", 0}, {"", 0}, {"127.0.0.1.nip.io", 0},
};

START_TEST(host_check)
{
	ck_assert_int_eq(http_host_ok(host_rows[_i].host), host_rows[_i].ok);
}
END_TEST

static const struct {
	const char *origin;
	int ok;
} origin_rows[] = {
	{NULL, 1}, {"http://127.0.0.1:9333", 1}, {"HTTP://127.0.0.1:9333", 1},
	{"http://127.0.0.1:9333/", 1}, {"http://localhost:9333", 0}, {"https://127.0.0.1:9333", 0},
	{"ws://127.0.0.1:9333", 0}, {"null", 0}, {"", 0}, {"http://127.0.0.1:9334", 0},
	{"http://allowed.test", 1}, {"http://allowed.test/", 1},
};

START_TEST(origin_check)
{
	static char *allow[] = {"http://allowed.test", NULL};
	server_defaults();
	snprintf(server.origin, sizeof(server.origin), "http://127.0.0.1:9333");
	server.opts.allow_origins = allow;
	ck_assert_int_eq(http_origin_ok(origin_rows[_i].origin), origin_rows[_i].ok);
	server.opts.allow_any_origin = 1;
	ck_assert(http_origin_ok("http://evil.com"));
}
END_TEST

START_TEST(json_strings_escape_like_base)
{
	struct buf b;
	buf_init(&b, 0);
	discovery_json_str(&b, "data:text/html,<b>hi</b>\"\\\n\x01\xe2\x80\xa8\xc3\xa9");
	ck_assert_str_eq(b.data, "\"data:text/html,\\u003Cb>hi\\u003C/b>\\\"\\\\\\n\\u0001\\u2028"
				 "\xc3\xa9\"");
	buf_clear(&b);
}
END_TEST

Suite *http_suite(void);
Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("checks");
	tcase_add_loop_test(tc, host_check, 0, (int)(sizeof(host_rows) / sizeof(host_rows[0])));
	tcase_add_loop_test(tc, origin_check, 0,
			    (int)(sizeof(origin_rows) / sizeof(origin_rows[0])));
	tcase_add_test(tc, json_strings_escape_like_base);
	suite_add_tcase(s, tc);
	return s;
}
