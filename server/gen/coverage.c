/* coverage.c - simulated precise and best-effort coverage (see
 * coverage.h).  Time advances in COVERAGE_TICK_US steps; each step may load
 * a script or run a task that calls a function and, through it, its
 * closures and neighbours.  The rng is consumed per step only, so the state
 * depends on total elapsed time alone.  Not a model of real JS semantics. */
#include "gen/coverage.h"

#include "cdpm.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

#define COVERAGE_SEED 0x636f766500000005ull
#define COVERAGE_TASK_PERMILLE 250u /* chance of a task in a step */
#define COVERAGE_TASK_CALLS 48u	    /* calls one task may make */
#define COVERAGE_FLAGS (COVERAGE_CALL_COUNT | COVERAGE_DETAILED)

struct coverage {
	const struct scripts *scripts;
	struct scripts *own;
	unsigned flags;
	struct rng rng;
	int64_t elapsed_us;
	uint64_t ticks;	       /* steps simulated so far */
	uint64_t *load_tick;   /* per script: the step its top level runs */
	uint8_t *loaded;       /* per script: its top level has run */
	uint16_t *block_odds;  /* per block: permille it runs when reached */
	uint64_t *fn_delta;    /* per function: calls since the last take */
	uint64_t *fn_total;    /* per function: calls since coverage_new() */
	uint64_t *block_delta; /* per block: runs since the last take */
};

static uint32_t coverage_rand(struct coverage *c, uint32_t n)
{
	return n ? (uint32_t)rng_below(&c->rng, n) : 0;
}

/* When each script loads: the first at once, most in the first seconds,
 * some lazily loaded chunks minutes later. */
static void coverage_plan(struct coverage *c)
{
	const struct scripts *s = c->scripts;
	for (size_t i = 0; i < s->nscripts; i++) {
		uint32_t r = coverage_rand(c, 100);
		if (i == 0)
			c->load_tick[i] = 0;
		else if (r < 50)
			c->load_tick[i] = coverage_rand(c, 2000);
		else if (r < 85)
			c->load_tick[i] = 2000 + coverage_rand(c, 28000);
		else
			c->load_tick[i] = 30000 + coverage_rand(c, 270000);
	}
	for (size_t b = 0; b < s->nblocks; b++)
		c->block_odds[b] = (uint16_t)(100 + coverage_rand(c, 901));
}

int coverage_new(uint64_t seed, unsigned flags, const struct scripts *scripts,
		 struct coverage **out)
{
	struct coverage *c = NULL;
	int rc = CDPM_EINVAL;

	*out = NULL;
	if (flags & ~(unsigned)COVERAGE_FLAGS)
		goto out;
	rc = CDPM_ENOMEM;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto out;
	if (!scripts) {
		rc = scripts_new(seed, &c->own);
		if (rc)
			goto out;
		scripts = c->own;
	}
	rc = CDPM_ENOMEM;
	c->scripts = scripts;
	c->flags = flags;
	c->load_tick = calloc(scripts->nscripts, sizeof(*c->load_tick));
	c->loaded = calloc(scripts->nscripts, sizeof(*c->loaded));
	c->block_odds = calloc(scripts->nblocks + 1, sizeof(*c->block_odds));
	c->fn_delta = calloc(scripts->nfns, sizeof(*c->fn_delta));
	c->fn_total = calloc(scripts->nfns, sizeof(*c->fn_total));
	c->block_delta = calloc(scripts->nblocks + 1, sizeof(*c->block_delta));
	if (!c->load_tick || !c->loaded || !c->block_odds || !c->fn_delta || !c->fn_total ||
	    !c->block_delta)
		goto out;
	rng_init(&c->rng, seed ^ COVERAGE_SEED);
	coverage_plan(c);
	*out = c;
	c = NULL;
	rc = 0;
out:
	coverage_free(c);
	return rc;
}

void coverage_free(struct coverage *c)
{
	if (!c)
		return;
	scripts_free(c->own);
	free(c->load_tick);
	free(c->loaded);
	free(c->block_odds);
	free(c->fn_delta);
	free(c->fn_total);
	free(c->block_delta);
	free(c);
}

int coverage_set_flags(struct coverage *c, unsigned flags)
{
	if (flags & ~(unsigned)COVERAGE_FLAGS)
		return CDPM_EINVAL;
	c->flags = flags;
	return 0;
}

const struct scripts *coverage_scripts(const struct coverage *c)
{
	return c->scripts;
}

/* --- simulation ------------------------------------------------------ */

/* One call of fn: count it and the blocks it passes through.  A block runs
 * only if its enclosing block did (blocks follow their parents). */
static void coverage_call(struct coverage *c, uint32_t fn, uint8_t *ran)
{
	const struct scripts_fn *f = &c->scripts->fn[fn];
	c->fn_delta[fn]++;
	c->fn_total[fn]++;
	for (uint32_t i = 0; i < f->nblocks; i++) {
		uint32_t b = f->first_block + i, p = c->scripts->block[b].parent;
		ran[i] = (p == SCRIPTS_NONE || ran[p - f->first_block]) &&
			 coverage_rand(c, 1000) < c->block_odds[b];
		if (ran[i])
			c->block_delta[b]++;
	}
}

/* Runs fn and what it calls, breadth first, at most COVERAGE_TASK_CALLS
 * calls: each direct closure is called now and then, sometimes a few times,
 * and sometimes a neighbour in the same script. */
static void coverage_task(struct coverage *c, uint32_t fn)
{
	const struct scripts *s = c->scripts;
	uint32_t queue[COVERAGE_TASK_CALLS], head = 0, tail = 0;
	uint8_t ran[SCRIPTS_MAX_BLOCKS];

	queue[tail++] = fn;
	while (head < tail) {
		uint32_t x = queue[head++];
		const struct scripts_fn *f = &s->fn[x];
		const struct scripts_script *sc = &s->script[f->script];
		coverage_call(c, x, ran);
		for (uint32_t k = x + 1; k < f->nested_end; k = s->fn[k].nested_end) {
			if (coverage_rand(c, 3))
				continue;
			for (uint32_t n = 1 + coverage_rand(c, 3); n && tail < COVERAGE_TASK_CALLS;
			     n--)
				queue[tail++] = k;
		}
		if (sc->nfns > 1 && tail < COVERAGE_TASK_CALLS && coverage_rand(c, 4) == 0)
			queue[tail++] = sc->first_fn + 1 + coverage_rand(c, sc->nfns - 1);
	}
}

/* One step: scripts due now load (their top level runs), then maybe one
 * task enters a loaded script at a function, early ones (the app's hot
 * paths) more often. */
static void coverage_step(struct coverage *c, uint64_t tick)
{
	const struct scripts *s = c->scripts;
	for (size_t i = 0; i < s->nscripts; i++) {
		/* <=, not ==: a long advance may skip the due step. */
		if (!c->loaded[i] && c->load_tick[i] <= tick) {
			c->loaded[i] = 1;
			coverage_task(c, s->script[i].first_fn);
		}
	}
	if (coverage_rand(c, 1000) >= COVERAGE_TASK_PERMILLE)
		return;
	uint32_t si = coverage_rand(c, (uint32_t)s->nscripts);
	const struct scripts_script *sc = &s->script[si];
	if (!c->loaded[si] || sc->nfns < 2)
		return;
	uint32_t a = coverage_rand(c, sc->nfns - 1), b = coverage_rand(c, sc->nfns - 1);
	coverage_task(c, sc->first_fn + 1 + a * b / (sc->nfns - 1));
}

int coverage_advance(struct coverage *c, int64_t elapsed_us)
{
	if (elapsed_us < 0)
		return CDPM_EINVAL;
	if (elapsed_us > COVERAGE_MAX_ADVANCE_US) {
		/* Skip the excess as idle time, before the simulated part. */
		int64_t skip = elapsed_us - COVERAGE_MAX_ADVANCE_US;
		c->elapsed_us += skip;
		c->ticks = (uint64_t)(c->elapsed_us / COVERAGE_TICK_US);
		elapsed_us = COVERAGE_MAX_ADVANCE_US;
	}
	c->elapsed_us += elapsed_us;
	uint64_t target = (uint64_t)(c->elapsed_us / COVERAGE_TICK_US);
	for (; c->ticks < target; c->ticks++)
		coverage_step(c, c->ticks);
	return 0;
}

/* --- writing --------------------------------------------------------- */

/* The writers append freely; out's sticky error (buf_finish) is checked
 * once, at the end of coverage_write(). */

/* s must be a literal ("" s fails otherwise): sizeof gives its length. */
#define COVERAGE_LIT(o, s) buf_add((o), "" s, sizeof(s) - 1)

static void coverage_str(struct buf *o, const char *s)
{
	buf_add_json_str(o, s, strlen(s), 0);
}

static void coverage_range(struct buf *o, uint32_t start, uint32_t end, uint64_t count)
{
	COVERAGE_LIT(o, "{\"startOffset\":");
	buf_add_u64(o, start);
	COVERAGE_LIT(o, ",\"endOffset\":");
	buf_add_u64(o, end);
	COVERAGE_LIT(o, ",\"count\":");
	buf_add_u64(o, count);
	COVERAGE_LIT(o, "}");
}

/* One FunctionCoverage.  Blocks whose count equals their enclosing range's
 * are left out, as V8 merges such nested ranges. */
static void coverage_put_fn(struct buf *o, const struct coverage *c, uint32_t fn,
			    uint64_t count, unsigned flags)
{
	const struct scripts_fn *f = &c->scripts->fn[fn];
	int binary = !(flags & COVERAGE_CALL_COUNT);
	uint64_t fc = binary && count ? 1 : count;
	const uint64_t *bd = c->block_delta;

	COVERAGE_LIT(o, "{\"functionName\":");
	coverage_str(o, f->name);
	COVERAGE_LIT(o, ",\"ranges\":[");
	coverage_range(o, f->start, f->end, fc);
	for (uint32_t i = 0; (flags & COVERAGE_DETAILED) && i < f->nblocks; i++) {
		uint32_t b = f->first_block + i, p = c->scripts->block[b].parent;
		uint64_t bc = binary && bd[b] ? 1 : bd[b];
		uint64_t pc = p == SCRIPTS_NONE ? fc : binary && bd[p] ? 1 : bd[p];
		if (bc == pc)
			continue;
		COVERAGE_LIT(o, ",");
		coverage_range(o, c->scripts->block[b].start, c->scripts->block[b].end, bc);
	}
	if (flags & COVERAGE_DETAILED)
		COVERAGE_LIT(o, "],\"isBlockCoverage\":true}");
	else
		COVERAGE_LIT(o, "],\"isBlockCoverage\":false}");
}

/* The array over counts[] (fn_delta or fn_total): a script appears when
 * any of its functions counted; its top level always comes first. */
static int coverage_write(const struct coverage *c, const uint64_t *counts, unsigned flags,
			  struct buf *out)
{
	const struct scripts *s = c->scripts;
	size_t mark = out->len;
	int first = 1;

	COVERAGE_LIT(out, "[");
	for (size_t i = 0; i < s->nscripts; i++) {
		const struct scripts_script *sc = &s->script[i];
		uint32_t lo = sc->first_fn, hi = sc->first_fn + sc->nfns, fn;
		for (fn = lo; fn < hi && !counts[fn]; fn++)
			;
		if (fn == hi)
			continue;
		if (!first)
			COVERAGE_LIT(out, ",");
		first = 0;
		COVERAGE_LIT(out, "{\"scriptId\":\"");
		buf_adds(out, sc->id);
		COVERAGE_LIT(out, "\",\"url\":");
		coverage_str(out, sc->url);
		COVERAGE_LIT(out, ",\"functions\":[");
		coverage_put_fn(out, c, lo, counts[lo], flags);
		for (fn = lo + 1; fn < hi; fn++) {
			if (!counts[fn])
				continue;
			COVERAGE_LIT(out, ",");
			coverage_put_fn(out, c, fn, counts[fn], flags);
		}
		COVERAGE_LIT(out, "]}");
	}
	COVERAGE_LIT(out, "]");
	int rc = buf_finish(out);
	if (rc) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	return rc;
}

int coverage_take(struct coverage *c, struct buf *out)
{
	int rc = coverage_write(c, c->fn_delta, c->flags, out);
	if (rc)
		return rc;
	memset(c->fn_delta, 0, c->scripts->nfns * sizeof(*c->fn_delta));
	memset(c->block_delta, 0, c->scripts->nblocks * sizeof(*c->block_delta));
	return 0;
}

int coverage_best_effort(const struct coverage *c, struct buf *out)
{
	/* Best effort is V8's invocation counts: function level, real counts. */
	return coverage_write(c, c->fn_total, COVERAGE_CALL_COUNT, out);
}
