/* tracetpl.h - the catalogue of trace events the fake browser records: one
 * template per (phase, category, name, args shape, thread kind), weighted so
 * that the default categories give Chrome's phase mix.  Data only; trace.c
 * turns templates into bytes. */
#ifndef CDPM_TRACETPL_H
#define CDPM_TRACETPL_H

#include <stddef.h>
#include <stdint.h>

enum tracetpl_kind {
	TPL_X,	   /* complete event: dur, usually tdur/tts */
	TPL_I,	   /* instant, "s":"t" */
	TPL_R,	   /* mark, "s":"t" */
	TPL_FLOW,  /* an "s" event and a later "f" event with the same id */
	TPL_ASYNC, /* a "b" event and a later "e" event with the same id2 */
	TPL_OPEN,  /* a "b" event whose "e" falls after the trace ends */
	TPL_N,	   /* async instant with a hex "id" */
	TPL_B,	   /* begin without end (Chrome's JSON shows no "E") */
	TPL_C,	   /* counter */
	TPL_KINDS
};

enum tracetpl_dur { TPL_SHORT, TPL_MED, TPL_LONG };

struct tracetpl {
	uint8_t kind;		   /* enum tracetpl_kind */
	uint8_t dur;		   /* enum tracetpl_dur, for TPL_X */
	uint8_t no_tts;		   /* never carries tts */
	uint32_t threads;	   /* TPC_* mask of threads it runs on */
	uint32_t weight;	   /* events per 23,175-event default-category trace */
	uint32_t var_lo, var_span; /* range of the '#' integer in args */
	const char *cat;	   /* category group, ASCII */
	const char *name;	   /* UTF-8 (escaped to \uXXXX on output) */
	/* args object as JSON text.  '#' is the per-event integer; @F@ the
	 * page's frame id, @U@ its URL, @N@ the navigation id, @P@ the page
	 * renderer's pid. */
	const char *args;
};

extern const struct tracetpl tracetpl_table[];
extern const size_t tracetpl_count;

#endif
