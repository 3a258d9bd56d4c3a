/* traceproc.h - the simulated browser's processes and threads that trace
 * events are attributed to: pids, tids, Chrome's process and thread names,
 * uptimes and thread-time bases, all derived from the seed.  Not the events
 * themselves (tracetpl.h) nor their order (trace.h). */
#ifndef CDPM_TRACEPROC_H
#define CDPM_TRACEPROC_H

#include <stddef.h>
#include <stdint.h>

/* Thread classes: event templates name the kinds of thread they run on. */
enum traceproc_class {
	TPC_BMAIN = 1u << 0,  /* browser CrBrowserMain */
	TPC_BIO = 1u << 1,    /* browser Chrome_IOThread */
	TPC_POOL = 1u << 2,   /* thread-pool workers */
	TPC_RMAIN = 1u << 3,  /* any renderer's CrRendererMain */
	TPC_PMAIN = 1u << 4,  /* the page's renderer main thread (also RMAIN) */
	TPC_COMP = 1u << 5,   /* the page renderer's Compositor */
	TPC_GMAIN = 1u << 6,  /* CrGpuMain */
	TPC_VIZ = 1u << 7,    /* VizCompositorThread */
	TPC_CIO = 1u << 8,    /* child processes' Chrome_ChildIOThread */
	TPC_PERF = 1u << 9,   /* PerfettoTrace */
	TPC_UMAIN = 1u << 10, /* utility and service main threads */
	TPC_NET = 1u << 11,   /* the network service main thread (also UMAIN) */
	TPC_MEM = 1u << 12,   /* browser MemoryInfra */
	TPC_MISC = 1u << 13,  /* other named threads */
};

/* Every thread that runs a message loop: what "toplevel" events run on. */
#define TPC_SEQ                                                                                    \
	(TPC_BMAIN | TPC_BIO | TPC_RMAIN | TPC_PMAIN | TPC_COMP | TPC_GMAIN | TPC_VIZ | TPC_CIO |  \
	 TPC_PERF | TPC_UMAIN | TPC_NET | TPC_MEM | TPC_MISC)

#define TRACEPROC_MAX_PROCS 16
#define TRACEPROC_MAX_THREADS 96

struct traceproc_thread {
	int32_t pid, tid;
	uint32_t cls;	  /* one or two TPC_* bits */
	uint32_t proc;	  /* index into procs[] */
	const char *name; /* static, ASCII */
	int64_t tts_base; /* thread time (µs) when the trace starts */
};

struct traceproc_proc {
	int32_t pid;
	const char *name; /* static, ASCII: "Browser", "Renderer", ... */
	uint32_t uptime_s;
	uint32_t first_thread, n_threads; /* threads[first .. first+n) */
	uint32_t main_thread;		  /* index into threads[] */
};

struct traceproc {
	struct traceproc_proc procs[TRACEPROC_MAX_PROCS];
	struct traceproc_thread threads[TRACEPROC_MAX_THREADS];
	size_t n_procs, n_threads;
	uint32_t browser;      /* procs[] index of the browser (always 0) */
	uint32_t page;	       /* procs[] index of the page's renderer */
	uint32_t gpu;	       /* procs[] index of the GPU process */
	uint32_t browser_main; /* threads[] index of CrBrowserMain */
	uint32_t browser_mem;  /* threads[] index of MemoryInfra */
	uint32_t page_main;    /* threads[] index of the page's CrRendererMain */
};

/* traceproc_build() - fills m with a seeded process layout like the 13
 * processes of a real headless Chrome.  page_only keeps what a page-session
 * trace shows: the browser, the GPU process and the page's renderer
 * (docs/chrome.md §7.7).  Never fails; m is plain data (no free needed). */
void traceproc_build(struct traceproc *m, uint64_t seed, int page_only);

#endif
