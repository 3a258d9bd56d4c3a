/* cdpclient.h - a small synchronous Chrome DevTools Protocol client.
 * One struct cdpc is one WebSocket connection with its own lws_context;
 * every call blocks, driving the event loop until it is done or times out.
 * It is the reference client for cdpmock's tests and cdpcli, not a general
 * async library: one thread per client, no callbacks, no TLS.
 *
 * Errors follow lib/cdpm.h: 0 or a negative CDPM_E*.  The ones that mean
 * something specific here:
 *   CDPM_EAGAIN  the timeout passed (nothing is lost: a late reply is queued)
 *   CDPM_ECLOSED the connection is gone (see cdpc_close_code())
 *   CDPM_ETOOBIG a message or the queue passed its cap; the connection is
 *                given up (close code 1009)
 *   CDPM_EIO     a socket or lws failure
 *   CDPM_EPROTO  the peer sent something that is not what CDP promises
 *                (bad HTTP, non-JSON message where JSON was needed, an
 *                error reply in the helpers that expect a result) */
#ifndef CDPCLIENT_H
#define CDPCLIENT_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

struct cdpc;

/* Connection options.  A zeroed struct (or NULL) means every default. */
struct cdpc_opts {
	int connect_timeout_ms; /* discovery + TCP + handshake; 0: 10000 */
	int send_timeout_ms;    /* how long a send may wait for the socket; 0: 30000 */
	size_t max_message;     /* largest inbound message in bytes; 0: 512 MiB */
	size_t max_queue;       /* raw bytes of queued, unread messages; 0: 1 GiB */
	int deflate;            /* offer permessage-deflate (RFC 7692) */
	int page;               /* http:// endpoints: connect to the first "page"
				 * target of /json/list instead of the browser */
	int lws_log_level;      /* 0: LLL_ERR only; >0: this LLL_* mask;
				 * <0: leave lws's process-wide setting alone */
};

#define CDPC_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define CDPC_DEFAULT_SEND_TIMEOUT_MS 30000
#define CDPC_DEFAULT_MAX_MESSAGE ((size_t)512 << 20)
#define CDPC_DEFAULT_MAX_QUEUE ((size_t)1 << 30)

/* cdpc_connect() - opens a CDP WebSocket.  endpoint is either
 * "http://host:port[/...]" (discovery: GET /json/version and take its
 * webSocketDebuggerUrl, or with opts->page GET /json/list and take the first
 * entry of type "page"; any path in the URL is ignored) or a
 * "ws://host:port/path" URL used as is.  IPv6 literals go in brackets.
 * opts may be NULL.  On success *out is a new client (cdpc_free() it).
 * On failure *out is NULL and, when err is not NULL, a one-line reason is
 * appended to err.  Fails with CDPM_EINVAL (bad URL), CDPM_EAGAIN (timeout),
 * CDPM_EIO (refused, reset, handshake rejected), CDPM_EPROTO (bad discovery
 * reply), CDPM_ENOENT (no page target), CDPM_ENOMEM. */
int cdpc_connect(const char *endpoint, const struct cdpc_opts *opts, struct cdpc **out,
		 struct buf *err);

/* cdpc_free() - closes the socket at once (no close handshake: use
 * cdpc_close() first for a clean one) and frees everything, including
 * queued messages.  NULL is fine. */
void cdpc_free(struct cdpc *c);

/* cdpc_close() - the polite close: sends a close frame with code 1000 after
 * anything still queued for sending, and waits up to timeout_ms for the
 * server's answer and the TCP close.  0 once closed (also when it already
 * was), CDPM_EAGAIN on timeout.  Queued inbound messages stay readable. */
int cdpc_close(struct cdpc *c, int timeout_ms);

/* cdpc_ws_url() - the WebSocket URL in use (after discovery).  Borrowed;
 * valid until cdpc_free(). */
const char *cdpc_ws_url(const struct cdpc *c);

/* cdpc_send() - sends {"id":N,"method":method,"params":params,"sessionId":
 * session_id} and returns without waiting for the reply.  N is the next id
 * of this client (1, 2, 3, ...) and goes to *id when id is not NULL.
 * params is borrowed and may be NULL (no "params" key); it must be an
 * object or NULL (CDPM_EINVAL).  session_id may be NULL (no key).  Returns
 * once lws has taken the whole frame (it may still hold the tail of a big
 * one until the socket drains), or CDPM_EAGAIN after the send timeout (the
 * frame stays queued and goes out later), or CDPM_ECLOSED/CDPM_ETOOBIG/
 * CDPM_EIO if the connection has failed. */
int cdpc_send(struct cdpc *c, const char *method, json_t *params, const char *session_id,
	      int *id);

/* cdpc_wait() - waits up to timeout_ms (<0: forever) for the reply whose
 * integer "id" is id; every other message that arrives meanwhile is queued
 * for cdpc_next() in arrival order.  Replies already queued are found too.
 * On success *reply is the whole reply message (a new reference: "result"
 * or "error", and "sessionId" if any); its raw text is cdpc_last_raw().
 * Returns CDPM_EAGAIN on timeout, or once the queue is drained of that id,
 * the connection's failure (CDPM_ECLOSED...). */
int cdpc_wait(struct cdpc *c, int id, int timeout_ms, json_t **reply);

/* cdpc_call() - cdpc_send() then cdpc_wait(): the whole reply in *reply
 * (new reference), which may be an error reply; see cdpc_error().  The
 * send timeout applies to the send, timeout_ms to the wait. */
int cdpc_call(struct cdpc *c, const char *method, json_t *params, const char *session_id,
	      int timeout_ms, json_t **reply);

/* cdpc_next() - the oldest queued message (events, and replies nobody waited
 * for) as *msg, a new reference; waits up to timeout_ms for one (<0:
 * forever, 0: only what is already readable).  CDPM_EAGAIN on timeout.
 * Once the queue is empty and the connection is gone: CDPM_ECLOSED (or
 * the error that ended it, such as CDPM_ETOOBIG).  A message that is not
 * valid JSON is consumed, *msg is NULL and the return is CDPM_EPROTO; its
 * bytes are in cdpc_last_raw(). */
int cdpc_next(struct cdpc *c, int timeout_ms, json_t **msg);

/* cdpc_last_raw() - the exact bytes of the message last returned by
 * cdpc_next(), cdpc_wait() or cdpc_call() (NUL-terminated; *len may be
 * NULL).  "" before the first one.  Valid until the next of those calls or
 * cdpc_free().  cdpc_last_binary() says whether it came as a binary frame. */
const char *cdpc_last_raw(const struct cdpc *c, size_t *len);
int cdpc_last_binary(const struct cdpc *c);

/* cdpc_received() - how many messages have arrived so far (queued or
 * taken).  Taken just before sending a command, it marks what came before
 * that command: cdpc_last_seq() - the arrival number (from 1) of the
 * message cdpc_next(), cdpc_wait() or cdpc_call() last returned, 0 before
 * the first - is at most the mark for those. */
unsigned long long cdpc_received(const struct cdpc *c);
unsigned long long cdpc_last_seq(const struct cdpc *c);

/* Flags for cdpc_send_raw(). */
#define CDPC_SEND_BINARY 1u /* a binary message instead of text */

/* cdpc_send_raw() - sends len bytes exactly as given, valid UTF-8 and JSON or
 * not, for tests.  frag 0 sends one frame; otherwise a message of frames of
 * at most frag bytes (text/binary then continuations).  Returns like
 * cdpc_send().  Ids inside the text are the caller's business: pick ones
 * this client will not assign (cdpc_send() counts up from 1). */
int cdpc_send_raw(struct cdpc *c, const void *data, size_t len, size_t frag, unsigned flags);

/* cdpc_send_text() - cdpc_send_raw() of one text frame. */
int cdpc_send_text(struct cdpc *c, const char *text, size_t len);

/* cdpc_is_open() - 1 while the WebSocket is open. */
int cdpc_is_open(const struct cdpc *c);

/* cdpc_close_code() - 0 while open; once closed, the code from the peer's
 * close frame, 1005 if it had none, 1006 if the connection dropped without
 * one, 1009 if this client closed it for a too big message.  When this
 * client started the close, the code it sent unless the peer's is known.
 * cdpc_close_reason() is the reason text of the peer's close frame ("" if
 * none); borrowed, valid until cdpc_free(). */
int cdpc_close_code(const struct cdpc *c);
const char *cdpc_close_reason(const struct cdpc *c);

/* cdpc_error() - the "error" object of a reply, or NULL if it has none.
 * When it has one, *code and *message (either may be NULL) get its fields
 * (0 and "" when missing); message is borrowed from reply. */
json_t *cdpc_error(const json_t *reply, int *code, const char **message);

/* cdpc_result() - the "result" object of a reply, or NULL (borrowed). */
json_t *cdpc_result(const json_t *reply);

/* A message that a helper (cdpc_stream.h, cdpc_trace.h) consumed but did
 * not need, handed over before it is dropped.  msg is borrowed for the
 * call. */
typedef void (*cdpc_msg_fn)(void *arg, json_t *msg);

#endif
