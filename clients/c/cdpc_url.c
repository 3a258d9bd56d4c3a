/* cdpc_url.c - URL splitting for cdpclient (see cdpc_url.h).  Not a general
 * URL parser: it accepts what Chrome prints and what people type. */
#include "cdpc_url.h"
#include "cdpm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Copies n bytes of s into dst[size] with a NUL; CDPM_ETOOBIG if too long. */
static int copy_part(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return CDPM_ETOOBIG;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int parse_port(const char *s, size_t n, int *port)
{
	long v = 0;
	if (n == 0 || n > 5)
		return CDPM_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return CDPM_EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return CDPM_EINVAL;
	*port = (int)v;
	return 0;
}

/* Splits the authority part "host[:port]" or "[v6][:port]". */
static int parse_authority(const char *s, size_t n, struct cdpc_url *u)
{
	const char *host = s, *colon = NULL;
	size_t hlen = n;
	int rc;

	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return CDPM_EINVAL;
		host = s + 1;
		hlen = (size_t)(close - host);
		if (close + 1 < s + n) {
			if (close[1] != ':')
				return CDPM_EINVAL;
			colon = close + 1;
		}
	} else {
		colon = memchr(s, ':', n);
		if (colon)
			hlen = (size_t)(colon - s);
	}
	u->port = 80;
	if (colon) {
		rc = parse_port(colon + 1, (size_t)(s + n - colon - 1), &u->port);
		if (rc)
			return rc;
	}
	rc = copy_part(u->host, sizeof(u->host), host, hlen);
	if (rc)
		return rc;
	/* The Host header keeps the brackets and always names the port, as
	 * browsers do when they connect to a DevTools port. */
	int w = snprintf(u->hostport, sizeof(u->hostport), "%s%s%s:%d",
			 s[0] == '[' ? "[" : "", u->host, s[0] == '[' ? "]" : "", u->port);
	if (w < 0 || (size_t)w >= sizeof(u->hostport))
		return CDPM_ETOOBIG;
	return 0;
}

int cdpc_url_parse(const char *url, const char *scheme, struct cdpc_url *u)
{
	size_t slen = strlen(scheme);
	const char *p, *auth_end;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, scheme, slen) || strncmp(url + slen, "://", 3))
		return CDPM_EINVAL;
	p = url + slen + 3;
	auth_end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(auth_end - p)))
		return CDPM_EINVAL;
	int rc = parse_authority(p, (size_t)(auth_end - p), u);
	if (rc)
		return rc;
	if (*auth_end == '\0')
		return copy_part(u->path, sizeof(u->path), "/", 1);
	if (*auth_end != '/')
		return CDPM_EINVAL;
	/* A fragment never goes on the wire. */
	return copy_part(u->path, sizeof(u->path), auth_end, strcspn(auth_end, "#"));
}
