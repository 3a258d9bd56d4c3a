/* tracetpl.c - the event catalogue (see tracetpl.h).  Names, categories and
 * args shapes come from docs/chrome.md §9.2 and docs/chrome.md
 * 4.4; the weights of the default-category templates add up to the phase
 * counts of the 23,175-event reference trace (X 14390, I 2646, s/f 2437
 * each, b 472, e 465, n 165, B 56, R 24, C 3).  The disabled-by-default
 * templates only appear when a trace names their category. */
#include "gen/tracetpl.h"

#include "gen/traceproc.h"

#define T(kind, dur, nt, thr, w, lo, span, cat, name, args)                                        \
	{                                                                                          \
		kind, dur, nt, thr, w, lo, span, cat, name, args                                   \
	}

/* Common args fragments, as Chrome writes them. */
#define SM_TASK                                                                                    \
	"{\"sequence_manager_task\":{\"priority\":\"NORMAL_PRIORITY\",\"queue_name\":"             \
	"\"DEFAULT_TQ\"},\"src_file\":\"base/tracing/perfetto_task_runner.cc\",\"src_func\":"      \
	"\"PostDelayedTask\",\"src_line\":#}"
#define POOL_TASK                                                                                  \
	"{\"src_file\":\"base/trace_event/trace_session_observer.cc\",\"src_func\":\"OnStart\","   \
	"\"src_line\":221,\"thread_pool_task\":{\"execution_mode\":\"EXECUTION_MODE_SEQUENCED\","  \
	"\"sequence_token\":#,\"shutdown_behavior\":\"SHUTDOWN_BEHAVIOR_CONTINUE_ON_SHUTDOWN\","   \
	"\"task_priority\":\"PRIORITY_BEST_EFFORT\"}}"
#define EPOLL                                                                                      \
	"{\"can_read\":true,\"can_write\":false,\"context\":\"0x276c00065438\","                   \
	"\"controller_created_from\":{\"file_name\":\"mojo/core/channel_posix.cc\","               \
	"\"function_name\":\"StartOnIOThread\",\"line_number\":219},\"fd\":#}"
#define MOJO_MSG(tag, bytes, size)                                                                 \
	"{\"chrome_mojo_event_info\":{\"data_num_bytes\":" bytes ",\"ipc_hash\":#,"                \
	"\"mojo_interface_method\":{\"native_symbol\":{\"mapping_id\":0,\"rel_pc\":179138320}},"   \
	"\"mojo_interface_tag\":\"" tag "\",\"payload_size\":" size "}}"
#define MARK_ARGS "{\"data\":{\"navigationId\":\"@N@\",\"startTime\":#}}"
#define FRAME_ARGS "{\"frameSeqId\":#,\"layerTreeId\":1}"
#define REPORTER                                                                                   \
	"{\"chrome_frame_reporter\":{\"affects_smoothness\":false,\"frame_sequence\":#,"           \
	"\"frame_source\":0,\"has_missing_content\":false,\"layer_tree_host_id\":1,"               \
	"\"state\":\"STATE_PRESENTED_ALL\"}}"

#define E "{}"
#define S TPL_SHORT
#define M TPL_MED
#define L TPL_LONG
#define DBD "disabled-by-default-"

const struct tracetpl tracetpl_table[] = {
    /* X: 14390 */
    T(TPL_X, M, 0, TPC_SEQ, 4441, 30, 220, "toplevel", "ThreadControllerImpl::RunTask", SM_TASK),
    T(TPL_X, S, 0, TPC_SEQ, 2500, 0, 0, "sequence_manager", "SequenceManager::DoIdleWork", E),
    T(TPL_X, M, 0, TPC_SEQ, 1800, 0, 0, "base", "ThreadController active", E),
    T(TPL_X, S, 0, TPC_SEQ, 700, 0, 0, "sequence_manager",
      "SequenceManagerImpl::MaybeReclaimMemory", E),
    T(TPL_X, M, 0, TPC_POOL, 1100, 1, 400, "toplevel", "ThreadPool_RunTask", POOL_TASK),
    T(TPL_X, M, 0, TPC_POOL, 500, 0, 0, "base", "WorkerThread active", E),
    T(TPL_X, S, 0, TPC_BIO | TPC_CIO, 700, 10, 190, "toplevel", "EpollEvent", EPOLL),
    T(TPL_X, S, 0, TPC_SEQ, 350, 0, 0, "toplevel", "SimpleWatcher::OnHandleReady",
      "{\"chrome_mojo_event_info\":{\"watcher_notify_interface_tag\":"
      "\"tracing.mojom.ProducerClient\"}}"),
    T(TPL_X, S, 0, TPC_SEQ, 600, 100000000, 4000000000u, "toplevel,mojom", "Receive mojo message",
      MOJO_MSG("tracing.mojom.ProducerHost", "72", "16")),
    T(TPL_X, S, 0, TPC_SEQ, 250, 100000000, 4000000000u, "toplevel,mojom", "Receive mojo reply",
      MOJO_MSG("tracing.mojom.ProducerClient", "64", "8")),
    T(TPL_X, S, 0, TPC_RMAIN, 350, 0, 0, "renderer.scheduler", "BlinkScheduler_OnTaskCompleted", E),
    T(TPL_X, S, 0, TPC_RMAIN, 200, 0, 0, "toplevel", "BlinkScheduler_PerformMicrotaskCheckpoint",
      E),
    T(TPL_X, M, 0, TPC_PMAIN, 30, 0, 0, "devtools.timeline", "RunTask", E),
    /* FunctionCall, the page-load marks and the long task come from
     * tracepage.c, in step with the CPU samples and a real navigation; their
     * slots here (kept so that the draws of the others stay the same) are
     * more of Chrome's plain RunTask and FramePresented. */
    T(TPL_X, M, 0, TPC_PMAIN, 4, 0, 0, "devtools.timeline", "RunTask", E),
    T(TPL_X, M, 0, TPC_PMAIN, 3, 1, 900, "devtools.timeline", "UpdateLayoutTree",
      "{\"beginData\":{\"frame\":\"@F@\"},\"elementCount\":#}"),
    T(TPL_X, M, 0, TPC_PMAIN, 2, 1, 500, "devtools.timeline", "Layout",
      "{\"beginData\":{\"dirtyObjects\":#,\"frame\":\"@F@\",\"partialLayout\":false,"
      "\"totalObjects\":512}}"),
    T(TPL_X, S, 0, TPC_PMAIN, 2, 1, 60, "devtools.timeline,rail", "Paint",
      "{\"data\":{\"clip\":[0,0,800,0,800,600,0,600],\"frame\":\"@F@\",\"layerId\":#,"
      "\"nodeId\":3}}"),
    T(TPL_X, S, 0, TPC_PMAIN, 2, 0, 0, "devtools.timeline,rail", "PrePaint", E),
    T(TPL_X, S, 0, TPC_PMAIN, 2, 0, 0, "devtools.timeline", "Layerize", E),
    T(TPL_X, L, 0, TPC_PMAIN, 1, 0, 0, "devtools.timeline", "ParseHTML",
      "{\"beginData\":{\"frame\":\"@F@\",\"startLine\":0,\"url\":\"@U@\"}}"),
    T(TPL_X, L, 0, TPC_PMAIN, 1, 1, 300, "devtools.timeline", "EvaluateScript",
      "{\"data\":{\"frame\":\"@F@\",\"lineNumber\":#,\"url\":\"@U@\"}}"),
    T(TPL_X, M, 0, TPC_PMAIN, 2, 1100000, 2000000, "devtools.timeline,v8", "MinorGC",
      "{\"usedHeapSizeAfter\":1048576,\"usedHeapSizeBefore\":#}"),
    T(TPL_X, S, 0, TPC_PMAIN, 40, 0, 0, "v8.execute", "V8.RunMicrotasks", E),
    T(TPL_X, S, 0, TPC_PMAIN, 20, 0, 0, "v8", "V8.ScriptCompiler", E),
    T(TPL_X, M, 0, TPC_RMAIN, 120, 0, 0, "cc", "ProxyMain::BeginMainFrame", E),
    T(TPL_X, S, 0, TPC_COMP, 150, 0, 0, "cc", "ProxyImpl::ScheduledActionDraw", E),
    T(TPL_X, M, 0, TPC_VIZ, 120, 0, 0, "viz", "DisplayScheduler::DrawAndSwap", E),
    T(TPL_X, S, 0, TPC_GMAIN, 150, 0, 0, "gpu", "CommandBufferStub::OnAsyncFlush", E),
    T(TPL_X, S, 0, TPC_GMAIN, 150, 0, 0, "gpu", "GpuChannel::ExecuteDeferredRequest", E),
    T(TPL_X, S, 0, TPC_PMAIN, 20, 0, 0, "loading", "ResourceFetcher::requestResource", E),
    T(TPL_X, M, 0, TPC_BMAIN, 5, 0, 0, "navigation", "NavigationControllerImpl::LoadURLWithParams",
      E),
    T(TPL_X, S, 0, TPC_NET, 20, 0, 0, "net", "URLRequestHttpJob::Start", E),
    T(TPL_X, S, 0, TPC_BMAIN, 15, 0, 0, "input",
      "RenderWidgetHostImpl::ForwardMouseEventWithLatencyInfo", E),
    T(TPL_X, S, 0, TPC_BMAIN | TPC_COMP | TPC_VIZ, 40, 1, 900000, "latencyInfo", "LatencyInfo.Flow",
      "{\"chrome_latency_info\":{\"trace_id\":#}}"),

    /* I: 2646 */
    T(TPL_I, 0, 0, TPC_SEQ, 966, 0, 0, "toplevel.flow", "SequenceManager PostTask", E),
    T(TPL_I, 0, 0, TPC_SEQ, 650, 0, 0, "toplevel.flow,mojom.flow", "Send mojo message", E),
    T(TPL_I, 0, 0, TPC_SEQ, 330, 0, 0, "wakeup.flow", "ScheduleWork", E),
    T(TPL_I, 0, 0, TPC_SEQ, 300, 0, 0, "toplevel.flow", "ThreadPool_PostTask", E),
    T(TPL_I, 0, 0, TPC_SEQ, 150, 0, 0, "wakeup.flow", "WorkerThread::WakeUp", E),
    T(TPL_I, 0, 1, TPC_SEQ, 150, 0, 0, "sequence_manager", "SequenceManager::DoIdleWork", E),
    T(TPL_I, 0, 0, TPC_PMAIN, 3, 1, 5000, "devtools.timeline", "TimerInstall",
      "{\"data\":{\"frame\":\"@F@\",\"singleShot\":true,\"timeout\":#,\"timerId\":7}}"),
    T(TPL_I, 0, 0, TPC_PMAIN, 1, 1, 90, "devtools.timeline", "ResourceSendRequest",
      "{\"data\":{\"frame\":\"@F@\",\"priority\":\"VeryHigh\",\"requestId\":\"@P@.#\","
      "\"requestMethod\":\"GET\",\"url\":\"@U@\"}}"),
    T(TPL_I, 0, 0, TPC_PMAIN, 1, 1, 50, "devtools.timeline", "TimeStamp",
      "{\"data\":{\"frame\":\"@F@\",\"message\":\"step #\"}}"),
    T(TPL_I, 0, 0, TPC_PMAIN, 8, 1, 3000, "blink.user_timing", "mark-caf\xc3\xa9", MARK_ARGS),
    T(TPL_I, 0, 0, TPC_PMAIN, 6, 1, 3000, "blink.user_timing",
      "\xe6\x8f\x8f\xe7\x94\xbb\xe9\x96\x8b\xe5\xa7\x8b", MARK_ARGS),
    T(TPL_I, 0, 0, TPC_PMAIN, 6, 1, 3000, "blink.user_timing", "\xf0\x9f\x9a\x80 hydrated",
      MARK_ARGS),
    T(TPL_I, 0, 0, TPC_PMAIN, 5, 1, 3000, "blink.user_timing", "navigation\xe2\x9c\x93", MARK_ARGS),
    T(TPL_I, 0, 0, TPC_PMAIN, 70, 1, 2000, "loading", "LargestContentfulPaint::Candidate",
      "{\"data\":{\"candidateIndex\":1,\"isMainFrame\":true,\"isOutermostMainFrame\":true,"
      "\"navigationId\":\"@N@\",\"nodeId\":#,\"size\":5000,\"type\":\"text\"},"
      "\"frame\":\"@F@\"}"),

    /* s/f: 2437 pairs */
    T(TPL_FLOW, 0, 0, TPC_SEQ, 1300, 0, 0, "toplevel.flow", "SequenceManager PostTask", E),
    T(TPL_FLOW, 0, 0, TPC_POOL | TPC_SEQ, 500, 0, 0, "toplevel.flow", "ThreadPool_PostTask", E),
    T(TPL_FLOW, 0, 0, TPC_SEQ, 637, 0, 0, "toplevel.flow,mojom.flow", "Send mojo message", E),

    /* b/e: 465 pairs, plus 7 "b" left open */
    T(TPL_ASYNC, 0, 1, TPC_PMAIN, 12, 0, 0, "blink.user_timing",
      "measure:\xe3\x83\xad\xe3\x83\xbc\xe3\x83\x89", E),
    T(TPL_ASYNC, 0, 1, TPC_PMAIN, 10, 0, 0, "blink.user_timing", "\xe2\x8f\xb1 render", E),
    T(TPL_ASYNC, 0, 1, TPC_PMAIN, 8, 0, 0, "blink.user_timing", "fetch\xe2\x86\x92paint", E),
    T(TPL_ASYNC, 0, 1, TPC_PMAIN, 5, 0, 0, "blink.console", "\xe8\xa8\x88\xe6\xb8\xac timer", E),
    T(TPL_ASYNC, 0, 1, TPC_COMP, 245, 1, 100000, "cc,benchmark," DBD "devtools.timeline.frame",
      "PipelineReporter", REPORTER),
    T(TPL_ASYNC, 0, 1, TPC_BMAIN, 80, 0, 0, "benchmark,latencyInfo,rail", "EventLatency",
      "{\"event_latency\":{\"event_type\":\"MOUSE_MOVED\"}}"),
    T(TPL_ASYNC, 0, 1, TPC_VIZ, 90, 1, 100000, "graphics.pipeline", "Graphics.Pipeline",
      "{\"chrome_graphics_pipeline\":{\"frame_sequence\":#,\"step\":\"STEP_DRAW_AND_SWAP\"}}"),
    T(TPL_ASYNC, 0, 1, TPC_BMAIN, 15, 0, 0, "navigation", "NavigationRequest", E),
    T(TPL_OPEN, 0, 1, TPC_BMAIN, 7, 0, 0, "benchmark,latencyInfo,rail", "EventLatency",
      "{\"event_latency\":{\"event_type\":\"GESTURE_SCROLL_UPDATE\"}}"),

    /* n: 165 */
    T(TPL_N, 0, 1, TPC_PMAIN, 3, 0, 0, "blink.animations,devtools.timeline,benchmark,rail",
      "Animation", "{\"data\":{\"state\":\"running\"}}"),
    T(TPL_N, 0, 1, TPC_COMP, 122, 0, 0, "cc", "BeginImplFrameToSendBeginMainFrame", E),
    T(TPL_N, 0, 1, TPC_NET, 40, 0, 0, "net", "HttpStreamFactory::Job::OnStreamReady", E),

    /* B: 56, R: 24, C: 3 */
    T(TPL_B, 0, 1, TPC_SEQ, 56, 0, 0, "base", "ThreadController active", E),
    T(TPL_R, 0, 1, TPC_BMAIN, 14, 0, 0, "cc,benchmark", "FramePresented",
      "{\"environment\":\"browser\"}"),
    T(TPL_R, 0, 1, TPC_BMAIN, 2, 0, 0, "cc,benchmark", "FramePresented",
      "{\"environment\":\"browser\"}"),
    T(TPL_R, 0, 1, TPC_BMAIN, 4, 0, 0, "cc,benchmark", "FramePresented",
      "{\"environment\":\"browser\"}"),
    T(TPL_R, 0, 1, TPC_BMAIN, 4, 0, 0, "cc,benchmark", "FramePresented",
      "{\"environment\":\"browser\"}"),
    T(TPL_C, 0, 1, TPC_BMAIN, 3, 0, 4, "resources", "System.Pressure.CPU", "{\"value\":#}"),

    /* Only when named: the categories DevTools, puppeteer and Lighthouse ask for. */
    T(TPL_I, 0, 0, TPC_PMAIN, 30, 1, 40, DBD "devtools.timeline", "UpdateCounters",
      "{\"data\":{\"documents\":1,\"jsEventListeners\":#,\"jsHeapSizeUsed\":1512304,"
      "\"nodes\":120}}"),
    T(TPL_I, 0, 0, TPC_PMAIN, 2, 0, 0, DBD "devtools.timeline", "SetLayerTreeId",
      "{\"data\":{\"frame\":\"@F@\",\"layerTreeId\":1}}"),
    T(TPL_I, 0, 0, TPC_COMP, 100, 1, 100000, DBD "devtools.timeline.frame", "BeginFrame",
      FRAME_ARGS),
    T(TPL_I, 0, 0, TPC_COMP, 60, 1, 100000, DBD "devtools.timeline.frame", "DrawFrame", FRAME_ARGS),
    T(TPL_I, 0, 0, TPC_COMP, 10, 0, 0, DBD "devtools.timeline.frame", "NeedsBeginFrameChanged",
      "{\"data\":{\"needsBeginFrame\":1},\"layerTreeId\":1}"),
    T(TPL_X, M, 0, TPC_PMAIN, 80, 0, 0, DBD "v8.gc", "V8.GC_SCAVENGER", E),
    T(TPL_X, S, 0, TPC_PMAIN, 40, 0, 0, DBD "v8.compile", "V8.CompileLazy", E),
    T(TPL_X, S, 0, TPC_MEM, 20, 0, 0, DBD "memory-infra", "MemoryDumpManager::RequestGlobalDump",
      E),
};

const size_t tracetpl_count = sizeof(tracetpl_table) / sizeof(tracetpl_table[0]);
