/* digest.h - with --digests, cdpmock records in the journal a count and a
 * digest (lib/evdigest.h) of every trace, CPU profile, console profile and
 * coverage it sends, so that a conformance runner can check that a client
 * handed its user exactly those events, not the same bytes.  One journal
 * line each:
 *   {"t":..,"conn":N,"dir":"note","msg":{"digest":KIND,"count":N,"sum":HEX}}
 * KIND is "trace" (count = events), "profile", "console-profile" or
 * "coverage" (count = ScriptCoverage entries of one take).  Off by
 * default: a trace digest regenerates the trace once more. */
#ifndef CDPM_DIGEST_H
#define CDPM_DIGEST_H

/* digest_enable() - turns recording on: installs the journal tap for
 * profiles and coverage and turns on tracing_digest(). */
void digest_enable(void);

#endif
