/* test_cbor.c - unit tests for server/cbor.c: the CBOR sizes crdtp gives
 * JSON values, the basis of every position in Chrome's error texts. */
#include "cdp/cbor.h"
#include "cdpm.h"

#include <check.h>
#include <jansson.h>
#include <string.h>

Suite *cbor_suite(void); /* the generated runner's entry point */

static const struct {
	const char *json;
	size_t size;
} cv_cases[] = {
	{ "0", 1 },
	{ "23", 1 },
	{ "24", 2 },
	{ "255", 2 },
	{ "256", 3 },
	{ "65535", 3 },
	{ "65536", 5 },
	{ "2147483647", 5 },
	{ "2147483648", 9 }, /* past int32: a double */
	{ "-1", 1 },
	{ "-24", 1 },
	{ "-25", 2 },
	{ "-256", 2 },
	{ "-257", 3 },
	{ "-65537", 5 },
	{ "-2147483648", 5 },
	{ "-2147483649", 9 },
	{ "1.5", 9 },
	{ "1e300", 9 },
	{ "true", 1 },
	{ "false", 1 },
	{ "null", 1 },
	{ "\"\"", 1 },
	{ "\"abc\"", 4 },
	{ "\"\\u007f\"", 2 },     /* DEL is still 7-bit */
	{ "\"\\u00e9\"", 3 },     /* UTF-16: 2 bytes + header */
	{ "\"a\\u00e9\"", 5 },    /* one non-ASCII char makes it all UTF-16 */
	{ "\"\\u65e5\"", 3 },
	{ "\"\\ud83d\\ude00\"", 5 }, /* a surrogate pair: 4 bytes */
	{ "{}", 9 },
	{ "[]", 9 },
	{ "[1,2]", 11 },
	{ "{\"interval\":\"100\"}", 22 },
	{ "{\"a\":{\"b\":[]}}", 9 + 2 + 9 + 2 + 9 },
	{ "{\"\\u00e9\":1}", 9 + 3 + 1 }, /* keys follow the same rule */
};

START_TEST(values_have_crdtp_sizes)
{
	json_error_t jerr;
	json_auto_t *v = json_loads(cv_cases[_i].json, JSON_DECODE_ANY, &jerr);

	ck_assert_msg(v != NULL, "bad test JSON %s: %s", cv_cases[_i].json, jerr.text);
	ck_assert_msg(cbor_size(v) == cv_cases[_i].size, "%s: got %zu, want %zu",
		      cv_cases[_i].json, cbor_size(v), cv_cases[_i].size);
}
END_TEST

static const struct {
	size_t len;
	char fill;
	size_t size;
} cs_cases[] = {
	{ 23, 'a', 24 },       { 24, 'a', 26 },       { 255, 'a', 257 },
	{ 256, 'a', 259 },     { 65535, 'a', 65538 }, { 65536, 'a', 65541 },
	/* 0xc3 0xa9 pairs ("é"): n/2 UTF-16 units, n bytes of UTF-16 */
	{ 22, (char)0xc3, 23 }, { 24, (char)0xc3, 26 },
};

START_TEST(string_headers_grow_at_24_256_and_65536)
{
	static char s[70000];
	size_t n = cs_cases[_i].len;

	for (size_t i = 0; i < n; i++)
		s[i] = cs_cases[_i].fill == (char)0xc3 ? (char)(i % 2 ? 0xa9 : 0xc3) : 'a';
	ck_assert_uint_eq(cbor_string_size(s, n), cs_cases[_i].size);
}
END_TEST

START_TEST(header_sizes_follow_the_cbor_widths)
{
	ck_assert_uint_eq(cbor_header_size(0), 1);
	ck_assert_uint_eq(cbor_header_size(23), 1);
	ck_assert_uint_eq(cbor_header_size(24), 2);
	ck_assert_uint_eq(cbor_header_size(0xffffffffULL), 5);
	ck_assert_uint_eq(cbor_header_size(0x100000000ULL), 9);
}
END_TEST

START_TEST(a_later_top_level_key_sits_past_the_earlier_members)
{
	/* How envelope.c places "CBOR: duplicate map key at position 13" for
	 * {"id":30,"id":31}: 8 + the size of "id" and 30. */
	json_auto_t *v = json_loads("{\"id\":30}", 0, NULL);
	void *it = json_object_iter(v);

	ck_assert_uint_eq(8 + cbor_string_size(json_object_iter_key(it), 2) +
				  cbor_size(json_object_iter_value(it)),
			  13);
	ck_assert_uint_eq(cbor_size(NULL), 0);
}
END_TEST

Suite *cbor_suite(void)
{
	Suite *s = suite_create("cbor");
	TCase *tc = tcase_create("sizes");

	tcase_add_loop_test(tc, values_have_crdtp_sizes, 0, (int)CDPM_ARRAY_LEN(cv_cases));
	tcase_add_loop_test(tc, string_headers_grow_at_24_256_and_65536, 0,
			    (int)CDPM_ARRAY_LEN(cs_cases));
	tcase_add_test(tc, header_sizes_follow_the_cbor_widths);
	tcase_add_test(tc, a_later_top_level_key_sits_past_the_earlier_members);
	suite_add_tcase(s, tc);
	return s;
}
