/* browser.c - the Browser domain: identity and the few commands clients send
 * while connecting.  It exists on the browser and on page targets. */
#include <string.h>

#include "cdpm.h"
#include "net/conn.h"
#include "net/loop.h"
#include "cdp/router.h"
#include "server.h"
#include "cdp/targets.h"

static int browser_get_version(struct call *c)
{
	/* Key order as Chrome 156 sends it; written in place, no tree. */
	const char *const kv[][2] = {{"protocolVersion", server.id.protocol_version},
				     {"product", server.id.product},
				     {"revision", server.id.revision},
				     {"userAgent", server.id.user_agent},
				     {"jsVersion", server.id.js_version}};
	struct buf b;
	int rc = call_reply_begin(c, &b);
	if (rc)
		return rc;
	for (size_t i = 0; i < CDPM_ARRAY_LEN(kv); i++) {
		buf_adds(&b, i ? ",\"" : "{\"");
		buf_adds(&b, kv[i][0]);
		buf_adds(&b, "\":");
		buf_add_json_str(&b, kv[i][1], strlen(kv[i][1]), 1);
	}
	buf_addc(&b, '}');
	return call_reply_end(c, &b);
}

static struct loop_timer browser_exit_timer;

static void browser_exit(struct loop_timer *t)
{
	(void)t;
	loop_stop();
}

static int browser_close(struct call *c)
{
	/* Chrome answers {} and then the process exits. */
	int rc = call_reply(c, NULL);
	conn_close_after_flush(c->conn);
	loop_timer_arm(&browser_exit_timer, 20000, browser_exit);
	return rc;
}

static int browser_ok(struct call *c)
{
	return call_reply(c, NULL);
}

static const struct method browser_methods[] = {
	{"close", browser_close},
	{"getVersion", browser_get_version},
	{"setDownloadBehavior", browser_ok},
};

const struct domain browser_domain = {
	.name = "Browser",
	.targets = TARGET_BROWSER | TARGET_PAGE,
	.methods = browser_methods,
	.n_methods = CDPM_ARRAY_LEN(browser_methods),
	.session_gone = NULL,
};
