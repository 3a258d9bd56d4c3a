/* scenario.h - the loaded scenario: model knobs that shape the built-in,
 * Chromium-faithful behaviour of each domain, plus (later) rules, timelines
 * and expectations.  Domains read their knobs through scenario_current();
 * with no --scenario every knob has Chrome's default. */
#ifndef CDPM_SCENARIO_H
#define CDPM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

/* Profiler.stop and console profiles (0 means "the generator's default"). */
struct scenario_profiler {
	uint32_t nodes;          /* target node count */
	uint32_t depth;          /* deepest JS frame */
	uint32_t idle_permille;  /* share of (idle) samples */
	int64_t interval_us;     /* initial sampling interval (Chrome: 1000) */
	int64_t duration_us;     /* > 0: every profile covers this long, whatever the clock */
	int empty;               /* profiles with only the root and no samples */
};

/* Precise and best-effort coverage. */
struct scenario_coverage {
	uint32_t scripts;        /* synthetic scripts; 0: default */
	int64_t advance_us;      /* > 0: simulated execution per take, instead of real elapsed */
};

struct scenario_tracing {
	uint64_t events;         /* events after the metadata; 0: from rate x duration */
	double rate;             /* events per second of tracing; 0: default */
	int64_t duration_us;     /* > 0: the trace covers this long, whatever the clock */
	size_t chunk_bytes;      /* dataCollected payload cap (Chrome: about 64 KiB) */
	size_t chunk_events;     /* dataCollected event cap (Chrome: 515) */
	int64_t complete_delay_us; /* from the end reply to the first data / tracingComplete */
	int never_complete;      /* tracingComplete never comes */
	int data_loss;           /* force dataLossOccurred:true */
	double percent_full;     /* > 0: bufferUsage reports this fixed value */
	int stuck_full;          /* the buffer reports full and stops recording */
};

struct scenario_io {
	size_t read_chunk;       /* default/maximum IO.read size (Chrome: 10485760) */
	int never_eof;           /* the stream never reports eof:true */
};

struct scenario {
	char *path;              /* the file it came from, or NULL for defaults */
	char *name;
	char *description;
	uint64_t seed;
	struct scenario_profiler profiler;
	struct scenario_coverage coverage;
	struct scenario_tracing tracing;
	struct scenario_io io;
};

/* scenario_current() - the scenario in force (never NULL; defaults when none
 * was loaded).  Borrowed: valid until the next load or reset. */
const struct scenario *scenario_current(void);

#endif
