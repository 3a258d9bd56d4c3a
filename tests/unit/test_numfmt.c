/* test_numfmt.c - doubles as Chrome writes them into protocol JSON: the
 * shortest text that reads back, in ECMAScript Number::toString notation.
 * The expected texts are what node prints for String(d). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"
#include "numfmt.h"

static const struct {
	double d;
	const char *text;
} rows[] = {
    {0.1, "0.1"},
    {0.3, "0.3"},
    {0.1 + 0.2, "0.30000000000000004"},
    {1.0 / 3, "0.3333333333333333"},
    {2.0 / 3, "0.6666666666666666"},
    {0.001189918490126729, "0.001189918490126729"}, /* a real bufferUsage */
    {505.019963, "505.019963"},
    {4.35, "4.35"},
    {-1.5, "-1.5"},
    /* Integral values have no fraction, up to 21 digits. */
    {0.0, "0"},
    {-0.0, "0"},
    {1, "1"},
    {-1, "-1"},
    {100, "100"},
    {-2147483648.0, "-2147483648"},
    {9007199254740993.0, "9007199254740992"},
    {1152921504606846976.0, "1152921504606847000"}, /* 2^60: 17 digits, then zeros */
    {9223372036854775808.0, "9223372036854776000"}, /* 2^63 */
    {123456789012345680000.0, "123456789012345680000"},
    {1e20, "100000000000000000000"},
    /* From 1e21 up, and below 1e-6, the exponent form. */
    {1e21, "1e+21"},
    {1e23, "1e+23"},
    {1e300, "1e+300"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {1e-6, "0.000001"},
    {1.2345e-6, "0.0000012345"},
    {1e-7, "1e-7"},
    {1.5e-7, "1.5e-7"},
    {5e-7, "5e-7"},
    {2.2250738585072014e-308, "2.2250738585072014e-308"},
    {5e-324, "5e-324"}, /* the smallest subnormal */
    {1.5e-323, "1.5e-323"},
};

START_TEST(a_double_is_written_as_javascript_would)
{
	char out[NUMFMT_MAX];
	size_t n = numfmt_double(out, rows[_i].d);
	ck_assert_str_eq(out, rows[_i].text);
	ck_assert_uint_eq(n, strlen(rows[_i].text));
}
END_TEST

START_TEST(nan_and_infinities_are_written_null)
{
	char out[NUMFMT_MAX];
	ck_assert_uint_eq(numfmt_double(out, NAN), 4);
	ck_assert_str_eq(out, "null");
	numfmt_double(out, INFINITY);
	ck_assert_str_eq(out, "null");
	numfmt_double(out, -INFINITY);
	ck_assert_str_eq(out, "null");
}
END_TEST

/* The significant digits of a numfmt text: no sign, point, exponent, or
 * leading and trailing zeros ("1152921504606847000" has 16). */
static int sig_digits(const char *t)
{
	char d[40];
	int n = 0;
	for (; *t && *t != 'e'; t++)
		if (*t >= '0' && *t <= '9' && (n || *t != '0'))
			d[n++] = *t;
	while (n > 1 && d[n - 1] == '0')
		n--;
	return n;
}

/* Random bit patterns, powers of two (where the rounding interval is
 * lopsided) and subnormals: the text reads back, fits, and the nearest
 * decimal with one digit fewer does not read back.  (That numfmt agrees
 * with V8 digit for digit was checked against node on 400,000 doubles.) */
START_TEST(every_double_reads_back_from_the_shortest_text)
{
	uint64_t s = 0x9e3779b97f4a7c15u;
	char out[NUMFMT_MAX], tmp[40];
	for (int i = 0; i < 20000; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		uint64_t bits = i % 3 == 0 ? (uint64_t)(i % 2047) << 52 : i % 3 == 1 ? s >> 12 : s;
		double d;
		memcpy(&d, &bits, sizeof(d));
		if (!isfinite(d))
			continue;
		size_t n = numfmt_double(out, d);
		ck_assert_uint_lt(n, NUMFMT_MAX);
		ck_assert_msg(strtod(out, NULL) == d, "%a became %s", d, out);
		int digits = sig_digits(out);
		if (digits > 1) {
			snprintf(tmp, sizeof(tmp), "%.*e", digits - 2, d);
			ck_assert_msg(strtod(tmp, NULL) != d, "%s is shorter than %s", tmp, out);
		}
	}
}
END_TEST

START_TEST(a_buffer_gets_the_same_text)
{
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(numfmt_add(&b, 0.1), 0);
	buf_addc(&b, ',');
	ck_assert_int_eq(numfmt_add(&b, 1e21), 0);
	ck_assert_str_eq(b.data, "0.1,1e+21");
	buf_clear(&b);
	buf_init(&b, 3);
	ck_assert_int_eq(numfmt_add(&b, 0.25), CDPM_ETOOBIG);
	ck_assert_ptr_null(b.data);
	buf_clear(&b);
}
END_TEST

static const struct {
	int64_t us;
	const char *text;
} seconds[] = {
    {0, "0"},
    {1000000, "1"},
    {504000000, "504"}, /* the virtual clock's start */
    {505019963, "505.019963"},
    {1500000, "1.5"},
    {120, "0.00012"},
    {1, "0.000001"},
    {-1500000, "-1.5"},
    {-1, "-0.000001"},
};

/* A µs time prints as the double us / 1e6 would: the same text without
 * the double's detour. */
START_TEST(a_time_in_microseconds_is_written_in_seconds)
{
	struct buf b;
	char out[NUMFMT_MAX];
	buf_init(&b, 0);
	ck_assert_int_eq(numfmt_add_seconds(&b, seconds[_i].us), 0);
	ck_assert_str_eq(b.data, seconds[_i].text);
	numfmt_double(out, (double)seconds[_i].us / 1e6);
	ck_assert_str_eq(b.data, out);
	buf_clear(&b);
}
END_TEST

Suite *numfmt_suite(void);
Suite *numfmt_suite(void)
{
	Suite *s = suite_create("numfmt");
	TCase *tc = tcase_create("numfmt");
	tcase_add_loop_test(tc, a_double_is_written_as_javascript_would, 0,
			    (int)CDPM_ARRAY_LEN(rows));
	tcase_add_test(tc, nan_and_infinities_are_written_null);
	tcase_add_test(tc, every_double_reads_back_from_the_shortest_text);
	tcase_add_test(tc, a_buffer_gets_the_same_text);
	tcase_add_loop_test(tc, a_time_in_microseconds_is_written_in_seconds, 0,
			    (int)CDPM_ARRAY_LEN(seconds));
	suite_add_tcase(s, tc);
	return s;
}
