/* test_tracing_cfg.c - Tracing.start's parameters (server/tracing_cfg.c):
 * the legacy categories/options strings, traceConfig, perfettoConfig, the
 * transfer settings, and which combinations are refused with which text. */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "domains/tracing/tracing_cfg.h"

/* Parses params (JSON text) into cfg; returns the verdict. */
static enum tracing_cfg_err parse(const char *params, struct tracing_cfg *cfg)
{
	enum tracing_cfg_err err = TRACING_CFG_OK;
	json_t *p = json_loads(params, 0, NULL);
	ck_assert_ptr_nonnull(p);
	memset(cfg, 0, sizeof(*cfg));
	ck_assert_int_eq(tracing_cfg_parse(p, cfg, &err), 0);
	json_decref(p);
	return err;
}

static void expect_list(char **got, size_t n, const char *const *want)
{
	size_t i = 0;
	for (; want[i]; i++) {
		ck_assert_uint_lt(i, n);
		ck_assert_str_eq(got[i], want[i]);
	}
	ck_assert_uint_eq(i, n);
}

START_TEST(legacy_categories_split_into_included_and_excluded)
{
	struct tracing_cfg c;
	ck_assert_int_eq(parse("{\"categories\":\" -*, devtools.timeline ,,v8,"
			       "disabled-by-default-v8.cpu_profiler,DELAY(x;1)\","
			       "\"options\":\"sampling-frequency=10000, record-continuously\"}",
			       &c),
			 TRACING_CFG_OK);
	expect_list(c.included, c.n_included,
		    (const char *const[]){"devtools.timeline", "v8",
					  "disabled-by-default-v8.cpu_profiler", NULL});
	expect_list(c.excluded, c.n_excluded, (const char *const[]){"*", NULL});
	ck_assert_int_eq(c.record_mode, TRACE_RECORD_CONTINUOUSLY);
	ck_assert_int_eq(c.stream, 0);
	tracing_cfg_clear(&c);
}
END_TEST

START_TEST(trace_config_reads_modes_sizes_and_lists)
{
	struct tracing_cfg c;
	ck_assert_int_eq(
	    parse("{\"traceConfig\":{\"recordMode\":\"recordAsMuchAsPossible\","
		  "\"traceBufferSizeInKb\":64.5,\"includedCategories\":[\"a\",\"b*\"],"
		  "\"excludedCategories\":[\"c\"],\"memoryDumpConfig\":{\"triggers\":"
		  "[{\"mode\":\"light\",\"periodic_interval_ms\":500},{\"mode\":"
		  "\"detailed\",\"periodic_interval_ms\":100}]}},\"transferMode\":"
		  "\"ReturnAsStream\",\"streamFormat\":\"proto\",\"streamCompression\":"
		  "\"gzip\",\"bufferUsageReportingInterval\":300.5}",
		  &c),
	    TRACING_CFG_OK);
	ck_assert_int_eq(c.record_mode, TRACE_RECORD_AS_MUCH_AS_POSSIBLE);
	ck_assert_uint_eq(c.buffer_kb, 64);
	expect_list(c.included, c.n_included, (const char *const[]){"a", "b*", NULL});
	expect_list(c.excluded, c.n_excluded, (const char *const[]){"c", NULL});
	ck_assert_uint_eq(c.periodic_dump_ms, 100);
	ck_assert(c.stream);
	ck_assert_int_eq(c.format, TSTREAM_PROTO);
	ck_assert_int_eq(c.compression, TSTREAM_GZIP);
	ck_assert_int_eq(c.usage_period_us, 300500);
	tracing_cfg_clear(&c);
}
END_TEST

/* Values Chrome does not validate become the defaults. */
START_TEST(bad_values_fall_back_to_defaults)
{
	struct tracing_cfg c;
	ck_assert_int_eq(
	    parse("{\"traceConfig\":{\"recordMode\":\"x\",\"traceBufferSizeInKb\":-3},"
		  "\"transferMode\":\"x\",\"streamFormat\":\"x\",\"streamCompression\":"
		  "\"x\",\"bufferUsageReportingInterval\":-10}",
		  &c),
	    TRACING_CFG_OK);
	ck_assert_int_eq(c.record_mode, TRACE_RECORD_UNTIL_FULL);
	ck_assert_uint_eq(c.buffer_kb, 0);
	ck_assert(!c.stream);
	ck_assert_int_eq(c.format, TSTREAM_JSON);
	ck_assert_int_eq(c.compression, TSTREAM_NONE);
	ck_assert_int_eq(c.usage_period_us, TRACING_CFG_MIN_USAGE_US);
	ck_assert_uint_eq(c.periodic_dump_ms, TRACING_CFG_DEFAULT_DUMP_MS);
	tracing_cfg_clear(&c);
	ck_assert_int_eq(parse("{\"bufferUsageReportingInterval\":0}", &c), TRACING_CFG_OK);
	ck_assert_int_eq(c.usage_period_us, 0);
	tracing_cfg_clear(&c);
}
END_TEST

static const struct {
	const char *params;
	enum tracing_cfg_err err;
} refusals[] = {
    {"{\"traceConfig\":{},\"categories\":\"\"}", TRACING_CFG_BOTH},
    {"{\"traceConfig\":{},\"options\":\"x\"}", TRACING_CFG_BOTH},
    {"{\"streamFormat\":\"proto\"}", TRACING_CFG_PROTO_NO_STREAM},
    {"{\"tracingBackend\":\"perfetto\"}", TRACING_CFG_BACKEND},
    {"{\"tracingBackend\":\"system\"}", TRACING_CFG_SYSTEM},
    {"{\"perfettoConfig\":\"e30=\"}", TRACING_CFG_PERFETTO_PARSE},
    {"{\"perfettoConfig\":\"\"}", TRACING_CFG_PERFETTO_EMPTY},
    /* a non-Chrome data source: "auto" means the system backend */
    {"{\"perfettoConfig\":\"EhAKDgoMbGludXguZnRyYWNl\"}", TRACING_CFG_SYSTEM},
    {"{\"perfettoConfig\":\"EhAKDgoMbGludXguZnRyYWNl\",\"tracingBackend\":\"chrome\"}",
     TRACING_CFG_OK},
};

START_TEST(refusals_come_with_chromes_text)
{
	struct tracing_cfg c;
	ck_assert_int_eq(parse(refusals[_i].params, &c), refusals[_i].err);
	int code;
	const char *msg = tracing_cfg_error(refusals[_i].err, &code);
	if (refusals[_i].err == TRACING_CFG_OK)
		ck_assert_int_eq(code, 0);
	else
		ck_assert(*msg && (code == -32602 || code == -32000));
	tracing_cfg_clear(&c);
}
END_TEST

START_TEST(perfetto_track_event_config_gives_the_categories)
{
	struct tracing_cfg c;
	/* buffers {size_kb: 1024}, data_sources {config {name: "track_event",
	 * track_event_config {enabled: "devtools.timeline", disabled: "*"}}} */
	ck_assert_int_eq(
	    parse("{\"perfettoConfig\":"
		  "\"CgMIgAgSKAomCgt0cmFja19ldmVudIoHFhIRZGV2dG9vbHMudGltZWxpbmUKASo=\","
		  "\"categories\":\"ignored\"}",
		  &c),
	    TRACING_CFG_OK);
	ck_assert(c.perfetto);
	ck_assert_uint_eq(c.buffer_kb, 1024);
	expect_list(c.included, c.n_included, (const char *const[]){"devtools.timeline", NULL});
	expect_list(c.excluded, c.n_excluded, (const char *const[]){"*", NULL});
	tracing_cfg_clear(&c);
}
END_TEST

Suite *tracing_cfg_suite(void);

Suite *tracing_cfg_suite(void)
{
	Suite *s = suite_create("tracing_cfg");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, legacy_categories_split_into_included_and_excluded);
	tcase_add_test(tc, trace_config_reads_modes_sizes_and_lists);
	tcase_add_test(tc, bad_values_fall_back_to_defaults);
	tcase_add_loop_test(tc, refusals_come_with_chromes_text, 0,
			    (int)(sizeof(refusals) / sizeof(refusals[0])));
	tcase_add_test(tc, perfetto_track_event_config_gives_the_categories);
	suite_add_tcase(s, tc);
	return s;
}
