/* selfcheck.c - the `cdpmock --self-check` command line (see selfcheck.h):
 * which files, then one line per step and a verdict per file, as the
 * library's own test runs them.  The servers are private copies of this
 * very program (launch.h starts /proc/self/exe). */
#include "selfcheck.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "launch.h"
#include "scenlib.h"
#include "scenrun.h"

static const char selfcheck_usage[] =
	"usage: cdpmock --self-check [--no-heavy] FILE|DIR...\n"
	"Runs each scenario's \"check\" steps against a private cdpmock and prints\n"
	"pass or FAIL per step and a verdict per file.  A DIR means its *.json files,\n"
	"one and two levels deep.  --no-heavy skips checks marked \"heavy\": true.\n"
	"Exit status: 0 when every check passed, 1 when one failed or a file has\n"
	"no check, 2 for a bad command line.\n";

/* What the steps of the file being run came to. */
struct selfcheck_file {
	size_t run, passed, count;
	long failed; /* the failed step's index, or -1 */
};

struct selfcheck_tally {
	size_t passed, failed, nocheck, skipped;
};

static void selfcheck_on_step(void *arg, const char *path, const struct scenrun_step *s)
{
	struct selfcheck_file *f = arg;
	f->run++;
	f->count = s->count;
	if (s->passed)
		f->passed++;
	else
		f->failed = (long)s->index;
	if (s->passed)
		printf("%s: check.steps[%zu] %s: pass\n", path, s->index, s->what);
	else
		printf("%s: check.steps[%zu] %s: FAIL: %s\n", path, s->index, s->what, s->why);
}

/* why without its leading "PATH: " (every scenrun reason starts so). */
static const char *selfcheck_reason(const char *path, const char *why)
{
	size_t n = strlen(path);
	if (!strncmp(why, path, n) && why[n] == ':' && why[n + 1] == ' ')
		return why + n + 2;
	return why;
}

static void selfcheck_verdict(const char *path, enum scenrun_result res,
			      const struct selfcheck_file *f, const char *why,
			      struct selfcheck_tally *t)
{
	switch (res) {
	case SCENRUN_PASS:
		t->passed++;
		printf("%s: pass (%zu steps)\n", path, f->count);
		return;
	case SCENRUN_SKIP:
		t->skipped++;
		printf("%s: skipped: its check is heavy (--no-heavy)\n", path);
		return;
	case SCENRUN_NOCHECK:
		t->nocheck++;
		printf("%s: no check: nothing was verified (the server started with it and "
		       "answered); add a \"check\" section, see cdpmock-scenario(5)\n",
		       path);
		return;
	case SCENRUN_FAIL:
		break;
	}
	t->failed++;
	/* A failed step's line said why; the server's own trouble, if any,
	 * follows on the lines after. */
	const char *more = f->failed < 0 ? selfcheck_reason(path, why) : strchr(why, '\n');
	if (f->failed < 0)
		printf("%s: FAIL: ", path);
	else
		printf("%s: FAIL at check.steps[%ld] (%zu of %zu steps passed)\n", path, f->failed,
		       f->passed, f->count);
	if (more && f->failed >= 0)
		more++;
	if (more && *more)
		printf("%.*s\n", (int)(strlen(more) - (more[strlen(more) - 1] == '\n')), more);
}

static void selfcheck_one(const char *path, const struct scenrun_opts *base,
			  struct selfcheck_tally *t)
{
	struct selfcheck_file f = {0, 0, 0, -1};
	struct scenrun_opts o = *base;
	struct buf why;
	buf_init(&why, 0);
	o.on_step = selfcheck_on_step;
	o.arg = &f;
	enum scenrun_result res = scenrun_file(path, &o, &why);
	selfcheck_verdict(path, res, &f, why.data ? why.data : "", t);
	buf_clear(&why);
	fflush(stdout);
}

/* A folder's scenario files, or the file itself. */
static void selfcheck_arg(const char *arg, const struct scenrun_opts *o, struct selfcheck_tally *t)
{
	struct stat st;
	if (stat(arg, &st)) {
		/* Not a file or folder: a name of the scenario library. */
		char *file = scenlib_resolve(arg, stdout);
		if (file)
			selfcheck_one(file, o, t);
		else
			t->failed++;
		free(file);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		selfcheck_one(arg, o, t);
		return;
	}
	size_t n;
	char **files = scenrun_list(arg, &n);
	if (!n) {
		printf("%s: FAIL: no *.json files in this folder\n", arg);
		t->failed++;
	}
	for (size_t i = 0; i < n; i++) {
		selfcheck_one(files[i], o, t);
		free(files[i]);
	}
	free(files);
}

/* ^C while a server starts: its folder goes too, then the signal acts. */
static void selfcheck_on_signal(int sig)
{
	launch_abort();
	signal(sig, SIG_DFL);
	raise(sig);
}

int selfcheck_main(int argc, char **argv)
{
	struct scenrun_opts o;
	struct selfcheck_tally t = {0, 0, 0, 0};
	int n_files = 0;
	memset(&o, 0, sizeof(o));
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--no-heavy")) {
			o.skip_heavy = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(selfcheck_usage, stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "cdpmock: --self-check: unknown option %s\n%s", argv[i],
				selfcheck_usage);
			return 2;
		} else {
			n_files++;
		}
	}
	if (!n_files) {
		fprintf(stderr, "cdpmock: --self-check needs at least one FILE\n%s", selfcheck_usage);
		return 2;
	}
	/* A server that closes on us mid-write must not end the run. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, selfcheck_on_signal);
	signal(SIGTERM, selfcheck_on_signal);
	signal(SIGHUP, selfcheck_on_signal);
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--no-heavy") && (argv[i][0] != '-' || !argv[i][1]))
			selfcheck_arg(argv[i], &o, &t);
	if (t.passed + t.failed + t.nocheck + t.skipped > 1)
		printf("self-check: %zu passed, %zu failed, %zu without a check, %zu skipped\n",
		       t.passed, t.failed, t.nocheck, t.skipped);
	return t.failed || t.nocheck ? 1 : 0;
}
