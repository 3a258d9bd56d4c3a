/* test_profile.c - property tests for the Profiler.Profile generator: over
 * many seeds and shapes, the output parses and keeps every invariant of
 * Chrome's format (tree, DFS order, hit counts, deltas, key order), and the
 * same shape gives the same bytes. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"
#include "gen/profile.h"
#include "gen/scripts.h"
#include "require.h"

Suite *profile_suite(void); /* the generated runner's entry point */

#define SEEDS 200

/* Shapes: the sample's 300 ms at 100 µs, Chrome's default interval, short
 * and empty runs, huge node targets with few samples, a target too small
 * for JS, extreme idle. */
static const struct {
	int64_t duration, interval;
	uint32_t nodes, depth, idle;
} shapes[] = {
    {300000, 100, 20, 0, 0},
    {200000, 1000, 0, 0, 0},
    {4000, 1000, 0, 0, 0},
    {500, 1000, 0, 0, 0},
    {0, 0, 0, 0, 0},
    {1000000, 1000, 200, 8, 900},
    {50000, 100, 1000, 3, 100},
    {10000, 1000, 5000, 40, 0},
    {100000, 1000, 3, 0, 0},
    {3300, 1000, 50, 1, 1},
};

static int write_profile(const struct profile_shape *sh, struct buf *b)
{
	buf_init(b, 0);
	return profile_write(sh, b);
}

/* obj's keys are spec in order; a key ending in '?' may be missing. */
static int keys_in_order(json_t *obj, const char *const *spec, size_t n)
{
	size_t k = 0;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		while (k < n) {
			size_t len = strlen(spec[k]);
			int opt = spec[k][len - 1] == '?';
			if (strncmp(key, spec[k], len - (size_t)opt) == 0 &&
			    !key[len - (size_t)opt])
				break;
			if (!opt)
				return 0;
			k++;
		}
		if (k == n)
			return 0;
		k++;
	}
	for (; k < n; k++)
		if (spec[k][strlen(spec[k]) - 1] != '?')
			return 0;
	return 1;
}

static const char *const profile_keys[] = {"nodes", "startTime", "endTime", "samples",
					   "timeDeltas"};
static const char *const node_keys[] = {"id", "callFrame", "hitCount", "children?",
					"positionTicks?"};
static const char *const frame_keys[] = {"functionName", "scriptId", "url", "lineNumber",
					 "columnNumber"};

static int is_synthetic(const char *name)
{
	return !strcmp(name, "(program)") || !strcmp(name, "(idle)") ||
	       !strcmp(name, "(garbage collector)");
}

/* The url the script set gives scriptId, or NULL. */
static const char *script_url(const struct scripts *s, const char *id)
{
	for (size_t i = 0; i < s->nscripts; i++)
		if (!strcmp(s->script[i].id, id))
			return s->script[i].url;
	return NULL;
}

struct tree {
	size_t n;
	json_t **node; /* by id */
	int *parent;   /* by id; 0 for none */
	long *hits;    /* samples naming each id */
	size_t *order; /* ids in array order */
};

static void check_frame(json_t *node, const struct scripts *s, int id)
{
	json_t *cf = json_object_get(node, "callFrame");
	REQUIRE(keys_in_order(cf, frame_keys, 5));
	const char *name = json_string_value(json_object_get(cf, "functionName"));
	const char *sid = json_string_value(json_object_get(cf, "scriptId"));
	const char *url = json_string_value(json_object_get(cf, "url"));
	json_t *line = json_object_get(cf, "lineNumber"),
	       *col = json_object_get(cf, "columnNumber");
	REQUIRE(name && sid && url && json_is_integer(line) && json_is_integer(col));
	if (id == 1 || is_synthetic(name)) {
		REQUIRE_STR_EQ(sid, "0");
		REQUIRE_STR_EQ(url, "");
		REQUIRE_EQ(json_integer_value(line), -1);
		REQUIRE_EQ(json_integer_value(col), -1);
		REQUIRE(json_object_get(node, "positionTicks") == NULL);
		return;
	}
	REQUIRE(sid[0] >= '1' && sid[0] <= '9' && strspn(sid, "0123456789") == strlen(sid));
	const char *want = script_url(s, sid);
	REQUIRE_MSG(want != NULL, "unknown scriptId %s", sid);
	REQUIRE_STR_EQ(url, want);
	REQUIRE_GE(json_integer_value(line), 0);
	REQUIRE_GE(json_integer_value(col), 0);
}

/* positionTicks: 1-based lines, positive ticks summing to hitCount; present
 * exactly when a JS node has hits. */
static void check_ticks(json_t *node)
{
	json_t *pt = json_object_get(node, "positionTicks"), *t;
	json_int_t hits = json_integer_value(json_object_get(node, "hitCount")), sum = 0;
	const char *name =
	    json_string_value(json_object_get(json_object_get(node, "callFrame"), "functionName"));
	size_t i;
	if (json_integer_value(json_object_get(node, "id")) == 1 || is_synthetic(name)) {
		REQUIRE(pt == NULL);
		return;
	}
	REQUIRE((pt != NULL) == (hits > 0));
	if (!pt)
		return;
	REQUIRE(json_array_size(pt) > 0);
	json_array_foreach(pt, i, t)
	{
		REQUIRE(json_object_size(t) == 2);
		json_t *line = json_object_get(t, "line"), *ticks = json_object_get(t, "ticks");
		REQUIRE(json_is_integer(line) && json_is_integer(ticks));
		REQUIRE(!strcmp(json_object_iter_key(json_object_iter(t)), "line"));
		REQUIRE_GE(json_integer_value(line), 1);
		REQUIRE_GE(json_integer_value(ticks), 1);
		sum += json_integer_value(ticks);
	}
	REQUIRE_EQ(sum, hits);
}

/* Ids are 1..n, unique; every child exists and has exactly one parent;
 * the array is the DFS pre-order from node 1. */
static void check_tree(json_t *nodes, struct tree *t, const struct scripts *s)
{
	size_t i, j, n = json_array_size(nodes);
	json_t *node, *c;

	t->n = n;
	t->node = calloc(n + 1, sizeof(*t->node));
	t->parent = calloc(n + 1, sizeof(*t->parent));
	t->hits = calloc(n + 1, sizeof(*t->hits));
	t->order = calloc(n, sizeof(*t->order));
	REQUIRE(n >= 1);
	json_array_foreach(nodes, i, node)
	{
		REQUIRE(keys_in_order(node, node_keys, 5));
		json_int_t id = json_integer_value(json_object_get(node, "id"));
		REQUIRE(json_is_integer(json_object_get(node, "hitCount")));
		REQUIRE_GE(json_integer_value(json_object_get(node, "hitCount")), 0);
		REQUIRE(id >= 1 && (size_t)id <= n && !t->node[id]);
		t->node[id] = node;
		t->order[i] = (size_t)id;
		check_frame(node, s, (int)id);
		check_ticks(node);
	}
	REQUIRE_EQ(t->order[0], 1);
	for (size_t id = 1; id <= n; id++) {
		json_t *ch = json_object_get(t->node[id], "children");
		REQUIRE(ch == NULL || json_array_size(ch) > 0);
		json_array_foreach(ch, j, c)
		{
			json_int_t cid = json_integer_value(c);
			REQUIRE(json_is_integer(c) && cid >= 2 && (size_t)cid <= n);
			REQUIRE_MSG(t->parent[cid] == 0, "node %lld has two parents",
				    (long long)cid);
			t->parent[cid] = (int)id;
		}
	}
	for (size_t id = 2; id <= n; id++)
		REQUIRE_MSG(t->parent[id] != 0, "node %zu is unreachable", id);
	/* Pre-order: each node follows its previous sibling's subtree. */
	size_t *stack = malloc(n * sizeof(*stack)), sp = 0, k = 0;
	stack[sp++] = 1;
	while (sp) {
		size_t id = stack[--sp];
		REQUIRE_EQ(t->order[k], id);
		k++;
		json_t *ch = json_object_get(t->node[id], "children");
		for (j = json_array_size(ch); j-- > 0;)
			stack[sp++] = (size_t)json_integer_value(json_array_get(ch, j));
	}
	REQUIRE_EQ(k, n);
	free(stack);
}

static void tree_free(struct tree *t)
{
	free(t->node);
	free(t->parent);
	free(t->hits);
	free(t->order);
}

static int64_t mean_gap(int64_t interval)
{
	int64_t iv = interval > 0 ? interval : PROFILE_DEFAULT_INTERVAL_US;
	return iv + (iv / 10 > 100 ? iv / 10 : 100);
}

/* Samples name nodes; hitCounts match; every leaf was sampled; deltas are
 * non-negative and span a little less than endTime - startTime. */
static void check_samples(json_t *p, struct tree *t, const struct profile_shape *sh)
{
	json_t *samples = json_object_get(p, "samples"), *deltas = json_object_get(p, "timeDeltas");
	json_t *v;
	size_t i, ns = json_array_size(samples);
	int64_t sum = 0, dur = sh->end_us - sh->start_us;

	REQUIRE(json_is_array(samples) && json_is_array(deltas));
	REQUIRE_EQ(ns, json_array_size(deltas));
	json_array_foreach(samples, i, v)
	{
		json_int_t id = json_integer_value(v);
		REQUIRE(json_is_integer(v) && id >= 1 && (size_t)id <= t->n);
		t->hits[id]++;
	}
	json_array_foreach(deltas, i, v)
	{
		REQUIRE(json_is_integer(v) && json_integer_value(v) >= 0);
		sum += json_integer_value(v);
	}
	for (size_t id = 1; id <= t->n; id++) {
		json_t *node = t->node[id];
		REQUIRE_EQ(json_integer_value(json_object_get(node, "hitCount")), t->hits[id]);
		if (id > 1 && !json_object_get(node, "children"))
			REQUIRE_MSG(t->hits[id] > 0, "leaf %zu has no sample", id);
	}
	REQUIRE_EQ(t->hits[1], 0);
	int64_t m = mean_gap(sh->interval_us);
	int64_t iv = sh->interval_us > 0 ? sh->interval_us : PROFILE_DEFAULT_INTERVAL_US;
	REQUIRE_LE(sum, dur);
	REQUIRE_GE(sum, dur - (dur < iv ? dur / 4 : m / 2));
	if (dur < iv) {
		REQUIRE_EQ(ns, 2);
		REQUIRE_EQ(t->n, 3);
	} else {
		int64_t want = (dur + m / 2) / m;
		REQUIRE_EQ((int64_t)ns, want < 2 ? 2 : want);
	}
	/* Chrome's first samples are (program) and (idle), ids 2 and 3. */
	REQUIRE_EQ(json_integer_value(json_array_get(samples, 0)), 2);
	REQUIRE_EQ(json_integer_value(json_array_get(samples, 1)), 3);
}

static void check_shape(struct tree *t, const struct profile_shape *sh)
{
	uint32_t want = sh->node_count ? sh->node_count : PROFILE_DEFAULT_NODES;
	uint32_t maxd = sh->max_depth ? sh->max_depth : PROFILE_DEFAULT_DEPTH;
	int program = 0, idle = 0;
	REQUIRE_GE(t->n, 3);
	REQUIRE_LE(t->n, want < 3 ? 3 : want);
	for (size_t id = 2; id <= t->n; id++) {
		const char *name = json_string_value(
		    json_object_get(json_object_get(t->node[id], "callFrame"), "functionName"));
		uint32_t d = 0;
		for (size_t x = id; x != 1; x = (size_t)t->parent[x])
			d++;
		if (is_synthetic(name)) {
			REQUIRE_EQ(t->parent[id], 1);
			REQUIRE_EQ(json_object_get(t->node[id], "children") == NULL, 1);
		} else {
			REQUIRE_LE(d, maxd);
		}
		program += !strcmp(name, "(program)");
		idle += !strcmp(name, "(idle)");
	}
	REQUIRE_EQ(program, 1);
	REQUIRE_EQ(idle, 1);
}

/* Parses one output and checks every invariant. */
static void check_profile(const struct buf *b, const struct profile_shape *sh,
			  const struct scripts *s)
{
	json_error_t err;
	json_auto_t *p = json_loadb(b->data, b->len, 0, &err);
	struct tree t;
	REQUIRE_MSG(p != NULL, "parse: %s", err.text);
	REQUIRE(keys_in_order(p, profile_keys, 5));
	REQUIRE(json_is_integer(json_object_get(p, "startTime")));
	REQUIRE_EQ(json_integer_value(json_object_get(p, "startTime")), sh->start_us);
	REQUIRE_EQ(json_integer_value(json_object_get(p, "endTime")), sh->end_us);
	check_tree(json_object_get(p, "nodes"), &t, s);
	check_samples(p, &t, sh);
	check_shape(&t, sh);
	tree_free(&t);
}

static void shape_for(int i, struct profile_shape *sh)
{
	size_t k = (size_t)i % CDPM_ARRAY_LEN(shapes);
	memset(sh, 0, sizeof(*sh));
	sh->seed = (uint64_t)(i / (int)CDPM_ARRAY_LEN(shapes)) * 7919 + 1;
	sh->start_us = 504694608 + i;
	sh->end_us = sh->start_us + shapes[k].duration;
	sh->interval_us = shapes[k].interval;
	sh->node_count = shapes[k].nodes;
	sh->max_depth = shapes[k].depth;
	sh->idle_permille = shapes[k].idle;
}

START_TEST(every_profile_keeps_chromes_invariants)
{
	struct profile_shape sh;
	struct scripts *s;
	struct buf b;
	shape_for(_i, &sh);
	REQUIRE_EQ(scripts_new(sh.seed, &s), 0);
	REQUIRE_EQ(write_profile(&sh, &b), 0);
	check_profile(&b, &sh, s);
	buf_clear(&b);
	scripts_free(s);
}
END_TEST

START_TEST(the_same_shape_gives_the_same_bytes_and_another_seed_others)
{
	struct profile_shape sh;
	struct buf a, b, c;
	shape_for(_i, &sh);
	REQUIRE_EQ(write_profile(&sh, &a), 0);
	REQUIRE_EQ(write_profile(&sh, &b), 0);
	REQUIRE_EQ(a.len, b.len);
	REQUIRE(memcmp(a.data, b.data, a.len) == 0);
	sh.seed++;
	REQUIRE_EQ(write_profile(&sh, &c), 0);
	/* Tiny profiles have no JS: only the deltas can differ, maybe not. */
	if (sh.end_us - sh.start_us >= 4000)
		REQUIRE(a.len != c.len || memcmp(a.data, c.data, a.len) != 0);
	buf_clear(&a);
	buf_clear(&b);
	buf_clear(&c);
}
END_TEST

START_TEST(given_scripts_supply_the_frames)
{
	struct scripts *s;
	struct buf b;
	struct profile_shape sh = {
	    .seed = 5, .start_us = 1000, .end_us = 301000, .interval_us = 100, .node_count = 60};
	REQUIRE_EQ(scripts_new(777, &s), 0);
	sh.scripts = s;
	REQUIRE_EQ(write_profile(&sh, &b), 0);
	check_profile(&b, &sh, s);
	buf_clear(&b);
	scripts_free(s);
}
END_TEST

START_TEST(ids_are_not_in_array_order_like_chrome)
{
	int out_of_order = 0;
	for (uint64_t seed = 1; seed <= 20 && !out_of_order; seed++) {
		struct profile_shape sh = {.seed = seed, .end_us = 300000, .interval_us = 100};
		struct buf b;
		json_error_t err;
		REQUIRE_EQ(write_profile(&sh, &b), 0);
		json_auto_t *p = json_loadb(b.data, b.len, 0, &err);
		json_t *nodes = json_object_get(p, "nodes");
		for (size_t i = 0; i < json_array_size(nodes); i++)
			if (json_integer_value(json_object_get(json_array_get(nodes, i), "id")) !=
			    (json_int_t)i + 1)
				out_of_order = 1;
		buf_clear(&b);
	}
	REQUIRE(out_of_order);
}
END_TEST

START_TEST(an_empty_profile_is_the_root_alone)
{
	struct profile_shape sh = {
	    .seed = 3, .start_us = 505000000, .end_us = 505000120, .empty = true};
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "x");
	REQUIRE_EQ(profile_write(&sh, &b), 0);
	REQUIRE_STR_EQ(b.data,
		       "x{\"nodes\":[{\"id\":1,\"callFrame\":{\"functionName\":\"(root)\","
		       "\"scriptId\":\"0\",\"url\":\"\",\"lineNumber\":-1,\"columnNumber\":-1},"
		       "\"hitCount\":0}],\"startTime\":505000000,\"endTime\":505000120,"
		       "\"samples\":[],\"timeDeltas\":[]}");
	buf_clear(&b);
}
END_TEST

START_TEST(a_start_stop_at_once_gives_program_and_idle)
{
	struct profile_shape sh = {.seed = 9, .start_us = 100, .end_us = 100};
	struct buf b;
	REQUIRE_EQ(write_profile(&sh, &b), 0);
	REQUIRE(strstr(b.data, "\"samples\":[2,3],\"timeDeltas\":[0,0]}") != NULL);
	REQUIRE(strstr(b.data, "\"children\":[2,3]}") != NULL);
	buf_clear(&b);
}
END_TEST

START_TEST(bad_shapes_fail_and_leave_the_buffer_alone)
{
	struct profile_shape sh = {.seed = 1, .start_us = 10, .end_us = 5};
	struct buf b;
	buf_init(&b, 64);
	buf_adds(&b, "keep");
	REQUIRE_EQ(profile_write(&sh, &b), CDPM_EINVAL);
	sh.end_us = 1000000;
	sh.node_count = PROFILE_MAX_NODES + 1;
	REQUIRE_EQ(profile_write(&sh, &b), CDPM_ETOOBIG);
	sh.node_count = 0;
	sh.end_us = INT64_C(20000000000);
	sh.interval_us = 1;
	REQUIRE_EQ(profile_write(&sh, &b), CDPM_ETOOBIG);
	sh.end_us = 1000000;
	sh.interval_us = 0;
	/* The 64-byte cap cannot hold a profile. */
	REQUIRE_EQ(profile_write(&sh, &b), CDPM_ETOOBIG);
	sh.empty = true;
	REQUIRE_EQ(profile_write(&sh, &b), CDPM_ETOOBIG);
	REQUIRE_EQ(b.len, 4);
	REQUIRE_STR_EQ(b.data, "keep");
	buf_clear(&b);
}
END_TEST

static double idle_share(uint32_t permille)
{
	struct profile_shape sh = {.seed = 42, .end_us = 5000000, .idle_permille = permille};
	struct buf b;
	json_error_t err;
	REQUIRE_EQ(write_profile(&sh, &b), 0);
	json_auto_t *p = json_loadb(b.data, b.len, 0, &err);
	json_t *nodes = json_object_get(p, "nodes"), *n;
	size_t i;
	double idle = 0, all = 0;
	json_array_foreach(nodes, i, n)
	{
		double h = (double)json_integer_value(json_object_get(n, "hitCount"));
		const char *name = json_string_value(
		    json_object_get(json_object_get(n, "callFrame"), "functionName"));
		all += h;
		if (!strcmp(name, "(idle)"))
			idle += h;
	}
	buf_clear(&b);
	return idle / all;
}

START_TEST(the_idle_knob_sets_the_idle_share)
{
	REQUIRE(idle_share(900) > 0.7);
	REQUIRE(idle_share(20) < 0.1);
	double d = idle_share(0);
	REQUIRE(d > 0.15 && d < 0.45);
}
END_TEST

/* How long this takes is a benchmark's question (tests/bench/bench_profile.c,
 * `make bench`), not a test's: a loaded machine would make it flaky. */
START_TEST(a_hundred_thousand_samples_reach_the_node_target)
{
	struct profile_shape sh = {.seed = 11,
				   .start_us = 504000000,
				   .end_us = 614000000,
				   .node_count = 5000,
				   .max_depth = 30};
	struct buf b;
	buf_init(&b, 0);
	REQUIRE_EQ(profile_write(&sh, &b), 0);
	json_error_t err;
	json_auto_t *p = json_loadb(b.data, b.len, 0, &err);
	REQUIRE_EQ(json_array_size(json_object_get(p, "samples")), 100000);
	/* Enough samples and depth: the node target is met exactly. */
	REQUIRE_EQ(json_array_size(json_object_get(p, "nodes")), 5000);
	buf_clear(&b);
}
END_TEST

Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("properties");
	int n = SEEDS * (int)CDPM_ARRAY_LEN(shapes);
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, every_profile_keeps_chromes_invariants, 0, n);
	tcase_add_loop_test(tc, the_same_shape_gives_the_same_bytes_and_another_seed_others, 0,
			    (int)CDPM_ARRAY_LEN(shapes) * 10);
	suite_add_tcase(s, tc);
	tc = tcase_create("cases");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, given_scripts_supply_the_frames);
	tcase_add_test(tc, ids_are_not_in_array_order_like_chrome);
	tcase_add_test(tc, an_empty_profile_is_the_root_alone);
	tcase_add_test(tc, a_start_stop_at_once_gives_program_and_idle);
	tcase_add_test(tc, bad_shapes_fail_and_leave_the_buffer_alone);
	tcase_add_test(tc, the_idle_knob_sets_the_idle_share);
	tcase_add_test(tc, a_hundred_thousand_samples_reach_the_node_target);
	suite_add_tcase(s, tc);
	return s;
}
