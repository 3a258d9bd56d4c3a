/* scennames.c - method names of a scenario against the descriptor (see
 * scennames.h). */
#include "scenario/scennames.h"

#include <stdio.h>
#include <string.h>

#include "cdp/protocol.h"

static const char *scennames_kind(unsigned which)
{
	return which == PROTOCOL_COMMANDS ? "a command"
	       : which == PROTOCOL_EVENTS ? "an event"
					  : "a command or an event";
}

static unsigned scennames_of(const char *name)
{
	return (protocol_command_known(name) ? PROTOCOL_COMMANDS : 0u) |
	       (protocol_event_known(name) ? PROTOCOL_EVENTS : 0u);
}

int scennames_check(struct jcheck *j, const json_t *obj, const char *key, unsigned which,
		    const char *why)
{
	const json_t *v = json_object_get(obj, key);
	const char *name = json_string_value(v);
	char text[512];
	if (!name)
		return 0;
	if (strchr(name, '*')) {
		if (protocol_names_matching(name, which))
			return 0;
		snprintf(text, sizeof(text), "a glob that matches %s of the protocol (this one "
			 "matches none)", scennames_kind(which));
	} else {
		unsigned is = scennames_of(name);
		if (is & which)
			return 0;
		if (is) {
			snprintf(text, sizeof(text), "%s (\"%s\" is %s: %s)", scennames_kind(which),
				 name, scennames_kind(is), why);
		} else {
			const char *near = protocol_suggest(name, which);
			if (!near)
				near = protocol_suggest(name, PROTOCOL_COMMANDS | PROTOCOL_EVENTS);
			if (near)
				snprintf(text, sizeof(text), "%s of the protocol (did you mean \"%s\"?)",
					 scennames_kind(which), near);
			else
				snprintf(text, sizeof(text), "%s of the protocol", scennames_kind(which));
		}
	}
	size_t m = jcheck_push_key(j, key);
	jcheck_fail(j, v, obj, key, text);
	jcheck_pop(j, m);
	return -1;
}
