/* test_coverage.c - precise and best-effort coverage (docs/chrome.md §6.5-§6.6): the
 * binary / callCount / detailed shapes, delta semantics, and
 * Profiler.preciseCoverageDeltaUpdate at DomContentLoaded. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

/* The "timestamp" in text as exact microseconds: cdpmock prints integral
 * µs in seconds, so the decimal is exact. */
static int64_t stamp_us(const char *text)
{
	const char *t = strstr(text, "\"timestamp\":");
	ck_assert_ptr_nonnull(t);
	t += 12;
	int64_t us = strtoll(t, NULL, 10) * 1000000;
	const char *dot = t + strspn(t, "0123456789");
	if (*dot == '.') {
		int64_t scale = 100000;
		for (const char *d = dot + 1; *d >= '0' && *d <= '9' && scale; d++, scale /= 10)
			us += (*d - '0') * scale;
	}
	return us;
}

/* A fresh page with Profiler enabled and precise coverage started with
 * params; then the page runs for ms.  Returns the start timestamp. */
static int64_t start(struct fx_conn *p, enum fx_via via, const char *params, int ms)
{
	char tid[33], req[256];
	fx_new_page(fx_br.fd, tid);
	fx_open(p, &fx_srv, fx_br.fd, tid, via);
	fx_call(p, "{\"id\":1,\"method\":\"Profiler.enable\"}", "{\"id\":1,\"result\":{}}");
	snprintf(req, sizeof(req),
		 "{\"id\":2,\"method\":\"Profiler.startPreciseCoverage\","
		 "\"params\":%s}",
		 params);
	fx_call(p, req, "{\"id\":2,\"result\":{\"timestamp\":*}}");
	int64_t t0 = stamp_us(p->msg.data);
	usleep((useconds_t)ms * 1000);
	return t0;
}

/* The simulated page runs in whole 1 ms steps counted from the start of
 * coverage (gen/coverage.h), so two instants in the same step saw nothing
 * run between them: a take then must be empty. */
static int same_step(int64_t t0, int64_t a, int64_t b)
{
	return (a - t0) / 1000 == (b - t0) / 1000;
}

/* Checks a ScriptCoverage array; returns the largest count seen, and in
 * *block whether any function had isBlockCoverage:true. */
static json_int_t check_result(json_t *arr, int *block, size_t *nscripts)
{
	json_int_t max = 0;
	*block = 0;
	ck_assert(json_is_array(arr));
	*nscripts = json_array_size(arr);
	size_t i, j, k;
	json_t *sc, *fn, *r;
	json_array_foreach(arr, i, sc)
	{
		ck_assert(json_is_string(json_object_get(sc, "scriptId")));
		ck_assert(json_is_string(json_object_get(sc, "url")));
		json_t *fns = json_object_get(sc, "functions");
		ck_assert(json_array_size(fns) > 0);
		/* The top level comes first, unnamed. */
		ck_assert_str_eq(
		    json_string_value(json_object_get(json_array_get(fns, 0), "functionName")), "");
		json_array_foreach(fns, j, fn)
		{
			*block |= json_is_true(json_object_get(fn, "isBlockCoverage"));
			json_array_foreach(json_object_get(fn, "ranges"), k, r)
			{
				json_int_t c = json_integer_value(json_object_get(r, "count"));
				ck_assert(json_integer_value(json_object_get(r, "startOffset")) <=
					  json_integer_value(json_object_get(r, "endOffset")));
				if (c > max)
					max = c;
			}
		}
	}
	return max;
}

/* Takes precise coverage (id) and checks the reply; returns the parsed reply. */
static json_t *take(struct fx_conn *p, int id)
{
	char req[96], want[96];
	snprintf(req, sizeof(req), "{\"id\":%d,\"method\":\"Profiler.takePreciseCoverage\"}", id);
	snprintf(want, sizeof(want), "{\"id\":%d,\"result\":{\"result\":[*],\"timestamp\":*}}", id);
	fx_call(p, req, want);
	json_t *root = json_loads(p->msg.data, 0, NULL);
	ck_assert_ptr_nonnull(root);
	return root;
}

static json_t *result_of(json_t *reply)
{
	return json_object_get(json_object_get(reply, "result"), "result");
}

START_TEST(binary_by_default)
{
	struct fx_conn p;
	start(&p, FX_PAGE_SOCKET, "{}", 300);
	json_t *r = take(&p, 3);
	int block;
	size_t n;
	json_int_t max = check_result(result_of(r), &block, &n);
	ck_assert_uint_ge(n, 1);
	ck_assert_int_eq(max, 1);
	ck_assert_int_eq(block, 0);
	json_decref(r);
	fx_close(&p);
}
END_TEST

START_TEST(call_count_counts)
{
	struct fx_conn p;
	start(&p, FX_FLAT_SESSION, "{\"callCount\":true}", 400);
	json_t *r = take(&p, 3);
	int block;
	size_t n;
	json_int_t max = check_result(result_of(r), &block, &n);
	ck_assert_msg(max > 1, "largest count %lld", (long long)max);
	ck_assert_int_eq(block, 0);
	json_decref(r);
	fx_close(&p);
}
END_TEST

START_TEST(detailed_has_blocks)
{
	struct fx_conn p;
	start(&p, FX_PAGE_SOCKET, "{\"callCount\":true,\"detailed\":true}", 300);
	json_t *r = take(&p, 3);
	int block;
	size_t n;
	check_result(result_of(r), &block, &n);
	ck_assert_int_eq(block, 1);
	json_decref(r);
	fx_close(&p);
}
END_TEST

START_TEST(takes_are_deltas)
{
	struct fx_conn p;
	int64_t t0 = start(&p, FX_PAGE_SOCKET, "{\"callCount\":true}", 100);
	json_t *r = take(&p, 3);
	ck_assert_uint_ge(json_array_size(result_of(r)), 1);
	json_decref(r);
	/* Right away nothing new ran.  Take pairs until one falls in a
	 * single simulation step (it is the first, unless the machine is very
	 * slow); any pair that spans steps may report new calls. */
	int strict = 0;
	for (int i = 0; i < 20 && !strict; i++) {
		fx_call(&p, "{\"id\":4,\"method\":\"Profiler.takePreciseCoverage\"}",
			"{\"id\":4,\"result\":{\"result\":[*],\"timestamp\":*}}");
		int64_t t1 = stamp_us(p.msg.data);
		fx_call(&p, "{\"id\":5,\"method\":\"Profiler.takePreciseCoverage\"}",
			"{\"id\":5,\"result\":{\"result\":[*],\"timestamp\":*}}");
		int64_t t2 = stamp_us(p.msg.data);
		strict = same_step(t0, t1, t2);
		if (strict)
			ck_assert_int_eq(
			    strncmp(p.msg.data, "{\"id\":5,\"result\":{\"result\":[],", 30), 0);
	}
	/* Timestamps are seconds on the monotonic clock, printed short. */
	const char *ts = strstr(p.msg.data, "\"timestamp\":") + 12;
	const char *dot = strchr(ts, '.');
	ck_assert(!dot || dot > strchr(ts, '}') || strspn(dot + 1, "0123456789") <= 6);
	ck_assert(ts[strspn(ts, "0123456789.")] == '}');
	fx_close(&p);
}
END_TEST

START_TEST(best_effort_has_the_same_shape)
{
	char tid[33];
	struct fx_conn p;
	fx_new_page(fx_br.fd, tid);
	fx_open(&p, &fx_srv, fx_br.fd, tid, FX_FLAT_SESSION);
	/* Without precise coverage it reports what ran since the page loaded
	 * (the mock's page "loads" when a page domain first touches it). */
	fx_call(&p, "{\"id\":1,\"method\":\"Page.enable\"}", "{\"id\":1,\"result\":{}}");
	usleep(100000);
	fx_call(&p, "{\"id\":2,\"method\":\"Profiler.getBestEffortCoverage\"}",
		"{\"id\":2,\"result\":{\"result\":[*]}}");
	json_t *r = json_loads(p.msg.data, 0, NULL);
	int block;
	size_t n;
	check_result(result_of(r), &block, &n);
	ck_assert_uint_ge(n, 1);
	ck_assert_int_eq(block, 0);
	json_decref(r);
	fx_close(&p);
}
END_TEST

/* Runs Page.navigate and returns the frames up to Page.frameStoppedLoading
 * as one string per line (the reply included). */
static void navigate(struct fx_conn *p, int id, struct buf *out)
{
	char req[160];
	snprintf(req, sizeof(req),
		 "{\"id\":%d,\"method\":\"Page.navigate\",\"params\":{\"url\":"
		 "\"about:blank\"}}",
		 id);
	fx_send(p, req);
	buf_reset(out);
	do {
		fx_next(p);
		buf_add(out, p->msg.data, p->msg.len);
		buf_addc(out, '\n');
	} while (!strstr(p->msg.data, "Page.frameStoppedLoading"));
}

/* One navigation: checks the delta update and returns its timestamp. */
static int64_t navigate_with_update(struct fx_conn *p, int id, struct buf *frames)
{
	navigate(p, id, frames);
	/* The update comes just before domContentEventFired. */
	const char *upd =
	    strstr(frames->data, "{\"method\":\"Profiler.preciseCoverageDeltaUpdate\","
				 "\"params\":{\"timestamp\":");
	ck_assert_ptr_nonnull(upd);
	const char *eol = strchr(upd, '\n');
	ck_assert_int_eq(strncmp(eol + 1, "{\"method\":\"Page.domContentEventFired\"", 37), 0);
	ck_assert_ptr_nonnull(strstr(upd, "\"occasion\":\"DomContentLoaded\",\"result\":["));
	struct buf line;
	buf_init(&line, 0);
	buf_add(&line, upd, (size_t)(eol - upd));
	json_t *ev = json_loads(line.data, 0, NULL);
	ck_assert_ptr_nonnull(ev);
	int block;
	size_t n;
	check_result(json_object_get(json_object_get(ev, "params"), "result"), &block, &n);
	json_decref(ev);
	int64_t t = stamp_us(line.data);
	buf_clear(&line);
	return t;
}

START_TEST(dom_content_loaded_sends_the_delta)
{
	struct fx_conn p;
	struct buf frames;
	buf_init(&frames, 0);
	int64_t t0 = start(&p, FX_FLAT_SESSION,
			   "{\"callCount\":true,\"detailed\":false,"
			   "\"allowTriggeredUpdates\":true}",
			   200);
	fx_call(&p, "{\"id\":3,\"method\":\"Page.enable\"}", "{\"id\":3,\"result\":{}}");
	navigate_with_update(&p, 4, &frames);
	/* 200 ms of page: the first update has scripts in it. */
	ck_assert_ptr_nonnull(
	    strstr(frames.data, "\"occasion\":\"DomContentLoaded\",\"result\":[{"));
	/* The update consumed the deltas: a take in the same simulation step
	 * is empty.  Navigate again until that happens (at once, unless the
	 * machine is very slow). */
	int strict = 0;
	for (int i = 0; i < 10 && !strict; i++) {
		int64_t t1 = navigate_with_update(&p, 5, &frames);
		fx_call(&p, "{\"id\":6,\"method\":\"Profiler.takePreciseCoverage\"}",
			"{\"id\":6,\"result\":{\"result\":[*],\"timestamp\":*}}");
		strict = same_step(t0, t1, stamp_us(p.msg.data));
		if (strict)
			ck_assert_int_eq(
			    strncmp(p.msg.data, "{\"id\":6,\"result\":{\"result\":[],", 30), 0);
	}
	buf_clear(&frames);
	fx_close(&p);
}
END_TEST

START_TEST(no_update_without_allow_triggered_updates)
{
	struct fx_conn p;
	struct buf frames;
	buf_init(&frames, 0);
	start(&p, FX_PAGE_SOCKET, "{\"callCount\":true}", 100);
	fx_call(&p, "{\"id\":3,\"method\":\"Page.enable\"}", "{\"id\":3,\"result\":{}}");
	navigate(&p, 4, &frames);
	ck_assert_ptr_null(strstr(frames.data, "preciseCoverageDeltaUpdate"));
	json_t *r = take(&p, 5);
	ck_assert_uint_ge(json_array_size(result_of(r)), 1);
	json_decref(r);
	buf_clear(&frames);
	fx_close(&p);
}
END_TEST

START_TEST(coverage_is_per_session)
{
	char tid[33];
	struct fx_conn a, b;
	fx_new_page(fx_br.fd, tid);
	fx_open(&a, &fx_srv, fx_br.fd, tid, FX_FLAT_SESSION);
	fx_open(&b, &fx_srv, fx_br.fd, tid, FX_PAGE_SOCKET);
	fx_call(&a, "{\"id\":1,\"method\":\"Profiler.enable\"}", "{\"id\":1,\"result\":{}}");
	fx_call(&a,
		"{\"id\":2,\"method\":\"Profiler.startPreciseCoverage\",\"params\":"
		"{\"allowTriggeredUpdates\":true}}",
		"{\"id\":2,\"result\":{\"timestamp\":*}}");
	fx_call(&b, "{\"id\":1,\"method\":\"Profiler.takePreciseCoverage\"}",
		"{\"id\":1,\"error\":{\"code\":-32000,\"message\":\"Precise coverage has not "
		"been started.\"}}");
	/* B navigates; A (no Page.enable) still gets its delta update. */
	fx_call(&b, "{\"id\":2,\"method\":\"Page.reload\"}", "{\"id\":2,\"result\":{}}");
	fx_expect(&a, "{\"method\":\"Profiler.preciseCoverageDeltaUpdate\",\"params\":"
		      "{\"timestamp\":*,\"occasion\":\"DomContentLoaded\",\"result\":[*]}}");
	fx_call(&a, "{\"id\":3,\"method\":\"Profiler.stopPreciseCoverage\"}",
		"{\"id\":3,\"result\":{}}");
	fx_close(&a);
	fx_close(&b);
}
END_TEST

Suite *coverage_suite(void);
Suite *coverage_suite(void)
{
	Suite *s = suite_create("coverage");
	TCase *tc = tcase_create("coverage");
	tcase_add_unchecked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, binary_by_default);
	tcase_add_test(tc, call_count_counts);
	tcase_add_test(tc, detailed_has_blocks);
	tcase_add_test(tc, takes_are_deltas);
	tcase_add_test(tc, best_effort_has_the_same_shape);
	tcase_add_test(tc, dom_content_loaded_sends_the_delta);
	tcase_add_test(tc, no_update_without_allow_triggered_updates);
	tcase_add_test(tc, coverage_is_per_session);
	suite_add_tcase(s, tc);
	return s;
}
