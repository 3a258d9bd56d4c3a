/* test_console.c - console.profile events without JavaScript (docs/chrome.md
 * 3.3): Runtime.evaluate finds console.profile / profileEnd calls, and the
 * Started/Finished events go to every Profiler-enabled session of the page,
 * each with its own id, before the evaluate's reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static void evaluate(struct fx_conn *p, int id, const char *expr)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b,
		   "{\"id\":%d,\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":", id);
	buf_add_json_str(&b, expr, strlen(expr), 1);
	buf_adds(&b, "}}");
	fx_send(p, b.data);
	buf_clear(&b);
}

static void expect_undefined(struct fx_conn *p, int id)
{
	char want[96];
	snprintf(want, sizeof(want), "{\"id\":%d,\"result\":{\"result\":{\"type\":\"undefined\"}}}",
		 id);
	fx_expect(p, want);
}

static void expect_started(struct fx_conn *p, const char *id, int line, int col, const char *title)
{
	char want[512];
	snprintf(want, sizeof(want),
		 "{\"method\":\"Profiler.consoleProfileStarted\",\"params\":"
		 "{\"id\":\"%s\",\"location\":{\"scriptId\":\"*\",\"lineNumber\":%d,"
		 "\"columnNumber\":%d},\"title\":\"%s\"}}",
		 id, line, col, title);
	fx_expect(p, want);
}

static void expect_finished(struct fx_conn *p, const char *id, int line, int col, const char *title)
{
	char want[512];
	snprintf(want, sizeof(want),
		 "{\"method\":\"Profiler.consoleProfileFinished\",\"params\":"
		 "{\"id\":\"%s\",\"location\":{\"scriptId\":\"*\",\"lineNumber\":%d,"
		 "\"columnNumber\":%d},\"profile\":{\"nodes\":[{\"id\":1,*}],"
		 "\"startTime\":*,\"endTime\":*,\"samples\":[*],\"timeDeltas\":[*]},"
		 "\"title\":\"%s\"}}",
		 id, line, col, title);
	fx_expect(p, want);
}

/* The 1-based column Chrome reports for the n-th "console." of a one-line
 * expression: the method name's. */
static int col_of(const char *expr, int n)
{
	const char *at = expr;
	for (int i = 0; i <= n; i++) {
		at = strstr(i ? at + 1 : at, "console.");
		ck_assert_ptr_nonnull(at);
	}
	return (int)(at - expr) + 8 + 1;
}

/* A fresh page reached through via, with Profiler enabled on it. */
static void open_enabled(struct fx_conn *p, enum fx_via via, const char *tid_or_null)
{
	char tid[33];
	if (tid_or_null)
		snprintf(tid, sizeof(tid), "%s", tid_or_null);
	else
		fx_new_page(fx_br.fd, tid);
	fx_open(p, &fx_srv, fx_br.fd, tid, via);
	fx_call(p, "{\"id\":100,\"method\":\"Profiler.enable\"}", "{\"id\":100,\"result\":{}}");
}

START_TEST(nothing_without_profiler_enable)
{
	char tid[33];
	struct fx_conn p;
	fx_new_page(fx_br.fd, tid);
	fx_open(&p, &fx_srv, fx_br.fd, tid, FX_PAGE_SOCKET);
	evaluate(&p, 1, "console.profile('x'); console.profileEnd('x')");
	expect_undefined(&p, 1);
	fx_close(&p);
}
END_TEST

START_TEST(ids_are_shared_with_profiler_start)
{
	struct fx_conn p;
	open_enabled(&p, FX_PAGE_SOCKET, NULL);
	for (int i = 0; i < 2; i++) {
		fx_call(&p, "{\"id\":1,\"method\":\"Profiler.start\"}", "{\"id\":1,\"result\":{}}");
		fx_call(&p, "{\"id\":2,\"method\":\"Profiler.stop\"}",
			"{\"id\":2,\"result\":{\"profile\":*}}");
	}
	evaluate(&p, 3, "console.profile('x')");
	expect_started(&p, "3", 1, 9, "x");
	expect_undefined(&p, 3);
	/* docs/chrome.md's Finished example: the call at column 88 reports 97. */
	char expr[160];
	snprintf(expr, sizeof(expr), "%-88sconsole.profileEnd('x')", "let s = 0;");
	evaluate(&p, 4, expr);
	expect_finished(&p, "3", 1, 97, "x");
	expect_undefined(&p, 4);
	evaluate(&p, 5, "console.profile('y')");
	expect_started(&p, "4", 1, 9, "y");
	expect_undefined(&p, 5);
	fx_close(&p);
}
END_TEST

START_TEST(a_repeated_start_takes_no_id)
{
	struct fx_conn p;
	open_enabled(&p, FX_FLAT_SESSION, NULL);
	fx_call(&p, "{\"id\":1,\"method\":\"Profiler.start\"}", "{\"id\":1,\"result\":{}}");
	fx_call(&p, "{\"id\":2,\"method\":\"Profiler.start\"}", "{\"id\":2,\"result\":{}}");
	fx_call(&p, "{\"id\":3,\"method\":\"Profiler.stop\"}",
		"{\"id\":3,\"result\":{\"profile\":*}}");
	evaluate(&p, 4, "console.profile('x')");
	expect_started(&p, "2", 1, 9, "x");
	expect_undefined(&p, 4);
	fx_close(&p);
}
END_TEST

/* Two flat sessions on the browser socket plus the page socket: each
 * Profiler-enabled session gets its own copy with its own id, in the order
 * the sessions enabled the Profiler; a session without it gets nothing. */
START_TEST(every_enabled_session_gets_its_own_copy)
{
	char tid[33];
	struct fx_conn a, b, page, off;
	fx_new_page(fx_br.fd, tid);
	open_enabled(&a, FX_FLAT_SESSION, tid);
	open_enabled(&b, FX_FLAT_SESSION, tid);
	open_enabled(&page, FX_PAGE_SOCKET, tid);
	fx_open(&off, &fx_srv, fx_br.fd, tid, FX_FLAT_SESSION);
	evaluate(&a, 1, "console.profile('x')");
	expect_started(&a, "1", 1, 9, "x");
	expect_started(&b, "2", 1, 9, "x");
	expect_undefined(&a, 1);
	expect_started(&page, "3", 1, 9, "x");
	evaluate(&page, 2, "console.profileEnd('x')");
	expect_finished(&page, "3", 1, 9, "x");
	expect_undefined(&page, 2);
	expect_finished(&a, "1", 1, 9, "x");
	expect_finished(&b, "2", 1, 9, "x");
	/* Nothing was queued for the session without the Profiler. */
	fx_call(&off, "{\"id\":3,\"method\":\"Profiler.stop\"}",
		"{\"id\":3,\"error\":{\"code\":-32000,\"message\":\"No recording profiles "
		"found\"}}");
	fx_close(&a);
	fx_close(&b);
	fx_close(&page);
	fx_close(&off);
}
END_TEST

START_TEST(no_title_is_default)
{
	struct fx_conn p;
	open_enabled(&p, FX_PAGE_SOCKET, NULL);
	evaluate(&p, 1, "console.profile()");
	expect_started(&p, "1", 1, 9, "default");
	expect_undefined(&p, 1);
	evaluate(&p, 2, "console.profileEnd()");
	expect_finished(&p, "1", 1, 9, "default");
	expect_undefined(&p, 2);
	fx_close(&p);
}
END_TEST

START_TEST(nested_profiles_end_inside_out)
{
	struct fx_conn p;
	open_enabled(&p, FX_FLAT_SESSION, NULL);
	const char *e = "console.profile('outer'); console.profile('inner'); "
			"console.profileEnd('inner'); console.profileEnd('outer');";
	evaluate(&p, 1, e);
	expect_started(&p, "1", 1, col_of(e, 0), "outer");
	expect_started(&p, "2", 1, col_of(e, 1), "inner");
	expect_finished(&p, "2", 1, col_of(e, 2), "inner");
	expect_finished(&p, "1", 1, col_of(e, 3), "outer");
	expect_undefined(&p, 1);
	fx_close(&p);
}
END_TEST

START_TEST(non_lifo_ends_by_title)
{
	struct fx_conn p;
	open_enabled(&p, FX_PAGE_SOCKET, NULL);
	const char *e = "console.profile('a'); console.profile('b'); console.profileEnd('a'); "
			"console.profileEnd('b')";
	evaluate(&p, 1, e);
	expect_started(&p, "1", 1, col_of(e, 0), "a");
	expect_started(&p, "2", 1, col_of(e, 1), "b");
	expect_finished(&p, "1", 1, col_of(e, 2), "a");
	expect_finished(&p, "2", 1, col_of(e, 3), "b");
	expect_undefined(&p, 1);
	fx_close(&p);
}
END_TEST

START_TEST(same_title_ends_oldest_first)
{
	struct fx_conn p;
	open_enabled(&p, FX_PAGE_SOCKET, NULL);
	evaluate(&p, 1, "console.profile('d'); console.profile(\"d\")");
	expect_started(&p, "1", 1, 9, "d");
	expect_started(&p, "2", 1, 31, "d");
	expect_undefined(&p, 1);
	evaluate(&p, 2, "console.profileEnd('d')");
	expect_finished(&p, "1", 1, 9, "d");
	expect_undefined(&p, 2);
	evaluate(&p, 3, "console.profileEnd(`d`)");
	expect_finished(&p, "2", 1, 9, "d");
	expect_undefined(&p, 3);
	fx_close(&p);
}
END_TEST

START_TEST(unknown_title_ends_nothing)
{
	struct fx_conn p;
	open_enabled(&p, FX_PAGE_SOCKET, NULL);
	evaluate(&p, 1, "console.profile('x')");
	expect_started(&p, "1", 1, 9, "x");
	expect_undefined(&p, 1);
	evaluate(&p, 2, "console.profileEnd('neverstarted')");
	expect_undefined(&p, 2);
	fx_close(&p);
}
END_TEST

START_TEST(disable_ends_open_profiles_silently)
{
	struct fx_conn p;
	open_enabled(&p, FX_FLAT_SESSION, NULL);
	evaluate(&p, 1, "console.profile('x')");
	expect_started(&p, "1", 1, 9, "x");
	expect_undefined(&p, 1);
	fx_call(&p, "{\"id\":2,\"method\":\"Profiler.disable\"}", "{\"id\":2,\"result\":{}}");
	fx_call(&p, "{\"id\":3,\"method\":\"Profiler.enable\"}", "{\"id\":3,\"result\":{}}");
	evaluate(&p, 4, "console.profileEnd('x')");
	expect_undefined(&p, 4);
	/* The counter moved on: the next id is 2. */
	evaluate(&p, 5, "console.profile('x')");
	expect_started(&p, "2", 1, 9, "x");
	expect_undefined(&p, 5);
	fx_close(&p);
}
END_TEST

START_TEST(locations_are_one_based)
{
	struct fx_conn p;
	open_enabled(&p, FX_PAGE_SOCKET, NULL);
	evaluate(&p, 1, "// setup\nlet a = 1;\n  console  .  profile ( 'm' , a )");
	expect_started(&p, "1", 3, 15, "m");
	expect_undefined(&p, 1);
	/* Columns count UTF-16 units: each é is one. */
	evaluate(&p, 2, "\r\n'\u00e9\u00e9';console.profileEnd('m')");
	expect_finished(&p, "1", 2, 14, "m");
	expect_undefined(&p, 2);
	fx_close(&p);
}
END_TEST

START_TEST(only_real_calls_count)
{
	struct fx_conn p;
	open_enabled(&p, FX_PAGE_SOCKET, NULL);
	/* In strings, comments, as a property of something else, or with a
	 * title that is not a literal: none of these is recognised. */
	evaluate(&p, 1,
		 "'console.profile(\"s\")'; // console.profile('c')\n"
		 "/* console.profile('b') */ foo.console.profile('f'); console.profile(t);"
		 " console.profiles('p'); console.profile(`a${b}`)");
	expect_undefined(&p, 1);
	evaluate(&p, 2, "console.profile('t\\u00e9\\n\\'q')");
	expect_started(&p, "1", 1, 9, "t\\u00*9\\n'q");
	expect_undefined(&p, 2);
	fx_close(&p);
}
END_TEST

START_TEST(evaluate_returns_literals)
{
	struct fx_conn p;
	char tid[33];
	fx_new_page(fx_br.fd, tid);
	fx_open(&p, &fx_srv, fx_br.fd, tid, FX_FLAT_SESSION);
	evaluate(&p, 1, "42");
	fx_expect(&p, "{\"id\":1,\"result\":{\"result\":{\"type\":\"number\",\"value\":42,"
		      "\"description\":\"42\"}}}");
	evaluate(&p, 2, " 'hi'; ");
	fx_expect(&p, "{\"id\":2,\"result\":{\"result\":{\"type\":\"string\",\"value\":\"hi\"}}}");
	evaluate(&p, 3, "true");
	fx_expect(&p, "{\"id\":3,\"result\":{\"result\":{\"type\":\"boolean\",\"value\":true}}}");
	evaluate(&p, 4, "1.5");
	fx_expect(&p, "{\"id\":4,\"result\":{\"result\":{\"type\":\"number\",\"value\":1.5,"
		      "\"description\":\"1.5\"}}}");
	evaluate(&p, 5, "1 + 1");
	expect_undefined(&p, 5);
	fx_close(&p);
}
END_TEST

Suite *console_suite(void);
Suite *console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("console.profile");
	tcase_add_unchecked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, nothing_without_profiler_enable);
	tcase_add_test(tc, ids_are_shared_with_profiler_start);
	tcase_add_test(tc, a_repeated_start_takes_no_id);
	tcase_add_test(tc, every_enabled_session_gets_its_own_copy);
	tcase_add_test(tc, no_title_is_default);
	tcase_add_test(tc, nested_profiles_end_inside_out);
	tcase_add_test(tc, non_lifo_ends_by_title);
	tcase_add_test(tc, same_title_ends_oldest_first);
	tcase_add_test(tc, unknown_title_ends_nothing);
	tcase_add_test(tc, disable_ends_open_profiles_silently);
	tcase_add_test(tc, locations_are_one_based);
	tcase_add_test(tc, only_real_calls_count);
	tcase_add_test(tc, evaluate_returns_literals);
	suite_add_tcase(s, tc);
	return s;
}
