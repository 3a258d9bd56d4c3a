/* http.h - the DevTools HTTP endpoint: discovery (/json/...), the Host and
 * Origin checks, and the WebSocket upgrade, byte for byte as Chromium 156
 * answers (CHROMIUM.md 1).  Framing after the upgrade is ws.c's job. */
#ifndef CDPM_HTTP_H
#define CDPM_HTTP_H

#include <stddef.h>

#include "buf.h"

struct conn;

/* Longest request head we accept before dropping the connection. */
#define HTTP_MAX_HEAD ((size_t)64 * 1024)

/* http_feed() - answers every complete request in c->in, in order (keep-alive
 * and pipelining).  After a successful upgrade it returns at once with the
 * connection switched to CONN_WS and any extra bytes left in c->in.
 * Returns 0, or a negative value to drop the connection (as Chrome does for
 * HTTP/1.0 requests and for malformed ones). */
int http_feed(struct conn *c);

/* http_reply() - writes one response (status line, Content-Length,
 * Content-Type, body) the way the DevTools endpoint formats them; for the
 * admin API. */
int http_reply(struct conn *c, int status, const char *ctype, const char *body, size_t len);

/* http_host_ok() - Chrome's Host check: absent, an IP literal, localhost or
 * *.localhost (the port is ignored). */
int http_host_ok(const char *host);
/* http_origin_ok() - Chrome's Origin check for upgrades (NULL: absent). */
int http_origin_ok(const char *origin);

/* http_json_str() - appends s as a JSON string the way Chrome's JSONWriter
 * does for discovery bodies ('<' becomes \u003C). */
int http_json_str(struct buf *b, const char *s);

#endif
