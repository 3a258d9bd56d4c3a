/* upstream.h - one outgoing TCP connection over the loop (cdpmock as a
 * client, for the recording proxy's upstream browser).  Bytes only: the
 * layer above speaks HTTP or WebSocket on it.  Nothing blocks: the connect
 * completes in the loop, and bytes queued before it are written then. */
#ifndef CDPM_UPSTREAM_H
#define CDPM_UPSTREAM_H

#include <stddef.h>

struct upstream;

struct upstream_ops {
	/* Bytes arrived; nonzero closes the connection. */
	int (*rx)(void *user, const void *data, size_t len);
	/* The connection is gone (peer closed, error, or a nonzero rx); u is
	 * freed after this returns.  Not called after upstream_close(). */
	void (*closed)(void *user);
};

/* upstream_connect() - starts connecting to host:port (a name or an IPv4
 * literal); ops and user serve it.  NULL when it cannot even start. */
struct upstream *upstream_connect(const char *host, int port, const struct upstream_ops *ops,
				  void *user);
/* upstream_write() - queues bytes (written once connected and writable).
 * 0 or CDPM_ENOMEM. */
int upstream_write(struct upstream *u, const void *p, size_t n);
/* upstream_close() - closes soon; no callback runs for u any more. */
void upstream_close(struct upstream *u);

#endif
