/* trace_int.h - the generator's private state, shared by trace.c (API,
 * positions, buffer emulation), tracebody.c (the seeded event blocks and
 * their JSON, the hot path) and tracehead.c (metadata, clock syncs, memory
 * dumps).  Nothing outside those three files includes it. */
#ifndef CDPM_TRACE_INT_H
#define CDPM_TRACE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "buf.h"
#include "gen/trace.h"
#include "gen/tracecat.h"
#include "gen/traceproc.h"
#include "gen/tracetpl.h"

__extension__ typedef unsigned __int128 trace_u128;

/* Body events come in blocks of 64 laid out from one seeded PRNG stream,
 * so that paired events (s/f, b/e) stay within a block and any event can
 * be reached by laying out a single block. */
#define TRACE_BLOCK 64u

/* Worst-case bytes of the variable parts of a body event (numbers, hex
 * ids, key names) beyond its precomputed fragments. */
#define TRACE_VAR_BOUND 200u

/* Fixed interning ids after the catalogue's (tracetpl index + 1). */
enum {
	TRACE_S_THREAD_NAME,
	TRACE_S_PROCESS_NAME,
	TRACE_S_UPTIME,
	TRACE_S_ACTIVE,
	TRACE_S_STARTED,
	TRACE_S_CLOCK_SYNC,
	TRACE_S_PERIODIC,
	TRACE_S_EXPLICIT,
	TRACE_S_META_CAT,
	TRACE_S_TIMELINE_CAT,
	TRACE_S_MEMORY_CAT,
	/* tracepage.c */
	TRACE_S_PROFILE,
	TRACE_S_PROFILE_CHUNK,
	TRACE_S_PROFILER_CAT,
	TRACE_S_SCREENSHOT,
	TRACE_S_SCREENSHOT_CAT,
	TRACE_S_NAV_START,
	TRACE_S_FCP,
	TRACE_S_LCP,
	TRACE_S_DCL_END,
	TRACE_S_LOAD_END,
	TRACE_S_USER_TIMING_CAT,
	TRACE_S_USER_TIMING_RAIL_CAT,
	TRACE_S_LOADING_CAT,
	TRACE_S_RUN_TASK,
	TRACE_S_RUN_TASK_TL,
	TRACE_S_TOPLEVEL_CAT,
	TRACE_S_FUNCTION_CALL,
	TRACE_S_DEVTOOLS_TIMELINE_CAT,
	TRACE_S_CALL_FUNCTION,
	TRACE_S_V8_EXECUTE_CAT,
	TRACE_S_COUNT
};

/* An enabled template with its precomputed JSON fragments (offsets into
 * trace_gen.pool). */
struct trace_tpl {
	const struct tracetpl *t;
	uint32_t iid;			 /* catalogue index + 1 (name and category) */
	uint32_t thr_off, thr_n;	 /* eligible threads: trace_gen.thr_list[off..off+n) */
	uint32_t head_a, head_a_len;	 /* {"args":...up to '#' (or whole args),"cat":"..", */
	uint32_t head_b, head_b_len;	 /* after '#': rest of args,"cat":"..", (if has_var) */
	uint32_t end_head, end_head_len; /* a pair's 2nd: {"args":{},["bp":"e",]"cat":.., */
	uint32_t name0, name0_len;	 /* "name":"..","ph":"X","pid": */
	uint32_t name1, name1_len;	 /* the same for the second event of a pair */
	uint32_t bound;			 /* max JSON bytes of one event */
	uint8_t has_var;
	char ph0, ph1; /* phase letters of the two sides */
	/* Copies of the template's fields read per event (no pointer chase). */
	uint8_t kind, dur, no_tts;
	uint32_t var_lo, var_span;
};

struct trace_thr {
	char pid[16]; /* copied as 16 bytes, pid_len of them count */
	uint8_t pid_len;
	uint8_t tidts_len;
	char tidts[48]; /* ,"tid":N,"ts": (plus stride slack) */
};

struct trace_slot {
	uint32_t tpl;	/* trace_tpl index */
	uint32_t thr;	/* thread index */
	uint32_t start; /* slot of the first event of the pair (itself when single) */
	uint8_t side;	/* 0 single/first, 1 second of a pair */
	uint8_t paired; /* a pair whose both events are in the block */
	uint64_t rnd;
};

/* A pre-rendered leading event. */
struct trace_headev {
	struct trace_ev ev; /* name/cat/detail point into the pool via *_off below */
	uint32_t json_off, json_len;
	uint32_t detail_off; /* UINT32_MAX: none */
};

enum { TRACE_X_SYNC, TRACE_X_DUMP, TRACE_X_PAGE };

/* A clock sync, or a memory-dump round expanded to one event per process. */
struct trace_extra {
	uint64_t body_pos; /* emitted before body event body_pos */
	uint64_t cum;	   /* extra events before this one */
	int64_t ts;
	uint64_t guid;
	uint32_t n;		     /* events: 1 or the process count */
	uint32_t explicit_;	     /* DUMP: requested by Tracing.requestMemoryDump */
	uint32_t json_off, json_len; /* SYNC: the quoted, escaped id in pool */
	uint32_t raw_off;	     /* SYNC: the id as given, NUL-terminated, in pool */
	uint8_t kind;
	uint8_t level; /* enum trace_dump_level */
	/* PAGE: a pre-rendered event (JSON at json_off/json_len). */
	char ph;
	uint8_t name_s, cat_s; /* TRACE_S_* */
	uint32_t thread;
	int64_t dur; /* X */
};

struct trace_gen {
	uint64_t seed;
	int64_t start_us, duration_us;
	struct traceproc procs;
	struct trace_thr thr[TRACEPROC_MAX_THREADS];
	uint32_t *thr_list;
	struct trace_tpl *tpl;
	uint32_t n_tpl;
	uint32_t *alias_prob, *alias_idx; /* Walker alias table over tpl[] */
	struct buf pool;		  /* all precomputed strings */
	uint32_t max_bound;		  /* max JSON bytes of a body event */
	uint32_t max_dump_bytes;	  /* max JSON bytes of a memory dump event */
	uint32_t frame_off, frame_len;	  /* JSON-escaped, unquoted, in pool */
	uint32_t url_off, url_len;
	char nav[33]; /* navigationId: 32 hex digits */

	/* Copied category filter, for trace_gen_cat_enabled(). */
	char **incl, **excl;
	size_t n_incl, n_excl;
	struct tracecat cats;

	struct trace_headev *head;
	uint32_t n_head;
	struct trace_extra *extra;
	uint32_t n_extra;
	uint64_t n_extra_events;

	/* The page main thread's tasks (tracepage.c): body events on that
	 * thread are cut short so that none straddles a task's edge. */
	int64_t busy[8][2]; /* [start, end) */
	uint32_t n_busy;
	uint32_t busy_alt; /* threads[] index the body moves to meanwhile */

	uint64_t n_body;      /* body events */
	trace_u128 step_fp;   /* duration / n_body, 24-bit fraction */
	uint64_t win0, win_n; /* kept window of merged (body + extra) events */
	struct trace_loss loss;
	double avg_bytes;
	int avg_done;

	/* Position. */
	uint64_t pos;	 /* output index */
	uint64_t body;	 /* next body index */
	uint32_t xi, xk; /* next extra and its sub-event */
	uint64_t blk;	 /* block laid out in slot[] (UINT64_MAX: none) */
	struct trace_slot slot[TRACE_BLOCK];
};

/* tracebody.c */
/* tracebody_init() - keeps the catalogue templates the filter and the
 * process layout allow, with their JSON fragments in g->pool and the alias
 * table; needs g->cats, g->procs and the page identity.  0 or CDPM_ENOMEM. */
int tracebody_init(struct trace_gen *g);
/* tracebody_layout() - lays out block blk of the body into g->slot. */
void tracebody_layout(struct trace_gen *g, uint64_t blk);
/* tracebody_fill() - body event bi in structured form. */
void tracebody_fill(struct trace_gen *g, uint64_t bi, struct trace_ev *ev);
/* tracebody_json() - writes body event bi at p, which must have room for
 * g->max_bound + TRACE_SLACK bytes; returns its length (no NUL). */
size_t tracebody_json(struct trace_gen *g, uint64_t bi, char *p);
/* tracebody_weight_share() - the share of the default event mix that the
 * filter and the process layout keep (0..1). */
double tracebody_weight_share(const struct trace_gen *g);

/* tracehead.c */
/* tracehead_init() - renders the head events into g->pool.  0 or ENOMEM. */
int tracehead_init(struct trace_gen *g, const struct trace_params *p);
/* tracehead_extras() - places clock syncs and memory dumps among the body
 * events (needs g->n_body).  0, CDPM_ENOMEM, or CDPM_ETOOBIG past
 * TRACE_MAX_EXTRAS. */
int tracehead_extras(struct trace_gen *g, const struct trace_params *p);
/* tracehead_extra_ev() - sub-event xk of extra xi in structured form. */
void tracehead_extra_ev(const struct trace_gen *g, uint32_t xi, uint32_t xk, struct trace_ev *ev);
/* tracehead_extra_json() - appends its JSON; out is unchanged on error. */
int tracehead_extra_json(const struct trace_gen *g, uint32_t xi, uint32_t xk, struct buf *out);
/* tracehead_extra_bound() - an upper bound of an extra event's JSON size. */
size_t tracehead_extra_bound(const struct trace_gen *g);

/* tracehead_str() - the string of a TRACE_S_* id; tracehead_str_iid() its iid. */
const char *tracehead_str(uint32_t s);
uint32_t tracehead_str_iid(uint32_t s);

/* tracepage.c */
/* tracepage_extras() - renders the page renderer's events into g->pool and
 * returns them in *out (malloc'd, unsorted, *n of them; kind TRACE_X_PAGE,
 * n = 1 each).  Needs g->cats, g->procs and the page identity.  0,
 * CDPM_ENOMEM or CDPM_ETOOBIG. */
int tracepage_extras(struct trace_gen *g, const struct trace_params *p, struct trace_extra **out,
		     uint32_t *n);

/* trace.c */
/* trace_pool_add_json() - appends s as a quoted, ASCII-escaped JSON string
 * to the pool; *off and *len locate it.  0 or a buf error. */
int trace_pool_add_json(struct buf *pool, const char *s, size_t n, uint32_t *off, uint32_t *len);

/* Bytes a fragment copy or a number may write past its end: copies run in
 * 16-byte strides, so buffers written by tracebody_json() and fragments
 * read from the pool keep this much slack. */
#define TRACE_SLACK 32u

/* trace_ndigits() - decimal digits of v (1..20). */
static inline unsigned trace_ndigits(uint64_t v)
{
	static const uint64_t p10[20] = {UINT64_C(1),
					 UINT64_C(10),
					 UINT64_C(100),
					 UINT64_C(1000),
					 UINT64_C(10000),
					 UINT64_C(100000),
					 UINT64_C(1000000),
					 UINT64_C(10000000),
					 UINT64_C(100000000),
					 UINT64_C(1000000000),
					 UINT64_C(10000000000),
					 UINT64_C(100000000000),
					 UINT64_C(1000000000000),
					 UINT64_C(10000000000000),
					 UINT64_C(100000000000000),
					 UINT64_C(1000000000000000),
					 UINT64_C(10000000000000000),
					 UINT64_C(100000000000000000),
					 UINT64_C(1000000000000000000),
					 UINT64_C(10000000000000000000)};
	/* floor(log10) from log2 (1233/4096 ~ log10 2), then one correction;
	 * v | 1 has as many digits as v and keeps 0 at one digit. */
	v |= 1;
	unsigned t = ((64u - (unsigned)__builtin_clzll(v)) * 1233u) >> 12;
	return t + (v >= p10[t]);
}

/* trace_u64() - writes v in decimal at p; returns the end.  No slack. */
static inline char *trace_u64(char *p, uint64_t v)
{
	static const char d2[] = "00010203040506070809101112131415161718192021222324252627282930"
				 "31323334353637383940414243444546474849505152535455565758596061"
				 "62636465666768697071727374757677787980818283848586878889909192"
				 "93949596979899";
	char *e = p + trace_ndigits(v), *q = e;

	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;
		v /= 100;
		q -= 2;
		memcpy(q, d2 + i, 2);
	}
	if (v >= 10)
		memcpy(q - 2, d2 + v * 2, 2);
	else
		q[-1] = (char)('0' + v);
	return e;
}

/* trace_hex() - writes v in lowercase hex, no prefix (at most 16 bytes). */
static inline char *trace_hex(char *p, uint64_t v)
{
	unsigned n = (67u - (unsigned)__builtin_clzll(v | 1)) / 4;
	char *e = p + n;

	do {
		*--e = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	return p + n;
}

/* trace_cpy() - copies n bytes in 16-byte strides: may write up to 15
 * bytes past dst + n and read as far past src + n (see TRACE_SLACK). */
static inline char *trace_cpy(char *dst, const char *src, size_t n)
{
	char *e = dst + n;
	do {
		memcpy(dst, src, 16);
		dst += 16;
		src += 16;
	} while (dst < e);
	return e;
}

#endif
