/* discovery.c - what the DevTools HTTP endpoint serves (see discovery.h):
 * /json/version, /json/list, /json/protocol, /json/new, /json/activate,
 * /json/close, the root page, and which target a /devtools/ WebSocket path
 * names.  Bodies follow docs/chrome.md §2-§3 byte for byte (Chrome's JSONWriter:
 * three-space indent, sorted keys, '<' escaped). */
#include "cdp/discovery.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cdp/protocol.h"
#include "cdp/attach.h"
#include "cdp/targets.h"
#include "cdpm.h"
#include "net/conn.h"
#include "net/http.h"
#include "server.h"

static const char discovery_ct_json[] = "application/json; charset=UTF-8";
static const char discovery_csp[] = "Content-Security-Policy:frame-ancestors 'none'\r\n";
static const char discovery_frontend[] =
	"<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
	"<title>DevTools</title>\n</head>\n<body>\n"
	"<p>cdpmock does not bundle the DevTools frontend.</p>\n</body>\n</html>\n";

static int discovery_json(struct conn *c, int status, const struct buf *body)
{
	return http_respond(c, status, discovery_csp, discovery_ct_json, body->data ? body->data : "",
			    body->len);
}

static int discovery_text(struct conn *c, int status, const char *text)
{
	return http_respond(c, status, discovery_csp, discovery_ct_json, text, strlen(text));
}

int discovery_json_str(struct buf *b, const char *s)
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

static void discovery_kv(struct buf *b, const char *k, const char *v, int last)
{
	buf_adds(b, "   \"");
	buf_adds(b, k);
	buf_adds(b, "\": ");
	discovery_json_str(b, v);
	buf_adds(b, last ? "\n" : ",\n");
}

/* A target object as /json/list and /json/new print it (sorted keys). */
static void discovery_target_json(struct buf *b, const struct target *t, const char *host, int fresh)
{
	struct buf tmp;
	buf_init(&tmp, 0);
	buf_adds(b, "{\n");
	discovery_kv(b, "description", "", 0);
	buf_printf(&tmp, "https://chrome-devtools-frontend.appspot.com/serve_rev/%s"
			 "/inspector.html?ws=%s/devtools/page/%s", server.id.revision, host, t->id);
	discovery_kv(b, "devtoolsFrontendUrl", tmp.data, 0);
	discovery_kv(b, "id", t->id, 0);
	buf_reset(&tmp);
	if (fresh)
		buf_adds(&tmp, t->title);
	else
		targets_display_title(t, &tmp);
	discovery_kv(b, "title", tmp.data ? tmp.data : "", 0);
	discovery_kv(b, "type", t->type == TARGET_PAGE ? "page" : "browser", 0);
	discovery_kv(b, "url", t->url, 0);
	buf_reset(&tmp);
	buf_printf(&tmp, "ws://%s/devtools/page/%s", host, t->id);
	discovery_kv(b, "webSocketDebuggerUrl", tmp.data, 1);
	buf_addc(b, '}');
	buf_clear(&tmp);
}

static int discovery_version(struct conn *c, const char *host)
{
	struct buf b, ws;
	buf_init(&b, 0);
	buf_init(&ws, 0);
	buf_printf(&ws, "ws://%s/devtools/browser/%s", host, targets_browser()->id);
	buf_adds(&b, "{\n");
	discovery_kv(&b, "Browser", server.id.product, 0);
	discovery_kv(&b, "File-Path-Style", "posix", 0);
	discovery_kv(&b, "Protocol-Version", server.id.protocol_version, 0);
	discovery_kv(&b, "User-Agent", server.id.user_agent, 0);
	discovery_kv(&b, "V8-Version", server.id.js_version, 0);
	discovery_kv(&b, "WebKit-Version", server.id.webkit_version, 0);
	discovery_kv(&b, "webSocketDebuggerUrl", ws.data, 1);
	buf_adds(&b, "}\n");
	int rc = discovery_json(c, 200, &b);
	buf_clear(&b);
	buf_clear(&ws);
	return rc;
}

static int discovery_list(struct conn *c, const char *host)
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
		discovery_target_json(&b, t, host, 0);
	}
	buf_adds(&b, " ]\n");
	int rc = discovery_json(c, 200, &b);
	buf_clear(&b);
	return rc;
}

/* Percent-decodes in place (net::UnescapeBinaryURLComponent). */
static void discovery_unescape(char *s)
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
static int discovery_url_valid(const char *u)
{
	if (!isalpha((unsigned char)*u))
		return 0;
	while (isalnum((unsigned char)*u) || *u == '+' || *u == '-' || *u == '.')
		u++;
	return *u == ':' && u[1] != '\0';
}

static int discovery_new(struct conn *c, const struct http_req *r, const char *host)
{
	struct buf b;
	buf_init(&b, 0);
	int rc;
	if (strcasecmp(r->method, "PUT")) {
		buf_printf(&b, "Using unsafe HTTP verb %s to invoke /json/new. This action "
			       "supports only PUT verb.", r->method);
		rc = discovery_json(c, 405, &b);
		goto out;
	}
	const char *url = "about:blank";
	if (r->query) {
		discovery_unescape(r->query);
		if (discovery_url_valid(r->query))
			url = r->query;
	}
	if (targets_room()) {
		/* Chrome's text when it cannot open the page. */
		buf_adds(&b, "Could not create new page");
		rc = discovery_json(c, 500, &b);
		goto out;
	}
	struct target *t = targets_new_page(url);
	if (!t) {
		rc = CDPM_ENOMEM;
		goto out;
	}
	attach_announce(t);
	discovery_target_json(&b, t, host, 1);
	buf_addc(&b, '\n');
	rc = discovery_json(c, 200, &b);
out:
	buf_clear(&b);
	return rc;
}

static int discovery_target_cmd(struct conn *c, const char *cmd, const char *id)
{
	struct target *t = targets_find(id);
	if (!t || t->type != TARGET_PAGE) {
		struct buf b;
		buf_init(&b, 0);
		buf_printf(&b, "No such target id: %s", id);
		int rc = discovery_json(c, 404, &b);
		buf_clear(&b);
		return rc;
	}
	if (!strcmp(cmd, "activate"))
		return discovery_text(c, 200, "Target activated");
	int rc = discovery_text(c, 200, "Target is closing");
	targets_close(t);
	return rc;
}

/* /json...: devtools_http_handler's OnJsonRequest and ParseJsonPath. */
static int discovery_json_request(struct conn *c, const struct http_req *r, const char *host)
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
		int rc = discovery_json(c, 404, &b);
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
		return discovery_version(c, host);
	if (!strcmp(cmd, "list"))
		return discovery_list(c, host);
	if (!strcmp(cmd, "protocol")) {
		size_t len;
		const char *p = protocol_blob_get(&len);
		return http_respond(c, 200, NULL, discovery_ct_json, p, len);
	}
	if (!strcmp(cmd, "new"))
		return discovery_new(c, r, host);
	if (!strcmp(cmd, "activate") || !strcmp(cmd, "close"))
		return discovery_target_cmd(c, cmd, id);
	buf_init(&b, 0);
	buf_printf(&b, "Unknown command: %s", cmd);
	int rc = discovery_json(c, 404, &b);
	buf_clear(&b);
	return rc;
}

int discovery_request(struct conn *c, const struct http_req *r)
{
	const char *host = http_header(r, "Host");
	if (!host)
		host = "";
	if (!strncmp(r->path, "/json", 5))
		return discovery_json_request(c, r, host);
	if (!strcmp(r->path, "/"))
		return http_respond(c, 200, "X-Frame-Options:DENY\r\n", "text/html; charset=UTF-8",
				    "", 0);
	if (!strcmp(r->path, "/devtools/inspector.html"))
		return http_respond(c, 200, NULL, "text/html", discovery_frontend,
				    sizeof(discovery_frontend) - 1);
	if (!strncmp(r->path, "/devtools/browser", 17) || !strncmp(r->path, "/devtools/page/", 15))
		return http_respond(c, 200, NULL, "text/plain", "", 0);
	return http_respond(c, 404, NULL, "text/html", "", 0);
}

int discovery_upgrade(struct conn *c, const struct http_req *r)
{
	static const char bp[] = "/devtools/browser/", pp[] = "/devtools/page/";
	if (!strncmp(r->path, pp, sizeof(pp) - 1)) {
		struct target *t = targets_find(r->path + sizeof(pp) - 1);
		if (!t || t->type != TARGET_PAGE) {
			struct buf b;
			buf_init(&b, 0);
			buf_printf(&b, "No such target id: %s", r->path + sizeof(pp) - 1);
			int rc = http_respond(c, 500, NULL, "text/html", b.data, b.len);
			buf_clear(&b);
			return rc ? rc : 1;
		}
		c->page = t;
		return 0;
	}
	if (!strncmp(r->path, bp, sizeof(bp) - 1) &&
	    !strcmp(r->path + sizeof(bp) - 1, targets_browser()->id))
		return 0;
	int rc = http_respond(c, 404, NULL, "text/html", "", 0);
	return rc ? rc : 1;
}
