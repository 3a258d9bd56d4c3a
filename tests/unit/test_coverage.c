/* test_coverage.c - property tests for simulated precise and best-effort
 * coverage: exact key order, range nesting, binary/count/detailed modes,
 * delta semantics (a second take is "[]"), agreement with the script set,
 * and determinism from the seed and elapsed time. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"
#include "gen/coverage.h"
#include "gen/scripts.h"
#include "require.h"

Suite *coverage_suite(void); /* the generated runner's entry point */

#define SEEDS 200

static const unsigned modes[] = {0, COVERAGE_CALL_COUNT, COVERAGE_DETAILED,
				 COVERAGE_CALL_COUNT | COVERAGE_DETAILED};

static int keys_are(json_t *obj, const char *const *keys, size_t n)
{
	size_t k = 0;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		if (k == n || strcmp(key, keys[k]))
			return 0;
		k++;
	}
	return k == n;
}

static const char *const script_keys[] = {"scriptId", "url", "functions"};
static const char *const fn_keys[] = {"functionName", "ranges", "isBlockCoverage"};
static const char *const range_keys[] = {"startOffset", "endOffset", "count"};

static json_t *take(struct coverage *c)
{
	struct buf b;
	json_error_t err;
	buf_init(&b, 0);
	REQUIRE_EQ(coverage_take(c, &b), 0);
	json_t *j = json_loadb(b.data, b.len, 0, &err);
	REQUIRE_MSG(j != NULL && json_is_array(j), "parse: %s", err.text);
	buf_clear(&b);
	return j;
}

static char *take_str(struct coverage *c)
{
	struct buf b;
	buf_init(&b, 0);
	REQUIRE_EQ(coverage_take(c, &b), 0);
	return buf_take(&b, NULL);
}

static const struct scripts_script *find_script(const struct scripts *s, const char *id)
{
	for (size_t i = 0; i < s->nscripts; i++)
		if (!strcmp(s->script[i].id, id))
			return &s->script[i];
	return NULL;
}

static const struct scripts_fn *find_fn(const struct scripts *s, const struct scripts_script *sc,
					json_int_t start)
{
	for (uint32_t i = 0; i < sc->nfns; i++)
		if (s->fn[sc->first_fn + i].start == start)
			return &s->fn[sc->first_fn + i];
	return NULL;
}

static json_int_t rint_(json_t *r, const char *k)
{
	json_t *v = json_object_get(r, k);
	REQUIRE(json_is_integer(v));
	return json_integer_value(v);
}

/* Ranges of one function: the first is the whole function; the rest sort
 * by start, lie strictly inside it, nest or are disjoint, and differ in
 * count from their innermost enclosing range. */
static void check_ranges(json_t *ranges, const struct scripts_fn *f, unsigned flags)
{
	size_t n = json_array_size(ranges), i, j;
	json_t *r;
	REQUIRE(n >= 1);
	if (!(flags & COVERAGE_DETAILED))
		REQUIRE_EQ(n, 1);
	json_array_foreach(ranges, i, r)
	{
		REQUIRE(keys_are(r, range_keys, 3));
		json_int_t s = rint_(r, "startOffset"), e = rint_(r, "endOffset"),
			   cnt = rint_(r, "count");
		REQUIRE(s < e && cnt >= 0);
		if (!(flags & COVERAGE_CALL_COUNT))
			REQUIRE(cnt <= 1);
		if (i == 0) {
			REQUIRE_EQ(s, f->start);
			REQUIRE_EQ(e, f->end);
			continue;
		}
		json_t *prev = json_array_get(ranges, i - 1);
		REQUIRE_GE(s, rint_(prev, "startOffset"));
		json_t *encl = json_array_get(ranges, 0);
		for (j = 0; j < i; j++) {
			json_t *o = json_array_get(ranges, j);
			json_int_t os = rint_(o, "startOffset"), oe = rint_(o, "endOffset");
			int inside = os <= s && e <= oe, apart = e <= os || oe <= s;
			REQUIRE_MSG(inside || apart, "ranges overlap");
			if (inside)
				encl = o;
		}
		REQUIRE(s > f->start && e < f->end);
		REQUIRE(cnt != rint_(encl, "count"));
		if (flags & COVERAGE_CALL_COUNT)
			REQUIRE(cnt < rint_(encl, "count"));
	}
}

/* One ScriptCoverage array.  total: best effort (function level, counts
 * since start).  Scripts appear once, in scriptId order, with their top
 * level first and the rest in source order. */
static void check_array(json_t *arr, const struct scripts *s, unsigned flags, int best_effort)
{
	size_t i, j;
	json_t *sc_j, *fn_j;
	long last_id = -1;
	json_array_foreach(arr, i, sc_j)
	{
		REQUIRE(keys_are(sc_j, script_keys, 3));
		const char *id = json_string_value(json_object_get(sc_j, "scriptId"));
		const struct scripts_script *sc = find_script(s, id);
		REQUIRE_MSG(sc != NULL, "unknown scriptId %s", id);
		REQUIRE(atol(id) > last_id);
		last_id = atol(id);
		REQUIRE_STR_EQ(json_string_value(json_object_get(sc_j, "url")), sc->url);
		json_t *fns = json_object_get(sc_j, "functions");
		REQUIRE(json_array_size(fns) >= 1);
		json_int_t last_start = -1, positive = 0;
		json_array_foreach(fns, j, fn_j)
		{
			REQUIRE(keys_are(fn_j, fn_keys, 3));
			json_t *ranges = json_object_get(fn_j, "ranges");
			json_int_t start = rint_(json_array_get(ranges, 0), "startOffset");
			const struct scripts_fn *f = find_fn(s, sc, start);
			REQUIRE(f != NULL);
			REQUIRE_STR_EQ(json_string_value(json_object_get(fn_j, "functionName")),
				       f->name);
			if (j == 0) {
				REQUIRE_EQ(f->parent, SCRIPTS_NONE);
				REQUIRE_STR_EQ(f->name, "");
				REQUIRE_EQ(f->end, sc->length);
			}
			REQUIRE(start > last_start);
			last_start = start;
			REQUIRE(json_is_boolean(json_object_get(fn_j, "isBlockCoverage")));
			int block = json_is_true(json_object_get(fn_j, "isBlockCoverage"));
			REQUIRE_EQ(block, !best_effort && (flags & COVERAGE_DETAILED));
			check_ranges(ranges, f, best_effort ? COVERAGE_CALL_COUNT : flags);
			json_int_t cnt = rint_(json_array_get(ranges, 0), "count");
			positive += cnt > 0;
			if (j > 0)
				REQUIRE(cnt > 0);
		}
		REQUIRE(positive > 0);
	}
}

START_TEST(every_take_keeps_the_shape_and_the_delta_rule)
{
	unsigned flags = modes[_i % 4];
	uint64_t seed = (uint64_t)(_i / 4) * 104729 + 3;
	struct coverage *c;
	REQUIRE_EQ(coverage_new(seed, flags, NULL, &c), 0);
	const struct scripts *s = coverage_scripts(c);
	json_t *a = take(c);
	REQUIRE_EQ(json_array_size(a), 0);
	json_decref(a);
	for (int step = 0; step < 4; step++) {
		REQUIRE_EQ(coverage_advance(c, 300000 + step * 600000), 0);
		a = take(c);
		check_array(a, s, flags, 0);
		if (step == 0)
			REQUIRE(json_array_size(a) > 0);
		json_decref(a);
		char *again = take_str(c);
		REQUIRE_STR_EQ(again, "[]");
		free(again);
	}
	struct buf b;
	json_error_t err;
	buf_init(&b, 0);
	REQUIRE_EQ(coverage_best_effort(c, &b), 0);
	a = json_loadb(b.data, b.len, 0, &err);
	REQUIRE(a != NULL);
	REQUIRE(json_array_size(a) > 0);
	check_array(a, s, flags, 1);
	json_decref(a);
	buf_clear(&b);
	coverage_free(c);
}
END_TEST

/* Key on (scriptId, startOffset) of a function, for summing counts. */
struct tally {
	char id[12];
	json_int_t start, count;
};

static void add_counts(struct tally *t, size_t *n, size_t cap, json_t *arr)
{
	size_t i, j, k;
	json_t *sc, *fn;
	json_array_foreach(arr, i, sc)
	{
		const char *id = json_string_value(json_object_get(sc, "scriptId"));
		json_array_foreach(json_object_get(sc, "functions"), j, fn)
		{
			json_t *r = json_array_get(json_object_get(fn, "ranges"), 0);
			json_int_t st = rint_(r, "startOffset"), cnt = rint_(r, "count");
			for (k = 0; k < *n && (strcmp(t[k].id, id) || t[k].start != st); k++)
				;
			if (k == *n) {
				REQUIRE(*n < cap);
				snprintf(t[k].id, sizeof(t[k].id), "%s", id);
				t[k].start = st;
				t[k].count = 0;
				(*n)++;
			}
			t[k].count += cnt;
		}
	}
}

START_TEST(deltas_add_up_to_the_best_effort_counts)
{
	struct coverage *c;
	struct tally *sum = calloc(2000, sizeof(*sum)), *best = calloc(2000, sizeof(*best));
	size_t nsum = 0, nbest = 0;
	REQUIRE_EQ(coverage_new((uint64_t)_i + 1, COVERAGE_CALL_COUNT, NULL, &c), 0);
	for (int step = 0; step < 6; step++) {
		REQUIRE_EQ(coverage_advance(c, 333333 * (step + 1)), 0);
		json_t *a = take(c);
		add_counts(sum, &nsum, 2000, a);
		json_decref(a);
	}
	struct buf b;
	json_error_t err;
	buf_init(&b, 0);
	REQUIRE_EQ(coverage_best_effort(c, &b), 0);
	json_t *a = json_loadb(b.data, b.len, 0, &err);
	add_counts(best, &nbest, 2000, a);
	json_decref(a);
	buf_clear(&b);
	/* Every positive total equals the sum of the deltas. */
	for (size_t k = 0; k < nbest; k++) {
		size_t m;
		for (m = 0;
		     m < nsum && (strcmp(sum[m].id, best[k].id) || sum[m].start != best[k].start);
		     m++)
			;
		REQUIRE(m < nsum);
		REQUIRE_EQ(sum[m].count, best[k].count);
	}
	for (size_t m = 0; m < nsum; m++) {
		size_t k;
		for (k = 0;
		     k < nbest && (strcmp(sum[m].id, best[k].id) || sum[m].start != best[k].start);
		     k++)
			;
		REQUIRE(k < nbest || sum[m].count == 0);
	}
	free(sum);
	free(best);
	coverage_free(c);
}
END_TEST

START_TEST(state_depends_on_total_time_not_on_its_split)
{
	struct coverage *a, *b, *d;
	uint64_t seed = (uint64_t)_i * 31 + 7;
	REQUIRE_EQ(coverage_new(seed, COVERAGE_CALL_COUNT | COVERAGE_DETAILED, NULL, &a), 0);
	REQUIRE_EQ(coverage_new(seed, COVERAGE_CALL_COUNT | COVERAGE_DETAILED, NULL, &b), 0);
	REQUIRE_EQ(coverage_new(seed + 1, COVERAGE_CALL_COUNT | COVERAGE_DETAILED, NULL, &d), 0);
	REQUIRE_EQ(coverage_advance(a, 10000000), 0);
	for (int k = 0; k < 10; k++) {
		REQUIRE_EQ(coverage_advance(b, 999999), 0);
		REQUIRE_EQ(coverage_advance(b, 1), 0);
	}
	REQUIRE_EQ(coverage_advance(d, 10000000), 0);
	char *sa = take_str(a), *sb = take_str(b), *sd = take_str(d);
	REQUIRE_STR_EQ(sa, sb);
	REQUIRE_STR_NE(sa, sd);
	free(sa);
	free(sb);
	free(sd);
	coverage_free(a);
	coverage_free(b);
	coverage_free(d);
}
END_TEST

START_TEST(binary_mode_counts_zero_or_one_and_call_count_counts_calls)
{
	struct coverage *c;
	REQUIRE_EQ(coverage_new(99, 0, NULL, &c), 0);
	REQUIRE_EQ(coverage_advance(c, 60000000), 0);
	char *bin = take_str(c);
	REQUIRE(strstr(bin, "\"count\":1}") != NULL);
	REQUIRE(strstr(bin, "\"count\":2") == NULL);
	REQUIRE(strstr(bin, "\"isBlockCoverage\":true") == NULL);
	free(bin);
	REQUIRE_EQ(coverage_set_flags(c, COVERAGE_CALL_COUNT), 0);
	REQUIRE_EQ(coverage_advance(c, 60000000), 0);
	json_t *a = take(c), *sc, *fn;
	size_t i, j;
	json_int_t most = 0;
	json_array_foreach(a, i, sc)
	{
		json_array_foreach(json_object_get(sc, "functions"), j, fn)
		{
			json_int_t n =
			    rint_(json_array_get(json_object_get(fn, "ranges"), 0), "count");
			most = n > most ? n : most;
		}
	}
	REQUIRE_GT(most, 1);
	json_decref(a);
	coverage_free(c);
}
END_TEST

START_TEST(detailed_mode_reports_nested_blocks)
{
	int seen_blocks = 0;
	for (uint64_t seed = 1; seed <= 10; seed++) {
		struct coverage *c;
		REQUIRE_EQ(coverage_new(seed, COVERAGE_DETAILED | COVERAGE_CALL_COUNT, NULL, &c),
			   0);
		REQUIRE_EQ(coverage_advance(c, 30000000), 0);
		json_t *a = take(c), *sc, *fn;
		size_t i, j;
		json_array_foreach(a, i, sc)
		{
			json_array_foreach(json_object_get(sc, "functions"), j, fn) seen_blocks +=
			    json_array_size(json_object_get(fn, "ranges")) > 1;
		}
		json_decref(a);
		coverage_free(c);
	}
	REQUIRE_GT(seen_blocks, 10);
}
END_TEST

START_TEST(the_exact_bytes_follow_chromes_key_order)
{
	struct coverage *c;
	REQUIRE_EQ(coverage_new(1, 0, NULL, &c), 0);
	const struct scripts *s = coverage_scripts(c);
	REQUIRE_EQ(coverage_advance(c, 5000), 0);
	char *out = take_str(c);
	struct buf want;
	buf_init(&want, 0);
	/* The first script loads at once, so it leads the array. */
	buf_printf(&want,
		   "[{\"scriptId\":\"%s\",\"url\":\"%s\",\"functions\":[{\"functionName\":\"\","
		   "\"ranges\":[{\"startOffset\":0,\"endOffset\":%u,\"count\":1}],"
		   "\"isBlockCoverage\":false}",
		   s->script[0].id, s->script[0].url, (unsigned)s->script[0].length);
	REQUIRE_MSG(strncmp(out, want.data, want.len) == 0, "got %.200s", out);
	buf_clear(&want);
	free(out);
	coverage_free(c);
}
END_TEST

START_TEST(borrowed_scripts_are_used_and_bad_input_is_refused)
{
	struct scripts *s;
	struct coverage *c;
	REQUIRE_EQ(scripts_new(5, &s), 0);
	REQUIRE_EQ(coverage_new(1, 4, s, &c), CDPM_EINVAL);
	REQUIRE(c == NULL);
	REQUIRE_EQ(coverage_new(1, 0, s, &c), 0);
	REQUIRE(coverage_scripts(c) == s);
	REQUIRE_EQ(coverage_set_flags(c, 8), CDPM_EINVAL);
	REQUIRE_EQ(coverage_advance(c, -1), CDPM_EINVAL);
	REQUIRE_EQ(coverage_advance(c, INT64_C(3600000000)), 0);
	json_t *a = take(c);
	check_array(a, s, 0, 0);
	json_decref(a);
	coverage_free(c);
	coverage_free(NULL);
	scripts_free(s);
}
END_TEST

START_TEST(a_failed_take_keeps_the_counters)
{
	struct coverage *c;
	struct buf small;
	REQUIRE_EQ(coverage_new(8, COVERAGE_DETAILED, NULL, &c), 0);
	REQUIRE_EQ(coverage_advance(c, 10000000), 0);
	buf_init(&small, 32);
	buf_adds(&small, "ab");
	REQUIRE_EQ(coverage_take(c, &small), CDPM_ETOOBIG);
	REQUIRE_STR_EQ(small.data, "ab");
	REQUIRE_EQ(coverage_best_effort(c, &small), CDPM_ETOOBIG);
	REQUIRE_EQ(small.len, 2);
	buf_clear(&small);
	char *out = take_str(c);
	REQUIRE(strlen(out) > 2);
	free(out);
	coverage_free(c);
}
END_TEST

Suite *coverage_suite(void)
{
	Suite *s = suite_create("coverage");
	TCase *tc = tcase_create("properties");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, every_take_keeps_the_shape_and_the_delta_rule, 0, SEEDS * 4);
	tcase_add_loop_test(tc, deltas_add_up_to_the_best_effort_counts, 0, 20);
	tcase_add_loop_test(tc, state_depends_on_total_time_not_on_its_split, 0, 10);
	suite_add_tcase(s, tc);
	tc = tcase_create("cases");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, binary_mode_counts_zero_or_one_and_call_count_counts_calls);
	tcase_add_test(tc, detailed_mode_reports_nested_blocks);
	tcase_add_test(tc, the_exact_bytes_follow_chromes_key_order);
	tcase_add_test(tc, borrowed_scripts_are_used_and_bad_input_is_refused);
	tcase_add_test(tc, a_failed_take_keeps_the_counters);
	suite_add_tcase(s, tc);
	return s;
}
