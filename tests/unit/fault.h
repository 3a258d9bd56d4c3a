/* fault.h - fail the Nth allocation, as SQLite's *fault.test and jansson's
 * chaos test do.  It counts the allocations of every struct buf (through
 * buf_set_alloc_hook) and of jansson (through json_set_alloc_funcs); other
 * mallocs are not counted.  Each test file that includes it gets its own
 * counter: arm, run the code, disarm, all inside one test. */
#ifndef CDPM_TEST_FAULT_H
#define CDPM_TEST_FAULT_H

#include <jansson.h>
#include <stdlib.h>

#include "buf.h"

static long fault_left;  /* allocations to let through before failing; <0: none */
static int fault_sticky; /* after the first failure, fail every later one too */
static int fault_fired;  /* how many allocations were failed */
static long fault_count; /* allocations seen since fault_arm() */

static int fault_now(void)
{
	fault_count++;
	if (fault_fired && fault_sticky) {
		fault_fired++;
		return 1;
	}
	if (fault_left < 0 || fault_left-- > 0)
		return 0;
	fault_fired++;
	return 1;
}

static void *fault_realloc(void *p, size_t n)
{
	return fault_now() ? NULL : realloc(p, n);
}

static void *fault_malloc(size_t n)
{
	return fault_now() ? NULL : malloc(n);
}

/* fault_arm() - the nth allocation from now (1-based) fails; with sticky,
 * every one after it fails as well.  n = 0: nothing fails, only counts. */
static inline void fault_arm(long n, int sticky)
{
	fault_left = n > 0 ? n - 1 : -1;
	fault_sticky = sticky;
	fault_fired = 0;
	fault_count = 0;
	buf_set_alloc_hook(fault_realloc);
	json_set_alloc_funcs(fault_malloc, free);
}

/* fault_disarm() - back to realloc() and malloc(); returns how many
 * allocations were failed. */
static inline int fault_disarm(void)
{
	buf_set_alloc_hook(NULL);
	json_set_alloc_funcs(malloc, free);
	return fault_fired;
}

#endif
