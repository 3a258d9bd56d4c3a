/* test_clock.c - real and virtual time. */
#include <check.h>

#include "clock.h"

START_TEST(virtual_time_moves_only_when_told)
{
	clock_set_mode(CLOCK_MODE_VIRTUAL);
	ck_assert_int_eq(clock_now_us(), CLOCK_VIRTUAL_START_US);
	ck_assert_int_eq(clock_now_us(), CLOCK_VIRTUAL_START_US);
	int64_t wall = clock_wall_us();
	clock_advance_us(1500);
	clock_advance_us(-7); /* ignored */
	ck_assert_int_eq(clock_now_us(), CLOCK_VIRTUAL_START_US + 1500);
	ck_assert_int_eq(clock_wall_us(), wall + 1500);
	ck_assert(clock_now_s() > 504.0014 && clock_now_s() < 504.0016);
	clock_set_mode(CLOCK_MODE_REAL);
}
END_TEST

START_TEST(real_time_is_monotonic)
{
	clock_set_mode(CLOCK_MODE_REAL);
	int64_t a = clock_now_us();
	clock_advance_us(1000000000); /* ignored in real mode */
	int64_t b = clock_now_us();
	ck_assert(b >= a && b - a < 1000000);
}
END_TEST

Suite *clock_suite(void);
Suite *clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("clock");
	tcase_add_test(tc, virtual_time_moves_only_when_told);
	tcase_add_test(tc, real_time_is_monotonic);
	suite_add_tcase(s, tc);
	return s;
}
