/* test_tracing_delivery.c - how a trace comes out (CHROMIUM.md 4.2-4.4,
 * 4.6): the end reply first, dataCollected chunks within Chrome's byte and
 * event caps with metadata first, tracingComplete last; replies to other
 * commands interleaved; data written only as fast as the client reads;
 * bufferUsage periods and values; data loss; the tracing.* knobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_tracing_util.h"

static struct harness_server srv;
static struct ptest br;

static void start_with(const char *knobs)
{
	tt_start(&srv, knobs, NULL);
	tt_browser(&br, &srv);
}

static void stop(void)
{
	ptest_close(&br);
	itest_stop(&srv);
}

#define STARTED "Tracing has already been started (possibly in another tab)."

START_TEST(end_reply_then_chunks_then_complete)
{
	struct tt_trace tr;
	start_with(tt_slow() ? "tracing.events=3000" : "tracing.events=30000");
	tt_ok(&br, 1, "Tracing.start", NULL);
	/* The reply to end is always first. */
	tt_ok(&br, 2, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 1, NULL, NULL);
	size_t body = tt_slow() ? 3000 : 30000;
	ck_assert_uint_ge(tr.events, body + tr.head);
	ck_assert_uint_gt(tr.frames, tt_slow() ? 5 : 60);
	/* Frames fill up to about 64 KiB of events. */
	ck_assert_uint_gt(tr.max_bytes, 60000);
	ck_assert_int_eq(tr.data_loss, 0);
	/* Chrome's first event: the swapper thread name (CHROMIUM.md 4.3). */
	json_t *first = json_array_get(tr.all, 0);
	char *s = json_dumps(first, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(s, "{\"args\":{\"name\":\"swapper\"},\"cat\":\"__metadata\",\"name\":"
			    "\"thread_name\",\"ph\":\"M\",\"pid\":0,\"tid\":0,\"ts\":0}");
	free(s);
	/* Body timestamps lie within the trace and metadata has ts 0. */
	for (size_t i = 0; i < tr.head; i++)
		if (json_integer_value(json_object_get(json_array_get(tr.all, i), "ts")))
			ck_abort_msg("metadata event %zu has a non-zero ts", i);
	tt_trace_clear(&tr);
	/* Nothing follows tracingComplete. */
	ck_assert(ptest_quiet(&br, 200));
	stop();
}
END_TEST

START_TEST(small_category_sets_fit_in_one_frame)
{
	struct tt_trace tr;
	start_with(NULL);
	tt_ok(&br, 1, "Tracing.start",
	      "{\"traceConfig\":{\"includedCategories\":[\"devtools.timeline\"],"
	      "\"excludedCategories\":[\"*\"]}}");
	usleep(100000);
	tt_ok(&br, 2, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 1, NULL, NULL);
	ck_assert_uint_eq(tr.frames, 1);
	/* Only the filter's categories besides metadata. */
	for (size_t i = tr.head; i < json_array_size(tr.all); i++) {
		const char *cat =
		    json_string_value(json_object_get(json_array_get(tr.all, i), "cat"));
		if (!strstr(cat, "devtools.timeline") && strcmp(cat, "__metadata"))
			ck_abort_msg("category %s", cat);
	}
	tt_trace_clear(&tr);
	stop();
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
	struct tt_trace tr;
	struct replies r;
	memset(&r, 0, sizeof(r));
	/* Big enough that the kernel's socket buffers cannot hold the rest of
	 * the trace while the client is not reading. */
	start_with(tt_slow() ? "tracing.events=150000" : "tracing.events=300000");
	tt_ok(&br, 1, "Tracing.start", NULL);
	tt_ok(&br, 2, "Tracing.end", NULL);
	/* Read a few chunks, then ask other things while the trace flows. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(
		    strncmp(ptest_next(&br), "{\"method\":\"Tracing.dataCollected\"", 33), 0);
	for (int id = 10; id < 18; id++)
		tt_send(&br, id, "Browser.getVersion", NULL);
	tt_collect(&br, &tr, 65536, 515, 0, note_reply, &r);
	/* Every reply came before tracingComplete, among the chunks. */
	for (int i = 0; i < 8; i++)
		ck_assert(r.seen[i]);
	ck_assert_uint_eq(tr.others, 8);
	ck_assert_uint_gt(tr.frames, 100);
	tt_trace_clear(&tr);
	stop();
}
END_TEST

START_TEST(a_slow_reader_keeps_the_server_small)
{
	/* ~350 MB of trace JSON; the client reads nothing for a while. */
	start_with("tracing.events=2000000");
	tt_ok(&br, 1, "Tracing.start", NULL);
	tt_ok(&br, 2, "Tracing.end", NULL);
	usleep(500000);
	long kb = tt_rss_kb(srv.pid);
	ck_assert_int_gt(kb, 0);
	ck_assert_msg(kb < 48 * 1024, "server RSS %ld kB while the client does not read", kb);
	/* The client goes away mid-trace: the trace is gone, a new one starts. */
	ptest_close(&br);
	usleep(50000);
	tt_browser(&br, &srv);
	tt_ok(&br, 1, "Tracing.start", NULL);
	stop();
}
END_TEST

/* Reads frames until a bufferUsage arrives; returns the ms it took. */
static long long next_usage(struct ptest *p, const char *want_value)
{
	long long t0 = tt_now_ms();
	const char *m = ptest_next(p);
	long long dt = tt_now_ms() - t0;
	ck_assert_msg(
	    ptest_match("{\"method\":\"Tracing.bufferUsage\",\"params\":{\"percentFull\":*,"
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
	struct tt_trace tr;
	start_with(NULL);
	long long slack = tt_slow() ? 2000 : 120;
	/* 50 ms means 250 ms: the period has a floor. */
	tt_ok(&br, 1, "Tracing.start", "{\"bufferUsageReportingInterval\":50}");
	long long dt = next_usage(&br, NULL);
	ck_assert_int_ge(dt, 240);
	ck_assert_int_le(dt, 250 + slack);
	dt = next_usage(&br, NULL);
	ck_assert_int_ge(dt, 200);
	ck_assert_int_le(dt, 250 + slack);
	/* None after the end reply. */
	tt_ok(&br, 2, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 0, NULL, NULL);
	tt_trace_clear(&tr);
	ck_assert(ptest_quiet(&br, 400));

	/* 500 ms; in ReturnAsStream mode too. */
	tt_ok(&br, 3, "Tracing.start",
	      "{\"bufferUsageReportingInterval\":500,\"transferMode\":\"ReturnAsStream\"}");
	dt = next_usage(&br, NULL);
	ck_assert_int_ge(dt, 480);
	ck_assert_int_le(dt, 500 + slack);
	tt_ok(&br, 4, "Tracing.end", NULL);
	ptest_expect(&br,
		     "{\"method\":\"Tracing.tracingComplete\",\"params\":{*\"stream\":\"1\"*}}");
	ck_assert(ptest_quiet(&br, 700));

	/* Negative means the floor; zero or absent means none. */
	tt_ok(&br, 5, "Tracing.start", "{\"bufferUsageReportingInterval\":-10}");
	dt = next_usage(&br, NULL);
	ck_assert_int_le(dt, 250 + slack);
	tt_ok(&br, 6, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 0, NULL, NULL);
	tt_trace_clear(&tr);
	tt_ok(&br, 7, "Tracing.start", "{\"bufferUsageReportingInterval\":0}");
	ck_assert(ptest_quiet(&br, 400));
	tt_ok(&br, 8, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 0, NULL, NULL);
	tt_trace_clear(&tr);
	stop();
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
	struct tt_trace tr;
	start_with("tracing.events=20000");
	tt_ok(&br, 1, "Tracing.start", lossy_starts[_i]);
	next_usage(&br, "1");
	tt_ok(&br, 2, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_int_eq(tr.data_loss, 1);
	ck_assert_uint_lt(tr.events, 20000);
	tt_trace_clear(&tr);
	/* Without a size, the same trace loses nothing. */
	tt_ok(&br, 3, "Tracing.start", "{\"traceConfig\":{\"recordMode\":\"recordUntilFull\"}}");
	tt_ok(&br, 4, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_int_eq(tr.data_loss, 0);
	ck_assert_uint_ge(tr.events, 20000);
	tt_trace_clear(&tr);
	stop();
}
END_TEST

START_TEST(percent_full_grows_with_the_trace)
{
	start_with(NULL);
	tt_ok(&br, 1, "Tracing.start",
	      "{\"bufferUsageReportingInterval\":250,\"traceConfig\":{\"traceBufferSizeInKb\":"
	      "100000}}");
	next_usage(&br, NULL);
	double a = strtod(strstr(br.msg.data, "\"value\":") + 8, NULL);
	next_usage(&br, NULL);
	double b = strtod(strstr(br.msg.data, "\"value\":") + 8, NULL);
	ck_assert(a > 0 && b > a && b < 1);
	stop();
}
END_TEST

START_TEST(knob_complete_delay_holds_the_data)
{
	struct tt_trace tr;
	start_with("tracing.complete_delay_us=300000");
	tt_ok(&br, 1, "Tracing.start", NULL);
	tt_ok(&br, 2, "Tracing.end", NULL);
	long long t0 = tt_now_ms();
	/* Meanwhile the trace is still busy. */
	tt_err(&br, 3, "Tracing.start", NULL, -32000, STARTED);
	tt_err(&br, 4, "Tracing.end", NULL, -32000, "Tracing is not started");
	tt_collect(&br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_int_ge(tt_now_ms() - t0, 280);
	tt_trace_clear(&tr);
	tt_ok(&br, 5, "Tracing.start", NULL);
	stop();
}
END_TEST

START_TEST(knob_never_complete_blocks_until_the_owner_leaves)
{
	struct ptest other;
	start_with("tracing.never_complete=1");
	tt_ok(&br, 1, "Tracing.start", "{\"transferMode\":\"ReturnAsStream\"}");
	tt_ok(&br, 2, "Tracing.end", NULL);
	ck_assert(ptest_quiet(&br, 500));
	tt_browser(&other, &srv);
	tt_err(&other, 1, "Tracing.start", NULL, -32000, STARTED);
	ptest_close(&br);
	usleep(50000);
	tt_ok(&other, 2, "Tracing.start", NULL);
	ptest_close(&other);
	itest_stop(&srv);
}
END_TEST

START_TEST(knobs_force_loss_and_usage)
{
	struct tt_trace tr;
	start_with("tracing.data_loss=1,tracing.percent_full=0.5");
	tt_ok(&br, 1, "Tracing.start", "{\"bufferUsageReportingInterval\":1}");
	next_usage(&br, "0.5");
	tt_ok(&br, 2, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_int_eq(tr.data_loss, 1);
	tt_trace_clear(&tr);
	stop();

	/* stuck_full: full at once, nothing but the head recorded. */
	start_with("tracing.stuck_full=1");
	tt_ok(&br, 1, "Tracing.start", "{\"bufferUsageReportingInterval\":1}");
	next_usage(&br, "1");
	tt_ok(&br, 2, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_int_eq(tr.data_loss, 1);
	ck_assert_uint_le(tr.events, tr.head + 2);
	tt_trace_clear(&tr);
	stop();
}
END_TEST

START_TEST(knobs_set_the_chunk_caps)
{
	struct tt_trace tr;
	start_with("tracing.events=3000,tracing.chunk_events=10");
	tt_ok(&br, 1, "Tracing.start", NULL);
	tt_ok(&br, 2, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 10, 0, NULL, NULL);
	ck_assert_uint_eq(tr.max_events, 10);
	ck_assert_uint_ge(tr.frames, 300);
	tt_trace_clear(&tr);
	stop();

	start_with("tracing.events=1000,tracing.chunk_bytes=1000");
	tt_ok(&br, 1, "Tracing.start", NULL);
	tt_ok(&br, 2, "Tracing.end", NULL);
	tt_collect(&br, &tr, 1000, 515, 0, NULL, NULL);
	ck_assert_uint_le(tr.max_events, 10);
	tt_trace_clear(&tr);
	stop();
}
END_TEST

START_TEST(trace_events_env_sizes_the_trace)
{
	struct tt_trace tr;
	setenv("CDPM_TRACE_EVENTS", "1234", 1);
	start_with(NULL);
	unsetenv("CDPM_TRACE_EVENTS");
	tt_ok(&br, 1, "Tracing.start", NULL);
	tt_ok(&br, 2, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 0, NULL, NULL);
	/* the head: metadata, ActiveProcesses and TracingStartedInBrowser */
	ck_assert_uint_ge(tr.events, 1234 + tr.head);
	ck_assert_uint_le(tr.events, 1234 + tr.head + 2);
	tt_trace_clear(&tr);
	stop();
}
END_TEST

START_TEST(scenario_knobs_replace_categories_series_and_compression)
{
	static const char scen[] =
	    "{\"description\": \"tracing knobs\", \"tracing\": {\"categories\": [\"devtools.timeline\"], \"bufferUsage\": [0.25, 0.5],"
	    " \"compression\": \"gzip\"}}\n";
	char path[] = "/tmp/cdpm-scen-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, scen, sizeof(scen) - 1), (ssize_t)(sizeof(scen) - 1));
	close(fd);
	const char *const args[] = {"--scenario", path, NULL};
	struct tt_trace tr;
	tt_start(&srv, NULL, args);
	unlink(path);
	tt_browser(&br, &srv);
	tt_ok(&br, 1, "Tracing.start", "{\"bufferUsageReportingInterval\":1}");
	next_usage(&br, "0.25");
	next_usage(&br, "0.5");
	next_usage(&br, "0.5");
	tt_ok(&br, 2, "Tracing.end", NULL);
	tt_collect(&br, &tr, 65536, 515, 1, NULL, NULL);
	for (size_t i = tr.head; i < json_array_size(tr.all); i++) {
		const char *cat =
		    json_string_value(json_object_get(json_array_get(tr.all, i), "cat"));
		if (!strstr(cat, "devtools.timeline") && strcmp(cat, "__metadata"))
			ck_abort_msg("category %s", cat);
	}
	tt_trace_clear(&tr);
	tt_ok(&br, 3, "Tracing.start", "{\"transferMode\":\"ReturnAsStream\"}");
	tt_ok(&br, 4, "Tracing.end", NULL);
	ptest_expect(&br,
		     "{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":"
		     "false,\"stream\":\"1\",\"traceFormat\":\"json\",\"streamCompression\":"
		     "\"gzip\"}}");
	tt_call(&br, 5, "IO.read", "{\"handle\":\"1\",\"size\":3}",
		"{\"id\":%d,\"result\":{\"base64Encoded\":true,\"data\":\"H4sI\",\"eof\":false}}");
	stop();
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
