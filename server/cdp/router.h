/* router.h - from a complete text message to a domain handler.  It runs
 * the envelope checks (envelope.c), writes the message to the journal,
 * hands the checked command to the dispatch hook the layer above installed
 * (the scenario's rules), and on router_run() finds the session and the
 * method, validates params against the protocol descriptor and calls the
 * handler.  Replies and errors are written by call.c. */
#ifndef CDPM_ROUTER_H
#define CDPM_ROUTER_H

#include <stddef.h>

#include "cdp/call.h"

struct conn;
struct envelope;
struct session;
struct target;

/* A handler returns 0 after call_reply*(), or the value of call_error(). */
typedef int (*method_fn)(struct call *c);

struct method {
	const char *name;      /* "enable" (the domain adds "Profiler.") */
	method_fn fn;
};

struct domain {
	const char *name;      /* "Profiler" */
	unsigned targets;      /* TARGET_* bits where the domain exists */
	const struct method *methods;
	size_t n_methods;
	void (*session_gone)(struct session *s); /* may be NULL */
	/* A page closed (or the browser exits) after its sessions went: free
	 * what the domain kept for it.  May be NULL. */
	void (*target_gone)(struct target *t);
};

/* The hook a checked command goes to: it runs it with router_run() or
 * answers it itself.  text is the message as received. */
typedef void (*router_dispatch_fn)(struct conn *c, struct envelope *e, const char *text,
				   size_t len);

/* router_init() - the domains that serve commands (borrowed; they must live
 * as long as the process) and the dispatch hook (NULL: router_run). */
void router_init(const struct domain *const *domains, size_t n, router_dispatch_fn dispatch);

/* router_on_message() - handles one complete text message from c: the
 * journal, Chrome's envelope checks, then the dispatch hook. */
void router_on_message(struct conn *c, const char *text, size_t len);
/* router_run() - dispatches a checked envelope to its domain handler and
 * sends the reply (or the error). */
void router_run(struct conn *c, struct envelope *e);

/* router_domains() - the domain table (for session_gone hooks). */
const struct domain *const *router_domains(size_t *n);

#endif
