/* http.h - the DevTools HTTP endpoint's transport: HTTP/1.1 requests
 * (keep-alive, pipelining, Content-Length bodies), Chrome's Host and Origin
 * checks, and the WebSocket upgrade handshake, byte for byte as Chromium
 * 156 answers (docs/chrome.md §2-§3).  What a path means (discovery, the admin
 * API, which target a /devtools/ path names) is decided by the
 * connection's hooks (conn.h).  Framing after the upgrade is ws.c's job. */
#ifndef CDPM_HTTP_H
#define CDPM_HTTP_H

#include <stddef.h>

#include "buf.h"

struct conn;

/* Longest request head we accept before dropping the connection. */
#define HTTP_MAX_HEAD ((size_t)64 * 1024)
#define HTTP_MAX_HEADERS 64

/* One parsed request, valid while a hook runs. */
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

/* http_feed() - answers every complete request in c->in, in order (keep-alive
 * and pipelining).  After a successful upgrade it returns at once with the
 * connection switched to CONN_WS and any extra bytes left in c->in.
 * Returns 0, or a negative value to drop the connection (as Chrome does for
 * HTTP/1.0 requests and for malformed ones). */
int http_feed(struct conn *c);

/* http_watch() - (re)arms c's HTTP deadline, a limit against clients that
 * hold connections open (slowloris): a request head, body included, must
 * arrive within --http-header-timeout seconds of the connection or of the
 * last answer, and a keep-alive connection may then sit idle (nothing of
 * a next request received) for --http-idle-timeout seconds.  A deadline
 * that passes drops the connection, noted in the journal.  progressed: a
 * request was just answered.  Once c is no longer HTTP (the upgrade, an
 * HTTP request like any other, ends it) the deadline is cancelled. */
void http_watch(struct conn *c, int progressed);

/* http_header() - the value of header name (any case), or NULL.  Borrowed
 * from r. */
const char *http_header(const struct http_req *r, const char *name);

/* http_respond() - writes one response the way the DevTools endpoint
 * formats them: status line, extra (header lines placed before
 * Content-Length; may be NULL), Content-Length, Content-Type, body. */
int http_respond(struct conn *c, int status, const char *extra, const char *ctype,
		 const char *body, size_t len);
/* http_reply() - http_respond() with no extra headers (the admin API). */
int http_reply(struct conn *c, int status, const char *ctype, const char *body, size_t len);

/* http_host_ok() - Chrome's Host check: absent, an IP literal, localhost or
 * *.localhost (the port is ignored). */
int http_host_ok(const char *host);
/* http_origin_ok() - Chrome's Origin check for upgrades (NULL: absent). */
int http_origin_ok(const char *origin);

#endif
