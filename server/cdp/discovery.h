/* discovery.h - the DevTools HTTP endpoint's content: the /json/...
 * discovery bodies and the WebSocket paths /devtools/browser/<id> and
 * /devtools/page/<id>, as Chromium 156 serves them (docs/chrome.md §2-§3).  The
 * HTTP bytes, the Host and Origin checks and the handshake are net/http.c's;
 * these are installed as a connection's request and upgrade hooks. */
#ifndef CDPM_DISCOVERY_H
#define CDPM_DISCOVERY_H

#include "buf.h"

struct conn;
struct http_req;

/* discovery_request() - answers a plain request (conn_hooks.request). */
int discovery_request(struct conn *c, const struct http_req *r);
/* discovery_upgrade() - an upgrade's path (conn_hooks.upgrade): 0 when it
 * names the browser or a live page (c->page is set for a page), else 1
 * after answering as Chrome does (404, or 500 "No such target id"). */
int discovery_upgrade(struct conn *c, const struct http_req *r);

/* discovery_json_str() - appends s as a JSON string the way Chrome's
 * JSONWriter does for discovery bodies ('<' becomes \u003C). */
int discovery_json_str(struct buf *b, const char *s);

#endif
