/* test_router.c - from a received message to a handler and back, against
 * a fake domain table and a fake dispatch hook: the envelope's errors,
 * the dispatch hook's say over every checked command, session and method
 * lookup with Chrome's texts, params checked against the protocol
 * descriptor, and each handler outcome (reply, error, failure, silence,
 * deferral).  A recording tap takes what the router sends. */
#include <check.h>
#include <string.h>

#include "cdp/envelope.h"
#include "cdp/router.h"
#include "cdp/targets.h"
#include "cdpm.h"
#include "fake.h"
#include "journal.h"

Suite *router_suite(void); /* the generated runner's entry point */

/* ---- the fake domains ---- */

static struct {
	int calls;
	char params[128];   /* the params the handler saw, compact */
	struct conn *conn;  /* a deferred call's */
	char sid[33];
	int id;
} h;

static void note_call(struct call *c)
{
	h.calls++;
	char *p = json_dumps(c->params, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(h.params, sizeof(h.params), "%s", p ? p : "(null)");
	free(p);
}

static int fake_reply(struct call *c)
{
	note_call(c);
	return call_reply(c, json_pack("{s:b}", "ok", 1));
}

static int fake_error(struct call *c)
{
	note_call(c);
	return call_error(c, CDP_SERVER_ERROR, "Nope", "why not");
}

static int fake_fail(struct call *c)
{
	note_call(c);
	return CDPM_ENOENT;
}

static int fake_silent(struct call *c)
{
	note_call(c);
	return 0;
}

static int fake_defer(struct call *c)
{
	note_call(c);
	c->deferred = 1;
	h.conn = c->conn;
	snprintf(h.sid, sizeof(h.sid), "%s", c->session->id);
	h.id = c->id;
	return 0;
}

static const struct method fake_methods[] = {
	{"reply", fake_reply}, {"error", fake_error},   {"fail", fake_fail},
	{"silent", fake_silent}, {"defer", fake_defer},
};
static const struct domain fake_domain = {
	"Fake", TARGET_BROWSER | TARGET_PAGE, fake_methods, CDPM_ARRAY_LEN(fake_methods), NULL,
	NULL,
};

static const struct method page_methods[] = {{"only", fake_reply}};
static const struct domain page_domain = {
	"PageOnly", TARGET_PAGE, page_methods, 1, NULL, NULL,
};

/* A real method name, so the protocol descriptor checks its params. */
static const struct method io_methods[] = {{"read", fake_reply}};
static const struct domain io_domain = {
	"IO", TARGET_BROWSER, io_methods, 1, NULL, NULL,
};

static const struct domain *const fake_table[] = {&fake_domain, &page_domain, &io_domain};

/* ---- the fake dispatch hook ---- */

static struct {
	int calls;
	int run;            /* run the command (router_run) or swallow it */
	char method[64];
	char text[256];
	int id;
} d;

static void fake_dispatch(struct conn *c, struct envelope *e, const char *text, size_t len)
{
	d.calls++;
	snprintf(d.method, sizeof(d.method), "%s", e->method);
	snprintf(d.text, sizeof(d.text), "%.*s", (int)len, text);
	d.id = e->id;
	if (d.run)
		router_run(c, e);
}

static struct conn *conn;
static struct session *child; /* on the page */

static void setup_with(router_dispatch_fn dispatch)
{
	memset(&h, 0, sizeof(h));
	memset(&d, 0, sizeof(d));
	d.run = 1;
	fake_up(fake_table, CDPM_ARRAY_LEN(fake_table), dispatch, 0);
	conn = fake_cdp_conn(0);
	conn_set_tap(conn, &fake_tap_take);
	child = session_new(conn, targets_first_page(), 0);
	ck_assert_ptr_nonnull(child);
}

static void setup(void)
{
	setup_with(fake_dispatch);
}

static void setup_no_hook(void)
{
	setup_with(NULL);
}

static void teardown(void)
{
	fake_down();
}

static void send_text(const char *text)
{
	router_on_message(conn, text, strlen(text));
}

static char want[512];
#define WANT(...) (snprintf(want, sizeof(want), __VA_ARGS__), want)

/* ---- cases ---- */

START_TEST(a_command_goes_to_the_dispatch_hook_as_received)
{
	d.run = 0;
	send_text("{\"id\":1,\"method\":\"Fake.reply\" , \"params\":{}}");
	ck_assert_int_eq(d.calls, 1);
	ck_assert_str_eq(d.method, "Fake.reply");
	ck_assert_str_eq(d.text, "{\"id\":1,\"method\":\"Fake.reply\" , \"params\":{}}");
	ck_assert_int_eq(d.id, 1);
	/* The hook swallowed it: the domain never ran, nothing went out. */
	ck_assert_int_eq(h.calls, 0);
	ck_assert_uint_eq(fake_out.n, 0);
	ck_assert_uint_eq(conn->rx_messages, 1);
}
END_TEST

START_TEST(a_command_the_hook_runs_gets_the_handlers_reply)
{
	send_text("{\"id\":1,\"method\":\"Fake.reply\"}");
	ck_assert_int_eq(h.calls, 1);
	ck_assert_uint_eq(fake_out.n, 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":1,\"result\":{\"ok\":true}}");
	ck_assert_str_eq(fake_out.m[0].method, "Fake.reply");
}
END_TEST

START_TEST(without_a_hook_every_command_runs_at_once)
{
	send_text("{\"id\":9,\"method\":\"Fake.reply\"}");
	ck_assert_int_eq(d.calls, 0);
	ck_assert_int_eq(h.calls, 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":9,\"result\":{\"ok\":true}}");
}
END_TEST

START_TEST(a_bad_envelope_is_answered_and_never_dispatched)
{
	send_text("{\"id\":5,\"method\":7}");
	send_text("not json");
	ck_assert_int_eq(d.calls, 0);
	ck_assert_uint_eq(fake_out.n, 2);
	ck_assert_str_eq(fake_text(0), "{\"id\":5,\"error\":{\"code\":-32600,\"message\":\"Message "
				       "must have string 'method' property\"}}");
	ck_assert_msg(!strncmp(fake_text(1), "{\"error\":{\"code\":-32700,\"message\":\"JSON: ", 41),
		      "%s", fake_text(1));
	ck_assert_uint_eq(conn->rx_messages, 2); /* counted all the same */
}
END_TEST

START_TEST(every_message_is_journalled_with_its_method)
{
	d.run = 0;
	send_text("{\"id\":1,\"method\":\"Fake.silent\"}");
	send_text("{\"id\":2,\"method\":\"Fake.reply\"}");
	struct buf j;
	buf_init(&j, 0);
	ck_assert_int_eq(journal_ring_dump(&j, "Fake.reply", conn_id(conn), "in"), 0);
	ck_assert_ptr_nonnull(strstr(j.data, "\"msg\":{\"id\":2,\"method\":\"Fake.reply\"}"));
	ck_assert_ptr_null(strstr(j.data, "Fake.silent"));
	buf_clear(&j);
}
END_TEST

/* Names the router cannot find, each answered with Chrome's text. */
static const char *const unknown[] = {
	"Fake.nope", "Nope.reply", "Fakeish.reply", "Fak.reply", "Fake.", ".reply", "nodot",
	"Fake.reply.x", "PageOnly.only", /* on the browser: not there */
};

START_TEST(an_unknown_method_is_not_found_in_chromes_words)
{
	char text[128];
	snprintf(text, sizeof(text), "{\"id\":4,\"method\":\"%s\"}", unknown[_i]);
	send_text(text);
	ck_assert_int_eq(h.calls, 0);
	ck_assert_uint_eq(fake_out.n, 1);
	ck_assert_str_eq(fake_text(0),
			 WANT("{\"id\":4,\"error\":{\"code\":-32601,\"message\":\"'%s' wasn't found\"}}",
			      unknown[_i]));
}
END_TEST

START_TEST(an_escaped_dot_in_the_method_name_is_decoded)
{
	send_text("{\"id\":5,\"method\":\"Fake\\u002ereply\"}");
	ck_assert_int_eq(h.calls, 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":5,\"result\":{\"ok\":true}}");
}
END_TEST

START_TEST(a_method_of_a_page_domain_runs_on_a_page_session)
{
	char text[128];
	snprintf(text, sizeof(text), "{\"id\":6,\"method\":\"PageOnly.only\",\"sessionId\":\"%s\"}",
		 child->id);
	send_text(text);
	ck_assert_int_eq(h.calls, 1);
	ck_assert_str_eq(fake_text(0),
			 WANT("{\"id\":6,\"result\":{\"ok\":true},\"sessionId\":\"%s\"}", child->id));
	ck_assert_str_eq(fake_out.m[0].sid, child->id);
}
END_TEST

START_TEST(an_unknown_session_is_not_found_without_a_session_id)
{
	send_text("{\"id\":3,\"method\":\"Fake.reply\",\"sessionId\":\"0123456789ABCDEF\"}");
	ck_assert_int_eq(h.calls, 0);
	ck_assert_str_eq(fake_text(0), "{\"id\":3,\"error\":{\"code\":-32001,\"message\":\"Session "
				       "with given id not found.\"}}");
	/* An empty sessionId is the root session. */
	fake_log_clear();
	send_text("{\"id\":4,\"method\":\"Fake.reply\",\"sessionId\":\"\"}");
	ck_assert_str_eq(fake_text(0), "{\"id\":4,\"result\":{\"ok\":true}}");
}
END_TEST

START_TEST(params_are_checked_against_the_protocol_descriptor)
{
	send_text("{\"id\":7,\"method\":\"IO.read\",\"params\":{\"handle\":12}}");
	ck_assert_int_eq(h.calls, 0);
	ck_assert_uint_eq(fake_out.n, 1);
	ck_assert_str_eq(fake_text(0),
			 "{\"id\":7,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\","
			 "\"data\":\"Failed to deserialize params.handle - BINDINGS: string value "
			 "expected at position 15\"}}");
	/* A missing mandatory field points at the map's end (CBOR offset 8);
	 * absent params (also [] and null) have no map at all. */
	fake_log_clear();
	send_text("{\"id\":9,\"method\":\"IO.read\",\"params\":{}}");
	send_text("{\"id\":10,\"method\":\"IO.read\",\"params\":[]}");
	ck_assert_str_eq(fake_text(0),
			 "{\"id\":9,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\","
			 "\"data\":\"Failed to deserialize params.handle - BINDINGS: mandatory field "
			 "missing at position 8\"}}");
	ck_assert_str_eq(fake_text(1),
			 "{\"id\":10,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\","
			 "\"data\":\"Failed to deserialize params - CBOR: map start expected at "
			 "position 0\"}}");
	ck_assert_int_eq(h.calls, 0);
	fake_log_clear();
	send_text("{\"id\":8,\"method\":\"IO.read\",\"params\":{\"handle\":\"h\"}}");
	ck_assert_int_eq(h.calls, 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":8,\"result\":{\"ok\":true}}");
}
END_TEST

START_TEST(absent_params_reach_the_handler_as_an_empty_object)
{
	send_text("{\"id\":1,\"method\":\"Fake.silent\"}");
	ck_assert_str_eq(h.params, "{}");
	send_text("{\"id\":2,\"method\":\"Fake.silent\",\"params\":null}");
	ck_assert_str_eq(h.params, "{}");
	send_text("{\"id\":3,\"method\":\"Fake.silent\",\"params\":{\"a\":[1]}}");
	ck_assert_str_eq(h.params, "{\"a\":[1]}");
}
END_TEST

START_TEST(a_handler_error_is_sent_with_its_code_message_and_data)
{
	char text[128];
	snprintf(text, sizeof(text), "{\"id\":2,\"method\":\"Fake.error\",\"sessionId\":\"%s\"}",
		 child->id);
	send_text(text);
	ck_assert_str_eq(fake_text(0),
			 WANT("{\"id\":2,\"error\":{\"code\":-32000,\"message\":\"Nope\",\"data\":"
			      "\"why not\"},\"sessionId\":\"%s\"}",
			      child->id));
}
END_TEST

START_TEST(a_handler_failure_becomes_a_server_error)
{
	send_text("{\"id\":3,\"method\":\"Fake.fail\"}");
	ck_assert_str_eq(fake_text(0),
			 WANT("{\"id\":3,\"error\":{\"code\":-32000,\"message\":\"%s\"}}",
			      cdpm_strerror(CDPM_ENOENT)));
}
END_TEST

START_TEST(a_handler_that_says_nothing_replies_with_an_empty_result)
{
	send_text("{\"id\":3,\"method\":\"Fake.silent\"}");
	ck_assert_uint_eq(fake_out.n, 1);
	ck_assert_str_eq(fake_text(0), "{\"id\":3,\"result\":{}}");
}
END_TEST

START_TEST(a_deferred_call_is_answered_later_and_only_then)
{
	char text[128];
	snprintf(text, sizeof(text), "{\"id\":12,\"method\":\"Fake.defer\",\"sessionId\":\"%s\"}",
		 child->id);
	send_text(text);
	ck_assert_int_eq(h.calls, 1);
	ck_assert_uint_eq(fake_out.n, 0);
	ck_assert_ptr_eq(h.conn, conn);
	ck_assert_int_eq(h.id, 12);
	call_send_result(h.conn, session_find(h.conn, h.sid), "Fake.defer", h.id, NULL);
	ck_assert_str_eq(fake_text(0),
			 WANT("{\"id\":12,\"result\":{},\"sessionId\":\"%s\"}", child->id));
}
END_TEST

START_TEST(router_domains_gives_back_the_table)
{
	size_t n = 0;
	ck_assert_ptr_eq(router_domains(&n), fake_table);
	ck_assert_uint_eq(n, 3);
}
END_TEST

Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *t = tcase_create("dispatch");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, a_command_goes_to_the_dispatch_hook_as_received);
	tcase_add_test(t, a_command_the_hook_runs_gets_the_handlers_reply);
	tcase_add_test(t, a_bad_envelope_is_answered_and_never_dispatched);
	tcase_add_test(t, every_message_is_journalled_with_its_method);
	tcase_add_test(t, router_domains_gives_back_the_table);
	suite_add_tcase(s, t);

	t = tcase_create("no hook");
	tcase_add_checked_fixture(t, setup_no_hook, teardown);
	tcase_add_test(t, without_a_hook_every_command_runs_at_once);
	suite_add_tcase(s, t);

	t = tcase_create("lookup");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, an_unknown_method_is_not_found_in_chromes_words, 0,
			    (int)CDPM_ARRAY_LEN(unknown));
	tcase_add_test(t, an_escaped_dot_in_the_method_name_is_decoded);
	tcase_add_test(t, a_method_of_a_page_domain_runs_on_a_page_session);
	tcase_add_test(t, an_unknown_session_is_not_found_without_a_session_id);
	tcase_add_test(t, params_are_checked_against_the_protocol_descriptor);
	suite_add_tcase(s, t);

	t = tcase_create("outcomes");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, absent_params_reach_the_handler_as_an_empty_object);
	tcase_add_test(t, a_handler_error_is_sent_with_its_code_message_and_data);
	tcase_add_test(t, a_handler_failure_becomes_a_server_error);
	tcase_add_test(t, a_handler_that_says_nothing_replies_with_an_empty_result);
	tcase_add_test(t, a_deferred_call_is_answered_later_and_only_then);
	suite_add_tcase(s, t);
	return s;
}
