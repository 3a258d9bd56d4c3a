/* test_line.c - a connection's line through the script layer, below the
 * rules: outgoing messages classified from their head, patterns matched on
 * direction, kind, method, connection and params, and the ordered send (no
 * script state: straight out; behind a stall: held; a due reorder: after
 * the message that made it due, with its copies, then the after hook).
 * Pipe connections; what goes out is read back from the wire. */
#include <check.h>
#include <string.h>

#include "cdpm.h"
#include "fake.h"
#include "scenario/scenario.h"
#include "script/line.h"

Suite *line_suite(void); /* the generated runner's entry point */

static void setup(void)
{
	fake_up(NULL, 0, NULL, 1);
}

static void teardown(void)
{
	fake_down();
}

static const struct {
	const char *text;
	size_t n;                /* room for the method */
	enum scenario_kind kind;
	int id;
	const char *method;
} heads[] = {
	{"{\"id\":7,\"result\":{}}", 64, SCENARIO_KIND_REPLY, 7, ""},
	{"{\"id\":8,\"error\":{\"code\":-32000}}", 64, SCENARIO_KIND_ERROR, 8, ""},
	{"{\"method\":\"Fake.happened\",\"params\":{}}", 64, SCENARIO_KIND_EVENT, -1,
	 "Fake.happened"},
	/* A method longer than the room is cut, still an event. */
	{"{\"method\":\"Network.requestWillBeSent\",\"params\":{}}", 8, SCENARIO_KIND_EVENT, -1,
	 "Network"},
	/* Only the head counts: Chrome writes "id" first. */
	{"{\"result\":{},\"id\":1}", 64, SCENARIO_KIND_ANY, -1, ""},
	{"[]", 64, SCENARIO_KIND_ANY, -1, ""},
};

START_TEST(a_message_is_classified_from_its_head)
{
	char method[64];
	int id = -1;
	const char *t = heads[_i].text;
	enum scenario_kind k = line_classify(t, strlen(t), &id, method, heads[_i].n);
	ck_assert_msg(k == heads[_i].kind, "%s: kind %d", t, (int)k);
	ck_assert_int_eq(id, heads[_i].id);
	ck_assert_str_eq(method, heads[_i].method);
}
END_TEST

START_TEST(a_pattern_matches_direction_kind_method_connection_and_params)
{
	fake_scenario("{\"rules\":["
		      "{\"match\":{\"direction\":\"out\",\"kind\":\"event\",\"method\":\"Fake.*\","
		      "\"params\":{\"k\":1}},\"action\":{\"drop\":true}},"
		      "{\"match\":{\"method\":\"Fake.echo\",\"connection\":2},"
		      "\"action\":{\"drop\":true}}]}");
	struct conn *c = fake_cdp_conn(1);
	const struct scenario *sc = scenario_current();
	const char *ev = "{\"method\":\"Fake.happened\",\"params\":{\"k\":1,\"more\":2}}";
	struct line_msg out = {c, SCENARIO_OUT, SCENARIO_KIND_EVENT, "Fake.happened", "", ev,
			       strlen(ev), NULL, NULL};
	ck_assert_int_eq(line_match(&sc->rules[0].match, &out), 1);
	/* Its params were parsed on demand, and are the caller's to clear. */
	ck_assert_ptr_nonnull(out.parsed);
	line_msg_clear(&out);
	ck_assert_ptr_null(out.parsed);

	const char *other = "{\"method\":\"Fake.happened\",\"params\":{\"k\":2}}";
	out.text = other;
	out.len = strlen(other);
	ck_assert_int_eq(line_match(&sc->rules[0].match, &out), 0);
	line_msg_clear(&out);
	out.text = ev;
	out.len = strlen(ev);
	out.kind = SCENARIO_KIND_REPLY;
	ck_assert_int_eq(line_match(&sc->rules[0].match, &out), 0);
	line_msg_clear(&out);

	/* An incoming command: the first rule looks the other way, the second
	 * only at the second connection. */
	json_t *params = json_object();
	struct line_msg in = {c, SCENARIO_IN, SCENARIO_KIND_ANY, "Fake.happened", "", "{}", 2,
			      params, NULL};
	ck_assert_int_eq(line_match(&sc->rules[0].match, &in), 0);
	in.method = "Fake.echo";
	ck_assert_uint_eq(line_conn_number(c), 1);
	ck_assert_int_eq(line_match(&sc->rules[1].match, &in), 0);
	struct conn *second = fake_cdp_conn(1);
	in.c = second;
	ck_assert_uint_eq(line_conn_number(second), 2);
	ck_assert_int_eq(line_match(&sc->rules[1].match, &in), 1);
	line_msg_clear(&in);
	json_decref(params);
}
END_TEST

/* Sends text as a scenario-made message of c. */
static void send_text(struct conn *c, const char *text)
{
	struct buf b;
	ck_assert_int_eq(conn_msg_begin(&b), 0);
	buf_adds(&b, text);
	ck_assert_int_eq(buf_finish(&b), 0);
	ck_assert_int_eq(line_send(c, &b, NULL, "", NULL), 0);
}

START_TEST(without_script_state_a_message_goes_straight_out)
{
	fake_scenario("{}");
	struct conn *c = fake_cdp_conn(0);
	ck_assert_uint_eq(line_conn_number(c), 0);
	send_text(c, "{\"method\":\"T.now\",\"params\":{}}");
	ck_assert_uint_eq(fake_wire(c), 1);
	ck_assert_str_eq(fake_text(0), "{\"method\":\"T.now\",\"params\":{}}");
}
END_TEST

START_TEST(behind_a_stall_a_message_is_held_and_counted_as_queued)
{
	fake_scenario("{}");
	struct conn *c = fake_cdp_conn(1);
	c->script->stalls = 1; /* as a delayed message with "stall" leaves it */
	send_text(c, "{\"method\":\"T.later\",\"params\":{}}");
	ck_assert_uint_eq(fake_wire(c), 0);
	ck_assert_uint_eq(c->script->n_held, 1);
	ck_assert_ptr_nonnull(c->script->stall_head);
	ck_assert_ptr_eq(c->script->stall_head, c->script->stall_tail);
	ck_assert_uint_gt(c->held, 0);
	/* fake_down() frees it with the connection. */
}
END_TEST

static const struct scenario_action *after_seen;
static int after_calls;

static void record_after(const struct scenario_action *a, struct conn *c, const char *sid)
{
	(void)c;
	(void)sid;
	after_seen = a;
	after_calls++;
}

START_TEST(a_due_reorder_follows_the_send_that_made_it_due_then_its_after_part)
{
	static struct scenario_action act; /* only its duplicate count is read here */
	act.duplicate = 1;
	after_seen = NULL;
	after_calls = 0;
	fake_scenario("{}");
	struct conn *c = fake_cdp_conn(1);
	c->script->after = record_after;
	struct buf b;
	ck_assert_int_eq(conn_msg_begin(&b), 0);
	buf_adds(&b, "{\"method\":\"T.held\",\"params\":{}}");
	ck_assert_int_eq(buf_finish(&b), 0);
	struct line_held *h = line_held_new(c, LINE_HOLD_REORDER, &b, NULL, "", NULL);
	ck_assert_ptr_nonnull(h);
	h->after = &act;
	h->countdown = 2;
	c->script->reorder = h;

	send_text(c, "{\"method\":\"T.one\",\"params\":{}}");
	ck_assert_int_eq(after_calls, 0);
	send_text(c, "{\"method\":\"T.two\",\"params\":{}}");
	ck_assert_int_eq(after_calls, 1);
	ck_assert_ptr_eq(after_seen, &act);
	ck_assert_ptr_null(c->script->reorder);
	ck_assert_uint_eq(c->script->n_held, 0);
	ck_assert_uint_eq(c->held, 0);

	ck_assert_uint_eq(fake_wire(c), 4);
	ck_assert_str_eq(fake_text(0), "{\"method\":\"T.one\",\"params\":{}}");
	ck_assert_str_eq(fake_text(1), "{\"method\":\"T.two\",\"params\":{}}");
	/* Its copy first, then the message itself. */
	ck_assert_str_eq(fake_text(2), "{\"method\":\"T.held\",\"params\":{}}");
	ck_assert_str_eq(fake_text(3), "{\"method\":\"T.held\",\"params\":{}}");
}
END_TEST

START_TEST(the_pending_table_finds_by_id_and_session_through_collisions)
{
	static struct line_conn sc; /* big: not on the stack */
	memset(&sc, 0, sizeof(sc));
	/* Ids that hash to one slot, on two sessions. */
	for (int k = 0; k < 4; k++)
		ck_assert_ptr_nonnull(line_pending_add(&sc, 5 + k * LINE_PENDING, "", "Fake.a"));
	ck_assert_ptr_nonnull(line_pending_add(&sc, 5, "S1", "Fake.b"));
	ck_assert_uint_eq(sc.pend_used, 5);
	ck_assert_str_eq(line_pending_find(&sc, 5, "S1")->method, "Fake.b");
	ck_assert_str_eq(line_pending_find(&sc, 5, NULL)->method, "Fake.a");
	ck_assert_str_eq(line_pending_find(&sc, 5, "S9")->method, "Fake.a"); /* any session */
	ck_assert_ptr_null(line_pending_find(&sc, 6, NULL));
	/* Freeing one in the middle of the chain keeps the later ones. */
	struct line_pending *mid = line_pending_find(&sc, 5 + LINE_PENDING, NULL);
	line_pending_done(&sc, mid);
	ck_assert_ptr_null(line_pending_find(&sc, 5 + LINE_PENDING, NULL));
	ck_assert_int_eq(line_pending_find(&sc, 5 + 3 * LINE_PENDING, NULL)->id,
			 5 + 3 * LINE_PENDING);
	ck_assert_str_eq(line_pending_find(&sc, 5, "S1")->method, "Fake.b");
	/* Emptied, the tombstones go. */
	for (int id = 5; id <= 5 + 3 * LINE_PENDING; id += LINE_PENDING) {
		struct line_pending *p;
		while ((p = line_pending_find(&sc, id, NULL)) != NULL)
			line_pending_done(&sc, p);
	}
	ck_assert_uint_eq(sc.pend_used, 0);
	for (size_t i = 0; i < LINE_PENDING; i++)
		ck_assert_int_eq(sc.pend[i].tomb, 0);
	/* Full: a new command forgets the one in its slot, and still fits. */
	for (int id = 0; id < LINE_PENDING; id++)
		line_pending_add(&sc, id, "", "Fake.a");
	ck_assert_uint_eq(sc.pend_used, LINE_PENDING);
	line_pending_add(&sc, 7 + LINE_PENDING, "", "Fake.c");
	ck_assert_uint_eq(sc.pend_used, LINE_PENDING);
	ck_assert_str_eq(line_pending_find(&sc, 7 + LINE_PENDING, NULL)->method, "Fake.c");
	ck_assert_ptr_null(line_pending_find(&sc, 7, NULL));
	ck_assert_ptr_nonnull(line_pending_find(&sc, 8, NULL));
}
END_TEST

Suite *line_suite(void)
{
	Suite *s = suite_create("line");
	TCase *t = tcase_create("line");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, a_message_is_classified_from_its_head, 0,
			    (int)CDPM_ARRAY_LEN(heads));
	tcase_add_test(t, a_pattern_matches_direction_kind_method_connection_and_params);
	tcase_add_test(t, the_pending_table_finds_by_id_and_session_through_collisions);
	tcase_add_test(t, without_script_state_a_message_goes_straight_out);
	tcase_add_test(t, behind_a_stall_a_message_is_held_and_counted_as_queued);
	tcase_add_test(t, a_due_reorder_follows_the_send_that_made_it_due_then_its_after_part);
	suite_add_tcase(s, t);
	return s;
}
