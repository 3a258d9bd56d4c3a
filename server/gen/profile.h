/* profile.h - writes a seeded, realistic CDP Profiler.Profile object (the
 * "profile" of Profiler.stop and Profiler.consoleProfileFinished) straight
 * into a buffer, in Chrome's exact key order.  Not the Profiler domain: the
 * handlers decide when to call it and wrap the result. */
#ifndef CDPM_PROFILE_H
#define CDPM_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "gen/scripts.h"

#define PROFILE_DEFAULT_NODES 20u
#define PROFILE_DEFAULT_DEPTH 16u
#define PROFILE_DEFAULT_INTERVAL_US 1000
#define PROFILE_DEFAULT_IDLE_PERMILLE 300u
#define PROFILE_MAX_NODES 1000000u
#define PROFILE_MAX_SAMPLES 10000000u

struct profile_shape {
	uint64_t seed;
	int64_t start_us, end_us; /* startTime/endTime, µs on the monotonic clock */
	int64_t interval_us;	  /* sampling interval; <= 0: PROFILE_DEFAULT_INTERVAL_US */
	uint32_t node_count;	  /* target node count; 0: PROFILE_DEFAULT_NODES;
				   * 1..3: no JS, only root, (program), (idle) */
	uint32_t max_depth;	  /* deepest JS frame (root = 0); 0: PROFILE_DEFAULT_DEPTH */
	uint32_t idle_permille;	  /* rough share of (idle) samples, 1..1000; 0: default */
	bool empty;		  /* root only, "samples":[] (a console profile ended at once) */
	const struct scripts *scripts; /* borrowed frames; NULL: scripts_new(seed) */
};

/* profile_write() - appends the Profile object for shape to out.  The same
 * shape gives the same bytes.  Sample count is about duration / (interval
 * plus Chrome's ~10% overhead); a duration below one interval gives root,
 * (program) and (idle) with 2 samples.  The node count is a target: it
 * shrinks when there are too few samples to reach every leaf, or too few
 * distinct call paths.  Fails with CDPM_EINVAL (end before start),
 * CDPM_ETOOBIG (node_count > PROFILE_MAX_NODES, more than
 * PROFILE_MAX_SAMPLES samples, or the buffer cap), CDPM_ENOMEM; on failure
 * out's content is left as it was (a buffer failure, or one out already
 * had, stays in out for buf_finish). */
int profile_write(const struct profile_shape *shape, struct buf *out);

#endif
