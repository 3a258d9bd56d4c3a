/* test_tracing.c - the Tracing commands and their errors (docs/chrome.md §7.2-§7.3):
 * getCategories, start/end, every -32602/-32000 text, the parameters Chrome
 * does not validate, clock syncs, memory dumps and the track event
 * descriptor.  Delivery is in test_tracing_delivery.c, sessions and
 * disconnects in test_tracing_sessions.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define STARTED "Tracing has already been started (possibly in another tab)."
#define NOT_STARTED "Tracing is not started"

/* Ends the trace of p and reads it to tracingComplete. */
static void end_and_drain(struct fx_conn *p, int id)
{
	struct fx_trace tr;
	fx_ok(p, id, "Tracing.end", NULL);
	fx_collect(p, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_uint_gt(tr.events, 0);
	fx_trace_clear(&tr);
}

static void check_categories(struct fx_conn *p, int id)
{
	fx_cmd(p, id, "Tracing.getCategories", NULL);
	const char *m = fx_next(p);
	json_t *v = json_loads(m, 0, NULL);
	json_t *cats = json_object_get(json_object_get(v, "result"), "categories");
	ck_assert_uint_eq(json_array_size(cats), 293);
	ck_assert_str_eq(json_string_value(json_array_get(cats, 0)), "AccountFetcherService");
	size_t dbd = 0, meta = 0;
	for (size_t i = 0; i < json_array_size(cats); i++) {
		const char *c = json_string_value(json_array_get(cats, i));
		if (i)
			ck_assert_int_lt(strcmp(json_string_value(json_array_get(cats, i - 1)), c),
					 0);
		dbd += !strncmp(c, "disabled-by-default-", 20);
		meta += !strcmp(c, "__metadata");
	}
	ck_assert_uint_eq(dbd, 108);
	ck_assert_uint_eq(meta, 1);
	json_decref(v);
}

START_TEST(get_categories_lists_chromes_293_in_byte_order)
{
	fx_cmd(&fx_br, 1, "Tracing.getCategories", NULL);
	fx_next(&fx_br);
	/* The whole frame is 6,665 bytes, as Chrome's. */
	ck_assert_uint_eq(fx_br.msg.len, 6665);
	check_categories(&fx_br, 2);
	/* It works while tracing, and on page sessions. */
	fx_ok(&fx_br, 3, "Tracing.start", NULL);
	check_categories(&fx_br, 4);
	end_and_drain(&fx_br, 5);
	struct fx_conn pg;
	fx_open(&pg, &fx_srv, fx_br.fd, fx_srv.page_id, FX_FLAT_SESSION);
	check_categories(&pg, 6);
	fx_close(&pg);
}
END_TEST

START_TEST(start_and_end_follow_the_one_trace)
{
	fx_err(&fx_br, 1, "Tracing.end", NULL, -32000, NOT_STARTED);
	fx_ok(&fx_br, 2, "Tracing.start", NULL);
	fx_err(&fx_br, 3, "Tracing.start", NULL, -32000, STARTED);
	fx_err(&fx_br, 4, "Tracing.start", "{\"transferMode\":\"ReturnAsStream\"}", -32000,
	       STARTED);
	end_and_drain(&fx_br, 5);
	/* After a completed trace, end is refused and a new start works. */
	fx_err(&fx_br, 6, "Tracing.end", NULL, -32000, NOT_STARTED);
	fx_ok(&fx_br, 7, "Tracing.start", "{}");
	end_and_drain(&fx_br, 8);
}
END_TEST

/* Parameter errors: Chrome rejects these and nothing starts. */
static const struct {
	const char *params;
	int code;
	const char *message;
} bad_starts[] = {
    {"{\"traceConfig\":{},\"categories\":\"x\"}", -32602,
     "Either trace config (preferred), or categories+options should be specified, but not both."},
    {"{\"traceConfig\":{\"recordMode\":\"recordContinuously\"},\"options\":\"\"}", -32602,
     "Either trace config (preferred), or categories+options should be specified, but not both."},
    {"{\"streamFormat\":\"proto\"}", -32602,
     "Proto format is only supported when using stream transfer mode."},
    {"{\"streamFormat\":\"proto\",\"transferMode\":\"ReportEvents\"}", -32602,
     "Proto format is only supported when using stream transfer mode."},
    {"{\"streamFormat\":\"proto\",\"transferMode\":\"bogus\"}", -32602,
     "Proto format is only supported when using stream transfer mode."},
    {"{\"tracingBackend\":\"nope\"}", -32602, "Unsupported value for tracing_backend parameter."},
    {"{\"tracingBackend\":\"\"}", -32602, "Unsupported value for tracing_backend parameter."},
    {"{\"perfettoConfig\":\"e30=\"}", -32602, "Couldn't parse the supplied perfettoConfig."},
    {"{\"perfettoConfig\":\"Eg8KDQoLdHJhY2tfZXY=\"}", -32602,
     "Couldn't parse the supplied perfettoConfig."},
    {"{\"perfettoConfig\":\"\"}", -32602,
     "Supplied perfettoConfig doesn't have any data sources specified"},
    {"{\"perfettoConfig\":\"CgMIgCA=\"}", -32602,
     "Supplied perfettoConfig doesn't have any data sources specified"},
    /* The descriptor check comes first: bad base64 is a BINDINGS error. */
    {"{\"perfettoConfig\":\"e30\"}", -32602, "Invalid parameters"},
};

START_TEST(bad_start_params_are_refused_with_chromes_text)
{
	fx_cmd(&fx_br, 1, "Tracing.start", bad_starts[_i].params);
	char want[512];
	snprintf(want, sizeof(want), "{\"id\":1,\"error\":{\"code\":%d,\"message\":\"%s\"*}",
		 bad_starts[_i].code, bad_starts[_i].message);
	fx_expect(&fx_br, want);
	/* Nothing started: end is refused, a good start works. */
	fx_err(&fx_br, 2, "Tracing.end", NULL, -32000, NOT_STARTED);
	fx_ok(&fx_br, 3, "Tracing.start", NULL);
	end_and_drain(&fx_br, 4);
}
END_TEST

START_TEST(system_backend_fails_and_sticks_to_its_session)
{
	struct fx_conn other;
	fx_err(&fx_br, 1, "Tracing.start", "{\"tracingBackend\":\"system\"}", -32000,
	       "Peer disconnected");
	/* That handler keeps answering "already been started"... */
	fx_err(&fx_br, 2, "Tracing.start", NULL, -32000, STARTED);
	fx_err(&fx_br, 3, "Tracing.end", NULL, -32000, NOT_STARTED);
	/* ...but no trace is running: another connection can trace. */
	fx_browser(&other, &fx_srv);
	fx_ok(&other, 1, "Tracing.start", NULL);
	end_and_drain(&other, 2);
	/* "auto" picks the system backend for a non-Chrome data source. */
	fx_err(&other, 3, "Tracing.start", "{\"perfettoConfig\":\"EhAKDgoMbGludXguZnRyYWNl\"}",
	       -32000, "Peer disconnected");
	fx_err(&other, 4, "Tracing.start", NULL, -32000, STARTED);
	fx_close(&other);
	/* A new connection is a new handler. */
	fx_browser(&other, &fx_srv);
	fx_ok(&other, 1, "Tracing.start",
	      "{\"tracingBackend\":\"chrome\",\"perfettoConfig\":\"EhAKDgoMbGludXguZnRyYWNl\"}");
	end_and_drain(&other, 2);
	fx_close(&other);
}
END_TEST

/* Accepted silently and treated as the defaults (docs/chrome.md §7.2-§7.3). */
static const char *const lenient_starts[] = {
    NULL,
    "{}",
    "[]",
    "{\"traceConfig\":{}}",
    "{\"transferMode\":\"bogus\"}",
    "{\"traceConfig\":{\"recordMode\":\"bogus\"}}",
    "{\"traceConfig\":{\"traceBufferSizeInKb\":0}}",
    "{\"traceConfig\":{\"traceBufferSizeInKb\":-5}}",
    "{\"traceConfig\":{\"foo\":1,\"syntheticDelays\":[\"x\"],\"enableSampling\":true,"
    "\"enableSystrace\":true,\"enableArgumentFilter\":true,\"memoryDumpConfig\":{}}}",
    "{\"traceConfig\":{\"includedCategories\":[]}}",
    "{\"categories\":\"-*,devtools.timeline,v8\",\"options\":\"record-continuously\"}",
    "{\"options\":\"record-until-full\"}",
    "{\"categories\":\"\"}",
    "{\"traceConfig\":{\"recordMode\":\"echoToConsole\"}}",
    "{\"traceConfig\":{\"recordMode\":\"recordAsMuchAsPossible\",\"traceBufferSizeInKb\":1}}",
    "{\"tracingBackend\":\"auto\"}",
    "{\"tracingBackend\":\"chrome\",\"streamCompression\":\"gzip\"}",
    "{\"bufferUsageReportingInterval\":0}",
    "{\"perfettoConfig\":\"CgMIgAgSKAomCgt0cmFja19ldmVudIoHFhIRZGV2dG9vbHMudGltZWxpbmUKASo=\"}",
};

START_TEST(unvalidated_params_fall_back_to_defaults)
{
	fx_ok(&fx_br, 1, "Tracing.start", lenient_starts[_i]);
	struct fx_trace tr;
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 0, NULL, NULL);
	ck_assert_uint_gt(tr.head, 10);
	ck_assert_int_eq(tr.data_loss, 0);
	fx_trace_clear(&tr);
}
END_TEST

START_TEST(bogus_stream_options_mean_json_and_none)
{
	fx_ok(&fx_br, 1, "Tracing.start",
	      "{\"transferMode\":\"ReturnAsStream\",\"streamFormat\":\"bogus\","
	      "\"streamCompression\":\"zip\"}");
	fx_ok(&fx_br, 2, "Tracing.end", NULL);
	fx_expect(&fx_br,
		  "{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":"
		  "false,\"stream\":\"1\",\"traceFormat\":\"json\",\"streamCompression\":"
		  "\"none\"}}");
	fx_cmd_expect(
	    &fx_br, 3, "IO.read", "{\"handle\":\"1\",\"size\":18}",
	    "{\"id\":%d,\"result\":{\"base64Encoded\":false,\"data\":\"{\\\"traceEvents\\\":["
	    "\\n{\",\"eof\":false}}");
}
END_TEST

static json_t *find_event(json_t *all, const char *ph, const char *name)
{
	size_t i;
	json_t *ev;
	json_array_foreach(all, i, ev)
	{
		if (!strcmp(json_string_value(json_object_get(ev, "ph")), ph) &&
		    (!name || !strcmp(json_string_value(json_object_get(ev, "name")), name)))
			return ev;
	}
	return NULL;
}

START_TEST(clock_sync_marker_adds_a_c_event)
{
	struct fx_trace tr;
	fx_err(&fx_br, 1, "Tracing.recordClockSyncMarker", "{\"syncId\":\"x\"}", -32000,
	       NOT_STARTED);
	fx_ok(&fx_br, 2, "Tracing.start", NULL);
	fx_ok(&fx_br, 3, "Tracing.recordClockSyncMarker", "{\"syncId\":\"sync-1\"}");
	fx_ok(&fx_br, 4, "Tracing.recordClockSyncMarker", "{\"syncId\":\"\\u00e9t\\u00e9\"}");
	fx_ok(&fx_br, 5, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 1, NULL, NULL);
	json_t *c = find_event(tr.all, "c", "clock_sync");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(json_string_value(json_object_get(c, "cat")), "__metadata");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "args"), "sync_id")),
			 "sync-1");
	ck_assert(json_is_integer(json_object_get(c, "tts")));
	fx_trace_clear(&tr);
	fx_err(&fx_br, 6, "Tracing.recordClockSyncMarker", "{\"syncId\":\"x\"}", -32000,
	       NOT_STARTED);
	/* The parameter is mandatory (the descriptor check). */
	fx_cmd_expect(
	    &fx_br, 7, "Tracing.recordClockSyncMarker", "{}",
	    "{\"id\":%d,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\",\"data\":"
	    "\"Failed to deserialize params.syncId - BINDINGS: mandatory field missing at "
	    "position 8\"}}");
}
END_TEST

START_TEST(memory_dump_needs_a_trace_and_a_good_level)
{
	struct fx_trace tr;
	fx_err(&fx_br, 1, "Tracing.requestMemoryDump", NULL, -32000, NOT_STARTED);
	fx_ok(&fx_br, 2, "Tracing.start",
	      "{\"traceConfig\":{\"includedCategories\":[\"disabled-by-default-memory-infra\"],"
	      "\"memoryDumpConfig\":{\"triggers\":[]}}}");
	fx_err(&fx_br, 3, "Tracing.requestMemoryDump", "{\"levelOfDetail\":\"full\"}", -32000,
	       "Invalid levelOfDetail specified.");
	fx_cmd_expect(&fx_br, 4, "Tracing.requestMemoryDump", NULL,
		      "{\"id\":%d,\"result\":{\"dumpGuid\":\"0x1\",\"success\":true}}");
	fx_cmd_expect(&fx_br, 5, "Tracing.requestMemoryDump",
		      "{\"deterministic\":true,\"levelOfDetail\":\"light\"}",
		      "{\"id\":%d,\"result\":{\"dumpGuid\":\"0x2\",\"success\":true}}");
	fx_ok(&fx_br, 6, "Tracing.end", NULL);
	fx_collect(&fx_br, &tr, 65536, 515, 1, NULL, NULL);
	json_t *v = find_event(tr.all, "v", NULL);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(json_string_value(json_object_get(v, "cat")),
			 "disabled-by-default-memory-infra");
	fx_trace_clear(&tr);
	fx_err(&fx_br, 7, "Tracing.requestMemoryDump", NULL, -32000, NOT_STARTED);
}
END_TEST

START_TEST(track_event_descriptor_works_without_a_trace)
{
	fx_cmd(&fx_br, 1, "Tracing.getTrackEventDescriptor", NULL);
	const char *m = fx_next(&fx_br);
	const char *pre = "{\"id\":1,\"result\":{\"descriptor\":\"";
	ck_assert_int_eq(strncmp(m, pre, strlen(pre)), 0);
	const char *b64 = m + strlen(pre);
	const char *end = strchr(b64, '"');
	ck_assert_str_eq(end, "\"}}");
	struct buf raw;
	buf_init(&raw, 0);
	ck_assert_int_eq(tt_b64_decode(b64, (size_t)(end - b64), &raw), 0);
	/* available_categories (field 1), the first named AccountFetcherService */
	ck_assert_uint_gt(raw.len, 5000);
	ck_assert_int_eq((unsigned char)raw.data[0], 0x0a);
	ck_assert(memmem(raw.data, raw.len, "AccountFetcherService", 21) != NULL);
	buf_clear(&raw);
}
END_TEST

Suite *tracing_suite(void);

Suite *tracing_suite(void)
{
	Suite *s = suite_create("tracing");
	TCase *tc = tcase_create("commands");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, get_categories_lists_chromes_293_in_byte_order);
	tcase_add_test(tc, start_and_end_follow_the_one_trace);
	tcase_add_loop_test(tc, bad_start_params_are_refused_with_chromes_text, 0,
			    (int)(sizeof(bad_starts) / sizeof(bad_starts[0])));
	tcase_add_test(tc, system_backend_fails_and_sticks_to_its_session);
	tcase_add_loop_test(tc, unvalidated_params_fall_back_to_defaults, 0,
			    (int)(sizeof(lenient_starts) / sizeof(lenient_starts[0])));
	tcase_add_test(tc, bogus_stream_options_mean_json_and_none);
	tcase_add_test(tc, clock_sync_marker_adds_a_c_event);
	tcase_add_test(tc, memory_dump_needs_a_trace_and_a_good_level);
	tcase_add_test(tc, track_event_descriptor_works_without_a_trace);
	suite_add_tcase(s, tc);
	return s;
}
