/* launch.c - a private cdpmock on a kernel-picked loopback port, found the
 * way a client that launched Chrome finds it: DevToolsActivePort in the
 * --user-data-dir it gave (see launch.h).  cdpmock writes nothing else
 * there, and only at start, so the folder goes once the server is up. */
#include "launch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cdpc_discover.h"

#define LAUNCH_POLL_US 5000
#define LAUNCH_MAX_ARGV 64
#define LAUNCH_LOG_TAIL_BYTES 8192

/* dir/name into out (PATH_MAX bytes). */
static void launch_path(const struct launch *l, const char *name, char *out)
{
	snprintf(out, PATH_MAX, "%s/%s", l->dir, name);
}

/* A start in progress, for launch_abort() in a signal handler: set before
 * the fork (with the signals blocked until pid is known), cleared once the
 * folder is gone. */
static struct {
	volatile sig_atomic_t active;
	pid_t pid;
	char active_port[PATH_MAX], profile[PATH_MAX], log[PATH_MAX], dir[PATH_MAX];
} launch_pending;

void launch_abort(void)
{
	if (!launch_pending.active)
		return;
	/* Only async-signal-safe calls; the server goes first, so that it
	 * cannot write into the folder again. */
	if (launch_pending.pid > 0) {
		kill(launch_pending.pid, SIGKILL);
		waitpid(launch_pending.pid, NULL, 0);
	}
	unlink(launch_pending.active_port);
	rmdir(launch_pending.profile);
	unlink(launch_pending.log);
	rmdir(launch_pending.dir);
	launch_pending.active = 0;
}

/* Arms launch_abort() for l's folder. */
static void launch_pending_set(const struct launch *l)
{
	launch_path(l, "profile/DevToolsActivePort", launch_pending.active_port);
	launch_path(l, "profile", launch_pending.profile);
	launch_path(l, "server.log", launch_pending.log);
	snprintf(launch_pending.dir, sizeof(launch_pending.dir), "%s", l->dir);
	launch_pending.pid = 0;
	launch_pending.active = 1;
}

static long long launch_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


/* The command line: wrap..., bin, our flags, the caller's args.  Pointers
 * into o and the caller's strings; profile and self are the caller's. */
static int launch_argv(const struct launch_opts *o, const char *self, const char *profile_flag,
		       const char *argv[LAUNCH_MAX_ARGV])
{
	size_t n = 0;
	for (size_t i = 0; o->wrap && o->wrap[i]; i++)
		if (n < LAUNCH_MAX_ARGV - 8)
			argv[n++] = o->wrap[i];
	argv[n++] = o->bin ? o->bin : self;
	argv[n++] = "--remote-debugging-port=0";
	argv[n++] = "--remote-debugging-address=127.0.0.1";
	argv[n++] = profile_flag;
	for (size_t i = 0; o->args && o->args[i]; i++) {
		if (n == LAUNCH_MAX_ARGV - 1)
			return -1;
		argv[n++] = o->args[i];
	}
	argv[n] = NULL;
	return 0;
}

/* In the child: no stdin, stdout and stderr to the log, gone with the
 * parent (a self-check interrupted by ^C leaves no server behind). */
static void launch_child(int log_fd, const char *const *argv)
{
	int fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	dup2(log_fd, 1);
	dup2(log_fd, 2);
	if (log_fd > 2)
		close(log_fd);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* DevToolsActivePort holds "PORT\n/devtools/browser/ID" once the server
 * listens (no final newline, as Chrome writes it).  0 when it is there
 * whole, else -1. */
static int launch_read_port(struct launch *l)
{
	static const char pfx[] = "/devtools/browser/";
	char path[PATH_MAX], text[256];
	launch_path(l, "profile/DevToolsActivePort", path);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	char *nl = strchr(text, '\n');
	/* Chrome's browser id is a UUID: 36 characters; fewer is a half-written file. */
	if (!nl || strncmp(nl + 1, pfx, strlen(pfx)) || strlen(nl + 1 + strlen(pfx)) < 36)
		return -1;
	l->port = atoi(text);
	snprintf(l->browser_id, sizeof(l->browser_id), "%.63s", nl + 1 + strlen(pfx));
	snprintf(l->endpoint, sizeof(l->endpoint), "http://127.0.0.1:%d", l->port);
	return l->port > 0 && l->port < 65536 ? 0 : -1;
}

/* The first page's target id from /json/list ("" when there is none: a
 * scenario may start without pages). */
static int launch_first_page(struct launch *l, int timeout_ms, struct buf *why)
{
	struct buf body, err;
	buf_init(&body, 0);
	buf_init(&err, 0);
	int rc = cdpc_discover_get(l->endpoint, "/json/list", timeout_ms, &body, &err);
	json_t *list = rc ? NULL : json_loadb(body.data ? body.data : "", body.len, 0, NULL);
	if (rc || !json_is_array(list)) {
		buf_printf(why, "GET /json/list: %s", err.len ? err.data : "not a JSON array");
		rc = -1;
	}
	for (size_t i = 0; !rc && i < json_array_size(list); i++) {
		const json_t *t = json_array_get(list, i);
		const char *type = json_string_value(json_object_get(t, "type"));
		const char *id = json_string_value(json_object_get(t, "id"));
		if (type && id && !strcmp(type, "page")) {
			snprintf(l->page_id, sizeof(l->page_id), "%s", id);
			break;
		}
	}
	json_decref(list);
	buf_clear(&body);
	buf_clear(&err);
	return rc;
}

/* Waits until the server has written DevToolsActivePort, or has ended, or
 * the deadline passed.  0 or -1 with the reason in why. */
static int launch_wait_port(struct launch *l, int start_ms, struct buf *why)
{
	long long deadline = launch_now_ms() + start_ms;
	for (;;) {
		int status;
		if (waitpid(l->pid, &status, WNOHANG) == l->pid) {
			l->pid = 0;
			buf_printf(why, "the server exited at start (status %d)",
				   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			return -1;
		}
		if (!launch_read_port(l))
			return 0;
		if (launch_now_ms() > deadline) {
			buf_printf(why, "the server wrote no DevToolsActivePort within %d ms",
				   start_ms);
			return -1;
		}
		usleep(LAUNCH_POLL_US);
	}
}

/* Removes path and everything in it. */
static void launch_rmdir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char f[PATH_MAX];
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(f, sizeof(f), "%s/%s", path, e->d_name);
		if (unlink(f) && errno == EISDIR)
			launch_rmdir(f);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

/* Forks the server with launch_abort() armed; l->pid gets its pid (or -1).
 * No signal comes between the fork and the note of the pid. */
static void launch_spawn(struct launch *l, const char *const *argv)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	launch_pending_set(l);
	l->pid = fork();
	if (l->pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		launch_child(l->log_fd, argv);
	}
	launch_pending.pid = l->pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static const char *launch_default_bin;

void launch_set_default_bin(const char *bin)
{
	launch_default_bin = bin;
}

int launch_start(struct launch *l, const struct launch_opts *o, struct buf *why)
{
	char self[PATH_MAX], log[PATH_MAX], profile_flag[PATH_MAX + 32];
	const char *argv[LAUNCH_MAX_ARGV];
	const char *tmp = getenv("TMPDIR");
	int start_ms = o->start_ms > 0 ? o->start_ms : LAUNCH_DEFAULT_START_MS;
	memset(l, 0, sizeof(*l));
	l->log_fd = -1;
	l->stop_ms = o->stop_ms > 0 ? o->stop_ms : LAUNCH_DEFAULT_STOP_MS;
	ssize_t n = o->bin ? 0 : launch_default_bin ? (ssize_t)strlen(launch_default_bin)
						       : readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (!o->bin && launch_default_bin) {
		if ((size_t)n >= sizeof(self)) {
			buf_printf(why, "the cdpmock path is too long: %s", launch_default_bin);
			return -1;
		}
		memcpy(self, launch_default_bin, (size_t)n);
	}
	if (n < 0) {
		buf_printf(why, "cannot find this program's executable: %s", strerror(errno));
		return -1;
	}
	self[n] = '\0';
	snprintf(l->dir, sizeof(l->dir), "%s/cdpmock-selfcheck-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(l->dir)) {
		buf_printf(why, "cannot make a temporary folder %s: %s", l->dir, strerror(errno));
		l->dir[0] = '\0';
		return -1;
	}
	launch_path(l, "server.log", log);
	l->log_fd = open(log, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (l->log_fd < 0) {
		buf_printf(why, "cannot make %s: %s", log, strerror(errno));
		goto fail;
	}
	snprintf(profile_flag, sizeof(profile_flag), "--user-data-dir=%s/profile", l->dir);
	if (launch_argv(o, self, profile_flag, argv)) {
		buf_printf(why, "too many server arguments");
		goto fail;
	}
	launch_spawn(l, argv);
	if (l->pid < 0) {
		l->pid = 0;
		buf_printf(why, "fork: %s", strerror(errno));
		goto fail;
	}
	if (launch_wait_port(l, start_ms, why) || launch_first_page(l, start_ms, why))
		goto fail;
	if (!o->keep_dir) {
		launch_rmdir(l->dir);
		l->dir[0] = '\0';
	}
	launch_pending.active = 0;
	return 0;
fail:
	buf_adds(why, "\n");
	launch_log_tail(l, 20, why);
	launch_clear(l);
	return -1;
}

int launch_stop(struct launch *l)
{
	int status = 0;
	if (l->pid <= 0)
		return -1;
	kill(l->pid, SIGTERM);
	long long deadline = launch_now_ms() + l->stop_ms;
	for (;;) {
		pid_t r = waitpid(l->pid, &status, WNOHANG);
		if (r == l->pid)
			break;
		if (r < 0 && errno != EINTR) {
			status = -1;
			break;
		}
		if (launch_now_ms() > deadline) {
			kill(l->pid, SIGKILL);
			waitpid(l->pid, &status, 0);
			status = -1;
			break;
		}
		usleep(LAUNCH_POLL_US);
	}
	l->pid = 0;
	if (status == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void launch_log_tail(const struct launch *l, size_t max_lines, struct buf *out)
{
	char text[LAUNCH_LOG_TAIL_BYTES + 1];
	struct stat st;
	if (l->log_fd < 0 || fstat(l->log_fd, &st))
		return;
	/* Only the end matters: a valgrind report or the loader's last words. */
	off_t from = st.st_size > LAUNCH_LOG_TAIL_BYTES ? st.st_size - LAUNCH_LOG_TAIL_BYTES : 0;
	ssize_t got = pread(l->log_fd, text, LAUNCH_LOG_TAIL_BYTES, from);
	size_t n = got > 0 ? (size_t)got : 0;
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	text[n] = '\0';
	/* Back from the end to just after the max_lines-th newline. */
	size_t start = n, lines = 0;
	while (start > 0 && !(text[start - 1] == '\n' && ++lines == max_lines))
		start--;
	const char *p = text + start;
	while (*p) {
		size_t len = strcspn(p, "\n");
		buf_printf(out, "  %.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
}

void launch_clear(struct launch *l)
{
	if (l->pid > 0)
		launch_stop(l);
	if (l->log_fd >= 0)
		close(l->log_fd);
	l->log_fd = -1;
	/* A kept profile (a real Chromium's) may still get a file from a
	 * helper process that outlives the browser by a moment: try again
	 * for up to 2 s. */
	for (int i = 0; l->dir[0] && i < 40; i++) {
		launch_rmdir(l->dir);
		if (access(l->dir, F_OK))
			break;
		usleep(50000);
	}
	l->dir[0] = '\0';
	launch_pending.active = 0;
}
