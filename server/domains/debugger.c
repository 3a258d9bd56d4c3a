/* debugger.c - the Debugger domain of a page target: the page's scripts as
 * V8's debugger agent reports them.  Debugger.enable announces every script
 * of the synthetic set (gen/scripts.h) with Debugger.scriptParsed before
 * its reply, with the scriptIds, urls and lengths that profiles and
 * coverage use, and Debugger.getScriptSource serves their text, so that a
 * client's JS coverage can map ranges to source.  There are no pauses,
 * breakpoints or stepping: nothing runs. */
#include "domains/debugger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "domains/pagestate.h"
#include "journal.h"
#include "net/conn.h"
#include "cdp/router.h"
#include "cdp/slots.h"
#include "cdp/targets.h"

/* V8's message for commands that need the agent on (v8-debugger-agent-impl.cc). */
#define DEBUGGER_NOT_ENABLED "Debugger agent is not enabled"

/* One bit per session: the slot holds this sentinel, not an allocation. */
static char debugger_on;

static int debugger_enabled(const struct session *s)
{
	return s->dom[SLOT_DEBUGGER] == &debugger_on;
}

/* The main world of the current document: the scripts' context. */
static int debugger_main_context(const struct pagestate *pt)
{
	for (size_t i = 0; i < pt->nctx; i++)
		if (pt->ctx[i].is_default)
			return pt->ctx[i].id;
	return pt->nctx ? pt->ctx[0].id : 1;
}

/* scriptParsed params for script index si, in V8's key order. */
static int debugger_parsed_params(struct pagestate *pt, uint32_t si, struct buf *p)
{
	const struct scripts_script *sc = &pt->scripts->script[si];
	const char *hash = pagestate_script_hash(pt, si);
	if (!hash)
		return CDPM_ENOMEM;
	buf_reset(p);
	buf_printf(p, "{\"scriptId\":\"%s\",\"url\":", sc->id);
	buf_add_json_str(p, sc->url, strlen(sc->url), 1);
	/* The end is just past the last byte: a line is line_len bytes. */
	buf_printf(p,
		   ",\"startLine\":0,\"startColumn\":0,\"endLine\":%u,\"endColumn\":%u,"
		   "\"executionContextId\":%d,\"hash\":\"%s\",\"buildId\":\"\","
		   "\"executionContextAuxData\":{\"isDefault\":true,\"type\":\"default\","
		   "\"frameId\":\"%s\"},\"isLiveEdit\":false,\"sourceMapURL\":\"\","
		   "\"hasSourceURL\":false,\"isModule\":false,\"length\":%u,"
		   "\"scriptLanguage\":\"JavaScript\",\"embedderName\":",
		   sc->length / sc->line_len, sc->length % sc->line_len, debugger_main_context(pt),
		   hash, pt->target->id, sc->length);
	buf_add_json_str(p, sc->url, strlen(sc->url), 1);
	buf_addc(p, '}');
	return buf_finish(p);
}

/* Every script to session s. */
static int debugger_announce(struct pagestate *pt, struct session *s)
{
	struct buf p;
	int rc = 0;
	buf_init(&p, 0);
	for (uint32_t si = 0; si < pt->scripts->nscripts && !rc; si++) {
		rc = debugger_parsed_params(pt, si, &p);
		if (!rc)
			rc = call_event_raw(s, "Debugger.scriptParsed", p.data, p.len);
	}
	buf_clear(&p);
	return rc;
}

void debugger_document_created(struct pagestate *pt)
{
	struct target *t = pt->target;
	for (struct session *s = pagestate_each_session(t, NULL); s;
	     s = pagestate_each_session(t, s)) {
		if (!debugger_enabled(s))
			continue;
		int rc = debugger_announce(pt, s);
		if (rc)
			journal_note(conn_id(s->conn), "Debugger.scriptParsed not sent: %s",
				     cdpm_strerror(rc));
	}
}

/* ---- commands ---- */

/* The first enable reports every script before its reply; a repeated one
 * only answers, as V8's agent does. */
static int debugger_enable(struct call *c)
{
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!pt)
		return CDPM_ENOMEM;
	if (!debugger_enabled(c->session)) {
		c->session->dom[SLOT_DEBUGGER] = &debugger_on;
		int rc = debugger_announce(pt, c->session);
		if (rc)
			return rc;
	}
	char r[96];
	snprintf(r, sizeof(r), "{\"debuggerId\":\"%s\"}", pt->debugger_id);
	return call_reply_raw(c, r, strlen(r));
}

static int debugger_disable(struct call *c)
{
	c->session->dom[SLOT_DEBUGGER] = NULL;
	return call_reply(c, NULL);
}

static void debugger_session_gone(struct session *s)
{
	s->dom[SLOT_DEBUGGER] = NULL;
}

static int debugger_get_source(struct call *c)
{
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!pt)
		return CDPM_ENOMEM;
	if (!debugger_enabled(c->session))
		return call_error(c, CDP_SERVER_ERROR, DEBUGGER_NOT_ENABLED, NULL);
	const char *id = json_string_value(json_object_get(c->params, "scriptId"));
	for (uint32_t si = 0; si < pt->scripts->nscripts; si++) {
		if (strcmp(pt->scripts->script[si].id, id))
			continue;
		struct buf src, b;
		buf_init(&src, 0);
		int rc = scripts_source(pt->scripts, si, &src);
		if (!rc) {
			call_reply_begin(c, &b);
			buf_adds(&b, "{\"scriptSource\":");
			buf_add_json_str(&b, src.data, src.len, 1);
			buf_addc(&b, '}');
			rc = buf_finish(&b);
			if (rc)
				buf_clear(&b);
			else
				rc = call_reply_end(c, &b);
		}
		buf_clear(&src);
		return rc;
	}
	/* V8 names the id it was given.  call_error keeps the pointer until
	 * the router writes the error, right after this returns; one static
	 * message is enough (a longer id is cut). */
	static char msg[512];
	snprintf(msg, sizeof(msg), "No script for id: %s", id);
	return call_error(c, CDP_SERVER_ERROR, msg, NULL);
}

static int debugger_ok(struct call *c)
{
	return call_reply(c, NULL);
}

/* Commands V8 refuses while the agent is off. */
static int debugger_ok_if_enabled(struct call *c)
{
	if (!debugger_enabled(c->session))
		return call_error(c, CDP_SERVER_ERROR, DEBUGGER_NOT_ENABLED, NULL);
	return call_reply(c, NULL);
}

/* Nothing is ever paused here. */
static int debugger_resume(struct call *c)
{
	if (!debugger_enabled(c->session))
		return call_error(c, CDP_SERVER_ERROR, DEBUGGER_NOT_ENABLED, NULL);
	return call_error(c, CDP_SERVER_ERROR, "Can only perform operation while paused.", NULL);
}

/* clang-format off */
static const struct method debugger_methods[] = {
	{"disable", debugger_disable},
	{"enable", debugger_enable},
	{"getScriptSource", debugger_get_source},
	{"resume", debugger_resume},
	{"setAsyncCallStackDepth", debugger_ok},
	{"setBlackboxPatterns", debugger_ok_if_enabled},
	{"setBreakpointsActive", debugger_ok_if_enabled},
	{"setPauseOnExceptions", debugger_ok_if_enabled},
	{"setSkipAllPauses", debugger_ok},
	{"stepInto", debugger_resume},
	{"stepOut", debugger_resume},
	{"stepOver", debugger_resume},
};
/* clang-format on */

const struct domain debugger_domain = {
	.name = "Debugger",
	.targets = TARGET_PAGE,
	.methods = debugger_methods,
	.n_methods = CDPM_ARRAY_LEN(debugger_methods),
	.session_gone = debugger_session_gone,
};
