/* test_pagecalls.c - the page calls users make around a trace or a
 * profile: a navigation's document request on the Network domain (Chrome's
 * event shapes and its data: URL response), Runtime.evaluate and
 * Runtime.callFunctionOn answering what the scenario scripts, screenshots
 * that decode to the viewport, Performance.getMetrics, and the Debugger
 * serving the very scripts that coverage names (docs/chrome.md §11). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "b64.h"
#include "fixture.h"
#include "sha256.h"

static char scen_path[64];

static const char scen_text[] =
    "{\"description\": \"scripted page code\",\n"
    " \"runtime\": {\"results\": [\n"
    "   {\"function\": \"() => 1 + 1\", \"value\": 2},\n"
    "   {\"function\": \"() => ({a: [1, 2]})\", \"value\": {\"a\": [1, 2.5]}},\n"
    "   {\"expression\": \"document.title\", \"value\": \"Example\"},\n"
    "   {\"expression\": \"boom()\", \"exception\": \"ReferenceError: boom is not defined\"},\n"
    "   {\"expression\": \"big\", \"result\": {\"type\": \"bigint\", \"unserializableValue\": "
    "\"1n\", \"description\": \"1n\"}}]},\n"
    " \"performance\": {\"metrics\": {\"JSHeapUsedSize\": 5000000, \"MyMetric\": 7}}}\n";

static void setup(void)
{
	fx_temp_file(scen_path, scen_text, strlen(scen_text));
	const char *const args[] = {"--scenario", scen_path, NULL};
	fx_start(&fx_srv, args);
	fx_browser(&fx_br, &fx_srv);
}

static void teardown(void)
{
	fx_teardown();
	unlink(scen_path);
}

static void fresh(struct fx_conn *p, enum fx_via via)
{
	char tid[33];
	fx_new_page(fx_br.fd, tid);
	fx_open(p, &fx_srv, fx_br.fd, tid, via);
}

/* The 32-hex id after "key":" in p's last frame, into out (33 bytes). */
static void id_after(const struct fx_conn *p, const char *key, char *out)
{
	char k[64];
	snprintf(k, sizeof(k), "\"%s\":\"", key);
	const char *v = strstr(p->msg.data, k);
	ck_assert_msg(v != NULL, "no %s in %s", key, p->msg.data);
	snprintf(out, 33, "%.32s", v + strlen(k));
}

#define DATA_URL "data:text/html,<h1>hi there</h1>"

START_TEST(a_data_url_navigation_reports_its_document)
{
	struct fx_conn p;
	char want[2048], req[33], loader[33];
	fresh(&p, _i ? FX_FLAT_SESSION : FX_PAGE_SOCKET);
	fx_ok(&p, 1, "Page.enable", NULL);
	fx_ok(&p, 2, "Network.enable", NULL);
	snprintf(want, sizeof(want), "{\"url\":\"%s\",\"frameId\":\"%s\"}", DATA_URL, p.tid);
	fx_cmd(&p, 3, "Page.navigate", want);
	fx_expect(&p, "{\"method\":\"Page.frameStartedNavigating\",*}");
	snprintf(want, sizeof(want),
		 "{\"method\":\"Network.requestWillBeSent\",\"params\":{\"requestId\":\"*\","
		 "\"loaderId\":\"*\",\"documentURL\":\"%s\",\"request\":{\"url\":\"%s\","
		 "\"method\":\"GET\",\"headers\":{},\"mixedContentType\":\"none\","
		 "\"initialPriority\":\"VeryHigh\",\"referrerPolicy\":"
		 "\"strict-origin-when-cross-origin\",\"isSameSite\":true},\"timestamp\":*,"
		 "\"wallTime\":*,\"initiator\":{\"type\":\"other\"},\"redirectHasExtraInfo\":false,"
		 "\"type\":\"Document\",\"frameId\":\"%s\",\"hasUserGesture\":false}}",
		 DATA_URL, DATA_URL, p.tid);
	fx_expect(&p, want);
	id_after(&p, "requestId", req);
	id_after(&p, "loaderId", loader);
	/* A document's request is named after its loader (puppeteer's
	 * isNavigationRequest() tests exactly that). */
	ck_assert_str_eq(req, loader);
	snprintf(want, sizeof(want),
		 "{\"id\":3,\"result\":{\"frameId\":\"%s\",\"loaderId\":\"%s\",\"isDownload\":false}}",
		 p.tid, loader);
	fx_expect(&p, want);
	fx_expect(&p, "{\"method\":\"Page.frameStartedLoading\",*}");
	snprintf(want, sizeof(want),
		 "{\"method\":\"Network.responseReceived\",\"params\":{\"requestId\":\"%s\","
		 "\"loaderId\":\"%s\",\"timestamp\":*,\"type\":\"Document\",\"response\":{\"url\":"
		 "\"%s\",\"status\":200,\"statusText\":\"OK\",\"headers\":{\"Content-Type\":"
		 "\"text/html\"},\"mimeType\":\"text/html\",\"charset\":\"\",\"connectionReused\":"
		 "false,\"connectionId\":0,\"remoteIPAddress\":\"\",\"remotePort\":0,"
		 "\"fromDiskCache\":false,\"fromServiceWorker\":false,\"fromPrefetchCache\":false,"
		 "\"encodedDataLength\":-1,\"protocol\":\"data\",\"alternateProtocolUsage\":"
		 "\"alternativeJobWonWithoutRace\",\"securityState\":\"secure\"},"
		 "\"hasExtraInfo\":false,\"frameId\":\"%s\"}}",
		 req, loader, DATA_URL, p.tid);
	fx_expect(&p, want);
	fx_expect(&p, "{\"method\":\"Page.frameNavigated\",*\"url\":\"" DATA_URL
		      "\",*\"mimeType\":\"text/html\",*}");
	snprintf(want, sizeof(want),
		 "{\"method\":\"Network.dataReceived\",\"params\":{\"requestId\":\"%s\","
		 "\"timestamp\":*,\"dataLength\":17,\"encodedDataLength\":0}}",
		 req);
	fx_expect(&p, want);
	snprintf(want, sizeof(want),
		 "{\"method\":\"Network.loadingFinished\",\"params\":{\"requestId\":\"%s\","
		 "\"timestamp\":*,\"encodedDataLength\":17}}",
		 req);
	fx_expect(&p, want);
	fx_expect(&p, "{\"method\":\"Page.domContentEventFired\",*}");
	fx_expect(&p, "{\"method\":\"Page.loadEventFired\",*}");
	fx_expect(&p, "{\"method\":\"Page.frameStoppedLoading\",*}");
	/* The body is the payload; an unknown id is Chrome's error. */
	snprintf(want, sizeof(want), "{\"requestId\":\"%s\"}", req);
	fx_cmd_expect(&p, 4, "Network.getResponseBody", want,
		      "{\"id\":%d,\"result\":{\"body\":\"<h1>hi there</h1>\","
		      "\"base64Encoded\":false}}");
	fx_err(&p, 5, "Network.getResponseBody", "{\"requestId\":\"NOPE\"}", -32000,
	       "No resource with given identifier found");
	fx_close(&p);
}
END_TEST

START_TEST(about_blank_and_a_disabled_network_send_no_requests)
{
	struct fx_conn p;
	fresh(&p, FX_FLAT_SESSION);
	fx_ok(&p, 1, "Network.enable", NULL);
	fx_cmd_expect(&p, 2, "Page.navigate", "{\"url\":\"about:blank\"}",
		      "{\"id\":%d,\"result\":{\"frameId\":*,\"loaderId\":*,\"isDownload\":false}}");
	fx_ok(&p, 3, "Network.disable", NULL);
	fx_cmd_expect(&p, 4, "Page.navigate", "{\"url\":\"http://a.test/\"}",
		      "{\"id\":%d,\"result\":{*}}");
	ck_assert(fx_quiet(&p, 200));
	fx_close(&p);
}
END_TEST

/* GURL's URL is the page's; what GURL refuses, Chrome does too. */
START_TEST(navigate_takes_urls_as_gurl_writes_them)
{
	struct fx_conn p;
	fresh(&p, FX_FLAT_SESSION);
	fx_ok(&p, 1, "Network.enable", NULL);
	fx_send(&p, "{\"id\":2,\"method\":\"Page.navigate\",\"params\":{\"url\":"
		    "\"HTTP://Example.TEST\"}}");
	fx_expect(&p, "{\"method\":\"Network.requestWillBeSent\",*\"documentURL\":"
		      "\"http://example.test/\",\"request\":{\"url\":\"http://example.test/\","
		      "\"method\":\"GET\",\"headers\":{\"Upgrade-Insecure-Requests\":\"1\","
		      "\"User-Agent\":\"Mozilla/5.0 *HeadlessChrome/156.0.0.0 Safari/537.36\"},*}");
	fx_expect(&p, "{\"id\":2,*}");
	fx_expect(&p, "{\"method\":\"Network.responseReceived\",*\"protocol\":\"http/1.1\","
		      "\"alternateProtocolUsage\":\"unspecifiedReason\",\"securityState\":"
		      "\"insecure\"},*}");
	fx_expect(&p, "{\"method\":\"Network.loadingFinished\",\"params\":{*"
		      "\"encodedDataLength\":0}}");
	fx_cmd_expect(&p, 3, "Target.getTargetInfo", NULL,
		      "{\"id\":%d,\"result\":{\"targetInfo\":{*\"url\":\"http://example.test/\",*}}}");
	fx_err(&p, 4, "Page.navigate", "{\"url\":\"http://exa mple.test/\"}", -32000,
	       "Cannot navigate to invalid URL");
	fx_close(&p);
}
END_TEST

START_TEST(evaluate_and_call_function_answer_what_the_scenario_scripts)
{
	struct fx_conn p;
	fresh(&p, _i ? FX_FLAT_SESSION : FX_PAGE_SOCKET);
	fx_send(&p, "{\"id\":1,\"method\":\"Runtime.enable\"}");
	fx_expect(&p, "{\"method\":\"Runtime.executionContextCreated\",\"params\":{\"context\":"
		      "{\"id\":1,*}}}");
	fx_expect(&p, "{\"id\":1,\"result\":{}}");
	/* puppeteer's page.evaluate(() => 1 + 1): the sourceURL line it adds
	 * does not count. */
	fx_cmd_expect(&p, 2, "Runtime.callFunctionOn",
		      "{\"functionDeclaration\":\"() => 1 + 1\\n//# sourceURL=pptr:evaluate;x\\n\","
		      "\"executionContextId\":1,\"arguments\":[],\"returnByValue\":true,"
		      "\"awaitPromise\":true,\"userGesture\":true}",
		      "{\"id\":%d,\"result\":{\"result\":{\"type\":\"number\",\"value\":2,"
		      "\"description\":\"2\"}}}");
	fx_cmd_expect(&p, 3, "Runtime.callFunctionOn",
		      "{\"functionDeclaration\":\"() => ({a: [1, 2]})\",\"executionContextId\":1,"
		      "\"returnByValue\":true}",
		      "{\"id\":%d,\"result\":{\"result\":{\"type\":\"object\",\"value\":"
		      "{\"a\":[1,2.5]}}}}");
	fx_cmd_expect(&p, 4, "Runtime.callFunctionOn",
		      "{\"functionDeclaration\":\"() => ({a: [1, 2]})\",\"executionContextId\":1}",
		      "{\"id\":%d,\"result\":{\"result\":{\"type\":\"object\",\"className\":"
		      "\"Object\",\"description\":\"Object\",\"objectId\":\"*.1.*\"}}}");
	/* Code nobody scripted is undefined. */
	fx_cmd_expect(&p, 5, "Runtime.callFunctionOn",
		      "{\"functionDeclaration\":\"() => document.title\",\"executionContextId\":1}",
		      "{\"id\":%d,\"result\":{\"result\":{\"type\":\"undefined\"}}}");
	fx_cmd_expect(&p, 6, "Runtime.evaluate", "{\"expression\":\"document.title\"}",
		      "{\"id\":%d,\"result\":{\"result\":{\"type\":\"string\",\"value\":"
		      "\"Example\"}}}");
	fx_cmd_expect(&p, 7, "Runtime.evaluate", "{\"expression\":\"big\",\"contextId\":1}",
		      "{\"id\":%d,\"result\":{\"result\":{\"type\":\"bigint\","
		      "\"unserializableValue\":\"1n\",\"description\":\"1n\"}}}");
	fx_cmd_expect(&p, 8, "Runtime.evaluate", "{\"expression\":\"boom()\"}",
		      "{\"id\":%d,\"result\":{\"result\":{\"type\":\"object\",\"subtype\":\"error\","
		      "\"className\":\"ReferenceError\",\"description\":\"ReferenceError: boom is "
		      "not defined\",\"objectId\":\"*\"},\"exceptionDetails\":{\"exceptionId\":1,"
		      "\"text\":\"Uncaught\",\"lineNumber\":0,\"columnNumber\":0,\"scriptId\":\"*\","
		      "\"exception\":{\"type\":\"object\",\"subtype\":\"error\",*},"
		      "\"executionContextId\":1}}}");
	/* Without a scripted result an evaluate still reads literals. */
	fx_cmd_expect(&p, 9, "Runtime.evaluate", "{\"expression\":\"42\\n//# sourceURL=x\\n\"}",
		      "{\"id\":%d,\"result\":{\"result\":{\"type\":\"number\",\"value\":42,"
		      "\"description\":\"42\"}}}");
	fx_close(&p);
}
END_TEST

/* V8's errors for a call with no context, or a gone one. */
START_TEST(call_function_needs_a_live_context)
{
	struct fx_conn p;
	fresh(&p, FX_FLAT_SESSION);
	fx_err(&p, 1, "Runtime.callFunctionOn", "{\"functionDeclaration\":\"() => 1\"}", -32000,
	       "Either ObjectId or executionContextId or uniqueContextId must be specified");
	fx_err(&p, 2, "Runtime.callFunctionOn",
	       "{\"functionDeclaration\":\"() => 1\",\"executionContextId\":99}", -32000,
	       "Cannot find context with specified id");
	fx_err(&p, 3, "Runtime.callFunctionOn",
	       "{\"functionDeclaration\":\"() => 1\",\"objectId\":\"nope\"}", -32000,
	       "Invalid remote object id");
	fx_err(&p, 4, "Runtime.callFunctionOn",
	       "{\"functionDeclaration\":\"() => 1\",\"objectId\":\"1.99.1\"}", -32000,
	       "Could not find object with given id");
	fx_err(&p, 5, "Runtime.evaluate", "{\"expression\":\"1\",\"contextId\":99}", -32000,
	       "Cannot find context with specified id");
	fx_cmd_expect(&p, 6, "Runtime.callFunctionOn", "{\"executionContextId\":1}",
		      "{\"id\":%d,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\","
		      "\"data\":\"Failed to deserialize params.functionDeclaration - BINDINGS: "
		      "mandatory field missing at position 28\"}}");
	fx_close(&p);
}
END_TEST

/* The base64 of p's last {"data":"..."} result, decoded into out. */
static void screenshot_bytes(const struct fx_conn *p, struct buf *out)
{
	const char *d = strstr(p->msg.data, "{\"data\":\"");
	ck_assert_ptr_nonnull(d);
	d += 9;
	buf_reset(out);
	ck_assert_int_eq(b64_decode_buf(out, d, strcspn(d, "\""), B64_STRICT), 0);
}

static uint32_t be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

START_TEST(screenshots_decode_to_the_viewport)
{
	struct fx_conn p;
	struct buf img;
	buf_init(&img, 0);
	fresh(&p, FX_FLAT_SESSION);
	fx_cmd_expect(&p, 1, "Page.captureScreenshot", NULL, "{\"id\":%d,\"result\":{\"data\":\"*\"}}");
	screenshot_bytes(&p, &img);
	ck_assert_mem_eq(img.data, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
	ck_assert_uint_eq(be32(img.data + 16), 800);
	ck_assert_uint_eq(be32(img.data + 20), 600);
	/* Emulation's viewport, at its scale. */
	fx_ok(&p, 2, "Emulation.setDeviceMetricsOverride",
	      "{\"width\":400,\"height\":300,\"deviceScaleFactor\":2,\"mobile\":false}");
	fx_cmd_expect(&p, 3, "Page.captureScreenshot", "{\"format\":\"png\"}",
		      "{\"id\":%d,\"result\":{\"data\":\"*\"}}");
	screenshot_bytes(&p, &img);
	ck_assert_uint_eq(be32(img.data + 16), 800);
	ck_assert_uint_eq(be32(img.data + 20), 600);
	fx_cmd_expect(&p, 4, "Page.getLayoutMetrics", NULL,
		      "{\"id\":%d,\"result\":{\"layoutViewport\":{\"pageX\":0,\"pageY\":0,"
		      "\"clientWidth\":400,\"clientHeight\":300},*\"cssContentSize\":{\"x\":0,"
		      "\"y\":0,\"width\":400,\"height\":300}}}");
	fx_cmd_expect(&p, 5, "Page.captureScreenshot",
		      "{\"format\":\"jpeg\",\"quality\":80,\"clip\":{\"x\":0,\"y\":0,\"width\":10,"
		      "\"height\":20,\"scale\":1}}",
		      "{\"id\":%d,\"result\":{\"data\":\"*\"}}");
	screenshot_bytes(&p, &img);
	ck_assert_mem_eq(img.data, "\xff\xd8\xff\xe0", 4);
	ck_assert_mem_eq(img.data + img.len - 2, "\xff\xd9", 2);
	fx_ok(&p, 6, "Emulation.clearDeviceMetricsOverride", NULL);
	fx_cmd_expect(&p, 7, "Page.captureScreenshot", "{\"format\":\"webp\"}",
		      "{\"id\":%d,\"result\":{\"data\":\"*\"}}");
	screenshot_bytes(&p, &img);
	ck_assert_mem_eq(img.data, "RIFF", 4);
	ck_assert_mem_eq(img.data + 8, "WEBPVP8L", 8);
	fx_err(&p, 8, "Page.captureScreenshot",
	       "{\"clip\":{\"x\":0,\"y\":0,\"width\":0,\"height\":20,\"scale\":1}}", -32000,
	       "Cannot take screenshot with 0 width.");
	buf_clear(&img);
	fx_close(&p);
}
END_TEST

START_TEST(metrics_have_chromes_names_once_enabled)
{
	struct fx_conn p;
	fresh(&p, FX_FLAT_SESSION);
	fx_cmd_expect(&p, 1, "Performance.getMetrics", NULL,
		      "{\"id\":%d,\"result\":{\"metrics\":[]}}");
	fx_ok(&p, 2, "Performance.enable", NULL);
	fx_cmd_expect(&p, 3, "Performance.getMetrics", NULL,
		      "{\"id\":%d,\"result\":{\"metrics\":[{\"name\":\"Timestamp\",\"value\":*},"
		      "{\"name\":\"AudioHandlers\",\"value\":0},*{\"name\":\"Documents\",\"value\":1},"
		      "{\"name\":\"Frames\",\"value\":1},{\"name\":\"JSEventListeners\",\"value\":0},"
		      "*{\"name\":\"Nodes\",\"value\":4},*{\"name\":\"LayoutCount\",\"value\":1},"
		      "{\"name\":\"RecalcStyleCount\",\"value\":2},{\"name\":\"LayoutDuration\","
		      "\"value\":*},*{\"name\":\"ScriptDuration\",\"value\":*},*{\"name\":"
		      "\"TaskDuration\",\"value\":*},*{\"name\":\"JSHeapUsedSize\",\"value\":5000000},"
		      "{\"name\":\"JSHeapTotalSize\",\"value\":*},*{\"name\":\"NavigationStart\","
		      "\"value\":*},{\"name\":\"MyMetric\",\"value\":7}]}}");
	fx_ok(&p, 4, "Performance.disable", NULL);
	fx_cmd_expect(&p, 5, "Performance.getMetrics", NULL,
		      "{\"id\":%d,\"result\":{\"metrics\":[]}}");
	fx_close(&p);
}
END_TEST

/* The scriptIds precise coverage reports are scripts the Debugger
 * announced, and each one's source has the announced length and hash. */
START_TEST(the_debugger_serves_the_scripts_coverage_names)
{
	struct fx_conn p;
	struct buf ids, want; /* ids: " id:length:hash" per script */
	buf_init(&ids, 0);
	buf_init(&want, 0);
	fresh(&p, FX_FLAT_SESSION);
	fx_err(&p, 1, "Debugger.getScriptSource", "{\"scriptId\":\"3\"}", -32000,
	       "Debugger agent is not enabled");
	fx_send(&p, "{\"id\":2,\"method\":\"Debugger.enable\"}");
	int n = 0;
	buf_addc(&ids, ' ');
	for (;;) {
		const char *m = fx_next(&p);
		if (strncmp(m, "{\"method\":\"Debugger.scriptParsed\"", 33))
			break;
		fx_want(&p,
			"{\"method\":\"Debugger.scriptParsed\",\"params\":{\"scriptId\":\"*\","
			"\"url\":*,\"startLine\":0,\"startColumn\":0,\"endLine\":*,\"endColumn\":*,"
			"\"executionContextId\":1,\"hash\":\"*\",\"buildId\":\"\","
			"\"executionContextAuxData\":{\"isDefault\":true,\"type\":\"default\","
			"\"frameId\":\"*\"},\"isLiveEdit\":false,\"sourceMapURL\":\"\","
			"\"hasSourceURL\":false,\"isModule\":false,\"length\":*,\"scriptLanguage\":"
			"\"JavaScript\",\"embedderName\":*}}",
			&want);
		ck_assert_msg(fx_match(want.data, m), "got %s", m);
		json_t *ev = json_loads(m, 0, NULL);
		ck_assert_ptr_nonnull(ev);
		json_t *params = json_object_get(ev, "params");
		buf_printf(&ids, "%s:%lld:%s ", json_string_value(json_object_get(params, "scriptId")),
			   (long long)json_integer_value(json_object_get(params, "length")),
			   json_string_value(json_object_get(params, "hash")));
		json_decref(ev);
		n++;
	}
	ck_assert_int_gt(n, 3);
	fx_want(&p, "{\"id\":2,\"result\":{\"debuggerId\":\"*\"}}", &want);
	ck_assert_msg(fx_match(want.data, p.msg.data), "got %s", p.msg.data);
	/* Each source: the announced length and hash. */
	int id = 10;
	for (const char *e = ids.data + 1; *e; e = strchr(e, ' ') + 1, id++) {
		char sid[16], hash[SHA256_HEX], got[SHA256_HEX];
		long long len;
		ck_assert_int_eq(sscanf(e, "%15[^:]:%lld:%64s", sid, &len, hash), 3);
		buf_reset(&want);
		buf_printf(&want, "{\"scriptId\":\"%s\"}", sid);
		fx_cmd(&p, id, "Debugger.getScriptSource", want.data);
		json_t *r = json_loads(fx_next(&p), 0, NULL);
		const json_t *s = json_object_get(json_object_get(r, "result"), "scriptSource");
		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq((long long)json_string_length(s), len);
		sha256_hex(json_string_value(s), json_string_length(s), got);
		ck_assert_str_eq(got, hash);
		json_decref(r);
	}
	fx_err(&p, 3, "Debugger.getScriptSource", "{\"scriptId\":\"999\"}", -32000,
	       "No script for id: 999");
	/* Coverage names only those scripts. */
	fx_ok(&p, 4, "Profiler.enable", NULL);
	fx_cmd_expect(&p, 5, "Profiler.startPreciseCoverage", "{\"callCount\":true,\"detailed\":true}",
		      "{\"id\":%d,\"result\":{\"timestamp\":*}}");
	usleep(20000);
	fx_cmd(&p, 6, "Profiler.takePreciseCoverage", NULL);
	json_t *r = json_loads(fx_next(&p), 0, NULL);
	const json_t *res = json_object_get(json_object_get(r, "result"), "result");
	ck_assert_uint_gt(json_array_size(res), 0);
	for (size_t i = 0; i < json_array_size(res); i++) {
		const char *sid = json_string_value(json_object_get(json_array_get(res, i), "scriptId"));
		buf_reset(&want);
		buf_printf(&want, " %s:", sid);
		ck_assert_msg(strstr(ids.data, want.data), "scriptId %s was not announced", sid);
	}
	json_decref(r);
	fx_ok(&p, 7, "Debugger.disable", NULL);
	fx_err(&p, 8, "Debugger.getScriptSource", "{\"scriptId\":\"3\"}", -32000,
	       "Debugger agent is not enabled");
	buf_clear(&ids);
	buf_clear(&want);
	fx_close(&p);
}
END_TEST

/* Session history: each new navigation is an entry, going to one is a
 * history navigation with an empty reply, and a new navigation from the
 * middle drops the entries ahead (puppeteer's goBack / goForward). */
START_TEST(history_entries_follow_navigations)
{
	struct fx_conn p;
	fresh(&p, FX_FLAT_SESSION);
	fx_cmd_expect(&p, 1, "Page.getNavigationHistory", NULL,
		      "{\"id\":%d,\"result\":{\"currentIndex\":0,\"entries\":[{\"id\":1,"
		      "\"url\":\"about:blank\",\"userTypedURL\":\"about:blank\",\"title\":\"\","
		      "\"transitionType\":\"typed\"}]}}");
	fx_cmd_expect(&p, 2, "Page.navigate", "{\"url\":\"http://a.test/\"}", "{\"id\":%d,*}");
	fx_cmd_expect(&p, 3, "Page.navigate", "{\"url\":\"http://b.test/\"}", "{\"id\":%d,*}");
	fx_cmd_expect(&p, 4, "Page.getNavigationHistory", NULL,
		      "{\"id\":%d,\"result\":{\"currentIndex\":2,\"entries\":[{\"id\":1,*},"
		      "{\"id\":2,\"url\":\"http://a.test/\",*},{\"id\":3,\"url\":"
		      "\"http://b.test/\",*}]}}");
	fx_ok(&p, 5, "Page.enable", NULL);
	fx_send(&p, "{\"id\":6,\"method\":\"Page.navigateToHistoryEntry\",\"params\":"
		    "{\"entryId\":2}}");
	fx_expect(&p, "{\"method\":\"Page.frameStartedNavigating\",\"params\":{\"frameId\":*,"
		      "\"url\":\"http://a.test/\",\"loaderId\":*,\"navigationType\":"
		      "\"historyDifferentDocument\"}}");
	fx_expect(&p, "{\"id\":6,\"result\":{}}");
	fx_expect(&p, "{\"method\":\"Page.frameStartedLoading\",*}");
	fx_expect(&p, "{\"method\":\"Page.frameNavigated\",*\"url\":\"http://a.test/\",*}");
	fx_expect(&p, "{\"method\":\"Page.domContentEventFired\",*}");
	fx_expect(&p, "{\"method\":\"Page.loadEventFired\",*}");
	fx_expect(&p, "{\"method\":\"Page.frameStoppedLoading\",*}");
	fx_ok(&p, 7, "Page.disable", NULL);
	fx_cmd_expect(&p, 8, "Page.navigate", "{\"url\":\"http://c.test/\"}", "{\"id\":%d,*}");
	fx_cmd_expect(&p, 9, "Page.getNavigationHistory", NULL,
		      "{\"id\":%d,\"result\":{\"currentIndex\":2,\"entries\":[{\"id\":1,*},"
		      "{\"id\":2,*},{\"id\":4,\"url\":\"http://c.test/\",*}]}}");
	fx_err(&p, 10, "Page.navigateToHistoryEntry", "{\"entryId\":3}", -32602,
	       "No entry with passed id");
	fx_ok(&p, 11, "Page.resetNavigationHistory", NULL);
	fx_cmd_expect(&p, 12, "Page.getNavigationHistory", NULL,
		      "{\"id\":%d,\"result\":{\"currentIndex\":0,\"entries\":[{\"id\":4,*}]}}");
	fx_close(&p);
}
END_TEST

/* Playwright's utility world is "__playwright_utility_world_page@<32
 * hex>", 64 characters: its context must carry the whole name, or
 * Playwright never finds the world (page.title() waited forever). */
START_TEST(long_world_names_are_kept_whole)
{
	static const char name[] =
	    "__playwright_utility_world_page@7586fb30694626b8e72186e1171e6382_and_then_some";
	struct fx_conn p;
	char req[512], want[512];
	fresh(&p, FX_FLAT_SESSION);
	fx_send(&p, "{\"id\":1,\"method\":\"Runtime.enable\"}");
	fx_expect(&p, "{\"method\":\"Runtime.executionContextCreated\",*}");
	fx_expect(&p, "{\"id\":1,\"result\":{}}");
	snprintf(req, sizeof(req), "{\"frameId\":\"%s\",\"worldName\":\"%s\"}", p.tid, name);
	fx_cmd(&p, 2, "Page.createIsolatedWorld", req);
	snprintf(want, sizeof(want),
		 "{\"method\":\"Runtime.executionContextCreated\",\"params\":{\"context\":"
		 "{\"id\":2,\"origin\":\"://\",\"name\":\"%s\",*}}}",
		 name);
	fx_expect(&p, want);
	fx_expect(&p, "{\"id\":2,\"result\":{\"executionContextId\":2}}");
	fx_close(&p);
}
END_TEST

Suite *pagecalls_suite(void);
Suite *pagecalls_suite(void)
{
	Suite *s = suite_create("pagecalls");
	TCase *tc = tcase_create("pagecalls");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, a_data_url_navigation_reports_its_document, 0, 2);
	tcase_add_test(tc, about_blank_and_a_disabled_network_send_no_requests);
	tcase_add_test(tc, navigate_takes_urls_as_gurl_writes_them);
	tcase_add_loop_test(tc, evaluate_and_call_function_answer_what_the_scenario_scripts, 0, 2);
	tcase_add_test(tc, call_function_needs_a_live_context);
	tcase_add_test(tc, screenshots_decode_to_the_viewport);
	tcase_add_test(tc, metrics_have_chromes_names_once_enabled);
	tcase_add_test(tc, the_debugger_serves_the_scripts_coverage_names);
	tcase_add_test(tc, history_entries_follow_navigations);
	tcase_add_test(tc, long_world_names_are_kept_whole);
	suite_add_tcase(s, tc);
	return s;
}
