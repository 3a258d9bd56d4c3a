/* attach.c - sessions, filters and the Target events (see attach.h). */
#include "cdp/attach.h"

#include <string.h>

#include "cdp/call.h"
#include "cdp/targets.h"
#include "cdpm.h"
#include "net/conn.h"

enum { ATTACH_ALL_TYPES = TARGET_BROWSER | TARGET_TAB | TARGET_PAGE };

static const char *attach_type_name(enum target_type type)
{
	switch (type) {
	case TARGET_BROWSER: return "browser";
	case TARGET_TAB: return "tab";
	default: return "page";
	}
}

/* A filter entry's type: one of ours, or 0 for one cdpmock has no target
 * of ("worker", "browser_ui", ...). */
static unsigned attach_type_bit(const char *name)
{
	if (!strcmp(name, "browser"))
		return TARGET_BROWSER;
	if (!strcmp(name, "tab"))
		return TARGET_TAB;
	if (!strcmp(name, "page"))
		return TARGET_PAGE;
	return 0;
}

void attach_filter(const json_t *filter, unsigned *allow)
{
	if (!json_is_array(filter)) {
		*allow = TARGET_PAGE;
		return;
	}
	unsigned decided = 0, ok = 0;
	size_t i;
	const json_t *e;
	json_array_foreach(filter, i, e) {
		const json_t *tv = json_object_get(e, "type");
		const char *name = json_string_value(tv);
		unsigned match = tv ? (name ? attach_type_bit(name) : 0) : ATTACH_ALL_TYPES;
		match &= ~decided;
		if (!json_is_true(json_object_get(e, "exclude")))
			ok |= match;
		decided |= match;
	}
	*allow = ok;
}

int attach_is_attached(const struct target *t)
{
	if (t->type == TARGET_BROWSER)
		return 1;
	for (struct conn *c = conn_list(); c; c = c->next)
		for (struct session *s = c->sessions; s; s = s->next)
			if (s->target == t)
				return 1;
	return 0;
}

json_t *attach_target_info(const struct target *t, int how)
{
	/* A tab shows its page's url and title, once the page is announced. */
	const struct target *shown = t;
	if (t->type == TARGET_TAB)
		shown = t->announced ? t->tab : NULL;
	if (t->type == TARGET_BROWSER || (how & ATTACH_INFO_BLANK))
		shown = NULL;
	/* No <title>: the URL, as it is (/json/list HTML-escapes it; CDP
	 * does not). */
	const char *title = !shown ? "" : shown->title[0] ? shown->title : shown->url;
	int attached = how & ATTACH_INFO_DETACHED ? 0 : attach_is_attached(t);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b}", "targetId", t->id, "type",
			      attach_type_name(t->type), "title", title, "url",
			      shown ? shown->url : "", "attached", attached, "canAccessOpener", 0);
	if (o && t->type != TARGET_BROWSER)
		json_object_set_new(o, "browserContextId", json_string(t->context_id));
	if (o && t->type == TARGET_TAB && !(how & ATTACH_INFO_BLANK))
		json_object_set_new(o, "embedderData",
				    json_pack("{s:b,s:b,s:I}", "tabActive", 1, "tabPinned", 0,
					      "tabStripIndex", (json_int_t)targets_tab_index(t)));
	return o;
}

static int attach_discovers(const struct session *s, const struct target *t)
{
	return s->discover && (s->discover_allow & t->type);
}

/* {"targetInfo":...} or {"targetId":...} to every discoverer of t. */
static void attach_send_all(const struct target *t, const char *method, const json_t *params)
{
	struct buf p;
	buf_init(&p, 0);
	if (call_dump(&p, params) || buf_finish(&p)) {
		buf_clear(&p);
		return;
	}
	for (struct conn *c = conn_list(); c; c = c->next)
		for (struct session *s = c->sessions; s; s = s->next)
			if (attach_discovers(s, t))
				call_event_raw(s, method, p.data, p.len);
	buf_clear(&p);
}

void attach_send_info(const struct target *t, const char *method, int how)
{
	json_t *p = json_pack("{s:o}", "targetInfo", attach_target_info(t, how));
	if (p)
		attach_send_all(t, method, p);
	json_decref(p);
}

void attach_send_destroyed(const struct target *t)
{
	json_t *p = json_pack("{s:s}", "targetId", t->id);
	if (p)
		attach_send_all(t, "Target.targetDestroyed", p);
	json_decref(p);
}

struct session *attach_session(struct session *parent, struct target *t, int waiting,
			       int is_auto)
{
	int first = !attach_is_attached(t);
	struct session *s = session_new(parent->conn, t, 0);
	if (!s)
		return NULL;
	s->parent = parent;
	s->auto_child = is_auto;
	if (first)
		attach_send_info(t, "Target.targetInfoChanged", 0);
	json_t *p = json_pack("{s:s,s:o,s:b}", "sessionId", s->id, "targetInfo",
			      attach_target_info(t, 0), "waitingForDebugger", waiting);
	if (p)
		call_event(parent, "Target.attachedToTarget", p);
	return s;
}

void attach_detach(struct session *s)
{
	struct conn *c = s->conn;
	for (struct session *k = c->sessions; k;) {
		if (k->parent == s) {
			attach_detach(k);
			k = c->sessions; /* the list changed: start over */
		} else {
			k = k->next;
		}
	}
	struct target *t = s->target;
	struct session *to = s->parent ? s->parent : c->sessions;
	json_t *p = json_pack("{s:s,s:s}", "sessionId", s->id, "targetId", t->id);
	if (p)
		call_event(to, "Target.detachedFromTarget", p);
	session_free(s);
	if (!attach_is_attached(t))
		attach_send_info(t, "Target.targetInfoChanged", 0);
}

static int attach_has_child(const struct session *s, const struct target *t)
{
	for (const struct session *k = s->conn->sessions; k; k = k->next)
		if (k->parent == s && k->target == t && k->auto_child)
			return 1;
	return 0;
}

static void attach_auto_one(struct session *s, struct target *t)
{
	if (t && !t->closed && !attach_has_child(s, t))
		attach_session(s, t, 0, 1);
}

void attach_auto(struct session *s)
{
	if (!s->auto_attach)
		return;
	unsigned allow = s->attach_allow;
	if (s->target->type == TARGET_BROWSER) {
		/* Tabs when the filter admits them (each tab then attaches its
		 * page), else the pages themselves. */
		for (struct target *t = targets_next(NULL); t; t = targets_next(t)) {
			if (t->type != TARGET_PAGE)
				continue;
			if (allow & TARGET_TAB)
				attach_auto_one(s, t->tab);
			else if (allow & TARGET_PAGE)
				attach_auto_one(s, t);
		}
	} else if (s->target->type == TARGET_TAB && (allow & TARGET_PAGE)) {
		attach_auto_one(s, s->target->tab);
	}
}

void attach_auto_off(struct session *s)
{
	for (struct session *k = s->conn->sessions; k;) {
		if (k->parent == s && k->auto_child) {
			attach_detach(k);
			k = s->conn->sessions;
		} else {
			k = k->next;
		}
	}
}

/* Browser sessions that auto-attach new targets of this type. */
static void attach_new(struct target *t, unsigned type)
{
	for (struct conn *c = conn_list(); c; c = c->next)
		for (struct session *s = c->sessions; s; s = s->next) {
			if (!s->auto_attach || s->target->type != TARGET_BROWSER)
				continue;
			unsigned allow = s->attach_allow;
			int take = type == TARGET_TAB ? (allow & TARGET_TAB) != 0
						      : !(allow & TARGET_TAB) && (allow & TARGET_PAGE);
			if (take)
				attach_session(s, t, s->wait_on_start, 1);
		}
}

void attach_announce(struct target *page)
{
	struct target *tab = page->tab;
	tab->announced = 0;
	attach_send_info(tab, "Target.targetCreated", 0);
	attach_new(tab, TARGET_TAB);
	attach_send_info(page, "Target.targetCreated", 0);
	attach_new(page, TARGET_PAGE);
	tab->announced = 1;
}
