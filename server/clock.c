/* clock.c - real or virtual monotonic time (see clock.h). */
#include "clock.h"

#include <time.h>

static enum clock_mode clock_cur = CLOCK_MODE_REAL;
static int64_t clock_virtual_us = CLOCK_VIRTUAL_START_US;

/* 2026-11-21 19:53:21 UTC: the capture date of the reference trace. */
#define CLOCK_VIRTUAL_EPOCH_US INT64_C(1795290801000000)

void clock_set_mode(enum clock_mode mode)
{
	clock_cur = mode;
	clock_virtual_us = CLOCK_VIRTUAL_START_US;
}

enum clock_mode clock_mode(void)
{
	return clock_cur;
}

static int64_t clock_read(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_now_us(void)
{
	return clock_cur == CLOCK_MODE_VIRTUAL ? clock_virtual_us : clock_read(CLOCK_MONOTONIC);
}

double clock_now_s(void)
{
	return (double)clock_now_us() / 1e6;
}

void clock_advance_us(int64_t delta)
{
	if (clock_cur == CLOCK_MODE_VIRTUAL && delta > 0)
		clock_virtual_us += delta;
}

int64_t clock_wall_us(void)
{
	if (clock_cur == CLOCK_MODE_VIRTUAL)
		return CLOCK_VIRTUAL_EPOCH_US + (clock_virtual_us - CLOCK_VIRTUAL_START_US);
	return clock_read(CLOCK_REALTIME);
}
