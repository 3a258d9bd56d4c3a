/* attach.h - what attaching to, creating and closing targets tells the
 * clients (docs/chrome.md §5): TargetInfo objects, Chrome's target filters,
 * flat sessions with their Target.attachedToTarget and
 * Target.detachedFromTarget events, auto-attach (at the browser: tabs, or
 * pages when the filter excludes tabs; in a tab: its page), and the
 * targetCreated / targetInfoChanged / targetDestroyed events that
 * discovering sessions receive.  The registry is targets.c; the Target.*
 * commands are domains/target.c. */
#ifndef CDPM_ATTACH_H
#define CDPM_ATTACH_H

#include <jansson.h>

struct session;
struct target;

/* How a TargetInfo is written. */
enum {
	ATTACH_INFO_DETACHED = 1, /* "attached":false whatever the sessions say */
	ATTACH_INFO_BLANK = 2,    /* url and title "" (a closed target) */
};

/* attach_target_info() - t's TargetInfo in Chrome's key order: targetId,
 * type, title, url, attached, canAccessOpener, then browserContextId (not
 * for the browser) and a tab's embedderData.  NULL on ENOMEM. */
json_t *attach_target_info(const struct target *t, int how);
/* attach_is_attached() - 1 when a session or page socket is on t (the
 * browser always is). */
int attach_is_attached(const struct target *t);

/* attach_filter() - the TARGET_* types a TargetFilter admits, into *allow:
 * the first entry whose type matches (or that has none) decides, and a
 * type no entry matches is excluded.  filter NULL: Chrome's default,
 * [{type:"browser",exclude:true},{type:"tab",exclude:true},{}], which
 * admits pages only. */
void attach_filter(const json_t *filter, unsigned *allow);

/* attach_send_info() - {"targetInfo":...} as event method ("Target.
 * targetCreated" or "Target.targetInfoChanged") to every discovering
 * session whose filter admits t. */
void attach_send_info(const struct target *t, const char *method, int how);
/* attach_send_destroyed() - Target.targetDestroyed to the same sessions. */
void attach_send_destroyed(const struct target *t);

/* attach_session() - a new flat session on t, attached through parent (on
 * parent's connection): when t had no session, targetInfoChanged
 * (attached:true) to discoverers first, then Target.attachedToTarget on
 * parent with waitingForDebugger.  is_auto marks it as auto-attached
 * (setAutoAttach off detaches it).  NULL on ENOMEM. */
struct session *attach_session(struct session *parent, struct target *t, int waiting,
			       int is_auto);
/* attach_detach() - detaches s and, first, the sessions attached through
 * it: Target.detachedFromTarget on each one's parent (the connection's
 * root when the parent went), targetInfoChanged (attached:false) when it
 * was the target's last session; then frees it. */
void attach_detach(struct session *s);

/* attach_auto() - s's auto-attach was switched on or its filter changed:
 * attaches every target it should have and has not (waitingForDebugger
 * false: they exist already).  attach_auto_off() - detaches them. */
void attach_auto(struct session *s);
void attach_auto_off(struct session *s);

/* attach_announce() - a new page (Target.createTarget, PUT /json/new) and
 * its tab, in Chrome's order: the tab's targetCreated (url ""), its
 * attach to browser sessions whose auto-attach admits tabs, the page's
 * targetCreated, its attach to browser sessions that take pages directly.
 * New targets wait for the debugger when the session asked for it. */
void attach_announce(struct target *page);

#endif
