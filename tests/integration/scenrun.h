/* scenrun.h - drives a scenario file's "check" section against the real
 * cdpmock with the reference C client (clients/c/cdpclient.h): start the
 * server with --scenario, run the steps (connect, send, expect, ...), and
 * compare what arrives on the wire - order, timing within tolerance, bytes -
 * with what the scenario says.  See docs/scenario-format.md, "Checks". */
#ifndef CDPM_SCENRUN_H
#define CDPM_SCENRUN_H

#include "buf.h"

/* Extra time allowed on every "withinMs" (and subtracted from "afterMs"),
 * for scheduling on a busy machine. */
#define SCENRUN_SLACK_MS 150

enum scenrun_result { SCENRUN_PASS = 0, SCENRUN_FAIL = 1, SCENRUN_SKIP = 2 };

/* scenrun_file() - loads path, starts a server on it (extra args may be
 * NULL), runs its check and stops the server.  A scenario without a check
 * passes when the server starts and answers.  Returns SCENRUN_PASS, or
 * SCENRUN_FAIL with the reason in why, or SCENRUN_SKIP (heavy under
 * CDPM_SLOW, or a domain this tree does not implement yet) with the reason
 * in why.  The journal, if journal is not NULL, goes there. */
enum scenrun_result scenrun_file(const char *path, const char *const *extra, const char *journal,
				 struct buf *why);

/* scenrun_list() - the scenario files under dir (*.json one and two levels
 * deep), sorted; *n gets the count.  free() each and the array. */
char **scenrun_list(const char *dir, size_t *n);

#endif
