/* test_tracegen.c - the trace details that analysis tools read, with
 * Chrome 156's exact behaviour (CHROMIUM.md §4.3-§4.5): trace-capture-
 * datetime without zero padding, memory-infra dumps each whole in a
 * dataCollected frame of its own (far above 64 KiB, up to about 1.5 MB),
 * Screenshot events with valid JPEG frames and at most 450 of them, and
 * the CPU profile's Profile and ProfileChunk events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

static void start_with(const char *knobs)
{
	fx_start_knobs(&fx_srv, knobs, NULL);
	fx_browser(&fx_br, &fx_srv);
}

/* Chrome's "%u-%u-%u %d:%d:%d" of UTC time t. */
static void chrome_datetime(time_t t, char *out, size_t n)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%d-%d-%d %d:%d:%d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

START_TEST(capture_datetime_is_not_zero_padded)
{
	struct buf data;
	char want[64];
	int found = 0;

	start_with(NULL);
	time_t before = time(NULL);
	fx_ok(&fx_br, 1, "Tracing.start", "{\"transferMode\":\"ReturnAsStream\"}");
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_expect(&fx_br, "{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":"
			  "false,\"stream\":\"*\",\"traceFormat\":\"json\",\"streamCompression\":"
			  "\"none\"}}");
	json_t *c = json_loads(fx_br.msg.data, 0, NULL);
	const char *h = json_string_value(json_object_get(json_object_get(c, "params"), "stream"));
	ck_assert_ptr_nonnull(h);
	buf_init(&data, 0);
	fx_read_stream(&fx_br, 3, h, &data, 0);
	time_t after = time(NULL);
	json_t *trace = json_loadb(data.data, data.len, 0, NULL);
	ck_assert_ptr_nonnull(trace);
	const char *dt = json_string_value(
	    json_object_get(json_object_get(trace, "metadata"), "trace-capture-datetime"));
	ck_assert_ptr_nonnull(dt);
	/* Chromium's own test expects "2016-8-18 22:28:10"; 2 Dec 2026 at
	 * 08:05:09 is "2026-12-2 8:5:9". */
	for (time_t t = before; t <= after && !found; t++) {
		chrome_datetime(t, want, sizeof(want));
		found = !strcmp(dt, want);
	}
	ck_assert_msg(found, "trace-capture-datetime %s is not Chrome's form of now (%s)", dt, want);
	/* No field has a leading zero. */
	for (const char *p = dt; *p; p++)
		if (*p == '0' && (p == dt || p[-1] == '-' || p[-1] == ' ' || p[-1] == ':') &&
		    p[1] >= '0' && p[1] <= '9')
			ck_abort_msg("zero-padded field in %s", dt);
	json_decref(trace);
	json_decref(c);
	buf_clear(&data);
	fx_teardown();
}
END_TEST

/* Reads dataCollected frames up to tracingComplete: every frame holding a
 * memory dump ("v") holds it alone; the sizes of those frames and the
 * count of dumps go out. */
static void dump_frames(struct fx_conn *p, size_t *n_dumps, size_t *max_frame, size_t *min_frame,
			size_t *big)
{
	*n_dumps = *max_frame = *big = 0;
	*min_frame = SIZE_MAX;
	for (;;) {
		const char *f = fx_next(p);
		if (!strncmp(f, "{\"method\":\"Tracing.tracingComplete\"", 35))
			break;
		ck_assert_msg(!strncmp(f, "{\"method\":\"Tracing.dataCollected\"", 33),
			      "not a trace frame: %.200s", f);
		json_t *m = json_loads(f, 0, NULL);
		ck_assert_ptr_nonnull(m);
		json_t *value = json_object_get(json_object_get(m, "params"), "value");
		size_t i, dumps = 0;
		json_t *ev;
		json_array_foreach(value, i, ev) {
			const char *ph = json_string_value(json_object_get(ev, "ph"));
			dumps += ph && !strcmp(ph, "v");
		}
		if (dumps) {
			ck_assert_msg(json_array_size(value) == 1,
				      "a memory dump shares its frame with %zu other events",
				      json_array_size(value) - 1);
			size_t len = strlen(f);
			*n_dumps += 1;
			*max_frame = len > *max_frame ? len : *max_frame;
			*min_frame = len < *min_frame ? len : *min_frame;
			*big += len > 65536;
		}
		json_decref(m);
	}
}

START_TEST(memory_dumps_come_whole_in_frames_of_their_own)
{
	size_t n, max, min, big;

	start_with("tracing.events=20000");
	fx_ok(&fx_br, 1, "Tracing.start",
	      "{\"traceConfig\":{\"includedCategories\":[\"disabled-by-default-memory-infra\","
	      "\"toplevel\"],\"excludedCategories\":[\"*\"],\"memoryDumpConfig\":{\"triggers\":"
	      "[{\"mode\":\"detailed\",\"periodic_interval_ms\":10000}]}}}");
	fx_cmd_expect(&fx_br, 2, "Tracing.requestMemoryDump", NULL,
		      "{\"id\":%d,\"result\":{\"dumpGuid\":\"0x*\",\"success\":true}}");
	fx_ok(&fx_br, 3, "Tracing.end", NULL);
	dump_frames(&fx_br, &n, &max, &min, &big);
	/* One detailed dump per process, each alone in its frame: far above
	 * the 64 KiB of ordinary frames, the browser's close to Chrome's
	 * largest, 1,499,933 bytes. */
	ck_assert_uint_ge(n, 5);
	ck_assert_uint_eq(big, n);
	ck_assert_uint_gt(min, 65536);
	ck_assert_uint_gt(max, 1400000);
	ck_assert_uint_le(max, 1500000);
	fx_teardown();
}
END_TEST

/* Counts Screenshot events of a collected trace and checks their frames. */
static size_t screenshots(const struct fx_trace *tr)
{
	size_t i, n = 0;
	json_t *ev;
	json_array_foreach(tr->all, i, ev) {
		if (strcmp(json_string_value(json_object_get(ev, "name")), "Screenshot"))
			continue;
		n++;
		ck_assert_str_eq(json_string_value(json_object_get(ev, "cat")),
				 "disabled-by-default-devtools.screenshot");
		const char *b64 =
		    json_string_value(json_object_get(json_object_get(ev, "args"), "snapshot"));
		ck_assert_ptr_nonnull(b64);
		struct buf jpg;
		buf_init(&jpg, 0);
		ck_assert_int_eq(tt_b64_decode(b64, strlen(b64), &jpg), 0);
		/* A baseline JPEG: SOI, JFIF, ..., EOI. */
		ck_assert_uint_gt(jpg.len, 100);
		ck_assert_int_eq(memcmp(jpg.data, "\xff\xd8\xff\xe0", 4), 0);
		ck_assert_int_eq(memcmp(jpg.data + 6, "JFIF", 4), 0);
		ck_assert_int_eq(memcmp(jpg.data + jpg.len - 2, "\xff\xd9", 2), 0);
		buf_clear(&jpg);
	}
	return n;
}

static size_t screenshot_trace(const char *knobs)
{
	struct fx_trace tr;
	start_with(knobs);
	fx_ok(&fx_br, 1, "Tracing.start",
	      "{\"traceConfig\":{\"includedCategories\":[\"disabled-by-default-devtools.screenshot\"],"
	      "\"excludedCategories\":[\"*\"]}}");
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 1, NULL, NULL);
	size_t n = screenshots(&tr);
	fx_trace_clear(&tr);
	fx_teardown();
	return n;
}

START_TEST(screenshots_stop_at_450_per_trace)
{
	/* One a 100 ms: 10 s give 101, two minutes would give 1201. */
	ck_assert_uint_eq(screenshot_trace("tracing.duration_us=10000000"), 101);
	ck_assert_uint_eq(screenshot_trace("tracing.duration_us=120000000"), 450);
	/* A scenario asking for more gets Chrome's cap too. */
	ck_assert_uint_eq(screenshot_trace("tracing.duration_us=5000000,tracing.screenshots=1000"),
			  450);
	ck_assert_uint_eq(screenshot_trace("tracing.duration_us=5000000,tracing.screenshots=7"), 7);
}
END_TEST

/* The CPU profile: one Profile on the page renderer's main thread, then
 * ProfileChunks of at most 100 samples with Chrome's keys, nodes before
 * the samples that use them, parents before children. */
START_TEST(profile_chunks_carry_the_samples)
{
	struct fx_trace tr;
	start_with("tracing.duration_us=2000000");
	fx_ok(&fx_br, 1, "Tracing.start",
	      "{\"traceConfig\":{\"includedCategories\":[\"disabled-by-default-v8.cpu_profiler\","
	      "\"disabled-by-default-devtools.timeline\",\"devtools.timeline\",\"toplevel\"],"
	      "\"excludedCategories\":[\"*\"]}}");
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 1, NULL, NULL);
	size_t i, profiles = 0, chunks = 0, samples = 0, js = 0, js_in_calls = 0;
	json_int_t pid = -1, tid = -1, start = 0, t = 0;
	json_t *ev, *seen = json_object(), *calls = json_array();
	char key[32];
	json_array_foreach(tr.all, i, ev) {
		const char *name = json_string_value(json_object_get(ev, "name"));
		json_t *data = json_object_get(json_object_get(ev, "args"), "data");
		if (!strcmp(name, "FunctionCall"))
			json_array_append(calls, ev);
		if (!strcmp(name, "Profile")) {
			profiles++;
			pid = json_integer_value(json_object_get(ev, "pid"));
			tid = json_integer_value(json_object_get(ev, "tid"));
			start = json_integer_value(json_object_get(data, "startTime"));
			t = start;
			ck_assert_str_eq(json_string_value(json_object_get(ev, "ph")), "P");
			ck_assert_str_eq(json_string_value(json_object_get(ev, "id")), "0x1");
			ck_assert_str_eq(json_string_value(json_object_get(data, "source")), "Internal");
			continue;
		}
		if (strcmp(name, "ProfileChunk"))
			continue;
		ck_assert_uint_eq(profiles, 1); /* the Profile comes first */
		chunks++;
		ck_assert_int_eq(json_integer_value(json_object_get(ev, "pid")), pid);
		ck_assert_str_eq(json_string_value(json_object_get(ev, "id")), "0x1");
		json_t *cp = json_object_get(data, "cpuProfile");
		json_t *nodes = json_object_get(cp, "nodes"), *s = json_object_get(cp, "samples");
		json_t *d = json_object_get(data, "timeDeltas"), *n;
		size_t k;
		ck_assert_uint_eq(json_array_size(s), json_array_size(d));
		ck_assert_uint_le(json_array_size(s), 100);
		json_array_foreach(nodes, k, n) {
			json_int_t parent = json_integer_value(json_object_get(n, "parent"));
			if (parent) {
				snprintf(key, sizeof(key), "%lld", (long long)parent);
				ck_assert_msg(json_object_get(seen, key), "parent %s not sent yet", key);
			}
			snprintf(key, sizeof(key), "%lld",
				 (long long)json_integer_value(json_object_get(n, "id")));
			json_object_set_new(seen, key, json_incref(
			    json_object_get(json_object_get(n, "callFrame"), "functionName")));
		}
		json_array_foreach(s, k, n) {
			snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(n));
			json_t *fn = json_object_get(seen, key);
			ck_assert_msg(fn != NULL, "sample of node %s before the node", key);
			t += json_integer_value(json_array_get(d, k));
			samples++;
			if (json_string_value(fn)[0] == '(')
				continue;
			/* A JS sample lies inside one of the FunctionCall events. */
			js++;
			size_t c;
			json_t *fc;
			json_array_foreach(calls, c, fc) {
				json_int_t ts = json_integer_value(json_object_get(fc, "ts"));
				json_int_t dur = json_integer_value(json_object_get(fc, "dur"));
				if (t >= ts && t <= ts + dur) {
					js_in_calls++;
					break;
				}
			}
		}
	}
	ck_assert_uint_eq(profiles, 1);
	ck_assert_int_eq(pid, tid); /* the renderer's main thread */
	ck_assert_uint_gt(chunks, 20);
	/* ~200 µs apart over 2 s */
	ck_assert_uint_gt(samples, 7000);
	ck_assert_uint_lt(samples, 11000);
	ck_assert_uint_gt(js, 100);
	ck_assert_uint_eq(js_in_calls, js);
	json_decref(seen);
	json_decref(calls);
	fx_trace_clear(&tr);
	fx_teardown();
}
END_TEST

Suite *tracegen_suite(void);
Suite *tracegen_suite(void)
{
	Suite *s = suite_create("tracegen");
	TCase *tc = tcase_create("tools");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, capture_datetime_is_not_zero_padded);
	tcase_add_test(tc, memory_dumps_come_whole_in_frames_of_their_own);
	tcase_add_test(tc, screenshots_stop_at_450_per_trace);
	tcase_add_test(tc, profile_chunks_carry_the_samples);
	suite_add_tcase(s, tc);
	return s;
}
