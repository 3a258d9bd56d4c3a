/* scencheck.c - validates the sections of a scenario that cdpmock stores but
 * never runs: "expect" (what a correct client does, for cdpconform) and
 * "check" (the self-test `cdpmock --self-check` runs against a private
 * server with the reference client; see docs/scenario-format.md, "Checks").
 * Refusing a malformed one means a file that passes --check can be used.
 * The check runner lives in selfcheck/scenrun.c. */
#include "scenario/scencheck.h"

#include <string.h>

#include "scenario/jcheck.h"
#include "scenario/scennames.h"
#include "cdp/protocol.h"

/* Options a step may carry besides its verb. */
enum { O_CONN = 1, O_WITHIN = 2, O_AFTER = 4, O_SKIP = 8, O_BYTES = 16, O_BINARY = 32,
       O_AS = 64, O_MAXMSG = 128, O_PARAMS = 256, O_SESSION = 512, O_FRAG = 1024 };

struct scencheck_verb {
	const char *name;
	unsigned opts;
	int (*value)(struct jcheck *j, const json_t *v, const json_t *step);
};

static int scencheck_str(struct jcheck *j, const json_t *v, const json_t *step, const char *key)
{
	return json_is_string(v) && json_string_length(v)
		       ? 0
		       : jcheck_fail(j, v, step, key, "a non-empty string");
}

static int scencheck_connect(struct jcheck *j, const json_t *v, const json_t *step)
{
	if (json_is_string(v) && (!strcmp(json_string_value(v), "browser") ||
				  !strcmp(json_string_value(v), "page")))
		return 0;
	return jcheck_fail(j, v, step, "connect", "\"browser\" or \"page\"");
}

static int scencheck_attach(struct jcheck *j, const json_t *v, const json_t *step)
{
	return scencheck_str(j, v, step, "attach");
}

static int scencheck_send(struct jcheck *j, const json_t *v, const json_t *step)
{
	return scencheck_str(j, v, step, "send");
}

static int scencheck_text(struct jcheck *j, const json_t *v, const json_t *step)
{
	return json_is_string(v) ? 0 : jcheck_fail(j, v, step, "sendText", "a string");
}

static int scencheck_pattern(struct jcheck *j, const json_t *v, const json_t *step)
{
	return json_is_object(v) ? 0 : jcheck_fail(j, v, step, "expect", "a message pattern object");
}

static int scencheck_true(struct jcheck *j, const json_t *v, const json_t *step)
{
	return json_is_true(v) ? 0 : jcheck_fail(j, v, step, "expectInvalid", "true");
}

static int scencheck_close(struct jcheck *j, const json_t *v, const json_t *step)
{
	int64_t code;
	if (json_is_string(v) && !strcmp(json_string_value(v), "any"))
		return 0;
	if (json_is_integer(v))
		return jcheck_is_int(j, v, step, "expectClose", 1000, 4999, &code) < 0 ? -1 : 0;
	return jcheck_fail(j, v, step, "expectClose", "a close code or \"any\"");
}

static int scencheck_ms(struct jcheck *j, const json_t *v, const json_t *step)
{
	double ms;
	return jcheck_is_number(j, v, step, NULL, 0, 600000, &ms) < 0 ? -1 : 0;
}

static int scencheck_read(struct jcheck *j, const json_t *v, const json_t *step)
{
	static const char *const keys[] = {"handle", "session",	 "size",  "minBytes", "maxBytes",
					   "bytes",  "reads",	 "maxReads", "base64", "close",
					   "gzip",   "json",	 "error", NULL};
	static const char *const ints[] = {"size", "minBytes", "maxBytes", "bytes", "reads",
					   "maxReads", NULL};
	static const char *const bools[] = {"base64", "close", "gzip", "json", NULL};
	if (jcheck_object(j, v, step, "readStream", keys) || !jcheck_required(j, v, "handle"))
		return -1;
	const char *s;
	int b;
	int64_t n;
	jcheck_string(j, v, "handle", &s);
	jcheck_string(j, v, "session", &s);
	for (int i = 0; ints[i]; i++)
		jcheck_int(j, v, ints[i], 0, INT64_MAX, &n);
	for (int i = 0; bools[i]; i++)
		jcheck_bool(j, v, bools[i], &b);
	const json_t *e = json_object_get(v, "error");
	if (e && !json_is_object(e))
		return jcheck_fail(j, e, v, "error", "an error pattern object");
	return 0;
}

static int scencheck_collect(struct jcheck *j, const json_t *v, const json_t *step)
{
	static const char *const keys[] = {"minEvents", "maxEvents", "minBatches", "maxBatches",
					   "complete", NULL};
	if (jcheck_object(j, v, step, "collectEvents", keys))
		return -1;
	int64_t n;
	for (int i = 0; keys[i + 1]; i++)
		jcheck_int(j, v, keys[i], 0, INT64_MAX, &n);
	const json_t *c = json_object_get(v, "complete");
	if (c && !json_is_object(c))
		return jcheck_fail(j, c, v, "complete", "a pattern for tracingComplete's params");
	return 0;
}

static const struct scencheck_verb scencheck_verbs[] = {
	{"connect", O_AS | O_MAXMSG, scencheck_connect},
	{"attach", O_CONN, scencheck_attach},
	{"send", O_CONN | O_PARAMS | O_SESSION, scencheck_send},
	{"sendText", O_CONN | O_BINARY | O_FRAG, scencheck_text},
	{"expect", O_CONN | O_WITHIN | O_AFTER | O_SKIP | O_BYTES | O_BINARY, scencheck_pattern},
	{"expectInvalid", O_CONN | O_WITHIN | O_SKIP | O_BYTES, scencheck_true},
	{"expectClose", O_CONN | O_WITHIN | O_AFTER | O_SKIP, scencheck_close},
	{"quiet", O_CONN | O_SKIP, scencheck_ms},
	{"sleep", 0, scencheck_ms},
	{"readStream", O_CONN | O_WITHIN, scencheck_read},
	{"collectEvents", O_CONN | O_WITHIN | O_SKIP, scencheck_collect},
};

static const struct { const char *key; unsigned bit; } scencheck_opts[] = {
	{"conn", O_CONN},     {"withinMs", O_WITHIN}, {"afterMs", O_AFTER},
	{"skip", O_SKIP},     {"minBytes", O_BYTES},  {"maxBytes", O_BYTES},
	{"binary", O_BINARY}, {"as", O_AS},	      {"maxMessage", O_MAXMSG},
	{"params", O_PARAMS}, {"session", O_SESSION}, {"fragment", O_FRAG},
};

static void scencheck_opt(struct jcheck *j, const json_t *step, const char *key, const json_t *v)
{
	size_t m = jcheck_push_key(j, key);
	int64_t n;
	double d;
	if (!strcmp(key, "conn") || !strcmp(key, "as") || !strcmp(key, "session")) {
		scencheck_str(j, v, step, key);
	} else if (!strcmp(key, "withinMs") || !strcmp(key, "afterMs")) {
		jcheck_is_number(j, v, step, key, 0, 600000, &d);
	} else if (!strcmp(key, "binary")) {
		if (!json_is_boolean(v))
			jcheck_fail(j, v, step, key, "true or false");
	} else if (!strcmp(key, "params")) {
		if (!json_is_object(v))
			jcheck_fail(j, v, step, key, "an object");
	} else if (!strcmp(key, "skip")) {
		size_t i;
		for (i = 0; json_is_array(v) && i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i)))
				break;
		if (!json_is_array(v) || i < json_array_size(v))
			jcheck_fail(j, v, step, key, "an array of method names or globs");
	} else {
		jcheck_is_int(j, v, step, key, 1, INT64_MAX, &n);
	}
	jcheck_pop(j, m);
}

static void scencheck_step(struct jcheck *j, const json_t *step, const json_t *arr)
{
	if (!json_is_object(step)) {
		jcheck_fail(j, step, arr, NULL, "a step object");
		return;
	}
	const struct scencheck_verb *verb = NULL;
	for (size_t i = 0; i < sizeof(scencheck_verbs) / sizeof(scencheck_verbs[0]); i++) {
		if (!json_object_get(step, scencheck_verbs[i].name))
			continue;
		if (verb) {
			jcheck_failf(j, step, arr, NULL, "one verb per step (\"%s\" or \"%s\")",
				     verb->name, scencheck_verbs[i].name);
			return;
		}
		verb = &scencheck_verbs[i];
	}
	if (!verb) {
		jcheck_fail(j, step, arr, NULL,
			    "a step with one of \"connect\", \"attach\", \"send\", \"sendText\", "
			    "\"expect\", \"expectInvalid\", \"expectClose\", \"quiet\", "
			    "\"sleep\", \"readStream\", \"collectEvents\"");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)step, key, v)
	{
		if (!strcmp(key, verb->name)) {
			size_t m = jcheck_push_key(j, key);
			verb->value(j, v, step);
			jcheck_pop(j, m);
			continue;
		}
		unsigned bit = 0;
		for (size_t i = 0; i < sizeof(scencheck_opts) / sizeof(scencheck_opts[0]); i++)
			if (!strcmp(scencheck_opts[i].key, key))
				bit = scencheck_opts[i].bit;
		if (!(bit & verb->opts)) {
			size_t m = jcheck_push_key(j, key);
			jcheck_failf(j, v, step, key, "no \"%s\" in a \"%s\" step", key, verb->name);
			jcheck_pop(j, m);
			continue;
		}
		scencheck_opt(j, step, key, v);
	}
}

int scencheck_validate(struct jcheck *j, const json_t *check)
{
	static const char *const keys[] = {"heavy", "steps", NULL};
	if (jcheck_object(j, check, NULL, NULL, keys))
		return -1;
	int heavy;
	jcheck_bool(j, check, "heavy", &heavy);
	const json_t *steps = jcheck_required(j, check, "steps");
	if (!steps)
		return -1;
	size_t m = jcheck_push_key(j, "steps");
	if (!json_is_array(steps) || !json_array_size(steps)) {
		jcheck_fail(j, steps, check, "steps", "a non-empty array of steps");
	} else {
		for (size_t i = 0; i < json_array_size(steps); i++) {
			size_t mi = jcheck_push_index(j, i);
			scencheck_step(j, json_array_get(steps, i), steps);
			jcheck_pop(j, mi);
		}
	}
	jcheck_pop(j, m);
	return 0;
}

/* ---- expectations ---- */

/* A message pattern for expectations: {"method": M, "params": {...}}. */
static void scx_pattern(struct jcheck *j, const json_t *v, const json_t *arr)
{
	static const char *const keys[] = {"method", "params", "session", NULL};
	const char *s;
	if (jcheck_object(j, v, arr, NULL, keys) || !jcheck_required(j, v, "method"))
		return;
	if (jcheck_string(j, v, "method", &s) == 1)
		scennames_check(j, v, "method", PROTOCOL_COMMANDS, "a client sends only commands");
	jcheck_string(j, v, "session", &s);
	const json_t *p = json_object_get(v, "params");
	if (p && !json_is_object(p)) {
		size_t m = jcheck_push_key(j, "params");
		jcheck_fail(j, p, v, "params", "an object");
		jcheck_pop(j, m);
	}
}

static void scx_patterns(struct jcheck *j, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return;
	size_t m = jcheck_push_key(j, key);
	if (!json_is_array(v)) {
		jcheck_fail(j, v, o, key, "an array of message patterns");
	} else {
		for (size_t i = 0; i < json_array_size(v); i++) {
			size_t mi = jcheck_push_index(j, i);
			scx_pattern(j, json_array_get(v, i), v);
			jcheck_pop(j, mi);
		}
	}
	jcheck_pop(j, m);
}

static void scx_outputs(struct jcheck *j, const json_t *o)
{
	static const char *const keys[] = {"name", "minBytes", "maxBytes", "json", "contains",
					   NULL};
	const json_t *v = json_object_get(o, "outputs");
	if (!v)
		return;
	size_t m = jcheck_push_key(j, "outputs");
	if (!json_is_array(v))
		jcheck_fail(j, v, o, "outputs", "an array of outputs");
	for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);
		size_t mi = jcheck_push_index(j, i);
		const char *s;
		int64_t n;
		int b;
		if (!jcheck_object(j, e, v, NULL, keys) && jcheck_required(j, e, "name")) {
			jcheck_string(j, e, "name", &s);
			jcheck_int(j, e, "minBytes", 0, INT64_MAX, &n);
			jcheck_int(j, e, "maxBytes", 0, INT64_MAX, &n);
			jcheck_bool(j, e, "json", &b);
			jcheck_string(j, e, "contains", &s);
		}
		jcheck_pop(j, mi);
	}
	jcheck_pop(j, m);
}

/* The task names cdpconform knows (docs/adapters.md). */
static const char *const scx_tasks[] = {"trace-events", "trace-stream", "trace-gzip",
					"trace-twice",	"profile",	"console-profile",
					"coverage",	NULL};

static int scx_is_task(const json_t *v)
{
	for (int i = 0; json_is_string(v) && scx_tasks[i]; i++)
		if (!strcmp(json_string_value(v), scx_tasks[i]))
			return 1;
	return 0;
}

/* "task": one task name or a non-empty array of them. */
static void scx_task(struct jcheck *j, const json_t *o)
{
	const json_t *v = json_object_get(o, "task");
	if (!v || scx_is_task(v))
		return;
	size_t m = jcheck_push_key(j, "task");
	int ok = json_is_array(v) && json_array_size(v);
	for (size_t i = 0; ok && i < json_array_size(v); i++)
		ok = scx_is_task(json_array_get(v, i));
	if (!ok)
		jcheck_fail(j, v, o, "task",
			    "a task name (trace-events, trace-stream, trace-gzip, trace-twice, "
			    "profile, console-profile, coverage) or an array of them");
	jcheck_pop(j, m);
}

/* The keys an expectation may set, at the top or for one task in byTask. */
static void scx_body(struct jcheck *j, const json_t *v)
{
	const char *s;
	int b;
	int64_t n;
	scx_patterns(j, v, "send");
	scx_patterns(j, v, "notSend");
	jcheck_bool(j, v, "closeStreams", &b);
	jcheck_string(j, v, "noCommandAfter", &s);
	const json_t *e = json_object_get(v, "exit");
	if (e && !(json_is_string(e) && (!strcmp(json_string_value(e), "success") ||
					 !strcmp(json_string_value(e), "failure") ||
					 !strcmp(json_string_value(e), "any")))) {
		size_t m = jcheck_push_key(j, "exit");
		jcheck_is_int(j, e, v, "exit", 0, 255, &n);
		jcheck_pop(j, m);
	}
	scx_outputs(j, v);
	jcheck_int(j, v, "timeLimitMs", 1, 86400000, &n);
}

/* "byTask": {TASK: {keys of scx_body}}: what differs for one task. */
static void scx_by_task(struct jcheck *j, const json_t *o)
{
	static const char *const keys[] = {"send",    "notSend", "closeStreams", "noCommandAfter",
					   "exit",    "outputs", "timeLimitMs",
					   NULL};
	const json_t *v = json_object_get(o, "byTask");
	if (!v)
		return;
	size_t m = jcheck_push_key(j, "byTask");
	if (!json_is_object(v)) {
		jcheck_fail(j, v, o, "byTask", "an object of task names");
	} else {
		const char *task;
		json_t *t;
		json_object_foreach((json_t *)v, task, t) {
			json_t *name = json_string(task);
			size_t mk = jcheck_push_key(j, task);
			if (!scx_is_task(name))
				jcheck_fail(j, t, v, task, "a task name as the key");
			else if (!jcheck_object(j, t, v, task, keys))
				scx_body(j, t);
			jcheck_pop(j, mk);
			json_decref(name);
		}
	}
	jcheck_pop(j, m);
}

void scencheck_expect(struct jcheck *j, const json_t *v, const json_t *parent)
{
	static const char *const keys[] = {"task",	     "send",	 "notSend", "closeStreams",
					   "noCommandAfter", "exit",	 "outputs", "timeLimitMs",
					   "byTask",	     NULL};
	if (jcheck_object(j, v, parent, "expect", keys))
		return;
	scx_task(j, v);
	scx_body(j, v);
	scx_by_task(j, v);
}
