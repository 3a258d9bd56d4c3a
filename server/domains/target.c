/* target.c - the Target domain: discovery, flat sessions, auto-attach with
 * Chrome's filters, tabs, browser contexts (docs/chrome.md §5).
 * attachedToTarget goes out before the attach reply and detachedFromTarget
 * before the detach reply, as puppeteer requires.  The registry is
 * cdp/targets.c, the events cdp/attach.c. */
#include <stdio.h>
#include <string.h>

#include "cdpm.h"
#include "net/conn.h"
#include "cdp/attach.h"
#include "cdp/envelope.h"
#include "cdp/router.h"
#include "server.h"
#include "cdp/targets.h"

static struct target *target_param(struct call *c, const char *key)
{
	const char *id = envelope_string(json_object_get(c->params, key));
	return id ? targets_find(id) : NULL;
}

/* Context management is the browser's: page and tab sessions get
 * Chrome's refusal. */
static int target_not_allowed(struct call *c)
{
	return call_error(c, CDP_SERVER_ERROR, "Not allowed", NULL);
}

/* A -32000 error naming an id.  The router sends call_error()'s message as
 * soon as the handler returns, so one static buffer will do; an id too
 * long for it (Chrome's are 32 characters) is cut. */
static int target_error_id(struct call *c, const char *text, const char *id)
{
	static char message[1024];
	snprintf(message, sizeof(message), "%s%s", text, id ? id : "");
	return call_error(c, CDP_SERVER_ERROR, message, NULL);
}

static int target_attach_to(struct call *c, struct target *t)
{
	struct session *s = attach_session(c->session, t, 0, 0);
	if (!s)
		return CDPM_ENOMEM;
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
	/* The reply goes on the session that asked, unless that one (or its
	 * parent) is what goes: then on the root. */
	for (struct session *k = c->session; k; k = k->parent)
		if (k == s) {
			c->session = c->conn->sessions;
			break;
		}
	attach_detach(s);
	return call_reply(c, NULL);
}

static int target_get_contexts(struct call *c)
{
	if (c->session->target->type != TARGET_BROWSER)
		return target_not_allowed(c);
	json_t *ids = json_array();
	for (struct bcontext *x = targets_contexts(); x; x = x->next)
		json_array_append_new(ids, json_string(x->id));
	return call_reply(c, json_pack("{s:o,s:s}", "browserContextIds", ids,
				       "defaultBrowserContextId", targets_browser()->context_id));
}

static int target_create_context(struct call *c)
{
	if (c->session->target->type != TARGET_BROWSER)
		return target_not_allowed(c);
	int dispose = json_is_true(json_object_get(c->params, "disposeOnDetach"));
	struct bcontext *x = targets_context_new(dispose ? c->conn : NULL);
	if (!x)
		return CDPM_ENOMEM;
	return call_reply(c, json_pack("{s:s}", "browserContextId", x->id));
}

static int target_dispose_context(struct call *c)
{
	if (c->session->target->type != TARGET_BROWSER)
		return target_not_allowed(c);
	const char *id = envelope_string(json_object_get(c->params, "browserContextId"));
	struct bcontext *x = id ? targets_context_find(id) : NULL;
	if (!x)
		return target_error_id(c, "Failed to find context with id ", id);
	/* Chrome closes the context's pages, with their events, before it
	 * answers. */
	targets_context_dispose(x);
	return call_reply(c, NULL);
}

static int target_set_discover(struct call *c)
{
	int on = json_is_true(json_object_get(c->params, "discover"));
	unsigned allow;
	attach_filter(json_object_get(c->params, "filter"), &allow);
	if (on && !c->session->discover) {
		/* One targetCreated per target the filter admits (puppeteer's
		 * [{}] includes the browser and the tabs), newest first. */
		for (struct target *t = targets_next(NULL); t; t = targets_next(t)) {
			if (t->type == TARGET_PAGE && (allow & TARGET_PAGE))
				call_event(c->session, "Target.targetCreated",
					   json_pack("{s:o}", "targetInfo", attach_target_info(t, 0)));
			if (t->type == TARGET_PAGE && (allow & TARGET_TAB))
				call_event(c->session, "Target.targetCreated",
					   json_pack("{s:o}", "targetInfo",
						     attach_target_info(t->tab, 0)));
			if (t->type == TARGET_BROWSER && (allow & TARGET_BROWSER))
				call_event(c->session, "Target.targetCreated",
					   json_pack("{s:o}", "targetInfo", attach_target_info(t, 0)));
		}
	}
	c->session->discover = on;
	c->session->discover_allow = allow;
	return call_reply(c, NULL);
}

static int target_get_targets(struct call *c)
{
	/* The browser target is never listed; the filter decides the rest
	 * (by default: pages only). */
	unsigned allow;
	attach_filter(json_object_get(c->params, "filter"), &allow);
	json_t *list = json_array();
	for (struct target *t = targets_next(NULL); t; t = targets_next(t)) {
		if (t->type != TARGET_PAGE)
			continue;
		if (allow & TARGET_PAGE)
			json_array_append_new(list, attach_target_info(t, 0));
		if (allow & TARGET_TAB)
			json_array_append_new(list, attach_target_info(t->tab, 0));
	}
	return call_reply(c, json_pack("{s:o}", "targetInfos", list));
}

static int target_get_info(struct call *c)
{
	struct target *t = c->session->target;
	if (json_object_get(c->params, "targetId") && !(t = target_param(c, "targetId")))
		return call_error(c, CDP_INVALID_PARAMS, "No target with given id found", NULL);
	return call_reply(c, json_pack("{s:o}", "targetInfo", attach_target_info(t, 0)));
}

static int target_set_auto_attach(struct call *c)
{
	struct session *s = c->session;
	int on = json_is_true(json_object_get(c->params, "autoAttach"));
	int flatten = json_is_true(json_object_get(c->params, "flatten"));
	unsigned allow;
	attach_filter(json_object_get(c->params, "filter"), &allow);
	if (s->target->type == TARGET_BROWSER) {
		if (!flatten)
			return call_error(c, CDP_INVALID_PARAMS,
					  "Only flatten protocol is supported with browser level "
					  "auto-attach", NULL);
		if ((allow & TARGET_TAB) && (allow & TARGET_PAGE))
			return call_error(c, CDP_INVALID_PARAMS,
					  "Filter should not simultaneously allow \"tab\" and "
					  "\"page\", page targets are attached via tab targets",
					  NULL);
	}
	s->wait_on_start = json_is_true(json_object_get(c->params, "waitForDebuggerOnStart"));
	s->attach_allow = allow;
	s->auto_attach = on;
	if (on)
		attach_auto(s);
	else
		attach_auto_off(s);
	return call_reply(c, NULL);
}

static int target_create(struct call *c)
{
	const char *url = json_string_value(json_object_get(c->params, "url"));
	const json_t *cv = json_object_get(c->params, "browserContextId");
	const char *cid = envelope_string(cv);
	struct bcontext *ctx = NULL;
	if (cv && !(cid && !strcmp(cid, targets_browser()->context_id)) &&
	    !(cid && (ctx = targets_context_find(cid))))
		return target_error_id(c, "Failed to find browser context with id ", cid);
	if (targets_room())
		return call_error(c, CDP_SERVER_ERROR, "Too many targets (cdpmock --max-targets)",
				  NULL);
	struct target *t = targets_new_page_in(url && *url ? url : "about:blank", ctx);
	if (!t)
		return CDPM_ENOMEM;
	attach_announce(t);
	return call_reply(c, json_pack("{s:s}", "targetId", t->id));
}

static int target_close(struct call *c)
{
	struct target *t = target_param(c, "targetId");
	if (!t || t->type == TARGET_BROWSER)
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
	{"createBrowserContext", target_create_context},
	{"createTarget", target_create},
	{"detachFromTarget", target_detach},
	{"disposeBrowserContext", target_dispose_context},
	{"getBrowserContexts", target_get_contexts},
	{"getTargetInfo", target_get_info},
	{"getTargets", target_get_targets},
	{"setAutoAttach", target_set_auto_attach},
	{"setDiscoverTargets", target_set_discover},
};

const struct domain target_domain = {
	.name = "Target",
	.targets = TARGET_BROWSER | TARGET_TAB | TARGET_PAGE,
	.methods = target_methods,
	.n_methods = CDPM_ARRAY_LEN(target_methods),
	.session_gone = NULL,
};

/* A tab has no page domains; of Runtime it answers only the command that
 * releases a target waiting for the debugger. */
static int target_run_if_waiting(struct call *c)
{
	return call_reply(c, NULL);
}

static const struct method tab_runtime_methods[] = {
	{"runIfWaitingForDebugger", target_run_if_waiting},
};

const struct domain tab_runtime_domain = {
	.name = "Runtime",
	.targets = TARGET_TAB,
	.methods = tab_runtime_methods,
	.n_methods = CDPM_ARRAY_LEN(tab_runtime_methods),
	.session_gone = NULL,
};
