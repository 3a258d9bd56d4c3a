/* debugger.h - the Debugger domain of a page target (domains/debugger.c),
 * as navigations drive it: a new document's scripts are announced to the
 * sessions that enabled the Debugger.  The Debugger.* commands themselves
 * are not exported. */
#ifndef CDPM_DEBUGGER_H
#define CDPM_DEBUGGER_H

struct pagestate;

/* debugger_document_created() - pt's new document compiled its scripts:
 * Debugger.scriptParsed for each script of pt's set to every
 * Debugger-enabled session of the page. */
void debugger_document_created(struct pagestate *pt);

#endif
