/* test_journal.c - the journal's ring: one block, the newest whole lines in
 * order, the oldest dropped as new ones wrap round, lines of every size
 * (so that wrap gaps of every width occur), filters, and a line too big
 * for the ring left out without disturbing the rest. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "journal.h"

Suite *journal_suite(void); /* the generated runner's entry point */

static void teardown(void)
{
	journal_close();
}

/* The notes' numbers in the dump, in order; how many. */
static size_t dumped(unsigned conn, int *out, size_t max)
{
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(journal_ring_dump(&b, NULL, conn, NULL), 0);
	size_t n = 0;
	const char *p = b.data ? b.data : "";
	for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		ck_assert_msg(!strncmp(p, "{\"t\":", 5), "a broken line: %.60s", p);
		const char *at = strstr(p, "note ");
		ck_assert_ptr_nonnull(at);
		ck_assert_uint_lt(n, max);
		out[n++] = atoi(at + 5);
	}
	ck_assert_str_eq(p, ""); /* nothing after the last newline */
	buf_clear(&b);
	return n;
}

START_TEST(the_ring_keeps_the_newest_whole_lines_in_order)
{
	char pad[600];
	int seen[4096];
	journal_ring_limit(4096);
	ck_assert_int_eq(journal_ring_on(), 1);
	for (int i = 0; i < 2000; i++) {
		/* Sizes from a few bytes to 500: every gap width at the end. */
		size_t w = (size_t)(i * 37) % 500;
		memset(pad, 'x', w);
		pad[w] = '\0';
		journal_note((unsigned)(i % 3 + 1), "note %d %s", i, pad);
		size_t n = dumped(0, seen, 4096);
		ck_assert_uint_ge(n, 1);
		ck_assert_int_eq(seen[n - 1], i); /* the newest is always there */
		for (size_t k = 1; k < n; k++)
			ck_assert_int_eq(seen[k], seen[k - 1] + 1); /* no line lost inside */
	}
	/* Filtered by connection: every third note. */
	size_t n = dumped(2, seen, 4096);
	ck_assert_uint_ge(n, 1);
	for (size_t k = 0; k < n; k++)
		ck_assert_int_eq(seen[k] % 3, 1);
}
END_TEST

START_TEST(a_line_bigger_than_the_ring_is_left_out)
{
	int seen[64];
	journal_ring_limit(2048);
	journal_note(1, "note 1");
	static char big[1000];
	memset(big, 'y', sizeof(big) - 1);
	journal_note(1, "note 2 %s%s%s", big, big, big); /* cut at 1 KB, still over */
	journal_note_json(1, "{\"note 3\":true}", 15);
	journal_note(1, "note 4");
	size_t n = dumped(0, seen, 64);
	ck_assert_uint_ge(n, 2);
	ck_assert_int_eq(seen[n - 1], 4);
	journal_ring_limit(0);
	ck_assert_int_eq(journal_ring_on(), 0);
	ck_assert_uint_eq(dumped(0, seen, 64), 0);
}
END_TEST

Suite *journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *t = tcase_create("ring");
	tcase_add_checked_fixture(t, NULL, teardown);
	tcase_add_test(t, the_ring_keeps_the_newest_whole_lines_in_order);
	tcase_add_test(t, a_line_bigger_than_the_ring_is_left_out);
	suite_add_tcase(s, t);
	return s;
}
