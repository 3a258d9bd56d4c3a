/* ws.h - RFC 6455 WebSocket framing and the handshake, as Chrome's DevTools
 * server does them: unmasked single-frame text messages out, masked frames in,
 * fragments reassembled up to a cap, permessage-deflate (RFC 7692) through
 * zlib.  Anything Chrome treats as a protocol violation drops the TCP
 * connection at once, without a close frame.  Not for HTTP (http.c). */
#ifndef CDPM_WS_H
#define CDPM_WS_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "buf.h"
#include "server.h"

enum {
	WS_OP_CONT = 0,
	WS_OP_TEXT = 1,
	WS_OP_BINARY = 2,
	WS_OP_CLOSE = 8,
	WS_OP_PING = 9,
	WS_OP_PONG = 10,
};

/* Default inbound message cap (server.h). */
#define WS_DEFAULT_MAX_MESSAGE SERVER_MAX_MESSAGE

/* What the framing asks of the connection it reads for: ws.c knows no
 * connection, so that the codec sits below conn.c and not beside it. */
struct ws_ops {
	/* Queues one frame of opcode with the payload p[0, n). */
	int (*send_frame)(void *ctx, int opcode, const void *p, size_t n);
	/* The peer sent a close: flush what is queued, then close. */
	void (*close)(void *ctx);
	/* One complete (inflated) text message. */
	void (*deliver)(void *ctx, const char *text, size_t len);
	/* The emptied message buffer, for the connection to shrink if big. */
	void (*release)(void *ctx, struct buf *b);
	/* 1 once no more bytes are to be read (closing, or gone). */
	int (*stopped)(void *ctx);
};

struct ws {
	const struct ws_ops *ops;  /* NULL: framing helpers only, no ws_feed */
	void *ctx;                 /* handed to every ops call */
	int deflate;               /* permessage-deflate negotiated */
	int server_no_context;     /* reset our compressor after each message */
	int client_no_context;     /* the client resets; we reset our inflater */
	z_stream zin, zout;
	int zin_ready, zout_ready;
	/* incremental frame parser */
	unsigned char hdr[14];
	size_t hdr_len;
	uint64_t payload_left;
	unsigned char mask[4];
	size_t mask_pos;
	int opcode;                /* of the frame being read */
	int fin;
	int in_message;            /* a fragmented text message is open */
	int message_compressed;
	struct buf message;        /* reassembled (still compressed) payload */
	struct buf control;        /* payload of the control frame being read */
	size_t max_message;
	int close_sent;
};

/* ws_init() / ws_clear() - set up and release framing state; ops and ctx
 * serve the messages and control frames ws_feed() completes. */
void ws_init(struct ws *w, size_t max_message, const struct ws_ops *ops, void *ctx);
void ws_clear(struct ws *w);

/* ws_accept_key() - Sec-WebSocket-Accept for a client key; out gets 29+ bytes. */
int ws_accept_key(const char *key, char *out, size_t outlen);

/* ws_negotiate_deflate() - reads a Sec-WebSocket-Extensions offer; when a
 * permessage-deflate offer is acceptable, enables it and writes the
 * response header value into resp.  Returns 1 when enabled, else 0. */
int ws_negotiate_deflate(struct ws *w, const char *offer, struct buf *resp);

/* ws_feed() - consumes received bytes; every complete text message goes to
 * ops->deliver, pings are answered, a close is echoed.  Returns 0, or
 * CDPM_EPROTO (drop TCP now) or CDPM_ETOOBIG (close with 1009). */
int ws_feed(struct ws *w, const unsigned char *p, size_t n);

/* ws_frame_header() - writes the header of an unmasked FIN frame that ends
 * right before `end`, and returns its length (2, 4 or 10). */
size_t ws_frame_header(unsigned char *end, int opcode, int rsv1, uint64_t len);

/* ws_compress() - deflates a message payload for sending (RFC 7692 7.2.1):
 * the result (with CONN_HEADROOM spare bytes in front) replaces b. */
int ws_compress(struct ws *w, struct buf *b, size_t headroom);

#endif
