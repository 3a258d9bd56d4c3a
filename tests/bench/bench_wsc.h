/* bench_wsc.h - the benchmarks' lean WebSocket client: blocking TCP, one
 * big receive buffer filled by bulk reads, frames parsed in place (no copy,
 * no lws), plus spawning the server under test.  Only what a throughput
 * measurement needs: no fragmentation, no deflate, no TLS. */
#ifndef BENCH_WSC_H
#define BENCH_WSC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct wsc {
	int fd;
	char *buf; /* received bytes [start, end) not yet consumed */
	size_t cap, start, end;
	uint64_t rx_bytes; /* everything read from the socket */
};

/* wsc_connect() - TCP to 127.0.0.1:port and the upgrade for path.  The
 * receive buffer holds cap bytes: the largest message must fit.  0 / -1. */
int wsc_connect(struct wsc *w, int port, const char *path, size_t cap);
void wsc_close(struct wsc *w);

/* wsc_send() - one masked text frame.  0 / -1. */
int wsc_send(struct wsc *w, const char *text, size_t n);
int wsc_sendf(struct wsc *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* wsc_next() - the next message's payload, in place: valid until the next
 * call.  0, or -1 on EOF / error / a message bigger than the buffer. */
int wsc_next(struct wsc *w, const char **p, size_t *n);

/* wsc_now() - monotonic seconds. */
double wsc_now(void);

/* A spawned server. */
struct wsc_proc {
	pid_t pid;
	int port;
	char path[160];	 /* /devtools/browser/<id> from the banner */
	double banner_s; /* from fork to the banner */
	int err_fd;
};

/* wsc_spawn() - runs argv (argv[0] the binary) with the extra environment
 * entries env (NAME=VALUE, NULL-terminated; may be NULL) and waits for a
 * "DevTools listening on ws://HOST:PORT/PATH" line or a "PORT n" line on
 * stderr.  0 / -1. */
int wsc_spawn(struct wsc_proc *p, char *const argv[], char *const env[]);
/* wsc_status_kb() - a kB field of /proc/PID/status ("VmRSS"), or -1. */
long wsc_status_kb(pid_t pid, const char *field);
/* wsc_hwm_kb() - VmHWM of the process (peak RSS) in kB, or -1. */
long wsc_hwm_kb(pid_t pid);
/* wsc_stop() - SIGTERM and wait. */
void wsc_stop(struct wsc_proc *p);

#endif
