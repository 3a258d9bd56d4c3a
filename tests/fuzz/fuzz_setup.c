/* fuzz_setup.c - one-time server state for the harnesses, wired the way
 * main.c wires it, minus the admin API and the scenario's rules (see
 * fuzz.h). */
#include "fuzz.h"

#include <stdlib.h>

#include "cdp/discovery.h"
#include "cdp/router.h"
#include "cdp/targets.h"
#include "domains/domains.h"
#include "net/conn.h"
#include "server.h"

static int fuzz_ready;

static const struct conn_hooks fuzz_conn_hooks = {
	.request = discovery_request,
	.upgrade = discovery_upgrade,
	.open = session_open_root,
	.message = router_on_message,
	.close = session_close_all,
};

static void fuzz_teardown(void)
{
	targets_fini();
}

void fuzz_setup(void)
{
	if (fuzz_ready) {
		/* Every input starts from the same pages: one that added pages
		 * (PUT /json/new, Target.createTarget) must not slow down or
		 * change the inputs after it, or a crash could not be replayed
		 * on its own. */
		if (targets_reset(NULL, 0))
			abort();
		return;
	}
	fuzz_ready = 1;
	server_defaults();
	/* Small enough that the fuzzer's memory limit is about us, not the cap. */
	server.opts.max_message = (size_t)1 << 20;
	if (targets_init(NULL, 0))
		abort();
	size_t n;
	const struct domain *const *domains = domains_table(&n);
	router_init(domains, n, NULL);
	atexit(fuzz_teardown);
}

const struct conn_hooks *fuzz_hooks(void)
{
	return &fuzz_conn_hooks;
}
