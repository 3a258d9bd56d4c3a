/* scenrun.h - runs a scenario file's "check" section against a private
 * cdpmock (launch.h) with the reference C client (clients/c/cdpclient.h):
 * start the server with --scenario, run the steps (connect, send, expect,
 * ...), and compare what arrives on the wire - order, timing within
 * tolerance, bytes - with what the scenario says.  `cdpmock --self-check`
 * (selfcheck.c) and the integration tests both run checks through here.
 * See docs/scenario-format.md, "Checks".  Not a CDP test framework: the
 * step verbs are the format's, and nothing else. */
#ifndef CDPM_SCENRUN_H
#define CDPM_SCENRUN_H

#include <stddef.h>

#include "buf.h"
#include "launch.h"

/* Extra time allowed on every "withinMs" (and subtracted from "afterMs"),
 * for scheduling on a busy machine. */
#define SCENRUN_SLACK_MS 150

enum scenrun_result {
	SCENRUN_PASS = 0,    /* every step passed and the server exited cleanly */
	SCENRUN_FAIL = 1,    /* a step failed, or the server did not start or
			      * did not exit cleanly */
	SCENRUN_SKIP = 2,    /* a heavy check, and heavy ones were not wanted */
	SCENRUN_NOCHECK = 3, /* no "check" section: the server started and
			      * answered /json/version, nothing more is known */
};

/* One step as it ended, for scenrun_opts.on_step.  Borrowed for the call. */
struct scenrun_step {
	size_t index;	  /* check.steps[index] */
	size_t count;	  /* how many steps the check has */
	const char *what; /* the step in short: "send Tracing.start",
			   * "expect {\"id\":\"$id\",\"result\":{}}" */
	int passed;
	const char *why;  /* when it failed: what was expected and what came
			   * instead (one line); else NULL */
};

typedef void (*scenrun_step_fn)(void *arg, const char *path, const struct scenrun_step *step);

/* A message on connection conn (the check's name for it, "main" first):
 * received (sent 0: its bytes as they came, binary or not) or sent by a
 * send or attach step (sent 1: {"id", "method"[, "sessionId"]}, not the
 * exact bytes).  Borrowed for the call. */
typedef void (*scenrun_msg_fn)(void *arg, const char *conn, int sent, const char *raw, size_t len,
			       int binary);

struct scenrun_opts {
	struct launch_opts launch; /* which cdpmock and how; its args go after
				    * --scenario FILE */
	const char *journal;	   /* NULL, or the server writes its journal here */
	int slow;		   /* the server runs slowly (under valgrind):
				    * every time limit is ten times longer */
	int skip_heavy;		   /* a check with "heavy": true is not run */
	scenrun_step_fn on_step;   /* NULL, or called once per step run */
	void *arg;		   /* for on_step and on_message */
	/* For a differential run against a real browser (tools/differential.c);
	 * all zero for a self-check: */
	scenrun_msg_fn on_message; /* NULL, or called for every message */
	int no_scenario;	   /* no --scenario FILE for the server: the
				    * launched program is not cdpmock */
	int any_exit;		   /* the server's exit status is not judged */
	int drain_ms;		   /* after the steps, every connection is read
				    * until it is quiet this long (on_message
				    * sees it all, whatever the steps took) */
	int lenient;		   /* an expect step passes over messages that
				    * are not its candidate (another id, another
				    * event) instead of failing on them */
	int keep_going;		   /* a failed step does not end the check: the
				    * rest run too (the result is still FAIL) */
};

/* scenrun_file() - loads the scenario at path, starts a private server on
 * it, runs its check (stopping at the first failed step), stops the server
 * and cleans up.  o may be NULL (every default: this program's executable,
 * heavy checks run).  Returns an enum scenrun_result; for every result but
 * SCENRUN_PASS a reason starting with "PATH: " is appended to why (a
 * failed step as "PATH: check.steps[N] WHAT: WHY", then, when the server
 * failed too, the tail of its log on indented lines). */
enum scenrun_result scenrun_file(const char *path, const struct scenrun_opts *o, struct buf *why);

/* scenrun_list() - the scenario files under dir (*.json one and two levels
 * deep), sorted; *n gets the count.  NULL when out of memory.  free() each
 * and the array. */
char **scenrun_list(const char *dir, size_t *n);

#endif
