/* tracebody.c - the body of a generated trace: which templates the category
 * filter keeps, the seeded layout of each 64-event block, and the JSON of
 * one body event written straight into reserved buffer space.  This is the
 * hot path (>1 GB/s): no allocation, no printf, fragments precomputed.
 * Not the metadata or the extra events (tracehead.c). */
#include "gen/trace_int.h"

#include <stdlib.h>
#include <string.h>

#include "cdpm.h"

static int tpl_is_pair(const struct trace_tpl *tr)
{
	return tr->kind == TPL_FLOW || tr->kind == TPL_ASYNC;
}

static void tpl_phases(const struct tracetpl *t, char *ph0, char *ph1)
{
	static const char first[TPL_KINDS] = {'X', 'I', 'R', 's', 'b', 'b', 'n', 'B', 'C'};
	*ph0 = first[t->kind];
	*ph1 = t->kind == TPL_FLOW ? 'f' : t->kind == TPL_ASYNC ? 'e' : first[t->kind];
}

/* Appends args with @X@ placeholders replaced; stops at '#' when split is
 * set and returns the rest through *rest.  Check buf_finish(b) later. */
static void add_args(struct trace_gen *g, struct buf *b, const char *a, const char **rest)
{
	*rest = NULL;
	while (*a) {
		if (*a == '#') {
			*rest = a + 1;
			break;
		}
		if (a[0] == '@' && a[1] && a[2] == '@') {
			const char *pool = g->pool.data;
			if (a[1] == 'F')
				buf_add(b, pool + g->frame_off, g->frame_len);
			else if (a[1] == 'U')
				buf_add(b, pool + g->url_off, g->url_len);
			else if (a[1] == 'N')
				buf_add(b, g->nav, 32);
			else if (a[1] == 'P')
				buf_add_i64(b, g->procs.threads[g->procs.page_main].pid);
			a += 3;
			continue;
		}
		buf_addc(b, *a++);
	}
}

/* Moves the bytes of b to the pool; off and len locate them.  A fragment
 * that failed to build is not moved and b keeps its error, so this take
 * and every later one fail: checking the last take checks them all. */
static int pool_take(struct trace_gen *g, struct buf *b, uint32_t *off, uint32_t *len)
{
	*off = (uint32_t)g->pool.len;
	*len = (uint32_t)b->len;
	int rc = buf_finish(b);
	if (rc)
		return rc;
	buf_add(&g->pool, b->data ? b->data : "", b->len);
	buf_reset(b);
	return buf_finish(&g->pool);
}

static void add_cat(struct buf *b, const char *cat)
{
	buf_adds(b, ",\"cat\":");
	buf_add_json_str(b, cat, strlen(cat), 1);
	buf_addc(b, ',');
}

static void add_name(struct buf *b, const char *name, char ph)
{
	char tail[] = ",\"ph\":\"?\",\"pid\":";

	tail[7] = ph;
	buf_adds(b, "\"name\":");
	buf_add_json_str(b, name, strlen(name), 1);
	buf_adds(b, tail);
}

/* The JSON fragments of one enabled template. */
static int tpl_fragments(struct trace_gen *g, struct trace_tpl *tr, struct buf *tmp)
{
	const struct tracetpl *t = tr->t;
	const char *rest = NULL;
	int rc;

	buf_adds(tmp, "{\"args\":");
	add_args(g, tmp, t->args, &rest);
	tr->has_var = rest != NULL;
	if (rest) {
		pool_take(g, tmp, &tr->head_a, &tr->head_a_len);
		add_args(g, tmp, rest, &rest);
	}
	add_cat(tmp, t->cat);
	pool_take(g, tmp, tr->has_var ? &tr->head_b : &tr->head_a,
		  tr->has_var ? &tr->head_b_len : &tr->head_a_len);
	buf_adds(tmp, t->kind == TPL_FLOW ? "{\"args\":{},\"bp\":\"e\"" : "{\"args\":{}");
	add_cat(tmp, t->cat);
	pool_take(g, tmp, &tr->end_head, &tr->end_head_len);
	add_name(tmp, t->name, tr->ph0);
	pool_take(g, tmp, &tr->name0, &tr->name0_len);
	add_name(tmp, t->name, tr->ph1);
	/* The last take fails if any append or take before it did. */
	rc = pool_take(g, tmp, &tr->name1, &tr->name1_len);
	if (rc)
		return rc;
	uint32_t head = tr->head_a_len + tr->head_b_len;
	if (tr->end_head_len > head)
		head = tr->end_head_len;
	tr->bound = head + (tr->name0_len > tr->name1_len ? tr->name0_len : tr->name1_len) +
		    (uint32_t)sizeof(g->thr[0].pid) + (uint32_t)sizeof(g->thr[0].tidts) +
		    TRACE_VAR_BOUND;
	if (tr->bound > g->max_bound)
		g->max_bound = tr->bound;
	return 0;
}

/* Walker's alias method over the enabled templates' weights: one draw is
 * a multiply, a compare and two loads. */
static int build_alias(struct trace_gen *g)
{
	uint32_t n = g->n_tpl;
	uint64_t total = 0;
	double *p;
	uint32_t *small, *large, ns = 0, nl = 0;
	int rc = CDPM_ENOMEM;

	g->alias_prob = calloc(n, sizeof(*g->alias_prob));
	g->alias_idx = calloc(n, sizeof(*g->alias_idx));
	p = calloc(n, sizeof(*p));
	small = calloc(n, sizeof(*small));
	large = calloc(n, sizeof(*large));
	if (!g->alias_prob || !g->alias_idx || !p || !small || !large)
		goto out;
	for (uint32_t i = 0; i < n; i++)
		total += g->tpl[i].t->weight;
	for (uint32_t i = 0; i < n; i++) {
		p[i] = (double)g->tpl[i].t->weight * n / (double)total;
		if (p[i] < 1.0)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns && nl) {
		uint32_t s = small[--ns], l = large[nl - 1];
		g->alias_prob[s] = (uint32_t)(p[s] * 4294967296.0);
		g->alias_idx[s] = l;
		p[l] -= 1.0 - p[s];
		if (p[l] < 1.0) {
			nl--;
			small[ns++] = l;
		}
	}
	while (nl)
		g->alias_prob[large[--nl]] = UINT32_MAX;
	while (ns) /* rounding leftovers */
		g->alias_prob[small[--ns]] = UINT32_MAX;
	rc = 0;
out:
	free(p);
	free(small);
	free(large);
	return rc;
}

int tracebody_init(struct trace_gen *g)
{
	const struct traceproc *m = &g->procs;
	struct buf tmp;
	uint32_t nthr = 0;
	int rc = CDPM_ENOMEM;

	buf_init(&tmp, 1 << 20);
	g->tpl = calloc(tracetpl_count, sizeof(*g->tpl));
	g->thr_list = calloc(tracetpl_count * m->n_threads, sizeof(*g->thr_list));
	if (!g->tpl || !g->thr_list)
		goto out;
	for (size_t i = 0; i < tracetpl_count; i++) {
		const struct tracetpl *t = &tracetpl_table[i];
		struct trace_tpl *tr = &g->tpl[g->n_tpl];
		if (!t->weight || !tracecat_enabled(&g->cats, t->cat))
			continue;
		tr->thr_off = nthr;
		for (uint32_t j = 0; j < m->n_threads; j++)
			if (m->threads[j].cls & t->threads)
				g->thr_list[nthr++] = j;
		tr->thr_n = nthr - tr->thr_off;
		if (!tr->thr_n)
			continue; /* e.g. a page-session trace has no network service */
		tr->t = t;
		tr->kind = t->kind;
		tr->dur = t->dur;
		tr->no_tts = t->no_tts;
		tr->var_lo = t->var_lo;
		tr->var_span = t->var_span;
		tr->iid = (uint32_t)i + 1;
		tpl_phases(t, &tr->ph0, &tr->ph1);
		rc = tpl_fragments(g, tr, &tmp);
		if (rc)
			goto out;
		g->n_tpl++;
	}
	rc = g->n_tpl ? build_alias(g) : 0;
out:
	buf_clear(&tmp);
	return rc;
}

static uint32_t count_threads(const struct traceproc *m, uint32_t cls)
{
	uint32_t n = 0;
	for (size_t j = 0; j < m->n_threads; j++)
		n += (m->threads[j].cls & cls) != 0;
	return n;
}

double tracebody_weight_share(const struct trace_gen *g)
{
	double on = 0, def = 0;
	struct tracecat none;
	struct traceproc *full = malloc(sizeof(*full));

	if (!full)
		return 1.0;
	/* Events spread evenly over a template's threads, so a page-session
	 * trace keeps the share of each template that its processes run. */
	traceproc_build(full, g->seed, 0);
	tracecat_init(&none, NULL, 0, NULL, 0);
	for (size_t i = 0; i < tracetpl_count; i++)
		if (tracecat_enabled(&none, tracetpl_table[i].cat))
			def += tracetpl_table[i].weight;
	for (uint32_t i = 0; i < g->n_tpl; i++) {
		uint32_t all = count_threads(full, g->tpl[i].t->threads);
		on += (double)g->tpl[i].t->weight * g->tpl[i].thr_n / (all ? all : 1);
	}
	free(full);
	return def > 0 ? on / def : 0.0;
}

static uint32_t draw_tpl(const struct trace_gen *g, uint64_t x)
{
	uint32_t i = (uint32_t)(((x >> 32) * g->n_tpl) >> 32);
	return (uint32_t)x < g->alias_prob[i] ? i : g->alias_idx[i];
}

static uint32_t pick_thread(const struct trace_gen *g, const struct trace_tpl *tr, uint64_t r)
{
	return g->thr_list[tr->thr_off + (uint32_t)(((r & 0xFFFFFFFFu) * tr->thr_n) >> 32)];
}

/* The slot for the second event of a pair started at pos: the first free
 * one at least gap slots later, else any free one after pos; -1 if none. */
static int find_end(uint64_t used, unsigned pos, unsigned limit, unsigned gap)
{
	uint64_t free = ~used & (limit == 64 ? ~UINT64_C(0) : (UINT64_C(1) << limit) - 1);
	unsigned target = pos + gap;
	uint64_t cand = target < 64 ? free & (~UINT64_C(0) << target) : 0;

	if (!cand)
		cand = free & ~((UINT64_C(2) << pos) - 1);
	return cand ? __builtin_ctzll(cand) : -1;
}

/* splitmix64: the stream rng.h seeds xoshiro with, inlined here because a
 * block draws ~130 numbers and a fresh stream per block must be free. */
static inline uint64_t blk_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void tracebody_layout(struct trace_gen *g, uint64_t blk)
{
	uint64_t base = blk * TRACE_BLOCK, used = 0;
	unsigned limit =
	    g->n_body - base < TRACE_BLOCK ? (unsigned)(g->n_body - base) : TRACE_BLOCK;
	/* A distinct starting point per (seed, block); the finaliser in
	 * blk_next() does the mixing. */
	uint64_t r = (g->seed ^ UINT64_C(0x626f6479)) * UINT64_C(0xA24BAED4963EE407) +
		     blk * UINT64_C(0xD1B54A32D192ED03);
	for (unsigned pos = 0; pos < limit; pos++) {
		const struct trace_tpl *tr;
		uint32_t t;
		int end = -1;

		if (used >> pos & 1)
			continue;
		used |= UINT64_C(1) << pos;
		/* A pair needs a free slot later in the block; near the end of
		 * a block redraw a few times rather than orphan many starts. */
		for (int tries = 0;; tries++) {
			uint64_t x = blk_next(&r);
			t = draw_tpl(g, x);
			tr = &g->tpl[t];
			if (!tpl_is_pair(tr))
				break;
			end = find_end(used, pos, limit, 1 + (unsigned)(x >> 61) * 2);
			if (end >= 0 || tries == 3)
				break;
		}
		struct trace_slot *s = &g->slot[pos];
		s->tpl = t;
		s->rnd = blk_next(&r);
		s->thr = pick_thread(g, tr, s->rnd);
		s->start = pos;
		s->side = 0;
		s->paired = end >= 0;
		if (end >= 0) {
			struct trace_slot *e = &g->slot[end];
			used |= UINT64_C(1) << end;
			e->tpl = t;
			e->rnd = blk_next(&r);
			/* A flow ends on another thread; an async slice where it began. */
			e->thr = tr->kind == TPL_FLOW ? pick_thread(g, tr, e->rnd) : s->thr;
			e->start = pos;
			e->side = 1;
			e->paired = 1;
		}
	}
	g->blk = blk;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= UINT64_C(0x7FB5D329728EA185);
	return x ^ (x >> 27);
}

/* The page main thread runs nothing of the body during tracepage.c's
 * tasks: an event of the body that starts inside one moves to the page's
 * compositor thread (pairs stay, they are not tasks), and an X event that
 * would run into one ends before it. */
static void __attribute__((noinline)) body_avoid(const struct trace_gen *g, struct trace_ev *ev)
{
	for (uint32_t i = 0; i < g->n_busy; i++) {
		int64_t a = g->busy[i][0], b = g->busy[i][1], end = ev->ts + ev->dur;
		if (ev->ts >= a && ev->ts < b) {
			if (ev->ph == 'X' || ev->ph == 'I' || ev->ph == 'R' || ev->ph == 'n' ||
			    ev->ph == 'C') {
				const struct traceproc_thread *t = &g->procs.threads[g->busy_alt];
				ev->thread = g->busy_alt;
				ev->pid = t->pid;
				ev->tid = t->tid;
			}
			return;
		}
		if (ev->ph == 'X' && ev->ts < a && end >= a) {
			ev->dur = a - ev->ts - 1;
			if (ev->tdur > ev->dur)
				ev->tdur = ev->dur;
			return;
		}
	}
}

/* The numbers of body event bi (its block laid out), in ev.  Inlined into
 * both users: it is half the per-event work. */
static inline __attribute__((always_inline)) const struct trace_slot *
body_ev(struct trace_gen *g, uint64_t bi, struct trace_ev *ev)
{
	uint64_t blk = bi / TRACE_BLOCK;
	if (blk != g->blk)
		tracebody_layout(g, blk);
	const struct trace_slot *s = &g->slot[bi % TRACE_BLOCK];
	const struct trace_tpl *tr = &g->tpl[s->tpl];
	const struct traceproc_thread *th = &g->procs.threads[s->thr];
	uint64_t r = s->rnd, r2 = mix64(r);
	uint64_t d = r >> 48, off;

	/* Evenly spread with sub-step jitter: monotone within a thread. */
	off = (uint64_t)(((trace_u128)bi * g->step_fp) >> 24) +
	      (uint64_t)(((trace_u128)((r >> 32) & 0xFFFF) * g->step_fp) >> 40);
	ev->ph = s->side ? tr->ph1 : tr->ph0;
	ev->thread = s->thr;
	ev->pid = th->pid;
	ev->tid = th->tid;
	ev->ts = g->start_us + (int64_t)off;
	ev->id = bi - bi % TRACE_BLOCK + s->start;
	ev->value = (int64_t)(tr->var_lo + (((r2 >> 32) * tr->var_span) >> 32));
	ev->dur = 0;
	if (tr->kind == TPL_X) {
		if (tr->dur == TPL_SHORT)
			ev->dur = (int64_t)((d & 31) + ((d >> 5) & 7));
		else if (tr->dur == TPL_MED)
			ev->dur = (int64_t)(2 + (((d & 0x3FF) * (d & 0x3FF)) >> 11));
		else
			ev->dur = (int64_t)(200 + ((d * 20000) >> 16));
	}
	if (!tr->no_tts && ((r2 >> 3) & 15) != 0) {
		ev->tts = th->tts_base + (int64_t)((off * 3) >> 3);
		ev->tdur = ev->dur - ((ev->dur * (int64_t)(r2 & 7)) >> 4);
	} else {
		ev->tts = -1;
		ev->tdur = -1;
	}
	if (__builtin_expect(g->n_busy != 0, 0) && s->thr == g->procs.page_main)
		body_avoid(g, ev);
	return s;
}

void tracebody_fill(struct trace_gen *g, uint64_t bi, struct trace_ev *ev)
{
	const struct trace_slot *s = body_ev(g, bi, ev);
	const struct tracetpl *t = g->tpl[s->tpl].t;

	ev->scope = ev->ph == 'I' || ev->ph == 'R' ? 't' : 0;
	ev->name_iid = ev->cat_iid = g->tpl[s->tpl].iid;
	ev->name = t->name;
	ev->cat = t->cat;
	ev->detail = NULL;
}

#define PUT(q, lit) (memcpy(q, lit, sizeof(lit) - 1), q + sizeof(lit) - 1)
#define PUTN(q, s, n) trace_cpy(q, s, n)

/* One straight-line writer for every phase rather than a function per
 * phase: the phases share most of the sequence, and the event loop's cost
 * is in its branches and copies, so this is kept in one place. */
size_t tracebody_json(struct trace_gen *g, uint64_t bi, char *p)
{
	struct trace_ev ev;
	const struct trace_slot *s = body_ev(g, bi, &ev);
	const struct trace_tpl *tr = &g->tpl[s->tpl];
	const struct trace_thr *th = &g->thr[ev.thread];
	const char *pool = g->pool.data;
	char *q = p;

	if (!s->side) {
		q = PUTN(q, pool + tr->head_a, tr->head_a_len);
		if (tr->has_var) {
			q = trace_u64(q, (uint64_t)ev.value);
			q = PUTN(q, pool + tr->head_b, tr->head_b_len);
		}
		switch (ev.ph) {
		case 'X':
			q = PUT(q, "\"dur\":");
			q = trace_u64(q, (uint64_t)ev.dur);
			*q++ = ',';
			break;
		case 's':
			q = PUT(q, "\"id\":");
			q = trace_u64(q, ev.id);
			*q++ = ',';
			break;
		case 'b':
			q = PUT(q, "\"id2\":{\"local\":\"0x");
			q = trace_hex(q, ev.id);
			q = PUT(q, "\"},");
			break;
		case 'n':
			q = PUT(q, "\"id\":\"0x");
			q = trace_hex(q, ev.id);
			q = PUT(q, "\",");
			break;
		default:
			break;
		}
		q = PUTN(q, pool + tr->name0, tr->name0_len);
	} else {
		q = PUTN(q, pool + tr->end_head, tr->end_head_len);
		if (ev.ph == 'f') {
			q = PUT(q, "\"id\":");
			q = trace_u64(q, ev.id);
			*q++ = ',';
		} else {
			q = PUT(q, "\"id2\":{\"local\":\"0x");
			q = trace_hex(q, ev.id);
			q = PUT(q, "\"},");
		}
		q = PUTN(q, pool + tr->name1, tr->name1_len);
	}
	memcpy(q, th->pid, sizeof(th->pid));
	q += th->pid_len;
	if (ev.ph == 'I' || ev.ph == 'R')
		q = PUT(q, ",\"s\":\"t\"");
	else if (ev.ph == 'X' && ev.tts >= 0) {
		q = PUT(q, ",\"tdur\":");
		q = trace_u64(q, (uint64_t)ev.tdur);
	}
	q = PUTN(q, th->tidts, th->tidts_len);
	q = trace_u64(q, (uint64_t)ev.ts);
	if (ev.tts >= 0) {
		q = PUT(q, ",\"tts\":");
		q = trace_u64(q, (uint64_t)ev.tts);
	}
	*q++ = '}';
	return (size_t)(q - p);
}
