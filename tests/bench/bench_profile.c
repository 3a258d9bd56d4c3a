/* bench_profile.c - how long the seeded CPU-profile generator takes to
 * write a Profiler.stop result of 100,000 samples and 5,000 nodes (the
 * shape of a 110 s profile at Chrome's default interval), in CPU ms on one
 * core, the median of 11 runs, beside its ceiling.  A benchmark, not a
 * test: `make bench` runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "buf.h"
#include "gen/profile.h"

#define RUNS 11
#define CEILING_MS 60.0

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	struct profile_shape sh = {.seed = 11,
				   .start_us = 504000000,
				   .end_us = 614000000,
				   .node_count = 5000,
				   .max_depth = 30};
	double ms[RUNS];
	size_t bytes = 0;
	for (int i = 0; i < RUNS; i++) {
		struct buf b;
		buf_init(&b, 0);
		double t0 = cpu_ms();
		if (profile_write(&sh, &b)) {
			fprintf(stderr, "bench_profile: profile_write failed\n");
			return 1;
		}
		ms[i] = cpu_ms() - t0;
		bytes = b.len;
		buf_clear(&b);
	}
	qsort(ms, RUNS, sizeof(ms[0]), cmp);
	printf("profile 100k samples, 5k nodes (%zu bytes): median %.1f ms CPU (min %.1f, max "
	       "%.1f)   ceiling %.0f ms   %s\n",
	       bytes, ms[RUNS / 2], ms[0], ms[RUNS - 1], CEILING_MS,
	       ms[RUNS / 2] < CEILING_MS ? "ok" : "OVER");
	return 0;
}
