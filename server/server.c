/* server.c - process-wide settings and the Chrome 156 identity (see server.h). */
#include "server.h"

#include <string.h>

#include "ws.h"

struct server_state server;

void server_defaults(void)
{
	memset(&server, 0, sizeof(server));
	server.opts.address = "127.0.0.1";
	server.opts.port = 9222;
	server.opts.max_message = WS_DEFAULT_MAX_MESSAGE;
	/* CHROMIUM.md 0: Browser.getVersion of headless Chromium 156. */
	server.id.product = "Chrome/156.0.8078.79";
	server.id.revision = "@a21ce95c24ce3964416f09ae1862f53f319eb4d0";
	server.id.user_agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
			       "Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";
	server.id.js_version = "15.6.75.27";
	server.id.protocol_version = "1.3";
	server.id.webkit_version = "537.36 (@a21ce95c24ce3964416f09ae1862f53f319eb4d0)";
	rng_init(&server.rng, 0);
	server.next_conn_id = 1;
	server.next_target_seq = 1;
}
