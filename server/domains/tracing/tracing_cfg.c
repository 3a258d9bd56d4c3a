/* tracing_cfg.c - Tracing.start's parameters (see tracing_cfg.h).  Chrome
 * turns all three config forms into one base::trace_event::TraceConfig and
 * then a Perfetto TrackEventConfig; here they become the category lists and
 * record mode that gen/trace.c understands. */
#include "domains/tracing/tracing_cfg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "cdpm.h"
#include "gen/tracecat.h"

/* A perfettoConfig bigger than this is refused as unparsable (the message
 * cap bounds it anyway; a real TraceConfig is a few hundred bytes). */
#define TRACING_CFG_MAX_PERFETTO ((size_t)16 << 20)

const char *tracing_cfg_error(enum tracing_cfg_err err, int *code)
{
	*code = -32602;
	switch (err) {
	case TRACING_CFG_BOTH:
		return "Either trace config (preferred), or categories+options should be "
		       "specified, but not both.";
	case TRACING_CFG_PROTO_NO_STREAM:
		return "Proto format is only supported when using stream transfer mode.";
	case TRACING_CFG_BACKEND:
		return "Unsupported value for tracing_backend parameter.";
	case TRACING_CFG_PERFETTO_PARSE:
		return "Couldn't parse the supplied perfettoConfig.";
	case TRACING_CFG_PERFETTO_EMPTY:
		return "Supplied perfettoConfig doesn't have any data sources specified";
	case TRACING_CFG_SYSTEM:
		*code = -32000;
		return "Peer disconnected";
	case TRACING_CFG_OK:
		break;
	}
	*code = 0;
	return "";
}

void tracing_cfg_clear(struct tracing_cfg *cfg)
{
	for (size_t i = 0; i < cfg->n_included; i++)
		free(cfg->included[i]);
	for (size_t i = 0; i < cfg->n_excluded; i++)
		free(cfg->excluded[i]);
	free(cfg->included);
	free(cfg->excluded);
	memset(cfg, 0, sizeof(*cfg));
}

/* Appends n bytes of s to a list.  Entries past the cap, and ones too long
 * to name any category (the generator refuses those), are dropped. */
static int cfg_list_add(char ***list, size_t *n, const char *s, size_t len)
{
	if (*n >= TRACING_CFG_MAX_CATEGORIES || len > TRACE_MAX_STRLEN || memchr(s, '\0', len))
		return 0;
	/* Capacity: 4, then doubling (grow when n is 0 or a power of two >= 4). */
	if (!*n || (*n >= 4 && !(*n & (*n - 1)))) {
		size_t cap = *n ? *n * 2 : 4;
		char **l = realloc(*list, cap * sizeof(*l));
		if (!l)
			return CDPM_ENOMEM;
		*list = l;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return CDPM_ENOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	(*list)[(*n)++] = copy;
	return 0;
}

static int cfg_include(struct tracing_cfg *cfg, const char *s, size_t len)
{
	return cfg_list_add(&cfg->included, &cfg->n_included, s, len);
}

static int cfg_exclude(struct tracing_cfg *cfg, const char *s, size_t len)
{
	return cfg_list_add(&cfg->excluded, &cfg->n_excluded, s, len);
}

static int cfg_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* base::SplitStringPiece(s, ",", TRIM_WHITESPACE, SPLIT_WANT_ALL): calls fn
 * on each trimmed piece. */
static int cfg_split(const char *s, int (*fn)(struct tracing_cfg *, const char *, size_t),
		     struct tracing_cfg *cfg)
{
	while (s) {
		const char *comma = strchr(s, ',');
		const char *end = comma ? comma : s + strlen(s);
		const char *b = s;
		while (b < end && cfg_space(*b))
			b++;
		while (end > b && cfg_space(end[-1]))
			end--;
		int rc = fn(cfg, b, (size_t)(end - b));
		if (rc)
			return rc;
		s = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* TraceConfigCategoryFilter::InitializeFromString: "-x" excludes x, the
 * rest (disabled-by-default ones too) is included; empty entries and
 * synthetic delays "DELAY(name;1.0)" are skipped. */
static int cfg_legacy_category(struct tracing_cfg *cfg, const char *s, size_t len)
{
	if (!len || (len >= 6 && !memcmp(s, "DELAY(", 6)))
		return 0;
	if (s[0] == '-')
		return cfg_exclude(cfg, s + 1, len - 1);
	return cfg_include(cfg, s, len);
}

int tracing_cfg_split_categories(struct tracing_cfg *cfg, const char *s)
{
	return cfg_split(s, cfg_legacy_category, cfg);
}

/* The legacy "options" string: the last record mode named wins; other
 * options (enable-systrace, sampling-frequency=...) change nothing here. */
static int cfg_legacy_option(struct tracing_cfg *cfg, const char *s, size_t len)
{
	static const struct {
		const char *name;
		enum trace_record_mode mode;
	} modes[] = {
	    {"record-until-full", TRACE_RECORD_UNTIL_FULL},
	    {"record-continuously", TRACE_RECORD_CONTINUOUSLY},
	    {"record-as-much-as-possible", TRACE_RECORD_AS_MUCH_AS_POSSIBLE},
	    {"trace-to-console", TRACE_RECORD_UNTIL_FULL},
	};
	for (size_t i = 0; i < CDPM_ARRAY_LEN(modes); i++)
		if (strlen(modes[i].name) == len && !memcmp(modes[i].name, s, len))
			cfg->record_mode = modes[i].mode;
	return 0;
}

/* recordMode of traceConfig (camelCase) or of a chrome_config's JSON
 * (dashed, as TraceConfig::ToString writes it).  Anything else is the
 * default, recordUntilFull; echoToConsole traces like it. */
static enum trace_record_mode cfg_record_mode(const char *s)
{
	if (!s)
		return TRACE_RECORD_UNTIL_FULL;
	if (!strcmp(s, "recordContinuously") || !strcmp(s, "record-continuously"))
		return TRACE_RECORD_CONTINUOUSLY;
	if (!strcmp(s, "recordAsMuchAsPossible") || !strcmp(s, "record-as-much-as-possible"))
		return TRACE_RECORD_AS_MUCH_AS_POSSIBLE;
	return TRACE_RECORD_UNTIL_FULL;
}

/* Adds the strings of a JSON array to a list (non-strings are skipped). */
static int cfg_json_list(struct tracing_cfg *cfg, const json_t *arr,
			 int (*add)(struct tracing_cfg *, const char *, size_t))
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			continue;
		int rc = add(cfg, json_string_value(v), json_string_length(v));
		if (rc)
			return rc;
	}
	return 0;
}

/* memoryDumpConfig.triggers[].periodic_interval_ms: the shortest one; no
 * memoryDumpConfig at all means Chrome's default triggers. */
static uint32_t cfg_dump_ms(const json_t *mdc)
{
	if (!json_is_object(mdc))
		return TRACING_CFG_DEFAULT_DUMP_MS;
	const json_t *trig = json_object_get(mdc, "triggers");
	uint32_t best = 0;
	size_t i;
	const json_t *t;
	json_array_foreach(trig, i, t)
	{
		const json_t *ms = json_object_get(t, "periodic_interval_ms");
		if (!ms)
			ms = json_object_get(t, "periodicIntervalMs");
		double v = json_number_value(ms);
		if (v >= 1 && v <= 86400000 && (!best || v < best))
			best = (uint32_t)v;
	}
	return best;
}

/* traceConfig: unknown keys and bad values are ignored, as in Chrome. */
static int cfg_trace_config(struct tracing_cfg *cfg, const json_t *tc)
{
	cfg->record_mode = cfg_record_mode(json_string_value(json_object_get(tc, "recordMode")));
	double kb = json_number_value(json_object_get(tc, "traceBufferSizeInKb"));
	if (kb >= 1)
		cfg->buffer_kb = kb >= 1e15 ? (uint64_t)1e15 : (uint64_t)kb;
	cfg->periodic_dump_ms = cfg_dump_ms(json_object_get(tc, "memoryDumpConfig"));
	int rc = cfg_json_list(cfg, json_object_get(tc, "includedCategories"), cfg_include);
	if (!rc)
		rc = cfg_json_list(cfg, json_object_get(tc, "excludedCategories"), cfg_exclude);
	return rc;
}

/* ---- perfettoConfig ---- */

/* A protobuf field as protozero's decoder sees it. */
struct cfg_pb {
	const unsigned char *p, *end;
};

struct cfg_pb_field {
	uint32_t id;
	int wire;
	uint64_t v;		   /* varint / fixed value */
	const unsigned char *data; /* length-delimited payload */
	size_t len;
};

static int cfg_pb_varint(struct cfg_pb *r, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (r->p == r->end)
			return -1;
		unsigned char b = *r->p++;
		*v |= (uint64_t)(b & 0x7f) << (shift < 64 ? shift : 63);
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* The next field: 1, 0 at a clean end, -1 when malformed (protozero then
 * stops with bytes left, and ParseFromArray fails). */
static int cfg_pb_next(struct cfg_pb *r, struct cfg_pb_field *f)
{
	uint64_t tag;
	if (r->p == r->end)
		return 0;
	if (cfg_pb_varint(r, &tag) || (tag >> 3) == 0 || (tag >> 3) > UINT32_MAX)
		return -1;
	f->id = (uint32_t)(tag >> 3);
	f->wire = (int)(tag & 7);
	f->data = NULL;
	f->len = 0;
	switch (f->wire) {
	case 0:
		return cfg_pb_varint(r, &f->v) ? -1 : 1;
	case 1:
	case 5: {
		size_t n = f->wire == 1 ? 8 : 4;
		if ((size_t)(r->end - r->p) < n)
			return -1;
		f->v = 0;
		for (size_t i = 0; i < n; i++)
			f->v |= (uint64_t)r->p[i] << (8 * i);
		r->p += n;
		return 1;
	}
	case 2:
		if (cfg_pb_varint(r, &f->v) || f->v > (uint64_t)(r->end - r->p))
			return -1;
		f->data = r->p;
		f->len = (size_t)f->v;
		r->p += f->len;
		return 1;
	default:
		return -1; /* groups (3, 4) and 6, 7: protozero gives up */
	}
}

static void cfg_pb_init(struct cfg_pb *r, const void *p, size_t n)
{
	r->p = p;
	r->end = r->p + n;
}

/* TrackEventConfig: disabled_categories = 1, enabled_categories = 2. */
static int cfg_track_event(struct tracing_cfg *cfg, const unsigned char *p, size_t n)
{
	struct cfg_pb r;
	struct cfg_pb_field f;
	int rc = 0;
	cfg_pb_init(&r, p, n);
	while (!rc && cfg_pb_next(&r, &f) == 1) {
		if (f.wire != 2)
			continue;
		if (f.id == 2)
			rc = cfg_include(cfg, (const char *)f.data, f.len);
		else if (f.id == 1)
			rc = cfg_exclude(cfg, (const char *)f.data, f.len);
	}
	return rc;
}

/* ChromeConfig.trace_config (= 1): the legacy TraceConfig as JSON. */
static int cfg_chrome_config(struct tracing_cfg *cfg, const unsigned char *p, size_t n)
{
	struct cfg_pb r;
	struct cfg_pb_field f;
	cfg_pb_init(&r, p, n);
	while (cfg_pb_next(&r, &f) == 1) {
		if (f.id != 1 || f.wire != 2)
			continue;
		json_t *tc = json_loadb((const char *)f.data, f.len, 0, NULL);
		int rc = 0;
		if (json_is_object(tc)) {
			cfg->record_mode =
			    cfg_record_mode(json_string_value(json_object_get(tc, "record_mode")));
			rc = cfg_json_list(cfg, json_object_get(tc, "included_categories"),
					   cfg_include);
			if (!rc)
				rc = cfg_json_list(cfg, json_object_get(tc, "excluded_categories"),
						   cfg_exclude);
			if (!rc)
				cfg->periodic_dump_ms =
				    cfg_dump_ms(json_object_get(tc, "memory_dump_config"));
		}
		json_decref(tc);
		return rc;
	}
	return 0;
}

/* Chrome's own data sources; anything else makes "auto" pick the system
 * backend. */
static int cfg_chrome_source(const unsigned char *name, size_t n)
{
	static const char org[] = "org.chromium.";
	return (n == 11 && !memcmp(name, "track_event", 11)) ||
	       (n >= sizeof(org) - 1 && !memcmp(name, org, sizeof(org) - 1));
}

/* DataSource.config (= 1) is a DataSourceConfig: name = 1,
 * chrome_config = 101, track_event_config = 113.  *foreign is set for a
 * non-Chrome data source. */
static int cfg_data_source(struct tracing_cfg *cfg, const unsigned char *p, size_t n, int *foreign)
{
	struct cfg_pb r, rc_;
	struct cfg_pb_field f, g;
	int rc = 0;
	cfg_pb_init(&r, p, n);
	while (!rc && cfg_pb_next(&r, &f) == 1) {
		if (f.id != 1 || f.wire != 2)
			continue;
		cfg_pb_init(&rc_, f.data, f.len);
		while (!rc && cfg_pb_next(&rc_, &g) == 1) {
			if (g.wire != 2)
				continue;
			if (g.id == 1 && !cfg_chrome_source(g.data, g.len))
				*foreign = 1;
			else if (g.id == 113)
				rc = cfg_track_event(cfg, g.data, g.len);
			else if (g.id == 101)
				rc = cfg_chrome_config(cfg, g.data, g.len);
		}
	}
	return rc;
}

/* BufferConfig: size_kb = 1, fill_policy = 4 (RING_BUFFER 1, DISCARD 2). */
static void cfg_buffer(struct tracing_cfg *cfg, const unsigned char *p, size_t n)
{
	struct cfg_pb r;
	struct cfg_pb_field f;
	cfg_pb_init(&r, p, n);
	while (cfg_pb_next(&r, &f) == 1) {
		if (f.id == 1 && f.wire == 0)
			cfg->buffer_kb = f.v;
		else if (f.id == 4 && f.wire == 0 && f.v == 1)
			cfg->record_mode = TRACE_RECORD_CONTINUOUSLY;
		else if (f.id == 4 && f.wire == 0 && f.v == 2)
			cfg->record_mode = TRACE_RECORD_UNTIL_FULL;
	}
}

/* perfetto::TraceConfig::ParseFromArray accepts any well-formed top level
 * (nested messages are parsed leniently).  buffers = 1, data_sources = 2. */
static int cfg_perfetto(struct tracing_cfg *cfg, const char *b64, size_t len, int *system,
			enum tracing_cfg_err *err)
{
	struct buf raw;
	struct cfg_pb r;
	struct cfg_pb_field f;
	size_t sources = 0, buffers = 0;
	int rc, more;

	buf_init(&raw, TRACING_CFG_MAX_PERFETTO);
	/* The descriptor check already made it strict base64. */
	rc = b64_decode_buf(&raw, b64, len, B64_STRICT);
	if (rc == CDPM_ENOMEM)
		goto out;
	if (rc) {
		rc = 0;
		*err = TRACING_CFG_PERFETTO_PARSE;
		goto out;
	}
	cfg_pb_init(&r, raw.data, raw.len);
	while (!rc && (more = cfg_pb_next(&r, &f)) == 1) {
		if (f.id == 1 && f.wire == 2 && !buffers++)
			cfg_buffer(cfg, f.data, f.len);
		else if (f.id == 2 && f.wire == 2) {
			sources++;
			rc = cfg_data_source(cfg, f.data, f.len, system);
		}
	}
	if (rc)
		goto out;
	if (more < 0)
		*err = TRACING_CFG_PERFETTO_PARSE;
	else if (!sources)
		*err = TRACING_CFG_PERFETTO_EMPTY;
out:
	buf_clear(&raw);
	return rc;
}

static int cfg_is(const json_t *params, const char *key, const char *value)
{
	const char *s = json_string_value(json_object_get(params, key));
	return s && !strcmp(s, value);
}

/* The checks, in the order Chrome makes them (inferred: Chrome reports only
 * the first).  Returns the backend verdict through *system. */
static enum tracing_cfg_err cfg_check(const json_t *params, int *system)
{
	const json_t *backend = json_object_get(params, "tracingBackend");
	const char *b = json_string_value(backend);

	if (json_object_get(params, "traceConfig") &&
	    (json_object_get(params, "categories") || json_object_get(params, "options")))
		return TRACING_CFG_BOTH;
	if (cfg_is(params, "streamFormat", "proto") &&
	    !cfg_is(params, "transferMode", "ReturnAsStream"))
		return TRACING_CFG_PROTO_NO_STREAM;
	if (backend && strcmp(b, "auto") && strcmp(b, "chrome") && strcmp(b, "system"))
		return TRACING_CFG_BACKEND;
	*system = b && !strcmp(b, "system");
	return TRACING_CFG_OK;
}

static void cfg_transfer(struct tracing_cfg *cfg, const json_t *params)
{
	cfg->stream = cfg_is(params, "transferMode", "ReturnAsStream");
	cfg->format = cfg_is(params, "streamFormat", "proto") ? TSTREAM_PROTO : TSTREAM_JSON;
	cfg->compression =
	    cfg_is(params, "streamCompression", "gzip") ? TSTREAM_GZIP : TSTREAM_NONE;
	const json_t *iv = json_object_get(params, "bufferUsageReportingInterval");
	double ms = json_number_value(iv);
	if (iv && ms != 0) {
		double us = ms * 1000.0;
		if (!(us >= (double)TRACING_CFG_MIN_USAGE_US))
			us = (double)TRACING_CFG_MIN_USAGE_US;
		if (us > 86400e6)
			us = 86400e6;
		cfg->usage_period_us = (int64_t)llround(us);
	}
}

int tracing_cfg_parse(const json_t *params, struct tracing_cfg *cfg, enum tracing_cfg_err *err)
{
	int system = 0, rc = 0;
	const json_t *pc = json_object_get(params, "perfettoConfig");
	const json_t *tc = json_object_get(params, "traceConfig");
	const char *cats = json_string_value(json_object_get(params, "categories"));
	const char *opts = json_string_value(json_object_get(params, "options"));

	cfg->periodic_dump_ms = TRACING_CFG_DEFAULT_DUMP_MS;
	*err = cfg_check(params, &system);
	if (*err)
		return 0;
	cfg_transfer(cfg, params);
	if (pc) {
		/* "When specified, categories, options and traceConfig are ignored." */
		cfg->perfetto = 1;
		int foreign = 0;
		rc =
		    cfg_perfetto(cfg, json_string_value(pc), json_string_length(pc), &foreign, err);
		if (!rc && !*err && foreign && !cfg_is(params, "tracingBackend", "chrome"))
			system = 1;
	} else if (tc) {
		rc = cfg_trace_config(cfg, tc);
	} else {
		if (cats)
			rc = tracing_cfg_split_categories(cfg, cats);
		if (!rc && opts)
			rc = cfg_split(opts, cfg_legacy_option, cfg);
	}
	if (!rc && !*err && system)
		*err = TRACING_CFG_SYSTEM;
	if (rc || *err)
		tracing_cfg_clear(cfg);
	return rc;
}
