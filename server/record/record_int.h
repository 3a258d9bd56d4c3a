/* record_int.h - what the recording proxy's files share (record.h is the
 * outside view): the recorded connections and their messages. */
#ifndef CDPM_RECORD_INT_H
#define CDPM_RECORD_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct conn;
struct upstream;

/* One message of a recorded WebSocket, in the order it passed. */
struct rec_msg {
	int from_client;  /* a command; else a reply or an event */
	uint64_t seq;     /* order across every connection */
	int64_t t_us;     /* since the recording started */
	json_t *msg;      /* owned */
};

/* One proxied WebSocket: the client's connection and the upstream's. */
struct rec_ws {
	struct conn *c;          /* NULL once the client is gone */
	struct upstream *u;      /* NULL once the upstream is gone */
	char *path;              /* /devtools/browser/ID or /devtools/page/ID */
	int open;                /* the upstream answered 101 */
	struct buf in;           /* upstream bytes not yet parsed */
	struct buf frag;         /* a fragmented upstream message */
	struct buf early;        /* client frames held until the upstream's 101:
				  * Chrome drops a connection whose frames come
				  * before it has answered the handshake */
	struct rec_msg *msgs;
	size_t n_msgs, cap_msgs;
	struct rec_ws *next;
};

struct rec_state {
	char *host;              /* upstream host, as given */
	int port;
	char hostport[300];      /* "HOST:PORT": what upstream URLs contain */
	const char *file;
	char browser_path[128];  /* the upstream's /devtools/browser/ID */
	const char *const *redact;
	json_t *version;         /* /json/version, the first one seen */
	json_t *pages;           /* /json/list, the first one seen */
	struct rec_ws *ws;       /* every WebSocket, newest first */
	uint64_t seq;
	int64_t t0_us;
};

extern struct rec_state rec;

/* recfile.c: the scenario from what was recorded. */
int rec_write_file(void);
/* rec_subset() - does p match v as a rule's match.params does (objects by
 * key, arrays element by element, scalars equal)? */
int rec_subset(const json_t *p, const json_t *v);

/* redact.c: --record-redact. */
int rec_redact_check(const char *const *specs);
/* rec_redact() - redacts msg in place; a command's redacted params keys are
 * removed instead (the rule then matches whatever the client sends). */
void rec_redact(json_t *msg, int is_command);
/* rec_redact_string_tree() - redacts by pattern every string in v. */
void rec_redact_strings(json_t *v);
void rec_redact_fini(void);

#endif
