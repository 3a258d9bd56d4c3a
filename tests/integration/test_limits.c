/* test_limits.c - the limits of cdpmock(1) LIMITS, each hit on purpose
 * with a small setting: the HTTP header and idle timeouts (the WebSocket
 * handshake included), the number of targets, and the outbox of a client
 * that does not read.  Each must hold, be noted in the journal, and leave
 * the server serving everyone else. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

static struct fx_server srv;
static struct buf resp;
static char dir[64], jpath[128];

static void setup_with(const char *const *extra)
{
	const char *args[16];
	static char jflag[160];
	size_t n = 0;
	snprintf(dir, sizeof(dir), "/tmp/cdpmock-limits-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(jpath, sizeof(jpath), "%s/journal.jsonl", dir);
	snprintf(jflag, sizeof(jflag), "--journal=%s", jpath);
	args[n++] = jflag;
	for (size_t i = 0; extra && extra[i] && n < 15; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	ck_assert_int_eq(fx_try_start(&srv, args), 0);
	buf_init(&resp, 0);
}

static void teardown(void)
{
	struct buf body;
	buf_init(&body, 0);
	int up = fx_get(&srv, "/json/version", &body);
	ck_assert_int_eq(fx_stop_status(&srv), 0);
	ck_assert_int_eq(up, 0);
	buf_clear(&body);
	buf_clear(&resp);
	unlink(jpath);
	rmdir(dir);
}

/* How many journal lines contain s. */
static int journal_count(const char *s)
{
	FILE *f = fopen(jpath, "r");
	char line[8192];
	int n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, s) != NULL;
	fclose(f);
	return n;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds until the server closes fd (reading and discarding what
 * comes), or -1 after limit_ms. */
static int64_t ms_to_eof(int fd, int limit_ms)
{
	int64_t t0 = now_ms();
	for (;;) {
		int left = limit_ms - (int)(now_ms() - t0);
		struct pollfd p = {fd, POLLIN, 0};
		if (left <= 0 || poll(&p, 1, left) != 1)
			return -1;
		char tmp[4096];
		if (recv(fd, tmp, sizeof(tmp), 0) <= 0)
			return now_ms() - t0;
	}
}

static void setup_default(void)
{
	setup_with(NULL);
}

/* ---- HTTP timeouts ---- */

static void setup_timeouts(void)
{
	static const char *const args[] = {"--http-header-timeout=1", "--http-idle-timeout=2",
					   NULL};
	setup_with(args);
}

START_TEST(a_trickled_head_is_cut_at_the_header_timeout)
{
	/* One byte every 100 ms is progress of a kind: it must not help. */
	static const char req[] = "GET /json/version HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa";
	int fd = fx_tcp(&srv);
	ck_assert_int_ge(fd, 0);
	int64_t t0 = now_ms(), closed = -1;
	for (size_t i = 0; i < sizeof(req) - 1 && closed < 0; i++) {
		if (send(fd, req + i, 1, MSG_NOSIGNAL) != 1)
			closed = now_ms() - t0;
		else if (ms_to_eof(fd, 100) >= 0)
			closed = now_ms() - t0;
	}
	if (closed < 0)
		closed = ms_to_eof(fd, 3000) >= 0 ? now_ms() - t0 : -1;
	ck_assert_msg(closed >= 800 && closed < 2500, "closed after %lld ms", (long long)closed);
	close(fd);
	ck_assert_int_eq(journal_count("no complete request in 1 s"), 1);
}
END_TEST

START_TEST(a_silent_connection_is_cut_at_the_header_timeout)
{
	int fd = fx_tcp(&srv);
	ck_assert_int_ge(fd, 0);
	int64_t ms = ms_to_eof(fd, 3000);
	ck_assert_msg(ms >= 800 && ms < 2500, "closed after %lld ms", (long long)ms);
	close(fd);
}
END_TEST

START_TEST(a_half_sent_websocket_handshake_is_cut_too)
{
	char req[256];
	snprintf(req, sizeof(req), "GET /devtools/browser/%s HTTP/1.1\r\nUpgrade: websocket\r\n"
				   "Connection: Upgrade\r\n", srv.browser_id);
	int fd = fx_tcp(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq((int)send(fd, req, strlen(req), 0), (int)strlen(req));
	int64_t ms = ms_to_eof(fd, 3000);
	ck_assert_msg(ms >= 800 && ms < 2500, "closed after %lld ms", (long long)ms);
	close(fd);
}
END_TEST

START_TEST(keep_alive_idles_until_the_idle_timeout)
{
	char req[256];
	snprintf(req, sizeof(req), "GET /json/version HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n",
		 srv.port);
	int fd = fx_tcp(&srv);
	ck_assert_int_ge(fd, 0);
	/* Two requests 1.5 s apart: past the header timeout, within the idle one. */
	ck_assert_int_eq(fx_http(fd, req, &resp), 0);
	usleep(1500000);
	ck_assert_int_eq(fx_http(fd, req, &resp), 0);
	int64_t ms = ms_to_eof(fd, 4000);
	ck_assert_msg(ms >= 1800 && ms < 3500, "closed after %lld ms", (long long)ms);
	close(fd);
	ck_assert_int_eq(journal_count("idle for 2 s"), 1);
}
END_TEST

START_TEST(an_open_websocket_has_no_timeout)
{
	char path[128];
	snprintf(path, sizeof(path), "/devtools/browser/%s", srv.browser_id);
	int fd = fx_ws_open(&srv, path, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	usleep(2500000);
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":1,\"method\":\"Browser.getVersion\"}", &resp),
			 0);
	close(fd);
}
END_TEST

/* ---- the number of targets ---- */

static void setup_targets(void)
{
	static const char *const args[] = {"--max-targets=3", NULL};
	setup_with(args);
}

static void put_new(void)
{
	char req[256];
	snprintf(req, sizeof(req), "PUT /json/new?about:blank HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n",
		 srv.port);
	ck_assert_int_eq(fx_http_once(&srv, req, &resp), 0);
}

START_TEST(pages_stop_at_max_targets)
{
	/* One page from the start, two more, then no more. */
	for (int i = 0; i < 2; i++) {
		put_new();
		ck_assert_int_eq(strncmp(resp.data, "HTTP/1.1 200 OK\r\n", 17), 0);
	}
	put_new();
	ck_assert_str_eq(resp.data, "HTTP/1.1 500 Internal Server Error\r\nContent-Security-Policy:"
				    "frame-ancestors 'none'\r\nContent-Length:25\r\nContent-Type:"
				    "application/json; charset=UTF-8\r\n\r\nCould not create new page");
	char path[128];
	snprintf(path, sizeof(path), "/devtools/browser/%s", srv.browser_id);
	int fd = fx_ws_open(&srv, path, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":1,\"method\":\"Target.createTarget\","
					 "\"params\":{\"url\":\"about:blank\"}}", &resp), 0);
	ck_assert_str_eq(resp.data, "{\"id\":1,\"error\":{\"code\":-32000,\"message\":\"Too many "
				    "targets (cdpmock --max-targets)\"}}");
	/* Closing one makes room again. */
	char req[256];
	snprintf(req, sizeof(req), "GET /json/close/%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n",
		 srv.page_id, srv.port);
	ck_assert_int_eq(fx_http_once(&srv, req, &resp), 0);
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":2,\"method\":\"Target.createTarget\","
					 "\"params\":{\"url\":\"about:blank\"}}", &resp), 0);
	ck_assert_msg(!strncmp(resp.data, "{\"id\":2,\"result\":{\"targetId\":", 29), "%s", resp.data);
	close(fd);
	ck_assert_int_eq(journal_count("3 pages are open; no more (--max-targets)"), 2);
}
END_TEST

/* ---- the outbox of a client that does not read ---- */

static void setup_outbox(void)
{
	static const char *const args[] = {"--max-outbox=4000000", NULL};
	setup_with(args);
}

START_TEST(a_client_that_does_not_read_is_dropped_at_max_outbox)
{
	char path[128];
	snprintf(path, sizeof(path), "/devtools/browser/%s", srv.browser_id);
	int fd = fx_ws_open(&srv, path, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	/* Replies of about 420 bytes that nobody reads, 1,000 commands a round
	 * until the server drops us (the kernel's socket buffers take some MB
	 * too), up to 400 rounds: 170 MB of replies. */
	struct buf burst;
	buf_init(&burst, 0);
	for (int i = 0; i < 1000; i++) {
		char cmd[64];
		int n = snprintf(cmd, sizeof(cmd), "{\"id\":%d,\"method\":\"Browser.getVersion\"}", i);
		static const unsigned char key[4] = {1, 2, 3, 4};
		buf_addc(&burst, (char)0x81);
		buf_addc(&burst, (char)(0x80 | n));
		buf_add(&burst, key, 4);
		for (int k = 0; k < n; k++)
			buf_addc(&burst, (char)(cmd[k] ^ key[k & 3]));
	}
	int sent = 0;
	for (int round = 0; round < 400; round++) {
		struct pollfd p = {fd, POLLOUT, 0};
		if (poll(&p, 1, 2000) != 1 || (p.revents & (POLLERR | POLLHUP)))
			break;
		if (send(fd, burst.data, burst.len, MSG_NOSIGNAL) != (ssize_t)burst.len)
			break;
		sent++;
		if (sent % 10 == 0 && journal_count("(--max-outbox)") > 0)
			break;
	}
	ck_assert_int_gt(sent, 5);
	usleep(500000);
	ck_assert_int_ge(ms_to_eof(fd, 10000), 0);
	close(fd);
	buf_clear(&burst);
	ck_assert_int_eq(journal_count("(--max-outbox)"), 1);
}
END_TEST

/* ---- receive buffers after a big message ---- */

START_TEST(receive_buffers_shrink_after_a_big_message)
{
	/* Four connections each send one 20 MB message and stay open. */
	char path[128];
	snprintf(path, sizeof(path), "/devtools/browser/%s", srv.browser_id);
	struct buf big;
	buf_init(&big, 0);
	buf_adds(&big, "{\"id\":7,\"method\":\"Browser.getVersion\",\"params\":{\"pad\":\"");
	while (big.len < (size_t)20 << 20)
		buf_adds(&big, "xxxxxxxxxxxxxxxx");
	buf_adds(&big, "\"}}");
	long before = fx_rss_kb(srv.pid);
	int fds[4];
	for (int i = 0; i < 4; i++) {
		fds[i] = fx_ws_open(&srv, path, NULL, NULL);
		ck_assert_int_ge(fds[i], 0);
		ck_assert_int_eq(fx_ws_call(fds[i], big.data, &resp), 0);
		ck_assert_int_eq(strncmp(resp.data, "{\"id\":7,\"result\":", 17), 0);
		/* The reply goes out at once; the buffer is released (and the
		 * journal says so) right after the message is handled. */
		for (int t = 0; t < 500 && journal_count("released a") < i + 1; t++)
			usleep(10000);
	}
	long after = fx_rss_kb(srv.pid);
	/* Under valgrind or ASan freed memory is held back on purpose. */
	ck_assert_msg(after - before < 40 * 1024 || getenv("CDPMOCK_WRAP") ||
			  getenv("CDPM_SANITIZED"),
		      "RSS went from %ld to %ld kB", before, after);
	ck_assert_int_ge(journal_count("released a"), 4);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	buf_clear(&big);
}
END_TEST

/* ---- closed pages ---- */

START_TEST(closed_pages_are_freed)
{
	/* 1,000 pages with 30 KB URLs, each closed at once: about 30 MB if
	 * closed pages stayed allocated. */
	struct buf req;
	buf_init(&req, 0);
	long before = fx_rss_kb(srv.pid);
	for (int i = 0; i < 1000; i++) {
		buf_reset(&req);
		buf_printf(&req, "PUT /json/new?http://example.test/%d/", i);
		while (req.len < 30000)
			buf_adds(&req, "aaaaaaaaaaaaaaaa");
		buf_printf(&req, " HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", srv.port);
		ck_assert_int_eq(fx_http_once(&srv, req.data, &resp), 0);
		const char *id = strstr(resp.data, "\"id\": \"");
		ck_assert_msg(id != NULL, "%.200s", resp.data);
		buf_reset(&req);
		buf_printf(&req, "GET /json/close/%.32s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n",
			   id + 7, srv.port);
		ck_assert_int_eq(fx_http_once(&srv, req.data, &resp), 0);
		ck_assert_msg(strstr(resp.data, "Target is closing") != NULL, "%s", resp.data);
	}
	long after = fx_rss_kb(srv.pid);
	ck_assert_msg(after - before < 10 * 1024 || getenv("CDPMOCK_WRAP") ||
			  getenv("CDPM_SANITIZED"),
		      "RSS went from %ld to %ld kB", before, after);
	ck_assert_int_eq(fx_get(&srv, "/json/list", &resp), 0);
	ck_assert_ptr_null(strstr(resp.data, "example.test"));
	buf_clear(&req);
}
END_TEST

Suite *limits_suite(void);
Suite *limits_suite(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("http-timeouts");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup_timeouts, teardown);
	tcase_add_test(tc, a_trickled_head_is_cut_at_the_header_timeout);
	tcase_add_test(tc, a_silent_connection_is_cut_at_the_header_timeout);
	tcase_add_test(tc, a_half_sent_websocket_handshake_is_cut_too);
	tcase_add_test(tc, keep_alive_idles_until_the_idle_timeout);
	tcase_add_test(tc, an_open_websocket_has_no_timeout);
	suite_add_tcase(s, tc);
	tc = tcase_create("targets");
	tcase_add_checked_fixture(tc, setup_targets, teardown);
	tcase_add_test(tc, pages_stop_at_max_targets);
	suite_add_tcase(s, tc);
	tc = tcase_create("outbox");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup_outbox, teardown);
	tcase_add_test(tc, a_client_that_does_not_read_is_dropped_at_max_outbox);
	suite_add_tcase(s, tc);
	tc = tcase_create("receive-buffers");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup_default, teardown);
	tcase_add_test(tc, receive_buffers_shrink_after_a_big_message);
	tcase_add_test(tc, closed_pages_are_freed);
	suite_add_tcase(s, tc);
	return s;
}
