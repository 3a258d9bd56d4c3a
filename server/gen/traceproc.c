/* traceproc.c - the seeded process/thread layout (see traceproc.h).  Names
 * and the shape of the layout follow docs/chrome.md §9.2. */
#include "gen/traceproc.h"

#include "rng.h"

struct thread_spec {
	const char *name;
	uint32_t cls;
};

struct proc_spec {
	const char *name;
	const struct thread_spec *threads; /* threads[0] is the main thread */
	uint32_t n_threads;
	int page_only; /* kept in a page-session trace */
};

static const struct thread_spec browser_threads[] = {
    {"CrBrowserMain", TPC_BMAIN},
    {"PerfettoTrace", TPC_PERF},
    {"ThreadPoolServiceThread", TPC_MISC},
    {"ThreadPoolForegroundWorker", TPC_POOL},
    {"ThreadPoolForegroundWorker", TPC_POOL},
    {"Chrome_IOThread", TPC_BIO},
    {"MemoryInfra", TPC_MEM},
    {"CompositorTileWorker1", TPC_MISC},
    {"ThreadPoolSingleThreadForegroundBlocking", TPC_POOL},
    {"Chrome_DevToolsHandlerThread", TPC_MISC},
};

static const struct thread_spec page_threads[] = {
    {"CrRendererMain", TPC_RMAIN | TPC_PMAIN}, {"PerfettoTrace", TPC_PERF},
    {"ThreadPoolForegroundWorker", TPC_POOL},  {"Chrome_ChildIOThread", TPC_CIO},
    {"ThreadPoolForegroundWorker", TPC_POOL},  {"Compositor", TPC_COMP},
};

static const struct thread_spec gpu_threads[] = {
    {"CrGpuMain", TPC_GMAIN},
    {"PerfettoTrace", TPC_PERF},
    {"Chrome_ChildIOThread", TPC_CIO},
    {"VizCompositorThread", TPC_VIZ},
    {"ThreadPoolSingleThreadSharedForeground", TPC_POOL},
};

static const struct thread_spec net_threads[] = {
    {"network.CrUtilityMain", TPC_UMAIN | TPC_NET},
    {"PerfettoTrace", TPC_PERF},
    {"Chrome_ChildIOThread", TPC_CIO},
};

static const struct thread_spec storage_threads[] = {
    {"storage.CrUtilityMain", TPC_UMAIN},
    {"PerfettoTrace", TPC_PERF},
    {"Chrome_ChildIOThread", TPC_CIO},
};

static const struct thread_spec renderer_threads[] = {
    {"CrRendererMain", TPC_RMAIN},
    {"PerfettoTrace", TPC_PERF},
    {"Chrome_ChildIOThread", TPC_CIO},
};

static const struct thread_spec odm_threads[] = {
    {"on_device_model.CrUtilityMain", TPC_UMAIN},
    {"PerfettoTrace", TPC_PERF},
    {"Chrome_ChildIOThread", TPC_CIO},
};

static const struct thread_spec tracing_threads[] = {
    {"tracing.CrUtilityMain", TPC_UMAIN},
    {"PerfettoTrace", TPC_PERF},
    {"Chrome_ChildIOThread", TPC_CIO},
};

#define SPEC(name, t, page)                                                                        \
	{                                                                                          \
		name, t, (uint32_t)(sizeof(t) / sizeof((t)[0])), page                              \
	}

/* Launch order: pids grow along this list (the page's renderer is the
 * newest process, as in the sample), but process_name metadata lists the
 * browser, then the page, then the rest. */
enum { P_BROWSER, P_GPU, P_NET, P_STORAGE, P_WEBUI, P_RENDERER, P_ODM, P_TRACING, P_PAGE };

static const struct proc_spec proc_specs[] = {
    [P_BROWSER] = SPEC("Browser", browser_threads, 1),
    [P_GPU] = SPEC("GPU Process", gpu_threads, 1),
    [P_NET] = SPEC("Service: network.mojom.NetworkService", net_threads, 0),
    [P_STORAGE] = SPEC("Service: storage.mojom.StorageService", storage_threads, 0),
    [P_WEBUI] = SPEC("WebUI Top Renderer", renderer_threads, 0),
    [P_RENDERER] = SPEC("Renderer", renderer_threads, 0),
    [P_ODM] = SPEC("Utility", odm_threads, 0),
    [P_TRACING] = SPEC("Service: tracing.mojom.TracingService", tracing_threads, 0),
    [P_PAGE] = SPEC("Renderer", page_threads, 1),
};

static uint32_t add_proc(struct traceproc *m, struct rng *r, int spec, int32_t pid, uint32_t uptime)
{
	const struct proc_spec *ps = &proc_specs[spec];
	uint32_t pi = (uint32_t)m->n_procs++;
	struct traceproc_proc *p = &m->procs[pi];
	int32_t tid = pid;

	p->pid = pid;
	p->name = ps->name;
	p->uptime_s = uptime;
	p->first_thread = (uint32_t)m->n_threads;
	p->n_threads = ps->n_threads;
	p->main_thread = p->first_thread;
	for (uint32_t i = 0; i < ps->n_threads; i++) {
		struct traceproc_thread *t = &m->threads[m->n_threads++];
		t->pid = pid;
		t->tid = tid;
		t->cls = ps->threads[i].cls;
		t->proc = pi;
		t->name = ps->threads[i].name;
		/* Busy main threads have used more CPU time than helpers. */
		t->tts_base =
		    (int64_t)(i == 0 ? 20000 + rng_below(r, 400000) : 500 + rng_below(r, 60000));
		tid += 2 + (int32_t)rng_below(r, 9);
	}
	return pi;
}

void traceproc_build(struct traceproc *m, uint64_t seed, int page_only)
{
	struct rng r;
	int order[TRACEPROC_MAX_PROCS], n = 0;
	int32_t pid[TRACEPROC_MAX_PROCS];
	uint32_t up[TRACEPROC_MAX_PROCS];
	int32_t next;
	uint32_t browser_up;

	rng_init(&r, seed ^ UINT64_C(0x7072636573736573));
	m->n_procs = 0;
	m->n_threads = 0;
	next = 1000 + (int32_t)rng_below(&r, 30000);
	browser_up = 60 + (uint32_t)rng_below(&r, 900);

	/* The launch sequence, with 1..3 ordinary renderers. */
	int launch[TRACEPROC_MAX_PROCS], nl = 0;
	launch[nl++] = P_BROWSER;
	launch[nl++] = P_GPU;
	launch[nl++] = P_NET;
	launch[nl++] = P_STORAGE;
	launch[nl++] = P_WEBUI;
	for (int i = 1 + (int)rng_below(&r, 3); i > 0; i--)
		launch[nl++] = P_RENDERER;
	launch[nl++] = P_ODM;
	launch[nl++] = P_TRACING;
	launch[nl++] = P_PAGE;
	for (int i = 0; i < nl; i++) {
		pid[i] = next;
		next += (i < 5 ? 4 : 40) + (int32_t)rng_below(&r, i < 5 ? 60 : 2000);
		if (i < 5)
			up[i] = browser_up - (uint32_t)rng_below(&r, 2);
		else
			up[i] = 1 + (uint32_t)rng_below(&r, browser_up);
	}

	/* Metadata order: browser, the page, then the others by pid. */
	order[n++] = 0;
	order[n++] = nl - 1;
	for (int i = 1; i < nl - 1; i++)
		order[n++] = i;
	for (int k = 0; k < n; k++) {
		int i = order[k];
		if (page_only && !proc_specs[launch[i]].page_only)
			continue;
		uint32_t pi = add_proc(m, &r, launch[i], pid[i], up[i]);
		if (launch[i] == P_BROWSER) {
			m->browser = pi;
			m->browser_main = m->procs[pi].main_thread;
			m->browser_mem = m->browser_main;
			for (uint32_t t = 0; t < m->procs[pi].n_threads; t++)
				if (m->threads[m->procs[pi].first_thread + t].cls & TPC_MEM)
					m->browser_mem = m->procs[pi].first_thread + t;
		} else if (launch[i] == P_PAGE) {
			m->page = pi;
			m->page_main = m->procs[pi].main_thread;
		} else if (launch[i] == P_GPU) {
			m->gpu = pi;
		}
	}
}
