/* test_http.c - every row of docs/chrome.md §2.2 (endpoints), 1.3 (Host and
 * Origin checks) and 1.4 (upgrade), against the real server, byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"

static struct buf resp, want;

static void setup(void)
{
	fx_setup_server();
	buf_init(&resp, 0);
	buf_init(&want, 0);
}

static void teardown(void)
{
	fx_teardown_server();
	buf_clear(&resp);
	buf_clear(&want);
}

/* A whole /json response with the CSP header and JSON content type. */
static void want_json(int status, const char *reason, const char *body)
{
	buf_reset(&want);
	buf_printf(&want, "HTTP/1.1 %d %s\r\nContent-Security-Policy:frame-ancestors 'none'\r\n"
			  "Content-Length:%zu\r\nContent-Type:application/json; charset=UTF-8\r\n"
			  "\r\n%s", status, reason, strlen(body), body);
}

static void want_plain(int status, const char *reason, const char *ctype, const char *body)
{
	buf_reset(&want);
	buf_printf(&want, "HTTP/1.1 %d %s\r\nContent-Length:%zu\r\nContent-Type:%s\r\n\r\n%s",
		   status, reason, strlen(body), ctype, body);
}

static void request(const char *method, const char *path, const char *extra)
{
	ck_assert_int_eq(fx_request(&fx_srv, method, path, extra, NULL, &resp), 0);
}

static void version_body(struct buf *b, const char *host)
{
	buf_reset(b);
	buf_printf(
	    b,
	    "{\n   \"Browser\": \"Chrome/156.0.8078.79\",\n   \"File-Path-Style\": \"posix\",\n"
	    "   \"Protocol-Version\": \"1.3\",\n   \"User-Agent\": \"Mozilla/5.0 (X11; Linux "
	    "x86_64) "
	    "AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36\",\n"
	    "   \"V8-Version\": \"15.6.75.27\",\n   \"WebKit-Version\": \"537.36 "
	    "(@a21ce95c24ce3964416f09ae1862f53f319eb4d0)\",\n   \"webSocketDebuggerUrl\": "
	    "\"ws://%s/devtools/browser/%s\"\n}\n",
	    host, fx_srv.browser_id);
}

static const char *const version_paths[] = {"/json/version", "/json/version/", "/json/version?x=1"};

START_TEST(version_is_byte_exact)
{
	struct buf body, host;
	buf_init(&body, 0);
	buf_init(&host, 0);
	buf_printf(&host, "127.0.0.1:%d", fx_srv.port);
	version_body(&body, host.data);
	request("GET", version_paths[_i], NULL);
	want_json(200, "OK", body.data);
	ck_assert_str_eq(resp.data, want.data);
	buf_clear(&body);
	buf_clear(&host);
}
END_TEST

static void page_object(struct buf *b, const char *host, const char *id, const char *title,
			const char *url)
{
	buf_printf(b, "{\n   \"description\": \"\",\n   \"devtoolsFrontendUrl\": "
		      "\"https://chrome-devtools-frontend.appspot.com/serve_rev/"
		      "@a21ce95c24ce3964416f09ae1862f53f319eb4d0/inspector.html?ws=%s/devtools/page/%s\",\n"
		      "   \"id\": \"%s\",\n   \"title\": \"%s\",\n   \"type\": \"page\",\n"
		      "   \"url\": \"%s\",\n   \"webSocketDebuggerUrl\": \"ws://%s/devtools/page/%s\"\n}",
		   host, id, id, title, url, host, id);
}

static const char *const list_paths[] = {"/json", "/json/list", "/json/list/", "/json?x=1"};

START_TEST(list_shows_the_page)
{
	struct buf body, host;
	buf_init(&body, 0);
	buf_init(&host, 0);
	buf_printf(&host, "127.0.0.1:%d", fx_srv.port);
	ck_assert_int_eq(strlen(fx_srv.page_id), 32);
	buf_adds(&body, "[ ");
	page_object(&body, host.data, fx_srv.page_id, "about:blank", "about:blank");
	buf_adds(&body, " ]\n");
	request("GET", list_paths[_i], NULL);
	want_json(200, "OK", body.data);
	ck_assert_str_eq(resp.data, want.data);
	buf_clear(&body);
	buf_clear(&host);
}
END_TEST

static const struct {
	const char *method, *path;
	int status;
	const char *body;
} json_errors[] = {
	{"GET", "/json/", 404, "Unknown command: "},
	{"GET", "/json/foo", 404, "Unknown command: foo"},
	{"GET", "/json/Version", 404, "Unknown command: Version"},
	{"GET", "/json/new", 405, "Using unsafe HTTP verb GET to invoke /json/new. This action "
				  "supports only PUT verb."},
	{"POST", "/json/new?about:blank", 405, "Using unsafe HTTP verb POST to invoke /json/new. "
					       "This action supports only PUT verb."},
	{"GET", "/json/activate/NOPE", 404, "No such target id: NOPE"},
	{"GET", "/json/activate/", 404, "No such target id: "},
	{"GET", "/json/close/NOPE", 404, "No such target id: NOPE"},
	{"PUT", "/json/close/NOPE", 404, "No such target id: NOPE"},
};

START_TEST(json_errors_have_chrome_text)
{
	request(json_errors[_i].method, json_errors[_i].path, NULL);
	want_json(json_errors[_i].status, json_errors[_i].status == 404 ? "Not Found"
					  : "Method Not Allowed", json_errors[_i].body);
	ck_assert_str_eq(resp.data, want.data);
}
END_TEST

static const struct {
	const char *path;
	int status;
	const char *ctype;
} plain_rows[] = {
	{"/unknown", 404, "text/html"},
	{"/JSON/VERSION", 404, "text/html"},
	{"/devtools/browser", 200, "text/plain"},
	{"/devtools/page/X", 200, "text/plain"},
};

START_TEST(non_json_paths)
{
	request("GET", plain_rows[_i].path, NULL);
	want_plain(plain_rows[_i].status, plain_rows[_i].status == 200 ? "OK" : "Not Found",
		   plain_rows[_i].ctype, "");
	ck_assert_str_eq(resp.data, want.data);
}
END_TEST

START_TEST(root_has_frame_options)
{
	request("GET", "/", NULL);
	ck_assert_str_eq(resp.data, "HTTP/1.1 200 OK\r\nX-Frame-Options:DENY\r\nContent-Length:0\r\n"
				    "Content-Type:text/html; charset=UTF-8\r\n\r\n");
	request("GET", "/devtools/inspector.html", NULL);
	ck_assert_ptr_nonnull(strstr(resp.data, "Content-Type:text/html\r\n\r\n<!DOCTYPE html>"));
}
END_TEST

static const char *const any_methods[] = {"GET", "POST", "DELETE", "OPTIONS", "HEAD", "get"};

START_TEST(method_is_ignored_and_head_has_a_body)
{
	struct buf body, host;
	buf_init(&body, 0);
	buf_init(&host, 0);
	buf_printf(&host, "127.0.0.1:%d", fx_srv.port);
	version_body(&body, host.data);
	request(any_methods[_i], "/json/version", NULL);
	want_json(200, "OK", body.data);
	ck_assert_str_eq(resp.data, want.data);
	buf_clear(&body);
	buf_clear(&host);
}
END_TEST

START_TEST(protocol_is_the_descriptor)
{
	request("GET", _i ? "/json/protocol/" : "/json/protocol", NULL);
	ck_assert_int_eq(strncmp(resp.data, "HTTP/1.1 200 OK\r\nContent-Length:", 32), 0);
	ck_assert_ptr_nonnull(strstr(resp.data, "\r\nContent-Type:application/json; charset=UTF-8"
					       "\r\n\r\n{"));
	ck_assert_ptr_null(strstr(resp.data, "Content-Security-Policy"));
	char path[4096];
	snprintf(path, sizeof(path), "%s/third_party/devtools-protocol/protocol.json", fx_srcdir());
	struct buf file;
	buf_init(&file, 0);
	fx_read_file(path, &file);
	const char *body = fx_body(&resp);
	ck_assert_uint_eq(strlen(body), file.len);
	ck_assert_int_eq(memcmp(body, file.data, file.len), 0);
	ck_assert_ptr_nonnull(strstr(body, "\"domain\": \"Tracing\""));
	buf_clear(&file);
}
END_TEST

START_TEST(new_activate_close)
{
	struct buf body, host, list;
	buf_init(&body, 0);
	buf_init(&host, 0);
	buf_init(&list, 0);
	buf_printf(&host, "127.0.0.1:%d", fx_srv.port);
	request("PUT", "/json/new?data:text/html,<b>hi</b>", NULL);
	const char *b = fx_body(&resp);
	const char *id = strstr(b, "\"id\": \"");
	ck_assert_ptr_nonnull(id);
	char tid[33];
	snprintf(tid, sizeof(tid), "%.32s", id + 7);
	page_object(&body, host.data, tid, "", "data:text/html,\\u003Cb>hi\\u003C/b>");
	buf_addc(&body, '\n');
	want_json(200, "OK", body.data);
	ck_assert_str_eq(resp.data, want.data);
	/* Newest first; a page without <title> shows its URL, HTML-escaped. */
	buf_reset(&body);
	buf_adds(&body, "[ ");
	page_object(&body, host.data, tid, "data:text/html,&lt;b&gt;hi&lt;/b&gt;",
		    "data:text/html,\\u003Cb>hi\\u003C/b>");
	buf_adds(&body, ", ");
	page_object(&body, host.data, fx_srv.page_id, "about:blank", "about:blank");
	buf_adds(&body, " ]\n");
	request("GET", "/json/list", NULL);
	want_json(200, "OK", body.data);
	ck_assert_str_eq(resp.data, want.data);

	char path[128];
	snprintf(path, sizeof(path), "/json/activate/%s", tid);
	request("GET", path, NULL);
	want_json(200, "OK", "Target activated");
	ck_assert_str_eq(resp.data, want.data);
	snprintf(path, sizeof(path), "/json/close/%s", tid);
	request("GET", path, NULL);
	want_json(200, "OK", "Target is closing");
	ck_assert_str_eq(resp.data, want.data);
	request("GET", path, NULL);
	buf_reset(&body);
	buf_printf(&body, "No such target id: %s", tid);
	want_json(404, "Not Found", body.data);
	ck_assert_str_eq(resp.data, want.data);
	buf_clear(&body);
	buf_clear(&host);
	buf_clear(&list);
}
END_TEST

static const char *const new_urls[] = {"/json/new", "/json/new?notaurl", "/json/new?about:blank"};

START_TEST(new_defaults_to_about_blank)
{
	request("PUT", new_urls[_i], NULL);
	const char *b = fx_body(&resp);
	ck_assert_ptr_nonnull(strstr(b, "\"title\": \"\",\n   \"type\": \"page\",\n"
					"   \"url\": \"about:blank\",\n"));
	ck_assert_int_eq(strncmp(resp.data, "HTTP/1.1 200 OK\r\n", 17), 0);
}
END_TEST

START_TEST(empty_list_is_two_spaces)
{
	/* Close every page; the browser stays up and the list is "[  ]". */
	char path[128];
	snprintf(path, sizeof(path), "/json/close/%s", fx_srv.page_id);
	request("GET", path, NULL);
	request("GET", "/json/list", NULL);
	want_json(200, "OK", "[  ]\n");
	ck_assert_str_eq(resp.data, want.data);
	request("PUT", "/json/new", NULL);
	ck_assert_int_eq(strncmp(resp.data, "HTTP/1.1 200 OK\r\n", 17), 0);
}
END_TEST

START_TEST(http10_gets_no_answer)
{
	int fd = fx_tcp(&fx_srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fx_http(fd, "GET /json/version HTTP/1.0\r\n\r\n", &resp), 0);
	ck_assert_uint_eq(resp.len, 0);
	close(fd);
}
END_TEST

START_TEST(keep_alive_and_pipelining)
{
	int fd = fx_tcp(&fx_srv);
	char req[512];
	snprintf(req, sizeof(req),
		 "GET /json/foo HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
		 "Connection: close\r\n\r\n",
		 fx_srv.port);
	want_json(404, "Not Found", "Unknown command: foo");
	ck_assert_int_eq(fx_http(fd, req, &resp), 0);
	ck_assert_str_eq(resp.data, want.data);
	/* Still open despite Connection: close; now two requests in one write. */
	snprintf(req, sizeof(req), "GET /json/a HTTP/1.1\r\n\r\nGET /json/b HTTP/1.1\r\n\r\n");
	ck_assert_int_eq(fx_http(fd, req, &resp), 0);
	want_json(404, "Not Found", "Unknown command: a");
	ck_assert_int_eq(strncmp(resp.data, want.data, want.len), 0);
	struct buf two;
	buf_init(&two, 0);
	want_json(404, "Not Found", "Unknown command: b");
	buf_add(&two, want.data, want.len);
	want_json(404, "Not Found", "Unknown command: a");
	buf_add(&want, two.data, two.len);
	while (resp.len < want.len) {
		char tmp[4096];
		ssize_t r = recv(fd, tmp, sizeof(tmp), 0);
		ck_assert_int_gt(r, 0);
		buf_add(&resp, tmp, (size_t)r);
	}
	ck_assert_str_eq(resp.data, want.data);
	buf_clear(&two);
	close(fd);
}
END_TEST

static const struct {
	const char *host_line; /* NULL: no Host header */
	const char *url_host;  /* what the URLs use; NULL: rejected with 500 */
} host_rows[] = {
	{NULL, ""},
	{"Host: localhost\r\n", "localhost"},
	{"Host: 10.1.2.3:80\r\n", "10.1.2.3:80"},
	{"Host: foo.localhost:1\r\n", "foo.localhost:1"},
	{"Host: [::1]:9222\r\n", "[::1]:9222"},
	{"Host: evil.com\r\n", NULL},
	{"Host: localhost.evil.com\r\n", NULL},
	{"Host: 127.0.0.1.nip.io\r\n", NULL},
};

START_TEST(host_check)
{
	char req[512];
	snprintf(req, sizeof(req), "GET /json/version HTTP/1.1\r\n%s\r\n",
		 host_rows[_i].host_line ? host_rows[_i].host_line : "");
	ck_assert_int_eq(fx_http_once(&fx_srv, req, &resp), 0);
	if (!host_rows[_i].url_host) {
		want_plain(500, "Internal Server Error", "text/html",
			   "Host header is specified and is not an IP address or localhost.");
		ck_assert_str_eq(resp.data, want.data);
		return;
	}
	struct buf body;
	buf_init(&body, 0);
	version_body(&body, host_rows[_i].url_host);
	want_json(200, "OK", body.data);
	ck_assert_str_eq(resp.data, want.data);
	buf_clear(&body);
}
END_TEST

START_TEST(origin_is_ignored_on_plain_requests)
{
	request("PUT", "/json/new", "Origin: http://evil.com\r\n");
	ck_assert_int_eq(strncmp(resp.data, "HTTP/1.1 200 OK\r\n", 17), 0);
}
END_TEST

/* Origin rows: %d is replaced by the server's port. */
static const struct {
	const char *origin; /* NULL: no header */
	int ok;
} origin_rows[] = {
	{NULL, 1},
	{"http://127.0.0.1:%d", 1},
	{"HTTP://127.0.0.1:%d", 1},
	{"http://127.0.0.1:%d/", 1},
	{"http://localhost:%d", 0},
	{"http://127.0.0.1:1", 0},
	{"https://127.0.0.1:%d", 0},
	{"ws://127.0.0.1:%d", 0},
	{"null", 0},
	{"devtools://devtools", 0},
	{"chrome-extension://abc", 0},
	{"", 0},
	{"http://evil.com", 0},
};

START_TEST(origin_check_on_upgrade)
{
	char origin[128] = "", line[256] = "", path[128];
	if (origin_rows[_i].origin) {
		/* Substitute the port for the row's "%d", if it has one. */
		const char *o = origin_rows[_i].origin, *d = strstr(o, "%d");
		if (d)
			snprintf(origin, sizeof(origin), "%.*s%d%s", (int)(d - o), o, fx_srv.port,
				 d + 2);
		else
			snprintf(origin, sizeof(origin), "%s", o);
		snprintf(line, sizeof(line), "Origin: %s\r\n", origin);
	}
	snprintf(path, sizeof(path), "/devtools/browser/%s", fx_srv.browser_id);
	int fd = fx_ws_open(&fx_srv, path, line, &resp);
	if (origin_rows[_i].ok) {
		ck_assert_int_ge(fd, 0);
		close(fd);
		return;
	}
	ck_assert_int_lt(fd, 0);
	struct buf body;
	buf_init(&body, 0);
	buf_printf(&body, "Rejected an incoming WebSocket connection from the %s origin. Use the "
			  "command line flag --remote-allow-origins=%s to allow connections from "
			  "this origin or --remote-allow-origins=* to allow all origins.",
		   origin, origin);
	want_plain(403, "Forbidden", "text/html", body.data);
	ck_assert_str_eq(resp.data, want.data);
	if (!strcmp(origin, "http://evil.com"))
		ck_assert_ptr_nonnull(strstr(resp.data, "Content-Length:227\r\n"));
	buf_clear(&body);
}
END_TEST

START_TEST(origin_does_not_depend_on_host)
{
	char path[128], extra[1024];
	snprintf(path, sizeof(path), "/devtools/browser/%s", fx_srv.browser_id);
	int fd;
	/* The Host check comes first: a bad Host with a bad Origin is a 500. */
	snprintf(extra, sizeof(extra), "GET %s HTTP/1.1\r\nHost: evil.com\r\nUpgrade: websocket\r\n"
				       "Connection: Upgrade\r\nSec-WebSocket-Key: x\r\n"
				       "Origin: http://evil.com\r\n\r\n", path);
	ck_assert_int_eq(fx_http_once(&fx_srv, extra, &resp), 0);
	ck_assert_int_eq(strncmp(resp.data, "HTTP/1.1 500 Internal Server Error\r\n", 36), 0);
	snprintf(extra, sizeof(extra),
		 "GET %s HTTP/1.1\r\nHost: 10.0.0.1:1234\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Key: x\r\n"
		 "Origin: http://127.0.0.1:%d\r\n\r\n",
		 path, fx_srv.port);
	fd = fx_tcp(&fx_srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(send(fd, extra, strlen(extra), 0), (ssize_t)strlen(extra));
	char tmp[64] = {0};
	ck_assert_int_gt(recv(fd, tmp, 12, MSG_WAITALL), 0);
	ck_assert_int_eq(strncmp(tmp, "HTTP/1.1 101", 12), 0);
	close(fd);
}
END_TEST

START_TEST(upgrade_is_byte_exact)
{
	char path[128];
	snprintf(path, sizeof(path), "/devtools/browser/%s", fx_srv.browser_id);
	int fd = fx_ws_open(&fx_srv, path, NULL, &resp);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(resp.data, "HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n"
				    "Connection: Upgrade\r\n"
				    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
	close(fd);
	snprintf(path, sizeof(path), "/devtools/page/%s", fx_srv.page_id);
	fd = fx_ws_open(&fx_srv, path, "Sec-WebSocket-Version: 8\r\n", &resp);
	ck_assert_int_ge(fd, 0);
	close(fd);
}
END_TEST

static const struct {
	const char *path; /* %s: browser id */
	const char *extra;
	const char *want; /* the whole response */
} upgrade_rows[] = {
	{"/devtools/browser/00000000-0000-0000-0000-000000000000", NULL,
	 "HTTP/1.1 404 Not Found\r\nContent-Length:0\r\nContent-Type:text/html\r\n\r\n"},
	{"/devtools/browser", NULL,
	 "HTTP/1.1 404 Not Found\r\nContent-Length:0\r\nContent-Type:text/html\r\n\r\n"},
	{"/json/version", NULL,
	 "HTTP/1.1 404 Not Found\r\nContent-Length:0\r\nContent-Type:text/html\r\n\r\n"},
	{"/devtools/page/BADID", NULL,
	 "HTTP/1.1 500 Internal Server Error\r\nContent-Length:24\r\nContent-Type:text/html\r\n"
	 "\r\nNo such target id: BADID"},
};

START_TEST(upgrade_errors)
{
	int fd = fx_ws_open(&fx_srv, upgrade_rows[_i].path, upgrade_rows[_i].extra, &resp);
	ck_assert_int_lt(fd, 0);
	ck_assert_str_eq(resp.data, upgrade_rows[_i].want);
}
END_TEST

START_TEST(upgrade_needs_a_key)
{
	char req[512];
	snprintf(req, sizeof(req),
		 "GET /devtools/browser/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		 "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		 fx_srv.browser_id);
	ck_assert_int_eq(fx_http_once(&fx_srv, req, &resp), 0);
	want_plain(500, "Internal Server Error", "text/html",
		   "Invalid request format. Sec-WebSocket-Key is empty or isn't specified.");
	ck_assert_str_eq(resp.data, want.data);
	/* Connection: Upgrade without an Upgrade header is a plain request. */
	snprintf(req, sizeof(req),
		 "GET /devtools/browser/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		 "Connection: Upgrade\r\n\r\n",
		 fx_srv.browser_id);
	ck_assert_int_eq(fx_http_once(&fx_srv, req, &resp), 0);
	want_plain(200, "OK", "text/plain", "");
	ck_assert_str_eq(resp.data, want.data);
}
END_TEST

static const struct {
	const char *offer;
	const char *answer; /* NULL: no extension header */
} deflate_rows[] = {
	{"permessage-deflate", "permessage-deflate"},
	{"permessage-deflate; client_max_window_bits", "permessage-deflate; client_max_window_bits=15"},
	{"permessage-deflate; client_no_context_takeover; client_max_window_bits",
	 "permessage-deflate; client_no_context_takeover; client_max_window_bits=15"},
	{"x-webkit-deflate-frame", NULL},
};

START_TEST(deflate_is_negotiated)
{
	char path[128], extra[256];
	snprintf(path, sizeof(path), "/devtools/browser/%s", fx_srv.browser_id);
	snprintf(extra, sizeof(extra), "Sec-WebSocket-Extensions: %s\r\n", deflate_rows[_i].offer);
	int fd = fx_ws_open(&fx_srv, path, extra, &resp);
	ck_assert_int_ge(fd, 0);
	const char *ext = strstr(resp.data, "Sec-WebSocket-Extensions: ");
	if (!deflate_rows[_i].answer) {
		ck_assert_ptr_null(ext);
	} else {
		ck_assert_ptr_nonnull(ext);
		ck_assert_int_eq(strncmp(ext + 26, deflate_rows[_i].answer,
					 strlen(deflate_rows[_i].answer)), 0);
		ck_assert_int_eq(strncmp(ext + 26 + strlen(deflate_rows[_i].answer), "\r\n", 2), 0);
		/* Replies then come compressed (RSV1 set). */
		ck_assert_int_eq(fx_ws_text(fd, "{\"id\":1,\"method\":\"Browser.getVersion\"}"), 0);
		int op, rsv;
		ck_assert_int_eq(fx_ws_read(fd, 5000, &op, &rsv, &resp), 0);
		ck_assert_int_eq(op, 1);
		ck_assert_int_eq(rsv, 4);
	}
	close(fd);
}
END_TEST

Suite *http_suite(void);
Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("discovery");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, version_is_byte_exact, 0, 3);
	tcase_add_loop_test(tc, list_shows_the_page, 0, 4);
	tcase_add_loop_test(tc, json_errors_have_chrome_text, 0,
			    (int)(sizeof(json_errors) / sizeof(json_errors[0])));
	tcase_add_loop_test(tc, non_json_paths, 0, 4);
	tcase_add_test(tc, root_has_frame_options);
	tcase_add_loop_test(tc, method_is_ignored_and_head_has_a_body, 0, 6);
	tcase_add_loop_test(tc, protocol_is_the_descriptor, 0, 2);
	tcase_add_loop_test(tc, new_defaults_to_about_blank, 0, 3);
	tcase_add_test(tc, http10_gets_no_answer);
	tcase_add_test(tc, keep_alive_and_pipelining);
	tcase_add_loop_test(tc, host_check, 0, (int)(sizeof(host_rows) / sizeof(host_rows[0])));
	tcase_add_test(tc, origin_is_ignored_on_plain_requests);
	tcase_add_loop_test(tc, origin_check_on_upgrade, 0,
			    (int)(sizeof(origin_rows) / sizeof(origin_rows[0])));
	tcase_add_test(tc, origin_does_not_depend_on_host);
	tcase_add_test(tc, upgrade_is_byte_exact);
	tcase_add_loop_test(tc, upgrade_errors, 0, 4);
	tcase_add_test(tc, upgrade_needs_a_key);
	tcase_add_loop_test(tc, deflate_is_negotiated, 0, 4);
	suite_add_tcase(s, tc);
	/* Tests that change the target list get a server of their own. */
	tc = tcase_create("targets");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, new_activate_close);
	tcase_add_test(tc, empty_list_is_two_spaces);
	suite_add_tcase(s, tc);
	return s;
}
