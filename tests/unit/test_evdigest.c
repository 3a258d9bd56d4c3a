/* test_evdigest.c - the spelling-independent JSON digest the server and
 * cdpconform share: the same value written differently digests the same,
 * a lost, doubled or altered value does not. */
#include <check.h>
#include <string.h>

#include "cdpm.h"
#include "evdigest.h"

static uint64_t digest_of(const char *text)
{
	struct evdigest d;
	evdigest_init(&d);
	ck_assert_int_eq(evdigest_add_text(&d, text, strlen(text)), 0);
	return d.sum;
}

/* Pairs that must digest the same. */
static const char *const same_rows[][2] = {
    {"{\"a\":1,\"b\":[1,2]}", "{ \"b\" : [1, 2], \"a\" : 1.0 }"},
    {"{\"s\":\"\\u00e9<\"}", "{\"s\":\"\xc3\xa9\\u003C\"}"},
    {"[1500000]", "[1.5e6]"},
    {"{\"x\":-0}", "{\"x\":0}"},
};

START_TEST(spellings_digest_the_same)
{
	ck_assert_uint_eq(digest_of(same_rows[_i][0]), digest_of(same_rows[_i][1]));
}
END_TEST

/* Pairs that must not. */
static const char *const diff_rows[][2] = {
    {"{\"a\":1}", "{\"a\":\"1\"}"},
    {"[1,2]", "[2,1]"},
    {"{\"a\":{\"b\":1}}", "{\"a\":{\"b\":1,\"c\":null}}"},
    {"{\"a\":1,\"b\":2}", "{\"a\":2,\"b\":1}"},
    {"[]", "{}"},
};

START_TEST(changes_digest_differently)
{
	ck_assert_uint_ne(digest_of(diff_rows[_i][0]), digest_of(diff_rows[_i][1]));
}
END_TEST

START_TEST(multiset_counts_doubles_not_order)
{
	struct evdigest a, b, c;
	evdigest_init(&a);
	evdigest_init(&b);
	evdigest_init(&c);
	evdigest_add_text(&a, "{\"n\":1}", 7);
	evdigest_add_text(&a, "{\"n\":2}", 7);
	evdigest_add_text(&b, "{\"n\":2}", 7);
	evdigest_add_text(&b, "{\"n\":1}", 7);
	ck_assert_uint_eq(a.sum, b.sum);
	ck_assert_uint_eq(a.count, 2);
	evdigest_add_text(&c, "{\"n\":1}", 7);
	evdigest_add_text(&c, "{\"n\":1}", 7);
	ck_assert_uint_ne(a.sum, c.sum);
	ck_assert_int_eq(evdigest_add_text(&c, "{", 1), CDPM_EINVAL);
	ck_assert_uint_eq(c.count, 2);
	char hex[EVDIGEST_HEX_LEN + 1];
	evdigest_hex(&a, hex);
	ck_assert_uint_eq(strlen(hex), 16);
}
END_TEST

/* The text hasher agrees with the tree hasher, element by element. */
static const char *const items_rows[] = {
    "[{\"a\":1,\"b\":[true,false,null]},\"x\\u00e9\\ud83d\\ude00\\n\",-0.0,1.5e3]",
    " [ {\"nested\": {\"k\": [[], {}], \"s\": \"\\\"q\\\"\"}} , 12345678901234 ] ",
    "{\"metadata\":{\"x\":1},\"traceEvents\":[{\"ph\":\"M\",\"ts\":0},{\"ph\":\"X\"}]}",
    "[\"caf\xc3\xa9\", \"\\/\\b\\f\\r\\t\"]",
};

START_TEST(text_items_match_tree_values)
{
	const char *text = items_rows[_i];
	struct evdigest fast, tree;
	evdigest_init(&fast);
	evdigest_init(&tree);
	ck_assert_int_eq(evdigest_add_items(&fast, text, strlen(text), "traceEvents"), 0);
	json_t *v = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(v);
	json_t *arr = json_is_array(v) ? v : json_object_get(v, "traceEvents");
	for (size_t k = 0; k < json_array_size(arr); k++)
		evdigest_add(&tree, json_array_get(arr, k));
	ck_assert_uint_eq(fast.count, tree.count);
	ck_assert_uint_eq(fast.sum, tree.sum);
	json_decref(v);
}
END_TEST

START_TEST(text_items_refuse_what_is_not_json)
{
	static const char *const bad[] = {"[1,", "{\"a\":[1]}", "[\"\\ud800\"]", "[1] x", "7"};
	struct evdigest d;
	evdigest_init(&d);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		ck_assert_int_eq(evdigest_add_items(&d, bad[k], strlen(bad[k]), "traceEvents"),
				 CDPM_EINVAL);
}
END_TEST

Suite *evdigest_suite(void);
Suite *evdigest_suite(void)
{
	Suite *s = suite_create("evdigest");
	TCase *tc = tcase_create("evdigest");
	tcase_add_loop_test(tc, spellings_digest_the_same, 0, 4);
	tcase_add_loop_test(tc, changes_digest_differently, 0, 5);
	tcase_add_test(tc, multiset_counts_doubles_not_order);
	tcase_add_loop_test(tc, text_items_match_tree_values, 0, 4);
	tcase_add_test(tc, text_items_refuse_what_is_not_json);
	suite_add_tcase(s, tc);
	return s;
}
