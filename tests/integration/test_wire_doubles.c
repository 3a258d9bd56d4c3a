/* test_wire_doubles.c - doubles on the wire are written as Chrome writes
 * them (the shortest text that reads back, ECMAScript notation): 0.1, not
 * 0.10000000000000001.  The scenario checks compare numbers by value and
 * cannot see this, so these tests compare the bytes of whole frames: a
 * timeline's bufferUsage, the Tracing domain's own tick, a scenario emit
 * and a Runtime.evaluate of a number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdpm.h"
#include "fixture.h"

static struct fx_server srv;
static char scenario[64];

static const char scenario_text[] =
    "{\"description\": \"Doubles that %.17g would spell out.\",\n"
    " \"tracing\": {\"percentFull\": 0.3},\n"
    " \"timelines\": [{\"start\": {\"direction\": \"out\", \"kind\": \"reply\","
    " \"method\": \"Tracing.start\"}, \"steps\": [\n"
    "   {\"at\": 50, \"bufferUsage\": {\"percentFull\": 0.1}},\n"
    "   {\"at\": 60, \"emit\": {\"method\": \"Custom.numbers\", \"params\":"
    " {\"a\": 0.1, \"b\": 3.0, \"c\": 1e-7, \"d\": 1e21, \"e\": 123456789012345680000}}}]}]}\n";

static void setup(void)
{
	snprintf(scenario, sizeof(scenario), "/tmp/cdpmock-doubles-XXXXXX");
	int fd = mkstemp(scenario);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, scenario_text, sizeof(scenario_text) - 1),
			 (ssize_t)sizeof(scenario_text) - 1);
	close(fd);
	const char *args[] = {"--scenario", scenario, NULL};
	fx_start(&srv, args);
}

static void teardown(void)
{
	fx_stop(&srv);
	unlink(scenario);
}

/* The next text frame on fd must be exactly want. */
static void expect_frame(int fd, const char *want)
{
	struct buf got;
	buf_init(&got, 0);
	ck_assert_int_eq(fx_ws_next_text(fd, fx_timeout_ms(), &got), 0);
	ck_assert_str_eq(got.data, want);
	buf_clear(&got);
}

START_TEST(timeline_buffer_usage_and_the_tick_write_0_1_and_0_3)
{
	int fd = fx_ws_browser(&srv);
	ck_assert_int_eq(fx_ws_text(fd, "{\"id\":1,\"method\":\"Tracing.start\",\"params\":"
					     "{\"bufferUsageReportingInterval\":250}}"),
			 0);
	expect_frame(fd, "{\"id\":1,\"result\":{}}");
	/* The timeline's step at 50 ms (timeline.c), its emit at 60 ms
	 * (mutate_dump), then the domain's tick at 250 ms (tracing.c). */
	expect_frame(fd, "{\"method\":\"Tracing.bufferUsage\",\"params\":"
			 "{\"percentFull\":0.1,\"eventCount\":0,\"value\":0.1}}");
	expect_frame(fd, "{\"method\":\"Custom.numbers\",\"params\":"
			 "{\"a\":0.1,\"b\":3,\"c\":1e-7,\"d\":1e+21,\"e\":123456789012345680000}}");
	expect_frame(fd, "{\"method\":\"Tracing.bufferUsage\",\"params\":"
			 "{\"percentFull\":0.3,\"eventCount\":0,\"value\":0.3}}");
	close(fd);
}
END_TEST

static const struct {
	const char *expr, *text;
} evals[] = {
    {"0.1", "0.1"},
    {"1e-7", "1e-7"},
    {"0.000001", "0.000001"},
    {"1152921504606846976", "1152921504606847000"},
    {"1e21", "1e+21"},
};

START_TEST(runtime_evaluate_writes_a_number_as_javascript_does)
{
	int fd = fx_ws_browser(&srv);
	struct fx_conn p;
	char tid[33], cmd[256], want[256];
	fx_new_page(fd, tid);
	fx_open(&p, &srv, fd, tid, FX_PAGE_SOCKET);
	snprintf(cmd, sizeof(cmd),
		 "{\"id\":7,\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":\"%s\"}}",
		 evals[_i].expr);
	snprintf(want, sizeof(want),
		 "{\"id\":7,\"result\":{\"result\":{\"type\":\"number\",\"value\":%s,"
		 "\"description\":\"%s\"}}}",
		 evals[_i].text, evals[_i].text);
	fx_call(&p, cmd, want);
	fx_close(&p);
	close(fd);
}
END_TEST

Suite *wire_doubles_suite(void);
Suite *wire_doubles_suite(void)
{
	Suite *s = suite_create("wire_doubles");
	TCase *tc = tcase_create("wire_doubles");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, timeline_buffer_usage_and_the_tick_write_0_1_and_0_3);
	tcase_add_loop_test(tc, runtime_evaluate_writes_a_number_as_javascript_does, 0,
			    (int)CDPM_ARRAY_LEN(evals));
	suite_add_tcase(s, tc);
	return s;
}
