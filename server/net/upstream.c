/* upstream.c - an outgoing TCP connection over the loop (see upstream.h). */
#include "net/upstream.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "cdpm.h"
#include "journal.h"
#include "net/loop.h"

struct upstream {
	int fd;
	struct loop_ep *ep;
	struct buf out;   /* queued bytes; out_pos of them are written */
	size_t out_pos;
	const struct upstream_ops *ops;
	void *user;
	int detached;     /* upstream_close() was called */
};

static int upstream_rx(void *user, const void *data, size_t len)
{
	struct upstream *u = user;
	if (u->detached)
		return 0;
	return u->ops->rx(u->user, data, len);
}

static int upstream_writable(void *user)
{
	struct upstream *u = user;
	while (u->out_pos < u->out.len) {
		ssize_t w = send(u->fd, u->out.data + u->out_pos, u->out.len - u->out_pos,
				 MSG_NOSIGNAL);
		/* ENOTCONN: still connecting (the loop may offer a write first). */
		if (w < 0 && (errno == EAGAIN || errno == EINTR || errno == ENOTCONN)) {
			loop_want_write(u->ep);
			return 0;
		}
		if (w < 0) {
			journal_note(0, "upstream: send: %s", strerror(errno));
			return -1;
		}
		u->out_pos += (size_t)w;
	}
	if (u->out_pos == u->out.len) {
		buf_reset(&u->out);
		u->out_pos = 0;
	} else {
		loop_want_write(u->ep);
	}
	return 0;
}

static void upstream_closed(void *user)
{
	struct upstream *u = user;
	int err = 0;
	socklen_t len = sizeof(err);
	if (!u->detached && !getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &len) && err)
		journal_note(0, "upstream: %s", strerror(err));
	if (!u->detached)
		u->ops->closed(u->user);
	buf_clear(&u->out);
	free(u);
}

static const struct loop_io upstream_io = {
	.rx = upstream_rx,
	.writable = upstream_writable,
	.closed = upstream_closed,
};

struct upstream *upstream_connect(const char *host, int port, const struct upstream_ops *ops,
				  void *user)
{
	struct addrinfo hints, *res = NULL;
	char service[16];
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &res) || !res)
		return NULL;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(res);
		return NULL;
	}
	int rc = connect(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (rc && errno != EINPROGRESS) {
		close(fd);
		return NULL;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct upstream *u = calloc(1, sizeof(*u));
	if (!u) {
		close(fd);
		return NULL;
	}
	u->fd = fd;
	u->ops = ops;
	u->user = user;
	buf_init(&u->out, 0);
	u->ep = loop_adopt_client(fd, &upstream_io, u);
	if (!u->ep) {
		buf_clear(&u->out);
		free(u);
		return NULL;
	}
	return u;
}

int upstream_write(struct upstream *u, const void *p, size_t n)
{
	if (buf_add(&u->out, p, n))
		return CDPM_ENOMEM;
	loop_want_write(u->ep);
	return 0;
}

void upstream_close(struct upstream *u)
{
	if (!u)
		return;
	u->detached = 1;
	loop_kill(u->ep);
}
