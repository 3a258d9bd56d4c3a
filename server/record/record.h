/* record.h - the recording proxy (cdpmock --record-upstream URL --record
 * FILE): discovery and every WebSocket are forwarded to an upstream
 * browser, the URLs it returns point back at cdpmock, and the session is
 * written as a scenario file that replays it (docs/record.md). */
#ifndef CDPM_RECORD_H
#define CDPM_RECORD_H

struct conn_hooks;

/* record_init() - upstream is "http://HOST:PORT"; file the scenario to
 * write; redact the --record-redact specs (NULL-terminated, borrowed for
 * the process's life).  It asks the upstream for /json/version once, and
 * waits for it (at most 10 s): a recorder without its browser is an error.
 * 0, or CDPM_EINVAL / CDPM_EIO with a message on stderr. */
int record_init(const char *upstream, const char *file, const char *const *redact);
/* record_browser_path() - the upstream browser's WebSocket path
 * (/devtools/browser/ID, asked once at record_init), for the banner and
 * DevToolsActivePort; NULL when not recording. */
const char *record_browser_path(void);
/* record_hooks() - the connection hooks that proxy and record. */
const struct conn_hooks *record_hooks(void);
/* record_write() - writes FILE (and FILE.d/) from what was recorded so far.
 * 0 or CDPM_E* (with a message on stderr). */
int record_write(void);
/* record_fini() - writes the file one last time and frees everything. */
void record_fini(void);

#endif
