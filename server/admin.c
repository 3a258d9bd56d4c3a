/* admin.c - the /mock/ admin API (see admin.h and README "Admin API").
 * Bodies in and out are JSON, except the journal (JSON Lines) and scenario
 * errors (text, one "file:line:column: ..." line each). */
#include "admin.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "buf.h"
#include "cdpm.h"
#include "clock.h"
#include "net/conn.h"
#include "script/emit.h"
#include "net/http.h"
#include "scenario/jcheck.h"
#include "journal.h"
#include "script/mutate.h"
#include "scenario/scenario.h"
#include "scenario/scenload.h"
#include "script/script.h"
#include "cdp/targets.h"
#include "cdp/wirejson.h"

static const char admin_json[] = "application/json";

int admin_peer_is_loopback(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl))
		return 0;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
		return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss.ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)&ss)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return 0;
}

/* Every admin JSON reply goes out here: a body that failed to build is
 * refused whole (the caller's error), never sent in part. */
static int admin_reply_json(struct conn *c, int status, const struct buf *b)
{
	int rc = buf_finish(b);
	if (rc)
		return rc;
	return http_reply(c, status, admin_json, b->data ? b->data : "", b->len);
}

static int admin_error(struct conn *c, int status, const char *text)
{
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "{\"error\":");
	buf_add_json_str(&b, text, strlen(text), 1);
	buf_adds(&b, "}\n");
	int rc = admin_reply_json(c, status, &b);
	buf_clear(&b);
	return rc;
}

/* The decoded value of name in a query string, into out. */
static int admin_query(const char *query, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	for (const char *p = query; p && *p;) {
		const char *amp = strchr(p, '&');
		const char *end = amp ? amp : p + strlen(p);
		if ((size_t)(end - p) > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			size_t i = 0;
			for (const char *v = p + nl + 1; v < end && i + 1 < n; v++) {
				if (*v == '%' && v + 2 < end && isxdigit((unsigned char)v[1]) &&
				    isxdigit((unsigned char)v[2])) {
					char h[3] = {v[1], v[2], 0};
					out[i++] = (char)strtol(h, NULL, 16);
					v += 2;
				} else {
					out[i++] = *v == '+' ? ' ' : *v;
				}
			}
			out[i] = '\0';
			return 1;
		}
		p = amp ? amp + 1 : NULL;
	}
	return 0;
}

static int admin_health(struct conn *c)
{
	const struct scenario *sc = scenario_current();
	unsigned n = 0;
	for (struct conn *k = conn_list(); k; k = k->next)
		n += (k->kind == CONN_WS || k->kind == CONN_PIPE) && !k->gone;
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "{\"status\":\"ok\",\"scenario\":");
	buf_add_json_str(&b, sc->name, strlen(sc->name), 1);
	buf_printf(&b, ",\"connections\":%u,\"clock\":\"%s\",\"now\":%lld}\n", n,
		   clock_mode() == CLOCK_MODE_VIRTUAL ? "virtual" : "real",
		   (long long)clock_now_us());
	int rc = admin_reply_json(c, 200, &b);
	buf_clear(&b);
	return rc;
}

static int admin_journal(struct conn *c, const char *query)
{
	char method[128], conn[32], dir[16];
	int has_m = admin_query(query, "method", method, sizeof(method));
	int has_c = admin_query(query, "conn", conn, sizeof(conn));
	int has_d = admin_query(query, "dir", dir, sizeof(dir));
	struct buf b;
	if (!journal_ring_on())
		return admin_error(c, 404, "no journal ring: start cdpmock with --journal-ring BYTES "
					   "(for example 4194304), or read the --journal file");
	buf_init(&b, 0); /* the ring is bounded (--journal-ring) */
	/* Fails with the buffer's error (buf_finish) if the dump did not fit. */
	int rc = journal_ring_dump(&b, has_m ? method : NULL,
				   has_c ? (unsigned)strtoul(conn, NULL, 10) : 0,
				   has_d ? dir : NULL);
	if (!rc)
		rc = http_reply(c, 200, "application/x-ndjson", b.data ? b.data : "", b.len);
	buf_clear(&b);
	return rc;
}

/* A scenario sent with no ?name= and no "name" key is named after the
 * start of its description (its first sentence, at most 60 bytes), not
 * after the request. */
static void admin_name_uploaded(struct scenario *sc)
{
	const char *d = sc->description ? sc->description : "";
	size_t n = strcspn(d, ".:;\n");
	int cut = n > 60;
	if (cut)
		n = 60;
	while (cut && n > 0 && (d[n] & 0xc0) == 0x80)
		n--; /* never inside a UTF-8 sequence */
	char *name = scenario_alloc(sc, n + 4);
	if (!name || !n)
		return;
	memcpy(name, d, n);
	memcpy(name + n, cut ? "..." : "", cut ? 4 : 1);
	sc->name = name;
}

static int admin_scenario_put(struct conn *c, const char *query, const char *body, size_t len)
{
	char name[256] = "request.json";
	int named = admin_query(query, "name", name, sizeof(name));
	struct buf errors;
	struct scenario *sc;
	buf_init(&errors, 0);
	int rc = scenload_text(body, len, name, &errors, &sc);
	/* An error list that failed to build is not sent in part. */
	if (rc && rc != CDPM_ENOMEM && buf_finish(&errors))
		rc = buf_finish(&errors);
	if (rc == CDPM_ENOMEM || (rc && buf_finish(&errors))) {
		buf_clear(&errors);
		return rc;
	}
	if (rc) {
		rc = http_reply(c, 400, "text/plain; charset=UTF-8", errors.data ? errors.data : "",
				errors.len);
		buf_clear(&errors);
		return rc;
	}
	buf_clear(&errors);
	if (!named && !json_object_get(sc->root, "name"))
		admin_name_uploaded(sc);
	rc = script_load(sc, c);
	if (rc)
		return admin_error(c, 500, cdpm_strerror(rc));
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "{\"loaded\":");
	buf_add_json_str(&b, scenario_current()->name, strlen(scenario_current()->name), 1);
	buf_adds(&b, "}\n");
	rc = admin_reply_json(c, 200, &b);
	buf_clear(&b);
	return rc;
}

static int admin_scenario_get(struct conn *c)
{
	const struct scenario *sc = scenario_current();
	struct buf b;
	buf_init(&b, 0);
	int rc = 0;
	if (sc->root)
		rc = mutate_dump(&b, sc->root);
	else
		buf_adds(&b, "{}");
	buf_addc(&b, '\n');
	if (!rc)
		rc = admin_reply_json(c, 200, &b);
	buf_clear(&b);
	return rc;
}

static int admin_reset(struct conn *c)
{
	int rc = script_reset(c);
	if (rc)
		return admin_error(c, 500, cdpm_strerror(rc));
	static const char ok[] = "{\"reset\":true}\n";
	return http_reply(c, 200, admin_json, ok, sizeof(ok) - 1);
}

/* Checks the emit body; errors as "request:line:col: ..." lines. */
static int admin_emit_parse(const char *body, size_t len, json_t **out, struct buf *errors)
{
	static const char *const keys[] = {"method", "params", "sessionId", "targetId", NULL};
	struct wirejson_result res;
	struct wirejson_posmap *map = wirejson_posmap_new();
	struct jcheck j;
	const char *s;
	json_t *root = NULL;
	int rc = map ? wirejson_parse_ex(body, len, WIREJSON_DUPLICATE_ERROR, &root, &res, map)
		     : CDPM_ENOMEM;
	if (rc == CDPM_EPROTO)
		buf_printf(errors, "request: expected JSON, found %s at byte %zu\n", res.error,
			   res.pos);
	if (!rc) {
		jcheck_init(&j, "request", body, len, map, errors);
		if (!jcheck_object(&j, root, NULL, NULL, keys)) {
			if (jcheck_required(&j, root, "method"))
				jcheck_string(&j, root, "method", &s);
			jcheck_string(&j, root, "sessionId", &s);
			jcheck_string(&j, root, "targetId", &s);
			const json_t *p = json_object_get(root, "params");
			if (p && !json_is_object(p)) {
				size_t m = jcheck_push_key(&j, "params");
				jcheck_fail(&j, p, root, "params", "an object");
				jcheck_pop(&j, m);
			}
		}
		rc = j.n_errors ? CDPM_EINVAL : 0;
	}
	wirejson_posmap_free(map);
	if (rc)
		json_decref(root);
	else
		*out = root;
	return rc;
}

static int admin_emit(struct conn *c, const char *body, size_t len)
{
	struct buf errors, params, b;
	json_t *req;
	buf_init(&errors, 0);
	int rc = admin_emit_parse(body, len, &req, &errors);
	if (rc) {
		/* An error list that failed to build is not sent in part. */
		if (rc != CDPM_ENOMEM && buf_finish(&errors))
			rc = buf_finish(&errors);
		else if (rc != CDPM_ENOMEM)
			rc = http_reply(c, 400, "text/plain; charset=UTF-8",
					errors.data ? errors.data : "", errors.len);
		buf_clear(&errors);
		return rc;
	}
	buf_clear(&errors);
	const char *sid = json_string_value(json_object_get(req, "sessionId"));
	const char *tid = json_string_value(json_object_get(req, "targetId"));
	struct scenario_dest d = {SCENARIO_TO_ROOT, SCENARIO_WHO_ANY, NULL};
	if (sid)
		d = (struct scenario_dest){SCENARIO_TO_SESSION, SCENARIO_WHO_ANY, sid};
	else if (tid)
		d = (struct scenario_dest){SCENARIO_TO_TARGET, SCENARIO_WHO_ID, tid};
	buf_init(&params, 0);
	const json_t *p = json_object_get(req, "params");
	if (p)
		rc = mutate_dump(&params, p);
	else
		buf_adds(&params, "{}");
	if (!rc)
		rc = buf_finish(&params);
	int n = rc ? 0 : emit_event(&d, NULL, NULL, json_string_value(json_object_get(req, "method")),
				    params.data, params.len);
	buf_clear(&params);
	json_decref(req);
	if (rc)
		return rc;
	if (!n && (sid || tid))
		return admin_error(c, 404, sid ? "no such session" : "no session of that target");
	buf_init(&b, 0);
	buf_printf(&b, "{\"sent\":%d}\n", n);
	rc = admin_reply_json(c, 200, &b);
	buf_clear(&b);
	return rc;
}

int admin_request(struct conn *c, const char *method, const char *path, const char *query,
		  const char *body, size_t body_len)
{
	if (!admin_peer_is_loopback(c->out_fd)) {
		journal_note(conn_id(c), "admin API: refused a non-loopback peer");
		return admin_error(c, 403, "the admin API only answers loopback peers");
	}
	int get = !strcasecmp(method, "GET") || !strcasecmp(method, "HEAD");
	int post = !strcasecmp(method, "POST");
	int put = !strcasecmp(method, "PUT");
	if (!strcmp(path, "/mock/health"))
		return get ? admin_health(c) : admin_error(c, 405, "use GET");
	if (!strcmp(path, "/mock/journal"))
		return get ? admin_journal(c, query) : admin_error(c, 405, "use GET");
	if (!strcmp(path, "/mock/scenario")) {
		if (put || post)
			return admin_scenario_put(c, query, body, body_len);
		return get ? admin_scenario_get(c) : admin_error(c, 405, "use GET, PUT or POST");
	}
	if (!strcmp(path, "/mock/reset"))
		return post ? admin_reset(c) : admin_error(c, 405, "use POST");
	if (!strcmp(path, "/mock/emit"))
		return post ? admin_emit(c, body, body_len) : admin_error(c, 405, "use POST");
	return admin_error(c, 404, "unknown admin endpoint");
}
