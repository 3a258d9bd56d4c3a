/* server.h - process-wide settings and identity: the options from the
 * command line, the browser's version strings and uuid, the seeded rng.
 * Everything here is read-mostly; the scenario may override the identity. */
#ifndef CDPM_SERVER_H
#define CDPM_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

/* Default inbound message cap (--max-message-size): what clients commonly
 * allow (the ws package's maxPayload). */
#define SERVER_MAX_MESSAGE ((size_t)256 * 1024 * 1024)

struct server_identity {
	const char *product;         /* "Chrome/156.0.8078.79" */
	const char *revision;        /* "@a21ce95c..." */
	const char *user_agent;
	const char *js_version;
	const char *protocol_version;/* "1.3" */
	const char *webkit_version;  /* "537.36 (@a21ce...)" */
};

struct server_opts {
	const char *address;         /* --remote-debugging-address */
	int port;                    /* --remote-debugging-port */
	int pipe;                    /* --remote-debugging-pipe */
	char **allow_origins;        /* --remote-allow-origins, NULL-terminated */
	int allow_any_origin;
	const char *user_data_dir;
	const char *scenario;
	const char *journal;
	const char *url;             /* the first page's URL from the command line */
	uint64_t seed;
	int seed_set;                /* --seed given: it beats the scenario's */
	int virtual_clock;
	int no_deflate;              /* refuse permessage-deflate */
	size_t max_message;          /* inbound message cap */
	/* Limits (cdpmock(1) LIMITS); 0 turns a limit off. */
	int http_header_timeout;     /* s for a request head (and body) to arrive */
	int http_idle_timeout;       /* s a keep-alive connection may sit idle */
	size_t max_targets;          /* open page targets */
	size_t max_outbox;           /* bytes queued for one connection */
	size_t journal_ring;         /* memory of the /mock/journal ring (0: none) */
};

struct server_state {
	struct server_opts opts;
	struct server_identity id;
	int bound_port;
	char origin[128];            /* "http://127.0.0.1:PORT": the allowed origin */
	struct rng rng;
	struct rng rng_pages;        /* rng right after the browser target: reset
				      * restarts page ids from here */
	unsigned next_conn_id;
	unsigned next_target_seq;
	unsigned next_page_seq;      /* next_target_seq after the browser target */
};

extern struct server_state server;
/* Chrome 156's identity, the default for server.id. */
extern const struct server_identity server_chrome156;

/* server_defaults() - fills opts and identity with Chrome 156's values. */
void server_defaults(void);

#endif
