/* runcase.c - one case from start to verdict: its own cdpmock (or, with
 * --browser, its own real Chromium) on a port the kernel picks, or none for
 * a task whose adapter launches the browser itself; the adapter in its own
 * process group under the time limit; then the judge.  Runs in a worker
 * process of its own (main.c), so it may block; it never blocks past the
 * time limit plus a grace (and 3 s for a launched browser to end). */
#include "conform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long cdpmock may take to come up, and to go down on SIGTERM. */
#define RUNCASE_MOCK_START_MS 10000
#define RUNCASE_MOCK_STOP_MS 3000
#define RUNCASE_POLL_US 5000

static volatile pid_t runcase_mock_pid, runcase_adapter_pid;

void runcase_kill_all(void)
{
	if (runcase_adapter_pid > 0)
		kill(-runcase_adapter_pid, SIGKILL);
	if (runcase_mock_pid > 0)
		kill(-runcase_mock_pid, SIGKILL);
}

/* In a child: fd 0 from /dev/null, 1 and 2 to the files. */
static void runcase_redirect(const char *out, const char *err)
{
	int fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		close(fd);
	}
	fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
}

/* Waits for pid until deadline (ms, util_now_ms()); 1 with *status when it
 * ended, 0 at the deadline. */
static int runcase_wait(pid_t pid, int64_t deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return 1;
		if (util_now_ms() >= deadline)
			return 0;
		usleep(RUNCASE_POLL_US);
	}
}

/* Reads "PORT\n/devtools/browser/UUID" (no final newline, as Chrome writes
 * it) from DevToolsActivePort once the whole UUID is there.  0 or -1. */
static int runcase_active_port(const char *active, int *port, char *path, size_t path_len)
{
	char *text = util_read_file(active, 4096, NULL);
	char *nl = text ? strchr(text, '\n') : NULL;
	int rc = -1;
	if (nl && strlen(nl + 1) >= strlen("/devtools/browser/") + 36) {
		*port = atoi(text);
		snprintf(path, path_len, "%.*s", (int)strcspn(nl + 1, "\n"), nl + 1);
		rc = 0;
	}
	free(text);
	return rc;
}

/* Headless, no sandbox (containers), and nothing that dials out: on a
 * closed network Chromium's own background fetches are refused, and a
 * case must not depend on that. */
static const char *const runcase_browser_flags[] = {"--headless",
						    "--no-sandbox",
						    "--disable-gpu",
						    "--disable-quic",
						    "--no-first-run",
						    "--disable-background-networking",
						    "--disable-component-update",
						    "--disable-sync",
						    "--remote-debugging-port=0"};

#define RUNCASE_MAX_ARGV 16

/* The browser's command line: cdpmock playing the case's scenario, or the
 * real browser of --browser; both on a port the kernel picks, with the
 * case's profile folder.  Heap strings into argv, NULL-terminated; free
 * them with runcase_argv_free(). */
static void runcase_argv(const struct ccase *c, const struct opts *o, const char *dir,
			 char *argv[RUNCASE_MAX_ARGV])
{
	size_t n = 0;
	if (o->browser) {
		argv[n++] = util_strdup(o->browser);
		for (size_t i = 0;
		     i < sizeof(runcase_browser_flags) / sizeof(*runcase_browser_flags); i++)
			argv[n++] = util_strdup(runcase_browser_flags[i]);
		argv[n++] = util_printf("--user-data-dir=%s/profile", dir);
		argv[n++] = util_strdup("about:blank");
	} else {
		argv[n++] = util_strdup(o->mock);
		argv[n++] = util_strdup("--remote-debugging-port=0");
		argv[n++] = util_printf("--user-data-dir=%s/profile", dir);
		argv[n++] = util_strdup("--scenario");
		argv[n++] = util_strdup(c->path);
		argv[n++] = util_strdup("--journal");
		argv[n++] = util_printf("%s/journal.jsonl", dir);
		argv[n++] = util_strdup("--seed");
		argv[n++] = util_printf("%llu", (unsigned long long)o->seed);
		argv[n++] = util_strdup("--digests");
	}
	argv[n] = NULL;
}

static void runcase_argv_free(char **argv)
{
	for (; *argv; argv++)
		free(*argv);
}

/* Starts the browser (cdpmock, or a real one) in its own process group;
 * its port and browser path come from DevToolsActivePort, as a client
 * that launched Chrome reads them.  0 or -1 with *why set. */
static int runcase_mock_start(const struct ccase *c, const struct opts *o, const char *dir,
			      int *port, char *path, size_t path_len, const char **why)
{
	char *active = util_printf("%s/profile/DevToolsActivePort", dir);
	char *log = util_printf("%s/%s", dir, o->browser ? "browser.log" : "mock.log");
	char *argv[RUNCASE_MAX_ARGV];
	int rc = -1;
	runcase_argv(c, o, dir, argv);
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		runcase_redirect(log, log);
		execvp(argv[0], argv);
		fprintf(stderr, "cdpconform: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		*why = "fork failed";
		goto out;
	}
	setpgid(pid, pid);
	runcase_mock_pid = pid;
	int64_t deadline = util_now_ms() + RUNCASE_MOCK_START_MS;
	while (util_now_ms() < deadline) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			kill(-pid, SIGKILL); /* what it started goes with it */
			runcase_mock_pid = 0;
			goto out;
		}
		if (!runcase_active_port(active, port, path, path_len)) {
			rc = 0;
			break;
		}
		usleep(RUNCASE_POLL_US);
	}
out:
	if (rc && !*why)
		*why = o->browser ? "the browser did not start (see browser.log)"
				  : "cdpmock did not start (see mock.log)";
	runcase_argv_free(argv);
	free(active);
	free(log);
	return rc;
}

/* SIGTERM, then SIGKILL to the group after RUNCASE_MOCK_STOP_MS.  A real
 * browser gets SIGTERM as a group (its renderer and helper processes are
 * in it), and what is left of the group goes once the leader has. */
static void runcase_mock_stop(const struct opts *o)
{
	pid_t pid = runcase_mock_pid;
	int status;
	if (pid <= 0)
		return;
	kill(o->browser ? -pid : pid, SIGTERM);
	if (!runcase_wait(pid, util_now_ms() + RUNCASE_MOCK_STOP_MS, &status)) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (o->browser)
		kill(-pid, SIGKILL);
	runcase_mock_pid = 0;
}

/* The browser an adapter may launch itself (CDP_MOCK_BIN, CDP_MOCK_ARGS):
 * cdpmock playing the case's scenario into the case's journal, or the real
 * browser of --browser with the case's profile and the flags that keep it
 * from dialling out.  The launching client adds its own port or pipe and
 * headless flags.  A JSON array, a heap string. */
static void runcase_push(json_t *a, char *s)
{
	json_array_append_new(a, json_string(s));
	free(s);
}

static char *runcase_launch_args(const struct ccase *c, const struct opts *o, const char *dir)
{
	json_t *a = json_array();
	runcase_push(a, util_printf("--user-data-dir=%s/profile", dir));
	if (o->browser) {
		for (size_t i = 1;
		     i < sizeof(runcase_browser_flags) / sizeof(*runcase_browser_flags) - 1; i++)
			json_array_append_new(a, json_string(runcase_browser_flags[i]));
	} else {
		char real[PATH_MAX];
		runcase_push(
		    a, util_printf("--scenario=%s", realpath(c->path, real) ? real : c->path));
		runcase_push(a, util_printf("--journal=%s/journal.jsonl", dir));
		runcase_push(a, util_printf("--seed=%llu", (unsigned long long)o->seed));
		json_array_append_new(a, json_string("--digests"));
	}
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static pid_t runcase_adapter_start(const struct ccase *c, const struct opts *o, const char *dir,
				   const char *out_dir, int port, const char *path, long limit_ms)
{
	char *so = util_printf("%s/stdout.txt", dir), *se = util_printf("%s/stderr.txt", dir);
	/* Paths are resolved here: the adapter runs in its own folder. */
	char *margs = runcase_launch_args(c, o, dir);
	char bin[PATH_MAX], scen[PATH_MAX];
	const char *b = o->browser ? o->browser : o->mock;
	if (!strchr(b, '/') || !realpath(b, bin))
		snprintf(bin, sizeof(bin), "%s", b);
	if (o->browser || !c->path || !realpath(c->path, scen))
		scen[0] = '\0';
	pid_t pid = fork();
	if (pid == 0) {
		char num[32];
		setpgid(0, 0);
		runcase_redirect(so, se);
		if (chdir(c->adapter->dir)) {
			fprintf(stderr, "cdpconform: cannot enter %s\n", c->adapter->dir);
			_exit(127);
		}
		if (port) {
			snprintf(num, sizeof(num), "http://127.0.0.1:%d", port);
			setenv("CDP_HTTP", num, 1);
			char *ws = util_printf("ws://127.0.0.1:%d%s", port, path);
			setenv("CDP_WS", ws, 1);
		} else {
			/* a task that launches its own browser */
			unsetenv("CDP_HTTP");
			unsetenv("CDP_WS");
		}
		setenv("CDP_MOCK_BIN", bin, 1);
		setenv("CDP_MOCK_ARGS", margs, 1);
		if (scen[0])
			setenv("CDP_SCENARIO", scen, 1);
		else
			unsetenv("CDP_SCENARIO");
		setenv("CDP_TASK", c->task, 1);
		setenv("CDP_OUT", out_dir, 1);
		snprintf(num, sizeof(num), "%ld", limit_ms);
		setenv("CDP_TIME_LIMIT_MS", num, 1);
		execvp(c->adapter->run[0], c->adapter->run);
		fprintf(stderr, "cdpconform: cannot run %s: %s\n", c->adapter->run[0],
			strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);
	free(margs);
	free(so);
	free(se);
	return pid;
}

/* Whether one of pid's arguments holds "=DIR/" (a browser given the case's
 * profile or journal). */
static int runcase_is_launched(const char *pid, const char *dir)
{
	/* not the browser the runner started for the case */
	if (runcase_mock_pid > 0 && getpgid((pid_t)atoi(pid)) == runcase_mock_pid)
		return 0;
	char *file = util_printf("/proc/%s/cmdline", pid);
	size_t len = 0;
	char *cmd = util_read_file(file, 1 << 16, &len);
	char *needle = util_printf("=%s/", dir);
	int found = 0;
	for (size_t off = 0; cmd && off < len && !found; off += strlen(cmd + off) + 1)
		found = strstr(cmd + off, needle) != NULL;
	free(file);
	free(cmd);
	free(needle);
	return found;
}

/* The browsers an adapter launched (CDP_MOCK_ARGS) and left running: they
 * are killed; their count.  A launching client may start the browser in a
 * process group of its own, out of reach of the adapter's group. */
static int runcase_kill_launched(const char *dir)
{
	int n = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    !runcase_is_launched(e->d_name, dir))
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid != getpid() && !kill(pid, SIGKILL))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* Waits up to RUNCASE_MOCK_STOP_MS for what the adapter launched to end by
 * itself, then kills the rest; whether any was left. */
static int runcase_launched_left(const char *dir)
{
	int64_t deadline = util_now_ms() + RUNCASE_MOCK_STOP_MS;
	for (;;) {
		int alive = 0;
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) && !alive) {
			if (e->d_name[0] < '1' || e->d_name[0] > '9')
				continue;
			char *st = util_printf("/proc/%s/stat", e->d_name);
			char *text = util_read_file(st, 4096, NULL);
			const char *rp = text ? strrchr(text, ')') : NULL;
			/* a zombie has ended; its parent has not reaped it yet */
			alive = (!rp || rp[2] != 'Z') && runcase_is_launched(e->d_name, dir);
			free(st);
			free(text);
		}
		if (d)
			closedir(d);
		if (!alive)
			return 0;
		if (util_now_ms() >= deadline)
			return runcase_kill_launched(dir) > 0;
		usleep(RUNCASE_POLL_US * 10);
	}
}

/* "tracing/complete-never" -> "tracing/complete-never"; a name is a path
 * below the logs folder, so keep it from climbing out. */
static char *runcase_dir(const struct ccase *c, const struct opts *o)
{
	char *d = util_printf("%s/%s/%s/%s", o->logs, c->adapter->name, c->scenario, c->task);
	for (char *p = d + strlen(o->logs); *p; p++)
		if (*p == '.' && p[1] == '.')
			*p = '_';
	return d;
}

void runcase_run(struct ccase *c, const struct opts *o)
{
	char *dir = runcase_dir(c, o);
	char *out_dir = util_printf("%s/out", dir);
	char *journal = util_printf("%s/journal.jsonl", dir);
	char *errp = util_printf("%s/stderr.txt", dir);
	char *profile = util_printf("%s/profile", dir);
	struct outcome oc = {
	    .dir = dir, .out_dir = out_dir, .journal = journal, .stderr_path = errp};
	long limit = (long)((double)expect_time_limit_ms(c->expect) * o->time_scale);
	/* The limit the adapter is told, and past it the timeLimit check; the
	 * grace on top is for the hang verdict, so a client that is merely
	 * slow is told apart from one that never exits. */
	long grace = limit / 2 < 5000 ? limit / 2 : 5000;
	char path[512];
	int port = 0;
	oc.limit_ms = limit;
	oc.browser = o->browser != NULL;
	int launch = json_is_true(json_object_get(c->expect, "launch"));
	path[0] = '\0';
	util_rmtree(dir);
	if (util_mkdirs(out_dir) || util_mkdirs(profile)) {
		oc.mock_error = "cannot create the case folder";
	} else if (launch ||
		   !runcase_mock_start(c, o, dir, &port, path, sizeof(path), &oc.mock_error)) {
		int64_t t0 = util_now_ms();
		pid_t pid = runcase_adapter_start(c, o, dir, out_dir, port, path, limit);
		int status = 0;
		runcase_adapter_pid = pid;
		if (pid < 0) {
			oc.mock_error = "fork failed";
		} else if (runcase_wait(pid, t0 + limit + grace, &status)) {
			oc.exited = WIFEXITED(status);
			oc.status = oc.exited ? WEXITSTATUS(status) : -1;
			oc.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		} else {
			oc.timed_out = 1;
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		oc.ms = (long)(util_now_ms() - t0);
		/* Whatever the adapter left behind in its group goes too. */
		if (pid > 0)
			kill(-pid, SIGKILL);
		runcase_adapter_pid = 0;
		/* A browser the adapter launched must be gone once it is done. */
		oc.launched_left =
		    launch ? runcase_launched_left(dir) : runcase_kill_launched(dir) > 0;
	}
	runcase_mock_stop(o);
	c->ms = oc.ms;
	judge_case(c, &oc);
	if ((c->verdict == V_PASS || c->verdict == V_SKIP) && !o->keep) {
		util_rmtree(dir);
	} else {
		c->log = util_strdup(dir);
	}
	free(dir);
	free(out_dir);
	free(journal);
	free(errp);
	free(profile);
}
