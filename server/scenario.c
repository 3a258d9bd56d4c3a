/* scenario.c - the scenario in force (see scenario.h).  This first cut only
 * holds Chrome's defaults; the file loader fills the same struct. */
#include "scenario.h"

static struct scenario scenario_active = {
	.tracing = {.chunk_bytes = 65536, .chunk_events = 515},
	.io = {.read_chunk = 10485760},
	.profiler = {.interval_us = 1000},
};

const struct scenario *scenario_current(void)
{
	return &scenario_active;
}
