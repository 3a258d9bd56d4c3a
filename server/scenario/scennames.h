/* scennames.h - a scenario's method names checked against the built-in
 * protocol descriptor, so that a rule or expectation that could never fire
 * (a misspelt method, an event where a command belongs) is a load error
 * with a "did you mean" hint instead of a silent no-op. */
#ifndef CDPM_SCENNAMES_H
#define CDPM_SCENNAMES_H

#include <jansson.h>

#include "scenario/jcheck.h"

/* scennames_check() - member key of obj is a method name or glob (already
 * known to be a string) that must name something of the kinds in which
 * (PROTOCOL_COMMANDS | PROTOCOL_EVENTS, cdp/protocol.h).  Reports at key's
 * path when it names nothing: an unknown name (with the nearest one), a
 * name of the other kind ("Tracing.end" is a command: why), or a glob that
 * matches no name of those kinds.  Returns 0 if fine, -1 if reported. */
int scennames_check(struct jcheck *j, const json_t *obj, const char *key, unsigned which,
		    const char *why);

#endif
