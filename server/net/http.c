/* http.c - DevTools discovery endpoint and WebSocket upgrade (see http.h).
 * Response bytes follow CHROMIUM.md 1.1: no space after the header colon,
 * [CSP,] Content-Length, Content-Type and nothing else; keep-alive always;
 * HEAD gets the body too; HTTP/1.0 gets no answer at all. */
#include "net/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "cdpm.h"
#include "net/conn.h"
#include "journal.h"
#include "cdp/protocol.h"
#include "script/script.h"
#include "server.h"
#include "cdp/targets.h"

#define HTTP_MAX_HEADERS 64

struct http_req {
	char method[32];
	char *path;       /* without query or fragment */
	char *query;      /* after '?', or NULL */
	char *target;     /* the request target as sent */
	const char *body; /* Content-Length bytes after the head */
	size_t body_len;
	size_t n_hdr;
	char *hdr_name[HTTP_MAX_HEADERS];
	char *hdr_value[HTTP_MAX_HEADERS];
};

static const char http_ct_json[] = "application/json; charset=UTF-8";
static const char http_csp[] = "Content-Security-Policy:frame-ancestors 'none'\r\n";
static const char http_frontend[] =
	"<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
	"<title>DevTools</title>\n</head>\n<body>\n"
	"<p>cdpmock does not bundle the DevTools frontend.</p>\n</body>\n</html>\n";

static const char *http_header(const struct http_req *r, const char *name)
{
	for (size_t i = 0; i < r->n_hdr; i++)
		if (!strcasecmp(r->hdr_name[i], name))
			return r->hdr_value[i];
	return NULL;
}

static const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	default: return "Internal Server Error";
	}
}

/* Writes one response.  extra: header lines placed before Content-Length. */
static int http_respond(struct conn *c, int status, const char *extra, const char *ctype,
			const char *body, size_t len)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "HTTP/1.1 %d %s\r\n", status, http_reason(status));
	if (extra)
		buf_adds(&b, extra);
	buf_printf(&b, "Content-Length:%zu\r\nContent-Type:%s\r\n\r\n", len, ctype);
	int rc = buf_add(&b, body, len);
	if (!rc)
		rc = conn_send_bytes(c, b.data, b.len);
	buf_clear(&b);
	return rc;
}

int http_reply(struct conn *c, int status, const char *ctype, const char *body, size_t len)
{
	return http_respond(c, status, NULL, ctype, body, len);
}

static int http_json(struct conn *c, int status, const struct buf *body)
{
	return http_respond(c, status, http_csp, http_ct_json, body->data ? body->data : "",
			    body->len);
}

static int http_text(struct conn *c, int status, const char *text)
{
	return http_respond(c, status, http_csp, http_ct_json, text, strlen(text));
}

int http_json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned ch = *p;
		if (ch == '"' || ch == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)ch);
		} else if (ch == '\n') {
			buf_adds(b, "\\n");
		} else if (ch == '\r') {
			buf_adds(b, "\\r");
		} else if (ch == '\t') {
			buf_adds(b, "\\t");
		} else if (ch == '\b') {
			buf_adds(b, "\\b");
		} else if (ch == '\f') {
			buf_adds(b, "\\f");
		} else if (ch < 0x20 || ch == '<' || ch == 0x7F) {
			char e[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
			buf_add(b, e, 6);
		} else if (ch == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
			/* U+2028/U+2029 are escaped by base::EscapeJSONString. */
			buf_adds(b, p[2] == 0xA8 ? "\\u2028" : "\\u2029");
			p += 2;
		} else {
			buf_addc(b, (char)ch);
		}
	}
	return buf_addc(b, '"');
}

static void http_kv(struct buf *b, const char *k, const char *v, int last)
{
	buf_adds(b, "   \"");
	buf_adds(b, k);
	buf_adds(b, "\": ");
	http_json_str(b, v);
	buf_adds(b, last ? "\n" : ",\n");
}

/* A target object as /json/list and /json/new print it (sorted keys). */
static void http_target_json(struct buf *b, const struct target *t, const char *host, int fresh)
{
	struct buf tmp;
	buf_init(&tmp, 0);
	buf_adds(b, "{\n");
	http_kv(b, "description", "", 0);
	buf_printf(&tmp, "https://chrome-devtools-frontend.appspot.com/serve_rev/%s"
			 "/inspector.html?ws=%s/devtools/page/%s", server.id.revision, host, t->id);
	http_kv(b, "devtoolsFrontendUrl", tmp.data, 0);
	http_kv(b, "id", t->id, 0);
	buf_reset(&tmp);
	if (fresh)
		buf_adds(&tmp, t->title);
	else
		targets_display_title(t, &tmp);
	http_kv(b, "title", tmp.data ? tmp.data : "", 0);
	http_kv(b, "type", t->type == TARGET_PAGE ? "page" : "browser", 0);
	http_kv(b, "url", t->url, 0);
	buf_reset(&tmp);
	buf_printf(&tmp, "ws://%s/devtools/page/%s", host, t->id);
	http_kv(b, "webSocketDebuggerUrl", tmp.data, 1);
	buf_addc(b, '}');
	buf_clear(&tmp);
}

static int http_version(struct conn *c, const char *host)
{
	struct buf b, ws;
	buf_init(&b, 0);
	buf_init(&ws, 0);
	buf_printf(&ws, "ws://%s/devtools/browser/%s", host, targets_browser()->id);
	buf_adds(&b, "{\n");
	http_kv(&b, "Browser", server.id.product, 0);
	http_kv(&b, "File-Path-Style", "posix", 0);
	http_kv(&b, "Protocol-Version", server.id.protocol_version, 0);
	http_kv(&b, "User-Agent", server.id.user_agent, 0);
	http_kv(&b, "V8-Version", server.id.js_version, 0);
	http_kv(&b, "WebKit-Version", server.id.webkit_version, 0);
	http_kv(&b, "webSocketDebuggerUrl", ws.data, 1);
	buf_adds(&b, "}\n");
	int rc = http_json(c, 200, &b);
	buf_clear(&b);
	buf_clear(&ws);
	return rc;
}

static int http_list(struct conn *c, const char *host)
{
	struct buf b;
	buf_init(&b, 0);
	int n = 0;
	buf_adds(&b, "[ ");
	for (struct target *t = targets_next(NULL); t; t = targets_next(t)) {
		if (t->type != TARGET_PAGE)
			continue;
		if (n++)
			buf_adds(&b, ", ");
		http_target_json(&b, t, host, 0);
	}
	buf_adds(&b, " ]\n");
	int rc = http_json(c, 200, &b);
	buf_clear(&b);
	return rc;
}

/* Percent-decodes in place (net::UnescapeBinaryURLComponent). */
static void http_unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
			char h[3] = {p[1], p[2], 0};
			*o++ = (char)strtol(h, NULL, 16);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/* Roughly GURL::is_valid for what clients send: a scheme, then ':'. */
static int http_url_valid(const char *u)
{
	if (!isalpha((unsigned char)*u))
		return 0;
	while (isalnum((unsigned char)*u) || *u == '+' || *u == '-' || *u == '.')
		u++;
	return *u == ':' && u[1] != '\0';
}

static int http_new(struct conn *c, struct http_req *r, const char *host)
{
	struct buf b;
	buf_init(&b, 0);
	int rc;
	if (strcasecmp(r->method, "PUT")) {
		buf_printf(&b, "Using unsafe HTTP verb %s to invoke /json/new. This action "
			       "supports only PUT verb.", r->method);
		rc = http_json(c, 405, &b);
		goto out;
	}
	const char *url = "about:blank";
	if (r->query) {
		http_unescape(r->query);
		if (http_url_valid(r->query))
			url = r->query;
	}
	struct target *t = targets_new_page(url);
	if (!t) {
		rc = CDPM_ENOMEM;
		goto out;
	}
	http_target_json(&b, t, host, 1);
	buf_addc(&b, '\n');
	rc = http_json(c, 200, &b);
out:
	buf_clear(&b);
	return rc;
}

static int http_target_cmd(struct conn *c, const char *cmd, const char *id)
{
	struct target *t = targets_find(id);
	if (!t || t->type != TARGET_PAGE) {
		struct buf b;
		buf_init(&b, 0);
		buf_printf(&b, "No such target id: %s", id);
		int rc = http_json(c, 404, &b);
		buf_clear(&b);
		return rc;
	}
	if (!strcmp(cmd, "activate"))
		return http_text(c, 200, "Target activated");
	int rc = http_text(c, 200, "Target is closing");
	targets_close(t);
	return rc;
}

/* /json...: devtools_http_handler's OnJsonRequest and ParseJsonPath. */
static int http_json_request(struct conn *c, struct http_req *r, const char *host)
{
	const char *rest = r->path + 5;
	char cmd[256];
	const char *id = "";
	struct buf b;
	if (!*rest) {
		snprintf(cmd, sizeof(cmd), "list");
	} else if (*rest != '/') {
		buf_init(&b, 0);
		buf_printf(&b, "Malformed query: %s", r->target);
		int rc = http_json(c, 404, &b);
		buf_clear(&b);
		return rc;
	} else {
		rest++;
		const char *slash = strchr(rest, '/');
		size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
		snprintf(cmd, sizeof(cmd), "%.*s", (int)(n < 255 ? n : 255), rest);
		if (slash)
			id = slash + 1;
	}
	if (!strcmp(cmd, "version"))
		return http_version(c, host);
	if (!strcmp(cmd, "list"))
		return http_list(c, host);
	if (!strcmp(cmd, "protocol")) {
		size_t len;
		const char *p = protocol_blob_get(&len);
		return http_respond(c, 200, NULL, http_ct_json, p, len);
	}
	if (!strcmp(cmd, "new"))
		return http_new(c, r, host);
	if (!strcmp(cmd, "activate") || !strcmp(cmd, "close"))
		return http_target_cmd(c, cmd, id);
	buf_init(&b, 0);
	buf_printf(&b, "Unknown command: %s", cmd);
	int rc = http_json(c, 404, &b);
	buf_clear(&b);
	return rc;
}

int http_host_ok(const char *host)
{
	if (!host)
		return 1;
	char h[256];
	size_t n = strlen(host);
	if (n >= sizeof(h))
		return 0;
	memcpy(h, host, n + 1);
	if (h[0] == '[') {
		/* [v6]:port */
		char *close = strchr(h, ']');
		if (!close || (close[1] && close[1] != ':'))
			return 0;
		*close = '\0';
		unsigned char a[16];
		return inet_pton(AF_INET6, h + 1, a) == 1;
	}
	char *colon = strrchr(h, ':');
	if (colon)
		*colon = '\0';
	unsigned char a[4];
	if (inet_pton(AF_INET, h, a) == 1)
		return 1;
	for (char *p = h; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	n = strlen(h);
	if (!strcmp(h, "localhost"))
		return 1;
	return n > 10 && !strcmp(h + n - 10, ".localhost");
}

/* Origin normalisation: lowercase scheme and host, no trailing slash. */
static void http_origin_norm(const char *in, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", in);
	size_t n = strlen(out);
	if (n && out[n - 1] == '/')
		out[--n] = '\0';
	for (char *p = out; *p && *p != '@'; p++)
		*p = (char)tolower((unsigned char)*p);
}

int http_origin_ok(const char *origin)
{
	char norm[512], allow[512];
	if (!origin)
		return 1;
	if (server.opts.allow_any_origin)
		return 1;
	http_origin_norm(origin, norm, sizeof(norm));
	if (*norm && !strcmp(norm, server.origin))
		return 1;
	for (char **a = server.opts.allow_origins; a && *a; a++) {
		http_origin_norm(*a, allow, sizeof(allow));
		if (*norm && !strcmp(norm, allow))
			return 1;
	}
	return 0;
}

static int http_upgrade(struct conn *c, struct http_req *r)
{
	const char *origin = http_header(r, "Origin");
	struct buf b;
	int rc = 0;
	buf_init(&b, 0);
	if (!http_origin_ok(origin)) {
		buf_printf(&b, "Rejected an incoming WebSocket connection from the %s origin. Use "
			       "the command line flag --remote-allow-origins=%s to allow connections "
			       "from this origin or --remote-allow-origins=* to allow all origins.",
			   origin, origin);
		journal_note(c, "rejected WebSocket origin %s", origin);
		rc = http_respond(c, 403, NULL, "text/html", b.data, b.len);
		goto out;
	}
	struct target *t = NULL;
	const char *bp = "/devtools/browser/", *pp = "/devtools/page/";
	if (!strncmp(r->path, pp, strlen(pp))) {
		t = targets_find(r->path + strlen(pp));
		if (!t || t->type != TARGET_PAGE) {
			buf_printf(&b, "No such target id: %s", r->path + strlen(pp));
			rc = http_respond(c, 500, NULL, "text/html", b.data, b.len);
			goto out;
		}
	} else if (!strncmp(r->path, bp, strlen(bp)) &&
		   !strcmp(r->path + strlen(bp), targets_browser()->id)) {
		t = targets_browser();
	} else {
		rc = http_respond(c, 404, NULL, "text/html", "", 0);
		goto out;
	}
	const char *key = http_header(r, "Sec-WebSocket-Key");
	if (!key || !*key) {
		static const char msg[] = "Invalid request format. Sec-WebSocket-Key is empty or "
					  "isn't specified.";
		rc = http_respond(c, 500, NULL, "text/html", msg, sizeof(msg) - 1);
		goto out;
	}
	char accept[64];
	struct buf ext;
	buf_init(&ext, 0);
	const char *offer = http_header(r, "Sec-WebSocket-Extensions");
	if (ws_accept_key(key, accept, sizeof(accept))) {
		rc = CDPM_EINVAL;
		buf_clear(&ext);
		goto out;
	}
	if (offer && !server.opts.no_deflate)
		ws_negotiate_deflate(&c->ws, offer, &ext);
	buf_printf(&b, "HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n"
		       "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n", accept);
	if (ext.len)
		buf_printf(&b, "Sec-WebSocket-Extensions: %s\r\n", ext.data);
	buf_adds(&b, "\r\n");
	buf_clear(&ext);
	rc = conn_send_bytes(c, b.data, b.len);
	if (rc)
		goto out;
	c->kind = CONN_WS;
	if (t->type == TARGET_PAGE)
		c->page = t;
	if (!session_new(c, t, 1))
		rc = CDPM_ENOMEM;
	journal_note(c, "WebSocket open on %s", r->path);
	if (!rc)
		rc = script_conn_open(c);
out:
	buf_clear(&b);
	return rc;
}

static int http_route(struct conn *c, struct http_req *r)
{
	const char *host_hdr = http_header(r, "Host");
	const char *host = host_hdr ? host_hdr : "";
	if (!http_host_ok(host_hdr)) {
		static const char msg[] = "Host header is specified and is not an IP address or "
					  "localhost.";
		return http_respond(c, 500, NULL, "text/html", msg, sizeof(msg) - 1);
	}
	const char *up = http_header(r, "Upgrade");
	if (up && !strcasecmp(up, "websocket"))
		return http_upgrade(c, r);
	if (!strncmp(r->path, "/mock/", 6) || !strcmp(r->path, "/mock"))
		return admin_request(c, r->method, r->path, r->query, r->body, r->body_len);
	if (!strncmp(r->path, "/json", 5))
		return http_json_request(c, r, host);
	if (!strcmp(r->path, "/"))
		return http_respond(c, 200, "X-Frame-Options:DENY\r\n", "text/html; charset=UTF-8",
				    "", 0);
	if (!strcmp(r->path, "/devtools/inspector.html"))
		return http_respond(c, 200, NULL, "text/html", http_frontend,
				    sizeof(http_frontend) - 1);
	if (!strncmp(r->path, "/devtools/browser", 17) || !strncmp(r->path, "/devtools/page/", 15))
		return http_respond(c, 200, NULL, "text/plain", "", 0);
	return http_respond(c, 404, NULL, "text/html", "", 0);
}

/* Splits the request head (NUL-terminated, CRLFs intact) into r. */
static int http_parse(char *head, struct http_req *r)
{
	memset(r, 0, sizeof(*r));
	char *eol = strstr(head, "\r\n");
	*eol = '\0';
	char *sp1 = strchr(head, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || (size_t)(sp1 - head) >= sizeof(r->method))
		return CDPM_EPROTO;
	memcpy(r->method, head, (size_t)(sp1 - head));
	*sp2 = '\0';
	r->target = sp1 + 1;
	/* Chrome answers nothing to HTTP/1.0 and closes the connection. */
	if (strcmp(sp2 + 1, "HTTP/1.1"))
		return CDPM_EPROTO;
	for (char *line = eol + 2; *line && r->n_hdr < HTTP_MAX_HEADERS;) {
		char *end = strstr(line, "\r\n");
		if (!end || end == line)
			break;
		*end = '\0';
		char *colon = strchr(line, ':');
		if (colon) {
			*colon = '\0';
			char *v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			char *ve = v + strlen(v);
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				*--ve = '\0';
			r->hdr_name[r->n_hdr] = line;
			r->hdr_value[r->n_hdr++] = v;
		}
		line = end + 2;
	}
	return 0;
}

int http_feed(struct conn *c)
{
	while (c->kind == CONN_HTTP && c->in.len && !c->gone) {
		char *end = memmem(c->in.data, c->in.len, "\r\n\r\n", 4);
		if (!end)
			return c->in.len > HTTP_MAX_HEAD ? CDPM_ETOOBIG : 0;
		size_t head_len = (size_t)(end - c->in.data) + 4;
		struct http_req r;
		char *head = strndup(c->in.data, head_len - 2);
		if (!head)
			return CDPM_ENOMEM;
		int rc = http_parse(head, &r);
		const char *cl = rc ? NULL : http_header(&r, "Content-Length");
		size_t body = cl ? strtoul(cl, NULL, 10) : 0;
		/* Only the admin API takes real bodies (scenario files). */
		size_t cap = !rc && !strncmp(r.target, "/mock/", 6) ? ADMIN_MAX_BODY : HTTP_MAX_HEAD;
		if (!rc && body > cap)
			rc = CDPM_ETOOBIG;
		if (!rc && c->in.len < head_len + body) {
			free(head);
			return 0; /* wait for the body */
		}
		if (!rc) {
			/* Split the target into path and query; drop any fragment. */
			char *t = strdup(r.target);
			if (t) {
				char *hash = strchr(t, '#');
				if (hash)
					*hash = '\0';
				char *q = strchr(t, '?');
				if (q)
					*q++ = '\0';
				r.path = t;
				r.query = q;
				r.body = c->in.data + head_len;
				r.body_len = body;
				rc = http_route(c, &r);
				free(t);
			} else {
				rc = CDPM_ENOMEM;
			}
		}
		free(head);
		if (rc)
			return rc;
		size_t used = head_len + body;
		memmove(c->in.data, c->in.data + used, c->in.len - used);
		c->in.len -= used;
	}
	return 0;
}
