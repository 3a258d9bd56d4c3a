/* test_mutate.c - outgoing message mutations: merge and replace go into the
 * right part, each mutation does exactly its one thing, big paddings are
 * generated lazily and byte-exact, and dumping keeps numbers short. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "net/conn.h"
#include "script/mutate.h"
#include "scenario/scenario.h"

Suite *mutate_suite(void); /* the generated runner's entry point */

/* Runs mutate_message on text; the result (or the lazy bytes) into out. */
static int mutate(const char *text, const char *merge, const char *replace,
		  const struct scenario_mutation *mu, size_t n, struct buf *out)
{
	struct buf b;
	struct conn_lazy *lazy = NULL;
	json_t *m = merge ? json_loads(merge, 0, NULL) : NULL;
	json_t *r = replace ? json_loads(replace, 0, NULL) : NULL;
	ck_assert_int_eq(conn_msg_begin(&b), 0);
	buf_adds(&b, text);
	int rc = mutate_message(&b, m, r, mu, n, &lazy);
	buf_reset(out);
	if (lazy) {
		char *all = malloc(lazy->size + 1);
		/* Fill in odd pieces to cross every boundary. */
		for (uint64_t at = 0; at < lazy->size;) {
			size_t k = lazy->size - at < 777 ? (size_t)(lazy->size - at) : 777;
			lazy->fill(lazy, at, all + at, k);
			at += k;
		}
		buf_add(out, all, lazy->size);
		free(all);
		lazy->free(lazy);
	} else if (!rc) {
		buf_add(out, b.data + CONN_HEADROOM, b.len - CONN_HEADROOM);
	}
	buf_clear(&b);
	json_decref(m);
	json_decref(r);
	return rc;
}

START_TEST(merge_goes_into_result_or_params)
{
	struct buf out;
	buf_init(&out, 0);
	ck_assert_int_eq(mutate("{\"id\":1,\"result\":{\"a\":1,\"b\":{\"c\":2,\"d\":3}},\"sessionId\":\"S\"}",
				"{\"a\":null,\"b\":{\"d\":4},\"e\":[1]}", NULL, NULL, 0, &out), 0);
	ck_assert_str_eq(out.data, "{\"id\":1,\"result\":{\"b\":{\"c\":2,\"d\":4},\"e\":[1]},\"sessionId\":\"S\"}");
	ck_assert_int_eq(mutate("{\"method\":\"X.y\",\"params\":{\"a\":1}}", NULL, "{\"z\":0.1}", NULL,
				0, &out), 0);
	ck_assert_str_eq(out.data, "{\"method\":\"X.y\",\"params\":{\"z\":0.1}}");
	buf_clear(&out);
}
END_TEST

START_TEST(each_mutation_does_one_thing)
{
	struct buf out;
	buf_init(&out, 0);
	struct scenario_mutation m[] = {
		{.op = SCENARIO_MUT_DROP, .path = "params.stream"},
		{.op = SCENARIO_MUT_RETYPE, .path = "params.dataLossOccurred"},
		{.op = SCENARIO_MUT_RETYPE, .path = "params.n"},
		{.op = SCENARIO_MUT_DROP, .path = "params.list.0"},
		{.op = SCENARIO_MUT_DROP, .path = "params.no.such"},
	};
	ck_assert_int_eq(mutate("{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":"
				"false,\"stream\":\"1\",\"n\":\"42\",\"list\":[1,2]}}",
				NULL, NULL, m, 5, &out), 0);
	ck_assert_str_eq(out.data, "{\"method\":\"Tracing.tracingComplete\",\"params\":{"
				   "\"dataLossOccurred\":\"false\",\"n\":42,\"list\":[2]}}");
	json_t *v = json_loads("{\"deep\":[true]}", 0, NULL);
	struct scenario_mutation set = {.op = SCENARIO_MUT_SET, .path = "result.x", .value = v};
	ck_assert_int_eq(mutate("{\"id\":3,\"result\":{}}", NULL, NULL, &set, 1, &out), 0);
	ck_assert_str_eq(out.data, "{\"id\":3,\"result\":{\"x\":{\"deep\":[true]}}}");
	json_decref(v);
	buf_clear(&out);
}
END_TEST

START_TEST(invalid_utf8_and_truncation_work_on_bytes)
{
	struct buf out;
	buf_init(&out, 0);
	struct scenario_mutation u = {.op = SCENARIO_MUT_INVALID_UTF8, .path = "result.data"};
	ck_assert_int_eq(mutate("{\"id\":1,\"result\":{\"data\":\"ab\\u00e9\",\"eof\":false}}", NULL,
				NULL, &u, 1, &out), 0);
	ck_assert_str_eq(out.data, "{\"id\":1,\"result\":{\"data\":\"ab\\u00E9\xE2\x82\",\"eof\":false}}");
	struct scenario_mutation t = {.op = SCENARIO_MUT_TRUNCATE, .bytes = 9};
	ck_assert_int_eq(mutate("{\"id\":1,\"result\":{}}", NULL, NULL, &t, 1, &out), 0);
	ck_assert_str_eq(out.data, "{\"id\":1,\"");
	/* Not JSON at all: only truncation applies. */
	ck_assert_int_eq(mutate("not json at all", NULL, NULL, &t, 1, &out), 0);
	ck_assert_str_eq(out.data, "not json ");
	buf_clear(&out);
}
END_TEST

START_TEST(oversize_is_exact_small_and_large)
{
	struct buf out;
	buf_init(&out, 0);
	struct scenario_mutation o = {.op = SCENARIO_MUT_OVERSIZE, .path = "params.data", .bytes = 100};
	const char *ev = "{\"method\":\"Big.event\",\"params\":{\"data\":\"\",\"n\":1}}";
	ck_assert_int_eq(mutate(ev, NULL, NULL, &o, 1, &out), 0);
	ck_assert_uint_eq(out.len, 100);
	ck_assert_int_eq(strncmp(out.data, "{\"method\":\"Big.event\",\"params\":{\"data\":\"abcdef", 45), 0);
	ck_assert_str_eq(out.data + 100 - 9, "\",\"n\":1}}");
	/* Past MUTATE_LAZY_MIN it comes from a generator. */
	o.bytes = 3 * 1024 * 1024 + 5;
	ck_assert_int_eq(mutate(ev, NULL, NULL, &o, 1, &out), 0);
	ck_assert_uint_eq(out.len, o.bytes);
	ck_assert_str_eq(out.data + out.len - 9, "\",\"n\":1}}");
	json_error_t e;
	json_t *j = json_loadb(out.data, out.len, 0, &e);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	/* Smaller than the message itself: refused, unchanged. */
	o.bytes = 10;
	ck_assert_int_eq(mutate(ev, NULL, NULL, &o, 1, &out), CDPM_EINVAL);
	buf_clear(&out);
}
END_TEST

START_TEST(dump_keeps_numbers_short_and_ascii)
{
	struct buf b;
	buf_init(&b, 0);
	json_t *v = json_loads("{\"a\":0.1,\"b\":505.019963,\"c\":3.0,\"d\":1e300,\"e\":\"\\u00e9\\ud83d\\ude00\","
			       "\"f\":-7,\"g\":[null,true,false]}", 0, NULL);
	ck_assert_int_eq(mutate_dump(&b, v), 0);
	/* Reals as Chrome writes them: 3.0 goes out as 3. */
	ck_assert_str_eq(b.data, "{\"a\":0.1,\"b\":505.019963,\"c\":3,\"d\":1e+300,"
				 "\"e\":\"\\u00E9\\uD83D\\uDE00\",\"f\":-7,\"g\":[null,true,false]}");
	json_decref(v);
	buf_clear(&b);
}
END_TEST

Suite *mutate_suite(void)
{
	Suite *s = suite_create("mutate");
	TCase *tc = tcase_create("mutations");
	tcase_add_test(tc, merge_goes_into_result_or_params);
	tcase_add_test(tc, each_mutation_does_one_thing);
	tcase_add_test(tc, invalid_utf8_and_truncation_work_on_bytes);
	tcase_add_test(tc, oversize_is_exact_small_and_large);
	tcase_add_test(tc, dump_keeps_numbers_short_and_ascii);
	suite_add_tcase(s, tc);
	return s;
}
