/* test_tabs.c - Chrome 156's target model (docs/chrome.md §5): tab targets
 * that own pages, Target.setAutoAttach filters (the first matching entry
 * wins; the default admits pages only), auto-attach nested in a tab session
 * as puppeteer uses it, the creation and closing sequences, targetInfoChanged
 * after a navigation, and browser contexts (created, listed, owning pages,
 * disposed with their events, disposed when the connection that asked for
 * disposeOnDetach goes).  Every frame is compared whole, in order, with the
 * bytes real Chromium 156 sent for the same commands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static struct buf want;

static void setup(void)
{
	fx_setup();
	buf_init(&want, 0);
}

static void teardown(void)
{
	buf_clear(&want);
	fx_teardown();
}

/* The value of "key":"..." in frame (the first one), into out (64 bytes). */
static void grab(const char *frame, const char *key, char *out)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *p = strstr(frame, pat);
	ck_assert_msg(p != NULL, "no %s in %s", key, frame);
	p += strlen(pat);
	size_t n = strcspn(p, "\"");
	ck_assert_uint_lt(n, 64);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* A flat session on the browser socket, as an fx_conn. */
static void on_session(struct fx_conn *s, const char *sid)
{
	memset(s, 0, sizeof(*s));
	s->fd = fx_br.fd;
	ck_assert_uint_lt(strlen(sid), sizeof(s->sid));
	memcpy(s->sid, sid, strlen(sid) + 1);
	buf_init(&s->msg, 0);
}

/* The TargetInfo objects as Chrome writes them. */
#define PAGE_INFO(id, url, attached, ctx)                                                          \
	"{\"targetId\":\"" id "\",\"type\":\"page\",\"title\":\"" url "\",\"url\":\"" url           \
	"\",\"attached\":" attached ",\"canAccessOpener\":false,\"browserContextId\":\"" ctx "\"}"
#define TAB_INFO(id, url, attached, index)                                                         \
	"{\"targetId\":\"" id "\",\"type\":\"tab\",\"title\":\"" url "\",\"url\":\"" url            \
	"\",\"attached\":" attached ",\"canAccessOpener\":false,\"browserContextId\":\"*\","        \
	"\"embedderData\":{\"tabActive\":true,\"tabPinned\":false,\"tabStripIndex\":" index "}}"

/* puppeteer's root auto-attach: tabs, not pages. */
#define PUPPETEER_ROOT                                                                             \
	"{\"id\":%d,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"          \
	"\"waitForDebuggerOnStart\":true,\"flatten\":true,\"filter\":[{\"type\":\"page\","         \
	"\"exclude\":true},{}]}}"

static void sendf(struct fx_conn *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sendf(struct fx_conn *p, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fx_send(p, text);
}

static void expectf(struct fx_conn *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expectf(struct fx_conn *p, const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fx_expect(p, text);
}

START_TEST(discovery_filters_decide_what_is_listed)
{
	const char *pid = fx_srv.page_id;
	/* No filter: pages only (Chrome's default excludes the browser and
	 * tabs). */
	fx_send(&fx_br, "{\"id\":1,\"method\":\"Target.setDiscoverTargets\",\"params\":"
			"{\"discover\":true}}");
	expectf(&fx_br, "{\"method\":\"Target.targetCreated\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "about:blank", "false", "*") "}}", pid);
	fx_expect(&fx_br, "{\"id\":1,\"result\":{}}");
	fx_send(&fx_br, "{\"id\":2,\"method\":\"Target.setDiscoverTargets\",\"params\":"
			"{\"discover\":false}}");
	fx_expect(&fx_br, "{\"id\":2,\"result\":{}}");
	/* puppeteer's [{}]: the page, its tab, the browser. */
	fx_send(&fx_br, "{\"id\":3,\"method\":\"Target.setDiscoverTargets\",\"params\":"
			"{\"discover\":true,\"filter\":[{}]}}");
	expectf(&fx_br, "{\"method\":\"Target.targetCreated\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "about:blank", "false", "*") "}}", pid);
	fx_expect(&fx_br, "{\"method\":\"Target.targetCreated\",\"params\":{\"targetInfo\":"
		  TAB_INFO("*", "about:blank", "false", "0") "}}");
	expectf(&fx_br, "{\"method\":\"Target.targetCreated\",\"params\":{\"targetInfo\":"
		"{\"targetId\":\"%s\",\"type\":\"browser\",\"title\":\"\",\"url\":\"\","
		"\"attached\":true,\"canAccessOpener\":false}}}", fx_srv.browser_id);
	fx_expect(&fx_br, "{\"id\":3,\"result\":{}}");
	char tab[64];
	/* getTargets never lists the browser; its filter works the same way. */
	fx_send(&fx_br, "{\"id\":4,\"method\":\"Target.getTargets\",\"params\":{\"filter\":[{}]}}");
	expectf(&fx_br, "{\"id\":4,\"result\":{\"targetInfos\":["
		PAGE_INFO("%s", "about:blank", "false", "*") ","
		TAB_INFO("*", "about:blank", "false", "0") "]}}", pid);
	grab(strstr(fx_br.msg.data, "},{"), "targetId", tab); /* the second entry's */
	ck_assert_str_ne(tab, pid);
	fx_send(&fx_br, "{\"id\":5,\"method\":\"Target.getTargets\"}");
	expectf(&fx_br, "{\"id\":5,\"result\":{\"targetInfos\":["
		PAGE_INFO("%s", "about:blank", "false", "*") "]}}", pid);
	fx_send(&fx_br, "{\"id\":6,\"method\":\"Target.getTargets\",\"params\":{\"filter\":[]}}");
	fx_expect(&fx_br, "{\"id\":6,\"result\":{\"targetInfos\":[]}}");
	fx_send(&fx_br, "{\"id\":7,\"method\":\"Target.getTargets\",\"params\":{\"filter\":"
			"[{\"type\":\"page\",\"exclude\":true},{\"type\":\"tab\"}]}}");
	expectf(&fx_br, "{\"id\":7,\"result\":{\"targetInfos\":["
		TAB_INFO("%s", "about:blank", "false", "0") "]}}", tab);
	/* A tab's id finds it. */
	sendf(&fx_br, "{\"id\":8,\"method\":\"Target.getTargetInfo\",\"params\":"
		      "{\"targetId\":\"%s\"}}", tab);
	expectf(&fx_br, "{\"id\":8,\"result\":{\"targetInfo\":"
		TAB_INFO("%s", "about:blank", "false", "0") "}}", tab);
}
END_TEST

START_TEST(puppeteer_attaches_the_tab_then_the_page_inside_it)
{
	const char *pid = fx_srv.page_id;
	char tsid[64], tab[64], psid[64];
	sendf(&fx_br, PUPPETEER_ROOT, 1);
	fx_expect(&fx_br, "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"*\","
		  "\"targetInfo\":" TAB_INFO("*", "about:blank", "true", "0") ","
		  "\"waitingForDebugger\":false}}");
	grab(fx_br.msg.data, "sessionId", tsid);
	grab(fx_br.msg.data, "targetId", tab);
	fx_expect(&fx_br, "{\"id\":1,\"result\":{}}");

	struct fx_conn t;
	on_session(&t, tsid);
	/* A tab has no page domains; it answers runIfWaitingForDebugger. */
	fx_call(&t, "{\"id\":2,\"method\":\"Runtime.runIfWaitingForDebugger\"}",
		"{\"id\":2,\"result\":{}}");
	fx_call(&t, "{\"id\":3,\"method\":\"Page.enable\"}",
		"{\"id\":3,\"error\":{\"code\":-32601,\"message\":\"'Page.enable' wasn't found\"}}");
	fx_call(&t, "{\"id\":4,\"method\":\"Browser.getVersion\"}",
		"{\"id\":4,\"error\":{\"code\":-32601,\"message\":\"'Browser.getVersion' wasn't "
		"found\"}}");
	fx_call(&t, "{\"id\":5,\"method\":\"Target.getBrowserContexts\"}",
		"{\"id\":5,\"error\":{\"code\":-32000,\"message\":\"Not allowed\"}}");
	/* Auto-attach inside the tab: its page, announced on the tab session. */
	fx_send(&t, "{\"id\":6,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
		    "\"waitForDebuggerOnStart\":true,\"flatten\":true,\"filter\":[{}]}}");
	expectf(&t, "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"*\","
		"\"targetInfo\":" PAGE_INFO("%s", "about:blank", "true", "*") ","
		"\"waitingForDebugger\":false}}", pid);
	grab(t.msg.data, "sessionId", psid);
	fx_expect(&t, "{\"id\":6,\"result\":{}}");
	/* Sending it again attaches nothing twice. */
	fx_call(&t, "{\"id\":7,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
		    "\"waitForDebuggerOnStart\":true,\"flatten\":true,\"filter\":[{}]}}",
		"{\"id\":7,\"result\":{}}");
	/* The page session works. */
	struct fx_conn p;
	on_session(&p, psid);
	fx_call(&p, "{\"id\":8,\"method\":\"Target.getTargetInfo\"}", "{\"id\":8,\"result\":{*");
	/* Auto-attach off detaches the page, on the tab session, before the
	 * reply. */
	fx_send(&t, "{\"id\":9,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":false,"
		    "\"waitForDebuggerOnStart\":false}}");
	expectf(&t, "{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"%s\","
		"\"targetId\":\"%s\"}}", psid, pid);
	fx_expect(&t, "{\"id\":9,\"result\":{}}");
	fx_send(&p, "{\"id\":10,\"method\":\"Target.getTargetInfo\"}");
	fx_expect(&fx_br, "{\"id\":10,\"error\":{\"code\":-32001,\"message\":\"Session with given id "
			  "not found.\"}}");
	/* In a tab, flatten is not required. */
	fx_send(&t, "{\"id\":11,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
		    "\"waitForDebuggerOnStart\":false}}");
	expectf(&t, "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"*\","
		"\"targetInfo\":" PAGE_INFO("%s", "about:blank", "true", "*") ","
		"\"waitingForDebugger\":false}}", pid);
	fx_expect(&t, "{\"id\":11,\"result\":{}}");
	/* Detaching the tab takes its page session with it. */
	sendf(&fx_br, "{\"id\":12,\"method\":\"Target.detachFromTarget\",\"params\":"
		      "{\"sessionId\":\"%s\"}}", tsid);
	expectf(&t, "{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"*\","
		"\"targetId\":\"%s\"}}", pid);
	expectf(&fx_br, "{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"%s\","
		"\"targetId\":\"%s\"}}", tsid, tab);
	fx_expect(&fx_br, "{\"id\":12,\"result\":{}}");
	fx_close(&t);
	fx_close(&p);
}
END_TEST

START_TEST(browser_filters_are_chromes)
{
	/* Tabs and pages both at the browser level: refused. */
	fx_send(&fx_br, "{\"id\":1,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
			"\"waitForDebuggerOnStart\":false,\"flatten\":true,\"filter\":[{}]}}");
	fx_expect(&fx_br, "{\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Filter should not "
			  "simultaneously allow \\\"tab\\\" and \\\"page\\\", page targets are "
			  "attached via tab targets\"}}");
	/* An empty filter admits nothing. */
	fx_send(&fx_br, "{\"id\":2,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
			"\"waitForDebuggerOnStart\":false,\"flatten\":true,\"filter\":[]}}");
	fx_expect(&fx_br, "{\"id\":2,\"result\":{}}");
	/* The first matching entry wins: pages in, the later exclusion
	 * ignored. */
	fx_send(&fx_br, "{\"id\":3,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
			"\"waitForDebuggerOnStart\":false,\"flatten\":true,\"filter\":[{\"type\":"
			"\"page\"},{\"type\":\"page\",\"exclude\":true}]}}");
	expectf(&fx_br, "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"*\","
		"\"targetInfo\":" PAGE_INFO("%s", "about:blank", "true", "*") ","
		"\"waitingForDebugger\":false}}", fx_srv.page_id);
	fx_expect(&fx_br, "{\"id\":3,\"result\":{}}");
	/* Turning it off detaches what it attached. */
	fx_send(&fx_br, "{\"id\":4,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":"
			"false,\"waitForDebuggerOnStart\":false,\"flatten\":true}}");
	expectf(&fx_br, "{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"*\","
		"\"targetId\":\"%s\"}}", fx_srv.page_id);
	fx_expect(&fx_br, "{\"id\":4,\"result\":{}}");
}
END_TEST

START_TEST(create_and_close_in_the_tab_model)
{
	char tsid[64], tab[64], pid[64], psid[64];
	fx_send(&fx_br, "{\"id\":1,\"method\":\"Target.setDiscoverTargets\",\"params\":"
			"{\"discover\":true,\"filter\":[{}]}}");
	for (int i = 0; i < 3; i++)
		fx_expect(&fx_br, "{\"method\":\"Target.targetCreated\",*");
	fx_expect(&fx_br, "{\"id\":1,\"result\":{}}");
	sendf(&fx_br, PUPPETEER_ROOT, 2);
	fx_expect(&fx_br, "{\"method\":\"Target.targetInfoChanged\",*\"type\":\"tab\"*");
	fx_expect(&fx_br, "{\"method\":\"Target.attachedToTarget\",*\"type\":\"tab\"*");
	fx_expect(&fx_br, "{\"id\":2,\"result\":{}}");
	/* Chrome's order: the tab (no url yet), its attach, waiting for the
	 * debugger; the page; then the reply. */
	fx_send(&fx_br, "{\"id\":3,\"method\":\"Target.createTarget\",\"params\":"
			"{\"url\":\"about:blank\"}}");
	fx_expect(&fx_br, "{\"method\":\"Target.targetCreated\",\"params\":{\"targetInfo\":"
		  TAB_INFO("*", "", "false", "1") "}}");
	grab(fx_br.msg.data, "targetId", tab);
	expectf(&fx_br, "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":"
		TAB_INFO("%s", "", "true", "1") "}}", tab);
	expectf(&fx_br, "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"*\","
		"\"targetInfo\":" TAB_INFO("%s", "", "true", "1") ",\"waitingForDebugger\":true}}",
		tab);
	grab(fx_br.msg.data, "sessionId", tsid);
	fx_expect(&fx_br, "{\"method\":\"Target.targetCreated\",\"params\":{\"targetInfo\":"
		  PAGE_INFO("*", "about:blank", "false", "*") "}}");
	grab(fx_br.msg.data, "targetId", pid);
	expectf(&fx_br, "{\"id\":3,\"result\":{\"targetId\":\"%s\"}}", pid);

	struct fx_conn t;
	on_session(&t, tsid);
	fx_send(&t, "{\"id\":4,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
		    "\"waitForDebuggerOnStart\":true,\"flatten\":true,\"filter\":[{}]}}");
	expectf(&fx_br, "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "about:blank", "true", "*") "}}", pid);
	expectf(&t, "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"*\","
		"\"targetInfo\":" PAGE_INFO("%s", "about:blank", "true", "*") ","
		"\"waitingForDebugger\":false}}", pid);
	grab(t.msg.data, "sessionId", psid);
	fx_expect(&t, "{\"id\":4,\"result\":{}}");

	/* closeTarget: the reply, then the page goes, then its tab. */
	sendf(&fx_br, "{\"id\":5,\"method\":\"Target.closeTarget\",\"params\":{\"targetId\":\"%s\"}}",
	      pid);
	fx_expect(&fx_br, "{\"id\":5,\"result\":{\"success\":true}}");
	struct fx_conn p;
	on_session(&p, psid);
	fx_expect(&p, "{\"method\":\"Inspector.detached\",\"params\":{\"reason\":\"Render process "
		      "gone.\"}}");
	expectf(&fx_br, "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "", "false", "*") "}}", pid);
	expectf(&t, "{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"%s\","
		"\"targetId\":\"%s\"}}", psid, pid);
	expectf(&fx_br, "{\"method\":\"Target.targetDestroyed\",\"params\":{\"targetId\":\"%s\"}}",
		pid);
	expectf(&fx_br, "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":"
		"{\"targetId\":\"%s\",\"type\":\"tab\",\"title\":\"\",\"url\":\"\",\"attached\":false,"
		"\"canAccessOpener\":false,\"browserContextId\":\"*\"}}}", tab);
	expectf(&fx_br, "{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"%s\","
		"\"targetId\":\"%s\"}}", tsid, tab);
	expectf(&fx_br, "{\"method\":\"Target.targetDestroyed\",\"params\":{\"targetId\":\"%s\"}}",
		tab);
	ck_assert(fx_quiet(&fx_br, 200));
	sendf(&fx_br, "{\"id\":6,\"method\":\"Target.getTargetInfo\",\"params\":{\"targetId\":\"%s\"}}",
	      tab);
	fx_expect(&fx_br, "{\"id\":6,\"error\":{\"code\":-32602,\"message\":\"No target with given id "
			  "found\"}}");
	fx_close(&t);
	fx_close(&p);
}
END_TEST

START_TEST(a_navigation_changes_the_target_info)
{
	char sid[64];
	const char *pid = fx_srv.page_id;
	fx_send(&fx_br, "{\"id\":1,\"method\":\"Target.setDiscoverTargets\",\"params\":"
			"{\"discover\":true}}");
	fx_expect(&fx_br, "{\"method\":\"Target.targetCreated\",*");
	fx_expect(&fx_br, "{\"id\":1,\"result\":{}}");
	sendf(&fx_br, "{\"id\":2,\"method\":\"Target.attachToTarget\",\"params\":{\"targetId\":\"%s\","
		      "\"flatten\":true}}", pid);
	expectf(&fx_br, "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "about:blank", "true", "*") "}}", pid);
	fx_expect(&fx_br, "{\"method\":\"Target.attachedToTarget\",*");
	grab(fx_br.msg.data, "sessionId", sid);
	fx_expect(&fx_br, "{\"id\":2,*");
	struct fx_conn p;
	on_session(&p, sid);
	fx_send(&p, "{\"id\":3,\"method\":\"Page.navigate\",\"params\":{\"url\":"
		    "\"data:text/html,<b>x</b>\"}}");
	fx_expect(&p, "{\"id\":3,\"result\":{\"frameId\":*");
	/* No <title>: the title is the URL, as it is (not HTML-escaped). */
	expectf(&fx_br, "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "data:text/html,<b>x</b>", "true", "*") "}}", pid);
	/* Detaching the last session: detachedFromTarget, then the info. */
	sendf(&fx_br, "{\"id\":4,\"method\":\"Target.detachFromTarget\",\"params\":"
		      "{\"sessionId\":\"%s\"}}", sid);
	fx_expect(&fx_br, "{\"method\":\"Target.detachedFromTarget\",*");
	expectf(&fx_br, "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "data:text/html,<b>x</b>", "false", "*") "}}", pid);
	fx_expect(&fx_br, "{\"id\":4,\"result\":{}}");
	fx_close(&p);
}
END_TEST

START_TEST(browser_contexts_own_their_pages)
{
	char ctx[64], pid[64], sid[64], dflt[64];
	fx_send(&fx_br, "{\"id\":1,\"method\":\"Target.createBrowserContext\",\"params\":"
			"{\"disposeOnDetach\":true}}");
	fx_expect(&fx_br, "{\"id\":1,\"result\":{\"browserContextId\":\"*\"}}");
	grab(fx_br.msg.data, "browserContextId", ctx);
	ck_assert_uint_eq(strspn(ctx, "0123456789ABCDEF"), 32);
	fx_send(&fx_br, "{\"id\":2,\"method\":\"Target.getBrowserContexts\"}");
	expectf(&fx_br, "{\"id\":2,\"result\":{\"browserContextIds\":[\"%s\"],"
		"\"defaultBrowserContextId\":\"*\"}}", ctx);
	grab(fx_br.msg.data, "defaultBrowserContextId", dflt);
	ck_assert_str_ne(ctx, dflt);
	/* playwright's connection: the default filter, waiting on start. */
	fx_send(&fx_br, "{\"id\":3,\"method\":\"Target.setDiscoverTargets\",\"params\":"
			"{\"discover\":true}}");
	fx_expect(&fx_br, "{\"method\":\"Target.targetCreated\",*");
	fx_expect(&fx_br, "{\"id\":3,\"result\":{}}");
	fx_send(&fx_br, "{\"id\":4,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
			"\"waitForDebuggerOnStart\":true,\"flatten\":true}}");
	fx_expect(&fx_br, "{\"method\":\"Target.targetInfoChanged\",*");
	fx_expect(&fx_br, "{\"method\":\"Target.attachedToTarget\",*\"waitingForDebugger\":false}}");
	fx_expect(&fx_br, "{\"id\":4,\"result\":{}}");
	sendf(&fx_br, "{\"id\":5,\"method\":\"Target.createTarget\",\"params\":{\"url\":\"about:blank\","
		      "\"browserContextId\":\"%s\"}}", ctx);
	buf_reset(&want);
	buf_printf(&want, "{\"method\":\"Target.targetCreated\",\"params\":{\"targetInfo\":"
		   PAGE_INFO("*", "about:blank", "false", "%s") "}}", ctx);
	fx_expect(&fx_br, want.data);
	grab(fx_br.msg.data, "targetId", pid);
	expectf(&fx_br, "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "about:blank", "true", "%s") "}}", pid, ctx);
	expectf(&fx_br, "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"*\","
		"\"targetInfo\":" PAGE_INFO("%s", "about:blank", "true", "%s") ","
		"\"waitingForDebugger\":true}}", pid, ctx);
	grab(fx_br.msg.data, "sessionId", sid);
	expectf(&fx_br, "{\"id\":5,\"result\":{\"targetId\":\"%s\"}}", pid);
	/* The page session may not manage contexts. */
	struct fx_conn p;
	on_session(&p, sid);
	fx_call(&p, "{\"id\":6,\"method\":\"Target.getBrowserContexts\"}",
		"{\"id\":6,\"error\":{\"code\":-32000,\"message\":\"Not allowed\"}}");
	fx_call(&p, "{\"id\":7,\"method\":\"Target.createBrowserContext\"}",
		"{\"id\":7,\"error\":{\"code\":-32000,\"message\":\"Not allowed\"}}");
	/* Disposing: each page's events, then the reply. */
	sendf(&fx_br, "{\"id\":8,\"method\":\"Target.disposeBrowserContext\",\"params\":"
		      "{\"browserContextId\":\"%s\"}}", ctx);
	fx_expect(&p, "{\"method\":\"Inspector.detached\",\"params\":{\"reason\":\"Render process "
		      "gone.\"}}");
	expectf(&fx_br, "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "about:blank", "false", "%s") "}}", pid, ctx);
	expectf(&fx_br, "{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"%s\","
		"\"targetId\":\"%s\"}}", sid, pid);
	expectf(&fx_br, "{\"method\":\"Target.targetDestroyed\",\"params\":{\"targetId\":\"%s\"}}",
		pid);
	fx_expect(&fx_br, "{\"id\":8,\"result\":{}}");
	fx_send(&fx_br, "{\"id\":9,\"method\":\"Target.getBrowserContexts\"}");
	expectf(&fx_br, "{\"id\":9,\"result\":{\"browserContextIds\":[],"
		"\"defaultBrowserContextId\":\"%s\"}}", dflt);
	/* Chrome's errors for a context it does not know. */
	sendf(&fx_br, "{\"id\":10,\"method\":\"Target.disposeBrowserContext\",\"params\":"
		      "{\"browserContextId\":\"%s\"}}", ctx);
	expectf(&fx_br, "{\"id\":10,\"error\":{\"code\":-32000,\"message\":\"Failed to find context "
		"with id %s\"}}", ctx);
	fx_send(&fx_br, "{\"id\":11,\"method\":\"Target.createTarget\",\"params\":{\"url\":"
			"\"about:blank\",\"browserContextId\":\"NOPE\"}}");
	fx_expect(&fx_br, "{\"id\":11,\"error\":{\"code\":-32000,\"message\":\"Failed to find "
			  "browser context with id NOPE\"}}");
	/* The default context's id is a valid browserContextId. */
	sendf(&fx_br, "{\"id\":12,\"method\":\"Target.createTarget\",\"params\":{\"url\":"
		      "\"about:blank\",\"browserContextId\":\"%s\"}}", dflt);
	buf_reset(&want);
	buf_printf(&want, "{\"method\":\"Target.targetCreated\",\"params\":{\"targetInfo\":"
		   PAGE_INFO("*", "about:blank", "false", "%s") "}}", dflt);
	fx_expect(&fx_br, want.data);
	fx_close(&p);
}
END_TEST

START_TEST(dispose_on_detach_goes_with_its_connection)
{
	char ctx[64], pid[64];
	struct fx_conn b;
	fx_browser(&b, &fx_srv);
	fx_send(&b, "{\"id\":1,\"method\":\"Target.createBrowserContext\",\"params\":"
		    "{\"disposeOnDetach\":true}}");
	fx_expect(&b, "{\"id\":1,\"result\":{\"browserContextId\":\"*\"}}");
	grab(b.msg.data, "browserContextId", ctx);
	fx_send(&b, "{\"id\":2,\"method\":\"Target.createBrowserContext\"}");
	fx_expect(&b, "{\"id\":2,\"result\":{\"browserContextId\":\"*\"}}");
	sendf(&b, "{\"id\":3,\"method\":\"Target.createTarget\",\"params\":{\"url\":\"about:blank\","
		  "\"browserContextId\":\"%s\"}}", ctx);
	fx_expect(&b, "{\"id\":3,\"result\":{\"targetId\":\"*\"}}");
	grab(b.msg.data, "targetId", pid);
	fx_send(&fx_br, "{\"id\":4,\"method\":\"Target.setDiscoverTargets\",\"params\":"
			"{\"discover\":true}}");
	fx_expect(&fx_br, "{\"method\":\"Target.targetCreated\",*");
	fx_expect(&fx_br, "{\"method\":\"Target.targetCreated\",*");
	fx_expect(&fx_br, "{\"id\":4,\"result\":{}}");
	fx_close(&b);
	/* Its context goes with it, and its page; the other context stays. */
	expectf(&fx_br, "{\"method\":\"Target.targetDestroyed\",\"params\":{\"targetId\":\"%s\"}}",
		pid);
	fx_send(&fx_br, "{\"id\":5,\"method\":\"Target.getBrowserContexts\"}");
	fx_expect(&fx_br, "{\"id\":5,\"result\":{\"browserContextIds\":[\"*\"],*");
	ck_assert_ptr_null(strstr(fx_br.msg.data, ctx));
}
END_TEST

START_TEST(a_page_from_json_new_is_announced_and_attached)
{
	char pid[64];
	struct buf resp;
	buf_init(&resp, 0);
	fx_send(&fx_br, "{\"id\":1,\"method\":\"Target.setDiscoverTargets\",\"params\":"
			"{\"discover\":true}}");
	fx_expect(&fx_br, "{\"method\":\"Target.targetCreated\",*");
	fx_expect(&fx_br, "{\"id\":1,\"result\":{}}");
	fx_send(&fx_br, "{\"id\":2,\"method\":\"Target.setAutoAttach\",\"params\":{\"autoAttach\":true,"
			"\"waitForDebuggerOnStart\":false,\"flatten\":true}}");
	fx_expect(&fx_br, "{\"method\":\"Target.targetInfoChanged\",*");
	fx_expect(&fx_br, "{\"method\":\"Target.attachedToTarget\",*");
	fx_expect(&fx_br, "{\"id\":2,\"result\":{}}");
	ck_assert_int_eq(fx_request(&fx_srv, "PUT", "/json/new?https://new.test/", NULL, NULL, &resp),
			 0);
	const char *id = strstr(fx_body(&resp), "\"id\": \""); /* Chrome's 3-space JSON */
	ck_assert_ptr_nonnull(id);
	snprintf(pid, sizeof(pid), "%.32s", id + 7);
	/* The default filters: no tab; the page, attached at the root, not
	 * waiting (the session did not ask to). */
	expectf(&fx_br, "{\"method\":\"Target.targetCreated\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "https://new.test/", "false", "*") "}}", pid);
	expectf(&fx_br, "{\"method\":\"Target.targetInfoChanged\",\"params\":{\"targetInfo\":"
		PAGE_INFO("%s", "https://new.test/", "true", "*") "}}", pid);
	expectf(&fx_br, "{\"method\":\"Target.attachedToTarget\",\"params\":{\"sessionId\":\"*\","
		"\"targetInfo\":" PAGE_INFO("%s", "https://new.test/", "true", "*") ","
		"\"waitingForDebugger\":false}}", pid);
	buf_clear(&resp);
}
END_TEST

Suite *tabs_suite(void);
Suite *tabs_suite(void)
{
	Suite *s = suite_create("tabs");
	TCase *tc = tcase_create("tabs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, discovery_filters_decide_what_is_listed);
	tcase_add_test(tc, puppeteer_attaches_the_tab_then_the_page_inside_it);
	tcase_add_test(tc, browser_filters_are_chromes);
	tcase_add_test(tc, create_and_close_in_the_tab_model);
	tcase_add_test(tc, a_navigation_changes_the_target_info);
	tcase_add_test(tc, browser_contexts_own_their_pages);
	tcase_add_test(tc, dispose_on_detach_goes_with_its_connection);
	tcase_add_test(tc, a_page_from_json_new_is_announced_and_attached);
	suite_add_tcase(s, tc);
	return s;
}
