/* test_script.c - the scenario's rules on a connection, with a fake domain
 * below and the wire read back: a rule replying instead of the domain,
 * nth occurrences and use limits, params subsets, hold and drop, and the
 * outgoing actions (drop, hold, duplicate, merge, mutate, delay with and
 * without stall, reorder), delayed commands, byte triggers and closing.
 * Scenarios are loaded from JSON text; delays run on the real loop with
 * the virtual clock. */
#include <check.h>
#include <string.h>

#include "cdp/router.h"
#include "cdp/targets.h"
#include "cdpm.h"
#include "fake.h"
#include "journal.h"
#include "net/conn.h"
#include "script/line.h"
#include "script/script.h"

Suite *script_suite(void); /* the generated runner's entry point */

static int domain_calls;

/* Fake.echo replies {"n":<params.n>}; Fake.event sends Fake.happened first. */
static int fake_echo(struct call *c)
{
	domain_calls++;
	json_t *n = json_object_get(c->params, "n");
	return call_reply(c, json_pack("{s:I}", "n", n ? json_integer_value(n) : 0));
}

static int fake_event(struct call *c)
{
	domain_calls++;
	call_event_raw(c->session, "Fake.happened", "{\"k\":1}", 7);
	return call_reply(c, NULL);
}

static const struct method fake_methods[] = {{"echo", fake_echo}, {"event", fake_event}};
static const struct domain fake_domain = {
	"Fake", TARGET_BROWSER | TARGET_PAGE, fake_methods, 2, NULL, NULL,
};
static const struct domain *const table[] = {&fake_domain};

static struct conn *conn;

static void setup(void)
{
	domain_calls = 0;
	fake_up(table, 1, script_in, 1);
}

static void teardown(void)
{
	conn = NULL;
	fake_down();
}

/* Loads the scenario and opens one CDP connection under it. */
static void with(const char *scenario)
{
	fake_scenario(scenario);
	conn = fake_cdp_conn(1);
}

static void cmd(int id, const char *method, int n)
{
	char text[128];
	int len = snprintf(text, sizeof(text), "{\"id\":%d,\"method\":\"%s\",\"params\":{\"n\":%d}}",
			   id, method, n);
	router_on_message(conn, text, (size_t)len);
}

/* Reads the wire into the log; returns how many messages were new. */
static size_t wire(void)
{
	return fake_wire(conn);
}

START_TEST(without_rules_the_domain_answers)
{
	with("{}");
	cmd(1, "Fake.echo", 5);
	ck_assert_uint_eq(wire(), 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":1,\"result\":{\"n\":5}}");
	ck_assert_int_eq(domain_calls, 1);
	ck_assert_uint_eq(line_conn_number(conn), 1);
}
END_TEST

START_TEST(a_rule_replies_instead_of_the_domain)
{
	with("{\"rules\":[{\"match\":{\"method\":\"Fake.echo\"},"
	     "\"action\":{\"reply\":{\"result\":{\"scripted\":true}}}}]}");
	cmd(3, "Fake.echo", 1);
	ck_assert_uint_eq(wire(), 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":3,\"result\":{\"scripted\":true}}");
	ck_assert_int_eq(domain_calls, 0);
}
END_TEST

START_TEST(a_rule_replies_with_an_error_and_its_data)
{
	with("{\"rules\":[{\"match\":{\"method\":\"Fake.*\"},\"action\":{\"reply\":{\"error\":"
	     "{\"code\":-32000,\"message\":\"Read failed\",\"data\":\"d\"}}}}]}");
	cmd(4, "Fake.event", 1);
	ck_assert_uint_eq(wire(), 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":4,\"error\":{\"code\":-32000,\"message\":\"Read "
				       "failed\",\"data\":\"d\"}}");
	ck_assert_int_eq(domain_calls, 0);
}
END_TEST

/* nth as a number and as a range: which of five echoes the rule takes. */
static const struct {
	const char *nth;
	const char *hit; /* per command: 'r' the rule, 'd' the domain */
} nths[] = {
	{"2", "drddd"},
	{"[2,3]", "drrdd"},
	{"[4,null]", "dddrr"},
};

START_TEST(a_rule_acts_on_the_nth_occurrence_only)
{
	char sc[256];
	snprintf(sc, sizeof(sc),
		 "{\"rules\":[{\"match\":{\"method\":\"Fake.echo\",\"nth\":%s},"
		 "\"action\":{\"reply\":{\"result\":{\"rule\":1}}}}]}",
		 nths[_i].nth);
	with(sc);
	for (int i = 0; i < 5; i++)
		cmd(i + 1, "Fake.echo", 9);
	ck_assert_uint_eq(wire(), 5);
	for (int i = 0; i < 5; i++) {
		char want[64];
		snprintf(want, sizeof(want), "{\"id\":%d,\"result\":{\"%s\":%d}}", i + 1,
			 nths[_i].hit[i] == 'r' ? "rule" : "n", nths[_i].hit[i] == 'r' ? 1 : 9);
		ck_assert_str_eq(fake_text((size_t)i), want);
	}
}
END_TEST

START_TEST(a_rule_with_times_stops_acting_and_the_first_match_wins)
{
	with("{\"rules\":["
	     "{\"match\":{\"method\":\"Fake.echo\",\"params\":{\"n\":2}},\"times\":1,"
	     "\"action\":{\"reply\":{\"result\":{\"first\":1}}}},"
	     "{\"match\":{\"method\":\"Fake.echo\",\"nth\":2},"
	     "\"action\":{\"reply\":{\"result\":{\"second\":1}}}}]}");
	cmd(1, "Fake.echo", 1); /* neither: the second rule counts it (1st) */
	cmd(2, "Fake.echo", 2); /* the first rule; the second counts it (2nd) but does not act */
	cmd(3, "Fake.echo", 2); /* the first is used up; the second is past its nth */
	ck_assert_uint_eq(wire(), 3);
	ck_assert_str_eq(fake_text(0), "{\"id\":1,\"result\":{\"n\":1}}");
	ck_assert_str_eq(fake_text(1), "{\"id\":2,\"result\":{\"first\":1}}");
	ck_assert_str_eq(fake_text(2), "{\"id\":3,\"result\":{\"n\":2}}");
}
END_TEST

START_TEST(hold_never_answers_and_never_runs_the_domain)
{
	with("{\"rules\":[{\"match\":{\"method\":\"Fake.echo\"},\"action\":{\"hold\":true}}]}");
	cmd(1, "Fake.echo", 1);
	ck_assert_uint_eq(wire(), 0);
	ck_assert_int_eq(domain_calls, 0);
}
END_TEST

START_TEST(drop_runs_the_domain_and_discards_its_reply)
{
	with("{\"rules\":[{\"match\":{\"method\":\"Fake.event\"},\"action\":{\"drop\":true}}]}");
	cmd(1, "Fake.event", 1);
	ck_assert_int_eq(domain_calls, 1);
	ck_assert_uint_eq(wire(), 1); /* the event stays, the reply goes */
	ck_assert_str_eq(fake_text(0), "{\"method\":\"Fake.happened\",\"params\":{\"k\":1}}");
	/* The next command's reply is not dropped. */
	cmd(2, "Fake.echo", 1);
	ck_assert_uint_eq(wire(), 1);
}
END_TEST

START_TEST(an_outgoing_rule_drops_an_event)
{
	with("{\"rules\":[{\"match\":{\"direction\":\"out\",\"kind\":\"event\","
	     "\"method\":\"Fake.happened\"},\"action\":{\"drop\":true}}]}");
	cmd(1, "Fake.event", 1);
	ck_assert_uint_eq(wire(), 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":1,\"result\":{}}");
}
END_TEST

START_TEST(an_outgoing_rule_duplicates_a_reply)
{
	with("{\"rules\":[{\"match\":{\"direction\":\"out\",\"kind\":\"reply\","
	     "\"method\":\"Fake.echo\"},\"action\":{\"duplicate\":2}}]}");
	cmd(7, "Fake.echo", 1);
	cmd(8, "Fake.event", 1);
	ck_assert_uint_eq(wire(), 5);
	ck_assert_str_eq(fake_text(0), "{\"id\":7,\"result\":{\"n\":1}}");
	ck_assert_str_eq(fake_text(1), fake_text(0));
	ck_assert_str_eq(fake_text(2), fake_text(0));
	ck_assert_str_eq(fake_text(4), "{\"id\":8,\"result\":{}}");
}
END_TEST

START_TEST(an_outgoing_rule_merges_into_the_result)
{
	with("{\"rules\":[{\"match\":{\"direction\":\"out\",\"kind\":\"reply\","
	     "\"params\":{\"n\":3}},\"action\":{\"merge\":{\"extra\":true,\"n\":null}}}]}");
	cmd(1, "Fake.echo", 2);
	cmd(2, "Fake.echo", 3);
	ck_assert_uint_eq(wire(), 2);
	ck_assert_str_eq(fake_text(0), "{\"id\":1,\"result\":{\"n\":2}}");
	ck_assert_str_eq(fake_text(1), "{\"id\":2,\"result\":{\"extra\":true}}");
}
END_TEST

START_TEST(an_outgoing_hold_never_sends_but_after_emits_still_go)
{
	with("{\"rules\":[{\"match\":{\"direction\":\"out\",\"kind\":\"reply\","
	     "\"method\":\"Fake.echo\"},\"action\":{\"hold\":true,"
	     "\"emit\":{\"method\":\"Instead.ev\"}}}]}");
	cmd(1, "Fake.echo", 1);
	ck_assert_int_eq(domain_calls, 1);
	ck_assert_uint_eq(wire(), 1);
	ck_assert_str_eq(fake_text(0), "{\"method\":\"Instead.ev\",\"params\":{}}");
}
END_TEST

START_TEST(an_outgoing_rule_mutates_a_reply_in_order)
{
	char sc[512];
	with("{\"rules\":[{\"match\":{\"direction\":\"out\",\"kind\":\"reply\","
	     "\"session\":\"child\"},\"action\":{\"mutate\":[{\"drop\":\"sessionId\"},"
	     "{\"set\":{\"path\":\"result.n\",\"value\":\"x\"}},{\"retype\":\"id\"}]}}]}");
	struct session *s = session_new(conn, targets_first_page(), 0);
	int len = snprintf(sc, sizeof(sc),
			   "{\"id\":5,\"method\":\"Fake.echo\",\"sessionId\":\"%s\"}", s->id);
	router_on_message(conn, sc, (size_t)len);
	cmd(6, "Fake.echo", 2); /* the root session: untouched */
	ck_assert_uint_eq(wire(), 2);
	ck_assert_str_eq(fake_text(0), "{\"id\":\"5\",\"result\":{\"n\":\"x\"}}");
	ck_assert_str_eq(fake_text(1), "{\"id\":6,\"result\":{\"n\":2}}");
}
END_TEST

START_TEST(a_delayed_reply_is_overtaken_and_sent_when_due)
{
	with("{\"rules\":[{\"match\":{\"direction\":\"out\",\"kind\":\"reply\","
	     "\"params\":{\"n\":1}},\"action\":{\"delay\":300}}]}");
	cmd(1, "Fake.echo", 1);
	ck_assert_uint_gt(conn->held, 0); /* held bytes count against the outbox */
	cmd(2, "Fake.echo", 2);
	ck_assert_uint_eq(wire(), 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":2,\"result\":{\"n\":2}}");
	/* Virtual timers are scheduled in real time, so a slow run (valgrind
	 * on a busy machine) may arm the loop's stop late: keep well clear. */
	fake_run_until(10000);
	ck_assert_uint_eq(wire(), 0);
	fake_run_until(400000);
	ck_assert_uint_eq(wire(), 1);
	ck_assert_str_eq(fake_text(1), "{\"id\":1,\"result\":{\"n\":1}}");
	ck_assert_uint_eq(conn->held, 0);
}
END_TEST

START_TEST(a_stalled_reply_keeps_later_messages_behind_it)
{
	with("{\"rules\":[{\"match\":{\"direction\":\"out\",\"kind\":\"reply\","
	     "\"params\":{\"n\":1}},\"action\":{\"delay\":200,\"stall\":true}}]}");
	cmd(1, "Fake.echo", 1);
	cmd(2, "Fake.event", 2);
	cmd(3, "Fake.echo", 1); /* matches too, but waits in line unprocessed */
	ck_assert_uint_eq(wire(), 0);
	ck_assert_int_eq(domain_calls, 3);
	fake_run_until(300000); /* margins: see the delayed reply's */
	ck_assert_uint_eq(wire(), 3);
	ck_assert_str_eq(fake_text(0), "{\"id\":1,\"result\":{\"n\":1}}");
	ck_assert_str_eq(fake_text(1), "{\"method\":\"Fake.happened\",\"params\":{\"k\":1}}");
	ck_assert_str_eq(fake_text(2), "{\"id\":2,\"result\":{}}");
	/* id 3 stalls the line again once released; it goes 200 ms later. */
	fake_run_until(700000);
	ck_assert_uint_eq(wire(), 1);
	ck_assert_str_eq(fake_text(3), "{\"id\":3,\"result\":{\"n\":1}}");
}
END_TEST

START_TEST(a_reordered_reply_lets_exactly_n_messages_pass)
{
	with("{\"rules\":[{\"match\":{\"direction\":\"out\",\"kind\":\"reply\","
	     "\"params\":{\"n\":1}},\"action\":{\"reorder\":2}}]}");
	cmd(1, "Fake.echo", 1);
	cmd(2, "Fake.echo", 2);
	ck_assert_uint_eq(wire(), 1);
	cmd(3, "Fake.echo", 3);
	cmd(4, "Fake.echo", 4);
	ck_assert_uint_eq(wire(), 3);
	ck_assert_str_eq(fake_text(0), "{\"id\":2,\"result\":{\"n\":2}}");
	ck_assert_str_eq(fake_text(1), "{\"id\":3,\"result\":{\"n\":3}}");
	ck_assert_str_eq(fake_text(2), "{\"id\":1,\"result\":{\"n\":1}}");
	ck_assert_str_eq(fake_text(3), "{\"id\":4,\"result\":{\"n\":4}}");
}
END_TEST

START_TEST(a_delayed_reply_is_journalled_with_its_method)
{
	/* The journal (and the digests cdpconform reads from it) names a
	 * reply by its command: a reply held past the end of its own rule's
	 * processing must still be named when it finally goes out. */
	with("{\"rules\":[{\"match\":{\"direction\":\"out\",\"kind\":\"reply\","
	     "\"method\":\"Fake.echo\"},\"action\":{\"delay\":50}}]}");
	cmd(1, "Fake.echo", 1);
	fake_run_until(200000);
	ck_assert_uint_eq(wire(), 1);
	struct buf j;
	buf_init(&j, 0);
	ck_assert_int_eq(journal_ring_dump(&j, "Fake.echo", conn_id(conn), "out"), 0);
	ck_assert_msg(j.data && strstr(j.data, "\"msg\":{\"id\":1,\"result\":{\"n\":1}}"),
		      "the delayed reply is not journalled as Fake.echo's: %s",
		      j.data ? j.data : "(nothing)");
	buf_clear(&j);
	/* And its pending entry went with it: nothing is left to name id 1. */
	ck_assert_ptr_null(line_pending_find(conn->script, 1, NULL));
}
END_TEST

START_TEST(a_delayed_command_runs_the_domain_when_due)
{
	with("{\"rules\":[{\"match\":{\"method\":\"Fake.echo\",\"params\":{\"n\":1}},"
	     "\"action\":{\"delay\":20}}]}");
	cmd(1, "Fake.echo", 1);
	cmd(2, "Fake.echo", 2);
	ck_assert_int_eq(domain_calls, 1);
	ck_assert_uint_eq(wire(), 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":2,\"result\":{\"n\":2}}");
	fake_run_until(200000);
	ck_assert_int_eq(domain_calls, 2);
	ck_assert_uint_eq(wire(), 1);
	ck_assert_str_eq(fake_text(1), "{\"id\":1,\"result\":{\"n\":1}}");
}
END_TEST

START_TEST(a_byte_rule_fires_when_that_byte_arrives)
{
	with("{\"rules\":[{\"match\":{\"byte\":10},\"action\":{\"emit\":{\"method\":\"At.byte\"}}}]}");
	static const char in[] = "{\"id\":1,\"method\":\"Fake.echo\"}";
	/* 9 bytes: nothing yet; the 10th fires it before the command is whole. */
	ck_assert_int_eq(conn_on_rx(conn, in, 9), 0);
	ck_assert_uint_eq(wire(), 0);
	ck_assert_int_eq(conn_on_rx(conn, in + 9, sizeof(in) - 9), 0);
	ck_assert_uint_eq(wire(), 2);
	ck_assert_str_eq(fake_text(0), "{\"method\":\"At.byte\",\"params\":{}}");
	ck_assert_str_eq(fake_text(1), "{\"id\":1,\"result\":{\"n\":0}}");
	ck_assert_uint_eq(script_next_byte_trigger(conn), 0);
}
END_TEST

START_TEST(a_close_rule_answers_nothing_and_closes_after_the_flush)
{
	with("{\"rules\":[{\"match\":{\"method\":\"Fake.echo\",\"nth\":2},"
	     "\"action\":{\"close\":true}}]}");
	cmd(1, "Fake.echo", 1);
	cmd(2, "Fake.echo", 2);
	ck_assert_int_eq(domain_calls, 1);
	ck_assert_int_eq(conn->close_after_flush, 1);
	struct buf w;
	buf_init(&w, 0);
	ck_assert_int_eq(fake_flush(conn, &w), -1);
	ck_assert_uint_eq(w.len, sizeof("{\"id\":1,\"result\":{\"n\":1}}"));
	buf_clear(&w);
}
END_TEST

START_TEST(rules_can_pick_the_connection_by_number)
{
	with("{\"rules\":[{\"match\":{\"method\":\"Fake.echo\",\"connection\":2},"
	     "\"action\":{\"reply\":{\"result\":{\"second\":true}}}}]}");
	struct conn *first = conn;
	struct conn *second = fake_cdp_conn(1);
	ck_assert_uint_eq(line_conn_number(second), 2);
	cmd(1, "Fake.echo", 1);
	conn = second;
	cmd(1, "Fake.echo", 1);
	ck_assert_uint_eq(fake_wire(first), 1);
	ck_assert_uint_eq(fake_wire(second), 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":1,\"result\":{\"n\":1}}");
	ck_assert_str_eq(fake_text(1), "{\"id\":1,\"result\":{\"second\":true}}");
}
END_TEST

Suite *script_suite(void)
{
	Suite *s = suite_create("script");
	TCase *t = tcase_create("in");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, without_rules_the_domain_answers);
	tcase_add_test(t, a_rule_replies_instead_of_the_domain);
	tcase_add_test(t, a_rule_replies_with_an_error_and_its_data);
	tcase_add_loop_test(t, a_rule_acts_on_the_nth_occurrence_only, 0, (int)CDPM_ARRAY_LEN(nths));
	tcase_add_test(t, a_rule_with_times_stops_acting_and_the_first_match_wins);
	tcase_add_test(t, hold_never_answers_and_never_runs_the_domain);
	tcase_add_test(t, drop_runs_the_domain_and_discards_its_reply);
	tcase_add_test(t, a_delayed_command_runs_the_domain_when_due);
	tcase_add_test(t, a_delayed_reply_is_journalled_with_its_method);
	tcase_add_test(t, a_byte_rule_fires_when_that_byte_arrives);
	tcase_add_test(t, a_close_rule_answers_nothing_and_closes_after_the_flush);
	tcase_add_test(t, rules_can_pick_the_connection_by_number);
	suite_add_tcase(s, t);

	t = tcase_create("out");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, an_outgoing_rule_drops_an_event);
	tcase_add_test(t, an_outgoing_rule_duplicates_a_reply);
	tcase_add_test(t, an_outgoing_rule_merges_into_the_result);
	tcase_add_test(t, an_outgoing_hold_never_sends_but_after_emits_still_go);
	tcase_add_test(t, an_outgoing_rule_mutates_a_reply_in_order);
	tcase_add_test(t, a_delayed_reply_is_overtaken_and_sent_when_due);
	tcase_add_test(t, a_stalled_reply_keeps_later_messages_behind_it);
	tcase_add_test(t, a_reordered_reply_lets_exactly_n_messages_pass);
	suite_add_tcase(s, t);
	return s;
}
