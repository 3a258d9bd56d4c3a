/* loop.h - the one event loop (libwebsockets) that runs cdpmock: listening
 * sockets, accepted connections, timers and signals.  Protocol logic lives
 * elsewhere; this file only moves readiness events to conn.c. */
#ifndef CDPM_LOOP_H
#define CDPM_LOOP_H

#include <libwebsockets.h>
#include <stdint.h>

struct conn;
struct conn_hooks;

/* A one-shot timer.  Embed it; it must stay valid until it fires or is
 * cancelled.  In virtual-clock mode the clock jumps to the due time when the
 * timer fires, so timestamps do not depend on scheduling jitter. */
struct loop_timer {
	lws_sorted_usec_list_t sul; /* must be first */
	void (*fn)(struct loop_timer *t);
	int64_t due_us;             /* clock_now_us() value when it is due */
	int armed;
	int real_time;              /* an I/O timeout: never moves the virtual clock */
};

/* loop_init() - creates the lws context.  0 or CDPM_EIO. */
int loop_init(void);
/* loop_listen() - binds addr:port (port 0: the kernel picks), starts listening
 * and reports the bound port; accepted sockets are served by hooks
 * (borrowed, for the loop's life).  0 or CDPM_EIO (errno set). */
int loop_listen(const char *addr, int port, const struct conn_hooks *hooks, int *bound_port);
/* loop_adopt_pipe() - a connection for CDP over in_fd/out_fd
 * (--remote-debugging-pipe), served by hooks; *out gets it.  The caller
 * opens it (conn_opened) once it is ready.  0 or CDPM_E*. */
int loop_adopt_pipe(int in_fd, int out_fd, const struct conn_hooks *hooks, struct conn **out);
/* loop_run() - services events until loop_stop() or a signal; it may be
 * called again afterwards (each stop ends one run). */
void loop_run(void);
/* loop_stop() - asks loop_run() to return; async-signal-safe. */
void loop_stop(void);
/* loop_fini() - closes every connection and destroys the context. */
void loop_fini(void);

/* loop_timer_arm() - (re)arms t to call fn after delay_us (>= 0). */
void loop_timer_arm(struct loop_timer *t, int64_t delay_us, void (*fn)(struct loop_timer *));
/* loop_timer_cancel() - disarms t; harmless when not armed. */
void loop_timer_cancel(struct loop_timer *t);

/* Called by conn.c: ask for a writable callback / pause or resume reading. */
void loop_want_write(struct lws *wsi);
void loop_rx_pause(struct lws *wsi, int pause);
/* loop_kill() - closes wsi soon (from outside its own callback). */
void loop_kill(struct lws *wsi);

#endif
