/* slots.h - which struct session dom[] slot holds which domain's
 * per-session state, so that domains never collide.  Each domain owns its
 * slot: it allocates the state lazily and frees it in its session_gone
 * hook.  Add a name here before using a new slot. */
#ifndef CDPM_SLOTS_H
#define CDPM_SLOTS_H

#include "cdp/targets.h"

enum slot {
	SLOT_PROFILER = 0, /* domains/profiler.c: struct profiler_session */
	SLOT_TRACING = 1,  /* domains/tracing.c */
	SLOT_PAGE = 2,	   /* domains/page.c: struct page_session */
	SLOT_RUNTIME = 3,  /* domains/runtime.c: Runtime.enable */
	SLOT_WORLDS = 4,   /* domains/pagestate.c: worlds for new documents,
			    * freed by the Page domain's session_gone hook */
	SLOT_NETWORK = 5,  /* domains/network.c: struct network_session */
	SLOT_DEBUGGER = 6, /* domains/debugger.c: Debugger.enable */
	SLOT_PERFORMANCE = 7, /* domains/performance.c: Performance.enable */
	SLOT_COUNT_USED = 8,
};

_Static_assert((int)SLOT_COUNT_USED <= (int)SESSION_DOMAINS,
	       "struct session has too few dom[] slots");

#endif
