/* test_http_refuse.c - requests the endpoint cannot serve: a NUL in the
 * head, garbage, HTTP/1.0, a chunked body, a bad or too big Content-Length.
 * Each is refused (400, 501, 413, or no answer as Chrome gives HTTP/1.0),
 * the connection closes, and the answers to the requests before it in the
 * same read still go out.  Requests Chrome serves are test_http.c's. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"

static struct fx_server srv;
static struct buf resp, req;

static void setup(void)
{
	fx_start(&srv, NULL);
	buf_init(&resp, 0);
	buf_init(&req, 0);
}

static void teardown(void)
{
	/* The server is still up and answering, and exits cleanly. */
	struct buf body;
	buf_init(&body, 0);
	int up = fx_get(&srv, "/json/version", &body);
	ck_assert_int_eq(fx_stop_status(&srv), 0);
	ck_assert_int_eq(up, 0);
	buf_clear(&body);
	buf_clear(&resp);
	buf_clear(&req);
}

/* Sends n bytes in one write, then reads everything until the server
 * closes the connection (fails on a 5 s timeout: it must close). */
static void exchange(const void *p, size_t n)
{
	int fd = fx_tcp(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq((int)send(fd, p, n, 0), (int)n);
	buf_reset(&resp);
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		ck_assert_msg(poll(&pfd, 1, 5000) == 1, "no EOF after %zu bytes", resp.len);
		char tmp[4096];
		ssize_t r = recv(fd, tmp, sizeof(tmp), 0);
		if (r <= 0)
			break;
		buf_add(&resp, tmp, (size_t)r);
	}
	close(fd);
}

static void version_request(void)
{
	buf_reset(&req);
	buf_printf(&req, "GET /json/version HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", srv.port);
}

/* resp is exactly: the /json/version answer (when first), then tail. */
static void expect(int first, const char *tail)
{
	const char *at = resp.data ? resp.data : "";
	if (first) {
		ck_assert_msg(!strncmp(at, "HTTP/1.1 200 OK\r\n", 17), "got: %s", at);
		const char *body = strstr(at, "\r\n\r\n");
		ck_assert_ptr_nonnull(body);
		const char *cl = strstr(at, "Content-Length:");
		ck_assert_ptr_nonnull(cl);
		at = body + 4 + strtoul(cl + 15, NULL, 10);
		ck_assert(at <= resp.data + resp.len);
	}
	ck_assert_str_eq(at, tail);
}

#define BAD_REQUEST "HTTP/1.1 400 Bad Request\r\nContent-Length:0\r\nContent-Type:text/html\r\n\r\n"

START_TEST(a_nul_alone_gets_400)
{
	exchange("\0\r\n\r\n", 5);
	expect(0, BAD_REQUEST);
}
END_TEST

START_TEST(a_nul_in_the_host_header_gets_400)
{
	/* Cut at the NUL, this Host would pass the check. */
	static const char r[] = "GET /json/version HTTP/1.1\r\nHost: localhost\0.evil.com\r\n\r\n";
	exchange(r, sizeof(r) - 1);
	expect(0, BAD_REQUEST);
}
END_TEST

START_TEST(a_nul_after_a_good_request_keeps_its_answer)
{
	version_request();
	buf_add(&req, "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26);
	exchange(req.data, req.len);
	expect(1, BAD_REQUEST);
}
END_TEST

START_TEST(garbage_after_a_good_request_keeps_its_answer)
{
	version_request();
	buf_adds(&req, "garbage\r\n\r\n");
	exchange(req.data, req.len);
	expect(1, "");
}
END_TEST

START_TEST(http10_after_a_good_request_keeps_its_answer)
{
	version_request();
	buf_adds(&req, "GET /json/version HTTP/1.0\r\n\r\n");
	exchange(req.data, req.len);
	expect(1, "");
}
END_TEST

START_TEST(a_chunked_body_gets_501)
{
	version_request();
	buf_printf(&req, "POST /json/version HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", srv.port);
	exchange(req.data, req.len);
	expect(1, "HTTP/1.1 501 Not Implemented\r\nContent-Length:41\r\nContent-Type:text/html\r\n"
		  "\r\nChunked request bodies are not supported.");
}
END_TEST

static const char *const bad_lengths[] = {"abc", "-1", "5x", "", "1 2", "99999999999999999999"};

START_TEST(a_bad_content_length_gets_400)
{
	version_request();
	buf_printf(&req, "POST /json/version HTTP/1.1\r\nContent-Length: %s\r\n\r\n",
		   bad_lengths[_i]);
	exchange(req.data, req.len);
	expect(1, BAD_REQUEST);
}
END_TEST

START_TEST(a_body_over_the_cap_gets_413)
{
	version_request();
	buf_adds(&req, "POST /json/version HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n");
	exchange(req.data, req.len);
	expect(1, "HTTP/1.1 413 Payload Too Large\r\nContent-Length:0\r\nContent-Type:text/html"
		  "\r\n\r\n");
}
END_TEST

START_TEST(an_answer_to_a_short_body_goes_out_before_the_close)
{
	/* The admin API answers 400 to the cut scenario; what follows is
	 * garbage, and the 400 must still arrive. */
	buf_reset(&req);
	buf_printf(&req, "PUT /mock/scenario HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
			 "Content-Length: 5\r\n\r\n{\"name\":\"x\"}\r\n\r\n", srv.port);
	exchange(req.data, req.len);
	ck_assert_msg(!strncmp(resp.data ? resp.data : "", "HTTP/1.1 400 Bad Request\r\n", 26),
		      "got: %s", resp.data ? resp.data : "(nothing)");
}
END_TEST

Suite *http_refuse_suite(void);
Suite *http_refuse_suite(void)
{
	Suite *s = suite_create("http_refuse");
	TCase *tc = tcase_create("refused");
	/* A server per test: a crash in one must not hide the others. */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_nul_alone_gets_400);
	tcase_add_test(tc, a_nul_in_the_host_header_gets_400);
	tcase_add_test(tc, a_nul_after_a_good_request_keeps_its_answer);
	tcase_add_test(tc, garbage_after_a_good_request_keeps_its_answer);
	tcase_add_test(tc, http10_after_a_good_request_keeps_its_answer);
	tcase_add_test(tc, a_chunked_body_gets_501);
	tcase_add_loop_test(tc, a_bad_content_length_gets_400, 0,
			    (int)(sizeof(bad_lengths) / sizeof(bad_lengths[0])));
	tcase_add_test(tc, a_body_over_the_cap_gets_413);
	tcase_add_test(tc, an_answer_to_a_short_body_goes_out_before_the_close);
	suite_add_tcase(s, tc);
	return s;
}
