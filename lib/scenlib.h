/* scenlib.h - the scenario library by name.  `--scenario tracing/complete-never`
 * names a file of the library: scenarios/tracing/complete-never.json in the
 * source tree beside the build, or share/cdpmock/scenarios/ of an
 * installation.  The folders searched, in order:
 *   1. each folder of $CDPMOCK_SCENARIO_PATH (colon-separated);
 *   2. ../scenarios beside the executable's folder (the source tree: build/cdpmock);
 *   3. ../share/cdpmock/scenarios beside it (an installation, even under DESTDIR);
 *   4. the compiled-in CDPM_SCENARIO_DIR ($(PREFIX)/share/cdpmock/scenarios). */
#ifndef CDPM_SCENLIB_H
#define CDPM_SCENLIB_H

#include <stdio.h>

/* scenlib_set_exe() - the executable whose folder the search starts from
 * (borrowed; NULL: /proc/self/exe): cdpmock-selfcheck searches as the
 * cdpmock it checks would. */
void scenlib_set_exe(const char *path);

/* scenlib_resolve() - the file that arg names: arg itself when it is an
 * existing file, else NAME or NAME.json in the first library folder that
 * has it.  Returns a malloc'd path, or NULL after printing to err why
 * nothing matched (with the nearest library name, if one is close). */
char *scenlib_resolve(const char *arg, FILE *err);

/* scenlib_dir() - the first library folder of the search above that exists
 * (malloc'd), or NULL. */
char *scenlib_dir(void);

/* scenlib_list() - prints every library scenario whose name or description
 * contains keyword (case-insensitive; NULL: all) as "NAME  first line of
 * its description", sorted by name; a name found in two folders is listed
 * once, from the first.  Returns 0, or 1 if no library folder exists. */
int scenlib_list(const char *keyword, FILE *out, FILE *err);

#endif
