/* tracepage.c - what the page's renderer does during a generated trace, as
 * the trace tools read it: a few main-thread tasks (one long), the V8
 * sampling profile of that thread as Profile and ProfileChunk events whose
 * JS samples fall inside those tasks, Screenshot events with small JPEG
 * frames, and the page-load marks of a Page.navigate.  All are rendered
 * once, at trace_gen_new(), into the pool; trace.c merges them with the
 * body by timestamp like the clock syncs and memory dumps (tracehead.c).
 * Formats: docs/tracegen.md, "The page renderer". */
#include "gen/trace_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "gen/image.h"
#include "gen/profile.h"
#include "rng.h"

#define PAGE_SEED 0x7061676500000005ull
#define PAGE_CHUNK_SAMPLES 100u		 /* Chrome's ProfileChunk size */
#define PAGE_MAX_SAMPLES 2000000u	 /* ~7 min at Chrome's ~200 µs interval */
#define PAGE_SHOT_EVERY_US 100000	 /* default: one screenshot a 100 ms */
#define PAGE_DEFAULT_LONG_TASK_US 120000 /* TBT 70 ms */
#define PAGE_DEFAULT_FCP_US 60000	 /* navigationStart to FCP */
#define PAGE_DEFAULT_LCP_US 90000	 /* navigationStart to LCP */
#define PAGE_SHOT_W 160u
#define PAGE_SHOT_H 120u

struct page_task {
	int64_t ts, dur;
	uint32_t fn; /* scripts fn index of the FunctionCall */
};

struct page_ctx {
	struct trace_gen *g;
	const struct trace_params *p;
	struct rng rng;
	struct trace_extra *x;
	uint32_t n, cap;
	uint32_t main; /* threads[] index of the page's CrRendererMain */
	int32_t pid, tid;
	struct page_task task[8];
	uint32_t ntask;
	const struct scripts *scripts;
	struct scripts *own_scripts;
};

/* Starts an event: an extra whose JSON is what follows in the pool. */
static struct trace_extra *page_begin(struct page_ctx *c, char ph, uint32_t name, uint32_t cat,
				      uint32_t thread, int64_t ts)
{
	if (c->n == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 64;
		struct trace_extra *x = realloc(c->x, cap * sizeof(*x));
		if (!x) {
			buf_set_error(&c->g->pool, CDPM_ENOMEM);
			return NULL;
		}
		c->x = x;
		c->cap = cap;
	}
	struct trace_extra *x = &c->x[c->n++];
	memset(x, 0, sizeof(*x));
	x->kind = TRACE_X_PAGE;
	x->n = 1;
	x->ts = ts;
	x->ph = ph;
	x->name_s = (uint8_t)name;
	x->cat_s = (uint8_t)cat;
	x->thread = thread;
	x->json_off = (uint32_t)c->g->pool.len;
	return x;
}

/* Ends the event started last: its pid, tid, ts and the closing brace. */
static void page_end(struct page_ctx *c, const char *extra_keys)
{
	struct trace_extra *x = &c->x[c->n - 1];
	const struct traceproc_thread *t = &c->g->procs.threads[x->thread];
	struct buf *b = &c->g->pool;

	buf_adds(b, ",\"pid\":");
	buf_add_i64(b, t->pid);
	if (extra_keys)
		buf_adds(b, extra_keys);
	buf_adds(b, ",\"tid\":");
	buf_add_i64(b, t->tid);
	buf_adds(b, ",\"ts\":");
	buf_add_i64(b, x->ts);
	buf_addc(b, '}');
	x->json_len = (uint32_t)(b->len - x->json_off);
}

static int page_on(const struct page_ctx *c, uint32_t cat)
{
	return tracecat_enabled(&c->g->cats, tracehead_str(cat));
}

static void add_frame_id(struct page_ctx *c)
{
	struct buf *b = &c->g->pool;
	buf_reserve(b, c->g->frame_len);
	buf_add(b, b->data + c->g->frame_off, c->g->frame_len);
}

/* ---- tasks ---- */

static void plan_tasks(struct page_ctx *c, int64_t fcp)
{
	const struct trace_params *p = c->p;
	int64_t t0 = c->g->start_us, len = c->g->duration_us;
	int64_t long_us = p->long_task_us ? p->long_task_us : PAGE_DEFAULT_LONG_TASK_US;
	uint32_t nfn = (uint32_t)c->scripts->nfns;

	if (len < 10000)
		return;
	/* Three short tasks over the trace, then the long one: after FCP on
	 * a navigation (where Total Blocking Time counts it), else at 20 %. */
	for (uint32_t i = 0; i < 3; i++) {
		struct page_task *k = &c->task[c->ntask++];
		k->ts = t0 + len * (int64_t)(2 * i + 1) / 8 + (int64_t)rng_below(&c->rng, 2000);
		k->dur = 4000 + (int64_t)rng_below(&c->rng, 14000);
		k->fn = nfn ? (uint32_t)rng_below(&c->rng, nfn) : 0;
	}
	if (long_us > 0) {
		struct page_task *k = &c->task[c->ntask++];
		k->ts = fcp >= 0 ? fcp + 3000 : t0 + len / 5;
		k->dur = long_us;
		k->fn = nfn ? (uint32_t)rng_below(&c->rng, nfn) : 0;
	}
	/* Sorted by start, and never overlapping. */
	for (uint32_t i = 1; i < c->ntask; i++)
		for (uint32_t j = i; j > 0 && c->task[j].ts < c->task[j - 1].ts; j--) {
			struct page_task t = c->task[j];
			c->task[j] = c->task[j - 1];
			c->task[j - 1] = t;
		}
	for (uint32_t i = 1; i < c->ntask; i++)
		if (c->task[i].ts < c->task[i - 1].ts + c->task[i - 1].dur + 1000)
			c->task[i].ts = c->task[i - 1].ts + c->task[i - 1].dur + 1000;
}

static void emit_tasks(struct page_ctx *c)
{
	struct buf *b = &c->g->pool;
	int top = page_on(c, TRACE_S_TOPLEVEL_CAT), tl = page_on(c, TRACE_S_DEVTOOLS_TIMELINE_CAT);
	int v8 = page_on(c, TRACE_S_V8_EXECUTE_CAT), dtl = page_on(c, TRACE_S_TIMELINE_CAT);

	for (uint32_t i = 0; i < c->ntask; i++) {
		const struct page_task *k = &c->task[i];
		const struct scripts_fn *fn = &c->scripts->fn[k->fn];
		const struct scripts_script *s = &c->scripts->script[fn->script];
		int32_t line = fn->line, col = fn->column;

		if (top && page_begin(c, 'X', TRACE_S_RUN_TASK, TRACE_S_TOPLEVEL_CAT, c->main, k->ts)) {
			c->x[c->n - 1].dur = k->dur;
			buf_adds(b, "{\"args\":{},\"cat\":\"toplevel\",\"dur\":");
			buf_add_i64(b, k->dur);
			buf_adds(b, ",\"name\":\"ThreadControllerImpl::RunTask\",\"ph\":\"X\"");
			page_end(c, NULL);
		}
		/* Chrome records each task twice: toplevel and DevTools' own. */
		if (dtl && page_begin(c, 'X', TRACE_S_RUN_TASK_TL, TRACE_S_TIMELINE_CAT, c->main,
				      k->ts)) {
			c->x[c->n - 1].dur = k->dur;
			buf_adds(b, "{\"args\":{},\"cat\":\"disabled-by-default-devtools.timeline\","
				    "\"dur\":");
			buf_add_i64(b, k->dur);
			buf_adds(b, ",\"name\":\"RunTask\",\"ph\":\"X\"");
			page_end(c, NULL);
		}
		if (tl && page_begin(c, 'X', TRACE_S_FUNCTION_CALL, TRACE_S_DEVTOOLS_TIMELINE_CAT,
				     c->main, k->ts + 20)) {
			c->x[c->n - 1].dur = k->dur - 40;
			buf_printf(b, "{\"args\":{\"data\":{\"columnNumber\":%d,\"frame\":\"",
				   (int)col + 1);
			add_frame_id(c);
			buf_adds(b, "\",\"functionName\":");
			buf_add_json_str(b, fn->name, strlen(fn->name), 1);
			buf_printf(b, ",\"lineNumber\":%d,\"scriptId\":\"%s\",\"url\":", (int)line + 1,
				   s->id);
			buf_add_json_str(b, s->url, strlen(s->url), 1);
			buf_adds(b, "}},\"cat\":\"devtools.timeline\",\"dur\":");
			buf_add_i64(b, k->dur - 40);
			buf_adds(b, ",\"name\":\"FunctionCall\",\"ph\":\"X\"");
			page_end(c, NULL);
		}
		if (v8 && page_begin(c, 'X', TRACE_S_CALL_FUNCTION, TRACE_S_V8_EXECUTE_CAT, c->main,
				     k->ts + 40)) {
			c->x[c->n - 1].dur = k->dur - 80;
			buf_adds(b, "{\"args\":{},\"cat\":\"v8.execute\",\"dur\":");
			buf_add_i64(b, k->dur - 80);
			buf_adds(b, ",\"name\":\"V8.Execute\",\"ph\":\"X\"");
			page_end(c, NULL);
		}
	}
}

/* ---- the CPU profile ---- */

/* The Profiler.stop generator's tree, read back: nodes by id with their
 * parents, and the JS samples in order. */
struct page_prof {
	uint32_t n, max_id;
	uint32_t *parent;  /* by id; 0 for the root */
	uint32_t *emitted; /* by id */
	uint32_t *frame;   /* by id: offset of the callFrame JSON in frames */
	struct buf frames;
	uint32_t *js;	   /* sample ids inside tasks */
	uint32_t njs;
	uint32_t root, program, idle;
};

static void prof_free(struct page_prof *f)
{
	free(f->parent);
	free(f->emitted);
	free(f->frame);
	free(f->js);
	buf_clear(&f->frames);
}

static int prof_read(struct page_ctx *c, int64_t js_us, struct page_prof *f)
{
	struct profile_shape sh = {.seed = c->g->seed ^ PAGE_SEED,
				   .start_us = 0,
				   .end_us = js_us,
				   .interval_us = 200,
				   .idle_permille = 1,
				   .scripts = c->scripts};
	struct buf out;
	json_t *root = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	buf_init(&f->frames, 0);
	buf_init(&out, 0);
	rc = profile_write(&sh, &out);
	if (!rc)
		rc = buf_finish(&out);
	if (!rc)
		root = json_loadb(out.data, out.len, 0, NULL);
	buf_clear(&out);
	if (rc || !root)
		return rc ? rc : CDPM_ENOMEM;
	json_t *nodes = json_object_get(root, "nodes"), *samples = json_object_get(root, "samples");
	size_t i, j;
	json_t *v;

	json_array_foreach(nodes, i, v) {
		uint32_t id = (uint32_t)json_integer_value(json_object_get(v, "id"));
		if (id > f->max_id)
			f->max_id = id;
	}
	f->n = (uint32_t)json_array_size(nodes);
	f->parent = calloc(f->max_id + 1, sizeof(uint32_t));
	f->emitted = calloc(f->max_id + 1, sizeof(uint32_t));
	f->frame = calloc(f->max_id + 1, sizeof(uint32_t));
	f->js = calloc(json_array_size(samples) + 1, sizeof(uint32_t));
	if (!f->parent || !f->emitted || !f->frame || !f->js) {
		json_decref(root);
		return CDPM_ENOMEM;
	}
	json_array_foreach(nodes, i, v) {
		uint32_t id = (uint32_t)json_integer_value(json_object_get(v, "id"));
		const json_t *cf = json_object_get(v, "callFrame"), *ch;
		const char *name = json_string_value(json_object_get(cf, "functionName"));
		const char *url = json_string_value(json_object_get(cf, "url"));
		const char *sid_s = json_string_value(json_object_get(cf, "scriptId"));
		long long sid = sid_s ? atoll(sid_s) : 0;
		int synthetic = name && name[0] == '(';

		name = name ? name : "";
		if (!strcmp(name, "(root)"))
			f->root = id;
		else if (!strcmp(name, "(program)"))
			f->program = id;
		else if (!strcmp(name, "(idle)"))
			f->idle = id;
		json_array_foreach(json_object_get(v, "children"), j, ch) {
			uint32_t k = (uint32_t)json_integer_value(ch);
			if (k <= f->max_id)
				f->parent[k] = id;
		}
		/* Chrome's trace form: sorted keys, codeType, a numeric scriptId. */
		f->frame[id] = (uint32_t)f->frames.len;
		buf_printf(&f->frames, "{\"callFrame\":{\"codeType\":\"%s\",",
			   synthetic ? "other" : "JS");
		if (!synthetic)
			buf_printf(&f->frames, "\"columnNumber\":%lld,",
				   (long long)json_integer_value(json_object_get(cf, "columnNumber")));
		buf_adds(&f->frames, "\"functionName\":");
		buf_add_json_str(&f->frames, name, strlen(name), 1);
		if (!synthetic)
			buf_printf(&f->frames, ",\"lineNumber\":%lld",
				   (long long)json_integer_value(json_object_get(cf, "lineNumber")));
		buf_printf(&f->frames, ",\"scriptId\":%lld", synthetic ? 0 : sid);
		if (!synthetic && url && *url) {
			buf_adds(&f->frames, ",\"url\":");
			buf_add_json_str(&f->frames, url, strlen(url), 1);
		}
		buf_printf(&f->frames, "},\"id\":%u", id);
		buf_addc(&f->frames, '\0');
	}
	json_array_foreach(samples, i, v) {
		uint32_t id = (uint32_t)json_integer_value(v);
		if (id && id <= f->max_id && id != f->idle)
			f->js[f->njs++] = id;
	}
	json_decref(root);
	if (!f->root || !f->program || !f->idle)
		return CDPM_EINVAL;
	if (!f->njs)
		f->js[f->njs++] = f->program;
	return buf_finish(&f->frames);
}

/* Appends node id (after its ancestors not sent yet) to the chunk's nodes. */
static void prof_node(struct page_prof *f, uint32_t id, struct buf *nodes)
{
	uint32_t chain[64], n = 0;

	while (id && !f->emitted[id] && n < 64) {
		chain[n++] = id;
		id = f->parent[id];
	}
	while (n--) {
		uint32_t k = chain[n];
		f->emitted[k] = 1;
		if (nodes->len)
			buf_addc(nodes, ',');
		buf_adds(nodes, f->frames.data + f->frame[k]);
		if (f->parent[k])
			buf_printf(nodes, ",\"parent\":%u", f->parent[k]);
		buf_addc(nodes, '}');
	}
}

static void chunk_emit(struct page_ctx *c, int64_t ts, struct buf *nodes, struct buf *samples,
		       struct buf *deltas)
{
	struct buf *b = &c->g->pool;

	if (!page_begin(c, 'P', TRACE_S_PROFILE_CHUNK, TRACE_S_PROFILER_CAT, c->main, ts))
		return;
	buf_adds(b, "{\"args\":{\"data\":{\"cpuProfile\":{");
	if (nodes->len) {
		buf_adds(b, "\"nodes\":[");
		buf_add(b, nodes->data, nodes->len);
		buf_adds(b, "],");
	}
	buf_adds(b, "\"samples\":[");
	buf_add(b, samples->data, samples->len);
	buf_adds(b, "]},\"source\":\"Internal\",\"timeDeltas\":[");
	buf_add(b, deltas->data, deltas->len);
	buf_adds(b, "]}},\"cat\":\"disabled-by-default-v8.cpu_profiler\",\"id\":\"0x1\","
		    "\"name\":\"ProfileChunk\",\"ph\":\"P\"");
	page_end(c, NULL);
	buf_reset(nodes);
	buf_reset(samples);
	buf_reset(deltas);
}

static int emit_profile(struct page_ctx *c)
{
	struct buf *b = &c->g->pool;
	int64_t t0 = c->g->start_us + 40, end = c->g->start_us + c->g->duration_us, js_us = 0;
	struct page_prof f;
	struct buf nodes, samples, deltas;
	int rc;

	for (uint32_t i = 0; i < c->ntask; i++) {
		js_us += c->task[i].dur;
		if (c->task[i].ts + c->task[i].dur > end)
			end = c->task[i].ts + c->task[i].dur;
	}
	if (page_begin(c, 'P', TRACE_S_PROFILE, TRACE_S_PROFILER_CAT, c->main, t0 + 16)) {
		buf_adds(b, "{\"args\":{\"data\":{\"source\":\"Internal\",\"startTime\":");
		buf_add_i64(b, t0);
		buf_adds(b, "}},\"cat\":\"disabled-by-default-v8.cpu_profiler\",\"id\":\"0x1\","
			    "\"name\":\"Profile\",\"ph\":\"P\"");
		page_end(c, NULL);
	}
	buf_init(&nodes, 0);
	buf_init(&samples, 0);
	buf_init(&deltas, 0);
	if (c->p->empty_samples) {
		/* A profile stopped at once: the root and no sample. */
		buf_adds(&nodes, "{\"callFrame\":{\"codeType\":\"other\",\"functionName\":\"(root)\","
				 "\"scriptId\":0},\"id\":1}");
		chunk_emit(c, t0 + 100, &nodes, &samples, &deltas);
		rc = 0;
		goto out;
	}
	rc = prof_read(c, js_us > 1000 ? js_us : 1000, &f);
	if (rc) {
		prof_free(&f);
		goto out;
	}
	prof_node(&f, f.root, &nodes);
	prof_node(&f, f.program, &nodes);
	prof_node(&f, f.idle, &nodes);
	int64_t t = t0 + 50 + (int64_t)rng_below(&c->rng, 200), prev = t0;
	uint32_t k = 0, ti = 0, js = 0, in_chunk = 0;
	while (t < end && k < PAGE_MAX_SAMPLES && !buf_finish(b)) {
		while (ti < c->ntask && c->task[ti].ts + c->task[ti].dur <= t)
			ti++;
		int busy = ti < c->ntask && c->task[ti].ts + 40 <= t &&
			   t < c->task[ti].ts + c->task[ti].dur - 40;
		uint32_t id = busy ? f.js[js++ % f.njs] : f.idle;
		prof_node(&f, id, &nodes);
		if (in_chunk) {
			buf_addc(&samples, ',');
			buf_addc(&deltas, ',');
		}
		buf_add_u64(&samples, id);
		buf_add_i64(&deltas, t - prev);
		prev = t;
		k++;
		if (++in_chunk == PAGE_CHUNK_SAMPLES) {
			chunk_emit(c, t + 30, &nodes, &samples, &deltas);
			in_chunk = 0;
		}
		/* Chrome's trace profiler: ~200 µs apart, a few late. */
		t += 170 + (int64_t)rng_below(&c->rng, 80) +
		     (rng_below(&c->rng, 16) ? 0 : (int64_t)rng_below(&c->rng, 400));
	}
	/* Chrome 156 flushes full chunks only: the samples of a last partial
	 * one never reach the trace.  A profile too short for one full chunk
	 * still gets its partial chunk here, so that it has samples at all. */
	if (in_chunk && k < PAGE_CHUNK_SAMPLES)
		chunk_emit(c, prev + 30, &nodes, &samples, &deltas);
	rc = buf_finish(&nodes);
	if (!rc)
		rc = buf_finish(&samples);
	if (!rc)
		rc = buf_finish(&deltas);
	prof_free(&f);
out:
	buf_clear(&nodes);
	buf_clear(&samples);
	buf_clear(&deltas);
	return rc;
}

/* ---- screenshots ---- */

static void add_base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {a[v >> 18], a[(v >> 12) & 63], i + 1 < n ? a[(v >> 6) & 63] : '=',
			     i + 2 < n ? a[v & 63] : '='};
		buf_add(b, q, 4);
	}
}

/* Three frames: blank, first content, final; offsets of their base64. */
static int shot_frames(struct page_ctx *c, uint32_t off[3], uint32_t len[3])
{
	/* White, then the top third painted (FCP), then two thirds (LCP). */
	static const uint32_t painted[3] = {0, PAGE_SHOT_H / 3, PAGE_SHOT_H * 2 / 3};
	struct buf jpg;
	int rc = 0;

	buf_init(&jpg, 0);
	for (int i = 0; i < 3 && !rc; i++) {
		struct image_fill im = {PAGE_SHOT_W, PAGE_SHOT_H, 255, 255, 255, 255};
		struct image_fill ink = {PAGE_SHOT_W, PAGE_SHOT_H, 40, 60, 110, 255};
		buf_reset(&jpg);
		rc = image_write_jpeg_band(&im, painted[i], &ink, &jpg);
		if (!rc)
			rc = buf_finish(&jpg);
		off[i] = (uint32_t)c->g->pool.len;
		if (!rc)
			add_base64(&c->g->pool, (const unsigned char *)jpg.data, jpg.len);
		len[i] = (uint32_t)(c->g->pool.len - off[i]);
	}
	buf_clear(&jpg);
	return rc ? rc : buf_finish(&c->g->pool);
}

static int emit_screenshots(struct page_ctx *c, int64_t fcp, int64_t lcp)
{
	struct buf *b = &c->g->pool;
	int64_t t0 = c->g->start_us, len = c->g->duration_us;
	uint64_t n;
	uint32_t off[3], flen[3];
	int rc;

	if (c->p->screenshots < 0 || len <= 0)
		return 0;
	n = c->p->screenshots > 0 ? (uint64_t)c->p->screenshots
				  : (uint64_t)(len / PAGE_SHOT_EVERY_US) + 1;
	if (n > TRACE_MAX_SCREENSHOTS)
		n = TRACE_MAX_SCREENSHOTS; /* Chrome stops capturing there */
	rc = shot_frames(c, off, flen);
	if (rc)
		return rc;
	for (uint64_t i = 0; i < n; i++) {
		int64_t ts = t0 + 8000 + (int64_t)((len - 8000 > 0 ? len - 8000 : len) * (double)i / (double)n);
		int f = fcp < 0 ? 2 : ts < fcp ? 0 : (lcp < 0 || ts < lcp) ? 1 : 2;
		if (!page_begin(c, 'I', TRACE_S_SCREENSHOT, TRACE_S_SCREENSHOT_CAT,
				c->g->procs.browser_main, ts))
			break;
		/* Chrome's form: an instant on CrBrowserMain some 12-30 ms after
		 * the frame's expected display time, 60 frames a second. */
		buf_printf(b, "{\"args\":{\"expected_display_time\":%lld,\"frame_sequence\":%lld,"
			      "\"snapshot\":\"",
			   (long long)(ts - 12000 - (int64_t)rng_below(&c->rng, 18000)),
			   (long long)(1 + (int64_t)i + (ts - t0) * 60 / 1000000));
		buf_reserve(b, flen[f]);
		buf_add(b, b->data + off[f], flen[f]);
		buf_adds(b, "\",\"source_id\":4294967296},\"cat\":"
			    "\"disabled-by-default-devtools.screenshot\",\"name\":\"Screenshot\","
			    "\"ph\":\"I\"");
		page_end(c, ",\"s\":\"t\"");
	}
	return 0;
}

/* ---- page-load marks ---- */

static void mark(struct page_ctx *c, uint32_t name, uint32_t cat, int64_t ts, const char *data)
{
	struct buf *b = &c->g->pool;
	if (!page_on(c, cat) || !page_begin(c, 'R', name, cat, c->main, ts))
		return;
	buf_adds(b, "{\"args\":{");
	if (data)
		buf_printf(b, "\"data\":{%s},", data);
	buf_adds(b, "\"frame\":\"");
	add_frame_id(c);
	buf_printf(b, "\"},\"cat\":\"%s\",\"name\":\"%s\",\"ph\":\"R\"", tracehead_str(cat),
		   tracehead_str(name));
	page_end(c, ",\"s\":\"t\"");
}

static void emit_marks(struct page_ctx *c, int64_t nav, int64_t fcp, int64_t lcp, int64_t dcl,
		       int64_t load)
{
	struct buf d;
	const char *nav_id = c->g->nav;

	buf_init(&d, 0);
	buf_adds(&d, "\"documentLoaderURL\":\"");
	buf_add(&d, c->g->pool.data + c->g->url_off, c->g->url_len);
	buf_printf(&d, "\",\"isLoadingMainFrame\":true,\"isOutermostMainFrame\":true,"
		       "\"navigationId\":\"%s\"",
		   nav_id);
	if (!buf_finish(&d))
		mark(c, TRACE_S_NAV_START, TRACE_S_USER_TIMING_CAT, nav, d.data);
	else
		buf_set_error(&c->g->pool, buf_finish(&d));
	buf_reset(&d);
	buf_printf(&d, "\"navigationId\":\"%s\"", nav_id);
	mark(c, TRACE_S_FCP, TRACE_S_LOADING_CAT, fcp, d.data);
	if (lcp >= 0) {
		buf_reset(&d);
		buf_printf(&d,
			   "\"candidateIndex\":1,\"isMainFrame\":true,\"isOutermostMainFrame\":true,"
			   "\"navigationId\":\"%s\",\"nodeId\":4,\"nodeName\":\"H1\","
			   "\"performanceTimelineNavigationId\":1,\"size\":2628,\"type\":\"text\"",
			   nav_id);
		mark(c, TRACE_S_LCP, TRACE_S_LOADING_CAT, lcp, d.data);
	}
	mark(c, TRACE_S_DCL_END, TRACE_S_USER_TIMING_RAIL_CAT, dcl, NULL);
	mark(c, TRACE_S_LOAD_END, TRACE_S_USER_TIMING_CAT, load, NULL);
	buf_clear(&d);
}

int tracepage_extras(struct trace_gen *g, const struct trace_params *p, struct trace_extra **out,
		     uint32_t *n)
{
	struct page_ctx c;
	const struct traceproc *m = &g->procs;
	int64_t nav = -1, fcp = -1, lcp = -1, dcl = -1, load = -1;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	*out = NULL;
	*n = 0;
	c.g = g;
	c.p = p;
	c.main = m->page_main;
	rng_init(&c.rng, g->seed ^ PAGE_SEED);
	if (p->has_nav && p->nav_us >= g->start_us && p->nav_us <= g->start_us + g->duration_us) {
		nav = p->nav_us;
		fcp = nav + PAGE_DEFAULT_FCP_US + (int64_t)rng_below(&c.rng, 8000);
		int64_t lcp0 = nav + PAGE_DEFAULT_LCP_US + (int64_t)rng_below(&c.rng, 8000);
		lcp = p->lcp_us < 0 ? -1 : p->lcp_us > 0 ? nav + p->lcp_us : lcp0;
		if (lcp >= 0 && lcp < fcp)
			fcp = lcp; /* FCP is never after LCP */
		dcl = p->dcl_us > lcp0 + 4000 ? p->dcl_us : lcp0 + 4000;
		load = p->load_us > dcl + 12000 ? p->load_us : dcl + 12000;
	}
	int prof = tracecat_enabled(&g->cats, tracehead_str(TRACE_S_PROFILER_CAT));
	int shots = tracecat_enabled(&g->cats, tracehead_str(TRACE_S_SCREENSHOT_CAT));
	/* The tasks are for the tools that look at a page: a trace with
	 * DevTools' own timeline category, the profiler or a navigation.  A
	 * default-category trace keeps exactly its body events. */
	int dtl = tracecat_enabled(&g->cats, tracehead_str(TRACE_S_TIMELINE_CAT));
	int tasks = (dtl || prof || nav >= 0) &&
		    (dtl || tracecat_enabled(&g->cats, tracehead_str(TRACE_S_TOPLEVEL_CAT)) ||
		     tracecat_enabled(&g->cats, tracehead_str(TRACE_S_DEVTOOLS_TIMELINE_CAT)) ||
		     tracecat_enabled(&g->cats, tracehead_str(TRACE_S_V8_EXECUTE_CAT)));
	if (!prof && !shots && !tasks && nav < 0)
		return 0;
	c.scripts = p->scripts;
	if (!c.scripts) {
		rc = scripts_new(g->seed, &c.own_scripts);
		if (rc)
			return rc;
		c.scripts = c.own_scripts;
	}
	if (c.scripts->nfns)
		plan_tasks(&c, fcp);
	if (tasks) {
		emit_tasks(&c);
		for (uint32_t i = 0; i < c.ntask; i++) {
			g->busy[i][0] = c.task[i].ts;
			g->busy[i][1] = c.task[i].ts + c.task[i].dur;
		}
		g->n_busy = c.ntask;
		g->busy_alt = m->page_main;
		for (uint32_t i = 0; i < m->n_threads; i++)
			if (m->threads[i].proc == m->page && (m->threads[i].cls & TPC_COMP))
				g->busy_alt = i;
	}
	if (nav >= 0)
		emit_marks(&c, nav, fcp, lcp, dcl, load);
	if (prof)
		rc = emit_profile(&c);
	if (!rc && shots)
		rc = emit_screenshots(&c, fcp, lcp);
	if (!rc)
		rc = buf_finish(&g->pool);
	scripts_free(c.own_scripts);
	if (rc) {
		free(c.x);
		return rc;
	}
	*out = c.x;
	*n = c.n;
	return 0;
}
