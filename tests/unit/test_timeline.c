/* test_timeline.c - scenario timelines on the real loop with the virtual
 * clock: steps fire at their times (exactly, as the journal's timestamps
 * show), steps due together run in order, "load", "connect" and match
 * starts (with nth and times), bufferUsage and close steps, and a
 * connection that goes stops its instances.  A fake domain answers
 * commands; the wire is read back. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "cdp/router.h"
#include "cdp/targets.h"
#include "clock.h"
#include "cdpm.h"
#include "fake.h"
#include "journal.h"
#include "script/script.h"

Suite *timeline_suite(void); /* the generated runner's entry point */

static int fake_echo(struct call *c)
{
	return call_reply(c, NULL);
}

static const struct method fake_methods[] = {{"echo", fake_echo}};
static const struct domain fake_domain = {
	"Fake", TARGET_BROWSER | TARGET_PAGE, fake_methods, 1, NULL, NULL,
};
static const struct domain *const table[] = {&fake_domain};

static void setup(void)
{
	fake_up(table, 1, script_in, 1);
}

static void teardown(void)
{
	fake_down();
}

/* The virtual time at which the journal saw method go out on c. */
static long long sent_at(struct conn *c, const char *method)
{
	struct buf j;
	buf_init(&j, 0);
	ck_assert_int_eq(journal_ring_dump(&j, method, conn_id(c), "out"), 0);
	long long t = -1;
	if (j.data)
		ck_assert_int_eq(sscanf(j.data, "{\"t\":%lld", &t), 1);
	buf_clear(&j);
	return t;
}

START_TEST(connect_steps_fire_at_their_times_and_together_in_order)
{
	fake_scenario("{\"timelines\":[{\"start\":\"connect\",\"steps\":["
		      "{\"at\":100,\"emit\":{\"method\":\"T.a\"}},"
		      "{\"at\":300,\"emit\":{\"method\":\"T.b\"}},"
		      "{\"at\":300,\"emit\":{\"method\":\"T.c\",\"params\":{\"k\":[1]}}}]}]}");
	struct conn *c = fake_cdp_conn(1);
	ck_assert_uint_eq(fake_wire(c), 0);
	/* Wide margins: virtual timers are scheduled in real time. */
	fake_run_until(200000);
	ck_assert_uint_eq(fake_wire(c), 1);
	ck_assert_str_eq(fake_text(0), "{\"method\":\"T.a\",\"params\":{}}");
	fake_run_until(600000);
	ck_assert_uint_eq(fake_wire(c), 2);
	ck_assert_str_eq(fake_text(1), "{\"method\":\"T.b\",\"params\":{}}");
	ck_assert_str_eq(fake_text(2), "{\"method\":\"T.c\",\"params\":{\"k\":[1]}}");
	ck_assert_int_eq(sent_at(c, "T.a"), CLOCK_VIRTUAL_START_US + 100000);
	ck_assert_int_eq(sent_at(c, "T.b"), CLOCK_VIRTUAL_START_US + 300000);
	ck_assert_int_eq(sent_at(c, "T.c"), CLOCK_VIRTUAL_START_US + 300000);
}
END_TEST

START_TEST(a_load_timeline_emits_to_every_root_session)
{
	fake_scenario("{\"timelines\":[{\"start\":\"load\",\"steps\":["
		      "{\"at\":20,\"emit\":{\"method\":\"T.loaded\"}}]}]}");
	struct conn *a = fake_cdp_conn(1), *b = fake_cdp_conn(1);
	struct session *child = session_new(a, targets_first_page(), 0);
	ck_assert_ptr_nonnull(child);
	fake_run_until(200000);
	ck_assert_uint_eq(fake_wire(a), 1);
	ck_assert_uint_eq(fake_wire(b), 1);
	ck_assert_str_eq(fake_text(0), "{\"method\":\"T.loaded\",\"params\":{}}");
	ck_assert_str_eq(fake_text(1), fake_text(0));
}
END_TEST

START_TEST(a_timeline_with_times_starts_that_many_instances)
{
	fake_scenario("{\"timelines\":[{\"start\":\"connect\",\"times\":1,\"steps\":["
		      "{\"at\":10,\"emit\":{\"method\":\"T.once\"}}]}]}");
	struct conn *a = fake_cdp_conn(1), *b = fake_cdp_conn(1);
	fake_run_until(200000);
	ck_assert_uint_eq(fake_wire(a), 1);
	ck_assert_uint_eq(fake_wire(b), 0);
}
END_TEST

START_TEST(a_match_start_runs_from_the_nth_matching_message_on_its_session)
{
	fake_scenario("{\"timelines\":[{\"start\":{\"method\":\"Fake.echo\",\"nth\":2},\"steps\":["
		      "{\"at\":30,\"emit\":{\"method\":\"T.after\"}}]}]}");
	struct conn *c = fake_cdp_conn(1);
	struct session *s = session_new(c, targets_first_page(), 0);
	char text[128];
	int len = snprintf(text, sizeof(text), "{\"id\":1,\"method\":\"Fake.echo\"}");
	router_on_message(c, text, (size_t)len);
	fake_run_until(100000);
	ck_assert_uint_eq(fake_wire(c), 1); /* the reply: the first echo starts nothing */
	len = snprintf(text, sizeof(text), "{\"id\":2,\"method\":\"Fake.echo\",\"sessionId\":\"%s\"}",
		       s->id);
	router_on_message(c, text, (size_t)len);
	ck_assert_uint_eq(fake_wire(c), 1);
	fake_run_until(300000);
	ck_assert_uint_eq(fake_wire(c), 1);
	char want[128];
	snprintf(want, sizeof(want), "{\"method\":\"T.after\",\"params\":{},\"sessionId\":\"%s\"}",
		 s->id);
	ck_assert_str_eq(fake_text(2), want);
	ck_assert_int_eq(sent_at(c, "T.after"), CLOCK_VIRTUAL_START_US + 130000);
}
END_TEST

START_TEST(a_buffer_usage_step_reports_to_the_trigger_without_a_trace)
{
	fake_scenario("{\"timelines\":[{\"start\":\"connect\",\"steps\":["
		      "{\"at\":10,\"bufferUsage\":{\"percentFull\":0.5,\"eventCount\":7}}]}]}");
	struct conn *c = fake_cdp_conn(1);
	fake_run_until(200000);
	ck_assert_uint_eq(fake_wire(c), 1);
	ck_assert_str_eq(fake_text(0), "{\"method\":\"Tracing.bufferUsage\",\"params\":{\"percentFull\":"
				       "0.5,\"eventCount\":7,\"value\":0.5}}");
}
END_TEST

START_TEST(a_close_step_closes_the_connection_that_started_it)
{
	fake_scenario("{\"timelines\":[{\"start\":\"connect\",\"steps\":["
		      "{\"at\":10,\"emit\":{\"method\":\"T.bye\"},\"close\":true},"
		      "{\"at\":50,\"emit\":{\"method\":\"T.never\"}}]}]}");
	struct conn *c = fake_cdp_conn(1);
	fake_run_until(200000);
	ck_assert_int_eq(c->close_after_flush, 1);
	struct buf w;
	buf_init(&w, 0);
	ck_assert_int_eq(fake_flush(c, &w), -1);
	ck_assert_str_eq(w.data, "{\"method\":\"T.bye\",\"params\":{}}");
	ck_assert_uint_eq(w.len, strlen(w.data) + 1);
	buf_clear(&w);
}
END_TEST

START_TEST(a_connection_that_goes_stops_its_instances)
{
	fake_scenario("{\"timelines\":[{\"start\":\"connect\",\"steps\":["
		      "{\"at\":20,\"emit\":{\"method\":\"T.x\"}}]}]}");
	struct conn *a = fake_cdp_conn(1), *b = fake_cdp_conn(1);
	conn_free(a);
	fake_run_until(200000);
	ck_assert_uint_eq(fake_wire(b), 1);
	ck_assert_ptr_eq(fake_out.m[0].c, b);
	ck_assert_ptr_eq(conn_list(), b);
	ck_assert_ptr_null(b->next);
}
END_TEST

Suite *timeline_suite(void)
{
	Suite *s = suite_create("timeline");
	TCase *t = tcase_create("timeline");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, connect_steps_fire_at_their_times_and_together_in_order);
	tcase_add_test(t, a_load_timeline_emits_to_every_root_session);
	tcase_add_test(t, a_timeline_with_times_starts_that_many_instances);
	tcase_add_test(t, a_match_start_runs_from_the_nth_matching_message_on_its_session);
	tcase_add_test(t, a_buffer_usage_step_reports_to_the_trigger_without_a_trace);
	tcase_add_test(t, a_close_step_closes_the_connection_that_started_it);
	tcase_add_test(t, a_connection_that_goes_stops_its_instances);
	suite_add_tcase(s, t);
	return s;
}
