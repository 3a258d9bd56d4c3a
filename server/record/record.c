/* record.c - the recording proxy (see record.h): discovery requests and
 * WebSockets are forwarded to the upstream browser over net/upstream.c,
 * URLs in discovery bodies are rewritten to point at cdpmock, and every
 * WebSocket message is kept for recfile.c.  The upstream WebSocket is a
 * plain RFC 6455 client: masked frames out, no extensions offered. */
#include "record/record.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cdpm.h"
#include "clock.h"
#include "journal.h"
#include "net/conn.h"
#include "net/http.h"
#include "net/upstream.h"
#include "net/ws.h"
#include "record/record_int.h"
#include "server.h"

struct rec_state rec;

/* ---- discovery: one upstream HTTP request per client request ---- */

struct rec_http {
	struct conn *c;        /* NULL once the client is gone */
	struct upstream *u;
	struct buf in;         /* the upstream's whole response */
	char *path;
	char *host;            /* the Host the client used, for the rewrite */
	struct rec_http *next;
};

static struct rec_http *rec_https;

static void rec_http_free(struct rec_http *h)
{
	for (struct rec_http **p = &rec_https; *p; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			break;
		}
	buf_clear(&h->in);
	free(h->path);
	free(h->host);
	free(h);
}

/* Replaces every upstream HOST:PORT in body by the client's host. */
static void rec_rewrite(struct buf *out, const char *body, size_t len, const char *host)
{
	size_t n = strlen(rec.hostport);
	for (size_t i = 0; i < len;) {
		if (len - i >= n && !memcmp(body + i, rec.hostport, n)) {
			buf_adds(out, host);
			i += n;
		} else {
			buf_addc(out, body[i++]);
		}
	}
}

/* Keeps the browser's identity and pages from the first answers. */
static void rec_note_discovery(const char *path, const char *body, size_t len)
{
	json_t **slot = !strcmp(path, "/json/version") ? &rec.version
			: (!strcmp(path, "/json/list") || !strcmp(path, "/json")) ? &rec.pages
										: NULL;
	if (!slot || *slot)
		return;
	*slot = json_loadb(body, len, 0, NULL);
}

/* The upstream's response is complete: answer the client with it. */
static void rec_http_answer(struct rec_http *h)
{
	struct buf *r = &h->in;
	buf_finish(r);
	const char *data = r->data ? r->data : "";
	const char *end = r->len >= 4 ? memmem(data, r->len, "\r\n\r\n", 4) : NULL;
	int status = 0;
	if (!end || sscanf(data, "HTTP/1.%*d %d", &status) != 1) {
		journal_note(conn_id(h->c), "record: bad response from upstream for %s", h->path);
		http_respond(h->c, 502, NULL, "text/plain", "", 0);
		return;
	}
	char ctype[128] = "application/json; charset=UTF-8";
	for (const char *l = strstr(data, "\r\n"); l && l < end; l = strstr(l + 2, "\r\n")) {
		if (!strncasecmp(l + 2, "Content-Type:", 13)) {
			const char *v = l + 15;
			while (*v == ' ')
				v++;
			size_t vl = strcspn(v, "\r\n");
			if (vl < sizeof(ctype)) {
				memcpy(ctype, v, vl);
				ctype[vl] = '\0';
			}
		}
	}
	const char *body = end + 4;
	size_t blen = r->len - (size_t)(body - data);
	if (status == 200)
		rec_note_discovery(h->path, body, blen);
	struct buf out;
	buf_init(&out, 0);
	rec_rewrite(&out, body, blen, h->host);
	if (buf_finish(&out))
		http_respond(h->c, 500, NULL, "text/plain", "", 0);
	else
		http_respond(h->c, status, NULL, ctype, out.data ? out.data : "", out.len);
	buf_clear(&out);
}

/* 1 once the response in b is whole (its Content-Length has arrived). */
static int rec_http_whole(const struct buf *b)
{
	const char *end = b->len >= 4 ? memmem(b->data, b->len, "\r\n\r\n", 4) : NULL;
	if (!end)
		return 0;
	size_t head = (size_t)(end + 4 - b->data), clen = 0;
	for (const char *l = memmem(b->data, head, "\r\n", 2); l && l < end;
	     l = memmem(l + 2, head - (size_t)(l + 2 - b->data), "\r\n", 2))
		if (!strncasecmp(l + 2, "Content-Length:", 15))
			clen = strtoul(l + 17, NULL, 10);
	return b->len - head >= clen;
}

static int rec_http_rx(void *user, const void *data, size_t len)
{
	struct rec_http *h = user;
	if (buf_add(&h->in, data, len))
		return -1;
	if (!rec_http_whole(&h->in))
		return 0;
	if (h->c)
		rec_http_answer(h);
	h->c = NULL;
	return -1; /* done: close the upstream (closed() frees h) */
}

/* The upstream closed (Connection: close): the response is whole. */
static void rec_http_closed(void *user)
{
	struct rec_http *h = user;
	if (h->c)
		rec_http_answer(h); /* closed before Content-Length: what came */
	rec_http_free(h);
}

static const struct upstream_ops rec_http_ops = {.rx = rec_http_rx, .closed = rec_http_closed};

static int rec_request(struct conn *c, const struct http_req *r)
{
	struct rec_http *h = calloc(1, sizeof(*h));
	if (!h)
		return -1;
	const char *host = http_header(r, "Host");
	buf_init(&h->in, (size_t)64 << 20);
	h->c = c;
	h->path = strdup(r->path);
	h->host = strdup(host && *host ? host : server.origin + 7);
	h->next = rec_https;
	rec_https = h;
	if (!h->path || !h->host)
		goto fail;
	h->u = upstream_connect(rec.host, rec.port, &rec_http_ops, h);
	if (!h->u)
		goto fail;
	struct buf q;
	buf_init(&q, 0);
	buf_printf(&q, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", r->method, r->target,
		   rec.hostport);
	if (r->body_len)
		buf_printf(&q, "Content-Length: %zu\r\n", r->body_len);
	buf_adds(&q, "\r\n");
	buf_add(&q, r->body, r->body_len);
	int rc = buf_finish(&q) ? CDPM_ENOMEM : upstream_write(h->u, q.data, q.len);
	buf_clear(&q);
	if (!rc)
		return 0;
	upstream_close(h->u);
fail:
	journal_note(conn_id(c), "record: cannot reach upstream %s", rec.hostport);
	rec_http_free(h);
	return http_respond(c, 502, NULL, "text/plain", "", 0);
}

/* ---- WebSockets ---- */

static struct rec_ws *rec_ws_of(struct conn *c)
{
	for (struct rec_ws *w = rec.ws; w; w = w->next)
		if (w->c == c)
			return w;
	return NULL;
}

static void rec_keep(struct rec_ws *w, int from_client, const char *text, size_t len)
{
	json_t *m = json_loadb(text, len, JSON_ALLOW_NUL, NULL);
	if (!m || !json_is_object(m)) {
		json_decref(m);
		return; /* not CDP: forwarded, not recorded */
	}
	if (w->n_msgs == w->cap_msgs) {
		size_t cap = w->cap_msgs ? w->cap_msgs * 2 : 64;
		struct rec_msg *p = realloc(w->msgs, cap * sizeof(*p));
		if (!p) {
			json_decref(m);
			return;
		}
		w->msgs = p;
		w->cap_msgs = cap;
	}
	if (rec.redact)
		rec_redact(m, from_client);
	struct rec_msg *r = &w->msgs[w->n_msgs++];
	r->from_client = from_client;
	r->seq = ++rec.seq;
	r->t_us = clock_now_us() - rec.t0_us;
	r->msg = m;
}

/* One masked client frame to the upstream. */
static int rec_ws_send(struct rec_ws *w, int opcode, const void *p, size_t n)
{
	unsigned char hdr[14];
	size_t h = 0;
	hdr[h++] = (unsigned char)(0x80 | opcode);
	if (n < 126) {
		hdr[h++] = (unsigned char)(0x80 | n);
	} else if (n < 65536) {
		hdr[h++] = 0x80 | 126;
		hdr[h++] = (unsigned char)(n >> 8);
		hdr[h++] = (unsigned char)n;
	} else {
		hdr[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			hdr[h++] = (unsigned char)((uint64_t)n >> (8 * i));
	}
	uint64_t r = rng_next(&server.rng);
	unsigned char mask[4] = {(unsigned char)r, (unsigned char)(r >> 8), (unsigned char)(r >> 16),
				 (unsigned char)(r >> 24)};
	memcpy(hdr + h, mask, 4);
	h += 4;
	unsigned char *body = malloc(n ? n : 1);
	if (!body)
		return CDPM_ENOMEM;
	for (size_t i = 0; i < n; i++)
		body[i] = ((const unsigned char *)p)[i] ^ mask[i & 3];
	int rc;
	if (!w->open) {
		buf_add(&w->early, hdr, h);
		rc = buf_add(&w->early, body, n) ? CDPM_ENOMEM : 0;
	} else {
		rc = upstream_write(w->u, hdr, h);
		if (!rc)
			rc = upstream_write(w->u, body, n);
	}
	free(body);
	return rc;
}

/* A whole upstream message: keep it, then hand it to the client. */
static void rec_ws_deliver(struct rec_ws *w, const char *text, size_t len)
{
	rec_keep(w, 0, text, len);
	if (!w->c)
		return;
	struct buf b;
	conn_msg_begin(&b);
	buf_add(&b, text, len);
	conn_send(w->c, &b, NULL, NULL);
}

/* Parses the upstream's (unmasked) frames in w->in.  0, or -1 to close. */
static int rec_ws_frames(struct rec_ws *w)
{
	size_t pos = 0;
	const unsigned char *p = (const unsigned char *)w->in.data;
	int rc = 0;
	while (w->in.len - pos >= 2) {
		const unsigned char *f = p + pos;
		size_t avail = w->in.len - pos, h = 2;
		uint64_t n = f[1] & 0x7f;
		if (n == 126) {
			if (avail < 4)
				break;
			n = (uint64_t)f[2] << 8 | f[3];
			h = 4;
		} else if (n == 127) {
			if (avail < 10)
				break;
			n = 0;
			for (int i = 0; i < 8; i++)
				n = n << 8 | f[2 + i];
			h = 10;
		}
		if (f[1] & 0x80 || n > SERVER_MAX_MESSAGE) {
			journal_note(conn_id(w->c), "record: the upstream sent a %s frame on %s",
				     f[1] & 0x80 ? "masked" : "too big", w->path);
			return -1; /* a server never masks */
		}
		if (avail - h < n)
			break;
		int op = f[0] & 0x0f, fin = f[0] & 0x80;
		const char *payload = (const char *)f + h;
		pos += h + (size_t)n;
		if (op == WS_OP_PING) {
			rec_ws_send(w, WS_OP_PONG, payload, (size_t)n);
		} else if (op == WS_OP_CLOSE) {
			int code = n >= 2 ? (unsigned char)payload[0] << 8 | (unsigned char)payload[1] : 0;
			if (w->c)
				conn_close_code(w->c, code, "");
			rc = -1;
			break;
		} else if (op == WS_OP_TEXT || op == WS_OP_BINARY || op == WS_OP_CONT) {
			if (fin && op != WS_OP_CONT) {
				rec_ws_deliver(w, payload, (size_t)n);
			} else {
				buf_add(&w->frag, payload, (size_t)n);
				if (fin) {
					if (buf_finish(&w->frag))
						return -1;
					rec_ws_deliver(w, w->frag.data, w->frag.len);
					buf_reset(&w->frag);
				}
			}
		}
	}
	memmove(w->in.data, w->in.data + pos, w->in.len - pos);
	w->in.len -= pos;
	return rc;
}

static int rec_ws_rx(void *user, const void *data, size_t len)
{
	struct rec_ws *w = user;
	if (buf_add(&w->in, data, len))
		return -1;
	if (!w->open) {
		char *end = w->in.len >= 4 ? memmem(w->in.data, w->in.len, "\r\n\r\n", 4) : NULL;
		if (!end)
			return 0;
		if (strncmp(w->in.data, "HTTP/1.1 101", 12)) {
			journal_note(conn_id(w->c), "record: upstream refused the WebSocket %s", w->path);
			return -1;
		}
		size_t head = (size_t)(end + 4 - w->in.data);
		memmove(w->in.data, w->in.data + head, w->in.len - head);
		w->in.len -= head;
		w->open = 1;
		if (w->early.len && (buf_finish(&w->early) ||
				     upstream_write(w->u, w->early.data, w->early.len)))
			return -1;
		buf_clear(&w->early);
	}
	return rec_ws_frames(w);
}

static void rec_ws_closed(void *user)
{
	struct rec_ws *w = user;
	journal_note(conn_id(w->c), "record: the upstream closed %s (%s, %zu bytes unread)",
		     w->path, w->open ? "after the handshake" : "before the handshake", w->in.len);
	w->u = NULL;
	if (w->c)
		conn_drop(w->c, 0); /* the browser went away: the client sees 1006 */
}

static const struct upstream_ops rec_ws_ops = {.rx = rec_ws_rx, .closed = rec_ws_closed};

/* The client asks for a WebSocket: accept any /devtools/ path (the
 * upstream decides whether it exists). */
static int rec_upgrade(struct conn *c, const struct http_req *r)
{
	struct rec_ws *w = calloc(1, sizeof(*w));
	if (!w || !(w->path = strdup(r->target))) {
		free(w);
		return -1;
	}
	w->c = c;
	buf_init(&w->in, 0);
	buf_init(&w->frag, SERVER_MAX_MESSAGE);
	buf_init(&w->early, 0);
	w->next = rec.ws;
	rec.ws = w;
	return 0;
}

static int rec_open(struct conn *c)
{
	struct rec_ws *w = rec_ws_of(c);
	if (!w)
		return CDPM_EPROTO;
	w->u = upstream_connect(rec.host, rec.port, &rec_ws_ops, w);
	if (!w->u) {
		journal_note(conn_id(c), "record: cannot reach upstream %s", rec.hostport);
		return CDPM_EIO;
	}
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char key[25];
	uint64_t a = rng_next(&server.rng), b = rng_next(&server.rng);
	for (int i = 0; i < 21; i++)
		key[i] = b64[(i < 10 ? a >> (6 * i) : b >> (6 * (i - 10))) & 63];
	key[21] = 'A'; /* 16 bytes: 22 characters, the last two bits zero */
	key[22] = key[23] = '=';
	key[24] = '\0';
	struct buf q;
	buf_init(&q, 0);
	buf_printf(&q, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		       "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		   w->path, rec.hostport, key);
	int rc = buf_finish(&q) ? CDPM_ENOMEM : upstream_write(w->u, q.data, q.len);
	buf_clear(&q);
	return rc;
}

static void rec_message(struct conn *c, const char *text, size_t len)
{
	struct rec_ws *w = rec_ws_of(c);
	if (!w || !w->u)
		return;
	rec_keep(w, 1, text, len);
	if (rec_ws_send(w, WS_OP_TEXT, text, len))
		conn_drop(c, 0);
}

static void rec_close(struct conn *c)
{
	for (struct rec_http *h = rec_https; h; h = h->next)
		if (h->c == c)
			h->c = NULL;
	struct rec_ws *w = rec_ws_of(c);
	if (!w)
		return;
	w->c = NULL;
	if (w->u)
		upstream_close(w->u);
	w->u = NULL;
	buf_clear(&w->in);
	buf_clear(&w->frag);
	buf_clear(&w->early);
	/* Each finished connection is on disk at once. */
	record_write();
}

static const struct conn_hooks rec_hooks = {
	.request = rec_request,
	.upgrade = rec_upgrade,
	.open = rec_open,
	.message = rec_message,
	.close = rec_close,
};

const struct conn_hooks *record_hooks(void)
{
	return &rec_hooks;
}

/* GET /json/version from the upstream, blocking (at start only): the
 * browser's WebSocket path goes to rec.browser_path.  0 or CDPM_EIO. */
static int rec_ask_version(void)
{
	struct addrinfo hints, *res = NULL;
	char service[16];
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", rec.port);
	if (getaddrinfo(rec.host, service, &hints, &res) || !res)
		return CDPM_EIO;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {.tv_sec = 10};
	int rc = CDPM_EIO;
	struct buf in, q;
	buf_init(&in, (size_t)1 << 20);
	buf_init(&q, 0);
	buf_printf(&q, "GET /json/version HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
		   rec.hostport);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, res->ai_addr, res->ai_addrlen) || buf_finish(&q) ||
	    send(fd, q.data, q.len, MSG_NOSIGNAL) != (ssize_t)q.len)
		goto out;
	char tmp[4096];
	ssize_t n;
	while (!rec_http_whole(&in) && (n = recv(fd, tmp, sizeof(tmp), 0)) > 0)
		buf_add(&in, tmp, (size_t)n);
	if (buf_finish(&in) || !rec_http_whole(&in))
		goto out;
	const char *url = memmem(in.data, in.len, "\"webSocketDebuggerUrl\"", 22);
	const char *path = url ? strstr(url, "/devtools/browser/") : NULL;
	size_t len = path ? strcspn(path, "\"") : 0;
	if (!len || len >= sizeof(rec.browser_path))
		goto out;
	memcpy(rec.browser_path, path, len);
	rec.browser_path[len] = '\0';
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	buf_clear(&in);
	buf_clear(&q);
	return rc;
}

const char *record_browser_path(void)
{
	return rec.file && rec.browser_path[0] ? rec.browser_path : NULL;
}

int record_init(const char *upstream, const char *file, const char *const *redact)
{
	const char *p = upstream;
	if (!strncmp(p, "http://", 7))
		p += 7;
	const char *colon = strrchr(p, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || colon == p || port <= 0 || port > 65535 || (*end && strcmp(end, "/"))) {
		fprintf(stderr, "cdpmock: --record-upstream takes http://HOST:PORT, not '%s'\n",
			upstream);
		return CDPM_EINVAL;
	}
	if (!file) {
		fprintf(stderr, "cdpmock: --record-upstream needs --record FILE\n");
		return CDPM_EINVAL;
	}
	if (rec_redact_check(redact))
		return CDPM_EINVAL;
	rec.host = strndup(p, (size_t)(colon - p));
	if (!rec.host)
		return CDPM_ENOMEM;
	rec.port = (int)port;
	snprintf(rec.hostport, sizeof(rec.hostport), "%s:%d", rec.host, rec.port);
	rec.file = file;
	rec.redact = redact;
	rec.t0_us = clock_now_us();
	if (rec_ask_version()) {
		fprintf(stderr, "cdpmock: no browser answers /json/version at %s\n", upstream);
		return CDPM_EIO;
	}
	return 0;
}

int record_write(void)
{
	return rec.file ? rec_write_file() : 0;
}

void record_fini(void)
{
	if (!rec.file)
		return;
	record_write();
	while (rec_https) {
		upstream_close(rec_https->u);
		rec_http_free(rec_https);
	}
	while (rec.ws) {
		struct rec_ws *w = rec.ws;
		rec.ws = w->next;
		upstream_close(w->u); /* no callback may reach w any more */
		for (size_t i = 0; i < w->n_msgs; i++)
			json_decref(w->msgs[i].msg);
		free(w->msgs);
		free(w->path);
		buf_clear(&w->in);
		buf_clear(&w->frag);
		buf_clear(&w->early);
		free(w);
	}
	json_decref(rec.version);
	json_decref(rec.pages);
	rec_redact_fini();
	free(rec.host);
	memset(&rec, 0, sizeof(rec));
}
