/* http.c - HTTP/1.1 requests, the Host and Origin checks and the WebSocket
 * handshake (see http.h).  Response bytes follow docs/chrome.md §2.1: no space
 * after the header colon, [CSP,] Content-Length, Content-Type and nothing
 * else; keep-alive always; HEAD gets the body too; HTTP/1.0 gets no answer
 * at all.  What a path means is the connection's hooks' business. */
#include "net/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cdpm.h"
#include "journal.h"
#include "net/conn.h"
#include "server.h"

const char *http_header(const struct http_req *r, const char *name)
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
	case 501: return "Not Implemented";
	default: return "Internal Server Error";
	}
}

/* Writes one response.  extra: header lines placed before Content-Length. */
int http_respond(struct conn *c, int status, const char *extra, const char *ctype,
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
		journal_note(conn_id(c), "rejected WebSocket origin %s", origin);
		rc = http_respond(c, 403, NULL, "text/html", b.data, b.len);
		goto out;
	}
	/* Which target the path names is the layer above's to say; its errors
	 * come before the key check, as in Chrome. */
	if (!c->hooks || !c->hooks->upgrade) {
		rc = http_respond(c, 404, NULL, "text/html", "", 0);
		goto out;
	}
	rc = c->hooks->upgrade(c, r);
	if (rc) {
		rc = rc > 0 ? 0 : rc; /* 1: the hook answered */
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
	journal_note(conn_id(c), "WebSocket open on %s", r->path);
	rc = conn_opened(c);
out:
	buf_clear(&b);
	return rc;
}

static int http_route(struct conn *c, struct http_req *r)
{
	const char *host = http_header(r, "Host");
	if (!http_host_ok(host)) {
		static const char msg[] = "Host header is specified and is not an IP address or "
					  "localhost.";
		return http_respond(c, 500, NULL, "text/html", msg, sizeof(msg) - 1);
	}
	const char *up = http_header(r, "Upgrade");
	if (up && !strcasecmp(up, "websocket"))
		return http_upgrade(c, r);
	if (c->hooks && c->hooks->request)
		return c->hooks->request(c, r);
	return http_respond(c, 404, NULL, "text/html", "", 0);
}

/* Splits the request head (NUL-terminated, with no NUL inside, CRLFs
 * intact) into r. */
static int http_parse(char *head, struct http_req *r)
{
	memset(r, 0, sizeof(*r));
	char *eol = strstr(head, "\r\n");
	if (!eol)
		return CDPM_EPROTO;
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

/* Ends the connection over a request it cannot serve: answers status (0:
 * nothing, as Chrome does for HTTP/1.0 and for a head it cannot parse),
 * then closes once everything queued before is written, so the answers to
 * earlier requests in the same read still go out.  Unread bytes are
 * dropped: past a bad request nothing can be framed. */
static int http_refuse(struct conn *c, int status, const char *body, const char *why)
{
	int rc = 0;
	journal_note(conn_id(c), "HTTP: %s; closing the connection", why);
	if (status)
		rc = http_respond(c, status, NULL, "text/html", body, strlen(body));
	buf_reset(&c->in);
	conn_close_after_flush(c);
	return rc;
}

/* The body length a request declares: 0 without Content-Length, -1 when it
 * is not a plain decimal number or comes with a Transfer-Encoding (-2). */
static long long http_body_len(const struct http_req *r)
{
	const char *te = http_header(r, "Transfer-Encoding");
	const char *cl = http_header(r, "Content-Length");
	if (te)
		return -2;
	if (!cl)
		return 0;
	if (!*cl || strspn(cl, "0123456789") != strlen(cl) || strlen(cl) > 15)
		return -1;
	return strtoll(cl, NULL, 10);
}

static void http_timed_out(struct loop_timer *t)
{
	struct conn *c = (struct conn *)((char *)t - offsetof(struct conn, htimer));
	if (c->http_idle)
		journal_note(conn_id(c), "HTTP: idle for %d s; closing (--http-idle-timeout)",
			     server.opts.http_idle_timeout);
	else
		journal_note(conn_id(c), "HTTP: no complete request in %d s; closing "
					 "(--http-header-timeout)", server.opts.http_header_timeout);
	conn_drop(c, 0);
}

void http_watch(struct conn *c, int progressed)
{
	if (c->kind != CONN_HTTP || c->gone || c->close_after_flush || !c->ep) {
		loop_timer_cancel(&c->htimer);
		return;
	}
	/* Idle only between requests; a fresh connection owes its first one. */
	int idle = c->in.len == 0 && (progressed || c->http_idle);
	/* A head that trickles in keeps its deadline: bytes are not progress. */
	if (c->htimer.armed && !progressed && idle == c->http_idle)
		return;
	c->http_idle = idle;
	int s = idle ? server.opts.http_idle_timeout : server.opts.http_header_timeout;
	c->htimer.real_time = 1;
	if (s > 0)
		loop_timer_arm(&c->htimer, (int64_t)s * 1000000, http_timed_out);
	else
		loop_timer_cancel(&c->htimer);
}

/* Answers the complete requests in c->in; *served counts them. */
static int http_feed_requests(struct conn *c, int *served)
{
	while (c->kind == CONN_HTTP && c->in.len && !c->gone && !c->close_after_flush) {
		char *end = memmem(c->in.data, c->in.len, "\r\n\r\n", 4);
		if (!end && c->in.len > HTTP_MAX_HEAD)
			return http_refuse(c, 0, "", "request head too long");
		if (!end)
			return 0;
		size_t head_len = (size_t)(end - c->in.data) + 4;
		/* The head is bytes with a length: a NUL inside it would cut a
		 * C string short (and hide the headers after it). */
		if (memchr(c->in.data, '\0', head_len))
			return http_refuse(c, 400, "", "NUL byte in the request head");
		struct http_req r;
		char *head = malloc(head_len - 1);
		if (!head)
			return CDPM_ENOMEM;
		memcpy(head, c->in.data, head_len - 2);
		head[head_len - 2] = '\0';
		if (http_parse(head, &r)) {
			free(head);
			return http_refuse(c, 0, "", "malformed request line, or not HTTP/1.1");
		}
		long long body = http_body_len(&r);
		/* Only the admin API takes real bodies (scenario files). */
		size_t cap = c->hooks && c->hooks->body_cap ? c->hooks->body_cap(&r) : HTTP_MAX_HEAD;
		int rc = 0;
		if (body == -2)
			rc = http_refuse(c, 501, "Chunked request bodies are not supported.",
					 "Transfer-Encoding in a request");
		else if (body < 0)
			rc = http_refuse(c, 400, "", "bad Content-Length");
		else if ((unsigned long long)body > cap)
			rc = http_refuse(c, 413, "", "request body over the cap");
		if (c->close_after_flush) {
			free(head);
			return rc;
		}
		if (c->in.len < head_len + (size_t)body) {
			free(head);
			return 0; /* wait for the body */
		}
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
			r.body_len = (size_t)body;
			rc = http_route(c, &r);
			(*served)++;
			free(t);
		} else {
			rc = CDPM_ENOMEM;
		}
		free(head);
		if (rc)
			return rc;
		size_t used = head_len + (size_t)body;
		memmove(c->in.data, c->in.data + used, c->in.len - used);
		c->in.len -= used;
		conn_rx_release(c, &c->in);
	}
	return 0;
}

int http_feed(struct conn *c)
{
	int served = 0;
	int rc = http_feed_requests(c, &served);
	http_watch(c, served > 0);
	return rc;
}
