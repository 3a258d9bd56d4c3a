/* fuzz_http.c - the HTTP request parser and the discovery endpoints: the
 * input is the bytes a client sends on a fresh TCP connection (requests,
 * pipelined, possibly an upgrade and frames after it). */
#include "fuzz.h"

#include "net/conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	struct conn *c = conn_new(CONN_HTTP, NULL, fuzz_hooks());
	if (!c)
		return 0;
	/* Also in two reads split at the first byte's value: a request may
	 * arrive in pieces. */
	size_t cut = size ? data[0] % (size + 1) : 0;
	if (conn_on_rx(c, data, cut) == 0)
		conn_on_rx(c, data + cut, size - cut);
	conn_free(c);
	return 0;
}
