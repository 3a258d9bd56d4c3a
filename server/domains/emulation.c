/* emulation.c - the Emulation domain of a page target: the commands page
 * setup sends answer {} as Chrome's do, and the two that change what a
 * screenshot looks like are kept in the page's renderer state
 * (pagestate.h): the device metrics override (the viewport's size and
 * scale) and the default background colour.  Nothing is emulated beyond
 * that: no user agent, media or touch. */
#include <math.h>
#include <stdint.h>

#include "cdpm.h"
#include "domains/pagestate.h"
#include "cdp/router.h"
#include "cdp/targets.h"

static int emulation_ok(struct call *c)
{
	return call_reply(c, NULL);
}

/* Chrome's bound (EmulationHandler::SetDeviceMetricsOverride, whose
 * messages these are; read from Chromium's source, not observed). */
#define EMULATION_MAX_SIZE 10000000

static int emulation_set_metrics(struct call *c)
{
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!pt)
		return CDPM_ENOMEM;
	json_int_t w = json_integer_value(json_object_get(c->params, "width"));
	json_int_t h = json_integer_value(json_object_get(c->params, "height"));
	double dsf = json_number_value(json_object_get(c->params, "deviceScaleFactor"));
	if (w < 0 || h < 0 || w > EMULATION_MAX_SIZE || h > EMULATION_MAX_SIZE)
		return call_error(c, CDP_INVALID_PARAMS,
				  "Width and height values must be positive, not greater than "
				  "10000000",
				  NULL);
	if (dsf < 0 || !isfinite(dsf))
		return call_error(c, CDP_INVALID_PARAMS, "deviceScaleFactor must be non-negative",
				  NULL);
	/* 0 keeps the window's value, for each of them. */
	pt->vp_width = (uint32_t)w;
	pt->vp_height = (uint32_t)h;
	pt->vp_scale = dsf;
	return call_reply(c, NULL);
}

static int emulation_clear_metrics(struct call *c)
{
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!pt)
		return CDPM_ENOMEM;
	pt->vp_width = pt->vp_height = 0;
	pt->vp_scale = 0;
	return call_reply(c, NULL);
}

/* {color?: {r, g, b, a?}}: no colour clears the override; a is 0..1. */
static int emulation_set_background(struct call *c)
{
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!pt)
		return CDPM_ENOMEM;
	const json_t *col = json_object_get(c->params, "color");
	pt->bg_set = json_is_object(col);
	if (pt->bg_set) {
		static const char *const k[3] = {"r", "g", "b"};
		for (int i = 0; i < 3; i++) {
			json_int_t v = json_integer_value(json_object_get(col, k[i]));
			pt->bg[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
		const json_t *a = json_object_get(col, "a");
		double av = a ? json_number_value(a) : 1.0;
		pt->bg[3] = (uint8_t)lround(255 * (av < 0 ? 0 : av > 1 ? 1 : av));
	}
	return call_reply(c, NULL);
}

/* clang-format off */
static const struct method emulation_methods[] = {
	{"clearDeviceMetricsOverride", emulation_clear_metrics},
	{"setCPUThrottlingRate", emulation_ok},
	{"setDefaultBackgroundColorOverride", emulation_set_background},
	{"setDeviceMetricsOverride", emulation_set_metrics},
	{"setEmulatedMedia", emulation_ok},
	{"setFocusEmulationEnabled", emulation_ok},
	{"setTouchEmulationEnabled", emulation_ok},
	{"setUserAgentOverride", emulation_ok},
};
/* clang-format on */

const struct domain emulation_domain = {
	.name = "Emulation",
	.targets = TARGET_PAGE,
	.methods = emulation_methods,
	.n_methods = CDPM_ARRAY_LEN(emulation_methods),
	.session_gone = NULL,
};
