/* target.c - the Target domain: discovery and flat sessions (docs/chrome.md §6.1-§6.2,
 * docs/clients.md §4-§6).  attachedToTarget goes out before the attach reply and
 * detachedFromTarget before the detach reply, as puppeteer requires.  The
 * target registry itself is targets.c. */
#include <string.h>

#include "cdpm.h"
#include "net/conn.h"
#include "cdp/envelope.h"
#include "cdp/router.h"
#include "server.h"
#include "cdp/targets.h"

static int target_is_attached(const struct target *t)
{
	if (t->type == TARGET_BROWSER)
		return 1;
	for (struct conn *c = conn_list(); c; c = c->next)
		for (struct session *s = c->sessions; s; s = s->next)
			if (s->target == t)
				return 1;
	return 0;
}

/* TargetInfo with Chrome's key order; the browser target has no context. */
static json_t *target_info(const struct target *t)
{
	struct buf title;
	buf_init(&title, 0);
	targets_display_title(t, &title);
	if (buf_finish(&title)) {
		buf_clear(&title);
		return NULL; /* like json_pack() out of memory: "o" packs fail too */
	}
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b}", "targetId", t->id, "type",
			      t->type == TARGET_BROWSER ? "browser" : "page", "title",
			      t->type == TARGET_BROWSER ? "" : title.data, "url", t->url,
			      "attached", target_is_attached(t), "canAccessOpener", 0);
	if (o && t->type != TARGET_BROWSER)
		json_object_set_new(o, "browserContextId", json_string(t->context_id));
	buf_clear(&title);
	return o;
}

static int target_send_attached(struct session *parent, struct session *child, int waiting)
{
	json_t *p = json_pack("{s:s,s:o,s:b}", "sessionId", child->id, "targetInfo",
			      target_info(child->target), "waitingForDebugger", waiting);
	return p ? call_event(parent, "Target.attachedToTarget", p) : CDPM_ENOMEM;
}

static struct target *target_param(struct call *c, const char *key)
{
	const char *id = envelope_string(json_object_get(c->params, key));
	return id ? targets_find(id) : NULL;
}

static int target_attach_to(struct call *c, struct target *t)
{
	struct session *s = session_new(c->conn, t, 0);
	if (!s)
		return CDPM_ENOMEM;
	target_send_attached(c->session, s, 0);
	return call_reply(c, json_pack("{s:s}", "sessionId", s->id));
}

static int target_attach(struct call *c)
{
	struct target *t = target_param(c, "targetId");
	if (!t)
		return call_error(c, CDP_INVALID_PARAMS, "No target with given id found", NULL);
	return target_attach_to(c, t);
}

static int target_attach_browser(struct call *c)
{
	return target_attach_to(c, targets_browser());
}

static int target_detach(struct call *c)
{
	const json_t *sv = json_object_get(c->params, "sessionId");
	const json_t *tv = json_object_get(c->params, "targetId");
	const char *sid = envelope_string(sv), *tid = envelope_string(tv);
	struct session *s = NULL;
	/* An id with a NUL inside names no session, not its C-string prefix. */
	int nul = sv ? !sid : tv && !tid;
	for (struct session *it = c->conn->sessions; it && !s && !nul; it = it->next) {
		if (!it->id[0])
			continue;
		if ((sid && !strcmp(it->id, sid)) || (!sid && tid && !strcmp(it->target->id, tid)))
			s = it;
	}
	if (!s)
		return call_error(c, CDP_INVALID_PARAMS, "No session with given id", NULL);
	json_t *p = json_pack("{s:s,s:s}", "sessionId", s->id, "targetId", s->target->id);
	call_event(c->session, "Target.detachedFromTarget", p);
	int self = s == c->session;
	session_free(s);
	if (self)
		c->session = c->conn->sessions;
	return call_reply(c, NULL);
}

static int target_get_contexts(struct call *c)
{
	return call_reply(c, json_pack("{s:[],s:s}", "browserContextIds",
				       "defaultBrowserContextId", targets_browser()->context_id));
}

static int target_set_discover(struct call *c)
{
	int on = json_is_true(json_object_get(c->params, "discover"));
	if (on && !c->session->discover) {
		/* Chrome lists the browser target too, oldest last. */
		for (struct target *t = targets_next(NULL); t; t = targets_next(t))
			call_event(c->session, "Target.targetCreated",
				      json_pack("{s:o}", "targetInfo", target_info(t)));
	}
	c->session->discover = on;
	return call_reply(c, NULL);
}

static int target_get_targets(struct call *c)
{
	json_t *list = json_array();
	for (struct target *t = targets_next(NULL); t; t = targets_next(t))
		if (t->type == TARGET_PAGE)
			json_array_append_new(list, target_info(t));
	return call_reply(c, json_pack("{s:o}", "targetInfos", list));
}

static int target_get_info(struct call *c)
{
	struct target *t = c->session->target;
	if (json_object_get(c->params, "targetId") && !(t = target_param(c, "targetId")))
		return call_error(c, CDP_INVALID_PARAMS, "No target with given id found", NULL);
	return call_reply(c, json_pack("{s:o}", "targetInfo", target_info(t)));
}

static int target_set_auto_attach(struct call *c)
{
	int on = json_is_true(json_object_get(c->params, "autoAttach"));
	int flatten = json_is_true(json_object_get(c->params, "flatten"));
	if (c->session->target->type == TARGET_BROWSER && !flatten)
		return call_error(c, CDP_INVALID_PARAMS,
				  "Only flatten protocol is supported with browser level "
				  "auto-attach", NULL);
	int was = c->session->auto_attach;
	c->session->auto_attach = on;
	if (on && !was && c->session->target->type == TARGET_BROWSER) {
		/* No tab targets: pages attach straight to the browser session. */
		for (struct target *t = targets_next(NULL); t; t = targets_next(t)) {
			if (t->type != TARGET_PAGE)
				continue;
			struct session *s = session_new(c->conn, t, 0);
			if (s)
				target_send_attached(c->session, s, 0);
		}
	}
	return call_reply(c, NULL);
}

static int target_create(struct call *c)
{
	const char *url = json_string_value(json_object_get(c->params, "url"));
	if (targets_room())
		return call_error(c, CDP_SERVER_ERROR, "Too many targets (cdpmock --max-targets)",
				  NULL);
	struct target *t = targets_new_page(url && *url ? url : "about:blank");
	if (!t)
		return CDPM_ENOMEM;
	for (struct conn *k = conn_list(); k; k = k->next) {
		for (struct session *s = k->sessions; s; s = s->next) {
			if (s->discover)
				call_event(s, "Target.targetCreated",
					      json_pack("{s:o}", "targetInfo", target_info(t)));
			if (s->auto_attach && s->target->type == TARGET_BROWSER) {
				struct session *child = session_new(k, t, 0);
				if (child)
					target_send_attached(s, child, 1);
			}
		}
	}
	return call_reply(c, json_pack("{s:s}", "targetId", t->id));
}

static int target_close(struct call *c)
{
	struct target *t = target_param(c, "targetId");
	if (!t || t->type != TARGET_PAGE)
		return call_error(c, CDP_INVALID_PARAMS, "No target with given id found", NULL);
	int rc = call_reply(c, json_pack("{s:b}", "success", 1));
	targets_close(t);
	return rc;
}

static int target_activate(struct call *c)
{
	if (!target_param(c, "targetId"))
		return call_error(c, CDP_INVALID_PARAMS, "No target with given id found", NULL);
	return call_reply(c, NULL);
}

static const struct method target_methods[] = {
	{"activateTarget", target_activate},
	{"attachToBrowserTarget", target_attach_browser},
	{"attachToTarget", target_attach},
	{"closeTarget", target_close},
	{"createTarget", target_create},
	{"detachFromTarget", target_detach},
	{"getBrowserContexts", target_get_contexts},
	{"getTargetInfo", target_get_info},
	{"getTargets", target_get_targets},
	{"setAutoAttach", target_set_auto_attach},
	{"setDiscoverTargets", target_set_discover},
};

const struct domain target_domain = {
	.name = "Target",
	.targets = TARGET_BROWSER | TARGET_PAGE,
	.methods = target_methods,
	.n_methods = CDPM_ARRAY_LEN(target_methods),
	.session_gone = NULL,
};
