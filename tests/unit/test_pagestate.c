/* test_pagestate.c - the URL helpers of the page model: what Page.navigate
 * accepts and how it writes the URL (as GURL does), and data: URLs taken
 * apart into the MIME type, charset and payload that Network reports. */
#include <check.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"
#include "domains/pagestate.h"

static const struct {
	const char *in, *out; /* out NULL: invalid */
} canon_rows[] = {
    {"about:blank", "about:blank"},
    {"data:text/html,<h1>hi there</h1>", "data:text/html,<h1>hi there</h1>"},
    {"  data:,x\t y \n", "data:,x y"},
    {"HTTP://Example.TEST", "http://example.test/"},
    {"http://localhost:8080/x", "http://localhost:8080/x"},
    {"https://a.test:443/p q?x y#f g", "https://a.test/p%20q?x%20y#f%20g"},
    {"http://a.test:80", "http://a.test/"},
    {"http://user@a.test/", "http://user@a.test/"},
    {"javascript:void(0)", "javascript:void(0)"},
    {"file:///tmp/x.html", "file:///tmp/x.html"},
    {"notaurl", NULL},
    {"", NULL},
    {"1http://a/", NULL},
    {"http://", NULL},
    {"http://exa mple.com/", NULL},
    {"http://a.test:8x/", NULL},
};

START_TEST(navigate_urls_are_written_as_gurl_writes_them)
{
	struct buf out;
	buf_init(&out, 0);
	int rc = pagestate_url_canon(canon_rows[_i].in, &out);
	if (!canon_rows[_i].out) {
		ck_assert_int_eq(rc, CDPM_EINVAL);
	} else {
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(out.data, canon_rows[_i].out);
	}
	buf_clear(&out);
}
END_TEST

static const struct {
	const char *url, *mime, *charset, *type, *body;
	size_t len;
} data_rows[] = {
    {"data:text/html,<h1>hi%20there</h1>", "text/html", "", "text/html", "<h1>hi there</h1>", 17},
    {"data:,hello", "text/plain", "US-ASCII", "text/plain;charset=US-ASCII", "hello", 5},
    {"data:Text/HTML;charset=utf-8,x", "text/html", "utf-8", "text/html;charset=utf-8", "x", 1},
    {"data:text/plain;base64,aGk gdGhlcmU=", "text/plain", "", "text/plain", "hi there", 8},
    {"data:image/png;base64,AAEC", "image/png", "", "image/png", "\0\1\2", 3},
};

START_TEST(data_urls_come_apart)
{
	struct pagestate_data_url u;
	struct buf body;
	buf_init(&body, 0);
	ck_assert_int_eq(pagestate_document_body(data_rows[_i].url, &u, &body), 0);
	ck_assert_str_eq(u.mime, data_rows[_i].mime);
	ck_assert_str_eq(u.charset, data_rows[_i].charset);
	ck_assert_str_eq(u.type, data_rows[_i].type);
	ck_assert_uint_eq(body.len, data_rows[_i].len);
	ck_assert_mem_eq(body.data, data_rows[_i].body, body.len);
	buf_clear(&body);
}
END_TEST

START_TEST(other_documents_are_empty_html)
{
	struct pagestate_data_url u;
	struct buf body;
	buf_init(&body, 0);
	ck_assert_int_eq(pagestate_data_url("http://a.test/", &u), 0);
	ck_assert_int_eq(pagestate_data_url("data:no-comma", &u), 0);
	ck_assert_int_eq(pagestate_document_body("https://a.test/", &u, &body), 0);
	ck_assert_uint_eq(body.len, 0);
	ck_assert_str_eq(u.mime, "text/html");
	buf_clear(&body);
}
END_TEST

Suite *pagestate_suite(void);
Suite *pagestate_suite(void)
{
	Suite *s = suite_create("pagestate");
	TCase *tc = tcase_create("urls");
	tcase_add_loop_test(tc, navigate_urls_are_written_as_gurl_writes_them, 0,
			    (int)CDPM_ARRAY_LEN(canon_rows));
	tcase_add_loop_test(tc, data_urls_come_apart, 0, (int)CDPM_ARRAY_LEN(data_rows));
	tcase_add_test(tc, other_documents_are_empty_html);
	suite_add_tcase(s, tc);
	return s;
}
