/* scenario.h - the loaded scenario: model knobs that shape the built-in,
 * Chromium-faithful behaviour of each domain, the rules and timelines that
 * script.c runs, and the expectations a conformance runner checks.  Domains
 * read their knobs through scenario_current(); with no --scenario every
 * knob has Chrome's default.  Loading and validating a file is
 * scenload.c's job; running rules is script.c's. */
#ifndef CDPM_SCENARIO_H
#define CDPM_SCENARIO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cdp/targets.h"

/* ---- model knobs ---- */

/* Profiler.stop and console profiles (0 means "the generator's default"). */
struct scenario_profiler {
	uint32_t nodes;          /* target node count */
	uint32_t depth;          /* deepest JS frame */
	uint32_t idle_permille;  /* share of (idle) samples */
	int64_t interval_us;     /* initial sampling interval (Chrome: 1000) */
	int64_t duration_us;     /* > 0: every profile covers this long, whatever the clock */
	int empty;               /* profiles with only the root and no samples */
};

/* Precise and best-effort coverage. */
struct scenario_coverage {
	uint32_t scripts;        /* synthetic scripts; 0: default */
	int64_t advance_us;      /* > 0: simulated execution per take, instead of real elapsed */
};

/* How trace streams are compressed, whatever the client asked for. */
enum scenario_compression {
	SCENARIO_COMPRESSION_ASKED = 0, /* streamCompression as requested (Chrome) */
	SCENARIO_COMPRESSION_NONE,
	SCENARIO_COMPRESSION_GZIP,
};

/* A trace's record mode, whatever the client asked for. */
enum scenario_record_mode {
	SCENARIO_RECORD_ASKED = 0, /* traceConfig.recordMode as sent (Chrome) */
	SCENARIO_RECORD_UNTIL_FULL,
	SCENARIO_RECORD_CONTINUOUSLY,
	SCENARIO_RECORD_AS_MUCH_AS_POSSIBLE,
};

struct scenario_tracing {
	uint64_t events;         /* events after the metadata; 0: from rate x duration */
	double rate;             /* events per second of tracing; 0: default */
	int64_t duration_us;     /* > 0: the trace covers this long, whatever the clock */
	size_t chunk_bytes;      /* dataCollected payload cap (Chrome: about 64 KiB) */
	size_t chunk_events;     /* dataCollected event cap (Chrome: 515) */
	int64_t complete_delay_us; /* from the end reply to the first data / tracingComplete */
	int never_complete;      /* tracingComplete never comes */
	int data_loss;           /* force dataLossOccurred:true */
	double percent_full;     /* > 0: bufferUsage reports this fixed value */
	int stuck_full;          /* the buffer reports full and stops recording */
	/* What the page renderer does (trace tools read these): */
	int64_t long_task_us;    /* the long task's length; 0: default; < 0: none */
	int64_t lcp_us;          /* navigationStart to LCP; 0: default; < 0: no candidate */
	int32_t screenshots;     /* Screenshot events; 0: default; < 0: none */
	int empty_samples;       /* the CPU profile has no samples */
	/* Added by the scenario engine: */
	const char *const *categories; /* n_categories > 0: the included categories of
					* every trace, replacing the client's */
	size_t n_categories;
	const double *buffer_usage;    /* n_buffer_usage > 0: successive bufferUsage
					* percentFull values (the last one repeats);
					* takes precedence over percent_full */
	size_t n_buffer_usage;
	enum scenario_compression compression;
	/* Forced loss, for every client whatever its traceConfig: */
	uint64_t buffer_kb;      /* > 0: traceBufferSizeInKb in force */
	enum scenario_record_mode record_mode;
};

struct scenario_io {
	size_t read_chunk;       /* default/maximum IO.read size (Chrome: 10485760) */
	int never_eof;           /* the stream never reports eof:true */
};

/* What Runtime.evaluate or Runtime.callFunctionOn returns for code that
 * matches (the first entry that matches wins; none: undefined). */
enum scenario_eval_on { SCENARIO_EVAL_EXPRESSION = 1, SCENARIO_EVAL_FUNCTION };

struct scenario_eval {
	enum scenario_eval_on on;
	const char *pattern;     /* glob with '*' over the code, sourceURL line dropped */
	const char *argument;    /* FUNCTION: NULL, or a glob one string argument must match */
	const json_t *value;     /* a JSON value the code returns ... */
	const json_t *result;    /* ... or a RemoteObject, sent as it is ... */
	const char *exception;   /* ... or the description of what it throws */
};

struct scenario_runtime {
	const struct scenario_eval *results;
	size_t n_results;
};

/* Performance.getMetrics: values by metric name (numbers); names Chrome
 * does not report are added after its own.  NULL: none. */
struct scenario_performance {
	const json_t *metrics;
};

/* Browser.getVersion and /json/version; NULL fields keep Chrome 156's. */
struct scenario_browser {
	const char *product, *revision, *user_agent, *js_version, *protocol_version,
		*webkit_version;
};


/* ---- rules ---- */

enum scenario_dir { SCENARIO_IN = 0, SCENARIO_OUT = 1 };
enum scenario_kind { SCENARIO_KIND_ANY = 0, SCENARIO_KIND_REPLY, SCENARIO_KIND_ERROR,
		     SCENARIO_KIND_EVENT };
enum scenario_who { SCENARIO_WHO_ANY = 0, SCENARIO_WHO_ROOT, SCENARIO_WHO_CHILD,
		    SCENARIO_WHO_BROWSER, SCENARIO_WHO_PAGE, SCENARIO_WHO_ID };
enum scenario_tstate { SCENARIO_TS_ANY = 0, SCENARIO_TS_IDLE, SCENARIO_TS_RECORDING,
		       SCENARIO_TS_ENDING };

/* What a rule or a timeline start matches. */
struct scenario_match {
	enum scenario_dir dir;
	enum scenario_kind kind;     /* out only */
	const char *method;          /* glob with '*', or NULL */
	const json_t *params;        /* subset of params (in, events) or result (replies) */
	enum scenario_who session;   /* ANY, ROOT, CHILD or ID */
	const char *session_id;
	enum scenario_who target;    /* ANY, BROWSER, PAGE or ID */
	const char *target_id;
	uint64_t nth_from, nth_to;   /* occurrences of this pattern; 0: any */
	unsigned connection;         /* the Nth WebSocket/pipe connection; 0: any */
	uint64_t message;            /* the connection's Nth incoming message; 0: any */
	uint64_t byte;               /* > 0: a byte trigger (the client's Nth byte) */
	enum scenario_tstate tracing;
	int profiling;               /* -1 any, 0 no, 1 yes */
	int open_streams;            /* -1 any, 0 none, 1 some */
};

enum scenario_dist_kind { SCENARIO_DIST_NONE = 0, SCENARIO_DIST_FIXED, SCENARIO_DIST_UNIFORM,
			  SCENARIO_DIST_LOGNORMAL };

/* A delay: fixed a; uniform in [a, b]; log-normal with median a, sigma b
 * (times in µs). */
struct scenario_dist {
	enum scenario_dist_kind kind;
	double a, b;
};

enum scenario_mut_op { SCENARIO_MUT_DROP = 1, SCENARIO_MUT_SET, SCENARIO_MUT_RETYPE,
		       SCENARIO_MUT_INVALID_UTF8, SCENARIO_MUT_OVERSIZE, SCENARIO_MUT_TRUNCATE };

/* One change to an outgoing message (mutate.c). */
struct scenario_mutation {
	enum scenario_mut_op op;
	const char *path;            /* "params.stream", "sessionId", "result.x.0" */
	const json_t *value;         /* SET */
	uint64_t bytes;              /* OVERSIZE: total message size; TRUNCATE: keep */
};

enum scenario_to { SCENARIO_TO_TRIGGER = 0, SCENARIO_TO_ROOT, SCENARIO_TO_ALL,
		   SCENARIO_TO_TARGET, SCENARIO_TO_SESSION, SCENARIO_TO_TRACING };

/* Where an emitted message goes. */
struct scenario_dest {
	enum scenario_to to;
	enum scenario_who target;    /* TO_TARGET: BROWSER, PAGE (every page) or ID */
	const char *id;              /* the target or session id */
};

/* A message the scenario sends on its own. */
struct scenario_emit {
	const char *method;          /* an event ... */
	const json_t *params;        /* ... with these params (NULL: {}) */
	const json_t *message;       /* or this whole JSON message, as is */
	const char *text;            /* or these bytes as a text frame */
	size_t text_len;
	int after;                   /* in rules: after the reply (default) or before */
	int binary;                  /* as a binary frame */
	struct scenario_dest dest;
	const struct scenario_mutation *mutations;
	size_t n_mutations;
};

/* A WebSocket frame built by hand (valid or not). */
struct scenario_frame {
	int opcode, fin, rsv, masked;
	const unsigned char *payload;
	size_t len;
};

/* What a rule or a timeline step does; every part is optional. */
struct scenario_action {
	const struct scenario_emit *emits;
	size_t n_emits;
	struct scenario_dist delay;
	int stall;                   /* out: later messages wait behind a delayed one */
	int hold;                    /* no reply (in) / never sent (out) */
	int builtin;                 /* run the domain even with hold/close/reset */
	int drop;                    /* out: discard the message */
	const json_t *reply_result;  /* scripted reply ... */
	const json_t *reply_error;   /* ... or error {code, message[, data]} */
	const json_t *merge;         /* merged into the reply's result / the params */
	const json_t *replace;       /* replaces them */
	unsigned duplicate;          /* extra copies */
	unsigned reorder;            /* sent after this many later messages */
	const size_t *split_sizes;   /* split into TCP writes of these sizes ... */
	size_t n_split_sizes;
	size_t split_chunk;          /* ... or of this size */
	int64_t split_gap_us;
	int64_t throttle_bps;        /* < 0: unchanged; 0: off; else bytes per second */
	const struct scenario_mutation *mutations;
	size_t n_mutations;
	int close;                   /* a close frame ... */
	int close_code;              /* 0: no code */
	const char *close_reason;
	int fin;                     /* TCP FIN without a close frame */
	int reset;                   /* TCP RST */
	const unsigned char *raw;    /* raw bytes */
	size_t raw_len;
	const struct scenario_frame *frame;
};

struct scenario_rule {
	const char *name;            /* for the journal; NULL: "rules[N]" */
	unsigned index;
	struct scenario_match match;
	uint64_t times;              /* uses left at load; 0: unlimited */
	struct scenario_action action;
};

/* ---- timelines ---- */

enum scenario_start { SCENARIO_START_CONNECT = 1, SCENARIO_START_LOAD, SCENARIO_START_MATCH };
enum scenario_step_op { SCENARIO_STEP_ACTION = 1, SCENARIO_STEP_CONSOLE_START,
			SCENARIO_STEP_CONSOLE_END, SCENARIO_STEP_COVERAGE,
			SCENARIO_STEP_BUFFER_USAGE };

struct scenario_step {
	int64_t at_us;               /* from the timeline's start */
	enum scenario_step_op op;
	struct scenario_action action; /* ACTION: emits and connection effects */
	const char *title;           /* console profile */
	int32_t line, column;        /* console profile location (0: default) */
	uint32_t nodes, depth;       /* console profile end */
	int64_t duration_us;
	int empty;
	const char *occasion;        /* coverage update */
	double percent_full;         /* bufferUsage */
	uint64_t event_count;
	struct scenario_dest dest;   /* emits, bufferUsage; console/coverage: the page */
};

struct scenario_timeline {
	unsigned index;
	enum scenario_start start;
	struct scenario_match match; /* START_MATCH */
	uint64_t times;              /* instances started at most; 0: unlimited */
	const struct scenario_step *steps;
	size_t n_steps;
};

/* ---- the scenario ---- */

struct scenario {
	char *path;              /* the file it came from, or NULL */
	const char *name;
	const char *description;
	uint64_t seed;
	int seed_set;
	struct scenario_profiler profiler;
	struct scenario_coverage coverage;
	struct scenario_tracing tracing;
	struct scenario_io io;
	struct scenario_runtime runtime;
	struct scenario_performance performance;
	struct scenario_browser browser;
	const struct target_page *pages; /* cdp/targets.h */
	size_t n_pages;
	int pages_set;           /* "targets" given: exactly these pages */
	const struct scenario_rule *rules;
	size_t n_rules;
	const struct scenario_timeline *timelines;
	size_t n_timelines;
	const json_t *expect;    /* stored for cdpconform; validated only */
	const json_t *check;     /* the self-test the test suite runs */
	/* storage */
	json_t *root;            /* the parsed file; strings above point into it */
	struct scenario_block *arena;
};

/* Caps (a bigger file is an error, not a slow server). */
#define SCENARIO_MAX_FILE ((size_t)16 * 1024 * 1024)
#define SCENARIO_MAX_RULES 4096
#define SCENARIO_MAX_TIMELINES 1024
#define SCENARIO_MAX_STEPS 4096
#define SCENARIO_MAX_PAGES 256
#define SCENARIO_MAX_RESULTS 4096 /* runtime.results entries */
#define SCENARIO_MAX_MESSAGE ((uint64_t)1 << 32) /* oversize ceiling: 4 GiB */

/* scenario_current() - the scenario in force (never NULL; defaults when none
 * was loaded).  Borrowed: valid until the next scenario_install() or
 * scenario_reset_defaults(); copy anything that must outlive a callback. */
const struct scenario *scenario_current(void);

/* scenario_defaults() - a scenario with Chrome's defaults into sc (no file,
 * no rules).  Free with scenario_clear(). */
void scenario_defaults(struct scenario *sc);
/* scenario_new() - a heap scenario with the defaults; NULL on ENOMEM. */
struct scenario *scenario_new(void);
/* scenario_free() - frees a heap scenario and everything it owns; NULL ok. */
void scenario_free(struct scenario *sc);

/* scenario_alloc() - zeroed storage that lives as long as sc (the loader's
 * arena); NULL on ENOMEM or past SCENARIO_MAX_FILE * 4 bytes in total. */
void *scenario_alloc(struct scenario *sc, size_t n);

/* scenario_install() - makes sc (heap, taken) the current scenario and frees
 * the previous one.  The caller resets what depends on it (script.c). */
void scenario_install(struct scenario *sc);
/* scenario_fini() - frees the current scenario (at exit). */
void scenario_fini(void);

/* scenario_apply_identity() - points server.id at sc's browser strings,
 * Chrome 156's where the scenario has none. */
void scenario_apply_identity(const struct scenario *sc);

#endif
