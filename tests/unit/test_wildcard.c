/* test_wildcard.c - '*' globs for method names, as scenario rules and
 * check steps use them. */
#include <check.h>

#include "cdpm.h"
#include "wildcard.h"

static const struct {
	const char *pat, *s;
	int match;
} rows[] = {
    {"", "", 1},
    {"", "a", 0},
    {"*", "", 1},
    {"*", "Tracing.start", 1},
    {"**", "x", 1},
    {"Tracing.start", "Tracing.start", 1},
    {"Tracing.start", "Tracing.star", 0},
    {"Tracing.star", "Tracing.start", 0},
    {"Tracing.*", "Tracing.start", 1},
    {"Tracing.*", "Tracing.", 1},
    {"Tracing.*", "Tracing", 0},
    {"Tracing.*", "IO.read", 0},
    {"*.enable", "Profiler.enable", 1},
    {"*.enable", "Profiler.enabled", 0},
    {"*.*", "IO.read", 1},
    {"*.*", "IOread", 0},
    {"T*g.*t", "Tracing.start", 1},
    {"T*g.*t", "Tracing.end", 0},
    {"*ab", "aab", 1},
    {"*aab", "aaab", 1},
    {"a*b*c", "abcbc", 1},
    {"a*b*c", "abcb", 0},
    /* '?' and '[' are plain characters here. */
    {"?", "a", 0},
    {"?", "?", 1},
    {"[ab]", "a", 0},
    /* Case matters, as in CDP method names. */
    {"tracing.*", "Tracing.start", 0},
};

START_TEST(a_pattern_matches_the_whole_name_or_nothing)
{
	ck_assert_msg(wildcard_match(rows[_i].pat, rows[_i].s) == rows[_i].match,
		      "\"%s\" vs \"%s\"", rows[_i].pat, rows[_i].s);
}
END_TEST

START_TEST(many_stars_do_not_blow_up)
{
	char s[4001];
	for (int i = 0; i < 4000; i++)
		s[i] = 'a';
	s[4000] = '\0';
	/* The recursive matcher this replaced took exponential time here. */
	ck_assert_int_eq(wildcard_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s), 0);
	ck_assert_int_eq(wildcard_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", s), 1);
}
END_TEST

Suite *wildcard_suite(void);
Suite *wildcard_suite(void)
{
	Suite *s = suite_create("wildcard");
	TCase *tc = tcase_create("wildcard");
	tcase_add_loop_test(tc, a_pattern_matches_the_whole_name_or_nothing, 0,
			    (int)CDPM_ARRAY_LEN(rows));
	tcase_add_test(tc, many_stars_do_not_blow_up);
	suite_add_tcase(s, tc);
	return s;
}
