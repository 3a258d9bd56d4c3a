/* shell.c - the page domains that clients switch on while setting up a
 * page and that cdpmock does not model: Network, Log, Performance,
 * Inspector, Audits, Emulation and Debugger answer as Chrome does and send
 * nothing (docs/clients.md §5-§6).  They exist on page targets only, like Chrome's
 * page agents.  Anything with state lives in its own file. */
#include <stdio.h>
#include <string.h>

#include "cdpm.h"
#include "domains/pagestate.h"
#include "cdp/router.h"
#include "cdp/targets.h"

static int shell_ok(struct call *c)
{
	return call_reply(c, NULL);
}

/* Debugger.enable answers with the isolate's debuggerId.  It sends no
 * Debugger.scriptParsed: the page's scripts have no source to serve, and
 * clients (puppeteer's coverage) cope with none (docs/clients.md §5). */
static int shell_debugger_enable(struct call *c)
{
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!pt)
		return CDPM_ENOMEM;
	char r[96];
	snprintf(r, sizeof(r), "{\"debuggerId\":\"%s\"}", pt->debugger_id);
	return call_reply_raw(c, r, strlen(r));
}

/* clang-format off */
static const struct method shell_network[] = {
	{"clearBrowserCache", shell_ok},
	{"disable", shell_ok},
	{"emulateNetworkConditions", shell_ok},
	{"enable", shell_ok},
	{"setBlockedURLs", shell_ok},
	{"setBypassServiceWorker", shell_ok},
	{"setCacheDisabled", shell_ok},
	{"setExtraHTTPHeaders", shell_ok},
	{"setUserAgentOverride", shell_ok},
};

static const struct method shell_log[] = {
	{"disable", shell_ok},
	{"enable", shell_ok},
	{"startViolationsReport", shell_ok},
	{"stopViolationsReport", shell_ok},
};

static const struct method shell_enable_disable[] = {
	{"disable", shell_ok},
	{"enable", shell_ok},
};

static const struct method shell_emulation[] = {
	{"clearDeviceMetricsOverride", shell_ok},
	{"setCPUThrottlingRate", shell_ok},
	{"setDeviceMetricsOverride", shell_ok},
	{"setEmulatedMedia", shell_ok},
	{"setFocusEmulationEnabled", shell_ok},
	{"setTouchEmulationEnabled", shell_ok},
	{"setUserAgentOverride", shell_ok},
};

static const struct method shell_debugger[] = {
	{"disable", shell_ok},
	{"enable", shell_debugger_enable},
	{"setAsyncCallStackDepth", shell_ok},
	{"setSkipAllPauses", shell_ok},
};
/* clang-format on */

const struct domain network_domain = {
	.name = "Network",
	.targets = TARGET_PAGE,
	.methods = shell_network,
	.n_methods = CDPM_ARRAY_LEN(shell_network),
	.session_gone = NULL,
};

const struct domain log_domain = {
	.name = "Log",
	.targets = TARGET_PAGE,
	.methods = shell_log,
	.n_methods = CDPM_ARRAY_LEN(shell_log),
	.session_gone = NULL,
};

const struct domain performance_domain = {
	.name = "Performance",
	.targets = TARGET_PAGE,
	.methods = shell_enable_disable,
	.n_methods = CDPM_ARRAY_LEN(shell_enable_disable),
	.session_gone = NULL,
};

const struct domain inspector_domain = {
	.name = "Inspector",
	.targets = TARGET_PAGE,
	.methods = shell_enable_disable,
	.n_methods = CDPM_ARRAY_LEN(shell_enable_disable),
	.session_gone = NULL,
};

const struct domain audits_domain = {
	.name = "Audits",
	.targets = TARGET_PAGE,
	.methods = shell_enable_disable,
	.n_methods = CDPM_ARRAY_LEN(shell_enable_disable),
	.session_gone = NULL,
};

const struct domain emulation_domain = {
	.name = "Emulation",
	.targets = TARGET_PAGE,
	.methods = shell_emulation,
	.n_methods = CDPM_ARRAY_LEN(shell_emulation),
	.session_gone = NULL,
};

const struct domain debugger_domain = {
	.name = "Debugger",
	.targets = TARGET_PAGE,
	.methods = shell_debugger,
	.n_methods = CDPM_ARRAY_LEN(shell_debugger),
	.session_gone = NULL,
};
