/* test_admin.c - the /mock/ admin API over real HTTP: health, the journal
 * ring with its filters, loading and replacing a scenario, reset, emitting
 * an event now, and the loopback-only rule (a peer on another address gets
 * 403). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"

static struct buf resp, msg;

static void setup(void)
{
	static const char *const args[] = {"--journal-ring", "1048576", NULL};
	fx_start(&fx_srv, args);
	buf_init(&resp, 0);
	buf_init(&msg, 0);
}

static void teardown(void)
{
	fx_teardown_server();
	buf_clear(&resp);
	buf_clear(&msg);
}

/* One request with an optional body (always a Content-Length); the whole
 * response goes to resp. */
static void request(const char *method, const char *path, const char *body)
{
	ck_assert_int_eq(fx_request(&fx_srv, method, path, NULL, body ? body : "", &resp), 0);
}

static int status(void)
{
	return atoi(resp.data + 9);
}

START_TEST(health_says_ok)
{
	request("GET", "/mock/health", NULL);
	ck_assert_int_eq(status(), 200);
	ck_assert_ptr_nonnull(strstr(resp.data, "Content-Type:application/json\r\n"));
	static const char head[] = "{\"status\":\"ok\",\"scenario\":\"default\",\"connections\":0,"
				   "\"clock\":\"real\",\"now\":";
	ck_assert_int_eq(strncmp(fx_body(&resp), head, sizeof(head) - 1), 0);
	request("POST", "/mock/health", NULL);
	ck_assert_int_eq(status(), 405);
	request("GET", "/mock/nothing", NULL);
	ck_assert_int_eq(status(), 404);
	ck_assert_str_eq(fx_body(&resp), "{\"error\":\"unknown admin endpoint\"}\n");
}
END_TEST

START_TEST(journal_is_json_lines_with_a_method_filter)
{
	int fd = fx_ws_browser(&fx_srv);
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":1,\"method\":\"Browser.getVersion\"}", &msg), 0);
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":2,\"method\":\"Target.getTargets\"}", &msg), 0);
	request("GET", "/mock/journal", NULL);
	ck_assert_int_eq(status(), 200);
	ck_assert_ptr_nonnull(strstr(resp.data, "Content-Type:application/x-ndjson\r\n"));
	const char *body = fx_body(&resp);
	ck_assert_ptr_nonnull(strstr(body, "\"dir\":\"note\",\"text\":\"WebSocket open on"));
	ck_assert_ptr_nonnull(strstr(body, "\"msg\":{\"id\":2,\"method\":\"Target.getTargets\"}"));
	/* The filter keeps the command and its reply. */
	request("GET", "/mock/journal?method=Browser.getVersion", NULL);
	body = fx_body(&resp);
	int lines = 0;
	for (const char *p = body; *p; p++)
		lines += *p == '\n';
	ck_assert_int_eq(lines, 2);
	ck_assert_ptr_nonnull(strstr(body, "\"dir\":\"in\",\"msg\":{\"id\":1,\"method\":\"Browser.getVersion\"}}\n"));
	ck_assert_ptr_nonnull(strstr(body, "\"dir\":\"out\",\"msg\":{\"id\":1,\"result\":{\"protocolVersion\""));
	ck_assert_ptr_null(strstr(body, "Target.getTargets"));
	request("GET", "/mock/journal?dir=in&conn=999", NULL);
	ck_assert_str_eq(fx_body(&resp), "");
	close(fd);
}
END_TEST

/* The ring is opt-in (an idle server must shrink back after a load) and
 * says how to get it. */
START_TEST(journal_without_a_ring_says_how_to_get_one)
{
	struct fx_server bare;
	fx_start(&bare, NULL);
	ck_assert_int_eq(fx_request(&bare, "GET", "/mock/journal", NULL, "", &resp), 0);
	ck_assert_int_eq(status(), 404);
	ck_assert_str_eq(fx_body(&resp),
			 "{\"error\":\"no journal ring: start cdpmock with --journal-ring BYTES "
			 "(for example 4194304), or read the --journal file\"}\n");
	fx_stop(&bare);
}
END_TEST

/* The ring keeps the newest lines within its memory cap. */
START_TEST(a_small_ring_keeps_the_newest_lines)
{
	static const char *const args[] = {"--journal-ring", "4096", NULL};
	struct fx_server small;
	char cmd[64];
	fx_start(&small, args);
	int fd = fx_ws_browser(&small);
	for (int i = 1; i <= 200; i++) {
		snprintf(cmd, sizeof(cmd), "{\"id\":%d,\"method\":\"Browser.getVersion\"}", i);
		ck_assert_int_eq(fx_ws_call(fd, cmd, &msg), 0);
	}
	ck_assert_int_eq(fx_request(&small, "GET", "/mock/journal?dir=in", NULL, "", &resp), 0);
	ck_assert_int_eq(status(), 200);
	const char *body = fx_body(&resp);
	ck_assert_uint_le(strlen(body), 4096);
	ck_assert_ptr_nonnull(strstr(body, "{\"id\":200,\"method\":\"Browser.getVersion\"}"));
	ck_assert_ptr_null(strstr(body, "{\"id\":1,\"method\""));
	close(fd);
	fx_stop(&small);
}
END_TEST

START_TEST(scenario_loads_replaces_and_reports_errors)
{
	request("PUT", "/mock/scenario?name=bad.json", "{\"description\": 5,\n \"seed\": \"x\"}");
	ck_assert_int_eq(status(), 400);
	ck_assert_str_eq(
	    fx_body(&resp),
	    "bad.json:1:17: .description: expected a string, found 5\n"
	    "bad.json:2:10: .seed: expected an integer from 0 to 9007199254740991, found "
	    "string \"x\"\n");
	/* The old scenario is still in force. */
	request("GET", "/mock/health", NULL);
	ck_assert_ptr_nonnull(strstr(fx_body(&resp), "\"scenario\":\"default\""));
	int fd = fx_ws_browser(&fx_srv);
	request("PUT", "/mock/scenario?name=fast",
		"{\"description\": \"identity\", \"name\": \"who\", \"browser\": {\"product\": "
		"\"Chrome/1.2.3.4\"}, \"targets\": {\"pages\": [{\"url\": \"https://a.test/\", "
		"\"title\": \"A\"}]}, \"rules\": [{\"match\": {\"method\": \"Target.getTargets\"}, "
		"\"action\": {\"reply\": {\"result\": {\"scripted\": true}}}}]}");
	ck_assert_int_eq(status(), 200);
	ck_assert_str_eq(fx_body(&resp), "{\"loaded\":\"who\"}\n");
	/* Loading resets: CDP connections are dropped, pages are the new ones. */
	ck_assert(fx_eof(fd, 2000));
	close(fd);
	struct buf body;
	buf_init(&body, 0);
	ck_assert_int_eq(fx_get(&fx_srv, "/json/version", &body), 0);
	ck_assert_ptr_nonnull(strstr(body.data, "\"Browser\": \"Chrome/1.2.3.4\""));
	ck_assert_int_eq(fx_get(&fx_srv, "/json/list", &body), 0);
	ck_assert_ptr_nonnull(strstr(body.data, "\"title\": \"A\""));
	ck_assert_ptr_null(strstr(body.data, "about:blank"));
	buf_clear(&body);
	fd = fx_ws_browser(&fx_srv);
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":7,\"method\":\"Target.getTargets\"}", &msg), 0);
	ck_assert_str_eq(msg.data, "{\"id\":7,\"result\":{\"scripted\":true}}");
	close(fd);
	request("GET", "/mock/scenario", NULL);
	ck_assert_ptr_nonnull(strstr(fx_body(&resp), "\"name\":\"who\""));
	/* With neither ?name= nor a "name" key: the start of its description. */
	request("PUT", "/mock/scenario",
		"{\"description\": \"tracingComplete never comes: a client waits forever. More "
		"text.\"}");
	ck_assert_int_eq(status(), 200);
	ck_assert_str_eq(fx_body(&resp), "{\"loaded\":\"tracingComplete never comes\"}\n");
	request("PUT", "/mock/scenario",
		"{\"description\": \"A very long first sentence that goes on and on well past sixty "
		"bytes of text\"}");
	ck_assert_str_eq(fx_body(&resp),
			 "{\"loaded\":\"A very long first sentence that goes on and on well past "
			 "six...\"}\n");
	request("GET", "/mock/health", NULL);
	ck_assert_ptr_nonnull(strstr(fx_body(&resp), "\"scenario\":\"A very long first"));
}
END_TEST

START_TEST(reset_drops_connections_and_restores_targets)
{
	int fd = fx_ws_browser(&fx_srv);
	ck_assert_int_eq(fx_ws_call(fd,
				    "{\"id\":1,\"method\":\"Target.createTarget\",\"params\":"
				    "{\"url\":\"about:blank\"}}",
				    &msg),
			 0);
	struct buf before, after;
	buf_init(&before, 0);
	buf_init(&after, 0);
	ck_assert_int_eq(fx_get(&fx_srv, "/json/list", &before), 0);
	request("POST", "/mock/reset", NULL);
	ck_assert_int_eq(status(), 200);
	ck_assert_str_eq(fx_body(&resp), "{\"reset\":true}\n");
	ck_assert(fx_eof(fd, 2000));
	close(fd);
	/* Back to one page, with the id a fresh start gives it. */
	ck_assert_int_eq(fx_get(&fx_srv, "/json/list", &after), 0);
	ck_assert_ptr_nonnull(strstr(after.data, fx_srv.page_id));
	ck_assert_ptr_null(strstr(after.data, "}, {"));
	ck_assert_uint_lt(after.len, before.len);
	request("GET", "/mock/journal", NULL);
	ck_assert_ptr_null(strstr(fx_body(&resp), "Target.createTarget"));
	request("GET", "/mock/reset", NULL);
	ck_assert_int_eq(status(), 405);
	buf_clear(&before);
	buf_clear(&after);
}
END_TEST

START_TEST(emit_sends_an_event_now)
{
	int fd = fx_ws_browser(&fx_srv);
	char text[512];
	snprintf(text, sizeof(text),
		 "{\"id\":1,\"method\":\"Target.attachToTarget\",\"params\":"
		 "{\"targetId\":\"%s\",\"flatten\":true}}",
		 fx_srv.page_id);
	ck_assert_int_eq(fx_ws_text(fd, text), 0);
	ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
	char sid[33];
	snprintf(sid, sizeof(sid), "%.32s", strstr(msg.data, "\"sessionId\":\"") + 13);
	ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
	/* To every root session. */
	request("POST", "/mock/emit", "{\"method\":\"Custom.hello\",\"params\":{\"n\":1}}");
	ck_assert_int_eq(status(), 200);
	ck_assert_str_eq(fx_body(&resp), "{\"sent\":1}\n");
	ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
	ck_assert_str_eq(msg.data, "{\"method\":\"Custom.hello\",\"params\":{\"n\":1}}");
	/* To one session. */
	snprintf(text, sizeof(text), "{\"method\":\"Custom.s\",\"sessionId\":\"%s\"}", sid);
	request("POST", "/mock/emit", text);
	ck_assert_str_eq(fx_body(&resp), "{\"sent\":1}\n");
	ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
	snprintf(text, sizeof(text), "{\"method\":\"Custom.s\",\"params\":{},\"sessionId\":\"%s\"}", sid);
	ck_assert_str_eq(msg.data, text);
	/* To every session of a target. */
	snprintf(text, sizeof(text),
		 "{\"method\":\"Custom.t\",\"params\":{\"x\":[1]},\"targetId\":"
		 "\"%s\"}",
		 fx_srv.page_id);
	request("POST", "/mock/emit", text);
	ck_assert_str_eq(fx_body(&resp), "{\"sent\":1}\n");
	ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
	static const char want[] = "{\"method\":\"Custom.t\",\"params\":{\"x\":[1]},\"sessionId\"";
	ck_assert_int_eq(strncmp(msg.data, want, sizeof(want) - 1), 0);
	request("POST", "/mock/emit", "{\"method\":\"X.y\",\"sessionId\":\"nope\"}");
	ck_assert_int_eq(status(), 404);
	request("POST", "/mock/emit", "{\"params\":[]}");
	ck_assert_int_eq(status(), 400);
	ck_assert_str_eq(fx_body(&resp), "request:1:1: .: expected the key \"method\", found none\n"
					 "request:1:11: .params: expected an object, found an "
					 "array\n");
	close(fd);
}
END_TEST

/* A local address that is not loopback, or 0. */
static in_addr_t other_address(void)
{
	struct ifaddrs *ifa, *i;
	in_addr_t a = 0;
	if (getifaddrs(&ifa))
		return 0;
	for (i = ifa; i && !a; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		in_addr_t x = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
		if ((ntohl(x) >> 24) != 127)
			a = x;
	}
	freeifaddrs(ifa);
	return a;
}

START_TEST(non_loopback_peers_get_403)
{
	in_addr_t addr = other_address();
	if (!addr) {
		fprintf(stderr, "non_loopback_peers_get_403: no non-loopback IPv4 address; skipped\n");
		return;
	}
	struct fx_server wide;
	const char *args[] = {"--remote-debugging-address=0.0.0.0", NULL};
	fx_start(&wide, args);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)wide.port)};
	sa.sin_addr.s_addr = addr;
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	char ip[32], req[256];
	inet_ntop(AF_INET, &addr, ip, sizeof(ip));
	snprintf(req, sizeof(req), "POST /mock/reset HTTP/1.1\r\nHost: %s:%d\r\n\r\n", ip, wide.port);
	ck_assert_int_eq(fx_http(fd, req, &resp), 0);
	ck_assert_int_eq(status(), 403);
	ck_assert_str_eq(fx_body(&resp),
			 "{\"error\":\"the admin API only answers loopback peers\"}\n");
	/* The DevTools endpoints still answer that peer, as Chrome's do. */
	snprintf(req, sizeof(req), "GET /json/version HTTP/1.1\r\nHost: %s:%d\r\n\r\n", ip, wide.port);
	ck_assert_int_eq(fx_http(fd, req, &resp), 0);
	ck_assert_int_eq(status(), 200);
	close(fd);
	fx_stop(&wide);
}
END_TEST

Suite *admin_suite(void);
Suite *admin_suite(void)
{
	Suite *s = suite_create("admin");
	TCase *tc = tcase_create("api");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, health_says_ok);
	tcase_add_test(tc, journal_is_json_lines_with_a_method_filter);
	tcase_add_test(tc, journal_without_a_ring_says_how_to_get_one);
	tcase_add_test(tc, a_small_ring_keeps_the_newest_lines);
	tcase_add_test(tc, scenario_loads_replaces_and_reports_errors);
	tcase_add_test(tc, reset_drops_connections_and_restores_targets);
	tcase_add_test(tc, emit_sends_an_event_now);
	tcase_add_test(tc, non_loopback_peers_get_403);
	suite_add_tcase(s, tc);
	return s;
}
