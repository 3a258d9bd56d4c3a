/* test_tracing_delivery.c - how a trace comes out (docs/chrome.md §7.4-§9.1.4,
 * 4.6): the end reply first, dataCollected chunks within Chrome's byte and
 * event caps with metadata first, tracingComplete last; replies to other
 * commands interleaved; data written only as fast as the client reads;
 * bufferUsage periods and values; data loss; the tracing.* knobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

/* The shared fixture's server and browser socket, with tracing knobs. */
static void start_with(const char *knobs)
{
	fx_start_knobs(&fx_srv, knobs, NULL);
	fx_browser(&fx_br, &fx_srv);
}

#define STARTED "Tracing has already been started (possibly in another tab)."

START_TEST(end_reply_then_chunks_then_complete)
{
	struct fx_trace tr;
	start_with(fx_slow() ? "tracing.events=3000" : "tracing.events=30000");
	fx_ok(&fx_br, 1, "Tracing.start", NULL);
	/* The reply to end is always first. */
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 1, NULL, NULL);
	size_t body = fx_slow() ? 3000 : 30000;
	ck_assert_uint_ge(tr.events, body + tr.head);
	ck_assert_uint_gt(tr.frames, fx_slow() ? 5 : 60);
	/* Frames fill up to about 64 KiB of events. */
	ck_assert_uint_gt(tr.max_bytes, 60000);
	ck_assert_int_eq(tr.data_loss, 0);
	/* Chrome's first event: the swapper thread name (docs/chrome.md §7.5). */
	json_t *first = json_array_get(tr.all, 0);
	char *s = json_dumps(first, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(s, "{\"args\":{\"name\":\"swapper\"},\"cat\":\"__metadata\",\"name\":"
			    "\"thread_name\",\"ph\":\"M\",\"pid\":0,\"tid\":0,\"ts\":0}");
	free(s);
	/* Body timestamps lie within the trace and metadata has ts 0. */
	for (size_t i = 0; i < tr.head; i++)
		if (json_integer_value(json_object_get(json_array_get(tr.all, i), "ts")))
			ck_abort_msg("metadata event %zu has a non-zero ts", i);
	fx_trace_clear(&tr);
	/* Nothing follows tracingComplete. */
	ck_assert(fx_quiet(&fx_br, 200));
	fx_teardown();
}
END_TEST

START_TEST(small_category_sets_fit_in_one_frame)
{
	struct fx_trace tr;
	start_with(NULL);
	fx_ok(&fx_br, 1, "Tracing.start",
	      "{\"traceConfig\":{\"includedCategories\":[\"devtools.timeline\"],"
	      "\"excludedCategories\":[\"*\"]}}");
	usleep(100000);
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 1, NULL, NULL);
	ck_assert_uint_eq(tr.frames, 1);
	/* Only the filter's categories besides metadata. */
	for (size_t i = tr.head; i < json_array_size(tr.all); i++) {
		const char *cat =
		    json_string_value(json_object_get(json_array_get(tr.all, i), "cat"));
		if (!strstr(cat, "devtools.timeline") && strcmp(cat, "__metadata"))
			ck_abort_msg("category %s", cat);
	}
	fx_trace_clear(&tr);
	fx_teardown();
}
END_TEST

struct replies {
	int seen[8];
	size_t frames_after;
};

static void note_reply(const char *frame, void *arg)
{
	struct replies *r = arg;
	int id = atoi(frame + 6);
	ck_assert_msg(!strncmp(frame, "{\"id\":", 6) && id >= 10 && id < 18, "frame %.200s", frame);
	ck_assert_msg(strstr(frame, "\"result\":{\"protocolVersion\""), "frame %.200s", frame);
	r->seen[id - 10] = 1;
}

START_TEST(replies_interleave_with_the_chunks)
{
	struct fx_trace tr;
	struct replies r;
	memset(&r, 0, sizeof(r));
	/* Big enough that the kernel's socket buffers cannot hold the rest of
	 * the trace while the client is not reading. */
	start_with(fx_slow() ? "tracing.events=150000" : "tracing.events=300000");
	fx_ok(&fx_br, 1, "Tracing.start", NULL);
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	/* Read a few chunks, then ask other things while the trace flows. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(
		    strncmp(fx_next(&fx_br), "{\"method\":\"Tracing.dataCollected\"", 33), 0);
	for (int id = 10; id < 18; id++)
		fx_cmd(&fx_br, id, "Browser.getVersion", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 0, note_reply, &r);
	/* Every reply came before tracingComplete, among the chunks. */
	for (int i = 0; i < 8; i++)
		ck_assert(r.seen[i]);
	ck_assert_uint_eq(tr.others, 8);
	ck_assert_uint_gt(tr.frames, 100);
	fx_trace_clear(&tr);
	fx_teardown();
}
END_TEST

START_TEST(a_slow_reader_keeps_the_server_small)
{
	/* ~350 MB of trace JSON; the client reads nothing for a while. */
	start_with("tracing.events=2000000");
	fx_ok(&fx_br, 1, "Tracing.start", NULL);
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	usleep(500000);
	long kb = fx_rss_kb(fx_srv.pid);
	ck_assert_int_gt(kb, 0);
	ck_assert_msg(kb < 48 * 1024, "server RSS %ld kB while the client does not read", kb);
	/* The client goes away mid-trace: the trace is gone, a new one starts. */
	fx_close(&fx_br);
	usleep(50000);
	fx_browser(&fx_br, &fx_srv);
	fx_ok(&fx_br, 1, "Tracing.start", NULL);
	fx_teardown();
}
END_TEST

/* Reads frames until a bufferUsage arrives; returns the ms it took. */
static long long next_usage(struct fx_conn *p, const char *want_value)
{
	long long t0 = fx_now_ms();
	const char *m = fx_next(p);
	long long dt = fx_now_ms() - t0;
	ck_assert_msg(fx_match("{\"method\":\"Tracing.bufferUsage\",\"params\":{\"percentFull\":*,"
			       "\"eventCount\":0,\"value\":*}}",
			       m),
		      "not a bufferUsage: %.300s", m);
	/* value repeats percentFull exactly. */
	const char *a = strstr(m, "\"percentFull\":") + 14;
	const char *b = strstr(m, "\"value\":") + 8;
	size_t na = strcspn(a, ","), nb = strcspn(b, "}");
	ck_assert_uint_eq(na, nb);
	ck_assert_int_eq(memcmp(a, b, na), 0);
	double v = strtod(a, NULL);
	ck_assert(v >= 0 && v <= 1);
	if (want_value) {
		char got[64];
		snprintf(got, sizeof(got), "%.*s", (int)na, a);
		ck_assert_str_eq(got, want_value);
	}
	return dt;
}

START_TEST(buffer_usage_every_period_while_recording)
{
	struct fx_trace tr;
	start_with(NULL);
	long long slack = fx_slow() ? 2000 : 120;
	/* 50 ms means 250 ms: the period has a floor. */
	fx_ok(&fx_br, 1, "Tracing.start", "{\"bufferUsageReportingInterval\":50}");
	long long dt = next_usage(&fx_br, NULL);
	ck_assert_int_ge(dt, 240);
	ck_assert_int_le(dt, 250 + slack);
	dt = next_usage(&fx_br, NULL);
	ck_assert_int_ge(dt, 200);
	ck_assert_int_le(dt, 250 + slack);
	/* None after the end reply. */
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	fx_trace_clear(&tr);
	ck_assert(fx_quiet(&fx_br, 400));

	/* 500 ms; in ReturnAsStream mode too. */
	fx_ok(&fx_br, 3, "Tracing.start",
	      "{\"bufferUsageReportingInterval\":500,\"transferMode\":\"ReturnAsStream\"}");
	dt = next_usage(&fx_br, NULL);
	ck_assert_int_ge(dt, 480);
	ck_assert_int_le(dt, 500 + slack);
	fx_ok(&fx_br, 4, "Tracing.end", NULL);
	fx_expect(&fx_br,
		  "{\"method\":\"Tracing.tracingComplete\",\"params\":{*\"stream\":\"1\"*}}");
	ck_assert(fx_quiet(&fx_br, 700));

	/* Negative means the floor; zero or absent means none. */
	fx_ok(&fx_br, 5, "Tracing.start", "{\"bufferUsageReportingInterval\":-10}");
	dt = next_usage(&fx_br, NULL);
	ck_assert_int_le(dt, 250 + slack);
	fx_ok(&fx_br, 6, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	fx_trace_clear(&tr);
	fx_ok(&fx_br, 7, "Tracing.start", "{\"bufferUsageReportingInterval\":0}");
	ck_assert(fx_quiet(&fx_br, 400));
	fx_ok(&fx_br, 8, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	fx_trace_clear(&tr);
	fx_teardown();
}
END_TEST

/* Small buffers lose data in both record modes; the buffer fills. */
static const char *const lossy_starts[] = {
    "{\"bufferUsageReportingInterval\":250,\"traceConfig\":{\"recordMode\":\"recordUntilFull\","
    "\"traceBufferSizeInKb\":4}}",
    "{\"bufferUsageReportingInterval\":250,\"traceConfig\":{\"recordMode\":"
    "\"recordContinuously\",\"traceBufferSizeInKb\":4}}",
};

START_TEST(small_buffers_fill_and_lose_data)
{
	struct fx_trace tr;
	start_with("tracing.events=20000");
	fx_ok(&fx_br, 1, "Tracing.start", lossy_starts[_i]);
	next_usage(&fx_br, "1");
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_int_eq(tr.data_loss, 1);
	ck_assert_uint_lt(tr.events, 20000);
	fx_trace_clear(&tr);
	/* Without a size, the same trace loses nothing. */
	fx_ok(&fx_br, 3, "Tracing.start", "{\"traceConfig\":{\"recordMode\":\"recordUntilFull\"}}");
	fx_ok(&fx_br, 4, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_int_eq(tr.data_loss, 0);
	ck_assert_uint_ge(tr.events, 20000);
	fx_trace_clear(&tr);
	fx_teardown();
}
END_TEST

START_TEST(percent_full_grows_with_the_trace)
{
	start_with(NULL);
	fx_ok(&fx_br, 1, "Tracing.start",
	      "{\"bufferUsageReportingInterval\":250,\"traceConfig\":{\"traceBufferSizeInKb\":"
	      "100000}}");
	next_usage(&fx_br, NULL);
	double a = strtod(strstr(fx_br.msg.data, "\"value\":") + 8, NULL);
	next_usage(&fx_br, NULL);
	double b = strtod(strstr(fx_br.msg.data, "\"value\":") + 8, NULL);
	ck_assert(a > 0 && b > a && b < 1);
	fx_teardown();
}
END_TEST

START_TEST(knob_complete_delay_holds_the_data)
{
	struct fx_trace tr;
	start_with("tracing.complete_delay_us=300000");
	fx_ok(&fx_br, 1, "Tracing.start", NULL);
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	long long t0 = fx_now_ms();
	/* Meanwhile the trace is still busy. */
	fx_err(&fx_br, 3, "Tracing.start", NULL, -32000, STARTED);
	fx_err(&fx_br, 4, "Tracing.end", NULL, -32000, "Tracing is not started");
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_int_ge(fx_now_ms() - t0, 280);
	fx_trace_clear(&tr);
	fx_ok(&fx_br, 5, "Tracing.start", NULL);
	fx_teardown();
}
END_TEST

START_TEST(knob_never_complete_blocks_until_the_owner_leaves)
{
	struct fx_conn other;
	start_with("tracing.never_complete=1");
	fx_ok(&fx_br, 1, "Tracing.start", "{\"transferMode\":\"ReturnAsStream\"}");
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	ck_assert(fx_quiet(&fx_br, 500));
	fx_browser(&other, &fx_srv);
	fx_err(&other, 1, "Tracing.start", NULL, -32000, STARTED);
	fx_close(&fx_br);
	usleep(50000);
	fx_ok(&other, 2, "Tracing.start", NULL);
	fx_close(&other);
	fx_stop(&fx_srv);
}
END_TEST

START_TEST(knobs_force_loss_and_usage)
{
	struct fx_trace tr;
	start_with("tracing.data_loss=1,tracing.percent_full=0.5");
	fx_ok(&fx_br, 1, "Tracing.start", "{\"bufferUsageReportingInterval\":1}");
	next_usage(&fx_br, "0.5");
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_int_eq(tr.data_loss, 1);
	fx_trace_clear(&tr);
	fx_teardown();

	/* stuck_full: full at once, nothing but the head recorded. */
	start_with("tracing.stuck_full=1");
	fx_ok(&fx_br, 1, "Tracing.start", "{\"bufferUsageReportingInterval\":1}");
	next_usage(&fx_br, "1");
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_int_eq(tr.data_loss, 1);
	ck_assert_uint_le(tr.events, tr.head + 2);
	fx_trace_clear(&tr);
	fx_teardown();
}
END_TEST

START_TEST(knobs_set_the_chunk_caps)
{
	struct fx_trace tr;
	start_with("tracing.events=3000,tracing.chunk_events=10");
	fx_ok(&fx_br, 1, "Tracing.start", NULL);
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 10, 0, NULL, NULL);
	ck_assert_uint_eq(tr.max_events, 10);
	ck_assert_uint_ge(tr.frames, 300);
	fx_trace_clear(&tr);
	fx_teardown();

	start_with("tracing.events=1000,tracing.chunk_bytes=1000");
	fx_ok(&fx_br, 1, "Tracing.start", NULL);
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 1000, 515, 0, NULL, NULL);
	ck_assert_uint_le(tr.max_events, 10);
	fx_trace_clear(&tr);
	fx_teardown();
}
END_TEST

START_TEST(trace_events_env_sizes_the_trace)
{
	struct fx_trace tr;
	setenv("CDPM_TRACE_EVENTS", "1234", 1);
	start_with(NULL);
	unsetenv("CDPM_TRACE_EVENTS");
	fx_ok(&fx_br, 1, "Tracing.start", NULL);
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	/* the head: metadata, ActiveProcesses and TracingStartedInBrowser */
	ck_assert_uint_ge(tr.events, 1234 + tr.head);
	ck_assert_uint_le(tr.events, 1234 + tr.head + 2);
	fx_trace_clear(&tr);
	fx_teardown();
}
END_TEST

START_TEST(scenario_knobs_replace_categories_series_and_compression)
{
	static const char scen[] =
	    "{\"description\": \"tracing knobs\", \"tracing\": {\"categories\": "
	    "[\"devtools.timeline\"], \"bufferUsage\": [0.25, 0.5],"
	    " \"compression\": \"gzip\"}}\n";
	char path[64];
	fx_temp_file(path, scen, sizeof(scen) - 1);
	const char *const args[] = {"--scenario", path, NULL};
	struct fx_trace tr;
	fx_start_knobs(&fx_srv, NULL, args);
	unlink(path);
	fx_browser(&fx_br, &fx_srv);
	fx_ok(&fx_br, 1, "Tracing.start", "{\"bufferUsageReportingInterval\":1}");
	next_usage(&fx_br, "0.25");
	next_usage(&fx_br, "0.5");
	next_usage(&fx_br, "0.5");
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 1, NULL, NULL);
	for (size_t i = tr.head; i < json_array_size(tr.all); i++) {
		const char *cat =
		    json_string_value(json_object_get(json_array_get(tr.all, i), "cat"));
		if (!strstr(cat, "devtools.timeline") && strcmp(cat, "__metadata"))
			ck_abort_msg("category %s", cat);
	}
	fx_trace_clear(&tr);
	fx_ok(&fx_br, 3, "Tracing.start", "{\"transferMode\":\"ReturnAsStream\"}");
	fx_ok(&fx_br, 4, "Tracing.end", NULL);
	fx_expect(&fx_br,
		  "{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":"
		  "false,\"stream\":\"1\",\"traceFormat\":\"json\",\"streamCompression\":"
		  "\"gzip\"}}");
	fx_cmd_expect(
	    &fx_br, 5, "IO.read", "{\"handle\":\"1\",\"size\":3}",
	    "{\"id\":%d,\"result\":{\"base64Encoded\":true,\"data\":\"H4sI\",\"eof\":false}}");
	fx_teardown();
}
END_TEST

Suite *tracing_delivery_suite(void);

Suite *tracing_delivery_suite(void)
{
	Suite *s = suite_create("tracing_delivery");
	TCase *tc = tcase_create("delivery");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, end_reply_then_chunks_then_complete);
	tcase_add_test(tc, small_category_sets_fit_in_one_frame);
	tcase_add_test(tc, replies_interleave_with_the_chunks);
	if (!getenv("CDPM_SLOW")) /* valgrind's own memory would swamp the RSS figure */
		tcase_add_test(tc, a_slow_reader_keeps_the_server_small);
	tcase_add_test(tc, buffer_usage_every_period_while_recording);
	tcase_add_loop_test(tc, small_buffers_fill_and_lose_data, 0,
			    (int)(sizeof(lossy_starts) / sizeof(lossy_starts[0])));
	tcase_add_test(tc, percent_full_grows_with_the_trace);
	tcase_add_test(tc, knob_complete_delay_holds_the_data);
	tcase_add_test(tc, knob_never_complete_blocks_until_the_owner_leaves);
	tcase_add_test(tc, knobs_force_loss_and_usage);
	tcase_add_test(tc, knobs_set_the_chunk_caps);
	tcase_add_test(tc, trace_events_env_sizes_the_trace);
	tcase_add_test(tc, scenario_knobs_replace_categories_series_and_compression);
	suite_add_tcase(s, tc);
	return s;
}
