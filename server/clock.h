/* clock.h - the one source of time in cdpmock.  Every timestamp (trace ts,
 * profile times, coverage seconds, journal times) comes from here, so that
 * --clock virtual makes a run reproducible.  Not a timer facility: timers
 * live in loop.c. */
#ifndef CDPM_CLOCK_H
#define CDPM_CLOCK_H

#include <stdint.h>

enum clock_mode { CLOCK_MODE_REAL, CLOCK_MODE_VIRTUAL };

/* The virtual clock starts here: about 8.4 minutes of "uptime", the kind of
 * monotonic value a freshly started Chrome reports. */
#define CLOCK_VIRTUAL_START_US INT64_C(504000000)

/* clock_set_mode() - selects real (CLOCK_MONOTONIC) or virtual time.  The
 * virtual clock starts at CLOCK_VIRTUAL_START_US and moves only through
 * clock_advance_us(). */
void clock_set_mode(enum clock_mode mode);
enum clock_mode clock_mode(void);
/* clock_now_us() - monotonic microseconds (the trace/profile time base). */
int64_t clock_now_us(void);
/* clock_now_s() - the same instant in seconds, for coverage timestamps. */
double clock_now_s(void);
/* clock_advance_us() - moves virtual time forward; ignored in real mode. */
void clock_advance_us(int64_t delta);
/* clock_wall_us() - wall-clock microseconds since the epoch (virtual: a fixed
 * date plus virtual elapsed time), for trace-capture-datetime and journals. */
int64_t clock_wall_us(void);

#endif
