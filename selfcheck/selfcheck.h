/* selfcheck.h - `cdpmock --self-check`: runs the "check" of each scenario
 * file given against a private cdpmock (scenrun.h) and reports every step
 * and a verdict per file on stdout.  The command line only; the runner is
 * scenrun.h's. */
#ifndef CDPM_SELFCHECK_H
#define CDPM_SELFCHECK_H

/* selfcheck_main() - argv holds what followed --self-check: files,
 * folders (their *.json one and two levels deep) and --no-heavy.  Returns
 * the exit status: 0 when every file's check passed (or, with --no-heavy,
 * was a heavy one and skipped), 1 when one failed or a file has no check,
 * 2 for a bad command line. */
int selfcheck_main(int argc, char **argv);

#endif
