/* shell.c - the page domains that clients switch on while setting up a
 * page and that cdpmock does not model: Log, Inspector and Audits answer
 * as Chrome does and send nothing (docs/clients.md §5-§6).  They exist on
 * page targets only, like Chrome's page agents.  Anything with state lives
 * in its own file (network.c, debugger.c, performance.c, emulation.c). */
#include "cdpm.h"
#include "cdp/router.h"
#include "cdp/targets.h"

static int shell_ok(struct call *c)
{
	return call_reply(c, NULL);
}

/* clang-format off */

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

/* clang-format on */

const struct domain log_domain = {
	.name = "Log",
	.targets = TARGET_PAGE,
	.methods = shell_log,
	.n_methods = CDPM_ARRAY_LEN(shell_log),
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
