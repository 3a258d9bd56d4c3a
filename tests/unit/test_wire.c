/* test_wire.c - cdpconform's journal checks (conformance/wire.c) on small
 * hand-written journals: the protocol rules, ordered send, closeStreams and
 * its exemption, noCommandAfter, and the digest notes.  One journal per
 * row, as the mock writes them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../conformance/wire.h"

/* Shorthands for journal lines. */
#define IN(conn, body) "{\"conn\":" #conn ",\"dir\":\"in\",\"msg\":" body "}\n"
#define OUT(conn, body) "{\"conn\":" #conn ",\"dir\":\"out\",\"msg\":" body "}\n"
#define NOTE(conn, text) "{\"conn\":" #conn ",\"dir\":\"note\",\"text\":\"" text "\"}\n"
#define COMPLETE(conn, stream, sid)                                                                \
	OUT(conn, "{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":"      \
		  "false,\"stream\":\"" stream "\"}" sid "}")

static void wire_from(struct wire *w, const char *text)
{
	char path[] = "/tmp/test_wire.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(wire_load(w, path), 0);
	unlink(path);
}

static const struct {
	const char *journal;
	const char *why; /* NULL: the protocol check holds */
} protocol_rows[] = {
    {IN(1, "{\"id\":1,\"method\":\"Tracing.start\"}") IN(1, "{\"id\":2,\"method\":\"Tracing.end\"}")
	 COMPLETE(1, "7", "")
	     IN(1, "{\"id\":3,\"method\":\"IO.read\",\"params\":{\"handle\":\"7\"}}")
		 IN(1, "{\"id\":4,\"method\":\"IO.close\",\"params\":{\"handle\":\"7\"}}"),
     NULL},
    {IN(1, "{\"id\":1,\"method\":\"Browser.getVersion\"}")
	 IN(1, "{\"id\":1,\"method\":\"Target.getTargets\"}"),
     "id 1 reused"},
    {IN(1, "{\"id\":1,\"method\":\"Browser.getVersion\"}")
	 IN(2, "{\"id\":1,\"method\":\"Target.getTargets\"}"),
     NULL},
    {IN(1, "{\"id\":1,\"method\":\"Tracing.end\"}") IN(1, "{\"id\":2,\"method\":\"Tracing.end\"}"),
     "second Tracing.end"},
    {IN(1, "{\"id\":1,\"method\":\"IO.read\",\"params\":{}}"), "never gave out"},
    {COMPLETE(1, "7", "") IN(1, "{\"id\":1,\"method\":\"IO.close\",\"params\":{\"handle\":\"7\"}}")
	 IN(1, "{\"id\":2,\"method\":\"IO.read\",\"params\":{\"handle\":\"7\"}}"),
     "after IO.close"},
    {COMPLETE(1, "7", ",\"sessionId\":\"S\"")
	 IN(1, "{\"id\":1,\"method\":\"IO.read\",\"params\":{\"handle\":\"7\"}}"),
     "another session"},
    {OUT(1,
	 "{\"id\":5,\"error\":{\"code\":-32001,\"message\":\"Session with given id not found.\"}}"),
     "session that does not exist"},
};

START_TEST(protocol_rules)
{
	struct wire w;
	char *why = NULL;
	wire_from(&w, protocol_rows[_i].journal);
	int rc = wire_protocol(&w, &why);
	if (!protocol_rows[_i].why) {
		ck_assert_msg(rc == 0, "unexpected: %s", why ? why : "");
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_ptr_nonnull(strstr(why, protocol_rows[_i].why));
	}
	free(why);
	wire_clear(&w);
}
END_TEST

START_TEST(send_is_an_ordered_subsequence)
{
	struct wire w;
	char *why = NULL;
	wire_from(&w,
		  IN(1, "{\"id\":1,\"method\":\"Tracing.end\"}")
		      IN(1, "{\"id\":2,\"method\":\"Tracing.start\",\"params\":{\"transferMode\":"
			    "\"ReturnAsStream\",\"x\":1}}")
			  IN(1, "{\"id\":3,\"method\":\"Page.enable\"}"));
	json_t *ok = json_loads("[{\"method\":\"Tracing.start\",\"params\":{\"transferMode\":"
				"\"ReturnAsStream\"}},{\"method\":\"Page.*\"}]",
				0, NULL);
	json_t *order =
	    json_loads("[{\"method\":\"Tracing.start\"},{\"method\":\"Tracing.end\"}]", 0, NULL);
	ck_assert_int_eq(wire_send(&w, ok, &why), 0);
	ck_assert_int_eq(wire_send(&w, order, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "Tracing.end"));
	free(why);
	why = NULL;
	ck_assert_int_eq(wire_not_send(&w, order, &why), -1);
	free(why);
	json_decref(ok);
	json_decref(order);
	wire_clear(&w);
}
END_TEST

START_TEST(streams_must_close_unless_the_mock_closed)
{
	struct wire w;
	char *why = NULL;
	wire_from(&w, COMPLETE(1, "3", ""));
	ck_assert_int_eq(wire_close_streams(&w, &why), -1);
	free(why);
	wire_clear(&w);
	wire_from(&w, COMPLETE(1, "3", "") NOTE(1, "scenario: resetting TCP"));
	ck_assert_int_eq(wire_close_streams(&w, &why), 0);
	wire_clear(&w);
	wire_from(&w, COMPLETE(1, "3", "") IN(1, "{\"id\":9,\"method\":\"IO.close\",\"params\":{"
						 "\"handle\":\"3\"}}"));
	ck_assert_int_eq(wire_close_streams(&w, &why), 0);
	wire_clear(&w);
}
END_TEST

START_TEST(no_command_after_an_event)
{
	struct wire w;
	char *why = NULL;
	wire_from(&w, IN(1, "{\"id\":1,\"method\":\"Tracing.end\"}")
			  OUT(1, "{\"method\":\"Target.detachedFromTarget\",\"params\":{}}")
			      IN(2, "{\"id\":1,\"method\":\"Browser.getVersion\"}"));
	ck_assert_int_eq(wire_no_command_after(&w, "Target.detachedFromTarget", &why), 0);
	wire_clear(&w);
	wire_from(&w, OUT(1, "{\"method\":\"Target.detachedFromTarget\",\"params\":{}}")
			  IN(1, "{\"id\":2,\"method\":\"IO.read\"}"));
	ck_assert_int_eq(wire_no_command_after(&w, "Target.*", &why), -1);
	free(why);
	wire_clear(&w);
}
END_TEST

START_TEST(digest_notes_and_data_loss)
{
	struct wire w;
	wire_from(&w,
		  "{\"conn\":1,\"dir\":\"note\",\"msg\":{\"digest\":\"trace\",\"count\":3,"
		  "\"sum\":\"00000000000000ff\"}}\n"
		  "{\"conn\":1,\"dir\":\"note\",\"msg\":{\"digest\":\"coverage\",\"count\":2,"
		  "\"sum\":\"0000000000000001\"}}\n"
		  "{\"conn\":1,\"dir\":\"note\",\"msg\":{\"digest\":\"coverage\",\"count\":1,"
		  "\"sum\":\"0000000000000002\"}}\n" OUT(
		      1, "{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":"
			 "true}}"));
	ck_assert_uint_eq(w.d.n_trace, 1);
	ck_assert_uint_eq(w.d.trace[0].count, 3);
	ck_assert_uint_eq(w.d.trace[0].sum, 0xff);
	ck_assert_uint_eq(w.d.coverage.count, 3);
	ck_assert_uint_eq(w.d.coverage.sum, 3);
	ck_assert_int_eq(w.d.data_loss, 1);
	wire_clear(&w);
}
END_TEST

Suite *wire_suite(void);
Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("wire");
	tcase_add_loop_test(tc, protocol_rules, 0,
			    (int)(sizeof(protocol_rows) / sizeof(protocol_rows[0])));
	tcase_add_test(tc, send_is_an_ordered_subsequence);
	tcase_add_test(tc, streams_must_close_unless_the_mock_closed);
	tcase_add_test(tc, no_command_after_an_event);
	tcase_add_test(tc, digest_notes_and_data_loss);
	suite_add_tcase(s, tc);
	return s;
}
