/* server.c - process-wide settings and the Chrome 156 identity (see server.h). */
#include "server.h"

#include <string.h>


struct server_state server;

/* docs/chrome.md §1: Browser.getVersion of headless Chromium 156. */
const struct server_identity server_chrome156 = {
	.product = "Chrome/156.0.8078.79",
	.revision = "@a21ce95c24ce3964416f09ae1862f53f319eb4d0",
	.user_agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
		      "HeadlessChrome/156.0.0.0 Safari/537.36",
	.js_version = "15.6.75.27",
	.protocol_version = "1.3",
	.webkit_version = "537.36 (@a21ce95c24ce3964416f09ae1862f53f319eb4d0)",
};

void server_defaults(void)
{
	memset(&server, 0, sizeof(server));
	server.opts.address = "127.0.0.1";
	server.opts.port = 9222;
	server.opts.max_message = SERVER_MAX_MESSAGE;
	server.opts.http_header_timeout = 10;
	server.opts.http_idle_timeout = 60;
	server.opts.max_targets = 1000;
	server.opts.max_outbox = (size_t)256 * 1024 * 1024;
	server.id = server_chrome156;
	rng_init(&server.rng, 0);
	server.next_conn_id = 1;
	server.next_target_seq = 1;
}
