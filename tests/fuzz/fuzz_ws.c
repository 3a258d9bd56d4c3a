/* fuzz_ws.c - the WebSocket frame decoder with permessage-deflate: the first
 * byte picks the negotiated options, the rest is what the client sends
 * after the handshake.  Whole messages go on to the router, as in the
 * server. */
#include "fuzz.h"

#include "net/conn.h"
#include "net/ws.h"
#include "server.h"

static const char *const fuzz_ws_offers[] = {
	NULL,
	"permessage-deflate",
	"permessage-deflate; client_no_context_takeover",
	"permessage-deflate; server_no_context_takeover; client_max_window_bits=9",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	if (!size)
		return 0;
	struct conn *c = conn_new(CONN_WS, NULL, fuzz_hooks());
	if (!c)
		return 0;
	if (conn_opened(c)) { /* the root session, as after a real handshake */
		conn_free(c);
		return 0;
	}
	/* A small cap so that the cap, inflated sizes included, gets hit. */
	c->ws.max_message = (data[0] & 0x80) ? 4096 : server.opts.max_message;
	const char *offer = fuzz_ws_offers[data[0] & 3];
	if (offer) {
		struct buf resp;
		buf_init(&resp, 0);
		ws_negotiate_deflate(&c->ws, offer, &resp);
		buf_clear(&resp);
	}
	ws_feed(&c->ws, data + 1, size - 1);
	conn_free(c);
	return 0;
}
