/* test_page.c - the page shell that puppeteer-core and playwright-core need
 * (docs/clients.md §5-§6): Page, Runtime contexts, lifecycle events and navigation,
 * with Chrome's events-before-reply order, byte for byte.  The cases that
 * only send and expect are scenario files in scenarios/page/ (run by
 * test_scenarios.c); the ones here pull ids out of frames or compare key
 * order, which a scenario's patterns cannot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static void fresh(struct fx_conn *p, enum fx_via via)
{
	char tid[33];
	fx_new_page(fx_br.fd, tid);
	fx_open(p, &fx_srv, fx_br.fd, tid, via);
}

#define ABOUT_BLANK_FRAME                                                                          \
	"\"url\":\"about:blank\",\"domainAndRegistry\":\"\",\"securityOrigin\":\"://\","           \
	"\"securityOriginDetails\":{\"isLocalhost\":false},\"mimeType\":\"text/html\","            \
	"\"adFrameStatus\":{\"adFrameType\":\"none\"},\"secureContextType\":\"InsecureScheme\","   \
	"\"crossOriginIsolatedContextType\":\"NotIsolated\",\"gatedAPIFeatures\":[]}"

/* Copies the loaderId of the frame in p->msg into out (33 bytes). */
static void loader_of(const struct fx_conn *p, char *out)
{
	const char *l = strstr(p->msg.data, "\"loaderId\":\"");
	ck_assert_ptr_nonnull(l);
	snprintf(out, 33, "%.32s", l + 12);
	ck_assert_uint_eq(strspn(out, "0123456789ABCDEF"), 32);
}

START_TEST(frame_tree_is_chromes)
{
	struct fx_conn p;
	struct buf want;
	buf_init(&want, 0);
	fresh(&p, _i ? FX_FLAT_SESSION : FX_PAGE_SOCKET);
	buf_printf(&want,
		   "{\"id\":1,\"result\":{\"frameTree\":{\"frame\":{\"id\":\"%s\","
		   "\"loaderId\":\"*\"," ABOUT_BLANK_FRAME "}}}",
		   p.tid);
	fx_call(&p, "{\"id\":1,\"method\":\"Page.getFrameTree\"}", want.data);
	char l1[33], l2[33];
	loader_of(&p, l1);
	buf_reset(&want);
	buf_printf(&want,
		   "{\"id\":2,\"result\":{\"frameTree\":{\"frame\":{\"id\":\"%s\","
		   "\"loaderId\":\"%s\"," ABOUT_BLANK_FRAME "}}}",
		   p.tid, l1);
	fx_call(&p, "{\"id\":2,\"method\":\"Page.getFrameTree\"}", want.data);
	loader_of(&p, l2);
	ck_assert_str_eq(l1, l2);
	buf_clear(&want);
	fx_close(&p);
}
END_TEST

START_TEST(lifecycle_replays_before_the_reply)
{
	static const char *const names[] = {"commit", "DOMContentLoaded", "load",
					    "networkAlmostIdle", "networkIdle"};
	struct fx_conn p;
	char loader[33], want[512];
	fresh(&p, _i ? FX_FLAT_SESSION : FX_PAGE_SOCKET);
	fx_call(&p, "{\"id\":1,\"method\":\"Page.getFrameTree\"}", "{\"id\":1,*");
	loader_of(&p, loader);
	fx_send(&p, "{\"id\":2,\"method\":\"Page.setLifecycleEventsEnabled\",\"params\":"
		    "{\"enabled\":true}}");
	for (size_t i = 0; i < 5; i++) {
		snprintf(want, sizeof(want),
			 "{\"method\":\"Page.lifecycleEvent\",\"params\":"
			 "{\"frameId\":\"%s\",\"loaderId\":\"%s\",\"name\":\"%s\","
			 "\"timestamp\":*}}",
			 p.tid, loader, names[i]);
		fx_expect(&p, want);
	}
	fx_expect(&p, "{\"id\":2,\"result\":{}}");
	fx_call(&p,
		"{\"id\":3,\"method\":\"Page.setLifecycleEventsEnabled\",\"params\":"
		"{\"enabled\":false}}",
		"{\"id\":3,\"result\":{}}");
	fx_close(&p);
}
END_TEST

START_TEST(runtime_enable_reports_contexts_first)
{
	struct fx_conn p;
	char want[512];
	fresh(&p, _i ? FX_FLAT_SESSION : FX_PAGE_SOCKET);
	fx_send(&p, "{\"id\":1,\"method\":\"Runtime.enable\"}");
	snprintf(want, sizeof(want),
		 "{\"method\":\"Runtime.executionContextCreated\",\"params\":"
		 "{\"context\":{\"id\":1,\"origin\":\"://\",\"name\":\"\","
		 "\"uniqueId\":\"*.*\",\"auxData\":{\"isDefault\":true,\"type\":"
		 "\"default\",\"frameId\":\"%s\"}}}}",
		 p.tid);
	fx_expect(&p, want);
	fx_expect(&p, "{\"id\":1,\"result\":{}}");
	fx_call(&p, "{\"id\":2,\"method\":\"Runtime.enable\"}", "{\"id\":2,\"result\":{}}");
	/* Page.createIsolatedWorld: the context event, then its id. */
	char req[256];
	snprintf(req, sizeof(req),
		 "{\"id\":3,\"method\":\"Page.createIsolatedWorld\",\"params\":"
		 "{\"frameId\":\"%s\",\"worldName\":\"__puppeteer_utility_world__\","
		 "\"grantUniveralAccess\":true}}",
		 p.tid);
	fx_send(&p, req);
	snprintf(want, sizeof(want),
		 "{\"method\":\"Runtime.executionContextCreated\",\"params\":"
		 "{\"context\":{\"id\":2,\"origin\":\"://\",\"name\":"
		 "\"__puppeteer_utility_world__\",\"uniqueId\":\"*\",\"auxData\":"
		 "{\"isDefault\":false,\"type\":\"isolated\",\"frameId\":\"%s\"}}}}",
		 p.tid);
	fx_expect(&p, want);
	fx_expect(&p, "{\"id\":3,\"result\":{\"executionContextId\":2}}");
	fx_call(&p,
		"{\"id\":4,\"method\":\"Page.createIsolatedWorld\",\"params\":"
		"{\"frameId\":\"NOPE\"}}",
		"{\"id\":4,\"error\":{\"code\":-32000,\"message\":\"No frame for given id "
		"found\"}}");
	fx_call(&p, "{\"id\":5,\"method\":\"Runtime.disable\"}", "{\"id\":5,\"result\":{}}");
	fx_close(&p);
}
END_TEST

/* The method names of the frames in text (one per line), space-separated;
 * a reply shows as "reply". */
static void sequence(const char *text, struct buf *out)
{
	buf_reset(out);
	for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
		const char *m = "{\"method\":\"";
		if (!strncmp(l, m, strlen(m))) {
			const char *s = l + strlen(m);
			buf_add(out, s, strcspn(s, "\""));
			const char *name = strstr(l, "\"name\":\"");
			if (!strncmp(s, "Page.lifecycleEvent", 19) && name)
				buf_printf(out, ":%.*s", (int)strcspn(name + 8, "\""), name + 8);
		} else {
			buf_adds(out, "reply");
		}
		buf_addc(out, ' ');
	}
}

START_TEST(navigate_runs_the_whole_lifecycle)
{
	struct fx_conn p;
	struct buf frames, seq, want;
	buf_init(&frames, 0);
	buf_init(&seq, 0);
	buf_init(&want, 0);
	fresh(&p, _i ? FX_FLAT_SESSION : FX_PAGE_SOCKET);
	fx_call(&p, "{\"id\":1,\"method\":\"Page.enable\"}", "{\"id\":1,\"result\":{}}");
	fx_send(&p, "{\"id\":2,\"method\":\"Runtime.enable\"}");
	fx_next(&p);
	fx_expect(&p, "{\"id\":2,\"result\":{}}");
	fx_send(&p, "{\"id\":3,\"method\":\"Page.setLifecycleEventsEnabled\",\"params\":"
		    "{\"enabled\":true}}");
	for (int i = 0; i < 5; i++)
		fx_next(&p);
	fx_expect(&p, "{\"id\":3,\"result\":{}}");
	fx_call(&p,
		"{\"id\":4,\"method\":\"Page.addScriptToEvaluateOnNewDocument\","
		"\"params\":{\"source\":\"\",\"worldName\":\"util\"}}",
		"{\"id\":4,\"result\":{\"identifier\":\"1\"}}");
	buf_printf(&want,
		   "{\"id\":5,\"method\":\"Page.navigate\",\"params\":{\"url\":"
		   "\"https://www.example.com/a?b#c\",\"frameId\":\"%s\","
		   "\"referrerPolicy\":\"unsafeUrl\"}}",
		   p.tid);
	fx_send(&p, want.data);
	char loader[33] = "";
	do {
		fx_next(&p);
		buf_add(&frames, p.msg.data, p.msg.len);
		buf_addc(&frames, '\n');
		if (!strncmp(p.msg.data, "{\"id\":5,", 8))
			loader_of(&p, loader);
	} while (!strstr(p.msg.data, "\"name\":\"networkIdle\""));
	sequence(frames.data, &seq);
	ck_assert_str_eq(seq.data,
			 "Page.frameStartedNavigating reply Page.frameStartedLoading "
			 "Page.lifecycleEvent:init Runtime.executionContextsCleared "
			 "Page.frameNavigated Runtime.executionContextCreated "
			 "Runtime.executionContextCreated Page.lifecycleEvent:commit "
			 "Page.domContentEventFired Page.lifecycleEvent:DOMContentLoaded "
			 "Page.loadEventFired Page.lifecycleEvent:load Page.frameStoppedLoading "
			 "Page.lifecycleEvent:networkAlmostIdle Page.lifecycleEvent:networkIdle ");
	/* The reply names the new document; every event uses it. */
	buf_reset(&want);
	buf_printf(&want,
		   "{\"id\":5,\"result\":{\"frameId\":\"%s\",\"loaderId\":\"%s\","
		   "\"isDownload\":false}",
		   p.tid, loader);
	ck_assert_ptr_nonnull(strstr(frames.data, want.data));
	buf_reset(&want);
	buf_printf(&want,
		   "{\"method\":\"Page.frameNavigated\",\"params\":{\"frame\":{\"id\":\"%s\","
		   "\"loaderId\":\"%s\",\"url\":\"https://www.example.com/a?b\","
		   "\"urlFragment\":\"#c\",\"domainAndRegistry\":\"example.com\","
		   "\"securityOrigin\":\"https://www.example.com\",\"securityOriginDetails\":"
		   "{\"isLocalhost\":false},\"mimeType\":\"text/html\",\"adFrameStatus\":"
		   "{\"adFrameType\":\"none\"},\"secureContextType\":\"Secure\","
		   "\"crossOriginIsolatedContextType\":\"NotIsolated\",\"gatedAPIFeatures\":[]},"
		   "\"type\":\"Navigation\"}",
		   p.tid, loader);
	ck_assert_ptr_nonnull(strstr(frames.data, want.data));
	/* New contexts: the main world, then the world asked for on new
	 * documents, with the new origin. */
	ck_assert_ptr_nonnull(strstr(frames.data, "{\"context\":{\"id\":2,\"origin\":"
						  "\"https://www.example.com\",\"name\":\"\","));
	ck_assert_ptr_nonnull(strstr(frames.data,
				     "{\"context\":{\"id\":3,\"origin\":"
				     "\"https://www.example.com\",\"name\":\"util\","));
	buf_reset(&want);
	buf_printf(&want, "\"loaderId\":\"%s\",\"name\":\"init\"", loader);
	ck_assert_ptr_nonnull(strstr(frames.data, want.data));
	/* The target's url follows. */
	fx_call(&p, "{\"id\":6,\"method\":\"Target.getTargetInfo\"}",
		"{\"id\":6,\"result\":{\"targetInfo\":{*\"url\":\"https://www.example.com/a?"
		"b#c\",*}}}");
	buf_clear(&frames);
	buf_clear(&seq);
	buf_clear(&want);
	fx_close(&p);
}
END_TEST

START_TEST(reload_is_a_navigation)
{
	struct fx_conn p;
	char want[256];
	fresh(&p, FX_FLAT_SESSION);
	fx_call(&p, "{\"id\":1,\"method\":\"Page.enable\"}", "{\"id\":1,\"result\":{}}");
	fx_send(&p, "{\"id\":2,\"method\":\"Page.reload\",\"params\":{\"ignoreCache\":true}}");
	snprintf(want, sizeof(want),
		 "{\"method\":\"Page.frameStartedNavigating\",\"params\":"
		 "{\"frameId\":\"%s\",\"url\":\"about:blank\",\"loaderId\":\"*\","
		 "\"navigationType\":\"reload\"}}",
		 p.tid);
	fx_expect(&p, want);
	fx_expect(&p, "{\"id\":2,\"result\":{}}");
	snprintf(want, sizeof(want),
		 "{\"method\":\"Page.frameStartedLoading\",\"params\":"
		 "{\"frameId\":\"%s\"}}",
		 p.tid);
	fx_expect(&p, want);
	fx_expect(&p, "{\"method\":\"Page.frameNavigated\",*\"type\":\"Navigation\"}}");
	fx_expect(&p, "{\"method\":\"Page.domContentEventFired\",\"params\":{\"timestamp\":*}}");
	fx_expect(&p, "{\"method\":\"Page.loadEventFired\",\"params\":{\"timestamp\":*}}");
	fx_expect(&p, "{\"method\":\"Page.frameStoppedLoading\",*}");
	fx_close(&p);
}
END_TEST

/* Sends Debugger.enable on p and reads up to its reply: the number of
 * scriptParsed events that came first. */
static int debugger_enable_count(struct fx_conn *p)
{
	static const char ev[] = "{\"method\":\"Debugger.scriptParsed\"";
	int n = 0;
	fx_send(p, "{\"id\":1,\"method\":\"Debugger.enable\"}");
	while (!strncmp(fx_next(p), ev, strlen(ev)))
		n++;
	return n;
}

/* One isolate, one debuggerId; each session gets the scripts announced. */
START_TEST(debugger_id_is_per_page)
{
	char tid[33];
	struct fx_conn a, b;
	struct buf want;
	buf_init(&want, 0);
	fx_new_page(fx_br.fd, tid);
	fx_open(&a, &fx_srv, fx_br.fd, tid, FX_FLAT_SESSION);
	fx_open(&b, &fx_srv, fx_br.fd, tid, FX_PAGE_SOCKET);
	int na = debugger_enable_count(&a);
	ck_assert_int_gt(na, 0);
	fx_want(&a, "{\"id\":1,\"result\":{\"debuggerId\":\"*.*\"}}", &want);
	ck_assert_msg(fx_match(want.data, a.msg.data), "got %s", a.msg.data);
	const char *d = strstr(a.msg.data, "\"debuggerId\":\"") + 14;
	char id[64];
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(d, "\""), d);
	ck_assert_uint_eq(strspn(id, "0123456789."), strlen(id));
	ck_assert_int_eq(debugger_enable_count(&b), na);
	buf_reset(&want);
	buf_printf(&want, "{\"id\":1,\"result\":{\"debuggerId\":\"%s\"}}", id);
	ck_assert_str_eq(b.msg.data, want.data);
	/* A second enable only answers. */
	fx_call(&a, "{\"id\":2,\"method\":\"Debugger.enable\"}", "{\"id\":2,\"result\":{*}}");
	buf_clear(&want);
	fx_close(&a);
	fx_close(&b);
}
END_TEST

Suite *page_suite(void);
Suite *page_suite(void)
{
	Suite *s = suite_create("page");
	TCase *tc = tcase_create("shell");
	tcase_add_unchecked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, frame_tree_is_chromes, 0, 2);
	tcase_add_loop_test(tc, lifecycle_replays_before_the_reply, 0, 2);
	tcase_add_loop_test(tc, runtime_enable_reports_contexts_first, 0, 2);
	tcase_add_loop_test(tc, navigate_runs_the_whole_lifecycle, 0, 2);
	tcase_add_test(tc, reload_is_a_navigation);
	tcase_add_test(tc, debugger_id_is_per_page);
	suite_add_tcase(s, tc);
	return s;
}
