/* scenload.h - reads and validates scenario files (docs/scenario-format.md)
 * into a struct scenario.  Every problem is reported as
 * "file:line:column: JSON path: expected X, found Y", one line each; unknown
 * keys are errors.  Running what was loaded is script.c's job. */
#ifndef CDPM_SCENLOAD_H
#define CDPM_SCENLOAD_H

#include <stddef.h>

#include "buf.h"

struct scenario;

/* scenload_text() - parses text[0..len) (need not be NUL-terminated); file
 * names it in messages and gives the default scenario name.  On success
 * returns 0 and *out is a new heap scenario (scenario_free()).  Otherwise
 * *out is NULL, one line per error is appended to errors, and the return is
 * CDPM_ESCENARIO (or CDPM_ETOOBIG past SCENARIO_MAX_FILE, CDPM_ENOMEM). */
int scenload_text(const char *text, size_t len, const char *file, struct buf *errors,
		  struct scenario **out);

/* scenload_text_in() - scenload_text() of a file's text (changed by the
 * caller) that lives in dir: {"$file": NAME} values are read from there. */
int scenload_text_in(const char *text, size_t len, const char *file, const char *dir,
		     struct buf *errors, struct scenario **out);

/* scenload_file() - reads path and calls scenload_text().  A file that
 * cannot be read gives "path: cannot read: reason" and CDPM_EIO. */
int scenload_file(const char *path, struct buf *errors, struct scenario **out);

#endif
