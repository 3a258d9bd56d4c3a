/* cdpc_url.h - splitting the http:// and ws:// URLs that CDP endpoints use
 * into host, port and path.  Only what cdpclient needs: no userinfo, no
 * percent-decoding, no TLS schemes. */
#ifndef CDPC_URL_H
#define CDPC_URL_H

struct cdpc_url {
	char host[256];     /* without brackets: "127.0.0.1", "::1", "localhost" */
	char hostport[272]; /* as the Host header wants it: "[::1]:9222" */
	int port;
	char path[2048];    /* starts with '/'; "/" when the URL has none */
};

/* cdpc_url_parse() - parses url, which must start with scheme followed by
 * "://" (compared case-insensitively).  A missing port is 80.  The host
 * may be empty (Chrome writes "ws:///devtools/..." when it saw no Host
 * header); the caller decides what that means.  CDPM_EINVAL for another
 * scheme or a malformed URL, CDPM_ETOOBIG for a host or path that does not
 * fit.  u is written even on failure, with unspecified content. */
int cdpc_url_parse(const char *url, const char *scheme, struct cdpc_url *u);

#endif
