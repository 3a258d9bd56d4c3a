/* cdpc_check.h - shape checks for the data a client hands its user: a
 * Profiler.Profile, and Profiler.takePreciseCoverage's result.  A message
 * the schema forbids is an error, not data: checked here, a wrong type
 * fails the call instead of reaching a file.  Only what the protocol
 * requires and the types of the fields it names are checked; fields it
 * does not name are left alone (a newer browser may add some). */
#ifndef CDPC_CHECK_H
#define CDPC_CHECK_H

#include <jansson.h>

#include "buf.h"

/* cdpc_check_profile() - 0 when p is a Profiler.Profile (nodes, startTime,
 * endTime; samples and timeDeltas of one length when both are there);
 * otherwise CDPM_EPROTO, with the first fault named in err (may be NULL):
 * "profile.nodes[3].callFrame.lineNumber is not an integer". */
int cdpc_check_profile(const json_t *p, struct buf *err);

/* cdpc_check_coverage() - the same for an array of
 * Profiler.ScriptCoverage (takePreciseCoverage's "result"). */
int cdpc_check_coverage(const json_t *result, struct buf *err);

#endif
