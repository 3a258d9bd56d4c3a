/* tracehead.c - the events around the body of a generated trace: the
 * leading metadata (thread and process names, uptimes, ActiveProcesses,
 * TracingStartedInBrowser) rendered once at creation, and the "extras"
 * placed among body events by timestamp: clock_sync "c" events and
 * memory-infra "v" dumps.  Rare events, so plain buf calls are fine here. */
#include "gen/trace_int.h"

#include <stdlib.h>
#include <string.h>

#include "cdpm.h"

static const char *const head_strs[TRACE_S_COUNT] = {
    [TRACE_S_THREAD_NAME] = "thread_name",
    [TRACE_S_PROCESS_NAME] = "process_name",
    [TRACE_S_UPTIME] = "process_uptime_seconds",
    [TRACE_S_ACTIVE] = "ActiveProcesses",
    [TRACE_S_STARTED] = "TracingStartedInBrowser",
    [TRACE_S_CLOCK_SYNC] = "clock_sync",
    [TRACE_S_PERIODIC] = "periodic_interval",
    [TRACE_S_EXPLICIT] = "explicitly_triggered",
    [TRACE_S_META_CAT] = "__metadata",
    [TRACE_S_TIMELINE_CAT] = "disabled-by-default-devtools.timeline",
    [TRACE_S_MEMORY_CAT] = "disabled-by-default-memory-infra",
    [TRACE_S_PROFILE] = "Profile",
    [TRACE_S_PROFILE_CHUNK] = "ProfileChunk",
    [TRACE_S_PROFILER_CAT] = "disabled-by-default-v8.cpu_profiler",
    [TRACE_S_SCREENSHOT] = "Screenshot",
    [TRACE_S_SCREENSHOT_CAT] = "disabled-by-default-devtools.screenshot",
    [TRACE_S_NAV_START] = "navigationStart",
    [TRACE_S_FCP] = "firstContentfulPaint",
    [TRACE_S_LCP] = "largestContentfulPaint::Candidate",
    [TRACE_S_DCL_END] = "domContentLoadedEventEnd",
    [TRACE_S_LOAD_END] = "loadEventEnd",
    [TRACE_S_USER_TIMING_CAT] = "blink.user_timing",
    [TRACE_S_USER_TIMING_RAIL_CAT] = "blink.user_timing,rail",
    [TRACE_S_LOADING_CAT] = "loading,rail,devtools.timeline",
    [TRACE_S_RUN_TASK] = "ThreadControllerImpl::RunTask",
    [TRACE_S_RUN_TASK_TL] = "RunTask",
    [TRACE_S_TOPLEVEL_CAT] = "toplevel",
    [TRACE_S_FUNCTION_CALL] = "FunctionCall",
    [TRACE_S_DEVTOOLS_TIMELINE_CAT] = "devtools.timeline",
    [TRACE_S_CALL_FUNCTION] = "V8.Execute",
    [TRACE_S_V8_EXECUTE_CAT] = "v8.execute",
};

static uint32_t str_iid(uint32_t s)
{
	return (uint32_t)tracetpl_count + 1 + s;
}

const char *tracehead_str(uint32_t s)
{
	return s < TRACE_S_COUNT ? head_strs[s] : "";
}

uint32_t tracehead_str_iid(uint32_t s)
{
	return str_iid(s);
}

/* Starts a head event: the ev fields and the JSON up to "args". */
static struct trace_headev *head_new(struct trace_gen *g, char ph, uint32_t name, uint32_t cat,
				     uint32_t thread)
{
	struct trace_headev *h = &g->head[g->n_head++];
	const struct traceproc_thread *t = thread == UINT32_MAX ? NULL : &g->procs.threads[thread];

	memset(h, 0, sizeof(*h));
	h->ev.ph = ph;
	h->ev.name_iid = str_iid(name);
	h->ev.cat_iid = str_iid(cat);
	h->ev.name = head_strs[name];
	h->ev.cat = head_strs[cat];
	h->ev.thread = thread;
	h->ev.pid = t ? t->pid : 0;
	h->ev.tid = t ? t->tid : 0;
	h->ev.tts = -1;
	h->ev.tdur = -1;
	h->detail_off = UINT32_MAX;
	h->json_off = (uint32_t)g->pool.len;
	return h;
}

static void head_end(struct trace_gen *g, struct trace_headev *h)
{
	h->json_len = (uint32_t)(g->pool.len - h->json_off);
}

/* The head builders append to the pool freely; tracehead_init() checks
 * buf_finish() of it once, at the end. */

/* {"args":{"<key>":"<val>"},"cat":"__metadata","name":..,"ph":"M","pid":..,"tid":..,"ts":0} */
static void head_meta(struct trace_gen *g, uint32_t name, uint32_t thread, int32_t pid, int32_t tid,
		     const char *key, const char *val)
{
	struct trace_headev *h = head_new(g, 'M', name, TRACE_S_META_CAT, thread);
	struct buf *b = &g->pool;

	h->ev.pid = pid;
	h->ev.tid = tid;
	buf_printf(b, "{\"args\":{\"%s\":", key);
	buf_add_json_str(b, val, strlen(val), 1);
	buf_printf(b, "},\"cat\":\"__metadata\",\"name\":\"%s\",\"ph\":\"M\",\"pid\":",
		   head_strs[name]);
	buf_add_i64(b, pid);
	buf_adds(b, ",\"tid\":");
	buf_add_i64(b, tid);
	buf_adds(b, ",\"ts\":0}");
	head_end(g, h);
	/* The raw value (for other encoders) goes after the JSON. */
	h->detail_off = (uint32_t)b->len;
	buf_add(b, val, strlen(val) + 1);
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static void head_active(struct trace_gen *g)
{
	struct trace_headev *h = head_new(g, 'I', TRACE_S_ACTIVE, TRACE_S_META_CAT, UINT32_MAX);
	struct buf *b = &g->pool;
	int32_t pids[TRACEPROC_MAX_PROCS];
	size_t n = g->procs.n_procs;

	h->ev.scope = 'g';
	h->ev.ts = g->start_us;
	for (size_t i = 0; i < n; i++)
		pids[i] = g->procs.procs[i].pid;
	qsort(pids, n, sizeof(pids[0]), cmp_i32);
	buf_adds(b, "{\"args\":{\"chrome_active_processes\":{\"pid\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		buf_add_i64(b, pids[i]);
	}
	buf_adds(b, "]}},\"cat\":\"__metadata\",\"name\":\"ActiveProcesses\","
		    "\"ph\":\"I\",\"pid\":0,\"s\":\"g\",\"tid\":0,\"ts\":");
	buf_add_i64(b, g->start_us);
	buf_addc(b, '}');
	head_end(g, h);
}

/* docs/clients.md §10 item 11: timeline tools need TracingStartedInBrowser. */
static void head_started(struct trace_gen *g)
{
	const struct traceproc *m = &g->procs;
	struct trace_headev *h =
	    head_new(g, 'I', TRACE_S_STARTED, TRACE_S_TIMELINE_CAT, m->browser_main);
	struct buf *b = &g->pool;

	h->ev.scope = 't';
	h->ev.ts = g->start_us;
	h->ev.tts = m->threads[m->browser_main].tts_base;
	buf_adds(b, "{\"args\":{\"data\":{\"frameTreeNodeId\":1,\"frames\":[{\"frame\":\"");
	/* The frame id and URL are copied from the pool itself: make room
	 * first, so that growing cannot move them away mid-copy. */
	buf_reserve(b, g->frame_len);
	buf_add(b, b->data + g->frame_off, g->frame_len);
	buf_adds(b, "\",\"isInPrimaryMainFrame\":true,\"isOutermostMainFrame\":true,"
		    "\"name\":\"\",\"processId\":");
	buf_add_i64(b, m->threads[m->page_main].pid);
	buf_adds(b, ",\"url\":\"");
	buf_reserve(b, g->url_len);
	buf_add(b, b->data + g->url_off, g->url_len);
	buf_adds(b, "\"}],\"persistentIds\":true}},\"cat\":"
		    "\"disabled-by-default-devtools.timeline\",\"name\":"
		    "\"TracingStartedInBrowser\",\"ph\":\"I\",\"pid\":");
	buf_add_i64(b, h->ev.pid);
	buf_adds(b, ",\"s\":\"t\",\"tid\":");
	buf_add_i64(b, h->ev.tid);
	buf_adds(b, ",\"ts\":");
	buf_add_i64(b, h->ev.ts);
	buf_adds(b, ",\"tts\":");
	buf_add_i64(b, h->ev.tts);
	buf_addc(b, '}');
	head_end(g, h);
}

int tracehead_init(struct trace_gen *g, const struct trace_params *p)
{
	const struct traceproc *m = &g->procs;
	char num[16];

	(void)p;
	g->head = calloc(3 + m->n_threads + 2 * m->n_procs, sizeof(*g->head));
	if (!g->head)
		return CDPM_ENOMEM;
	/* As in Chrome: swapper first, main threads, the other threads, then
	 * process names and uptimes (docs/chrome.md §7.5). */
	head_meta(g, TRACE_S_THREAD_NAME, UINT32_MAX, 0, 0, "name", "swapper");
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < m->n_threads; i++) {
			const struct traceproc_thread *t = &m->threads[i];
			int is_main = m->procs[t->proc].main_thread == i;
			if (is_main == (pass == 0))
				head_meta(g, TRACE_S_THREAD_NAME, i, t->pid, t->tid, "name",
					  t->name);
		}
	for (uint32_t i = 0; i < m->n_procs; i++)
		head_meta(g, TRACE_S_PROCESS_NAME, m->procs[i].main_thread, m->procs[i].pid, 0,
			  "name", m->procs[i].name);
	for (uint32_t i = 0; i < m->n_procs; i++) {
		char *e = trace_u64(num, m->procs[i].uptime_s);
		*e = '\0';
		head_meta(g, TRACE_S_UPTIME, m->procs[i].main_thread, m->procs[i].pid, 0,
			  "uptime", num);
	}
	head_active(g);
	if (tracecat_enabled(&g->cats, head_strs[TRACE_S_TIMELINE_CAT]))
		head_started(g);
	return buf_finish(&g->pool);
}

/* ---- extras ---- */

/* A detailed dump is one event per process of 64 KiB to about 1.5 MB
 * (Chrome's biggest frames, CHROMIUM.md §4.3); the browser's is largest. */
#define DUMP_MIN_BYTES 70000u
#define DUMP_MAX_BYTES 1490000u
#define DUMP_ENTRY_BYTES 200u

static int cmp_extra(const void *a, const void *b)
{
	const struct trace_extra *x = a, *y = b;
	if (x->ts != y->ts)
		return (x->ts > y->ts) - (x->ts < y->ts);
	/* Ties keep the order they were added in (guid holds it for syncs). */
	return (x->cum > y->cum) - (x->cum < y->cum);
}

static uint64_t body_pos(const struct trace_gen *g, int64_t ts)
{
	if (ts <= g->start_us || !g->n_body)
		return 0;
	if (ts - g->start_us >= g->duration_us)
		return g->n_body;
	trace_u128 x = (trace_u128)(uint64_t)(ts - g->start_us) * g->n_body;
	return (uint64_t)((x + (uint64_t)g->duration_us - 1) / (uint64_t)g->duration_us);
}

static struct trace_extra *extra_add(struct trace_gen *g, int kind, int64_t ts)
{
	struct trace_extra *x = &g->extra[g->n_extra];
	memset(x, 0, sizeof(*x));
	x->kind = (uint8_t)kind;
	x->ts = ts;
	x->cum = g->n_extra++; /* insertion order, for the sort */
	return x;
}

int tracehead_extras(struct trace_gen *g, const struct trace_params *p)
{
	int dumps = tracecat_enabled(&g->cats, head_strs[TRACE_S_MEMORY_CAT]);
	uint64_t periodic = 0, n;
	struct trace_extra *page = NULL;
	uint32_t n_page = 0;
	int rc = 0;

	if (dumps && p->periodic_dump_ms && g->duration_us > 0)
		periodic = (uint64_t)g->duration_us / (p->periodic_dump_ms * UINT64_C(1000));
	n = p->n_syncs + (dumps ? p->n_dumps + periodic : 0);
	if (n > TRACE_MAX_EXTRAS)
		return CDPM_ETOOBIG;
	rc = tracepage_extras(g, p, &page, &n_page);
	if (rc)
		return rc;
	n += n_page;
	if (!n)
		return 0;
	g->extra = calloc(n, sizeof(*g->extra));
	if (!g->extra) {
		free(page);
		return CDPM_ENOMEM;
	}
	for (uint32_t i = 0; i < n_page; i++) {
		struct trace_extra *x = extra_add(g, TRACE_X_PAGE, page[i].ts);
		uint64_t cum = x->cum;
		*x = page[i];
		x->cum = cum;
	}
	free(page);
	for (size_t i = 0; i < p->n_syncs; i++) {
		const char *id = p->syncs[i].id ? p->syncs[i].id : "";
		struct trace_extra *x = extra_add(g, TRACE_X_SYNC, p->syncs[i].ts_us);
		x->n = 1;
		trace_pool_add_json(&g->pool, id, strlen(id), &x->json_off, &x->json_len);
		x->raw_off = (uint32_t)g->pool.len;
		buf_add(&g->pool, id, strlen(id) + 1);
	}
	rc = buf_finish(&g->pool);
	for (size_t i = 0; dumps && i < p->n_dumps; i++) {
		struct trace_extra *x = extra_add(g, TRACE_X_DUMP, p->dumps[i].ts_us);
		x->guid = p->dumps[i].guid;
		x->level = (uint8_t)p->dumps[i].level;
		x->explicit_ = 1;
	}
	/* Chrome's default memory-infra triggers: light every period, detailed
	 * every 8th (250 ms / 2 s). */
	for (uint64_t k = 1; k <= periodic; k++) {
		struct trace_extra *x = extra_add(
		    g, TRACE_X_DUMP, g->start_us + (int64_t)(k * p->periodic_dump_ms * 1000));
		x->guid = k - 1;
		x->level = k % 8 == 0 ? TRACE_DUMP_DETAILED : TRACE_DUMP_LIGHT;
	}
	if (rc)
		return rc;
	if (dumps)
		g->max_dump_bytes = DUMP_MAX_BYTES + 4096;
	qsort(g->extra, g->n_extra, sizeof(*g->extra), cmp_extra);
	for (uint32_t i = 0; i < g->n_extra; i++) {
		struct trace_extra *x = &g->extra[i];
		if (x->kind == TRACE_X_DUMP)
			x->n = (uint32_t)g->procs.n_procs;
		x->body_pos = body_pos(g, x->ts);
		x->cum = g->n_extra_events;
		g->n_extra_events += x->n;
	}
	return 0;
}

size_t tracehead_extra_bound(const struct trace_gen *g)
{
	size_t max = 0;
	for (uint32_t i = 0; i < g->n_extra; i++)
		if (g->extra[i].kind != TRACE_X_DUMP && g->extra[i].json_len > max)
			max = g->extra[i].json_len;
	/* A light dump is about 1 kB, a detailed one up to DUMP_MAX_BYTES. */
	return (g->max_dump_bytes > 4096 ? g->max_dump_bytes : 4096) + max;
}

static const char *const level_names[] = {"background", "light", "detailed"};

/* Dump event k of a round: one per process, the browser's on MemoryInfra. */
static uint32_t dump_thread(const struct trace_gen *g, uint32_t k)
{
	const struct traceproc *m = &g->procs;
	return k == m->browser ? m->browser_mem : m->procs[k].main_thread;
}

void tracehead_extra_ev(const struct trace_gen *g, uint32_t xi, uint32_t xk, struct trace_ev *ev)
{
	const struct trace_extra *x = &g->extra[xi];
	const struct traceproc *m = &g->procs;
	uint32_t thread = x->kind == TRACE_X_SYNC   ? m->browser_main
			  : x->kind == TRACE_X_PAGE ? x->thread
						    : dump_thread(g, xk);
	const struct traceproc_thread *t = &m->threads[thread];

	memset(ev, 0, sizeof(*ev));
	ev->thread = thread;
	ev->pid = t->pid;
	ev->tid = t->tid;
	ev->ts = x->ts;
	ev->tdur = -1;
	ev->tts = -1;
	if (x->kind == TRACE_X_PAGE) {
		ev->ph = x->ph;
		ev->scope = x->ph == 'I' || x->ph == 'R' ? 't' : 0;
		ev->name_iid = str_iid(x->name_s);
		ev->cat_iid = str_iid(x->cat_s);
		ev->name = head_strs[x->name_s];
		ev->cat = head_strs[x->cat_s];
		ev->dur = x->dur;
		ev->id = 1;
	} else if (x->kind == TRACE_X_SYNC) {
		ev->ph = 'c';
		ev->name_iid = str_iid(TRACE_S_CLOCK_SYNC);
		ev->cat_iid = str_iid(TRACE_S_META_CAT);
		ev->name = head_strs[TRACE_S_CLOCK_SYNC];
		ev->cat = head_strs[TRACE_S_META_CAT];
		ev->tts = t->tts_base + ((x->ts - g->start_us) * 3 >> 3);
		ev->detail = g->pool.data + x->raw_off;
	} else {
		uint32_t name = x->explicit_ ? TRACE_S_EXPLICIT : TRACE_S_PERIODIC;
		ev->ph = 'v';
		ev->name_iid = str_iid(name);
		ev->cat_iid = str_iid(TRACE_S_MEMORY_CAT);
		ev->name = head_strs[name];
		ev->cat = head_strs[TRACE_S_MEMORY_CAT];
		ev->id = x->guid;
		ev->detail = level_names[x->level < 3 ? x->level : 1];
	}
}

/* Allocator dumps, sorted by name as Chrome's JSON writer sorts keys. */
static const char *const light_allocs[] = {"blink_gc", "malloc", "partition_alloc/partitions",
					   "v8"};
static const char *const detailed_allocs[] = {"blink_gc",
					      "blink_objects/Document",
					      "cc/tile_memory",
					      "discardable",
					      "font_caches",
					      "gpu/gl",
					      "malloc",
					      "malloc/allocated_objects",
					      "partition_alloc/partitions",
					      "partition_alloc/partitions/array_buffer",
					      "skia/sk_glyph_cache",
					      "sqlite",
					      "v8",
					      "v8/main/heap/code_space",
					      "v8/main/heap/new_space",
					      "v8/main/heap/old_space",
					      "web_cache"};

static uint64_t dump_size(const struct trace_gen *g, const struct trace_extra *x, uint32_t k,
			  uint32_t a)
{
	uint64_t h = g->seed ^ (x->guid * UINT64_C(0x9E3779B97F4A7C15)) ^ ((uint64_t)k << 40) ^ a;
	h ^= h >> 33;
	h *= UINT64_C(0xFF51AFD7ED558CCD);
	h ^= h >> 33;
	return 0x10000 + (h & 0x3FFFFFF);
}

static void add_hex_str(struct buf *b, uint64_t v)
{
	char tmp[20], *e = tmp;
	*e++ = '"';
	e = trace_hex(e, v);
	*e++ = '"';
	buf_add(b, tmp, (size_t)(e - tmp));
}

static void dump_args(const struct trace_gen *g, const struct trace_extra *x, uint32_t k,
		      struct buf *out)
{
	int detailed = x->level == TRACE_DUMP_DETAILED;
	const char *const *names = detailed ? detailed_allocs : light_allocs;
	size_t n = detailed ? CDPM_ARRAY_LEN(detailed_allocs) : CDPM_ARRAY_LEN(light_allocs);
	uint64_t total = 0;
	size_t start = out->len;

	buf_adds(out, "{\"args\":{\"dumps\":{\"allocators\":{");
	for (size_t a = 0; a < n; a++) {
		uint64_t size = dump_size(g, x, k, (uint32_t)a);
		total += size;
		buf_printf(out,
			   "%s\"%s\":{\"attrs\":{\"size\":{\"type\":\"scalar\",\"units\":"
			   "\"bytes\",\"value\":",
			   a ? "," : "", names[a]);
		add_hex_str(out, size);
		buf_adds(out, "}}}");
		/* The per-object entries that make Chrome's detailed dumps big,
		 * after their parent and before the next name in byte order. */
		if (detailed && !strcmp(names[a], "malloc/allocated_objects")) {
			uint64_t h = dump_size(g, x, k, 1000);
			uint64_t want = k == g->procs.browser
					    ? DUMP_MAX_BYTES - 60000 + h % 50000
					    : DUMP_MIN_BYTES + h % (DUMP_MAX_BYTES / 2);
			uint64_t id = h & 0xFFFFFFFFFFFull;
			while (out->len - start + DUMP_ENTRY_BYTES < want && !buf_finish(out)) {
				uint64_t sz = dump_size(g, x, k, (uint32_t)id);
				id += 1 + (sz & 0xFFF);
				buf_printf(out,
					   ",\"malloc/allocated_objects/__%016llx\":{\"attrs\":{"
					   "\"effective_size\":{\"type\":\"scalar\",\"units\":"
					   "\"bytes\",\"value\":\"%llx\"},\"size\":{\"type\":"
					   "\"scalar\",\"units\":\"bytes\",\"value\":\"%llx\"}},"
					   "\"guid\":\"%llx\"}",
					   (unsigned long long)id, (unsigned long long)(sz >> 8),
					   (unsigned long long)(sz >> 7), (unsigned long long)(id ^ h));
			}
		}
	}
	buf_printf(out,
		   "},\"level_of_detail\":\"%s\",\"process_totals\":{"
		   "\"peak_resident_set_size\":",
		   level_names[x->level < 3 ? x->level : 1]);
	add_hex_str(out, total + total / 3);
	buf_adds(out, ",\"private_footprint_bytes\":");
	add_hex_str(out, total - total / 5);
	buf_adds(out, ",\"resident_set_size\":");
	add_hex_str(out, total + total / 4);
	buf_adds(out, "}}}");
}

int tracehead_extra_json(const struct trace_gen *g, uint32_t xi, uint32_t xk, struct buf *out)
{
	const struct trace_extra *x = &g->extra[xi];
	struct trace_ev ev;
	size_t mark = out->len;
	int rc;

	if (x->kind == TRACE_X_PAGE)
		return buf_add(out, g->pool.data + x->json_off, x->json_len);
	tracehead_extra_ev(g, xi, xk, &ev);
	if (x->kind == TRACE_X_SYNC) {
		buf_adds(out, "{\"args\":{\"sync_id\":");
		buf_add(out, g->pool.data + x->json_off, x->json_len);
		buf_adds(out, "},\"cat\":\"__metadata\",\"name\":\"clock_sync\","
			      "\"ph\":\"c\",\"pid\":");
	} else {
		dump_args(g, x, xk, out);
		buf_printf(out,
			   ",\"cat\":\"disabled-by-default-memory-infra\",\"id\":"
			   "\"0x%llx\",\"name\":\"%s\",\"ph\":\"v\",\"pid\":",
			   (unsigned long long)x->guid, ev.name);
	}
	buf_add_i64(out, ev.pid);
	buf_adds(out, ",\"tid\":");
	buf_add_i64(out, ev.tid);
	buf_adds(out, ",\"ts\":");
	buf_add_i64(out, ev.ts);
	if (ev.tts >= 0) {
		buf_adds(out, ",\"tts\":");
		buf_add_i64(out, ev.tts);
	}
	buf_addc(out, '}');
	rc = buf_finish(out);
	if (rc) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	return rc;
}
