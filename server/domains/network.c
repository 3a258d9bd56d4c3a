/* network.c - the Network domain of a page target (network.h): enable and
 * disable, the setup commands clients send (answered {} as Chrome does),
 * the document request of each navigation and Network.getResponseBody for
 * it.  Only documents are requests here: no subresources, cookies or
 * interception.  The event shapes and key orders are Chrome 156's
 * (docs/chrome.md §11.1). */
#include "domains/network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "cdpm.h"
#include "clock.h"
#include "domains/io.h"
#include "domains/pagestate.h"
#include "journal.h"
#include "net/conn.h"
#include "numfmt.h"
#include "server.h"
#include "cdp/router.h"
#include "cdp/slots.h"
#include "cdp/targets.h"

/* Requests a session remembers for getResponseBody (Chrome keeps a
 * resource buffer; the last few documents are what clients ask for). */
#define NETWORK_KEEP 8

struct network_request {
	char id[33];
	char *url;
};

/* Per-session Network state (SLOT_NETWORK). */
struct network_session {
	int enabled;
	struct network_request req[NETWORK_KEEP];
	size_t next; /* the slot the next request takes */
};

int network_enabled(const struct session *s)
{
	const struct network_session *ns = s->dom[SLOT_NETWORK];
	return ns && ns->enabled;
}

static void network_session_gone(struct session *s)
{
	struct network_session *ns = s->dom[SLOT_NETWORK];
	if (!ns)
		return;
	for (size_t i = 0; i < NETWORK_KEEP; i++)
		free(ns->req[i].url);
	free(ns);
	s->dom[SLOT_NETWORK] = NULL;
}

static void network_remember(struct session *s, const char *id, const char *url)
{
	struct network_session *ns = s->dom[SLOT_NETWORK];
	struct network_request *r = &ns->req[ns->next];
	char *u = strdup(url);
	if (!u) {
		journal_note(conn_id(s->conn), "Network: request %s not kept: out of memory", id);
		return;
	}
	free(r->url);
	r->url = u;
	snprintf(r->id, sizeof(r->id), "%s", id);
	ns->next = (ns->next + 1) % NETWORK_KEEP;
}

/* A navigation to an about: URL loads nothing from the network. */
static int network_makes_request(const struct pagestate *pt)
{
	return strncmp(pt->target->url, "about:", 6) != 0;
}

/* Sends params to every Network-enabled session of pt (noting a build
 * failure in each one's journal instead); remember: also keep the
 * document's request in each. */
static void network_broadcast(struct pagestate *pt, const char *method, const struct buf *p,
			      int remember)
{
	struct target *t = pt->target;
	int rc = buf_finish(p);
	for (struct session *s = pagestate_each_session(t, NULL); s;
	     s = pagestate_each_session(t, s)) {
		if (!network_enabled(s))
			continue;
		if (rc) {
			journal_note(conn_id(s->conn), "%s not sent: %s", method,
				     cdpm_strerror(rc));
			continue;
		}
		if (remember)
			network_remember(s, pt->loader_id, t->url);
		call_event_raw(s, method, p->data, p->len);
	}
}

static int network_is_web(const char *url)
{
	return !strncmp(url, "http:", 5) || !strncmp(url, "https:", 6);
}

void network_document_start(struct pagestate *pt)
{
	if (!network_makes_request(pt))
		return;
	const char *url = pt->target->url, *hash = strchr(url, '#');
	size_t ul = hash ? (size_t)(hash - url) : strlen(url);
	struct buf p;
	buf_init(&p, 0);
	buf_printf(&p, "{\"requestId\":\"%s\",\"loaderId\":\"%s\",\"documentURL\":", pt->loader_id,
		   pt->loader_id);
	buf_add_json_str(&p, url, ul, 1);
	buf_adds(&p, ",\"request\":{\"url\":");
	buf_add_json_str(&p, url, ul, 1);
	if (hash) {
		buf_adds(&p, ",\"urlFragment\":");
		buf_add_json_str(&p, hash, strlen(hash), 1);
	}
	buf_adds(&p, ",\"method\":\"GET\",\"headers\":{");
	if (network_is_web(url)) {
		/* What a browser-initiated navigation carries at this point. */
		buf_adds(&p, "\"Upgrade-Insecure-Requests\":\"1\",\"User-Agent\":");
		buf_add_json_str(&p, server.id.user_agent, strlen(server.id.user_agent), 1);
	}
	buf_adds(&p, "},\"mixedContentType\":\"none\",\"initialPriority\":\"VeryHigh\","
		     "\"referrerPolicy\":\"strict-origin-when-cross-origin\",\"isSameSite\":true},"
		     "\"timestamp\":");
	numfmt_add_seconds(&p, clock_now_us());
	buf_adds(&p, ",\"wallTime\":");
	numfmt_add(&p, (double)clock_wall_us() / 1e6);
	buf_printf(&p,
		   ",\"initiator\":{\"type\":\"other\"},\"redirectHasExtraInfo\":false,"
		   "\"type\":\"Document\",\"frameId\":\"%s\",\"hasUserGesture\":false}",
		   pt->target->id);
	network_broadcast(pt, "Network.requestWillBeSent", &p, 1);
	buf_clear(&p);
}

void network_document_response(struct pagestate *pt)
{
	if (!network_makes_request(pt))
		return;
	const char *url = pt->target->url, *hash = strchr(url, '#');
	size_t ul = hash ? (size_t)(hash - url) : strlen(url);
	struct pagestate_data_url d;
	int data = pagestate_data_url(url, &d);
	struct buf p;
	buf_init(&p, 0);
	buf_printf(&p, "{\"requestId\":\"%s\",\"loaderId\":\"%s\",\"timestamp\":", pt->loader_id,
		   pt->loader_id);
	numfmt_add_seconds(&p, clock_now_us());
	buf_adds(&p, ",\"type\":\"Document\",\"response\":{\"url\":");
	buf_add_json_str(&p, url, ul, 1);
	buf_adds(&p, ",\"status\":200,\"statusText\":\"OK\",\"headers\":{\"Content-Type\":");
	const char *type = data ? d.type : "text/html", *mime = data ? d.mime : "text/html";
	buf_add_json_str(&p, type, strlen(type), 1);
	buf_adds(&p, "},\"mimeType\":");
	buf_add_json_str(&p, mime, strlen(mime), 1);
	buf_adds(&p, ",\"charset\":");
	buf_add_json_str(&p, data ? d.charset : "", data ? strlen(d.charset) : 0, 1);
	buf_adds(&p, ",\"connectionReused\":false,\"connectionId\":0,\"remoteIPAddress\":\"\","
		     "\"remotePort\":0,\"fromDiskCache\":false,\"fromServiceWorker\":false,"
		     "\"fromPrefetchCache\":false,\"encodedDataLength\":");
	/* A data: URL is "secure" and has no wire; a made-up http response
	 * says what its scheme would. */
	if (data)
		buf_adds(&p, "-1,\"protocol\":\"data\",\"alternateProtocolUsage\":"
			     "\"alternativeJobWonWithoutRace\",\"securityState\":\"secure\"");
	else
		buf_printf(&p,
			   "0,\"protocol\":\"http/1.1\",\"alternateProtocolUsage\":"
			   "\"unspecifiedReason\",\"securityState\":\"%s\"",
			   !strncmp(url, "https:", 6) ? "secure" : "insecure");
	buf_printf(&p, "},\"hasExtraInfo\":false,\"frameId\":\"%s\"}", pt->target->id);
	network_broadcast(pt, "Network.responseReceived", &p, 0);
	buf_clear(&p);
}

void network_document_loaded(struct pagestate *pt)
{
	if (!network_makes_request(pt))
		return;
	struct pagestate_data_url d;
	struct buf body, p;
	buf_init(&body, 0);
	buf_init(&p, 0);
	pagestate_document_body(pt->target->url, &d, &body);
	size_t n = body.len;
	buf_clear(&body);
	int64_t now = clock_now_us();
	if (n) {
		buf_printf(&p, "{\"requestId\":\"%s\",\"timestamp\":", pt->loader_id);
		numfmt_add_seconds(&p, now);
		buf_printf(&p, ",\"dataLength\":%zu,\"encodedDataLength\":0}", n);
		network_broadcast(pt, "Network.dataReceived", &p, 0);
		buf_reset(&p);
	}
	buf_printf(&p, "{\"requestId\":\"%s\",\"timestamp\":", pt->loader_id);
	numfmt_add_seconds(&p, now);
	buf_printf(&p, ",\"encodedDataLength\":%zu}", n);
	network_broadcast(pt, "Network.loadingFinished", &p, 0);
	buf_clear(&p);
}

/* ---- commands ---- */

static struct network_session *network_session_get(struct session *s)
{
	if (!s->dom[SLOT_NETWORK])
		s->dom[SLOT_NETWORK] = calloc(1, sizeof(struct network_session));
	return s->dom[SLOT_NETWORK];
}

static int network_enable(struct call *c)
{
	struct network_session *ns = network_session_get(c->session);
	if (!ns)
		return CDPM_ENOMEM;
	ns->enabled = 1;
	return call_reply(c, NULL);
}

/* Disabling drops what the session kept, as Chrome's resource buffer
 * goes with the agent. */
static int network_disable(struct call *c)
{
	network_session_gone(c->session);
	return call_reply(c, NULL);
}

static int network_ok(struct call *c)
{
	return call_reply(c, NULL);
}

/* Valid UTF-8 with no NUL: what getResponseBody may return as text. */
static int network_is_text(const char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char ch = (unsigned char)p[i];
		size_t k;
		if (!ch)
			return 0;
		else if (ch < 0x80)
			k = 0;
		else if (ch >= 0xc2 && ch < 0xe0)
			k = 1;
		else if (ch >= 0xe0 && ch < 0xf0)
			k = 2;
		else if (ch >= 0xf0 && ch < 0xf5)
			k = 3;
		else
			return 0;
		if (i + k >= n)
			return 0;
		for (size_t j = 1; j <= k; j++)
			if (((unsigned char)p[i + j] & 0xc0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

static int network_get_body(struct call *c)
{
	const struct network_session *ns = c->session->dom[SLOT_NETWORK];
	const char *id = json_string_value(json_object_get(c->params, "requestId"));
	const char *url = NULL;
	for (size_t i = 0; ns && i < NETWORK_KEEP && !url; i++)
		if (ns->req[i].url && !strcmp(ns->req[i].id, id))
			url = ns->req[i].url;
	if (!url)
		return call_error(c, CDP_SERVER_ERROR, "No resource with given identifier found",
				  NULL);
	struct pagestate_data_url d;
	struct buf body, b;
	buf_init(&body, 0);
	int rc = pagestate_document_body(url, &d, &body);
	if (rc == CDPM_EINVAL) {
		buf_reset(&body);
		rc = 0;
	}
	if (rc) {
		buf_clear(&body);
		return rc;
	}
	int text = network_is_text(body.data ? body.data : "", body.len);
	call_reply_begin(c, &b);
	buf_adds(&b, "{\"body\":");
	if (text) {
		buf_add_json_str(&b, body.data ? body.data : "", body.len, 1);
	} else {
		buf_addc(&b, '"');
		b64_encode_buf(&b, body.data, body.len);
		buf_addc(&b, '"');
	}
	buf_printf(&b, ",\"base64Encoded\":%s}", text ? "false" : "true");
	buf_clear(&body);
	rc = buf_finish(&b);
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return call_reply_end(c, &b);
}

/* clang-format off */
static const struct method network_methods[] = {
	{"clearBrowserCache", network_ok},
	{"disable", network_disable},
	{"emulateNetworkConditions", network_ok},
	{"enable", network_enable},
	{"getResponseBody", network_get_body},
	{"setBlockedURLs", network_ok},
	{"setBypassServiceWorker", network_ok},
	{"setCacheDisabled", network_ok},
	{"setExtraHTTPHeaders", network_ok},
	{"setUserAgentOverride", network_ok},
};
/* clang-format on */

const struct domain network_domain = {
	.name = "Network",
	.targets = TARGET_PAGE,
	.methods = network_methods,
	.n_methods = CDPM_ARRAY_LEN(network_methods),
	.session_gone = network_session_gone,
};
