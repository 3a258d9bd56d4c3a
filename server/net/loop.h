/* loop.h - the one event loop that runs cdpmock: listening sockets,
 * accepted connections, the pipe, outgoing sockets, timers and signals, on
 * epoll.  Protocol logic lives elsewhere; this file only moves readiness
 * events up through struct loop_io.
 *
 * Writes are deferred, not polled for: loop_want_write() puts an endpoint
 * on a list that is flushed (its writable callback called) at the end of
 * the loop iteration that asked, so a reply goes out in the same iteration
 * as the request that caused it, and several replies share one writev().
 * Only an endpoint that still wants to write from inside its own writable
 * callback (its socket was full, or it wrote a slice and has more) is
 * polled for EPOLLOUT. */
#ifndef CDPM_LOOP_H
#define CDPM_LOOP_H

#include <stddef.h>
#include <stdint.h>

/* An endpoint the loop serves: a socket, or one side of the pipe. */
struct loop_ep;

/* What the loop tells the layer above about an endpoint it serves: a
 * listener's accepted socket, or the pipe.  The loop knows no connection;
 * it keeps the pointer open() returns and hands it back. */
struct loop_io {
	/* A new endpoint: read from in, write to out (the same endpoint for
	 * a socket); out_fd is the pipe's descriptor written.  arg is what
	 * loop_listen()/loop_adopt_pipe() were given; out_fd is -1 for a
	 * socket.  NULL refuses it. */
	void *(*open)(const void *arg, struct loop_ep *in, struct loop_ep *out, int out_fd);
	/* Bytes arrived; nonzero closes. */
	int (*rx)(void *user, const void *data, size_t len);
	/* The endpoint can take bytes; nonzero closes. */
	int (*writable)(void *user);
	/* The endpoint is gone: release user. */
	void (*closed)(void *user);
};

/* A one-shot timer.  Embed it; it must stay valid until it fires or is
 * cancelled.  In virtual-clock mode the clock jumps to the due time when the
 * timer fires, so timestamps do not depend on scheduling jitter. */
struct loop_timer {
	void (*fn)(struct loop_timer *t);
	int64_t due_us;   /* clock_now_us() value when it is due */
	int64_t at_ns;    /* CLOCK_MONOTONIC time it fires at */
	size_t slot;      /* its place in the loop's heap, while armed */
	int armed;
	int real_time;    /* an I/O timeout: never moves the virtual clock */
};

/* loop_init() - creates the epoll instance.  0 or CDPM_EIO. */
int loop_init(void);
/* loop_listen() - binds addr:port (port 0: the kernel picks), starts listening
 * and reports the bound port; accepted sockets are served by io with arg
 * (both borrowed, for the loop's life).  0 or CDPM_EIO (errno set). */
int loop_listen(const char *addr, int port, const struct loop_io *io, const void *arg,
		int *bound_port);
/* loop_adopt_pipe() - serves in_fd/out_fd (--remote-debugging-pipe) by io;
 * *user gets what io->open returned.  When in_fd closes the loop stops, as
 * Chrome exits.  0 or CDPM_E*. */
int loop_adopt_pipe(int in_fd, int out_fd, const struct loop_io *io, const void *arg, void **user);
/* loop_adopt_client() - serves fd, an outgoing socket (connected or
 * connecting), by io->rx/writable/closed with user (io->open is not
 * called).  Returns its endpoint, or NULL (fd is then closed). */
struct loop_ep *loop_adopt_client(int fd, const struct loop_io *io, void *user);
/* loop_run() - services events until loop_stop() or a signal; it may be
 * called again afterwards (each stop ends one run). */
void loop_run(void);
/* loop_stop() - asks loop_run() to return; async-signal-safe. */
void loop_stop(void);
/* loop_fini() - closes every endpoint (their closed callbacks run) and the
 * epoll instance. */
void loop_fini(void);

/* loop_timer_arm() - (re)arms t to call fn after delay_us (>= 0). */
void loop_timer_arm(struct loop_timer *t, int64_t delay_us, void (*fn)(struct loop_timer *));
/* loop_timer_cancel() - disarms t; harmless when not armed. */
void loop_timer_cancel(struct loop_timer *t);

/* For the layer above (each harmless on NULL): ask for a writable callback,
 * pause or resume reading, and the descriptor. */
void loop_want_write(struct loop_ep *ep);
void loop_rx_pause(struct loop_ep *ep, int pause);
int loop_fd(const struct loop_ep *ep);
/* loop_kill() - closes ep soon, from the loop (its closed callback runs). */
void loop_kill(struct loop_ep *ep);

#endif
