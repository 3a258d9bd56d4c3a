/* cdpc_discover.h - finding a CDP WebSocket URL through Chrome's HTTP
 * endpoint (/json/version, /json/list).  Plain blocking HTTP/1.1 over TCP;
 * not an HTTP client for anything else. */
#ifndef CDPC_DISCOVER_H
#define CDPC_DISCOVER_H

#include "buf.h"

/* cdpc_discover() - asks the http://host:port endpoint for a WebSocket URL:
 * the browser's (GET /json/version, "webSocketDebuggerUrl"), or with page
 * set the first target of type "page" in GET /json/list.  The URL is
 * appended to ws_url.  Everything, connects included, must finish within
 * timeout_ms.  On failure a one-line reason is appended to err (may be
 * NULL).  Fails with CDPM_EINVAL (bad endpoint URL), CDPM_EAGAIN (timeout),
 * CDPM_EIO (connect/read failed), CDPM_EPROTO (not HTTP 200 with the JSON
 * expected), CDPM_ENOENT (no page target), CDPM_ENOMEM/CDPM_ETOOBIG. */
int cdpc_discover(const char *endpoint, int page, int timeout_ms, struct buf *ws_url,
		  struct buf *err);

/* cdpc_discover_get() - one GET of path on endpoint's host and port; the
 * body of a 200 reply is appended to body (at most 64 MiB).  Another
 * status is CDPM_EPROTO with the status line in err.  Fails otherwise as
 * cdpc_discover(). */
int cdpc_discover_get(const char *endpoint, const char *path, int timeout_ms, struct buf *body,
		      struct buf *err);

#endif
