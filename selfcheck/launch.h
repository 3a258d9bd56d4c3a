/* launch.h - a private cdpmock for a scenario's self-check: started as a
 * client launches Chrome (--remote-debugging-port=0 on 127.0.0.1, a fresh
 * --user-data-dir in a temporary folder, the port and browser id read back
 * from DevToolsActivePort), stopped afterwards.  The folder is gone as soon
 * as the server is up (its log stays open, unlinked), so an interrupted
 * run leaves no files behind.  Not a general process supervisor: one
 * server, one caller, blocking calls. */
#ifndef CDPM_LAUNCH_H
#define CDPM_LAUNCH_H

#include <sys/types.h>

#include "buf.h"

/* How long a server may take to come up and to go down, unless the caller
 * says otherwise. */
#define LAUNCH_DEFAULT_START_MS 10000
#define LAUNCH_DEFAULT_STOP_MS 10000

struct launch_opts {
	const char *bin;	  /* the cdpmock to run; NULL: the default
				   * (launch_set_default_bin), else this
				   * program's own executable (/proc/self/exe) */
	const char *const *wrap;  /* NULL-terminated argv put before bin (a
				   * valgrind command line), or NULL */
	const char *const *args;  /* NULL-terminated extra server args, or NULL */
	int start_ms, stop_ms;	  /* 0: the defaults above */
	int keep_dir;		  /* the folder stays until launch_clear(): a real
				   * Chromium keeps writing to its profile */
};

/* One running private server. */
struct launch {
	pid_t pid;
	int port;
	char browser_id[64]; /* from DevToolsActivePort */
	char page_id[64];    /* the first "page" of /json/list, or "" */
	char endpoint[64];   /* "http://127.0.0.1:PORT" */
	char dir[256];	     /* the temporary folder (profile/, server.log) while
			      * the server starts; "" once it is removed */
	int log_fd;	     /* the server's stdout and stderr, or -1 */
	int stop_ms;
};

/* launch_start() - makes the temporary folder, starts the server with its
 * profile there and its stdout and stderr in server.log, waits for it, and
 * removes the folder.  The server gets SIGTERM when the caller dies.
 * Returns 0 with l filled in, or -1 with a one-line reason (and the tail
 * of the server's log) appended to why; after a failure nothing is left
 * running and the folder is gone.  Either way launch_clear() l. */
int launch_start(struct launch *l, const struct launch_opts *o, struct buf *why);

/* launch_set_default_bin() - the cdpmock that launches without a bin run
 * (borrowed; NULL: /proc/self/exe again). */
void launch_set_default_bin(const char *bin);

/* launch_stop() - SIGTERM, then waits for the server (SIGKILL after the
 * stop time).  Returns its exit status (0: a clean exit; 128+N: killed by
 * signal N), or -1 when it had to be killed or was not running.  The log
 * stays readable until launch_clear(). */
int launch_stop(struct launch *l);

/* launch_log_tail() - appends the last max_lines lines of the server's
 * stdout and stderr (at most 8 KiB of them) to out, each line indented by
 * two spaces and ending in a newline; nothing if the log is empty. */
void launch_log_tail(const struct launch *l, size_t max_lines, struct buf *out);

/* launch_abort() - for a signal handler: when a start is in progress,
 * kills that server and removes its folder at once (async-signal-safe
 * calls only).  The caller then ends as the signal says. */
void launch_abort(void);

/* launch_clear() - stops the server if it still runs, closes its log and
 * removes the temporary folder if it is still there.  Calling it twice is
 * fine. */
void launch_clear(struct launch *l);

#endif
