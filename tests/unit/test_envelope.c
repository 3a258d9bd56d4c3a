/* test_envelope.c - Chrome's message-level checks (docs/chrome.md §4) on the
 * parsed envelope: codes, texts, positions, and whether the id is echoed. */
#include <check.h>
#include <string.h>

#include "cdpm.h"
#include "cdp/envelope.h"
#include "cdp/router.h"

static const struct {
	const char *in;
	int code;        /* 0: accepted */
	const char *msg; /* error text */
	int has_id;
	int id;
} rows[] = {
	{"{\"id\":1,\"method\":\"A.b\"}", 0, NULL, 1, 1},
	{"{\"id\":3.0,\"method\":\"A.b\",\"params\":{}}", 0, NULL, 1, 3},
	{"{\"id\":1,\"method\":\"A.b\",\"params\":null,\"sessionId\":\"\"}", 0, NULL, 1, 1},
	{"{\"id\":1,\"method\":\"A.b\",\"params\":[]}", 0, NULL, 1, 1},
	{"not json", CDP_PARSE_ERROR, "JSON: invalid token at position 0", 0, 0},
	{"", CDP_PARSE_ERROR, "JSON: no input at position 0", 0, 0},
	{"[1]", CDP_INVALID_REQUEST, "Message must be an object", 0, 0},
	{"{}", CDP_INVALID_REQUEST, "Message must have integer 'id' property", 0, 0},
	{"{\"id\":2147483648,\"method\":\"A.b\"}", CDP_INVALID_REQUEST,
	 "Message must have integer 'id' property", 0, 0},
	{"{\"id\":10}", CDP_INVALID_REQUEST, "Message must have string 'method' property", 1, 10},
	{"{\"method\":5,\"id\":10}", CDP_INVALID_REQUEST,
	 "Message must have string 'method' property", 0, 0},
	{"{\"id\":1,\"method\":\"A.b\",\"params\":\"x\"}", CDP_INVALID_REQUEST,
	 "Message may have object 'params' property", 1, 1},
	{"{\"id\":1,\"method\":\"A.b\",\"params\":[1]}", CDP_INVALID_REQUEST,
	 "Message may have object 'params' property", 1, 1},
	{"{\"id\":1,\"method\":\"A.b\",\"sessionId\":1}", CDP_INVALID_REQUEST,
	 "Message may have string 'sessionId' property", 1, 1},
	{"{\"foo\":1,\"id\":1,\"method\":\"A.b\"}", CDP_INVALID_REQUEST,
	 "Message has property other than 'id', 'method', 'sessionId', 'params'", 0, 0},
	{"{\"id\":30,\"id\":31,\"method\":\"A.b\"}", CDP_PARSE_ERROR,
	 "CBOR: duplicate map key at position 13", 1, 30},
	/* 8 + "id" (3) + 30 (2) + "method" (7) + "A.b" (4) = 24 */
	{"{\"id\":30,\"method\":\"A.b\",\"method\":\"C.d\"}", CDP_PARSE_ERROR,
	 "CBOR: duplicate map key at position 24", 1, 30},
};

START_TEST(envelope_rows)
{
	struct envelope e;
	int rc = envelope_parse(&e, rows[_i].in, strlen(rows[_i].in));
	ck_assert_int_eq(rc, rows[_i].code ? CDPM_EPROTO : 0);
	ck_assert_int_eq(e.err_code, rows[_i].code);
	if (rows[_i].msg)
		ck_assert_str_eq(e.err_message.data, rows[_i].msg);
	ck_assert_int_eq(e.has_id, rows[_i].has_id);
	if (e.has_id)
		ck_assert_int_eq(e.id, rows[_i].id);
	if (!rc)
		ck_assert_str_eq(e.method, "A.b");
	envelope_clear(&e);
}
END_TEST

Suite *envelope_suite(void);
Suite *envelope_suite(void)
{
	Suite *s = suite_create("envelope");
	TCase *tc = tcase_create("rows");
	tcase_add_loop_test(tc, envelope_rows, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	suite_add_tcase(s, tc);
	return s;
}
