/* test_envelope.c - every row of docs/chrome.md §4: message-level errors with
 * Chrome's exact codes, texts, positions and id echo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static struct buf msg;

static void setup(void)
{
	fx_setup_server();
	buf_init(&msg, 0);
}

static void teardown(void)
{
	fx_teardown_server();
	buf_clear(&msg);
}

static int open_socket(int page)
{
	return page ? fx_ws_page(&fx_srv, NULL) : fx_ws_browser(&fx_srv);
}

#define PARSE(m) "{\"error\":{\"code\":-32700,\"message\":\"JSON: " m "\"}}"
#define REQ(m) "{\"error\":{\"code\":-32600,\"message\":\"" m "\"}}"
#define NOID "Message must have integer 'id' property"
#define NOTOBJ "Message must be an object"
#define GV "\"method\":\"Browser.getVersion\""

static const struct {
	const char *in;
	const char *want; /* exact reply; a leading '=' means "a result with this id prefix" */
} rows[] = {
	{"not json", PARSE("invalid token at position 0")},
	{"", PARSE("no input at position 0")},
	{"{\"id\":1,\"method\":", PARSE("no input at position 17")},
	{"{'id':38,\"method\":\"x\"}", PARSE("string literal expected at position 1")},
	{"{\"id\":39,/* c */" GV "}", PARSE("string literal expected at position 9")},
	{"{\"id\":1," GV "} xx", PARSE("unprocessed input remains at position 39")},
	{"{\"id\":1," GV "}{\"id\":2," GV "}", PARSE("unprocessed input remains at position 38")},
	{"{\"id\":30,\"id\":31," GV "}",
	 "{\"id\":30,\"error\":{\"code\":-32700,\"message\":\"CBOR: duplicate map key at position 13\"}}"},
	{"[1,2,3]", REQ(NOTOBJ)},
	{"\"hello\"", REQ(NOTOBJ)},
	{"42", REQ(NOTOBJ)},
	{"null", REQ(NOTOBJ)},
	{"true", REQ(NOTOBJ)},
	{"[{\"id\":1," GV "}]", REQ(NOTOBJ)},
	{"{}", REQ(NOID)},
	{"{" GV "}", REQ(NOID)},
	{"{\"id\":\"7\"," GV "}", REQ(NOID)},
	{"{\"id\":null," GV "}", REQ(NOID)},
	{"{\"id\":true," GV "}", REQ(NOID)},
	{"{\"id\":1.5," GV "}", REQ(NOID)},
	{"{\"id\":2147483648," GV "}", REQ(NOID)},
	{"{\"id\":9007199254740993," GV "}", REQ(NOID)},
	{"{\"id\":1e20," GV "}", REQ(NOID)},
	{"{\"id\":0," GV "}", "={\"id\":0,\"result\":{"},
	{"{\"id\":-5," GV "}", "={\"id\":-5,\"result\":{"},
	{"{\"id\":2147483647," GV "}", "={\"id\":2147483647,\"result\":{"},
	{"{\"id\":-2147483648," GV "}", "={\"id\":-2147483648,\"result\":{"},
	{"{\"id\":3.0," GV "}", "={\"id\":3,\"result\":{"},
	{"{\"id\":10}", "{\"id\":10,\"error\":{\"code\":-32600,\"message\":\"Message must have string "
			"'method' property\"}}"},
	{"{\"id\":10,\"method\":null}", "{\"id\":10,\"error\":{\"code\":-32600,\"message\":\"Message "
				       "must have string 'method' property\"}}"},
	{"{\"id\":10,\"method\":5}", "{\"id\":10,\"error\":{\"code\":-32600,\"message\":\"Message must "
				    "have string 'method' property\"}}"},
	{"{\"id\":10,\"method\":\"\"}", "{\"id\":10,\"error\":{\"code\":-32600,\"message\":\"Message "
				       "must have string 'method' property\"}}"},
	{"{\"id\":11,\"method\":\"getVersion\"}",
	 "{\"id\":11,\"error\":{\"code\":-32601,\"message\":\"'getVersion' wasn't found\"}}"},
	{"{\"id\":11,\"method\":\"Profiler.\"}",
	 "{\"id\":11,\"error\":{\"code\":-32601,\"message\":\"'Profiler.' wasn't found\"}}"},
	{"{\"id\":11,\"method\":\".enable\"}",
	 "{\"id\":11,\"error\":{\"code\":-32601,\"message\":\"'.enable' wasn't found\"}}"},
	{"{\"id\":11,\"method\":\"Foo.bar\"}",
	 "{\"id\":11,\"error\":{\"code\":-32601,\"message\":\"'Foo.bar' wasn't found\"}}"},
	{"{\"id\":11,\"method\":\"Tracing.fooBar\"}",
	 "{\"id\":11,\"error\":{\"code\":-32601,\"message\":\"'Tracing.fooBar' wasn't found\"}}"},
	{"{\"id\":11,\"method\":\"profiler.enable\"}",
	 "{\"id\":11,\"error\":{\"code\":-32601,\"message\":\"'profiler.enable' wasn't found\"}}"},
	{"{\"id\":11,\"method\":\"Profiler.enable\"}",
	 "{\"id\":11,\"error\":{\"code\":-32601,\"message\":\"'Profiler.enable' wasn't found\"}}"},
	{"{\"id\":12," GV ",\"params\":\"x\"}",
	 "{\"id\":12,\"error\":{\"code\":-32600,\"message\":\"Message may have object 'params' "
	 "property\"}}"},
	{"{\"id\":12," GV ",\"params\":1}",
	 "{\"id\":12,\"error\":{\"code\":-32600,\"message\":\"Message may have object 'params' "
	 "property\"}}"},
	{"{\"id\":13," GV ",\"params\":[]}", "={\"id\":13,\"result\":{"},
	{"{\"id\":13," GV ",\"params\":null}", "={\"id\":13,\"result\":{"},
	{"{\"id\":14," GV ",\"foo\":1}",
	 "{\"id\":14,\"error\":{\"code\":-32600,\"message\":\"Message has property other than 'id', "
	 "'method', 'sessionId', 'params'\"}}"},
	{"{\"id\":15," GV ",\"sessionId\":123}",
	 "{\"id\":15,\"error\":{\"code\":-32600,\"message\":\"Message may have string 'sessionId' "
	 "property\"}}"},
	{"{\"id\":16," GV ",\"sessionId\":\"\"}", "={\"id\":16,\"result\":{"},
	{"{\"id\":35," GV ",\"sessionId\":\"0123456789ABCDEF0123456789ABCDEF\"}",
	 "{\"id\":35,\"error\":{\"code\":-32001,\"message\":\"Session with given id not found.\"}}"},
	{"{\"id\":17," GV ",\"params\":{\"foo\":1}}", "={\"id\":17,\"result\":{"},
	{"{\"id\":18,\"method\":\"Browser\\u002egetVersion\"}", "={\"id\":18,\"result\":{"},
	{"{\"id\":26,\"method\":\"Target.attachToTarget\",\"params\":{\"targetId\":5}}",
	 "{\"id\":26,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\",\"data\":\"Failed to "
	 "deserialize params.targetId - BINDINGS: string value expected at position 17\"}}"},
	{"{\"id\":27,\"method\":\"Target.attachToTarget\",\"params\":{}}",
	 "{\"id\":27,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\",\"data\":\"Failed to "
	 "deserialize params.targetId - BINDINGS: mandatory field missing at position 8\"}}"},
	{"{\"id\":28,\"method\":\"Target.setDiscoverTargets\",\"params\":{\"discover\":\"yes\"}}",
	 "{\"id\":28,\"error\":{\"code\":-32602,\"message\":\"Invalid parameters\",\"data\":\"Failed to "
	 "deserialize params.discover - BINDINGS: bool value expected at position 17\"}}"},
	{"{\"id\":29,\"method\":\"Target.attachToTarget\",\"params\":{\"targetId\":\"nope\"}}",
	 "{\"id\":29,\"error\":{\"code\":-32602,\"message\":\"No target with given id found\"}}"},	/* A NUL inside a name is part of it (names compare with lengths). */
	{"{\"id\":40,\"method\":\"Browser.getVersion\\u0000junk\"}",
	 "{\"id\":40,\"error\":{\"code\":-32601,\"message\":\"'Browser.getVersion\\u0000junk' "
	 "wasn't found\"}}"},
	{"{\"id\":41,\"method\":\"Browser.getVersion\\u0000\"}",
	 "{\"id\":41,\"error\":{\"code\":-32601,\"message\":\"'Browser.getVersion\\u0000' "
	 "wasn't found\"}}"},
	{"{\"id\":42," GV ",\"id\\u0000x\":1}",
	 "{\"id\":42,\"error\":{\"code\":-32600,\"message\":\"Message has property other than 'id', "
	 "'method', 'sessionId', 'params'\"}}"},
};

START_TEST(envelope_row)
{
	int fd = open_socket(0);
	ck_assert_int_eq(fx_ws_frame(fd, 1, 0, 1, 1, rows[_i].in, strlen(rows[_i].in)), 0);
	ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
	if (rows[_i].want[0] == '=')
		ck_assert_int_eq(strncmp(msg.data, rows[_i].want + 1, strlen(rows[_i].want + 1)), 0);
	else
		ck_assert_str_eq(msg.data, rows[_i].want);
	/* The connection survives every one of these. */
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":99," GV "}", &msg), 0);
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":99,\"result\":", 18), 0);
	close(fd);
}
END_TEST

START_TEST(stack_limit_position)
{
	int fd = open_socket(0);
	struct buf in;
	buf_init(&in, 0);
	const char *prefix = "{\"id\":1," GV ",\"params\":{\"x\":";
	buf_adds(&in, prefix);
	for (int i = 0; i < 2000; i++)
		buf_addc(&in, '[');
	ck_assert_int_eq(fx_ws_text(fd, in.data), 0);
	ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
	char want[256];
	/* The 300th '[' is the first value deeper than crdtp's stack limit. */
	snprintf(want, sizeof(want), PARSE("stack limit exceeded at position %zu"),
		 strlen(prefix) + 299);
	ck_assert_str_eq(msg.data, want);
	buf_clear(&in);
	close(fd);
}
END_TEST

START_TEST(page_socket_behaves_the_same)
{
	int fd = open_socket(1);
	ck_assert_int_eq(fx_ws_call(fd, "not json", &msg), 0);
	ck_assert_str_eq(msg.data, PARSE("invalid token at position 0"));
	ck_assert_int_eq(fx_ws_call(fd, "{\"id\":5," GV "}", &msg), 0);
	ck_assert_int_eq(strncmp(msg.data, "{\"id\":5,\"result\":{\"protocolVersion\"", 35), 0);
	close(fd);
}
END_TEST

/* A session or target id with a NUL inside names nothing, not the id
 * before the NUL. */
START_TEST(nul_inside_an_id_finds_nothing)
{
	int fd = open_socket(0);
	char req[512];
	snprintf(req, sizeof(req),
		 "{\"id\":1,\"method\":\"Target.attachToTarget\",\"params\":{\"targetId\":"
		 "\"%s\\u0000x\",\"flatten\":true}}", fx_srv.page_id);
	ck_assert_int_eq(fx_ws_call(fd, req, &msg), 0);
	ck_assert_str_eq(msg.data, "{\"id\":1,\"error\":{\"code\":-32602,\"message\":\"No target with "
				   "given id found\"}}");
	snprintf(req, sizeof(req),
		 "{\"id\":2,\"method\":\"Target.attachToTarget\",\"params\":{\"targetId\":"
		 "\"%s\",\"flatten\":true}}", fx_srv.page_id);
	ck_assert_int_eq(fx_ws_text(fd, req), 0);
	/* attachedToTarget, then the reply with the session id. */
	char sid[64] = "";
	for (int i = 0; i < 2 && !sid[0]; i++) {
		ck_assert_int_eq(fx_ws_next_text(fd, 5000, &msg), 0);
		static const char head[] = "{\"id\":2,\"result\":{\"sessionId\":\"";
		if (!strncmp(msg.data, head, strlen(head)))
			snprintf(sid, sizeof(sid), "%.32s", msg.data + strlen(head));
	}
	ck_assert_uint_eq(strlen(sid), 32);
	snprintf(req, sizeof(req), "{\"id\":3," GV ",\"sessionId\":\"%s\\u0000\"}", sid);
	ck_assert_int_eq(fx_ws_call(fd, req, &msg), 0);
	ck_assert_str_eq(msg.data, "{\"id\":3,\"error\":{\"code\":-32001,\"message\":\"Session with "
				   "given id not found.\"}}");
	snprintf(req, sizeof(req),
		 "{\"id\":4,\"method\":\"Target.detachFromTarget\",\"params\":{\"sessionId\":"
		 "\"%s\\u0000\"}}", sid);
	ck_assert_int_eq(fx_ws_call(fd, req, &msg), 0);
	ck_assert_str_eq(msg.data, "{\"id\":4,\"error\":{\"code\":-32602,\"message\":\"No session "
				   "with given id\"}}");
	close(fd);
}
END_TEST

Suite *envelope_suite(void);
Suite *envelope_suite(void)
{
	Suite *s = suite_create("envelope");
	TCase *tc = tcase_create("rows");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, envelope_row, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, stack_limit_position);
	tcase_add_test(tc, page_socket_behaves_the_same);
	tcase_add_test(tc, nul_inside_an_id_finds_nothing);
	suite_add_tcase(s, tc);
	return s;
}
