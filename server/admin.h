/* admin.h - the admin API under /mock/ on the DevTools port, for tests
 * that drive the mock from outside (in the way WireMock's admin API works):
 * health, the journal as JSON Lines, loading a scenario, reset, emitting an
 * event now.  Only loopback peers get answers; anyone else gets 403.  It is
 * not part of Chrome's surface: /json and /devtools are http.c's. */
#ifndef CDPM_ADMIN_H
#define CDPM_ADMIN_H

#include <stddef.h>

struct conn;

/* The largest request body (a scenario file). */
#define ADMIN_MAX_BODY ((size_t)16 * 1024 * 1024)

/* admin_request() - answers one /mock/... request on c (an HTTP
 * connection); query may be NULL.  Returns 0, or a negative CDPM_E* when
 * the connection must be dropped. */
int admin_request(struct conn *c, const char *method, const char *path, const char *query,
		  const char *body, size_t body_len);

/* admin_peer_is_loopback() - 1 if fd's peer is 127.0.0.0/8 or ::1. */
int admin_peer_is_loopback(int fd);

#endif
