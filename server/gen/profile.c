/* profile.c - the seeded Profiler.Profile generator (see profile.h).  It
 * builds a random call tree over the script set, runs a sampling process
 * over it that reaches every leaf, numbers nodes by first touch as V8 does,
 * then writes pre-serialised JSON.  It does not model real timing. */
#include "gen/profile.h"

#include "cdpm.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

/* Frames of the synthetic nodes, in place of a scripts.fn index. */
#define PROFILE_FN_ROOT (SCRIPTS_NONE - 0)
#define PROFILE_FN_PROGRAM (SCRIPTS_NONE - 1)
#define PROFILE_FN_IDLE (SCRIPTS_NONE - 2)
#define PROFILE_FN_GC (SCRIPTS_NONE - 3)

#define PROFILE_IDX_PROGRAM 1u
#define PROFILE_IDX_IDLE 2u
#define PROFILE_MAX_DURATION_US (INT64_C(1) << 53) /* keeps delta scaling in range */
#define PROFILE_HOT 12u				   /* nodes that get most JS samples */
#define PROFILE_STAY_PERMILLE 600u		   /* runs: the next sample repeats */

/* One rng stream per concern, so that changing one never shifts another. */
#define PROFILE_SEED_TREE 0x7472656500000001ull
#define PROFILE_SEED_SAMPLES 0x73616d7000000002ull
#define PROFILE_SEED_DELTAS 0x64656c7400000003ull
#define PROFILE_SEED_TICKS 0x7469636b00000004ull

/* Nodes are indexed in creation order (parents first); ids come later. */
struct profile_node {
	uint32_t fn;	 /* scripts fn index or PROFILE_FN_* */
	uint32_t parent; /* creation index; SCRIPTS_NONE for the root */
	uint32_t depth;	 /* root 0 */
	uint32_t nchild;
	uint32_t hits;
	uint32_t id; /* 0 until a sample first passes through it */
	uint32_t first_child, last_child, next_sibling; /* by id, built last */
};

struct profile_gen {
	const struct profile_shape *shape;
	const struct scripts *scripts;
	struct buf *out; /* appended freely; buf_finish() is checked at the end */
	struct rng rng;
	struct profile_node *node;
	uint32_t n, first_js, max_depth;
	uint32_t *order; /* creation index by id - 1 */
	uint32_t next_id;
	uint32_t *sample; /* creation index per sample */
	uint32_t nsamples;
	int64_t mean_us; /* mean gap between samples */
	uint64_t *pairs; /* set of (parent, fn): V8 merges equal siblings */
	uint32_t pairs_mask;
	struct buf frames; /* pre-serialised callFrame per scripts fn */
	uint32_t *frame_off;
};

static uint32_t profile_rand(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)rng_below(r, n) : 0;
}

static int profile_is_js(const struct profile_gen *g, uint32_t x)
{
	return x >= g->first_js;
}

/* --- call tree ------------------------------------------------------- */

/* Inserts key into the open-addressed set; 0 when it was already there. */
static int profile_pair_add(struct profile_gen *g, uint32_t parent, uint32_t fn)
{
	uint64_t key = ((uint64_t)parent << 32 | fn) + 1;
	uint32_t h = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & g->pairs_mask;
	while (g->pairs[h]) {
		if (g->pairs[h] == key)
			return 0;
		h = (h + 1) & g->pairs_mask;
	}
	g->pairs[h] = key;
	return 1;
}

static uint32_t profile_any_fn(struct profile_gen *g)
{
	const struct scripts *s = g->scripts;
	const struct scripts_script *sc = &s->script[profile_rand(&g->rng, (uint32_t)s->nscripts)];
	if (sc->nfns < 2)
		return sc->first_fn;
	return sc->first_fn + 1 + profile_rand(&g->rng, sc->nfns - 1);
}

/* The callee for a new child of parent: the root calls script top levels
 * and event-loop callbacks; JS calls itself (recursion), its closures, its
 * neighbours or anything else. */
static uint32_t profile_pick_fn(struct profile_gen *g, uint32_t parent)
{
	const struct scripts *s = g->scripts;
	if (parent == 0) {
		if (profile_rand(&g->rng, 2))
			return profile_any_fn(g);
		return s->script[profile_rand(&g->rng, (uint32_t)s->nscripts)].first_fn;
	}
	uint32_t pf = g->node[parent].fn;
	const struct scripts_fn *f = &s->fn[pf];
	const struct scripts_script *sc = &s->script[f->script];
	uint32_t r = profile_rand(&g->rng, 20);
	if (r < 2 && f->parent != SCRIPTS_NONE)
		return pf;
	if (r < 10 && f->nested_end > pf + 1)
		return pf + 1 + profile_rand(&g->rng, f->nested_end - pf - 1);
	if (r < 15 && sc->nfns > 1)
		return sc->first_fn + 1 + profile_rand(&g->rng, sc->nfns - 1);
	return profile_any_fn(g);
}

static uint32_t profile_pick_parent(struct profile_gen *g)
{
	uint32_t r = profile_rand(&g->rng, 10), last = g->n - 1, x;
	/* Mostly extend the newest chain, so stacks get deep like real ones. */
	if (r < 5 && profile_is_js(g, last) && g->node[last].depth < g->max_depth)
		return last;
	if (r < 8 && g->n > g->first_js) {
		x = g->first_js + profile_rand(&g->rng, g->n - g->first_js);
		if (g->node[x].depth < g->max_depth)
			return x;
	}
	return 0;
}

static void profile_add_node(struct profile_gen *g, uint32_t parent, uint32_t fn)
{
	struct profile_node *x = &g->node[g->n++];
	memset(x, 0, sizeof(*x));
	x->fn = fn;
	x->parent = parent;
	x->depth = parent == SCRIPTS_NONE ? 0 : g->node[parent].depth + 1;
	x->first_child = x->last_child = x->next_sibling = SCRIPTS_NONE;
}

/* Cuts the tree to its longest creation-order prefix with at most budget JS
 * leaves, so that every leaf can get a sample.  Creation order puts parents
 * first, so a prefix is a tree. */
static void profile_prune(struct profile_gen *g, uint32_t budget)
{
	uint32_t leaves = 0, keep = g->first_js;
	for (uint32_t k = g->first_js; k < g->n; k++) {
		uint32_t p = g->node[k].parent;
		leaves++;
		if (profile_is_js(g, p) && g->node[p].nchild == 0)
			leaves--;
		g->node[p].nchild++;
		if (leaves > budget)
			break;
		keep = k + 1;
	}
	g->n = keep;
	for (uint32_t k = 0; k < g->n; k++)
		g->node[k].nchild = 0;
	for (uint32_t k = g->first_js; k < g->n; k++)
		g->node[g->node[k].parent].nchild++;
}

static int profile_build(struct profile_gen *g, uint32_t js_target, int gc, uint32_t budget)
{
	uint32_t cap = 16;
	int rc = CDPM_ENOMEM;

	g->node = malloc(((size_t)js_target + 4) * sizeof(*g->node));
	while (cap < 2 * js_target)
		cap *= 2;
	g->pairs = calloc(cap, sizeof(*g->pairs));
	if (!g->node || !g->pairs)
		goto out;
	g->pairs_mask = cap - 1;
	profile_add_node(g, SCRIPTS_NONE, PROFILE_FN_ROOT);
	profile_add_node(g, 0, PROFILE_FN_PROGRAM);
	profile_add_node(g, 0, PROFILE_FN_IDLE);
	if (gc)
		profile_add_node(g, 0, PROFILE_FN_GC);
	g->first_js = g->n;
	/* A pick fails when that parent already calls that function; allow
	 * 8 tries per node overall, then accept a smaller tree: the paths
	 * that the depth and the script set allow are used up. */
	uint64_t tries = 8 * (uint64_t)js_target;
	while (g->n - g->first_js < js_target && tries-- > 0) {
		uint32_t p = profile_pick_parent(g);
		uint32_t fn = profile_pick_fn(g, p);
		if (profile_pair_add(g, p, fn))
			profile_add_node(g, p, fn);
	}
	profile_prune(g, budget);
	rc = 0;
out:
	free(g->pairs);
	g->pairs = NULL;
	return rc;
}

/* --- sampling -------------------------------------------------------- */

/* Gives x (and any ancestors not yet seen) ids top-down, as V8 creates
 * nodes when a sample's stack first reaches them. */
static void profile_touch(struct profile_gen *g, uint32_t x)
{
	uint32_t k = 0, y;
	for (y = x; g->node[y].id == 0; y = g->node[y].parent)
		k++;
	uint32_t id = g->next_id + k - 1;
	for (y = x; g->node[y].id == 0; y = g->node[y].parent, id--) {
		g->node[y].id = id;
		g->order[id - 1] = y;
	}
	g->next_id += k;
}

struct profile_walk {
	uint32_t *leaf; /* JS leaves (and GC) in creation order */
	uint32_t nleaves, next_leaf, unsampled;
	uint32_t hot[PROFILE_HOT];
	uint32_t nhot;
	uint32_t gc; /* creation index, or SCRIPTS_NONE */
};

static uint32_t profile_next_leaf(struct profile_gen *g, struct profile_walk *w)
{
	while (g->node[w->leaf[w->next_leaf]].hits)
		w->next_leaf++;
	return w->leaf[w->next_leaf];
}

/* Where the next sample lands after leaving the current node. */
static uint32_t profile_jump(struct profile_gen *g, struct profile_walk *w, uint32_t rem)
{
	struct rng *r = &g->rng;
	uint32_t idle =
	    g->shape->idle_permille ? g->shape->idle_permille : PROFILE_DEFAULT_IDLE_PERMILLE;
	if (profile_rand(r, 1000) < idle)
		return PROFILE_IDX_IDLE;
	uint32_t u = profile_rand(r, 1000);
	if (u < 50 || g->n == g->first_js)
		return PROFILE_IDX_PROGRAM;
	if (u < 70 && w->gc != SCRIPTS_NONE)
		return w->gc;
	/* Spread the first visits of the leaves over the whole run. */
	if (w->unsampled && profile_rand(r, rem) < 2 * w->unsampled)
		return profile_next_leaf(g, w);
	if (profile_rand(r, 10) < 7) {
		/* The product of two uniforms favours the first hot nodes. */
		uint32_t a = profile_rand(r, w->nhot), b = profile_rand(r, w->nhot);
		return w->hot[a * b / w->nhot];
	}
	return g->first_js + profile_rand(r, g->n - g->first_js);
}

static uint32_t profile_step(struct profile_gen *g, struct profile_walk *w, uint32_t cur,
			     uint32_t rem)
{
	if (w->unsampled >= rem)
		return profile_next_leaf(g, w);
	if (profile_rand(&g->rng, 1000) < PROFILE_STAY_PERMILLE) {
		uint32_t p = g->node[cur].parent;
		/* Sometimes the function returns to its caller. */
		if (profile_is_js(g, cur) && profile_is_js(g, p) && profile_rand(&g->rng, 8) == 0)
			return p;
		return cur;
	}
	return profile_jump(g, w, rem);
}

static void profile_hit(struct profile_gen *g, struct profile_walk *w, uint32_t i, uint32_t x)
{
	g->sample[i] = x;
	if (g->node[x].hits++ == 0 && x > PROFILE_IDX_IDLE && g->node[x].nchild == 0)
		w->unsampled--;
	if (!g->node[x].id)
		profile_touch(g, x);
}

static int profile_sample(struct profile_gen *g, int gc)
{
	struct profile_walk w = {.gc = gc ? PROFILE_IDX_IDLE + 1 : SCRIPTS_NONE};
	int rc = CDPM_ENOMEM;

	g->sample = malloc((size_t)g->nsamples * sizeof(*g->sample));
	g->order = malloc((size_t)g->n * sizeof(*g->order));
	w.leaf = malloc(((size_t)g->n + 1) * sizeof(*w.leaf));
	if (!g->sample || !g->order || !w.leaf)
		goto out;
	rng_init(&g->rng, g->shape->seed ^ PROFILE_SEED_SAMPLES);
	for (uint32_t k = g->first_js; k < g->n; k++)
		if (g->node[k].nchild == 0)
			w.leaf[w.nleaves++] = k;
	if (gc) {
		/* GC strikes at a random moment, not first. */
		uint32_t at = profile_rand(&g->rng, w.nleaves + 1);
		memmove(w.leaf + at + 1, w.leaf + at, (w.nleaves - at) * sizeof(*w.leaf));
		w.leaf[at] = w.gc;
		w.nleaves++;
	}
	w.unsampled = w.nleaves;
	w.nhot = g->n > g->first_js ? PROFILE_HOT : 0;
	for (uint32_t h = 0; h < w.nhot; h++)
		w.hot[h] = g->first_js + profile_rand(&g->rng, g->n - g->first_js);
	g->node[0].id = 1;
	g->order[0] = 0;
	g->next_id = 2;
	/* Chrome's first samples are (program) then (idle): ids 2 and 3. */
	profile_hit(g, &w, 0, PROFILE_IDX_PROGRAM);
	profile_hit(g, &w, 1, PROFILE_IDX_IDLE);
	uint32_t cur = PROFILE_IDX_IDLE;
	for (uint32_t i = 2; i < g->nsamples; i++) {
		cur = profile_step(g, &w, cur, g->nsamples - i);
		profile_hit(g, &w, i, cur);
	}
	rc = 0;
out:
	free(w.leaf);
	return rc;
}

/* Children lists in id order, as V8 appends children on first touch. */
static void profile_link(struct profile_gen *g)
{
	for (uint32_t id = 2; id <= g->n; id++) {
		uint32_t x = g->order[id - 1];
		struct profile_node *p = &g->node[g->node[x].parent];
		if (p->last_child == SCRIPTS_NONE)
			p->first_child = x;
		else
			g->node[p->last_child].next_sibling = x;
		p->last_child = x;
	}
}

/* --- writing --------------------------------------------------------- */

/* s must be a literal ("" s fails otherwise): sizeof gives its length. */
#define PROFILE_LIT(g, s) profile_put((g), "" s, sizeof(s) - 1)

static void profile_put(struct profile_gen *g, const char *s, size_t n)
{
	buf_add(g->out, s, n);
}

static void profile_num(struct profile_gen *g, int64_t v)
{
	buf_add_i64(g->out, v);
}

static int profile_frames(struct profile_gen *g)
{
	const struct scripts *s = g->scripts;
	struct buf *b = &g->frames;

	g->frame_off = malloc((s->nfns + 1) * sizeof(*g->frame_off));
	if (!g->frame_off)
		return CDPM_ENOMEM;
	for (size_t i = 0; i < s->nfns; i++) {
		const struct scripts_fn *f = &s->fn[i];
		const struct scripts_script *sc = &s->script[f->script];
		g->frame_off[i] = (uint32_t)b->len;
		buf_adds(b, "{\"functionName\":");
		buf_add_json_str(b, f->name, strlen(f->name), 0);
		buf_adds(b, ",\"scriptId\":\"");
		buf_adds(b, sc->id);
		buf_adds(b, "\",\"url\":");
		buf_add_json_str(b, sc->url, strlen(sc->url), 0);
		buf_adds(b, ",\"lineNumber\":");
		buf_add_i64(b, f->line);
		buf_adds(b, ",\"columnNumber\":");
		buf_add_i64(b, f->column);
		buf_addc(b, '}');
	}
	g->frame_off[s->nfns] = (uint32_t)b->len;
	return buf_finish(b);
}

static void profile_put_frame(struct profile_gen *g, uint32_t fn)
{
	switch (fn) {
#define PROFILE_SYNTH(name)                                                                        \
	"{\"functionName\":\"" name "\",\"scriptId\":\"0\",\"url\":\"\",\"lineNumber\":-1,"        \
	"\"columnNumber\":-1}"
	case PROFILE_FN_ROOT:
		PROFILE_LIT(g, PROFILE_SYNTH("(root)"));
		break;
	case PROFILE_FN_PROGRAM:
		PROFILE_LIT(g, PROFILE_SYNTH("(program)"));
		break;
	case PROFILE_FN_IDLE:
		PROFILE_LIT(g, PROFILE_SYNTH("(idle)"));
		break;
	case PROFILE_FN_GC:
		PROFILE_LIT(g, PROFILE_SYNTH("(garbage collector)"));
		break;
#undef PROFILE_SYNTH
	default:
		profile_put(g, g->frames.data + g->frame_off[fn],
			    g->frame_off[fn + 1] - g->frame_off[fn]);
	}
}

/* positionTicks: hits split over a few 1-based lines of the function, a hot
 * line most often; Chrome repeats lines, so do we. */
static void profile_put_ticks(struct profile_gen *g, struct rng *r, const struct profile_node *x)
{
	const struct scripts_fn *f = &g->scripts->fn[x->fn];
	uint32_t span = (uint32_t)(f->end_line - f->line) + 1;
	uint32_t hot = (uint32_t)f->line + 1 + profile_rand(r, span);
	uint32_t left = x->hits, k = 1 + profile_rand(r, left < 6 ? left : 6);

	PROFILE_LIT(g, ",\"positionTicks\":[");
	for (uint32_t j = 0; j < k; j++) {
		uint32_t t = j == k - 1 ? left : 1 + profile_rand(r, left - (k - j) + 1);
		uint32_t line =
		    profile_rand(r, 3) ? hot : (uint32_t)f->line + 1 + profile_rand(r, span);
		left -= t;
		PROFILE_LIT(g, "{\"line\":");
		profile_num(g, line);
		PROFILE_LIT(g, ",\"ticks\":");
		profile_num(g, t);
		if (j + 1 < k)
			PROFILE_LIT(g, "},");
		else
			PROFILE_LIT(g, "}]");
	}
}

static void profile_put_node(struct profile_gen *g, struct rng *r, const struct profile_node *x)
{
	PROFILE_LIT(g, "{\"id\":");
	profile_num(g, x->id);
	PROFILE_LIT(g, ",\"callFrame\":");
	profile_put_frame(g, x->fn);
	PROFILE_LIT(g, ",\"hitCount\":");
	profile_num(g, x->hits);
	if (x->first_child != SCRIPTS_NONE) {
		PROFILE_LIT(g, ",\"children\":[");
		for (uint32_t c = x->first_child; c != SCRIPTS_NONE; c = g->node[c].next_sibling) {
			profile_num(g, g->node[c].id);
			if (g->node[c].next_sibling != SCRIPTS_NONE)
				PROFILE_LIT(g, ",");
		}
		PROFILE_LIT(g, "]");
	}
	if (x->hits && x->fn < PROFILE_FN_GC)
		profile_put_ticks(g, r, x);
	PROFILE_LIT(g, "}");
}

/* The nodes array in DFS pre-order, walking the id-ordered child links
 * without a stack. */
static void profile_put_nodes(struct profile_gen *g)
{
	struct rng r;
	uint32_t x = 0;

	rng_init(&r, g->shape->seed ^ PROFILE_SEED_TICKS);
	PROFILE_LIT(g, "[");
	for (;;) {
		profile_put_node(g, &r, &g->node[x]);
		if (g->node[x].first_child != SCRIPTS_NONE) {
			x = g->node[x].first_child;
		} else {
			while (x != 0 && g->node[x].next_sibling == SCRIPTS_NONE)
				x = g->node[x].parent;
			if (x == 0)
				break;
			x = g->node[x].next_sibling;
		}
		PROFILE_LIT(g, ",");
	}
	PROFILE_LIT(g, "]");
}

/* An unscaled gap: jitter around the mean, the first one late (the sampler
 * thread starts up), a few long ones (GC pauses, long tasks). */
static uint64_t profile_raw_delta(struct rng *r, uint64_t m, uint32_t i)
{
	if (i == 0)
		return m + m / 4 + rng_below(r, 2 * m);
	if (rng_below(r, 1000) < 30)
		return 2 * m + rng_below(r, 6 * m);
	return 1 + m / 2 + rng_below(r, m);
}

/* timeDeltas scaled to sum exactly to the span of the samples, which ends
 * a little before endTime.  Two passes over the same rng state avoid
 * storing the deltas. */
static void profile_put_deltas(struct profile_gen *g, int64_t duration)
{
	__extension__ typedef unsigned __int128 u128;
	struct rng r, again;
	uint64_t m = (uint64_t)(g->mean_us > 0 ? g->mean_us : 1), raw = 0, cum = 0, prev = 0;

	rng_init(&r, g->shape->seed ^ PROFILE_SEED_DELTAS);
	uint64_t lim = m / 2 < (uint64_t)duration / 4 ? m / 2 : (uint64_t)duration / 4;
	uint64_t span = (uint64_t)duration - rng_below(&r, lim + 1);
	again = r;
	for (uint32_t i = 0; i < g->nsamples; i++)
		raw += profile_raw_delta(&r, m, i);
	PROFILE_LIT(g, "[");
	for (uint32_t i = 0; i < g->nsamples; i++) {
		cum += profile_raw_delta(&again, m, i);
		uint64_t at = (uint64_t)((u128)cum * span / raw);
		profile_num(g, (int64_t)(at - prev));
		prev = at;
		if (i + 1 < g->nsamples)
			PROFILE_LIT(g, ",");
	}
	PROFILE_LIT(g, "]");
}

static void profile_put_profile(struct profile_gen *g)
{
	const struct profile_shape *sh = g->shape;
	PROFILE_LIT(g, "{\"nodes\":");
	profile_put_nodes(g);
	PROFILE_LIT(g, ",\"startTime\":");
	profile_num(g, sh->start_us);
	PROFILE_LIT(g, ",\"endTime\":");
	profile_num(g, sh->end_us);
	PROFILE_LIT(g, ",\"samples\":[");
	for (uint32_t i = 0; i < g->nsamples; i++) {
		profile_num(g, g->node[g->sample[i]].id);
		if (i + 1 < g->nsamples)
			PROFILE_LIT(g, ",");
	}
	PROFILE_LIT(g, "],\"timeDeltas\":");
	profile_put_deltas(g, sh->end_us - sh->start_us);
	PROFILE_LIT(g, "}");
}

/* --- entry point ----------------------------------------------------- */

/* "A quick profile may have samples:[] and only the root node." */
static void profile_put_empty(struct profile_gen *g)
{
	PROFILE_LIT(g, "{\"nodes\":[{\"id\":1,\"callFrame\":");
	profile_put_frame(g, PROFILE_FN_ROOT);
	PROFILE_LIT(g, ",\"hitCount\":0}],\"startTime\":");
	profile_num(g, g->shape->start_us);
	PROFILE_LIT(g, ",\"endTime\":");
	profile_num(g, g->shape->end_us);
	PROFILE_LIT(g, ",\"samples\":[],\"timeDeltas\":[]}");
}

/* Sample count and mean gap: Chrome's sampler runs ~10% (at least ~100 µs)
 * slower than asked: 1000 µs gave ~1100 µs apart.  Below one interval only
 * the two startup samples exist. */
static int profile_plan(struct profile_gen *g, int64_t duration)
{
	const struct profile_shape *sh = g->shape;
	int64_t iv = sh->interval_us > 0 ? sh->interval_us : PROFILE_DEFAULT_INTERVAL_US;

	if (duration < iv) {
		g->mean_us = duration / 2 > 0 ? duration / 2 : 1;
		g->nsamples = 2;
		return 0;
	}
	g->mean_us = iv + (iv / 10 > 100 ? iv / 10 : 100);
	int64_t n = (duration + g->mean_us / 2) / g->mean_us;
	if (n > (int64_t)PROFILE_MAX_SAMPLES)
		return CDPM_ETOOBIG;
	g->nsamples = n < 2 ? 2 : (uint32_t)n;
	return 0;
}

static int profile_generate(struct profile_gen *g, int64_t duration)
{
	const struct profile_shape *sh = g->shape;
	uint32_t want = sh->node_count ? sh->node_count : PROFILE_DEFAULT_NODES;
	int rc = profile_plan(g, duration);
	if (rc)
		return rc;
	rng_init(&g->rng, sh->seed ^ PROFILE_SEED_TREE);
	/* Short profiles have no JS at all; GC shows up in longer ones. */
	int js = g->nsamples > 2;
	int gc = g->nsamples >= 20 && want > 3 && profile_rand(&g->rng, 10) < 7;
	uint32_t synth = 3 + (uint32_t)gc;
	uint32_t budget = g->nsamples - 2 - (uint32_t)gc;
	uint64_t js_target = js && want > synth ? want - synth : 0;
	g->max_depth = sh->max_depth ? sh->max_depth : PROFILE_DEFAULT_DEPTH;
	/* A tree with budget leaves and this depth has at most budget * depth
	 * nodes: building more would only be pruned away. */
	if (js_target > (uint64_t)budget * g->max_depth)
		js_target = (uint64_t)budget * g->max_depth;
	rc = profile_build(g, (uint32_t)js_target, gc, budget);
	if (rc)
		return rc;
	rc = profile_sample(g, gc);
	if (rc)
		return rc;
	/* Every node lies on some sampled stack, so every node has an id. */
	if (g->next_id != g->n + 1)
		return CDPM_EINVAL;
	profile_link(g);
	rc = profile_frames(g);
	if (rc)
		return rc;
	profile_put_profile(g);
	return buf_finish(g->out);
}

int profile_write(const struct profile_shape *shape, struct buf *out)
{
	struct profile_gen g = {.shape = shape, .out = out, .scripts = shape->scripts};
	struct scripts *own = NULL;
	size_t mark = out->len;
	int64_t duration = shape->end_us - shape->start_us;
	int rc = CDPM_EINVAL;

	buf_init(&g.frames, 0);
	if (shape->end_us < shape->start_us)
		goto out;
	rc = CDPM_ETOOBIG;
	if (shape->node_count > PROFILE_MAX_NODES || duration > PROFILE_MAX_DURATION_US)
		goto out;
	if (shape->empty) {
		profile_put_empty(&g);
		rc = buf_finish(out);
		goto out;
	}
	if (!g.scripts) {
		rc = scripts_new(shape->seed, &own);
		if (rc)
			goto out;
		g.scripts = own;
	}
	rc = profile_generate(&g, duration);
out:
	if (rc) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	scripts_free(own);
	buf_clear(&g.frames);
	free(g.frame_off);
	free(g.node);
	free(g.order);
	free(g.sample);
	return rc;
}
