/* test_session.c - targets and flat sessions (docs/chrome.md §6.1-§6.2, docs/clients.md §4):
 * event-before-reply ordering, sessionId as the last key, detach, unknown
 * sessions, the browser identity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static struct buf msg, want;

static void setup(void)
{
	fx_setup();
	buf_init(&msg, 0);
	buf_init(&want, 0);
}

static void teardown(void)
{
	fx_teardown();
	buf_clear(&msg);
	buf_clear(&want);
}

#define SEND(...)                                                                                  \
	do {                                                                                       \
		char text_[1024];                                                                  \
		snprintf(text_, sizeof(text_), __VA_ARGS__);                                       \
		ck_assert_int_eq(fx_ws_text(fx_br.fd, text_), 0);                                  \
	} while (0)

static void next(void)
{
	ck_assert_int_eq(fx_ws_next_text(fx_br.fd, 5000, &msg), 0);
}

/* Attaches to the page; returns the session id in sid (33 bytes). */
static void attach(char *sid, const char *ctx_out_unused)
{
	(void)ctx_out_unused;
	SEND("{\"id\":1,\"method\":\"Target.attachToTarget\",\"params\":{\"targetId\":\"%s\","
	     "\"flatten\":true}}",
	     fx_srv.page_id);
	next();
	const char *p = "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"";
	ck_assert_int_eq(strncmp(msg.data, p, strlen(p)), 0);
	snprintf(sid, 33, "%.32s", msg.data + strlen(p));
	const char *ctx = strstr(msg.data, "\"browserContextId\":\"");
	ck_assert_ptr_nonnull(ctx);
	buf_reset(&want);
	buf_printf(&want,
		   "%s%s\",\"targetInfo\":{\"targetId\":\"%s\",\"type\":\"page\",\"title\":"
		   "\"about:blank\",\"url\":\"about:blank\",\"attached\":true,"
		   "\"canAccessOpener\":false,\"browserContextId\":\"%.32s\"},"
		   "\"waitingForDebugger\":false}}",
		   p, sid, fx_srv.page_id, ctx + 20);
	ck_assert_str_eq(msg.data, want.data);
	next();
	buf_reset(&want);
	buf_printf(&want, "{\"id\":1,\"result\":{\"sessionId\":\"%s\"}}", sid);
	ck_assert_str_eq(msg.data, want.data);
}

START_TEST(attach_sends_the_event_first)
{
	char sid[33];
	attach(sid, NULL);
	/* Replies and errors on the session end with its sessionId. */
	SEND("{\"id\":2,\"method\":\"Browser.getVersion\",\"sessionId\":\"%s\"}", sid);
	next();
	buf_reset(&want);
	buf_printf(&want, "\"jsVersion\":\"15.6.75.27\"},\"sessionId\":\"%s\"}", sid);
	ck_assert_str_eq(msg.data + msg.len - want.len, want.data);
	SEND("{\"id\":3,\"method\":\"Nope.nope\",\"sessionId\":\"%s\"}", sid);
	next();
	buf_reset(&want);
	buf_printf(&want, "{\"id\":3,\"error\":{\"code\":-32601,\"message\":\"'Nope.nope' wasn't "
			  "found\"},\"sessionId\":\"%s\"}", sid);
	ck_assert_str_eq(msg.data, want.data);
}
END_TEST

START_TEST(detach_sends_the_event_first)
{
	char sid[33];
	attach(sid, NULL);
	SEND("{\"id\":4,\"method\":\"Target.detachFromTarget\",\"params\":{\"sessionId\":\"%s\"}}",
		  sid);
	next();
	buf_reset(&want);
	buf_printf(&want,
		   "{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"%s\","
		   "\"targetId\":\"%s\"}}",
		   sid, fx_srv.page_id);
	ck_assert_str_eq(msg.data, want.data);
	next();
	ck_assert_str_eq(msg.data, "{\"id\":4,\"result\":{}}");
	SEND("{\"id\":5,\"method\":\"Browser.getVersion\",\"sessionId\":\"%s\"}", sid);
	next();
	ck_assert_str_eq(msg.data, "{\"id\":5,\"error\":{\"code\":-32001,\"message\":\"Session with "
				   "given id not found.\"}}");
}
END_TEST

START_TEST(get_version_is_chrome_156)
{
	SEND("{\"id\":1,\"method\":\"Browser.getVersion\"}");
	next();
	ck_assert_str_eq(msg.data,
			 "{\"id\":1,\"result\":{\"protocolVersion\":\"1.3\",\"product\":\"Chrome/"
			 "156.0.8078.79\",\"revision\":\"@a21ce95c24ce3964416f09ae1862f53f319eb4d0\","
			 "\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
			 "like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36\",\"jsVersion\":"
			 "\"15.6.75.27\"}}");
}
END_TEST

START_TEST(discover_lists_the_browser_target)
{
	SEND("{\"id\":1,\"method\":\"Target.getBrowserContexts\"}");
	next();
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":1,\"result\":{\"browserContextIds\":[],"
					   "\"defaultBrowserContextId\":\"", 67), 0);
	/* With puppeteer's filter [{}]: Chrome's default filter (none given)
	 * leaves the browser out (test_tabs.c). */
	SEND("{\"id\":2,\"method\":\"Target.setDiscoverTargets\",\"params\":{\"discover\":true,"
	     "\"filter\":[{}]}}");
	int saw_browser = 0, saw_page = 0;
	for (;;) {
		next();
		if (!strncmp(msg.data, "{\"id\":2,", 8))
			break;
		ck_assert_int_eq(strncmp(msg.data, "{\"method\":\"Target.targetCreated\"", 32), 0);
		buf_reset(&want);
		buf_printf(&want,
			   "{\"targetId\":\"%s\",\"type\":\"browser\",\"title\":\"\",\"url\":\"\","
			   "\"attached\":true,\"canAccessOpener\":false}",
			   fx_srv.browser_id);
		saw_browser |= strstr(msg.data, want.data) != NULL;
		saw_page |= strstr(msg.data, fx_srv.page_id) != NULL;
	}
	ck_assert_str_eq(msg.data, "{\"id\":2,\"result\":{}}");
	ck_assert(saw_browser && saw_page);
}
END_TEST

START_TEST(auto_attach_needs_flatten)
{
	SEND("{\"id\":1,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
		  "\"waitForDebuggerOnStart\":false}}");
	next();
	ck_assert_str_eq(msg.data, "{\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Only flatten "
				   "protocol is supported with browser level auto-attach\"}}");
	SEND("{\"id\":2,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
		  "\"waitForDebuggerOnStart\":false,\"flatten\":true}}");
	next();
	ck_assert_int_eq(strncmp(msg.data, "{\"method\":\"Target.attachedToTarget\"", 35), 0);
	ck_assert_ptr_nonnull(strstr(msg.data, fx_srv.page_id));
	next();
	ck_assert_str_eq(msg.data, "{\"id\":2,\"result\":{}}");
}
END_TEST

START_TEST(create_and_close_target)
{
	SEND("{\"id\":1,\"method\":\"Target.createTarget\",\"params\":{\"url\":\"about:blank\"}}");
	next();
	const char *p = "{\"id\":1,\"result\":{\"targetId\":\"";
	ck_assert_int_eq(strncmp(msg.data, p, strlen(p)), 0);
	char tid[33];
	snprintf(tid, sizeof(tid), "%.32s", msg.data + strlen(p));
	char sid[33];
	SEND("{\"id\":2,\"method\":\"Target.attachToTarget\",\"params\":{\"targetId\":\"%s\","
		  "\"flatten\":true}}", tid);
	next();
	snprintf(sid, sizeof(sid), "%.32s", strstr(msg.data, "\"sessionId\":\"") + 13);
	next();
	SEND("{\"id\":3,\"method\":\"Target.closeTarget\",\"params\":{\"targetId\":\"%s\"}}", tid);
	next();
	ck_assert_str_eq(msg.data, "{\"id\":3,\"result\":{\"success\":true}}");
	/* Chrome tells the page's session first. */
	next();
	buf_reset(&want);
	buf_printf(&want, "{\"method\":\"Inspector.detached\",\"params\":{\"reason\":\"Render process "
			  "gone.\"},\"sessionId\":\"%s\"}", sid);
	ck_assert_str_eq(msg.data, want.data);
	next();
	buf_reset(&want);
	buf_printf(&want, "{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"%s\","
			  "\"targetId\":\"%s\"}}", sid, tid);
	ck_assert_str_eq(msg.data, want.data);
}
END_TEST

Suite *session_suite(void);
Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("target");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, attach_sends_the_event_first);
	tcase_add_test(tc, detach_sends_the_event_first);
	tcase_add_test(tc, get_version_is_chrome_156);
	tcase_add_test(tc, discover_lists_the_browser_target);
	tcase_add_test(tc, auto_attach_needs_flatten);
	tcase_add_test(tc, create_and_close_target);
	suite_add_tcase(s, tc);
	return s;
}
