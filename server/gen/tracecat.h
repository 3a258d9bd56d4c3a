/* tracecat.h - decides whether a trace category group is recorded under a
 * Tracing.start category filter, with Chrome's (Perfetto track_event) rules.
 * Not the parser of the legacy "-*,foo" categories string: the Tracing
 * domain turns that into the two lists first. */
#ifndef CDPM_TRACECAT_H
#define CDPM_TRACECAT_H

#include <stddef.h>

/* A filter borrows its pattern arrays; they must outlive it. */
struct tracecat {
	const char *const *incl; /* includedCategories (may be NULL when n_incl is 0) */
	size_t n_incl;
	const char *const *excl; /* excludedCategories */
	size_t n_excl;
};

#define TRACECAT_DBD_PREFIX "disabled-by-default-"

/* tracecat_init() - a filter over the two lists; never fails. */
void tracecat_init(struct tracecat *f, const char *const *incl, size_t n_incl,
		   const char *const *excl, size_t n_excl);

/* tracecat_enabled() - 1 when events of the category group (one category or
 * a comma-separated group such as "toplevel,mojom") are recorded, else 0.
 *
 * Chrome 156 turns the TraceConfig into a Perfetto TrackEventConfig
 * (TraceConfig::ToPerfettoTrackEventConfigRaw): included names become
 * enabled patterns, excluded ones disabled patterns, "__metadata" is always
 * enabled, and unless either list holds "*" it adds enabled "*" when there
 * is no plain (non-"disabled-by-default-") include, else disabled "*".
 * Perfetto then decides each category by, in order: exact enabled, exact
 * disabled, wildcard enabled, wildcard disabled, else on; a
 * "disabled-by-default-*" category carries the "slow" tag, so it is off
 * unless named exactly or by a pattern that itself starts with the prefix.
 * Consequences: an exact exclude beats a wildcard include, an exact include
 * beats a wildcard exclude (puppeteer's excludedCategories ["*"]), and with
 * no plain include a wildcard exclude such as "v8*" loses to the implied
 * "*" (an exact "v8" does exclude).  A group is on when any member is. */
int tracecat_enabled(const struct tracecat *f, const char *group);

/* tracecat_match() - glob match of name against pattern ('*' any run, '?'
 * one character); 1 or 0.  Exposed for the tests. */
int tracecat_match(const char *pattern, const char *name, size_t name_len);

#endif
