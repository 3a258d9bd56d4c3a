/* coverage.h - seeded per-session coverage state behind
 * Profiler.startPreciseCoverage / takePreciseCoverage /
 * getBestEffortCoverage: it simulates calls into the script set as time
 * passes and writes ScriptCoverage arrays in Chrome's key order.  Not the
 * Profiler domain: handlers own the timestamps, errors and events. */
#ifndef CDPM_COVERAGE_H
#define CDPM_COVERAGE_H

#include <stdint.h>

#include "buf.h"
#include "gen/scripts.h"

/* startPreciseCoverage {callCount, detailed}. */
enum coverage_flags {
	COVERAGE_CALL_COUNT = 1 << 0, /* real counts; otherwise 0/1 (binary) */
	COVERAGE_DETAILED = 1 << 1,   /* block ranges, isBlockCoverage:true */
};

#define COVERAGE_TICK_US 1000			   /* simulation step */
#define COVERAGE_MAX_ADVANCE_US INT64_C(600000000) /* simulated per advance call */

struct coverage;

/* coverage_new() - state for a session that starts precise coverage now
 * (elapsed time 0, nothing counted).  scripts is borrowed and must outlive
 * the state; NULL builds scripts_new(seed), owned by the state.  The same
 * seed, scripts and sequence of calls give the same output.  Fails with
 * CDPM_EINVAL (unknown flags) or CDPM_ENOMEM, leaving *out NULL. */
int coverage_new(uint64_t seed, unsigned flags, const struct scripts *scripts,
		 struct coverage **out);
/* coverage_free() - frees the state (and its own scripts); NULL is fine. */
void coverage_free(struct coverage *c);
/* coverage_set_flags() - a repeated startPreciseCoverage: changes how later
 * takes report, keeps the counters.  CDPM_EINVAL for unknown flags. */
int coverage_set_flags(struct coverage *c, unsigned flags);
/* coverage_scripts() - the script set, borrowed until coverage_free(). */
const struct scripts *coverage_scripts(const struct coverage *c);
/* coverage_advance() - simulates elapsed_us more of page execution: scripts
 * load (their top level runs once), tasks call functions and blocks.  The
 * result depends only on the seed and the total elapsed time, not on how it
 * is split; beyond COVERAGE_MAX_ADVANCE_US per call the page sits idle.
 * CDPM_EINVAL for a negative elapsed_us. */
int coverage_advance(struct coverage *c, int64_t elapsed_us);
/* coverage_take() - appends the JSON array of ScriptCoverage for what ran
 * since the last take (or coverage_new) and resets those counters: scripts
 * with nothing new are left out, so a second take at once gives "[]".  Each
 * script lists its top level (functionName "") first, then the functions
 * called, in source order.  On failure (CDPM_ETOOBIG, CDPM_ENOMEM, or out's
 * earlier error: see buf_finish) out's content and the counters are left
 * as they were, and out keeps its error. */
int coverage_take(struct coverage *c, struct buf *out);
/* coverage_best_effort() - appends getBestEffortCoverage's array: function
 * level, real counts since coverage_new(), every script that ran.  Reads
 * only; fails like coverage_take(). */
int coverage_best_effort(const struct coverage *c, struct buf *out);

#endif
