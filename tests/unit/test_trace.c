/* test_trace.c - the trace generator (server/gen/trace*.c): valid Chrome
 * trace-event JSON, the category filter, the phase mix, determinism,
 * seeking, extras and the record-mode emulation. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"
#include "gen/trace.h"
#include "gen/tracecat.h"
#include "gen/tracetpl.h"

#define START_US INT64_C(585031000)

/* For hot loops: Check's ck_assert_* records every passing check (a
 * write per call), which makes per-byte or per-event checks crawl under
 * valgrind; REQUIRE only calls into Check on failure. */
#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg("%s:%d: failed: %s", __FILE__, __LINE__, #cond);              \
	} while (0)
#define REQUIRE_MSG(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

static struct trace_params params(uint64_t seed, int64_t dur_us)
{
	struct trace_params p;
	memset(&p, 0, sizeof(p));
	p.seed = seed;
	p.start_us = START_US;
	p.duration_us = dur_us;
	return p;
}

/* All events, one per entry: the JSON of event i is at off[i]..off[i+1]. */
struct evlist {
	struct buf text;
	size_t *off;
	size_t n;
};

static void evlist_fill(struct evlist *l, struct trace_gen *g)
{
	size_t cap = 1024, n;
	buf_init(&l->text, 0);
	l->off = malloc(cap * sizeof(*l->off));
	l->n = 0;
	l->off[0] = 0;
	for (;;) {
		REQUIRE(trace_gen_next(g, &l->text, SIZE_MAX, 1, &n) == 0);
		if (!n)
			break;
		REQUIRE(n == 1);
		if (l->n + 2 > cap) {
			cap *= 2;
			l->off = realloc(l->off, cap * sizeof(*l->off));
		}
		l->off[++l->n] = l->text.len;
	}
}

static void evlist_clear(struct evlist *l)
{
	buf_clear(&l->text);
	free(l->off);
}

/* The whole trace as one JSON array. */
static json_t *parse_all(struct trace_gen *g, struct buf *raw)
{
	size_t n, total = 0;
	json_error_t err;
	json_t *a;

	buf_init(raw, 0);
	buf_addc(raw, '[');
	for (;;) {
		size_t mark = raw->len;
		if (total)
			buf_addc(raw, ',');
		ck_assert_int_eq(trace_gen_next(g, raw, 65536, 500, &n), 0);
		if (!n) {
			raw->len = mark;
			break;
		}
		ck_assert_uint_le(n, 500);
		total += n;
	}
	buf_addc(raw, ']');
	a = json_loadb(raw->data, raw->len, 0, &err);
	ck_assert_msg(a != NULL, "invalid JSON: %s at %d", err.text, err.position);
	ck_assert_uint_eq(json_array_size(a), total);
	ck_assert_uint_eq(total, trace_gen_count(g));
	return a;
}

static int only_ints(json_t *v)
{
	size_t i;
	const char *k;
	json_t *x;

	if (json_is_real(v))
		return 0;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) if (!only_ints(x)) return 0;
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, x) if (!only_ints(x)) return 0;
	}
	return 1;
}

static int keys_sorted(json_t *o)
{
	const char *k, *prev = NULL;
	json_t *x;

	json_object_foreach(o, k, x)
	{
		if (prev && strcmp(prev, k) >= 0)
			return 0;
		if (json_is_object(x) && !keys_sorted(x))
			return 0;
		prev = k;
	}
	return 1;
}

/* docs/chrome.md §9.1: the key sets of each phase. */
static const struct {
	char ph;
	const char *required, *optional;
} key_sets[] = {
    {'X', "args cat dur name ph pid tid ts", "tdur tts"},
    {'I', "args cat name ph pid s tid ts", "tts"},
    {'R', "args cat name ph pid s tid ts", "tts"},
    {'s', "args cat id name ph pid tid ts", "tts"},
    {'f', "args bp cat id name ph pid tid ts", "tts"},
    {'b', "args cat id2 name ph pid tid ts", ""},
    {'e', "args cat id2 name ph pid tid ts", ""},
    {'n', "args cat id name ph pid tid ts", ""},
    {'B', "args cat name ph pid tid ts", "tts"},
    {'C', "args cat name ph pid tid ts", ""},
    {'M', "args cat name ph pid tid ts", ""},
    {'c', "args cat name ph pid tid ts tts", ""},
    {'v', "args cat id name ph pid tid ts", ""},
};

static int word_in(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static void check_keys(json_t *ev)
{
	const char *ph = json_string_value(json_object_get(ev, "ph")), *k;
	json_t *x;
	size_t i, required = 0;

	REQUIRE(ph != NULL);
	for (i = 0; i < CDPM_ARRAY_LEN(key_sets); i++)
		if (key_sets[i].ph == ph[0])
			break;
	REQUIRE_MSG(i < CDPM_ARRAY_LEN(key_sets), "unexpected phase %s", ph);
	json_object_foreach(ev, k, x)
	{
		int req = word_in(key_sets[i].required, k);
		REQUIRE_MSG(req || word_in(key_sets[i].optional, k), "key %s in ph %s", k, ph);
		required += (size_t)req;
	}
	for (const char *p = key_sets[i].required; *p; p++)
		required -= *p == ' ';
	REQUIRE_MSG(required == 1, "missing keys in ph %s", ph);
	REQUIRE(json_is_object(json_object_get(ev, "args")));
}

START_TEST(default_catalogue_weights_match_chromes_phase_counts)
{
	static const uint64_t want[TPL_KINDS] = {
	    [TPL_X] = 14390, [TPL_I] = 2646, [TPL_R] = 24, [TPL_FLOW] = 2437, [TPL_ASYNC] = 465,
	    [TPL_OPEN] = 7,  [TPL_N] = 165,  [TPL_B] = 56, [TPL_C] = 3};
	uint64_t got[TPL_KINDS] = {0};
	struct tracecat none;

	tracecat_init(&none, NULL, 0, NULL, 0);
	for (size_t i = 0; i < tracetpl_count; i++)
		if (tracecat_enabled(&none, tracetpl_table[i].cat))
			got[tracetpl_table[i].kind] += tracetpl_table[i].weight;
	for (int k = 0; k < TPL_KINDS; k++)
		ck_assert_uint_eq(got[k], want[k]);
}
END_TEST

static const char *const puppeteer_incl[] = {"devtools.timeline",
					     "v8.execute",
					     "disabled-by-default-devtools.timeline",
					     "disabled-by-default-devtools.timeline.frame",
					     "toplevel",
					     "blink.console",
					     "blink.user_timing",
					     "latencyInfo",
					     "disabled-by-default-devtools.timeline.stack",
					     "disabled-by-default-v8.cpu_profiler"};

static const struct {
	const char *incl[3], *excl[3];
	const char *group;
	int want;
} cat_cases[] = {
    {{NULL}, {NULL}, "toplevel", 1},
    {{NULL}, {NULL}, "disabled-by-default-devtools.timeline", 0},
    {{NULL}, {NULL}, "__metadata", 1},
    {{"devtools.timeline"}, {NULL}, "toplevel", 0},
    {{"devtools.timeline"}, {NULL}, "devtools.timeline", 1},
    {{"devtools.timeline"}, {NULL}, "loading,rail,devtools.timeline", 1},
    {{"devtools.timeline"}, {NULL}, "__metadata", 1},
    {{"*"}, {NULL}, "disabled-by-default-memory-infra", 0},
    {{"*"}, {NULL}, "cc", 1},
    {{"disabled-by-default-*"}, {NULL}, "disabled-by-default-v8.gc", 1},
    /* Only disabled-by-default includes: the default set stays on. */
    {{"disabled-by-default-memory-infra"}, {NULL}, "toplevel", 1},
    {{"v8*"}, {"v8.execute"}, "v8", 1},
    {{"v8*"}, {"v8.execute"}, "v8.execute", 0},
    {{"v8.execute"}, {"v8*"}, "v8.execute", 1},
    {{"v8.execute"}, {"v8*"}, "v8", 0},
    {{NULL}, {"toplevel"}, "toplevel", 0},
    {{NULL}, {"toplevel"}, "toplevel,mojom", 1},
    {{NULL}, {"toplevel", "mojom"}, "toplevel,mojom", 0},
    {{NULL}, {"*"}, "toplevel", 0},
    {{NULL}, {"*"}, "__metadata", 1},
    /* A wildcard exclude loses to the "*" Chrome adds without includes. */
    {{NULL}, {"v8*"}, "v8", 1},
    {{"v?"}, {NULL}, "v8", 1},
    {{"*line"}, {NULL}, "devtools.timeline", 1},
};

START_TEST(category_filter_follows_chromes_rules)
{
	const char *const *incl = cat_cases[_i].incl, *const *excl = cat_cases[_i].excl;
	size_t ni = 0, ne = 0;
	struct tracecat f;

	while (ni < 3 && incl[ni])
		ni++;
	while (ne < 3 && excl[ne])
		ne++;
	tracecat_init(&f, incl, ni, excl, ne);
	ck_assert_msg(tracecat_enabled(&f, cat_cases[_i].group) == cat_cases[_i].want,
		      "case %d: %s", _i, cat_cases[_i].group);
}
END_TEST

START_TEST(puppeteer_categories_beat_its_exclude_star)
{
	const char *excl[] = {"*"};
	struct tracecat f;

	tracecat_init(&f, puppeteer_incl, CDPM_ARRAY_LEN(puppeteer_incl), excl, 1);
	ck_assert(tracecat_enabled(&f, "toplevel"));
	ck_assert(tracecat_enabled(&f, "disabled-by-default-devtools.timeline.frame"));
	ck_assert(tracecat_enabled(&f, "cc,benchmark,disabled-by-default-devtools.timeline.frame"));
	ck_assert(!tracecat_enabled(&f, "cc"));
	ck_assert(!tracecat_enabled(&f, "disabled-by-default-memory-infra"));
}
END_TEST

START_TEST(default_trace_is_valid_chrome_json)
{
	struct trace_params p = params(1, 1500000);
	struct trace_gen *g = trace_gen_new(&p);
	struct buf raw;
	json_t *a, *ev;
	size_t i, n_meta = 0, counts[128] = {0};
	int seen_non_meta = 0;

	ck_assert_ptr_nonnull(g);
	a = parse_all(g, &raw);
	for (i = 0; i < raw.len; i++)
		REQUIRE_MSG((unsigned char)raw.data[i] < 0x80, "non-ASCII byte at %zu", i);
	/* A user-timing mark with an astral name, as a surrogate pair. */
	ck_assert_ptr_nonnull(strstr(raw.data, "\"\\uD83D\\uDE80 hydrated\""));
	ck_assert_ptr_nonnull(strstr(raw.data, "\"mark-caf\\u00E9\""));
	ev = json_array_get(a, 0);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "name")), "thread_name");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "args"), "name")),
			 "swapper");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "pid")), 0);
	json_array_foreach(a, i, ev)
	{
		const char *ph = json_string_value(json_object_get(ev, "ph"));
		json_int_t ts = json_integer_value(json_object_get(ev, "ts"));
		check_keys(ev);
		REQUIRE_MSG(keys_sorted(ev), "unsorted keys in event %zu", i);
		REQUIRE_MSG(only_ints(ev), "a non-integer number in event %zu", i);
		counts[(unsigned char)ph[0]]++;
		if (ph[0] == 'M') {
			REQUIRE_MSG(!seen_non_meta, "metadata after other events");
			REQUIRE(
			    !strcmp(json_string_value(json_object_get(ev, "cat")), "__metadata"));
			REQUIRE(ts == 0);
			n_meta++;
		} else {
			seen_non_meta = 1;
			REQUIRE(ts >= START_US && ts <= START_US + 1500000 + 30000);
		}
	}
	ck_assert_uint_gt(n_meta, 20);
	/* Chrome's mix for ~23k events, within sampling noise. */
	size_t total = json_array_size(a);
	ck_assert_uint_gt(total, 22000);
	ck_assert_uint_lt(total, 24500);
	ck_assert_uint_gt(counts['X'], 14390 * 95 / 100);
	ck_assert_uint_lt(counts['X'], 14390 * 105 / 100);
	ck_assert_uint_gt(counts['I'], 2646 * 85 / 100);
	ck_assert_uint_gt(counts['s'], 2437 * 85 / 100);
	ck_assert_uint_gt(counts['f'], 2437 * 85 / 100);
	ck_assert_uint_le(counts['f'], counts['s']);
	ck_assert_uint_gt(counts['b'], 300);
	ck_assert_uint_le(counts['e'], counts['b']);
	ck_assert_uint_gt(counts['n'], 80);
	ck_assert_uint_gt(counts['B'], 20);
	ck_assert_uint_gt(counts['R'], 5);
	ck_assert_uint_lt(counts['C'], 30);
	ck_assert_uint_eq(counts['v'], 0);
	json_decref(a);
	buf_clear(&raw);
	trace_gen_free(g);
}
END_TEST

START_TEST(flows_and_async_slices_pair_up_in_time_order)
{
	struct trace_params p = params(3, 300000);
	struct trace_gen *g = trace_gen_new(&p);
	struct buf raw;
	json_t *a = parse_all(g, &raw), *ev, *starts = json_object();
	size_t i, ends = 0;
	char key[64];

	json_array_foreach(a, i, ev)
	{
		const char *ph = json_string_value(json_object_get(ev, "ph"));
		json_int_t ts = json_integer_value(json_object_get(ev, "ts"));
		if (ph[0] == 's' || ph[0] == 'b') {
			json_t *id = json_object_get(ev, ph[0] == 's' ? "id" : "id2");
			char *s = json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY);
			snprintf(key, sizeof(key), "%c%s", ph[0], s);
			free(s);
			REQUIRE_MSG(json_object_get(starts, key) == NULL, "dup %s at %zu", key, i);
			json_object_set_new(starts, key, json_integer(ts));
		} else if (ph[0] == 'f' || ph[0] == 'e') {
			json_t *id = json_object_get(ev, ph[0] == 'f' ? "id" : "id2");
			char *s = json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY);
			snprintf(key, sizeof(key), "%c%s", ph[0] == 'f' ? 's' : 'b', s);
			free(s);
			json_t *st = json_object_get(starts, key);
			REQUIRE_MSG(st != NULL, "%s ends before it starts", key);
			REQUIRE(json_integer_value(st) <= ts);
			if (ph[0] == 'f')
				REQUIRE(!strcmp(json_string_value(json_object_get(ev, "bp")), "e"));
			ends++;
		}
	}
	ck_assert_uint_gt(ends, 100);
	json_decref(starts);
	json_decref(a);
	buf_clear(&raw);
	trace_gen_free(g);
}
END_TEST

START_TEST(timestamps_are_monotone_within_threads)
{
	struct trace_params p = params(4, 200000);
	struct trace_gen *g;
	struct trace_ev ev;
	json_t *last = json_object();
	int64_t slack;
	char key[32];

	p.n_events = 20000;
	g = trace_gen_new(&p);
	slack = p.duration_us / (int64_t)p.n_events + 1; /* sub-step jitter */
	while (trace_gen_next_ev(g, &ev)) {
		if (ev.ph == 'M')
			continue;
		snprintf(key, sizeof(key), "%d/%d", ev.pid, ev.tid);
		json_t *prev = json_object_get(last, key);
		if (prev)
			REQUIRE(ev.ts + slack >= json_integer_value(prev));
		json_object_set_new(last, key, json_integer(ev.ts));
		if (ev.tts >= 0)
			REQUIRE(ev.tdur <= ev.dur);
	}
	json_decref(last);
	trace_gen_free(g);
}
END_TEST

START_TEST(same_seed_same_bytes_other_seed_other_bytes)
{
	struct trace_params p = params(99, 200000);
	struct trace_gen *a = trace_gen_new(&p), *b = trace_gen_new(&p), *c;
	struct evlist la, lb, lc;

	p.seed = 100;
	c = trace_gen_new(&p);
	evlist_fill(&la, a);
	evlist_fill(&lb, b);
	evlist_fill(&lc, c);
	ck_assert_uint_eq(la.text.len, lb.text.len);
	ck_assert_mem_eq(la.text.data, lb.text.data, la.text.len);
	ck_assert(la.text.len != lc.text.len || memcmp(la.text.data, lc.text.data, la.text.len));
	evlist_clear(&la);
	evlist_clear(&lb);
	evlist_clear(&lc);
	trace_gen_free(a);
	trace_gen_free(b);
	trace_gen_free(c);
}
END_TEST

START_TEST(seek_and_skip_equal_generate_and_discard)
{
	struct trace_params p = params(5, 400000);
	struct trace_sync syncs[] = {{"a", START_US + 1000}, {"b", START_US + 200000}};
	struct trace_dump dumps[] = {{START_US + 100000, 0x1f, TRACE_DUMP_DETAILED}};
	const char *incl[] = {"toplevel", "disabled-by-default-memory-infra", "blink.user_timing"};
	struct trace_gen *full, *g;
	struct evlist l;
	struct buf b;
	uint64_t r = 12345;

	p.syncs = syncs;
	p.n_syncs = 2;
	p.dumps = dumps;
	p.n_dumps = 1;
	p.periodic_dump_ms = 50;
	p.included = incl;
	p.n_included = 3;
	full = trace_gen_new(&p);
	g = trace_gen_new(&p);
	ck_assert_ptr_nonnull(full);
	evlist_fill(&l, full);
	ck_assert_uint_eq(l.n, trace_gen_count(full));
	buf_init(&b, 0);
	for (int k = 0; k < 300; k++) {
		size_t idx, want = 1 + (size_t)(r >> 60), n;
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		idx = k < 3 ? (size_t)k * trace_gen_head_count(g) : (size_t)((r >> 33) % (l.n + 2));
		if (k % 2)
			trace_gen_seek(g, idx);
		else {
			trace_gen_seek(g, 0);
			trace_gen_skip(g, idx);
		}
		buf_reset(&b);
		ck_assert_int_eq(trace_gen_next(g, &b, SIZE_MAX, want, &n), 0);
		if (idx >= l.n) {
			ck_assert_uint_eq(n, 0);
			continue;
		}
		size_t end = idx + want < l.n ? idx + want : l.n;
		ck_assert_uint_eq(n, end - idx);
		/* Same bytes, with ',' where the list had event boundaries. */
		ck_assert_uint_eq(b.len, l.off[end] - l.off[idx] + (n - 1));
		size_t at = 0;
		for (size_t e = idx; e < end; e++) {
			size_t len = l.off[e + 1] - l.off[e];
			REQUIRE(memcmp(b.data + at, l.text.data + l.off[e], len) == 0);
			at += len + 1;
		}
	}
	ck_assert_ptr_nonnull(strstr(l.text.data, "\"ph\":\"v\""));
	ck_assert_ptr_nonnull(strstr(l.text.data, "\"sync_id\":\"b\""));
	buf_clear(&b);
	evlist_clear(&l);
	trace_gen_free(full);
	trace_gen_free(g);
}
END_TEST

START_TEST(batches_respect_byte_and_event_limits)
{
	struct trace_params p = params(6, 300000);
	struct trace_gen *g = trace_gen_new(&p);
	struct buf b;
	size_t n, total = 0, batches = 0;

	buf_init(&b, 0);
	ck_assert_int_eq(trace_gen_next(g, &b, 1, 100, &n), 0);
	ck_assert_uint_eq(n, 1); /* one event even when it alone is too big */
	total += n;
	for (;;) {
		buf_reset(&b);
		ck_assert_int_eq(trace_gen_next(g, &b, 16384, 37, &n), 0);
		if (!n)
			break;
		ck_assert_uint_le(n, 37);
		ck_assert(n == 1 || b.len <= 16384);
		ck_assert_uint_eq(strlen(b.data), b.len);
		ck_assert(b.data[0] == '{' && b.data[b.len - 1] == '}');
		total += n;
		batches++;
	}
	ck_assert_uint_eq(total, trace_gen_count(g));
	ck_assert_uint_gt(batches, 10);
	buf_clear(&b);
	trace_gen_free(g);
}
END_TEST

/* A batch built in a buffer reserved with trace_gen_next_room() never
 * moves it: the tracing domain relies on that to send blocks of the
 * message's size instead of doubled ones. */
START_TEST(a_batch_fits_the_room_it_asks_for)
{
	struct trace_params p = params(6, 300000);
	struct trace_gen *g = trace_gen_new(&p);
	struct buf b;
	size_t n, batches = 0;

	buf_init(&b, 0);
	for (;;) {
		buf_reset(&b);
		ck_assert_int_eq(buf_reserve(&b, trace_gen_next_room(g, 65536, 1)), 0);
		size_t alloc = b.alloc;
		ck_assert_int_eq(trace_gen_next(g, &b, 65536, SIZE_MAX, &n), 0);
		if (!n)
			break;
		if (batches++ > 2) /* past the metadata head */
			ck_assert_uint_eq(b.alloc, alloc);
	}
	ck_assert_uint_gt(batches, 10);
	buf_clear(&b);
	trace_gen_free(g);
}
END_TEST

static json_t *trace_json(struct trace_params *p, struct buf *raw)
{
	struct trace_gen *g = trace_gen_new(p);
	ck_assert_ptr_nonnull(g);
	json_t *a = parse_all(g, raw);
	trace_gen_free(g);
	return a;
}

START_TEST(included_categories_limit_events)
{
	const char *incl[] = {"devtools.timeline"};
	struct trace_params p = params(7, 1500000);
	struct buf raw;
	json_t *a, *ev;
	size_t i, body = 0;

	p.included = incl;
	p.n_included = 1;
	a = trace_json(&p, &raw);
	json_array_foreach(a, i, ev)
	{
		const char *cat = json_string_value(json_object_get(ev, "cat"));
		if (!strcmp(cat, "__metadata"))
			continue;
		REQUIRE_MSG(strstr(cat, "devtools.timeline") != NULL, "cat %s", cat);
		REQUIRE_MSG(!strstr(cat, "disabled-by-default"), "cat %s", cat);
		body++;
	}
	/* Chrome: one small frame of 25-73 events for this filter. */
	ck_assert_uint_gt(body, 30);
	ck_assert_uint_lt(body, 150);
	ck_assert_ptr_null(strstr(raw.data, "TracingStartedInBrowser"));
	json_decref(a);
	buf_clear(&raw);
}
END_TEST

START_TEST(excluded_category_disappears)
{
	const char *excl[] = {"toplevel", "sequence_manager"};
	struct trace_params p = params(8, 300000);
	struct buf raw;
	json_t *a, *ev;
	size_t i;

	p.excluded = excl;
	p.n_excluded = 2;
	a = trace_json(&p, &raw);
	json_array_foreach(a, i, ev)
	{
		const char *cat = json_string_value(json_object_get(ev, "cat"));
		REQUIRE(strcmp(cat, "toplevel") && strcmp(cat, "sequence_manager"));
	}
	ck_assert_ptr_nonnull(strstr(raw.data, "\"cat\":\"toplevel,mojom\""));
	json_decref(a);
	buf_clear(&raw);
}
END_TEST

START_TEST(timeline_category_adds_tracing_started_in_browser)
{
	struct trace_params p = params(9, 100000);
	struct buf raw;
	json_t *a, *ev, *data = NULL;
	size_t i;

	p.included = puppeteer_incl;
	p.n_included = CDPM_ARRAY_LEN(puppeteer_incl);
	p.frame_id = "0123456789ABCDEF0123456789ABCDEF";
	p.page_url = "https://example.com/\xc3\xa9t\xc3\xa9";
	a = trace_json(&p, &raw);
	json_array_foreach(a, i, ev) if (!strcmp(json_string_value(json_object_get(ev, "name")),
						 "TracingStartedInBrowser"))
	{
		ck_assert_str_eq(json_string_value(json_object_get(ev, "cat")),
				 "disabled-by-default-devtools.timeline");
		data = json_object_get(json_object_get(ev, "args"), "data");
		break;
	}
	ck_assert_ptr_nonnull(data);
	ck_assert(json_is_true(json_object_get(data, "persistentIds")));
	json_t *fr = json_array_get(json_object_get(data, "frames"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(fr, "frame")),
			 "0123456789ABCDEF0123456789ABCDEF");
	ck_assert_str_eq(json_string_value(json_object_get(fr, "url")),
			 "https://example.com/\xc3\xa9t\xc3\xa9");
	ck_assert(json_integer_value(json_object_get(fr, "processId")) > 0);
	json_decref(a);
	buf_clear(&raw);
}
END_TEST

START_TEST(page_only_trace_keeps_browser_gpu_and_page)
{
	struct trace_params p = params(10, 300000);
	struct buf raw;
	json_t *a, *ev, *pids = json_object();
	size_t i, names = 0;
	char key[16];

	p.page_only = 1;
	a = trace_json(&p, &raw);
	json_array_foreach(
	    a, i, ev) if (!strcmp(json_string_value(json_object_get(ev, "name")), "process_name"))
	{
		const char *nm =
		    json_string_value(json_object_get(json_object_get(ev, "args"), "name"));
		ck_assert(!strcmp(nm, "Browser") || !strcmp(nm, "GPU Process") ||
			  !strcmp(nm, "Renderer"));
		snprintf(key, sizeof(key), "%lld", json_integer_value(json_object_get(ev, "pid")));
		json_object_set_new(pids, key, json_true());
		names++;
	}
	ck_assert_uint_eq(names, 3);
	/* Fewer processes, fewer events. */
	struct trace_params q = params(10, 300000);
	struct trace_gen *full = trace_gen_new(&q);
	ck_assert_uint_lt(json_array_size(a), trace_gen_count(full) * 7 / 10);
	trace_gen_free(full);
	json_object_set_new(pids, "0", json_true());
	json_array_foreach(a, i, ev)
	{
		snprintf(key, sizeof(key), "%lld", json_integer_value(json_object_get(ev, "pid")));
		REQUIRE_MSG(json_object_get(pids, key) != NULL, "foreign pid %s", key);
	}
	json_decref(pids);
	json_decref(a);
	buf_clear(&raw);
}
END_TEST

START_TEST(clock_syncs_and_memory_dumps_land_in_time_order)
{
	const char *incl[] = {"toplevel", "disabled-by-default-memory-infra"};
	struct trace_sync syncs[] = {{"sync-2", START_US + 150000}, {"sync-1", START_US + 50000}};
	struct trace_dump dumps[] = {{START_US + 100000, 0x1f, TRACE_DUMP_LIGHT}};
	struct trace_params p = params(11, 200000);
	struct buf raw;
	json_t *a, *ev;
	size_t i, v = 0, c = 0;
	json_int_t prev_ts = 0;

	p.included = incl;
	p.n_included = 2;
	p.syncs = syncs;
	p.n_syncs = 2;
	p.dumps = dumps;
	p.n_dumps = 1;
	a = trace_json(&p, &raw);
	json_array_foreach(a, i, ev)
	{
		const char *ph = json_string_value(json_object_get(ev, "ph"));
		json_int_t ts = json_integer_value(json_object_get(ev, "ts"));
		if (ph[0] == 'c') {
			const char *id = json_string_value(
			    json_object_get(json_object_get(ev, "args"), "sync_id"));
			ck_assert_str_eq(id, c == 0 ? "sync-1" : "sync-2");
			ck_assert_int_eq(ts, c == 0 ? START_US + 50000 : START_US + 150000);
			ck_assert_int_le(prev_ts, ts);
			c++;
		} else if (ph[0] == 'v') {
			ck_assert_str_eq(json_string_value(json_object_get(ev, "id")), "0x1f");
			ck_assert_str_eq(json_string_value(json_object_get(ev, "name")),
					 "explicitly_triggered");
			json_t *d = json_object_get(json_object_get(ev, "args"), "dumps");
			ck_assert_str_eq(json_string_value(json_object_get(d, "level_of_detail")),
					 "light");
			ck_assert(json_is_object(json_object_get(d, "process_totals")));
			v++;
		}
		if (ph[0] != 'M')
			prev_ts = ts;
	}
	ck_assert_uint_eq(c, 2);
	ck_assert_uint_gt(v, 5); /* one per process */
	json_decref(a);
	buf_clear(&raw);

	/* Without memory-infra there are no dumps, and requestMemoryDump can
	 * tell from trace_gen_cat_enabled(). */
	p.n_included = 1;
	struct trace_gen *g = trace_gen_new(&p);
	ck_assert(!trace_gen_cat_enabled(g, "disabled-by-default-memory-infra"));
	a = parse_all(g, &raw);
	ck_assert_ptr_null(strstr(raw.data, "\"ph\":\"v\""));
	ck_assert_ptr_nonnull(strstr(raw.data, "\"ph\":\"c\""));
	json_decref(a);
	buf_clear(&raw);
	trace_gen_free(g);
}
END_TEST

START_TEST(structured_events_match_the_json)
{
	struct trace_params p = params(12, 100000);
	struct trace_gen *g = trace_gen_new(&p), *h = trace_gen_new(&p);
	struct buf raw;
	json_t *a = parse_all(g, &raw), *ev;
	struct trace_ev te;
	size_t i;

	json_array_foreach(a, i, ev)
	{
		REQUIRE(trace_gen_next_ev(h, &te));
		REQUIRE(te.ph == json_string_value(json_object_get(ev, "ph"))[0]);
		REQUIRE(te.pid == json_integer_value(json_object_get(ev, "pid")));
		REQUIRE(te.tid == json_integer_value(json_object_get(ev, "tid")));
		REQUIRE(te.ph == 'M' || te.ts == json_integer_value(json_object_get(ev, "ts")));
		REQUIRE(!strcmp(te.name, json_string_value(json_object_get(ev, "name"))));
		REQUIRE(!strcmp(te.cat, json_string_value(json_object_get(ev, "cat"))));
		REQUIRE(te.name_iid <= trace_gen_max_iid(h) && te.cat_iid <= trace_gen_max_iid(h));
		REQUIRE(te.ph != 'X' || te.dur == json_integer_value(json_object_get(ev, "dur")));
	}
	ck_assert(!trace_gen_next_ev(h, &te));
	json_decref(a);
	buf_clear(&raw);
	trace_gen_free(g);
	trace_gen_free(h);
}
END_TEST

START_TEST(measure_counts_json_bytes)
{
	struct trace_params p = params(13, 100000);
	struct trace_gen *g = trace_gen_new(&p);
	struct evlist l;
	uint64_t bytes;

	evlist_fill(&l, g);
	ck_assert_int_eq(trace_gen_measure(g, 0, l.n, &bytes), 0);
	ck_assert_uint_eq(bytes, l.text.len);
	ck_assert_int_eq(trace_gen_measure(g, 10, 100, &bytes), 0);
	ck_assert_uint_eq(bytes, l.off[110] - l.off[10]);
	ck_assert_uint_eq(trace_gen_tell(g), l.n); /* position kept */
	evlist_clear(&l);
	trace_gen_free(g);
}
END_TEST

START_TEST(record_until_full_keeps_the_oldest_events)
{
	struct trace_params p = params(14, 600000);
	struct trace_gen *full = trace_gen_new(&p), *g;
	struct trace_loss loss;
	struct evlist lf, lg;

	p.buffer_kb = 64;
	g = trace_gen_new(&p);
	trace_gen_loss(g, &loss);
	ck_assert(loss.data_loss);
	ck_assert_uint_eq(loss.kept, trace_gen_count(g));
	ck_assert_uint_eq(loss.kept + loss.dropped, trace_gen_count(full));
	/* Chrome: a 64 KB buffer delivered 663 events. */
	ck_assert_uint_gt(loss.kept, 450);
	ck_assert_uint_lt(loss.kept, 900);
	ck_assert(loss.percent_full > 0.9 && loss.percent_full <= 1.0);
	evlist_fill(&lf, full);
	evlist_fill(&lg, g);
	ck_assert_mem_eq(lg.text.data, lf.text.data, lg.text.len);
	evlist_clear(&lf);
	evlist_clear(&lg);
	trace_gen_free(full);
	trace_gen_free(g);
}
END_TEST

START_TEST(record_continuously_keeps_the_newest_events)
{
	struct trace_params p = params(15, 600000);
	struct trace_gen *full = trace_gen_new(&p), *g;
	struct trace_loss loss;
	struct evlist lf, lg;
	size_t head;

	p.buffer_kb = 100;
	p.record_mode = TRACE_RECORD_CONTINUOUSLY;
	g = trace_gen_new(&p);
	trace_gen_loss(g, &loss);
	ck_assert(loss.data_loss);
	evlist_fill(&lf, full);
	evlist_fill(&lg, g);
	head = trace_gen_head_count(g);
	ck_assert_uint_eq(head, trace_gen_head_count(full));
	ck_assert_mem_eq(lg.text.data, lf.text.data, lg.off[head]); /* metadata kept */
	size_t tail = lg.text.len - lg.off[head];
	ck_assert_mem_eq(lg.text.data + lg.off[head], lf.text.data + lf.text.len - tail, tail);
	ck_assert_uint_lt(lg.n, lf.n);
	evlist_clear(&lf);
	evlist_clear(&lg);
	trace_gen_free(full);
	trace_gen_free(g);
}
END_TEST

START_TEST(large_buffer_loses_nothing)
{
	struct trace_params p = params(16, 300000);
	struct trace_gen *g;
	struct trace_loss loss;

	p.buffer_kb = 200 * 1024;
	g = trace_gen_new(&p);
	trace_gen_loss(g, &loss);
	ck_assert(!loss.data_loss);
	ck_assert_uint_eq(loss.dropped, 0);
	ck_assert_uint_eq(loss.kept, trace_gen_count(g));
	ck_assert(loss.percent_full > 0 && loss.percent_full < 0.1);
	ck_assert(trace_gen_avg_bytes(g) > 100 && trace_gen_avg_bytes(g) < 400);
	trace_gen_free(g);
}
END_TEST

START_TEST(filter_without_templates_gives_only_metadata)
{
	const char *incl[] = {"no-such-category"};
	struct trace_params p = params(17, 1000000);
	struct trace_gen *g;
	struct buf raw;
	json_t *a;

	p.included = incl;
	p.n_included = 1;
	p.n_events = 1000;
	g = trace_gen_new(&p);
	ck_assert_uint_eq(trace_gen_count(g), trace_gen_head_count(g));
	a = parse_all(g, &raw);
	ck_assert_uint_gt(json_array_size(a), 10);
	json_decref(a);
	buf_clear(&raw);
	trace_gen_free(g);
}
END_TEST

START_TEST(huge_trace_seeks_in_constant_time)
{
	struct trace_params p = params(18, 3600000000LL);
	struct trace_gen *g;
	struct buf b;
	size_t n;

	p.n_events = UINT64_C(5000000000);
	g = trace_gen_new(&p);
	ck_assert_uint_eq(trace_gen_count(g), trace_gen_head_count(g) + p.n_events);
	buf_init(&b, 0);
	trace_gen_seek(g, trace_gen_count(g) - 3);
	ck_assert_int_eq(trace_gen_next(g, &b, SIZE_MAX, SIZE_MAX, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_nonnull(strstr(b.data, "\"ts\":"));
	buf_reset(&b);
	ck_assert_int_eq(trace_gen_next(g, &b, SIZE_MAX, SIZE_MAX, &n), 0);
	ck_assert_uint_eq(n, 0);
	buf_clear(&b);
	trace_gen_free(g);
}
END_TEST

START_TEST(invalid_params_are_refused)
{
	struct trace_params p = params(19, -1);
	ck_assert_ptr_null(trace_gen_new(&p));
	p = params(19, 1000);
	p.n_events = TRACE_MAX_EVENTS + 1;
	ck_assert_ptr_null(trace_gen_new(&p));
	p = params(19, 1000);
	p.n_included = 2; /* without a list */
	ck_assert_ptr_null(trace_gen_new(&p));
	ck_assert_ptr_null(trace_gen_new(NULL));
	trace_gen_free(NULL);
}
END_TEST

START_TEST(output_stops_at_the_buffer_cap)
{
	struct trace_params p = params(20, 300000);
	struct trace_gen *g = trace_gen_new(&p);
	struct buf b;
	size_t n;

	buf_init(&b, 4096);
	ck_assert_int_eq(trace_gen_next(g, &b, SIZE_MAX, SIZE_MAX, &n), 0);
	ck_assert_uint_gt(n, 5);
	ck_assert_uint_le(b.len, 4096);
	ck_assert_uint_eq(trace_gen_tell(g), n);
	buf_clear(&b);
	trace_gen_free(g);
}
END_TEST

Suite *trace_suite(void); /* for -Wmissing-prototypes; tests/unit/main.c calls it */

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("generator");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, default_catalogue_weights_match_chromes_phase_counts);
	tcase_add_loop_test(tc, category_filter_follows_chromes_rules, 0,
			    (int)CDPM_ARRAY_LEN(cat_cases));
	tcase_add_test(tc, puppeteer_categories_beat_its_exclude_star);
	tcase_add_test(tc, default_trace_is_valid_chrome_json);
	tcase_add_test(tc, flows_and_async_slices_pair_up_in_time_order);
	tcase_add_test(tc, timestamps_are_monotone_within_threads);
	tcase_add_test(tc, same_seed_same_bytes_other_seed_other_bytes);
	tcase_add_test(tc, seek_and_skip_equal_generate_and_discard);
	tcase_add_test(tc, batches_respect_byte_and_event_limits);
	tcase_add_test(tc, a_batch_fits_the_room_it_asks_for);
	tcase_add_test(tc, included_categories_limit_events);
	tcase_add_test(tc, excluded_category_disappears);
	tcase_add_test(tc, timeline_category_adds_tracing_started_in_browser);
	tcase_add_test(tc, page_only_trace_keeps_browser_gpu_and_page);
	tcase_add_test(tc, clock_syncs_and_memory_dumps_land_in_time_order);
	tcase_add_test(tc, structured_events_match_the_json);
	tcase_add_test(tc, measure_counts_json_bytes);
	tcase_add_test(tc, record_until_full_keeps_the_oldest_events);
	tcase_add_test(tc, record_continuously_keeps_the_newest_events);
	tcase_add_test(tc, large_buffer_loses_nothing);
	tcase_add_test(tc, filter_without_templates_gives_only_metadata);
	tcase_add_test(tc, huge_trace_seeks_in_constant_time);
	tcase_add_test(tc, invalid_params_are_refused);
	tcase_add_test(tc, output_stops_at_the_buffer_cap);
	suite_add_tcase(s, tc);
	return s;
}
