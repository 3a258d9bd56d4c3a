/* test_buf.c - the capped buffer: growth, the cap as a defined error, fast
 * integer appends and Chrome-style JSON strings. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"

START_TEST(growth_and_cap)
{
	struct buf b;
	buf_init(&b, 10);
	ck_assert_int_eq(buf_adds(&b, "0123456789"), 0);
	ck_assert_int_eq(buf_addc(&b, 'x'), CDPM_ETOOBIG);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_str_eq(b.data, "0123456789");
	buf_reset(&b);
	ck_assert_int_eq(buf_printf(&b, "%d-%s", 42, "ok"), 0);
	ck_assert_str_eq(b.data, "42-ok");
	size_t len;
	char *p = buf_take(&b, &len);
	ck_assert_uint_eq(len, 5);
	ck_assert_ptr_null(b.data);
	free(p);
	buf_clear(&b);
}
END_TEST

START_TEST(long_printf)
{
	struct buf b;
	buf_init(&b, 0);
	char big[1000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(buf_printf(&b, "<%s>", big), 0);
	ck_assert_uint_eq(b.len, 1001);
	buf_clear(&b);
}
END_TEST

static const struct {
	int64_t v;
	const char *s;
} int_rows[] = {{0, "0"}, {-1, "-1"}, {INT64_MAX, "9223372036854775807"},
		{INT64_MIN, "-9223372036854775808"}, {1234567, "1234567"}};

START_TEST(integers)
{
	struct buf b;
	buf_init(&b, 0);
	buf_add_i64(&b, int_rows[_i].v);
	ck_assert_str_eq(b.data, int_rows[_i].s);
	buf_clear(&b);
}
END_TEST

static const struct {
	const char *in;
	int ascii;
	const char *out;
} str_rows[] = {
	{"plain <&>", 1, "\"plain <&>\""},
	{"q\"b\\n\n\t\x01", 1, "\"q\\\"b\\\\n\\n\\t\\u0001\""},
	{"\xc3\xa9", 1, "\"\\u00E9\""},
	{"\xc3\xa9", 0, "\"\xc3\xa9\""},
	{"\xf0\x9f\x98\x80", 1, "\"\\uD83D\\uDE00\""},
	{"bad\xff", 1, "\"bad\\uFFFD\""},
	{"bad\xff", 0, "\"bad\xef\xbf\xbd\""},
	{"\xe2\x82", 1, "\"\\uFFFD\\uFFFD\""},
};

START_TEST(json_strings)
{
	struct buf b;
	buf_init(&b, 0);
	buf_add_json_str(&b, str_rows[_i].in, strlen(str_rows[_i].in), str_rows[_i].ascii);
	ck_assert_str_eq(b.data, str_rows[_i].out);
	buf_clear(&b);
}
END_TEST

Suite *buf_suite(void);
Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");
	tcase_add_test(tc, growth_and_cap);
	tcase_add_test(tc, long_printf);
	tcase_add_loop_test(tc, integers, 0, 5);
	tcase_add_loop_test(tc, json_strings, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}
