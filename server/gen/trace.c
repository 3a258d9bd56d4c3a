/* trace.c - the trace generator's API: creation from params, positions and
 * seeking over the metadata head, the body and the extras merged by time,
 * the pull loops, and Chrome's recordMode/buffer-size emulation.  The
 * events themselves come from tracebody.c and tracehead.c. */
#include "gen/trace_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "rng.h"

#define TRACE_POOL_CAP ((size_t)64 << 20)

/* Chrome's buffer holds protobuf: about half the JSON size per event. */
static uint64_t event_cost(uint64_t json_len)
{
	return (json_len + 2) / 2;
}

int trace_pool_add_json(struct buf *pool, const char *s, size_t n, uint32_t *off, uint32_t *len)
{
	size_t start = pool->len;
	int rc = buf_add_json_str(pool, s, n, 1);
	*off = (uint32_t)start;
	*len = (uint32_t)(pool->len - start);
	return rc;
}

/* An escaped string without its quotes, for splicing into args; check
 * buf_finish(pool) later. */
static void pool_add_bare(struct buf *pool, const char *s, uint32_t *off, uint32_t *len)
{
	if (trace_pool_add_json(pool, s, strlen(s), off, len))
		return;
	*off += 1;
	*len -= 2;
}

static int copy_list(const char *const *src, size_t n, char ***dst)
{
	if (!n)
		return 0;
	*dst = calloc(n, sizeof(**dst));
	if (!*dst)
		return CDPM_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *s = src[i] ? src[i] : "";
		if (strlen(s) > TRACE_MAX_STRLEN)
			return CDPM_EINVAL;
		(*dst)[i] = strdup(s);
		if (!(*dst)[i])
			return CDPM_ENOMEM;
	}
	return 0;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i]);
	free(l);
}

static int params_ok(const struct trace_params *p)
{
	if (p->duration_us < 0 || p->duration_us > TRACE_MAX_DURATION_US || p->start_us < 0 ||
	    p->start_us > (INT64_C(1) << 52) || p->n_events > TRACE_MAX_EVENTS)
		return 0;
	if ((p->n_included && !p->included) || (p->n_excluded && !p->excluded) ||
	    (p->n_dumps && !p->dumps) || (p->n_syncs && !p->syncs))
		return 0;
	if ((p->frame_id && strlen(p->frame_id) > TRACE_MAX_STRLEN) ||
	    (p->page_url && strlen(p->page_url) > TRACE_MAX_STRLEN))
		return 0;
	for (size_t i = 0; i < p->n_syncs; i++)
		if (p->syncs[i].id && strlen(p->syncs[i].id) > TRACE_MAX_STRLEN)
			return 0;
	return 1;
}

static void hex_id(char *dst, struct rng *r)
{
	for (int i = 0; i < 32; i++)
		dst[i] = "0123456789ABCDEF"[rng_below(r, 16)];
	dst[32] = '\0';
}

/* Page identity and per-thread pid/tid fragments. */
static int setup_identity(struct trace_gen *g, const struct trace_params *p)
{
	struct rng r;
	char frame[33];

	rng_init(&r, g->seed ^ UINT64_C(0x6672616d65));
	hex_id(frame, &r);
	hex_id(g->nav, &r);
	pool_add_bare(&g->pool, p->frame_id ? p->frame_id : frame, &g->frame_off, &g->frame_len);
	pool_add_bare(&g->pool, p->page_url ? p->page_url : "about:blank", &g->url_off,
		      &g->url_len);
	for (size_t i = 0; i < g->procs.n_threads; i++) {
		const struct traceproc_thread *t = &g->procs.threads[i];
		struct trace_thr *f = &g->thr[i];
		char *e = trace_u64(f->pid, (uint64_t)t->pid);
		f->pid_len = (uint8_t)(e - f->pid);
		memcpy(f->tidts, ",\"tid\":", 7);
		e = trace_u64(f->tidts + 7, (uint64_t)t->tid);
		memcpy(e, ",\"ts\":", 6);
		f->tidts_len = (uint8_t)(e + 6 - f->tidts);
	}
	return buf_finish(&g->pool);
}

static uint64_t body_count(const struct trace_gen *g, const struct trace_params *p)
{
	double rate = p->events_per_s > 0 ? p->events_per_s : TRACE_DEFAULT_RATE;
	double n;

	if (!g->n_tpl)
		return 0;
	if (p->n_events)
		return p->n_events;
	n = floor(rate * (double)p->duration_us / 1e6 * tracebody_weight_share(g) + 0.5);
	if (!(n >= 0))
		return 0;
	return n > (double)TRACE_MAX_EVENTS ? TRACE_MAX_EVENTS : (uint64_t)n;
}

static uint64_t merged_count(const struct trace_gen *g)
{
	return g->n_body + g->n_extra_events;
}

uint64_t trace_gen_count(const struct trace_gen *g)
{
	return g->n_head + g->win_n;
}

uint64_t trace_gen_head_count(const struct trace_gen *g)
{
	return g->n_head;
}

uint64_t trace_gen_tell(const struct trace_gen *g)
{
	return g->pos;
}

void trace_gen_seek(struct trace_gen *g, uint64_t index)
{
	uint64_t end = trace_gen_count(g), m;
	uint32_t lo = 0, hi = g->n_extra;

	g->pos = index < end ? index : end;
	m = g->pos < g->n_head ? g->win0 : g->win0 + (g->pos - g->n_head);
	/* The last extra whose first event is at merged index <= m. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct trace_extra *x = &g->extra[mid];
		if (x->body_pos + x->cum <= m)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0) {
		g->xi = 0;
		g->xk = 0;
		g->body = m;
		return;
	}
	const struct trace_extra *x = &g->extra[lo - 1];
	uint64_t first = x->body_pos + x->cum;
	if (m < first + x->n) {
		g->xi = lo - 1;
		g->xk = (uint32_t)(m - first);
		g->body = x->body_pos;
	} else {
		g->xi = lo;
		g->xk = 0;
		g->body = m - (x->cum + x->n);
	}
}

void trace_gen_skip(struct trace_gen *g, uint64_t n)
{
	uint64_t end = trace_gen_count(g);
	trace_gen_seek(g, n >= end - g->pos ? end : g->pos + n);
}

/* Whether the next non-head event is an extra. */
static int at_extra(const struct trace_gen *g)
{
	return g->xi < g->n_extra && g->extra[g->xi].body_pos <= g->body;
}

static void step_extra(struct trace_gen *g)
{
	if (++g->xk == g->extra[g->xi].n) {
		g->xi++;
		g->xk = 0;
	}
}

/* Appends the JSON of the event at the position and steps past it. */
static int emit_json(struct trace_gen *g, struct buf *out)
{
	int rc;

	if (g->pos < g->n_head) {
		const struct trace_headev *h = &g->head[g->pos];
		rc = buf_add(out, g->pool.data + h->json_off, h->json_len);
	} else if (at_extra(g)) {
		rc = tracehead_extra_json(g, g->xi, g->xk, out);
		if (!rc)
			step_extra(g);
	} else {
		rc = buf_reserve(out, g->max_bound + TRACE_SLACK);
		if (!rc) {
			out->len += tracebody_json(g, g->body, out->data + out->len);
			out->data[out->len] = '\0';
			g->body++;
		}
	}
	if (!rc)
		g->pos++;
	return rc;
}

struct trace_mark {
	uint64_t pos, body;
	uint32_t xi, xk;
};

static void mark_save(const struct trace_gen *g, struct trace_mark *m)
{
	m->pos = g->pos;
	m->body = g->body;
	m->xi = g->xi;
	m->xk = g->xk;
}

static void mark_restore(struct trace_gen *g, const struct trace_mark *m)
{
	g->pos = m->pos;
	g->body = m->body;
	g->xi = m->xi;
	g->xk = m->xk;
}

/* The hot loop: consecutive body events (no head, no extra in between)
 * written straight into out.  Returns 1 when this call is full. */
static int body_run(struct trace_gen *g, struct buf *out, size_t start, size_t max_bytes,
		    size_t max_events, const char *sep, size_t sep_len, size_t *n, int *rc)
{
	uint64_t stop = g->body + (trace_gen_count(g) - g->pos);
	size_t need = g->max_bound + sep_len + TRACE_SLACK;
	int full = 0;

	if (g->xi < g->n_extra && g->extra[g->xi].body_pos < stop)
		stop = g->extra[g->xi].body_pos;
	while (*n < max_events && g->body < stop) {
		*rc = buf_reserve(out, need);
		if (*rc)
			break;
		char *q = out->data + out->len;
		size_t add = 0;
		if (*n) {
			memcpy(q, sep, sep_len);
			add = sep_len;
		}
		add += tracebody_json(g, g->body, q + add);
		if (*n && out->len + add - start > max_bytes) {
			full = 1;
			break;
		}
		out->len += add;
		g->body++;
		g->pos++;
		(*n)++;
	}
	if (out->data)
		out->data[out->len] = '\0';
	return full || *rc;
}

size_t trace_gen_next_room(const struct trace_gen *g, size_t max_bytes, size_t sep_len)
{
	/* body_run writes one event past max_bytes before it sees it full. */
	return max_bytes + g->max_bound + sep_len + TRACE_SLACK;
}

int trace_gen_next_sep(struct trace_gen *g, struct buf *out, size_t max_bytes, size_t max_events,
		       const char *sep, size_t sep_len, size_t *n_events)
{
	uint64_t end = trace_gen_count(g);
	size_t start = out->len, n = 0;
	int rc = 0;

	while (n < max_events && g->pos < end) {
		if (g->pos >= g->n_head && !at_extra(g)) {
			if (body_run(g, out, start, max_bytes, max_events, sep, sep_len, &n, &rc))
				break;
			continue;
		}
		struct trace_mark m;
		size_t len = out->len;
		mark_save(g, &m);
		rc = n ? buf_add(out, sep, sep_len) : 0;
		if (!rc)
			rc = emit_json(g, out);
		if (!rc && n && out->len - start > max_bytes)
			rc = CDPM_ETOOBIG; /* not an error: this call is full */
		if (rc) {
			mark_restore(g, &m);
			out->len = len;
			if (out->data)
				out->data[len] = '\0';
			break;
		}
		n++;
	}
	*n_events = n;
	/* Running into out's cap after whole events just ends this batch: the
	 * failed trial append is undone, error and all.  With no event at
	 * all, the error stays in out for its owner's buf_finish(). */
	if (rc && n)
		buf_rewind(out, out->len);
	return n ? 0 : rc;
}

int trace_gen_next(struct trace_gen *g, struct buf *out, size_t max_bytes, size_t max_events,
		   size_t *n_events)
{
	return trace_gen_next_sep(g, out, max_bytes, max_events, ",", 1, n_events);
}

int trace_gen_next_ev(struct trace_gen *g, struct trace_ev *ev)
{
	if (g->pos >= trace_gen_count(g))
		return 0;
	if (g->pos < g->n_head) {
		*ev = g->head[g->pos].ev;
	} else if (at_extra(g)) {
		tracehead_extra_ev(g, g->xi, g->xk, ev);
		step_extra(g);
	} else {
		tracebody_fill(g, g->body, ev);
		g->body++;
	}
	g->pos++;
	return 1;
}

int trace_gen_measure(struct trace_gen *g, uint64_t first, uint64_t n, uint64_t *bytes)
{
	struct trace_mark m;
	struct buf tmp;
	uint64_t total = 0, end;
	int rc = 0;

	mark_save(g, &m);
	buf_init(&tmp, 0);
	trace_gen_seek(g, first);
	end = n > trace_gen_count(g) - g->pos ? trace_gen_count(g) : g->pos + n;
	while (g->pos < end && !rc) {
		rc = emit_json(g, &tmp);
		if (tmp.len > 1 << 16 || g->pos == end) {
			total += tmp.len;
			buf_reset(&tmp);
		}
	}
	buf_clear(&tmp);
	mark_restore(g, &m);
	*bytes = total;
	return rc;
}

/* ---- recordMode / traceBufferSizeInKb ---- */

/* The JSON length of each merged event in [from, from + n), into len[]. */
static int merged_lengths(struct trace_gen *g, uint64_t from, uint32_t n, uint32_t *len,
			  struct buf *tmp)
{
	int rc = 0;

	trace_gen_seek(g, g->n_head + from);
	for (uint32_t i = 0; i < n && !rc; i++) {
		buf_reset(tmp);
		rc = emit_json(g, tmp);
		len[i] = (uint32_t)tmp->len;
	}
	return rc;
}

#define FIT_CHUNK 4096u

/* Keeps the longest prefix (until-full) or suffix (continuously) of the
 * merged events whose cost fits after the head's; the head always stays. */
static int fit_window(struct trace_gen *g, uint64_t budget, int ring, uint64_t head_cost,
		      uint64_t *used)
{
	uint64_t total = merged_count(g), kept = 0, cost = head_cost;
	uint32_t *len = malloc(FIT_CHUNK * sizeof(*len));
	struct buf tmp;
	int rc = 0, full = 0;

	if (!len)
		return CDPM_ENOMEM;
	buf_init(&tmp, 0);
	while (!full && kept < total && !rc) {
		uint32_t n = total - kept < FIT_CHUNK ? (uint32_t)(total - kept) : FIT_CHUNK;
		uint64_t from = ring ? total - kept - n : kept;
		rc = merged_lengths(g, from, n, len, &tmp);
		for (uint32_t i = 0; i < n && !rc; i++) {
			uint64_t c = event_cost(len[ring ? n - 1 - i : i]);
			if (cost + c > budget) {
				full = 1;
				break;
			}
			cost += c;
			kept++;
		}
	}
	buf_clear(&tmp);
	free(len);
	g->win0 = ring ? total - kept : 0;
	g->win_n = kept;
	*used = cost;
	return rc;
}

static int apply_record_mode(struct trace_gen *g, const struct trace_params *p)
{
	uint64_t total = merged_count(g), head_cost = 0, used = 0, bound;
	uint64_t budget = p->buffer_kb * 1024;
	int rc;

	g->win0 = 0;
	g->win_n = total;
	g->loss.kept = g->n_head + total;
	if (!p->buffer_kb || p->record_mode == TRACE_RECORD_AS_MUCH_AS_POSSIBLE ||
	    p->buffer_kb > UINT64_MAX / 2048)
		return 0;
	for (uint32_t i = 0; i < g->n_head; i++)
		head_cost += event_cost(g->head[i].json_len);
	/* Skip the pass when even the largest events would fit. */
	bound = head_cost + event_cost(g->max_bound) * g->n_body +
		event_cost(tracehead_extra_bound(g)) * g->n_extra_events;
	if (bound <= budget) {
		/* Nothing can be lost: estimate the fill from the mean size. */
		double cost = (double)head_cost +
			      (double)event_cost((uint64_t)trace_gen_avg_bytes(g)) * (double)total;
		g->loss.percent_full = cost >= (double)budget ? 1.0 : cost / (double)budget;
		return 0;
	}
	rc = fit_window(g, budget, p->record_mode == TRACE_RECORD_CONTINUOUSLY, head_cost, &used);
	if (rc)
		return rc;
	g->loss.dropped = total - g->win_n;
	g->loss.data_loss = g->loss.dropped > 0;
	g->loss.kept = g->n_head + g->win_n;
	g->loss.percent_full = used >= budget ? 1.0 : (double)used / (double)budget;
	return 0;
}

void trace_gen_loss(const struct trace_gen *g, struct trace_loss *loss)
{
	*loss = g->loss;
}

double trace_gen_avg_bytes(struct trace_gen *g)
{
	if (!g->avg_done) {
		struct trace_mark m;
		struct buf tmp;
		uint64_t n = g->n_body < 4096 ? g->n_body : 4096, total = 0;
		mark_save(g, &m);
		buf_init(&tmp, 0);
		/* Body events only: their mean is what grows with time. */
		for (uint64_t i = 0; i < n; i++) {
			buf_reset(&tmp);
			if (buf_reserve(&tmp, g->max_bound + TRACE_SLACK))
				break;
			total += tracebody_json(g, i * (g->n_body / n), tmp.data);
		}
		buf_clear(&tmp);
		mark_restore(g, &m);
		g->avg_bytes = n ? (double)total / (double)n : 0;
		g->avg_done = 1;
	}
	return g->avg_bytes;
}

int64_t trace_gen_start_us(const struct trace_gen *g)
{
	return g->start_us;
}

const struct traceproc *trace_gen_procs(const struct trace_gen *g)
{
	return &g->procs;
}

uint32_t trace_gen_max_iid(const struct trace_gen *g)
{
	(void)g;
	return (uint32_t)tracetpl_count + TRACE_S_COUNT;
}

int trace_gen_cat_enabled(const struct trace_gen *g, const char *group)
{
	return tracecat_enabled(&g->cats, group);
}

/* Points the head events' strings into the (now final) pool. */
static void fix_head(struct trace_gen *g)
{
	for (uint32_t i = 0; i < g->n_head; i++) {
		struct trace_headev *h = &g->head[i];
		if (h->detail_off != UINT32_MAX)
			h->ev.detail = g->pool.data + h->detail_off;
	}
}

struct trace_gen *trace_gen_new(const struct trace_params *p)
{
	struct trace_gen *g;
	int rc;

	if (!p || !params_ok(p))
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->seed = p->seed;
	g->start_us = p->start_us;
	g->duration_us = p->duration_us;
	g->blk = UINT64_MAX;
	buf_init(&g->pool, TRACE_POOL_CAP);
	rc = copy_list(p->included, p->n_included, &g->incl);
	g->n_incl = g->incl ? p->n_included : 0;
	if (!rc)
		rc = copy_list(p->excluded, p->n_excluded, &g->excl);
	g->n_excl = g->excl ? p->n_excluded : 0;
	if (rc)
		goto fail;
	tracecat_init(&g->cats, (const char *const *)g->incl, g->n_incl,
		      (const char *const *)g->excl, g->n_excl);
	traceproc_build(&g->procs, p->seed, p->page_only);
	rc = setup_identity(g, p);
	if (!rc)
		rc = tracebody_init(g);
	if (rc)
		goto fail;
	g->n_body = body_count(g, p);
	if (g->n_body)
		g->step_fp = ((trace_u128)(uint64_t)p->duration_us << 24) / g->n_body;
	rc = tracehead_init(g, p);
	if (!rc)
		rc = tracehead_extras(g, p);
	if (rc)
		goto fail;
	/* Fragments are read in 16-byte strides (trace_cpy). */
	buf_add(&g->pool, (const char[TRACE_SLACK]){0}, TRACE_SLACK);
	if (buf_finish(&g->pool))
		goto fail;
	fix_head(g);
	rc = apply_record_mode(g, p);
	if (rc)
		goto fail;
	trace_gen_seek(g, 0);
	return g;
fail:
	trace_gen_free(g);
	return NULL;
}

void trace_gen_free(struct trace_gen *g)
{
	if (!g)
		return;
	free_list(g->incl, g->n_incl);
	free_list(g->excl, g->n_excl);
	free(g->thr_list);
	free(g->tpl);
	free(g->alias_prob);
	free(g->alias_idx);
	free(g->head);
	free(g->extra);
	buf_clear(&g->pool);
	free(g);
}
