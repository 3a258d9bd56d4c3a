/* network.h - the Network domain of a page target (domains/network.c), as
 * the Page domain drives it: the one request a navigation makes, for its
 * document, reported to the sessions that enabled Network.  There is no
 * network: a data: URL's document is its payload, any other is empty and
 * answers 200.  The Network.* commands themselves are not exported. */
#ifndef CDPM_NETWORK_H
#define CDPM_NETWORK_H

struct pagestate;
struct session;

/* network_enabled() - 1 if s has sent Network.enable (and not disable). */
int network_enabled(const struct session *s);

/* network_document_start() - a navigation of pt to its target's URL began
 * with pt->loader_id: Network.requestWillBeSent (requestId = loaderId,
 * type Document) to every Network-enabled session of the page, which
 * remembers the request for Network.getResponseBody.  about: URLs make no
 * request and send nothing, as in Chrome. */
void network_document_start(struct pagestate *pt);

/* network_document_response() - Network.responseReceived for that
 * request: 200, the document's MIME type and headers. */
void network_document_response(struct pagestate *pt);

/* network_document_loaded() - Network.dataReceived (when the document has
 * bytes) and Network.loadingFinished for that request. */
void network_document_loaded(struct pagestate *pt);

#endif
