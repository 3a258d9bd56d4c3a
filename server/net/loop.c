/* loop.c - the libwebsockets context and its one callback (see loop.h).
 * Sockets are adopted as raw: cdpmock speaks HTTP and WebSocket itself
 * because Chrome's DevTools server has byte-level quirks (reason phrases,
 * header spacing, HEAD bodies, HTTP/1.0 handling) that lws would normalise.
 * lws still owns polling, timers and connection lifetime. */
#include "net/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cdpm.h"
#include "clock.h"
#include "journal.h"

/* What an adopted file descriptor is, kept as the wsi's opaque data. */
enum loop_fd_kind { LOOP_LISTENER = 1, LOOP_PIPE_IN, LOOP_PIPE_OUT };
struct loop_fd {
	enum loop_fd_kind kind;
	int fd;
	void *user; /* pipes: what io->open returned */
};

static struct lws_context *loop_ctx;
static struct lws_vhost *loop_vh;
static volatile sig_atomic_t loop_stopping;
static struct loop_fd loop_listener = {LOOP_LISTENER, -1, NULL};
static struct loop_fd loop_pipe_in = {LOOP_PIPE_IN, -1, NULL};
static struct loop_fd loop_pipe_out = {LOOP_PIPE_OUT, -1, NULL};
/* Who serves the accepted sockets, and the pipe. */
static const struct loop_io *loop_tcp_io, *loop_pipe_io;
static const void *loop_tcp_arg;

/* lws clears POLLOUT on a raw file *after* its writable callback returns
 * (roles/raw-file/ops-raw-file.c), so a write request made inside that
 * callback, after a short write to the pipe, is lost and fd 4 is never
 * polled for writing again.  Such a request is made again from a
 * zero-delay timer, once the callback is over. */
static struct lws *loop_pipe_out_wsi;
static int loop_in_pipe_write;
static lws_sorted_usec_list_t loop_pipe_rearm;

static void loop_pipe_rearm_fire(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (loop_pipe_out_wsi)
		lws_callback_on_writable(loop_pipe_out_wsi);
}

/* Out of descriptors (EMFILE, ENFILE), accept4() fails while the listening
 * socket stays readable: polling it would spin at 100% CPU.  So stop
 * polling it for a while, as nginx does; waiting clients stay in the
 * backlog and are taken once descriptors free up. */
#define LOOP_ACCEPT_PAUSE_US 100000
static struct lws *loop_listener_wsi;
static lws_sorted_usec_list_t loop_accept_sul;
static int loop_fds_out; /* in an out-of-descriptors episode (journalled once) */

static void loop_accept_resume(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (loop_listener_wsi)
		lws_rx_flow_control(loop_listener_wsi, 1);
}

static void loop_accept_pause(int err)
{
	if (!loop_fds_out)
		journal_note(0, "accept: %s; not accepting for %d ms at a time until a "
				"descriptor frees", strerror(err), LOOP_ACCEPT_PAUSE_US / 1000);
	loop_fds_out = 1;
	lws_rx_flow_control(loop_listener_wsi, 0);
	lws_sul_schedule(loop_ctx, 0, &loop_accept_sul, loop_accept_resume, LOOP_ACCEPT_PAUSE_US);
}

static void loop_accept(void)
{
	for (;;) {
		int fd = accept4(loop_listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			       errno == ENOMEM)) {
			loop_accept_pause(errno);
			return;
		}
		if (fd < 0)
			return; /* EAGAIN, or a transient error: poll again */
		if (loop_fds_out) {
			journal_note(0, "accept: descriptors available again");
			loop_fds_out = 0;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		lws_sock_file_fd_type u;
		u.sockfd = fd;
		/* On failure lws closes fd itself. */
		lws_adopt_descriptor_vhost(loop_vh, LWS_ADOPT_SOCKET, u, "cdpmock", NULL);
	}
}

static int loop_pipe_read(struct lws *wsi, struct loop_fd *lf)
{
	char tmp[65536];
	ssize_t n = read(lf->fd, tmp, sizeof(tmp));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		/* The client closed its end: Chrome exits when the pipe closes. */
		(void)wsi;
		loop_stop();
		return -1;
	}
	return loop_pipe_io->rx(lf->user, tmp, (size_t)n) ? -1 : 0;
}

static int loop_on_file(struct lws *wsi, enum lws_callback_reasons reason)
{
	struct loop_fd *lf = lws_get_opaque_user_data(wsi);
	if (!lf)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (lf->kind == LOOP_LISTENER) {
			loop_accept();
			return 0;
		}
		if (lf->kind == LOOP_PIPE_IN)
			return loop_pipe_read(wsi, lf);
		return 0;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (lf->kind == LOOP_PIPE_OUT && lf->user) {
			loop_in_pipe_write = 1;
			int rc = loop_pipe_io->writable(lf->user);
			loop_in_pipe_write = 0;
			return rc;
		}
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (lf->kind == LOOP_PIPE_IN && lf->user) {
			/* The client's end is gone (EOF or POLLHUP): Chrome exits. */
			loop_pipe_out.user = NULL;
			loop_pipe_out_wsi = NULL;
			loop_pipe_io->closed(lf->user);
			lf->user = NULL;
			loop_stop();
		}
		lws_set_opaque_user_data(wsi, NULL);
		return 0;
	default:
		return 0;
	}
}

static int loop_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			 size_t len)
{
	void *u;
	(void)user;
	switch (reason) {
	case LWS_CALLBACK_RAW_ADOPT:
		u = loop_tcp_io->open(loop_tcp_arg, wsi, wsi, -1);
		if (!u)
			return -1;
		lws_set_opaque_user_data(wsi, u);
		return 0;
	case LWS_CALLBACK_RAW_RX:
		u = lws_get_opaque_user_data(wsi);
		return u && loop_tcp_io->rx(u, in, len) ? -1 : 0;
	case LWS_CALLBACK_RAW_WRITEABLE:
		u = lws_get_opaque_user_data(wsi);
		return u ? loop_tcp_io->writable(u) : 0;
	case LWS_CALLBACK_RAW_CLOSE:
		u = lws_get_opaque_user_data(wsi);
		lws_set_opaque_user_data(wsi, NULL);
		if (u)
			loop_tcp_io->closed(u);
		return 0;
	case LWS_CALLBACK_RAW_RX_FILE:
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		return loop_on_file(wsi, reason);
	default:
		return 0;
	}
}

/* Outgoing sockets (loop_adopt_client) have a protocol of their own, so
 * their callbacks never reach the accepted sockets' io. */
static const struct loop_io *loop_client_io;
static void *loop_client_pending;

static int loop_client_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
				void *in, size_t len)
{
	void *u = lws_get_opaque_user_data(wsi);
	(void)user;
	switch (reason) {
	case LWS_CALLBACK_RAW_ADOPT:
		lws_set_opaque_user_data(wsi, loop_client_pending);
		return 0;
	case LWS_CALLBACK_RAW_RX:
		return u && loop_client_io->rx(u, in, len) ? -1 : 0;
	case LWS_CALLBACK_RAW_WRITEABLE:
		return u ? loop_client_io->writable(u) : 0;
	case LWS_CALLBACK_RAW_CLOSE:
		lws_set_opaque_user_data(wsi, NULL);
		if (u)
			loop_client_io->closed(u);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols loop_protocols[] = {
	{"cdpmock", loop_callback, 0, 0, 0, NULL, 0},
	{"cdpmock-client", loop_client_callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void loop_on_signal(int sig)
{
	(void)sig;
	loop_stop();
}

int loop_init(void)
{
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	loop_stopping = 0;
	lws_set_log_level(LLL_ERR, NULL);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = loop_protocols;
	info.gid = (gid_t)-1;
	info.uid = (uid_t)-1;
	info.pt_serv_buf_size = 256 * 1024;
	loop_ctx = lws_create_context(&info);
	if (!loop_ctx)
		return CDPM_EIO;
	loop_vh = lws_get_vhost_by_name(loop_ctx, "default");
	if (!loop_vh)
		return CDPM_EIO;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, loop_on_signal);
	signal(SIGTERM, loop_on_signal);
	return 0;
}

static struct lws *loop_adopt_fd(struct loop_fd *lf)
{
	lws_sock_file_fd_type u;
	u.filefd = lf->fd;
	struct lws *wsi = lws_adopt_descriptor_vhost(loop_vh, LWS_ADOPT_RAW_FILE_DESC, u,
						     "cdpmock", NULL);
	if (wsi)
		lws_set_opaque_user_data(wsi, lf);
	return wsi;
}

int loop_listen(const char *addr, int port, const struct loop_io *io, const void *arg, int *bound_port)
{
	loop_tcp_io = io;
	loop_tcp_arg = arg;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return CDPM_EINVAL;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return CDPM_EIO;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	socklen_t sl = sizeof(sa);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 128) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		int e = errno;
		close(fd);
		errno = e;
		return CDPM_EIO;
	}
	*bound_port = ntohs(sa.sin_port);
	loop_listener.fd = fd;
	if (!(loop_listener_wsi = loop_adopt_fd(&loop_listener))) {
		close(fd);
		return CDPM_EIO;
	}
	return 0;
}

int loop_adopt_pipe(int in_fd, int out_fd, const struct loop_io *io, const void *arg, void **user)
{
	fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
	fcntl(out_fd, F_SETFL, fcntl(out_fd, F_GETFL) | O_NONBLOCK);
	loop_pipe_in.fd = in_fd;
	loop_pipe_out.fd = out_fd;
	struct lws *rd = loop_adopt_fd(&loop_pipe_in);
	struct lws *wr = rd ? loop_adopt_fd(&loop_pipe_out) : NULL;
	if (!wr)
		return CDPM_EIO;
	/* We only ever write fd 4: never wake up for it being "readable". */
	lws_rx_flow_control(wr, 0);
	loop_pipe_io = io;
	void *u = io->open(arg, rd, wr, out_fd);
	if (!u)
		return CDPM_ENOMEM;
	loop_pipe_out_wsi = wr;
	loop_pipe_in.user = loop_pipe_out.user = u;
	*user = u;
	return 0;
}

struct lws *loop_adopt_client(int fd, const struct loop_io *io, void *user)
{
	lws_sock_file_fd_type u;
	u.sockfd = fd;
	loop_client_io = io;
	loop_client_pending = user;
	/* On failure lws closes fd itself. */
	struct lws *wsi = lws_adopt_descriptor_vhost(loop_vh, LWS_ADOPT_SOCKET, u,
						     "cdpmock-client", NULL);
	loop_client_pending = NULL;
	return wsi;
}

void loop_run(void)
{
	while (!loop_stopping)
		if (lws_service(loop_ctx, 0) < 0)
			break;
	/* Each loop_stop() ends one loop_run(): a test drives the loop in
	 * steps (a signal before the call still stops it at once). */
	loop_stopping = 0;
}

void loop_stop(void)
{
	loop_stopping = 1;
	if (loop_ctx)
		lws_cancel_service(loop_ctx);
}

void loop_fini(void)
{
	loop_pipe_out_wsi = NULL;
	loop_listener_wsi = NULL;
	if (loop_ctx)
		lws_context_destroy(loop_ctx);
	loop_ctx = NULL;
	if (loop_listener.fd >= 0)
		close(loop_listener.fd);
	loop_listener.fd = -1;
}

static void loop_timer_fire(lws_sorted_usec_list_t *sul)
{
	struct loop_timer *t = container_of(sul, struct loop_timer, sul);
	t->armed = 0;
	if (clock_mode() == CLOCK_MODE_VIRTUAL && !t->real_time)
		clock_advance_us(t->due_us - clock_now_us());
	t->fn(t);
}

void loop_timer_arm(struct loop_timer *t, int64_t delay_us, void (*fn)(struct loop_timer *))
{
	if (delay_us < 0)
		delay_us = 0;
	t->fn = fn;
	t->due_us = clock_now_us() + delay_us;
	t->armed = 1;
	lws_sul_schedule(loop_ctx, 0, &t->sul, loop_timer_fire, delay_us);
}

void loop_timer_cancel(struct loop_timer *t)
{
	if (t->armed && loop_ctx)
		lws_sul_cancel(&t->sul);
	t->armed = 0;
}

void loop_want_write(struct lws *wsi)
{
	if (!wsi)
		return;
	lws_callback_on_writable(wsi);
	if (wsi == loop_pipe_out_wsi && loop_in_pipe_write)
		lws_sul_schedule(loop_ctx, 0, &loop_pipe_rearm, loop_pipe_rearm_fire, 0);
}

void loop_rx_pause(struct lws *wsi, int pause)
{
	if (wsi)
		lws_rx_flow_control(wsi, !pause);
}

void loop_kill(struct lws *wsi)
{
	if (wsi)
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}
