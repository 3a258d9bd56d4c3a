/* test_emit.c - where scenario-made messages go: emit_event() to each kind
 * of destination (the trigger, roots, all, targets by type or id, a session,
 * the tracing session), whole messages and raw text once per connection,
 * closing connections skipped, and the connection effects.  Two pipe
 * connections with sessions on the browser and on two pages; what each
 * receives is read back from its wire. */
#include <check.h>
#include <string.h>

#include "cdp/targets.h"
#include "cdpm.h"
#include "fake.h"
#include "scenario/scenario.h"
#include "cdp/router.h"
#include "domains/domains.h"
#include "script/emit.h"
#include "script/script.h"

Suite *emit_suite(void); /* the generated runner's entry point */

static struct conn *A, *B;
static struct session *a_page, *a_browser, *b_page, *b_q;
static struct target *P, *Q;

static void setup(void)
{
	fake_up(NULL, 0, NULL, 0);
	fake_scenario("{}");
	P = targets_first_page();
	Q = targets_new_page("https://q.test/");
	A = fake_cdp_conn(1);
	a_page = session_new(A, P, 0);
	a_browser = session_new(A, targets_browser(), 0);
	B = fake_cdp_conn(1);
	b_page = session_new(B, P, 0);
	b_q = session_new(B, Q, 0);
}

static void teardown(void)
{
	fake_down();
}

static char expect[256];
#define WANT(...) (snprintf(expect, sizeof(expect), __VA_ARGS__), expect)

/* Names the session a message went to, from its trailing sessionId. */
static const char *who(struct conn *c, const char *text)
{
	const char *k = strstr(text, ",\"sessionId\":\"");
	if (!k)
		return c == A ? "A.root" : "B.root";
	k += 14;
	const struct session *list[] = {a_page, a_browser, b_page, b_q};
	const char *names[] = {"A.page", "A.browser", "B.page", "B.q"};
	for (size_t i = 0; i < 4; i++)
		if (!strncmp(k, list[i]->id, 32))
			return names[i];
	return "?";
}

/* Who got what, as "A.root A.page B.root" (A's wire first). */
static void received(char *out, size_t n)
{
	fake_log_clear();
	fake_wire(A);
	fake_wire(B);
	out[0] = '\0';
	for (size_t i = 0; i < fake_out.n; i++) {
		size_t k = strlen(out);
		snprintf(out + k, n - k, "%s%s", k ? " " : "", who(fake_out.m[i].c, fake_text(i)));
	}
}

enum { TRIG_A_PAGE, TRIG_NONE, TRIG_A_ROOT };

static const struct {
	const char *name;
	struct scenario_dest dest;
	int trigger;
	const char *id;      /* "P", "Q", "b_page" or NULL */
	const char *expect;
} dests[] = {
	{"trigger", {SCENARIO_TO_TRIGGER, 0, NULL}, TRIG_A_PAGE, NULL, "A.page"},
	{"trigger of a load timeline", {SCENARIO_TO_TRIGGER, 0, NULL}, TRIG_NONE, NULL,
	 "A.root B.root"},
	{"root", {SCENARIO_TO_ROOT, 0, NULL}, TRIG_A_PAGE, NULL, "A.root"},
	{"root without a trigger", {SCENARIO_TO_ROOT, 0, NULL}, TRIG_NONE, NULL, "A.root B.root"},
	{"all", {SCENARIO_TO_ALL, 0, NULL}, TRIG_A_PAGE, NULL, "A.root B.root"},
	{"every page", {SCENARIO_TO_TARGET, SCENARIO_WHO_PAGE, NULL}, TRIG_A_ROOT, NULL,
	 "A.page B.page B.q"},
	{"the browser", {SCENARIO_TO_TARGET, SCENARIO_WHO_BROWSER, NULL}, TRIG_A_PAGE, NULL,
	 "A.root A.browser B.root"},
	{"a target by id", {SCENARIO_TO_TARGET, SCENARIO_WHO_ID, NULL}, TRIG_A_PAGE, "Q", "B.q"},
	{"a session by id", {SCENARIO_TO_SESSION, 0, NULL}, TRIG_A_PAGE, "b_page", "B.page"},
	{"a session with no id", {SCENARIO_TO_SESSION, 0, NULL}, TRIG_A_PAGE, NULL, ""},
	{"tracing with no trace: the trigger", {SCENARIO_TO_TRACING, 0, NULL}, TRIG_A_PAGE, NULL,
	 "A.page"},
};

START_TEST(an_event_reaches_the_sessions_its_destination_names)
{
	struct scenario_dest d = dests[_i].dest;
	const char *id = dests[_i].id;
	d.id = !id ? NULL : !strcmp(id, "P") ? P->id : !strcmp(id, "Q") ? Q->id : b_page->id;
	struct conn *c = dests[_i].trigger == TRIG_NONE ? NULL : A;
	const char *sid = dests[_i].trigger == TRIG_A_PAGE ? a_page->id : NULL;
	int n = emit_event(&d, c, sid, "Test.ev", "{\"x\":1}", 7);
	char got[256];
	received(got, sizeof(got));
	ck_assert_msg(!strcmp(got, dests[_i].expect), "%s: got \"%s\", want \"%s\"", dests[_i].name,
		      got, dests[_i].expect);
	ck_assert_int_eq(n, (int)fake_out.n);
	for (size_t i = 0; i < fake_out.n; i++)
		ck_assert_msg(!strncmp(fake_text(i), "{\"method\":\"Test.ev\",\"params\":{\"x\":1}", 35),
			      "%s", fake_text(i));
}
END_TEST

START_TEST(a_whole_message_goes_once_per_connection_as_is)
{
	json_t *m = json_pack("{s:i,s:{}}", "id", 987654, "result");
	struct scenario_emit em = {.message = m, .dest = {SCENARIO_TO_TARGET, SCENARIO_WHO_PAGE, NULL}};
	ck_assert_int_eq(emit_message(&em, A, NULL), 2);
	fake_wire(A);
	fake_wire(B);
	ck_assert_uint_eq(fake_out.n, 2);
	ck_assert_str_eq(fake_text(0), "{\"id\":987654,\"result\":{}}");
	ck_assert_ptr_eq(fake_out.m[0].c, A);
	ck_assert_str_eq(fake_text(1), "{\"id\":987654,\"result\":{}}");
	ck_assert_ptr_eq(fake_out.m[1].c, B);
	json_decref(m);
}
END_TEST

START_TEST(raw_text_and_an_event_with_params_are_built_as_given)
{
	struct scenario_emit text = {.text = "not json", .text_len = 8};
	ck_assert_int_eq(emit_message(&text, A, a_page->id), 1);
	json_t *p = json_pack("{s:s,s:i}", "b", "\xc3\xa9", "a", 2);
	struct scenario_emit ev = {.method = "E.v", .params = p};
	ck_assert_int_eq(emit_message(&ev, A, a_page->id), 1);
	struct scenario_emit bare = {.method = "E.w"};
	emit_message(&bare, A, NULL);
	ck_assert_uint_eq(fake_wire(A), 3);
	ck_assert_str_eq(fake_text(0), "not json");
	char want[256];
	snprintf(want, sizeof(want), "{\"method\":\"E.v\",\"params\":{\"b\":\"\\u00E9\",\"a\":2},"
				     "\"sessionId\":\"%s\"}",
		 a_page->id);
	ck_assert_str_eq(fake_text(1), want);
	ck_assert_str_eq(fake_text(2), "{\"method\":\"E.w\",\"params\":{}}");
	json_decref(p);
}
END_TEST

START_TEST(a_closing_connection_gets_nothing)
{
	conn_close_after_flush(B);
	struct scenario_dest all = {SCENARIO_TO_ALL, 0, NULL};
	ck_assert_int_eq(emit_event(&all, NULL, NULL, "E.v", "{}", 2), 1);
	struct scenario_dest trig = {SCENARIO_TO_TRIGGER, 0, NULL};
	B->gone = 1;
	ck_assert_int_eq(emit_event(&trig, B, NULL, "E.v", "{}", 2), 0);
	B->gone = 0;
	ck_assert_uint_eq(fake_wire(A), 1);
}
END_TEST

START_TEST(effects_write_raw_bytes_then_close)
{
	static const unsigned char raw[] = {'r', 'a', 'w', 0};
	struct scenario_action a = {.throttle_bps = -1, .raw = raw, .raw_len = 4, .close = 1};
	emit_effects(&a, A);
	ck_assert_int_eq(A->close_after_flush, 1);
	ck_assert_int_eq(A->throttle_bps, 0);
	struct buf w;
	buf_init(&w, 0);
	ck_assert_int_eq(fake_flush(A, &w), -1);
	ck_assert_uint_eq(w.len, 4);
	ck_assert_mem_eq(w.data, "raw", 4);
	buf_clear(&w);
	emit_effects(&a, NULL); /* no connection: nothing, no crash */
	struct scenario_action t = {.throttle_bps = 1000};
	emit_effects(&t, B);
	ck_assert_int_eq(B->throttle_bps, 1000);
	ck_assert_int_eq(B->close_after_flush, 0);
}
END_TEST

/* The tracing destination asks the Tracing domain whose trace it is: the
 * real domains run here, with the loop for their timers. */
static void setup_tracing(void)
{
	fake_up(NULL, 0, NULL, 1);
	size_t n;
	const struct domain *const *d = domains_table(&n);
	router_init(d, n, script_in);
	fake_scenario("{}");
	P = targets_first_page();
	Q = targets_new_page("https://q.test/");
	A = fake_cdp_conn(1);
	a_page = session_new(A, P, 0);
	a_browser = session_new(A, targets_browser(), 0);
	B = fake_cdp_conn(1);
	b_page = session_new(B, P, 0);
	b_q = session_new(B, Q, 0);
}

START_TEST(tracing_means_the_session_whose_trace_is_recording)
{
	char text[128];
	int len = snprintf(text, sizeof(text),
			   "{\"id\":1,\"method\":\"Tracing.start\",\"sessionId\":\"%s\"}", a_page->id);
	router_on_message(A, text, (size_t)len);
	ck_assert_uint_eq(fake_wire(A), 1); /* its reply */
	ck_assert_str_eq(fake_text(0),
			 WANT("{\"id\":1,\"result\":{},\"sessionId\":\"%s\"}", a_page->id));
	struct scenario_dest d = {SCENARIO_TO_TRACING, 0, NULL};
	ck_assert_int_eq(emit_event(&d, B, NULL, "Tracing.bufferUsage", "{}", 2), 1);
	char got[256];
	received(got, sizeof(got));
	ck_assert_str_eq(got, "A.page");
	/* The trace goes with its connection: then the trigger gets it. */
	conn_free(A);
	A = NULL;
	ck_assert_int_eq(emit_event(&d, B, NULL, "Tracing.bufferUsage", "{}", 2), 1);
	fake_log_clear();
	ck_assert_uint_eq(fake_wire(B), 1);
	ck_assert_str_eq(fake_text(0), "{\"method\":\"Tracing.bufferUsage\",\"params\":{}}");
}
END_TEST

Suite *emit_suite(void)
{
	Suite *s = suite_create("emit");
	TCase *t = tcase_create("emit");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, an_event_reaches_the_sessions_its_destination_names, 0,
			    (int)CDPM_ARRAY_LEN(dests));
	tcase_add_test(t, a_whole_message_goes_once_per_connection_as_is);
	tcase_add_test(t, raw_text_and_an_event_with_params_are_built_as_given);
	tcase_add_test(t, a_closing_connection_gets_nothing);
	tcase_add_test(t, effects_write_raw_bytes_then_close);
	suite_add_tcase(s, t);

	t = tcase_create("tracing");
	tcase_add_checked_fixture(t, setup_tracing, teardown);
	tcase_add_test(t, tracing_means_the_session_whose_trace_is_recording);
	suite_add_tcase(s, t);
	return s;
}
