/* recfile.c - writes what the proxy recorded as a scenario file
 * (docs/record.md): the browser's identity and pages, then one rule per
 * command in the order the commands were sent, with the reply as a `reply`
 * action and the events that followed it as `emit`s, each with the time
 * it came after the command ("replyAtMs", "atMs": --replay-timing real).  Payloads bigger than
 * REC_INLINE_MAX go to FILE.d/ as gzip JSON, named by {"$file": ...}. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "cdpm.h"
#include "record/record_int.h"

/* Results and params above this many bytes of JSON go beside the file. */
#define REC_INLINE_MAX 16384

/* The Target domain makes the sessions and target ids: it is left to the
 * model on replay, so the replay's ids are the new client's own. */
static int rec_model_owned(const char *method)
{
	return method && !strncmp(method, "Target.", 7);
}

/* Does pattern p match value v the way a rule's match.params does
 * (objects by key, arrays element by element, scalars equal)? */
int rec_subset(const json_t *p, const json_t *v)
{
	if (json_is_object(p)) {
		if (!json_is_object(v))
			return 0;
		const char *k;
		json_t *pv;
		json_object_foreach((json_t *)p, k, pv) {
			if (!rec_subset(pv, json_object_get(v, k)))
				return 0;
		}
		return 1;
	}
	if (json_is_array(p)) {
		if (!json_is_array(v) || json_array_size(p) > json_array_size(v))
			return 0;
		for (size_t i = 0; i < json_array_size(p); i++)
			if (!rec_subset(json_array_get(p, i), json_array_get(v, i)))
				return 0;
		return 1;
	}
	return v && json_equal(p, v);
}

struct rec_out {
	struct buf dir;     /* FILE.d (as written in references: its base name) */
	char *dir_path;     /* FILE.d on disk */
	unsigned n_files;
	int err;
};

/* v itself, or {"$file": "FILE.d/N.json.gz"} when it is big. */
static json_t *rec_payload(struct rec_out *o, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
	if (!text)
		return json_incref(v);
	size_t len = strlen(text);
	if (len <= REC_INLINE_MAX) {
		free(text);
		return json_incref(v);
	}
	if (o->n_files == 0 && mkdir(o->dir_path, 0777) && errno != EEXIST) {
		fprintf(stderr, "cdpmock: cannot create %s: %s\n", o->dir_path, strerror(errno));
		o->err = CDPM_EIO;
	}
	char name[64], path[4200];
	snprintf(name, sizeof(name), "%u.json.gz", ++o->n_files);
	snprintf(path, sizeof(path), "%s/%s", o->dir_path, name);
	gzFile gz = o->err ? NULL : gzopen(path, "wb9");
	if (!gz || gzwrite(gz, text, (unsigned)len) != (int)len) {
		if (!o->err)
			fprintf(stderr, "cdpmock: cannot write %s\n", path);
		o->err = CDPM_EIO;
	}
	if (gz)
		gzclose(gz);
	free(text);
	struct buf ref;
	buf_init(&ref, 0);
	buf_printf(&ref, "%s/%s", o->dir.data, name);
	json_t *r = json_pack("{s:s}", "$file", buf_finish(&ref) ? "" : ref.data);
	buf_clear(&ref);
	return r;
}

/* The command a message (reply or event) of w at index i belongs to: the
 * last command sent before it that the recording keeps. */
static const struct rec_msg *rec_owner(const struct rec_ws *w, size_t i)
{
	while (i-- > 0) {
		const struct rec_msg *m = &w->msgs[i];
		if (m->from_client && json_object_get(m->msg, "id") &&
		    !rec_model_owned(json_string_value(json_object_get(m->msg, "method"))))
			return m;
	}
	return NULL;
}

/* The reply to command cmd on w, or NULL; *at gets its index. */
static const struct rec_msg *rec_reply(const struct rec_ws *w, const struct rec_msg *cmd,
				       size_t *at)
{
	const json_t *id = json_object_get(cmd->msg, "id");
	for (size_t i = (size_t)(cmd - w->msgs) + 1; i < w->n_msgs; i++) {
		const struct rec_msg *m = &w->msgs[i];
		if (!m->from_client && json_object_get(m->msg, "method") == NULL &&
		    json_equal(json_object_get(m->msg, "id"), id)) {
			*at = i;
			return m;
		}
	}
	return NULL;
}

/* When m came, in whole ms after command cmd was sent (never negative:
 * the clock is monotonic, but say so anyway). */
static json_int_t rec_ms(const struct rec_msg *cmd, const struct rec_msg *m)
{
	int64_t d = m->t_us - cmd->t_us;
	return d > 0 ? (json_int_t)((d + 500) / 1000) : 0;
}

/* The rule for command cmd of w (all earlier commands, of every
 * connection, are in prev for its nth). */
static json_t *rec_rule(struct rec_out *o, const struct rec_ws *w, const struct rec_msg *cmd,
			const struct rec_msg *const *prev, size_t n_prev, size_t number)
{
	const char *method = json_string_value(json_object_get(cmd->msg, "method"));
	json_t *params = json_object_get(cmd->msg, "params");
	json_t *match = json_pack("{s:s}", "method", method);
	if (json_is_object(params) && json_object_size(params))
		json_object_set(match, "params", params);
	uint64_t nth = 1;
	for (size_t i = 0; i < n_prev; i++) {
		const char *pm = json_string_value(json_object_get(prev[i]->msg, "method"));
		if (pm && !strcmp(pm, method) &&
		    (!json_object_get(match, "params") ||
		     rec_subset(json_object_get(match, "params"), json_object_get(prev[i]->msg, "params"))))
			nth++;
	}
	json_object_set_new(match, "nth", json_integer((json_int_t)nth));
	json_t *action = json_object();
	size_t reply_at = w->n_msgs;
	const struct rec_msg *reply = rec_reply(w, cmd, &reply_at);
	if (reply) {
		json_t *err = json_object_get(reply->msg, "error");
		json_t *res = json_object_get(reply->msg, "result");
		json_t *r = json_object();
		if (err)
			json_object_set(r, "error", err);
		else
			json_object_set_new(r, "result", rec_payload(o, res ? res : json_object()));
		json_object_set_new(action, "reply", r);
	} else {
		json_object_set_new(action, "hold", json_true()); /* never answered */
	}
	if (reply)
		json_object_set_new(action, "replyAtMs", json_integer(rec_ms(cmd, reply)));
	json_t *emits = json_array();
	const char *cmd_sid = json_string_value(json_object_get(cmd->msg, "sessionId"));
	for (size_t i = (size_t)(cmd - w->msgs) + 1; i < w->n_msgs; i++) {
		const struct rec_msg *m = &w->msgs[i];
		const char *ev = json_string_value(json_object_get(m->msg, "method"));
		if (m->from_client || !ev || json_object_get(m->msg, "id") || rec_model_owned(ev) ||
		    rec_owner(w, i) != cmd)
			continue;
		json_t *e = json_pack("{s:s}", "method", ev);
		json_t *p = json_object_get(m->msg, "params");
		if (p)
			json_object_set_new(e, "params", rec_payload(o, p));
		if (i < reply_at)
			json_object_set_new(e, "when", json_string("before"));
		json_object_set_new(e, "atMs", json_integer(rec_ms(cmd, m)));
		if (!json_object_get(m->msg, "sessionId") && cmd_sid)
			json_object_set_new(e, "to", json_string("root"));
		json_array_append_new(emits, e);
	}
	if (json_array_size(emits))
		json_object_set_new(action, "emit", emits);
	else
		json_decref(emits);
	char name[300];
	snprintf(name, sizeof(name), "recorded %zu: %s", number, method);
	return json_pack("{s:s,s:o,s:o}", "name", name, "match", match, "action", action);
}

static int rec_by_seq(const void *a, const void *b)
{
	const struct rec_msg *x = *(const struct rec_msg *const *)a;
	const struct rec_msg *y = *(const struct rec_msg *const *)b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Every command, of every connection, in the order sent. */
static const struct rec_msg **rec_commands(size_t *n)
{
	size_t count = 0, k = 0;
	for (const struct rec_ws *w = rec.ws; w; w = w->next)
		for (size_t i = 0; i < w->n_msgs; i++)
			count += w->msgs[i].from_client;
	const struct rec_msg **all = calloc(count ? count : 1, sizeof(*all));
	if (!all)
		return NULL;
	for (const struct rec_ws *w = rec.ws; w; w = w->next)
		for (size_t i = 0; i < w->n_msgs; i++)
			if (w->msgs[i].from_client)
				all[k++] = &w->msgs[i];
	qsort(all, count, sizeof(*all), rec_by_seq);
	*n = count;
	return all;
}

static const struct rec_ws *rec_ws_holding(const struct rec_msg *m)
{
	for (const struct rec_ws *w = rec.ws; w; w = w->next)
		if (m >= w->msgs && m < w->msgs + w->n_msgs)
			return w;
	return NULL;
}

/* "browser" from /json/version (and Browser.getVersion's revision). */
static json_t *rec_browser(const struct rec_msg *const *cmds, size_t n)
{
	json_t *b = json_object();
	static const char *const keys[][2] = {
		{"Browser", "product"},       {"Protocol-Version", "protocolVersion"},
		{"User-Agent", "userAgent"},  {"V8-Version", "jsVersion"},
		{"WebKit-Version", "webkitVersion"},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(rec.version, keys[i][0]);
		if (json_is_string(v))
			json_object_set(b, keys[i][1], v);
	}
	for (size_t i = 0; i < n; i++) {
		const char *m = json_string_value(json_object_get(cmds[i]->msg, "method"));
		size_t at;
		const struct rec_msg *r;
		if (m && !strcmp(m, "Browser.getVersion") &&
		    (r = rec_reply(rec_ws_holding(cmds[i]), cmds[i], &at))) {
			json_t *res = json_object_get(r->msg, "result");
			static const char *const names[] = {"product", "revision", "userAgent",
							    "jsVersion", "protocolVersion"};
			for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
				json_t *v = json_object_get(res, names[k]);
				if (json_is_string(v) && !json_object_get(b, names[k]))
					json_object_set(b, names[k], v);
			}
			break;
		}
	}
	return b;
}

/* "targets" from /json/list: its pages, in the order it showed them. */
static json_t *rec_targets(void)
{
	json_t *pages = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(rec.pages, i, t) {
		const char *type = json_string_value(json_object_get(t, "type"));
		json_t *url = json_object_get(t, "url");
		if (!type || strcmp(type, "page") || !json_is_string(url))
			continue;
		json_t *p = json_pack("{s:O}", "url", url);
		json_t *title = json_object_get(t, "title");
		if (json_is_string(title))
			json_object_set(p, "title", title);
		json_array_append_new(pages, p);
	}
	return json_pack("{s:o}", "pages", pages);
}

static json_t *rec_scenario(struct rec_out *o)
{
	size_t n = 0;
	const struct rec_msg **cmds = rec_commands(&n);
	if (!cmds)
		return NULL;
	json_t *sc = json_object();
	json_object_set_new(sc, "description",
			    json_pack("s+", "A session recorded through cdpmock from http://", rec.hostport));
	if (rec.version)
		json_object_set_new(sc, "browser", rec_browser(cmds, n));
	if (json_is_array(rec.pages))
		json_object_set_new(sc, "targets", rec_targets());
	json_t *rules = json_array();
	size_t number = 0;
	for (size_t i = 0; i < n; i++) {
		const char *m = json_string_value(json_object_get(cmds[i]->msg, "method"));
		if (!m || !json_object_get(cmds[i]->msg, "id") || rec_model_owned(m))
			continue;
		json_array_append_new(rules, rec_rule(o, rec_ws_holding(cmds[i]), cmds[i], cmds, i,
						      ++number));
	}
	json_object_set_new(sc, "rules", rules);
	free(cmds);
	if (rec.redact)
		rec_redact_strings(sc);
	return sc;
}

int rec_write_file(void)
{
	struct rec_out o;
	memset(&o, 0, sizeof(o));
	buf_init(&o.dir, 0);
	const char *slash = strrchr(rec.file, '/');
	buf_printf(&o.dir, "%s.d", slash ? slash + 1 : rec.file);
	if (buf_finish(&o.dir))
		return CDPM_ENOMEM;
	size_t plen = strlen(rec.file) + 3;
	o.dir_path = malloc(plen);
	if (!o.dir_path) {
		buf_clear(&o.dir);
		return CDPM_ENOMEM;
	}
	snprintf(o.dir_path, plen, "%s.d", rec.file);
	json_t *sc = rec_scenario(&o);
	int rc = !sc ? CDPM_ENOMEM : o.err;
	if (!rc) {
		struct buf tmp;
		buf_init(&tmp, 0);
		buf_printf(&tmp, "%s.tmp", rec.file);
		rc = buf_finish(&tmp) ? CDPM_ENOMEM : 0;
		if (!rc && (json_dump_file(sc, tmp.data, JSON_INDENT(1) | JSON_ENSURE_ASCII |
							      JSON_PRESERVE_ORDER) ||
			    rename(tmp.data, rec.file))) {
			fprintf(stderr, "cdpmock: cannot write %s: %s\n", rec.file, strerror(errno));
			rc = CDPM_EIO;
		}
		buf_clear(&tmp);
	}
	json_decref(sc);
	free(o.dir_path);
	buf_clear(&o.dir);
	return rc;
}
