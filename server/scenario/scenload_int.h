/* scenload_int.h - what the scenario readers (scenload.c, scenact.c) share:
 * the reader's state and its small typed helpers.  Not for other files;
 * the public interface is scenload.h. */
#ifndef CDPM_SCENLOAD_INT_H
#define CDPM_SCENLOAD_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario/jcheck.h"
#include "scenario/scenario.h"

/* Times in files are milliseconds; a day is plenty. */
#define SL_MAX_MS 86400000.0

/* One file being read. */
struct sl {
	struct jcheck j;
	struct scenario *sc;
	int oom; /* an allocation failed: the load fails with CDPM_ENOMEM */
};

/* What an action may contain depends on where it is. */
enum sl_ctx { SL_IN, SL_OUT, SL_BYTE, SL_STEP };

/* scenload_alloc() - zeroed arena storage for the scenario; NULL sets oom. */
void *scenload_alloc(struct sl *L, size_t n);
/* scenload_fail_at() - an error about member key of obj, at its path. */
void scenload_fail_at(struct sl *L, const json_t *obj, const char *key, const char *expected);
/* scenload_ms() - member key as milliseconds (0 to a day) into *us; the
 * return is jcheck's (1 read, 0 absent, -1 invalid). */
int scenload_ms(struct sl *L, const json_t *obj, const char *key, int64_t *us);
/* scenload_size() - member key as an integer from min to max into *out. */
int scenload_size(struct sl *L, const json_t *obj, const char *key, int64_t min, int64_t max,
		  size_t *out);
/* scenload_who() - member key as a session (target 0: any, root, child, an
 * id) or a target (target 1: any, browser, page, an id). */
void scenload_who(struct sl *L, const json_t *o, const char *key, int target,
		  enum scenario_who *who, const char **id);

/* scenpage_runtime() / scenpage_performance() - the "runtime" and
 * "performance" sections (o, member of parent). */
void scenpage_runtime(struct sl *L, const json_t *o, const json_t *parent);
void scenpage_performance(struct sl *L, const json_t *o, const json_t *parent);

/* scenact_action() - reads action object v (member key of parent, or a step
 * when ctx is SL_STEP, whose keys the caller checked) into a. */
void scenact_action(struct sl *L, const json_t *v, const json_t *parent, const char *key,
		    enum sl_ctx ctx, struct scenario_action *a);
/* scenact_dest() - reads member "to" of o into d (untouched when absent). */
void scenact_dest(struct sl *L, const json_t *o, struct scenario_dest *d);

#endif
