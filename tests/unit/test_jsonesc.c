/* test_jsonesc.c - fast JSON-string escaping (server/gen/jsonesc.c): every
 * byte value, at every position of the 8-byte blocks, gives what a plain
 * reference escaper gives and decodes back with jansson. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"
#include "gen/jsonesc.h"

/* The obvious escaper, for comparison. */
static void reference(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = c == '"'    ? "\\\""
				: c == '\\' ? "\\\\"
				: c == '\n' ? "\\n"
				: c == '\r' ? "\\r"
				: c == '\t' ? "\\t"
				: c == '\b' ? "\\b"
				: c == '\f' ? "\\f"
					    : NULL;
		if (e)
			buf_adds(out, e);
		else if (c < 0x20)
			buf_printf(out, "\\u%04X", c);
		else
			buf_addc(out, (char)c);
	}
}

static void check_same(const char *s, size_t n)
{
	struct buf got, want;

	buf_init(&got, 0);
	buf_init(&want, 0);
	buf_adds(&got, "prefix");
	/* Plain checks: Check records every passing ck_assert (slow in loops). */
	if (jsonesc_append(&got, s, n))
		ck_abort_msg("jsonesc_append failed");
	buf_adds(&want, "prefix");
	reference(&want, s, n);
	if (got.len != want.len || memcmp(got.data, want.data, want.len))
		ck_abort_msg("escaped %zu bytes: got \"%s\", want \"%s\"", n, got.data, want.data);
	if (strlen(got.data) != got.len)
		ck_abort_msg("not NUL-terminated");
	buf_clear(&got);
	buf_clear(&want);
}

static const char *const cases[] = {
    "",
    "a",
    "\"",
    "\\",
    "plain text without anything to escape at all",
    "{\"args\":{},\"cat\":\"toplevel\",\"dur\":23,\"name\":\"RunTask\"}",
    "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"",
    "\\\\\\\\\\\\\\\\\\\\",
    "},\n{\"args\":{\"name\":\"swapper\"}},\n{",
    "tab\there\rcr\bbs\fff\x01\x02\x1f end",
    "mixed \"q\" \\ \n \x7f \xc3\xa9 \xf0\x9f\x9a\x80 \"",
    "\\u00E9 already escaped",
};

START_TEST(escapes_like_the_reference)
{
	check_same(cases[_i], strlen(cases[_i]));
}
END_TEST

START_TEST(every_byte_at_every_block_position)
{
	char s[40];

	/* Byte value c at offset k of a 40-byte run of 'x': covers the 8-byte
	 * blocks, their tails and NUL. */
	for (int c = 0; c < 256; c++)
		for (int k = 0; k < 17; k++) {
			memset(s, 'x', sizeof(s));
			s[k] = (char)c;
			s[k + 9] = '"';
			check_same(s, 11 + (size_t)k % 29);
		}
}
END_TEST

START_TEST(output_decodes_to_the_input)
{
	struct buf b;
	json_error_t err;
	json_t *j;
	char s[4096];
	uint64_t r = 42;

	for (size_t i = 0; i < sizeof(s); i++) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		/* Mostly printable, with quotes, backslashes and newlines. */
		unsigned v = (unsigned)(r >> 58);
		s[i] = v < 4   ? '"'
		       : v < 6 ? '\\'
		       : v < 7 ? '\n'
		       : v < 8 ? '\x05'
			       : (char)(0x20 + v);
	}
	buf_init(&b, 0);
	buf_addc(&b, '"');
	ck_assert_int_eq(jsonesc_append(&b, s, sizeof(s)), 0);
	buf_addc(&b, '"');
	j = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	ck_assert_msg(j != NULL, "%s", err.text);
	ck_assert_uint_eq(json_string_length(j), sizeof(s));
	ck_assert_mem_eq(json_string_value(j), s, sizeof(s));
	json_decref(j);
	buf_clear(&b);
}
END_TEST

START_TEST(a_full_buffer_is_left_unchanged)
{
	struct buf b;

	buf_init(&b, 64);
	buf_adds(&b, "keep");
	ck_assert_int_eq(jsonesc_append(&b, "0123456789abcdef", 16), CDPM_ETOOBIG);
	ck_assert_str_eq(b.data, "keep");
	buf_clear(&b);
}
END_TEST

Suite *jsonesc_suite(void); /* for -Wmissing-prototypes; tests/unit/main.c calls it */

Suite *jsonesc_suite(void)
{
	Suite *s = suite_create("jsonesc");
	TCase *tc = tcase_create("escape");

	tcase_add_loop_test(tc, escapes_like_the_reference, 0, (int)CDPM_ARRAY_LEN(cases));
	tcase_add_test(tc, every_byte_at_every_block_position);
	tcase_add_test(tc, output_decodes_to_the_input);
	tcase_add_test(tc, a_full_buffer_is_left_unchanged);
	suite_add_tcase(s, tc);
	return s;
}
