/* test_buf.c - the capped buffer: growth, the cap as a defined error, fast
 * integer appends, Chrome-style JSON strings, and the sticky error that
 * lets a builder check once (buf_finish). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "buf.h"
#include "cdpm.h"
#include "fault.h"

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

/* ---- the sticky error ---- */

static char long_text[301];

static int op_reserve(struct buf *b) { return buf_reserve(b, 10); }
static int op_add(struct buf *b) { return buf_add(b, "xy", 2); }
static int op_adds(struct buf *b) { return buf_adds(b, "xy"); }
static int op_addc(struct buf *b) { return buf_addc(b, 'x'); }
static int op_printf(struct buf *b) { return buf_printf(b, "%d-%s", 7, "z"); }
static int op_printf_long(struct buf *b) { return buf_printf(b, "<%s>", long_text); }
static int op_i64(struct buf *b) { return buf_add_i64(b, INT64_MIN); }
static int op_u64(struct buf *b) { return buf_add_u64(b, UINT64_MAX); }
static int op_json(struct buf *b) { return buf_add_json_str(b, "q\"\x01", 3, 1); }
static int op_json_astral(struct buf *b) { return buf_add_json_str(b, "\xf0\x9f\x98\x80", 4, 1); }

/* Every append function, with what it appends to a healthy buffer. */
static const struct {
	const char *name;
	int (*fn)(struct buf *);
	size_t adds; /* bytes; 0 for buf_reserve */
} ops[] = {
    {"buf_reserve", op_reserve, 0},
    {"buf_add", op_add, 2},
    {"buf_adds", op_adds, 2},
    {"buf_addc", op_addc, 1},
    {"buf_printf", op_printf, 3},
    {"buf_printf (long)", op_printf_long, 302},
    {"buf_add_i64", op_i64, 20},
    {"buf_add_u64", op_u64, 20},
    {"buf_add_json_str", op_json, 11},
    {"buf_add_json_str (astral)", op_json_astral, 14},
};

static void fill_long_text(void)
{
	memset(long_text, 'a', sizeof(long_text) - 1);
}

START_TEST(an_append_after_a_failure_is_a_no_op_with_the_same_error)
{
	struct buf b;
	fill_long_text();
	buf_init(&b, 16);
	ck_assert_int_eq(buf_adds(&b, "abc"), 0);
	ck_assert_int_eq(buf_add(&b, long_text, 100), CDPM_ETOOBIG);
	ck_assert_int_eq(ops[_i].fn(&b), CDPM_ETOOBIG);
	ck_assert_msg(b.len == 3 && !strcmp(b.data, "abc"), "%s changed a failed buffer",
		      ops[_i].name);
	ck_assert_int_eq(buf_finish(&b), CDPM_ETOOBIG);
	/* A reset forgets the failure; the same append works again. */
	buf_reset(&b);
	ck_assert_int_eq(buf_finish(&b), 0);
	buf_clear(&b);
	buf_init(&b, 0);
	ck_assert_int_eq(ops[_i].fn(&b), 0);
	ck_assert_uint_eq(b.len, ops[_i].adds);
	ck_assert_int_eq(buf_finish(&b), 0);
	buf_clear(&b);
}
END_TEST

START_TEST(a_failing_append_over_the_cap_keeps_the_content_and_sticks)
{
	struct buf b;
	fill_long_text();
	buf_init(&b, 3);
	ck_assert_int_eq(buf_adds(&b, "abc"), 0);
	ck_assert_int_eq(ops[_i].fn(&b), CDPM_ETOOBIG);
	ck_assert_str_eq(b.data, "abc");
	ck_assert_int_eq(buf_finish(&b), CDPM_ETOOBIG);
	/* Later appends fail the same way, even ones that need no room. */
	ck_assert_int_eq(buf_add(&b, "", 0), CDPM_ETOOBIG);
	ck_assert_int_eq(buf_reserve(&b, 0), CDPM_ETOOBIG);
	ck_assert_str_eq(b.data, "abc");
	buf_clear(&b);
	ck_assert_int_eq(buf_finish(&b), 0);
}
END_TEST

START_TEST(a_failing_allocation_is_enomem_and_sticks_after_memory_returns)
{
	struct buf b;
	fill_long_text();
	buf_init(&b, 0);
	fault_arm(1, 0);
	int rc = ops[_i].fn(&b);
	ck_assert_int_eq(fault_disarm(), 1);
	ck_assert_int_eq(rc, CDPM_ENOMEM);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	/* Memory is back, but the buffer still says what happened. */
	ck_assert_int_eq(buf_addc(&b, 'x'), CDPM_ENOMEM);
	ck_assert_int_eq(ops[_i].fn(&b), CDPM_ENOMEM);
	ck_assert_int_eq(buf_finish(&b), CDPM_ENOMEM);
	ck_assert_uint_eq(b.len, 0);
	buf_clear(&b);
}
END_TEST

START_TEST(growth_that_fails_midway_keeps_the_old_bytes)
{
	struct buf b;
	fill_long_text();
	buf_init(&b, 0);
	ck_assert_int_eq(buf_add(&b, long_text, 250), 0); /* 256 bytes allocated */
	fault_arm(1, 0);
	int rc = buf_add(&b, long_text, 300);
	ck_assert_int_eq(fault_disarm(), 1);
	ck_assert_int_eq(rc, CDPM_ENOMEM);
	ck_assert_uint_eq(b.len, 250);
	ck_assert_uint_eq(strlen(b.data), 250);
	ck_assert_int_eq(buf_finish(&b), CDPM_ENOMEM);
	buf_clear(&b);
}
END_TEST

START_TEST(a_json_string_is_all_or_nothing)
{
	/* Room for the reserve (n + 2) but not for the escapes. */
	struct buf b;
	buf_init(&b, 12);
	buf_adds(&b, "ab");
	ck_assert_int_eq(buf_add_json_str(&b, "\x01\x02\x03", 3, 1), CDPM_ETOOBIG);
	ck_assert_str_eq(b.data, "ab");
	buf_clear(&b);
	/* A negative number fails whole: no lone '-'. */
	buf_init(&b, 4);
	buf_adds(&b, "ab");
	ck_assert_int_eq(buf_add_i64(&b, -12), CDPM_ETOOBIG);
	ck_assert_str_eq(b.data, "ab");
	buf_clear(&b);
}
END_TEST

START_TEST(a_bad_format_is_einval_and_sticks)
{
	/* In the C locale a wide character past ASCII has no conversion. */
	static const wchar_t bad[] = {0x100, 0};
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "ab");
	ck_assert_int_eq(buf_printf(&b, "%ls", bad), CDPM_EINVAL);
	ck_assert_int_eq(buf_adds(&b, "cd"), CDPM_EINVAL);
	ck_assert_str_eq(b.data, "ab");
	ck_assert_int_eq(buf_finish(&b), CDPM_EINVAL);
	buf_clear(&b);
}
END_TEST

START_TEST(finish_reports_the_first_error_and_set_error_keeps_it)
{
	struct buf b;
	buf_init(&b, 2);
	ck_assert_int_eq(buf_finish(&b), 0);
	buf_set_error(&b, CDPM_ENOMEM);
	buf_set_error(&b, CDPM_EINVAL); /* the first one stays */
	ck_assert_int_eq(buf_adds(&b, "x"), CDPM_ENOMEM);
	ck_assert_int_eq(buf_finish(&b), CDPM_ENOMEM);
	buf_clear(&b);
}
END_TEST

START_TEST(take_and_rewind_leave_a_healthy_buffer)
{
	struct buf b;
	size_t len;
	buf_init(&b, 4);
	buf_adds(&b, "abc");
	ck_assert_int_eq(buf_adds(&b, "de"), CDPM_ETOOBIG);
	/* A handled trial append: undone, error and all. */
	buf_rewind(&b, 1);
	ck_assert_int_eq(buf_finish(&b), 0);
	ck_assert_str_eq(b.data, "a");
	ck_assert_int_eq(buf_adds(&b, "bcd"), 0);
	ck_assert_int_eq(buf_addc(&b, 'e'), CDPM_ETOOBIG);
	char *p = buf_take(&b, &len);
	ck_assert_str_eq(p, "abcd");
	free(p);
	ck_assert_int_eq(buf_finish(&b), 0);
	ck_assert_int_eq(buf_adds(&b, "ok"), 0);
	buf_clear(&b);
}
END_TEST

/* Appends double the block; a reservation past double is taken as asked,
 * so a builder that knows its size leaves no slack for the outbox to
 * count or give back. */
START_TEST(a_big_reservation_is_exact_and_small_appends_double)
{
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(buf_reserve(&b, 1000000), 0);
	ck_assert_uint_eq(b.alloc, 1000001);
	buf_clear(&b);
	ck_assert_int_eq(buf_adds(&b, "x"), 0);
	ck_assert_uint_eq(b.alloc, 256);
	for (int i = 0; i < 300; i++)
		ck_assert_int_eq(buf_addc(&b, 'y'), 0);
	ck_assert_uint_eq(b.alloc, 512);
	ck_assert_int_eq(buf_reserve(&b, 600), 0); /* 301 + 600 + 1 > 512: doubled */
	ck_assert_uint_eq(b.alloc, 1024);
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
	tcase_add_test(tc, a_big_reservation_is_exact_and_small_appends_double);
	tcase_add_loop_test(tc, integers, 0, 5);
	tcase_add_loop_test(tc, json_strings, 0, 8);
	suite_add_tcase(s, tc);
	tc = tcase_create("sticky error");
	tcase_add_loop_test(tc, an_append_after_a_failure_is_a_no_op_with_the_same_error, 0,
			    (int)CDPM_ARRAY_LEN(ops));
	tcase_add_loop_test(tc, a_failing_append_over_the_cap_keeps_the_content_and_sticks, 0,
			    (int)CDPM_ARRAY_LEN(ops));
	tcase_add_loop_test(tc, a_failing_allocation_is_enomem_and_sticks_after_memory_returns, 0,
			    (int)CDPM_ARRAY_LEN(ops));
	tcase_add_test(tc, growth_that_fails_midway_keeps_the_old_bytes);
	tcase_add_test(tc, a_json_string_is_all_or_nothing);
	tcase_add_test(tc, a_bad_format_is_einval_and_sticks);
	tcase_add_test(tc, finish_reports_the_first_error_and_set_error_keeps_it);
	tcase_add_test(tc, take_and_rewind_leave_a_healthy_buffer);
	suite_add_tcase(s, tc);
	return s;
}
