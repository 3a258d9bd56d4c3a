/* replay.h - --replay-strict: a command that a recording (any scenario's
 * incoming rules) does not answer gets an error naming it and the nearest
 * recorded command, instead of the model's answer (docs/record.md). */
#ifndef CDPM_REPLAY_H
#define CDPM_REPLAY_H

#include <stddef.h>

#include "buf.h"

struct conn;
struct scenario;
struct envelope;

/* replay_in() - the router's dispatch hook under --replay-strict; passes
 * recorded commands (and the Target domain, which the model owns) on to
 * script_in(). */
void replay_in(struct conn *c, struct envelope *e, const char *text, size_t len);
/* replay_timing_load() - --replay-timing real: loads the scenario at path
 * (a recording) with its recorded times ("replyAtMs", "atMs") made into
 * reply delays and timelines, so the replay keeps the recorded gaps.  A
 * scenario without such times loads as it is.  Returns 0 with *out a new
 * scenario, or scenload_file()'s errors and codes. */
int replay_timing_load(const char *path, struct buf *errors, struct scenario **out);
/* replay_fini() - frees the occurrence counters. */
void replay_fini(void);

#endif
