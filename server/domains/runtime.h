/* runtime.h - execution contexts of a page's document, as the Runtime
 * domain (domains/runtime.c) reports them.  Page navigation and
 * Page.createIsolatedWorld call these; the Runtime.* commands themselves are
 * not exported. */
#ifndef CDPM_RUNTIME_H
#define CDPM_RUNTIME_H

struct pagestate;
struct pagestate_context;
struct session;

/* runtime_enabled() - 1 if s has sent Runtime.enable (and not disable). */
int runtime_enabled(const struct session *s);

/* runtime_context_new() - creates an execution context in pt's current
 * document (name "" and is_default for the main world) and sends
 * Runtime.executionContextCreated to every Runtime-enabled session of the
 * page.  *out (may be NULL) borrows the context until the next navigation.
 * CDPM_ETOOBIG past PAGESTATE_MAX_CONTEXTS. */
int runtime_context_new(struct pagestate *pt, const char *name, int is_default,
			const struct pagestate_context **out);

/* runtime_document_cleared() - a navigation committed: drops every context
 * of pt and sends Runtime.executionContextsCleared. */
void runtime_document_cleared(struct pagestate *pt);

/* runtime_document_created() - the new document's main world, then one
 * isolated world per distinct name that sessions registered through
 * Page.addScriptToEvaluateOnNewDocument {worldName}
 * (pagestate_document_contexts()), each announced as
 * runtime_context_new() announces one. */
void runtime_document_created(struct pagestate *pt);

#endif
