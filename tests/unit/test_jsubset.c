/* test_jsubset.c - subset matching of JSON values: the rule behind a
 * scenario rule's "params" and a check's patterns, with its explanations
 * and the hook that gives "$..." strings their meaning. */
#include <check.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"
#include "jsubset.h"

static const struct {
	const char *pat, *v;
	int match;
	const char *why; /* with the root named ".params" */
} rows[] = {
    {"{}", "{}", 1, ""},
    {"{}", "{\"a\":1}", 1, ""},
    {"{\"a\":1}", "{\"a\":1,\"b\":2}", 1, ""},
    {"{\"a\":1}", "{\"b\":2}", 0, ".params.a: missing"},
    {"{\"a\":1}", "{\"a\":2}", 0, ".params.a: expected 1"},
    {"{\"a\":1}", "{\"a\":1.0}", 1, ""},
    {"{\"a\":1.5}", "{\"a\":1.5}", 1, ""},
    {"{\"a\":1}", "{\"a\":\"1\"}", 0, ".params.a: expected 1"},
    {"{\"a\":{\"b\":[1,{\"c\":true}]}}", "{\"a\":{\"b\":[1,{\"c\":true,\"d\":0}],\"e\":0}}", 1, ""},
    {"{\"a\":{\"b\":[1,{\"c\":true}]}}", "{\"a\":{\"b\":[1,{\"c\":false}]}}", 0,
     ".params.a.b[1].c: expected true"},
    {"{\"a\":[1,2]}", "{\"a\":[1,2,3]}", 0, ".params.a: expected an array of 2"},
    {"{\"a\":[1,2]}", "{\"a\":{}}", 0, ".params.a: expected an array of 2"},
    {"{\"a\":{}}", "{\"a\":[]}", 0, ".params.a: expected an object"},
    {"{\"a\":\"x\"}", "{\"a\":\"x\"}", 1, ""},
    {"{\"a\":\"x\"}", "{\"a\":\"xy\"}", 0, ".params.a: expected \"x\""},
    {"{\"a\":null}", "{\"a\":null}", 1, ""},
    {"{\"a\":null}", "{\"a\":false}", 0, ".params.a: expected null"},
    {"[]", "[]", 1, ""},
    {"\"$any\"", "3", 0, ".params: expected \"$any\""},
    {"{\"a\":0.1}", "{\"a\":0.2}", 0, ".params.a: expected 0.1"},
};

START_TEST(a_pattern_is_a_subset_of_the_value_or_is_explained)
{
	json_t *pat = json_loads(rows[_i].pat, JSON_DECODE_ANY, NULL);
	json_t *v = json_loads(rows[_i].v, JSON_DECODE_ANY, NULL);
	ck_assert_ptr_nonnull(pat);
	ck_assert_ptr_nonnull(v);
	struct buf why;
	buf_init(&why, 0);
	struct jsubset_opts o = {NULL, NULL, &why, ".params"};
	ck_assert_int_eq(jsubset_match(pat, v), rows[_i].match);
	ck_assert_int_eq(jsubset_match_ex(pat, v, &o), rows[_i].match);
	ck_assert_str_eq(why.data ? why.data : "", rows[_i].why);
	buf_clear(&why);
	json_decref(pat);
	json_decref(v);
}
END_TEST

START_TEST(nothing_matches_an_absent_value)
{
	json_t *pat = json_object();
	ck_assert_int_eq(jsubset_match(pat, NULL), 0);
	json_decref(pat);
}
END_TEST

/* "$any" matches anything present; "$num" anything numeric. */
static int hook(void *ctx, const json_t *pat, const json_t *v, const char *path, struct buf *why)
{
	int *calls = ctx;
	++*calls;
	if (!json_is_string(pat))
		return JSUBSET_PASS;
	if (!strcmp(json_string_value(pat), "$any"))
		return v ? JSUBSET_YES : JSUBSET_NO;
	if (!strcmp(json_string_value(pat), "$num")) {
		if (json_is_number(v))
			return JSUBSET_YES;
		buf_printf(why, "%s: not a number", path);
		return JSUBSET_NO;
	}
	return JSUBSET_PASS;
}

START_TEST(a_hook_decides_the_nodes_it_knows)
{
	json_t *pat = json_loads("{\"a\":\"$any\",\"b\":[\"$num\",\"x\"]}", 0, NULL);
	json_t *yes = json_loads("{\"a\":{\"deep\":1},\"b\":[2.5,\"x\"]}", 0, NULL);
	json_t *no = json_loads("{\"a\":0,\"b\":[\"2\",\"x\"]}", 0, NULL);
	int calls = 0;
	struct buf why;
	buf_init(&why, 0);
	struct jsubset_opts o = {hook, &calls, &why, ""};
	ck_assert_int_eq(jsubset_match_ex(pat, yes, &o), 1);
	/* The root, "a", "b" and its two elements; not "a"'s insides. */
	ck_assert_int_eq(calls, 5);
	ck_assert_int_eq(jsubset_match_ex(pat, no, &o), 0);
	ck_assert_str_eq(why.data, ".b[0]: not a number");
	/* Without the hook the strings are only strings. */
	ck_assert_int_eq(jsubset_match(pat, yes), 0);
	buf_clear(&why);
	json_decref(pat);
	json_decref(yes);
	json_decref(no);
}
END_TEST

START_TEST(a_long_path_is_cut_short_not_overrun)
{
	char key[300];
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	json_t *pat = json_pack("{s:{s:{s:i}}}", key, key, key, 1);
	json_t *v = json_pack("{s:{s:{s:i}}}", key, key, key, 2);
	struct buf why;
	buf_init(&why, 0);
	struct jsubset_opts o = {NULL, NULL, &why, NULL};
	ck_assert_int_eq(jsubset_match_ex(pat, v, &o), 0);
	ck_assert_uint_eq(strlen(why.data), JSUBSET_PATH_MAX - 1 + strlen(": expected 1"));
	buf_clear(&why);
	json_decref(pat);
	json_decref(v);
}
END_TEST

Suite *jsubset_suite(void);
Suite *jsubset_suite(void)
{
	Suite *s = suite_create("jsubset");
	TCase *tc = tcase_create("jsubset");
	tcase_add_loop_test(tc, a_pattern_is_a_subset_of_the_value_or_is_explained, 0,
			    (int)CDPM_ARRAY_LEN(rows));
	tcase_add_test(tc, nothing_matches_an_absent_value);
	tcase_add_test(tc, a_hook_decides_the_nodes_it_knows);
	tcase_add_test(tc, a_long_path_is_cut_short_not_overrun);
	suite_add_tcase(s, tc);
	return s;
}
