/* wire.h - what went over the wire in a case, read back from cdpmock's
 * journal (JSON Lines, see cdpmock(1)), and the checks that look only at
 * it: send, notSend, noCommandAfter, closeStreams and protocol. */
#ifndef CONFORM_WIRE_H
#define CONFORM_WIRE_H

#include <jansson.h>
#include <stddef.h>

#include "evdigest.h"

#define WIRE_MAX_DIGESTS 16

/* The digests cdpmock recorded (--digests): one per trace in order, and
 * the sums over every profile, console profile and coverage take. */
struct wire_digests {
	struct evdigest trace[WIRE_MAX_DIGESTS];
	size_t n_trace;
	struct evdigest profile; /* the last Profiler.stop */
	int has_profile;
	struct evdigest console, coverage;
	int data_loss; /* some tracingComplete said dataLossOccurred:true */
};

struct wire {
	json_t *lines; /* the journal's lines, in order */
	struct wire_digests d;
};

/* wire_load() - reads the journal file.  0, or -1 when it is missing. */
int wire_load(struct wire *w, const char *journal);
void wire_clear(struct wire *w);

/* Each check below returns 0 when it holds, else -1 with a one-line
 * reason (a heap string) in *why. */
int wire_send(const struct wire *w, const json_t *patterns, char **why);
int wire_not_send(const struct wire *w, const json_t *patterns, char **why);
int wire_no_command_after(const struct wire *w, const char *event, char **why);
int wire_close_streams(const struct wire *w, char **why);
int wire_protocol(const struct wire *w, char **why);

#endif
