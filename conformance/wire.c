/* wire.c - the journal of a case and the checks made on it alone (see
 * wire.h).  Only what the client sent counts against it: the journal's
 * "in" lines, read against the "out" lines that gave it handles and
 * sessions. */
#include "wire.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "conform.h"

int wire_load(struct wire *w, const char *journal)
{
	memset(w, 0, sizeof(*w));
	w->lines = json_array();
	FILE *f = fopen(journal, "r");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		json_t *l = json_loadb(line, (size_t)n, 0, NULL);
		if (!l)
			continue;
		const json_t *msg = json_object_get(l, "msg");
		const char *kind = json_string_value(json_object_get(msg, "digest"));
		if (kind) {
			/* {"digest": KIND, "count": N, "sum": HEX} */
			struct evdigest d;
			d.count = (uint64_t)json_integer_value(json_object_get(msg, "count"));
			const char *sum = json_string_value(json_object_get(msg, "sum"));
			d.sum = sum ? strtoull(sum, NULL, 16) : 0;
			if (!strcmp(kind, "trace") && w->d.n_trace < WIRE_MAX_DIGESTS)
				w->d.trace[w->d.n_trace++] = d;
			else if (!strcmp(kind, "profile")) {
				w->d.profile = d;
				w->d.has_profile = 1;
			} else if (!strcmp(kind, "console-profile")) {
				w->d.console.count += d.count;
				w->d.console.sum += d.sum;
			} else if (!strcmp(kind, "coverage")) {
				w->d.coverage.count += d.count;
				w->d.coverage.sum += d.sum;
			}
		}
		const char *method = json_string_value(json_object_get(msg, "method"));
		if (method && !strcmp(method, "Tracing.tracingComplete") &&
		    json_is_true(
			json_object_get(json_object_get(msg, "params"), "dataLossOccurred")))
			w->d.data_loss = 1;
		json_array_append_new(w->lines, l);
	}
	free(line);
	fclose(f);
	return 0;
}

void wire_clear(struct wire *w)
{
	json_decref(w->lines);
	w->lines = NULL;
}

static const char *wire_dir(const json_t *l)
{
	return json_string_value(json_object_get(l, "dir"));
}

/* The client's command on line l, or NULL. */
static const json_t *wire_command(const json_t *l)
{
	const char *d = wire_dir(l);
	const json_t *m = json_object_get(l, "msg");
	return d && !strcmp(d, "in") && json_is_string(json_object_get(m, "method")) ? m : NULL;
}

static const char *wire_method(const json_t *m)
{
	return json_string_value(json_object_get(m, "method"));
}

/* Matches like a scenario rule's params: objects by subset, arrays element
 * by element, scalars equal. */
static int wire_subset(const json_t *pat, const json_t *v)
{
	if (json_is_object(pat)) {
		const char *k;
		json_t *pv;
		if (!json_is_object(v))
			return 0;
		json_object_foreach((json_t *)pat, k, pv)
		{
			if (!wire_subset(pv, json_object_get(v, k)))
				return 0;
		}
		return 1;
	}
	if (json_is_array(pat)) {
		if (!json_is_array(v) || json_array_size(v) != json_array_size(pat))
			return 0;
		for (size_t i = 0; i < json_array_size(pat); i++)
			if (!wire_subset(json_array_get(pat, i), json_array_get(v, i)))
				return 0;
		return 1;
	}
	return v && json_equal(pat, v);
}

/* A glob with '*' only, for methods. */
static int wire_glob(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (*p == '*')
		return wire_glob(p + 1, s) || (*s && wire_glob(p, s + 1));
	return *s == *p && wire_glob(p + 1, s + 1);
}

static int wire_matches(const json_t *pat, const json_t *cmd)
{
	const char *m = json_string_value(json_object_get(pat, "method"));
	const char *sess = json_string_value(json_object_get(pat, "session"));
	const char *sid = json_string_value(json_object_get(cmd, "sessionId"));
	if (!m || !wire_glob(m, wire_method(cmd)))
		return 0;
	if (sess && strcmp(sess, "any")) {
		if (!strcmp(sess, "root")    ? sid != NULL
		    : !strcmp(sess, "child") ? sid == NULL
					     : !sid || strcmp(sid, sess))
			return 0;
	}
	const json_t *params = json_object_get(pat, "params");
	return !params || wire_subset(params, json_object_get(cmd, "params"));
}

static char *wire_pattern_text(const json_t *pat)
{
	char *s = json_dumps(pat, JSON_COMPACT);
	char *r = util_strdup(s ? s : "?");
	free(s);
	return r;
}

int wire_send(const struct wire *w, const json_t *patterns, char **why)
{
	size_t k = 0, n = json_array_size(patterns);
	for (size_t i = 0; k < n && i < json_array_size(w->lines); i++) {
		const json_t *cmd = wire_command(json_array_get(w->lines, i));
		if (cmd && wire_matches(json_array_get(patterns, k), cmd))
			k++;
	}
	if (k == n)
		return 0;
	char *p = wire_pattern_text(json_array_get(patterns, k));
	*why = k ? util_printf("never sent %s after %s", p,
			       json_string_value(
				   json_object_get(json_array_get(patterns, k - 1), "method")))
		 : util_printf("never sent %s", p);
	free(p);
	return -1;
}

int wire_not_send(const struct wire *w, const json_t *patterns, char **why)
{
	for (size_t i = 0; i < json_array_size(w->lines); i++) {
		const json_t *cmd = wire_command(json_array_get(w->lines, i));
		for (size_t k = 0; cmd && k < json_array_size(patterns); k++) {
			if (wire_matches(json_array_get(patterns, k), cmd)) {
				char *p = wire_pattern_text(json_array_get(patterns, k));
				*why = util_printf("sent %s, which it must not (%s)",
						   wire_method(cmd), p);
				free(p);
				return -1;
			}
		}
	}
	return 0;
}

int wire_no_command_after(const struct wire *w, const char *event, char **why)
{
	json_int_t conn = -1;
	for (size_t i = 0; i < json_array_size(w->lines); i++) {
		const json_t *l = json_array_get(w->lines, i);
		const json_t *m = json_object_get(l, "msg");
		json_int_t c = json_integer_value(json_object_get(l, "conn"));
		const char *d = wire_dir(l);
		if (conn < 0 && d && !strcmp(d, "out") && wire_method(m) &&
		    !json_object_get(m, "id") && wire_glob(event, wire_method(m))) {
			conn = c;
			continue;
		}
		const json_t *cmd = wire_command(l);
		if (conn >= 0 && cmd && c == conn) {
			*why = util_printf("sent %s after %s", wire_method(cmd), event);
			return -1;
		}
	}
	return 0;
}

/* Whether the mock itself closed connection conn (a scenario's close,
 * FIN or RST, or Chrome's reaction to a bad frame): then nothing more can
 * be asked of the client on it. */
static int wire_mock_closed(const struct wire *w, json_int_t conn)
{
	static const char *const marks[] = {"scenario: closing", "scenario: resetting",
					    "dropping TCP", "; closing", NULL};
	for (size_t i = 0; i < json_array_size(w->lines); i++) {
		const json_t *l = json_array_get(w->lines, i);
		const char *d = wire_dir(l), *text = json_string_value(json_object_get(l, "text"));
		if (!d || strcmp(d, "note") || !text ||
		    json_integer_value(json_object_get(l, "conn")) != conn)
			continue;
		for (int k = 0; marks[k]; k++)
			if (strstr(text, marks[k]))
				return 1;
	}
	return 0;
}

/* A stream handed out by tracingComplete: its handle, connection and
 * session, and whether IO.close has been sent for it. */
struct wire_stream {
	const char *handle, *session;
	json_int_t conn;
	int closed;
};

#define WIRE_MAX_STREAMS 64

static size_t wire_streams(const struct wire *w, struct wire_stream *s, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(w->lines); i++) {
		const json_t *l = json_array_get(w->lines, i);
		const json_t *m = json_object_get(l, "msg");
		const char *d = wire_dir(l), *method = wire_method(m);
		if (!d || strcmp(d, "out") || !method || strcmp(method, "Tracing.tracingComplete"))
			continue;
		const char *h =
		    json_string_value(json_object_get(json_object_get(m, "params"), "stream"));
		if (h && n < max)
			s[n++] = (struct wire_stream){
			    h, json_string_value(json_object_get(m, "sessionId")),
			    json_integer_value(json_object_get(l, "conn")), 0};
	}
	return n;
}

int wire_close_streams(const struct wire *w, char **why)
{
	struct wire_stream s[WIRE_MAX_STREAMS];
	size_t n = wire_streams(w, s, WIRE_MAX_STREAMS);
	for (size_t i = 0; i < json_array_size(w->lines); i++) {
		const json_t *l = json_array_get(w->lines, i);
		const json_t *cmd = wire_command(l);
		if (!cmd || strcmp(wire_method(cmd), "IO.close"))
			continue;
		const char *h =
		    json_string_value(json_object_get(json_object_get(cmd, "params"), "handle"));
		for (size_t k = 0; h && k < n; k++)
			if (!strcmp(s[k].handle, h) &&
			    s[k].conn == json_integer_value(json_object_get(l, "conn")))
				s[k].closed = 1;
	}
	for (size_t k = 0; k < n; k++) {
		if (!s[k].closed && !wire_mock_closed(w, s[k].conn)) {
			*why = util_printf("stream %s was never closed with IO.close", s[k].handle);
			return -1;
		}
	}
	return 0;
}

/* IO.read and IO.close must name a stream that this session was given and
 * that is not closed yet. */
static int wire_handle_rule(const json_t *l, const json_t *cmd, struct wire_stream *s, size_t n,
			    char **why)
{
	const char *method = wire_method(cmd);
	if (strcmp(method, "IO.read") && strcmp(method, "IO.close"))
		return 0;
	const char *h =
	    json_string_value(json_object_get(json_object_get(cmd, "params"), "handle"));
	const char *sid = json_string_value(json_object_get(cmd, "sessionId"));
	json_int_t conn = json_integer_value(json_object_get(l, "conn"));
	for (size_t k = 0; h && k < n; k++) {
		if (strcmp(s[k].handle, h) || s[k].conn != conn)
			continue;
		if ((s[k].session == NULL) != (sid == NULL) || (sid && strcmp(sid, s[k].session))) {
			*why = util_printf("%s on stream %s, which belongs to another session",
					   method, h);
			return -1;
		}
		if (s[k].closed) {
			*why = util_printf("%s on stream %s after IO.close", method, h);
			return -1;
		}
		if (!strcmp(method, "IO.close"))
			s[k].closed = 1;
		return 0;
	}
	*why = util_printf("%s on handle %s, which the browser never gave out", method,
			   h ? h : "(none)");
	return -1;
}

int wire_protocol(const struct wire *w, char **why)
{
	struct wire_stream s[WIRE_MAX_STREAMS];
	size_t n = 0;
	int ended = 0; /* a Tracing.end was sent and no Tracing.start since */
	json_t *ids = json_object();
	int rc = 0;
	for (size_t i = 0; !rc && i < json_array_size(w->lines); i++) {
		const json_t *l = json_array_get(w->lines, i);
		const json_t *m = json_object_get(l, "msg");
		const char *d = wire_dir(l);
		if (d && !strcmp(d, "out")) {
			const char *method = wire_method(m);
			const char *h = json_string_value(
			    json_object_get(json_object_get(m, "params"), "stream"));
			if (method && !strcmp(method, "Tracing.tracingComplete") && h &&
			    n < WIRE_MAX_STREAMS)
				s[n++] = (struct wire_stream){
				    h, json_string_value(json_object_get(m, "sessionId")),
				    json_integer_value(json_object_get(l, "conn")), 0};
			const char *em = json_string_value(
			    json_object_get(json_object_get(m, "error"), "message"));
			if (em && !strcmp(em, "Session with given id not found.")) {
				*why = util_printf(
				    "a command to a session that does not exist "
				    "(id %lld)",
				    (long long)json_integer_value(json_object_get(m, "id")));
				rc = -1;
			}
			continue;
		}
		const json_t *cmd = wire_command(l);
		if (!cmd)
			continue;
		const char *method = wire_method(cmd);
		const json_t *id = json_object_get(cmd, "id");
		if (json_is_integer(id)) {
			char key[64];
			snprintf(key, sizeof(key), "%lld/%lld",
				 (long long)json_integer_value(json_object_get(l, "conn")),
				 (long long)json_integer_value(id));
			if (json_object_get(ids, key)) {
				*why = util_printf("id %lld reused on one connection (%s)",
						   (long long)json_integer_value(id), method);
				rc = -1;
				break;
			}
			json_object_set_new(ids, key, json_true());
		}
		if (!strcmp(method, "Tracing.start")) {
			ended = 0;
		} else if (!strcmp(method, "Tracing.end")) {
			if (ended) {
				*why = util_strdup("a second Tracing.end without a Tracing.start");
				rc = -1;
			}
			ended = 1;
		} else {
			rc = wire_handle_rule(l, cmd, s, n, why);
		}
	}
	json_decref(ids);
	return rc;
}
