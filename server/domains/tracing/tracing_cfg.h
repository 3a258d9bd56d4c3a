/* tracing_cfg.h - Tracing.start's parameters as Chromium 156 reads them: the
 * legacy categories/options strings, traceConfig, perfettoConfig (a base64
 * Perfetto TraceConfig protobuf), the transfer mode and stream encodings,
 * and which combinations Chrome refuses with which error (docs/chrome.md §7.2-§7.3).
 * Not the tracing state machine (domains/tracing.c). */
#ifndef CDPM_TRACING_CFG_H
#define CDPM_TRACING_CFG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "gen/trace.h"
#include "gen/tstream.h"

/* Category patterns kept from one Tracing.start (each list); more are
 * ignored.  Chrome has no limit, but no real client sends more than ~20. */
#define TRACING_CFG_MAX_CATEGORIES 4096

/* The period of Tracing.bufferUsage never goes below 250 ms (docs/chrome.md §7.4). */
#define TRACING_CFG_MIN_USAGE_US INT64_C(250000)

/* Chrome's periodic memory dumps when memory-infra is on and the config
 * names no triggers: light every 250 ms, every 8th one detailed. */
#define TRACING_CFG_DEFAULT_DUMP_MS 250u

/* Why Chrome refuses a Tracing.start, in the order it checks. */
enum tracing_cfg_err {
	TRACING_CFG_OK,
	TRACING_CFG_BOTH,	     /* traceConfig together with categories/options */
	TRACING_CFG_PROTO_NO_STREAM, /* streamFormat proto without ReturnAsStream */
	TRACING_CFG_BACKEND,	     /* tracingBackend other than auto/chrome/system */
	TRACING_CFG_PERFETTO_PARSE,  /* perfettoConfig is not a TraceConfig */
	TRACING_CFG_PERFETTO_EMPTY,  /* perfettoConfig without data sources */
	TRACING_CFG_SYSTEM,	     /* the system backend: "Peer disconnected" */
};

struct tracing_cfg {
	char **included; /* owned; includedCategories (disabled-by-default ones too) */
	size_t n_included;
	char **excluded; /* owned */
	size_t n_excluded;
	enum trace_record_mode record_mode;
	uint64_t buffer_kb; /* traceBufferSizeInKb; 0: not given (no limit) */
	int stream;	    /* transferMode ReturnAsStream */
	enum tstream_format format;
	enum tstream_compression compression;
	int64_t usage_period_us;   /* Tracing.bufferUsage period; 0: none */
	uint32_t periodic_dump_ms; /* memory-infra periodic dumps; 0: none */
	int perfetto;		   /* the categories came from perfettoConfig */
};

/* tracing_cfg_parse() - reads Tracing.start's params (already checked
 * against the protocol descriptor: types and base64 are right) into cfg,
 * which the caller has zeroed.  Values Chrome does not validate fall back
 * to the defaults silently.  Returns 0 with *err set (TRACING_CFG_OK, or the
 * reason Chrome refuses the call; cfg is then cleared), or CDPM_ENOMEM. */
int tracing_cfg_parse(const json_t *params, struct tracing_cfg *cfg, enum tracing_cfg_err *err);

/* tracing_cfg_clear() - frees the category lists; cfg is zeroed. */
void tracing_cfg_clear(struct tracing_cfg *cfg);

/* tracing_cfg_error() - Chrome's error code and message for err (static). */
const char *tracing_cfg_error(enum tracing_cfg_err err, int *code);

/* tracing_cfg_split_categories() - adds the legacy "categories" string's
 * entries to cfg ("-x" excluded, "DELAY(..)" ignored, blanks trimmed).
 * 0 or CDPM_ENOMEM.  Exposed for the tests. */
int tracing_cfg_split_categories(struct tracing_cfg *cfg, const char *s);

#endif
