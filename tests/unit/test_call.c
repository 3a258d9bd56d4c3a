/* test_call.c - the bytes of every reply, error and event call.c writes:
 * key order, sessionId last and only on child sessions, the error object
 * with and without data or id, and what conn_send() is told for the
 * journal.  The recording tap takes each message instead of framing it. */
#include <check.h>
#include <string.h>

#include "cdp/call.h"
#include "cdp/targets.h"
#include "cdpm.h"
#include "fake.h"

Suite *call_suite(void); /* the generated runner's entry point */

static struct conn *conn;
static struct session *root, *child;

static void setup(void)
{
	fake_up(NULL, 0, NULL, 0);
	conn = fake_cdp_conn(0);
	conn_set_tap(conn, &fake_tap_take);
	root = session_find(conn, NULL);
	child = session_new(conn, targets_first_page(), 0);
	ck_assert_ptr_nonnull(child);
	ck_assert_int_eq(strlen(child->id), 32);
}

static void teardown(void)
{
	fake_down();
}

/* A command on session s with the given id, as a handler sees it. */
static struct call call_on(struct session *s, int id, const char *method)
{
	struct call c;
	memset(&c, 0, sizeof(c));
	c.conn = conn;
	c.session = s;
	c.id = id;
	c.method = method;
	buf_init(&c.err_data, 0);
	return c;
}

/* The one recorded message, and what the journal was told about it. */
static void expect_one(const char *text, const char *sid, const char *method)
{
	ck_assert_uint_eq(fake_out.n, 1);
	ck_assert_str_eq(fake_text(0), text);
	ck_assert_int_eq(fake_out.m[0].has_sid, sid != NULL);
	ck_assert_str_eq(fake_out.m[0].sid, sid ? sid : "");
	ck_assert_int_eq(fake_out.m[0].has_method, method != NULL);
	ck_assert_str_eq(fake_out.m[0].method, method ? method : "");
}

static char want[512];
#define WANT(...) (snprintf(want, sizeof(want), __VA_ARGS__), want)

START_TEST(an_error_on_the_root_session_has_no_session_id)
{
	ck_assert_int_eq(call_send_error(conn, root, "X.y", 1, 7, CDP_METHOD_NOT_FOUND,
					 "'X.y' wasn't found", NULL), 0);
	expect_one("{\"id\":7,\"error\":{\"code\":-32601,\"message\":\"'X.y' wasn't found\"}}", "",
		   "X.y");
}
END_TEST

START_TEST(an_error_on_a_child_session_ends_with_its_session_id)
{
	call_send_error(conn, child, "X.y", 1, 8, CDP_SERVER_ERROR, "boom", NULL);
	expect_one(WANT("{\"id\":8,\"error\":{\"code\":-32000,\"message\":\"boom\"},\"sessionId\":\"%s\"}",
			child->id),
		   child->id, "X.y");
}
END_TEST

START_TEST(an_error_with_data_carries_it_after_the_message)
{
	call_send_error(conn, NULL, NULL, 1, 2, CDP_INVALID_PARAMS, "Invalid parameters",
			"Failed to deserialize params.x - BINDINGS: \"quoted\"");
	expect_one("{\"id\":2,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\","
		   "\"data\":\"Failed to deserialize params.x - BINDINGS: \\\"quoted\\\"\"}}",
		   NULL, NULL);
}
END_TEST

START_TEST(an_error_without_an_id_has_no_id_key)
{
	call_send_error(conn, NULL, NULL, 0, 99, CDP_PARSE_ERROR, "Message must be an object",
			NULL);
	expect_one("{\"error\":{\"code\":-32700,\"message\":\"Message must be an object\"}}", NULL,
		   NULL);
}
END_TEST

START_TEST(an_error_message_is_escaped_to_ascii)
{
	call_send_error(conn, NULL, NULL, 1, -1, CDP_SERVER_ERROR, "caf\xc3\xa9\n", NULL);
	expect_one("{\"id\":-1,\"error\":{\"code\":-32000,\"message\":\"caf\\u00E9\\n\"}}", NULL,
		   NULL);
}
END_TEST

START_TEST(a_reply_with_no_result_is_an_empty_object)
{
	struct call c = call_on(root, 3, "Browser.close");
	ck_assert_int_eq(call_reply(&c, NULL), 0);
	ck_assert_int_eq(c.replied, 1);
	expect_one("{\"id\":3,\"result\":{}}", "", "Browser.close");
	buf_clear(&c.err_data);
}
END_TEST

START_TEST(a_reply_keeps_the_result_key_order_and_ends_with_the_session_id)
{
	struct call c = call_on(child, 4, "X.y");
	json_t *r = json_pack("{s:i,s:s,s:[i,b]}", "z", 1, "a", "\xe2\x82\xac", "m", 2, 1);
	ck_assert_int_eq(call_reply(&c, r), 0);
	expect_one(WANT("{\"id\":4,\"result\":{\"z\":1,\"a\":\"\\u20AC\",\"m\":[2,true]},"
			"\"sessionId\":\"%s\"}",
			child->id),
		   child->id, "X.y");
	buf_clear(&c.err_data);
}
END_TEST

START_TEST(a_raw_reply_is_sent_as_given)
{
	struct call c = call_on(child, 5, "X.y");
	ck_assert_int_eq(call_reply_raw(&c, "{\"b\":2,\"a\":1}", 13), 0);
	expect_one(WANT("{\"id\":5,\"result\":{\"b\":2,\"a\":1},\"sessionId\":\"%s\"}", child->id),
		   child->id, "X.y");
	buf_clear(&c.err_data);
}
END_TEST

START_TEST(a_reply_built_in_place_is_framed_by_begin_and_end)
{
	struct call c = call_on(root, 2147483647, "IO.read");
	struct buf b;
	ck_assert_int_eq(call_reply_begin(&c, &b), 0);
	buf_adds(&b, "{\"data\":\"x\",\"eof\":true}");
	ck_assert_int_eq(c.replied, 0);
	ck_assert_int_eq(call_reply_end(&c, &b), 0);
	ck_assert_int_eq(c.replied, 1);
	ck_assert_ptr_null(b.data);
	expect_one("{\"id\":2147483647,\"result\":{\"data\":\"x\",\"eof\":true}}", "", "IO.read");
	buf_clear(&c.err_data);
}
END_TEST

START_TEST(call_error_records_the_error_for_the_router_and_sends_nothing)
{
	struct call c = call_on(root, 1, "X.y");
	ck_assert_int_eq(call_error(&c, CDP_SERVER_ERROR, "Not ok", "why"), CDPM_EPROTO);
	ck_assert_int_eq(c.err_code, CDP_SERVER_ERROR);
	ck_assert_str_eq(c.err_message, "Not ok");
	ck_assert_str_eq(c.err_data.data, "why");
	/* A second error replaces the first one's data, and no data is none. */
	call_error(&c, CDP_INVALID_PARAMS, "Again", NULL);
	ck_assert_uint_eq(c.err_data.len, 0);
	ck_assert_int_eq(c.replied, 0);
	ck_assert_uint_eq(fake_out.n, 0);
	buf_clear(&c.err_data);
}
END_TEST

START_TEST(a_scripted_result_is_dumped_compactly_with_the_session_last)
{
	json_t *r = json_pack("{s:{s:n}}", "o", "k");
	ck_assert_int_eq(call_send_result(conn, child, "A.b", 11, r), 0);
	expect_one(WANT("{\"id\":11,\"result\":{\"o\":{\"k\":null}},\"sessionId\":\"%s\"}", child->id),
		   child->id, "A.b");
	json_decref(r);
	fake_log_clear();
	call_send_result(conn, NULL, NULL, 12, NULL);
	expect_one("{\"id\":12,\"result\":{}}", NULL, NULL);
}
END_TEST

START_TEST(an_event_has_method_then_params_then_session_id)
{
	ck_assert_int_eq(call_event_raw(child, "Target.x", "{\"a\":1}", 7), 0);
	expect_one(WANT("{\"method\":\"Target.x\",\"params\":{\"a\":1},\"sessionId\":\"%s\"}",
			child->id),
		   child->id, "Target.x");
	fake_log_clear();
	ck_assert_int_eq(call_event(root, "Root.ev", NULL), 0);
	expect_one("{\"method\":\"Root.ev\",\"params\":{}}", "", "Root.ev");
	fake_log_clear();
	call_event(root, "Root.ev", json_pack("{s:s}", "s", "\xc3\xbc"));
	expect_one("{\"method\":\"Root.ev\",\"params\":{\"s\":\"\\u00FC\"}}", "", "Root.ev");
}
END_TEST

START_TEST(an_event_built_is_not_sent)
{
	struct buf b;
	ck_assert_int_eq(call_event_build(&b, child, "A.b", "[]", 2), 0);
	ck_assert_uint_eq(fake_out.n, 0);
	ck_assert_str_eq(b.data + CONN_HEADROOM,
			 WANT("{\"method\":\"A.b\",\"params\":[],\"sessionId\":\"%s\"}", child->id));
	buf_clear(&b);
}
END_TEST

START_TEST(a_closed_connection_refuses_every_builder)
{
	conn->gone = 1;
	struct call c = call_on(root, 1, "X.y");
	ck_assert_int_eq(call_reply(&c, NULL), CDPM_ECLOSED);
	ck_assert_int_eq(call_send_error(conn, NULL, NULL, 1, 1, -1, "m", NULL), CDPM_ECLOSED);
	ck_assert_int_eq(call_event_raw(root, "A.b", "{}", 2), CDPM_ECLOSED);
	ck_assert_uint_eq(fake_out.n, 0);
	buf_clear(&c.err_data);
}
END_TEST

Suite *call_suite(void)
{
	Suite *s = suite_create("call");
	TCase *t = tcase_create("builders");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, an_error_on_the_root_session_has_no_session_id);
	tcase_add_test(t, an_error_on_a_child_session_ends_with_its_session_id);
	tcase_add_test(t, an_error_with_data_carries_it_after_the_message);
	tcase_add_test(t, an_error_without_an_id_has_no_id_key);
	tcase_add_test(t, an_error_message_is_escaped_to_ascii);
	tcase_add_test(t, a_reply_with_no_result_is_an_empty_object);
	tcase_add_test(t, a_reply_keeps_the_result_key_order_and_ends_with_the_session_id);
	tcase_add_test(t, a_raw_reply_is_sent_as_given);
	tcase_add_test(t, a_reply_built_in_place_is_framed_by_begin_and_end);
	tcase_add_test(t, call_error_records_the_error_for_the_router_and_sends_nothing);
	tcase_add_test(t, a_scripted_result_is_dumped_compactly_with_the_session_last);
	tcase_add_test(t, an_event_has_method_then_params_then_session_id);
	tcase_add_test(t, an_event_built_is_not_sent);
	tcase_add_test(t, a_closed_connection_refuses_every_builder);
	suite_add_tcase(s, t);
	return s;
}
