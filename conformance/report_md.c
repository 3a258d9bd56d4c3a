/* report_md.c - the published matrix in Markdown (docs/conformance.md):
 * the adapters with their versions, the adapter x case matrix, one line
 * per failure (explain.c, with the scenario's description), and the
 * control run against a real browser apart.  Nothing in it depends on the
 * machine or the hour, so the same results write the same file. */
#include "conform.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MD_MAX_ADAPTERS 64

static int md_browser(const struct ccase *c)
{
	return !strncmp(c->scenario, "browser/", 8);
}

static int md_bad(const struct ccase *c)
{
	return c->verdict != V_PASS && c->verdict != V_SKIP;
}

/* Table cells and list items: one line, no '|' or backquote surprises. */
static void md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else if (*s == '|')
			fputs("\\|", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else
			fputc(*s, f);
	}
}

/* The judge's reason without what changes from machine to machine or run
 * to run: a port after 127.0.0.1: or localhost: becomes PORT, a run of 8+
 * hex digits (ids, UUIDs) becomes ID, and an absolute path into a
 * node_modules folder starts at node_modules/. */
char *report_stable_text(const char *s)
{
	char *out = calloc(1, (s ? strlen(s) : 0) * 2 + 8), *o = out;
	for (const char *p = s; out && p && *p;) {
		if ((!strncmp(p, "127.0.0.1:", 10) || !strncmp(p, "localhost:", 10)) &&
		    isdigit((unsigned char)p[10])) {
			memcpy(o, p, 10);
			o += 10;
			p += 10;
			while (isdigit((unsigned char)*p))
				p++;
			memcpy(o, "PORT", 4);
			o += 4;
			continue;
		}
		if (*p == '/' && (p == s || p[-1] == ' ' || p[-1] == '(')) {
			size_t len = strcspn(p, " ):");
			const char *nm = strstr(p, "/node_modules/");
			if (nm && (size_t)(nm - p) < len) {
				p = nm + 1;
				continue;
			}
		}
		size_t hex = 0;
		while (isxdigit((unsigned char)p[hex]) || (hex && p[hex] == '-'))
			hex++;
		if (hex >= 8 && (p == s || !isalnum((unsigned char)p[-1]))) {
			memcpy(o, "ID", 2);
			o += 2;
			p += hex;
			continue;
		}
		*o++ = *p++;
	}
	return out ? out : util_strdup("");
}

static void md_reason(FILE *f, const char *s)
{
	char *t = report_stable_text(s);
	md_text(f, t);
	free(t);
}

static size_t md_adapters(const struct ccase *cases, size_t n, const struct adapter **out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < k && out[j] != cases[i].adapter; j++)
			;
		if (j == k && k < MD_MAX_ADAPTERS)
			out[k++] = cases[i].adapter;
	}
	return k;
}

/* A cell: what the case did (a known failure shows as what it is). */
static void md_cell(FILE *f, const struct ccase *c)
{
	if (!c || c->verdict == V_SKIP) {
		fputs(" — |", f);
		return;
	}
	char *o = baseline_outcome(c);
	if (!o || !strcmp(o, "pass"))
		fputs(" pass", f);
	else if (!strncmp(o, "fail:", 5))
		fprintf(f, " **fail** `%s`", o + 5);
	else
		fprintf(f, " **%s**", o);
	/* a change the baseline did not expect */
	if (c->verdict == V_FAIL || c->verdict == V_HANG || c->verdict == V_CRASH)
		fputs(" (!)", f);
	fputs(" |", f);
	free(o);
}

static int md_same_row(const struct ccase *a, const struct ccase *b)
{
	return !strcmp(a->scenario, b->scenario) && !strcmp(a->task, b->task);
}

/* The matrix of the cases with browser == want: a row per scenario and
 * task, a column per adapter. */
static void md_matrix(FILE *f, const struct ccase *cases, size_t n, const struct adapter **ad,
		      size_t na, int want)
{
	fputs(want ? "| browser | task |" : "| scenario | task |", f);
	for (size_t a = 0; a < na; a++) {
		fputc(' ', f);
		md_text(f, ad[a]->name);
		fputs(" |", f);
	}
	fputs("\n|---|---|", f);
	for (size_t a = 0; a < na; a++)
		fputs("---|", f);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		const struct ccase *c = &cases[i];
		size_t j;
		if (md_browser(c) != want)
			continue;
		for (j = 0; j < i && !md_same_row(&cases[j], c); j++)
			;
		if (j < i)
			continue; /* its row is written */
		fputs("| `", f);
		md_text(f, c->scenario);
		fputs("` | ", f);
		md_text(f, c->task);
		fputs(" |", f);
		for (size_t a = 0; a < na; a++) {
			const struct ccase *cell = NULL;
			for (size_t k = i; k < n && !cell; k++)
				if (cases[k].adapter == ad[a] && md_same_row(&cases[k], c))
					cell = &cases[k];
			md_cell(f, cell);
		}
		fputc('\n', f);
	}
}

/* What the adapter's baseline says of c: its why, when it says more than
 * the generated line x, and the outcomes it accepts besides its own. */
static void md_baseline_note(FILE *f, const struct ccase *c, const char *x)
{
	char *key = util_printf("%s %s", c->scenario, c->task);
	const json_t *e = json_object_get(c->adapter->baseline, key);
	const char *why = json_string_value(json_object_get(e, "why"));
	const json_t *also = json_object_get(e, "also");
	free(key);
	if (why && strcmp(why, x)) {
		char *w = util_strdup(why);
		size_t n = strlen(w);
		if (n && w[n - 1] == '.')
			w[n - 1] = '\0'; /* the line adds its own full stops */
		fputs(". Baseline: ", f);
		md_text(f, w);
		free(w);
	}
	for (size_t i = 0; i < json_array_size(also); i++) {
		const char *o = json_string_value(json_array_get(also, i));
		fprintf(f, "%s%s", i ? ", " : " (timing-dependent: the baseline also accepts ",
			o ? o : "?");
		if (i + 1 == json_array_size(also))
			fputc(')', f);
	}
}

/* One line per failure of adapter a among the cases with browser == want;
 * the count written. */
static size_t md_failures(FILE *f, const struct ccase *cases, size_t n, const struct adapter *a,
			  int want)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ccase *c = &cases[i];
		if (c->adapter != a || md_browser(c) != want || !md_bad(c))
			continue;
		char *o = baseline_outcome(c), *x = explain_case(c);
		fputs("- ", f);
		if (want) { /* the control run's list is not under the adapter's heading */
			md_text(f, a->name);
			fputs(", ", f);
		}
		fputc('`', f);
		md_text(f, c->scenario);
		fputs("` ", f);
		md_text(f, c->task);
		if (o && !strncmp(o, "fail:", 5))
			fprintf(f, ": **fail** (`%s`)", o + 5);
		else
			fprintf(f, ": **%s**", o ? o : "?");
		if (c->verdict != V_KNOWN_FAIL)
			fputs(" (!)", f);
		fputs(". It ", f);
		md_text(f, x);
		fputs(". Judge: ", f);
		md_reason(f, c->reason);
		md_baseline_note(f, c, x);
		if (c->description) {
			fputs(". Browser: ", f);
			md_text(f, c->description);
		}
		size_t len = c->description ? strlen(c->description) : 0;
		fputs(len && c->description[len - 1] == '.' ? "\n" : ".\n", f);
		free(o);
		free(x);
		k++;
	}
	return k;
}

static void md_counts(FILE *f, const struct ccase *cases, size_t n, const struct adapter *a,
		      int want)
{
	long run = 0, pass = 0, fail = 0, hang = 0, crash = 0, odd = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ccase *c = &cases[i];
		if (c->adapter != a || md_browser(c) != want || c->verdict == V_SKIP)
			continue;
		char *o = baseline_outcome(c);
		run++;
		pass += o && !strcmp(o, "pass");
		hang += o && !strcmp(o, "hang");
		crash += o && !strcmp(o, "crash");
		fail += o && !strncmp(o, "fail:", 5);
		odd += c->verdict == V_FAIL || c->verdict == V_HANG || c->verdict == V_CRASH;
		free(o);
	}
	fprintf(f, " %ld | %ld | %ld | %ld | %ld | %ld |", run, pass, fail, hang, crash, odd);
}

int report_markdown(const char *file, const struct ccase *cases, size_t n)
{
	const struct adapter *ad[MD_MAX_ADAPTERS];
	size_t na = md_adapters(cases, n, ad);
	int has_browser = 0, has_mock = 0;
	for (size_t i = 0; i < n; i++) {
		has_browser |= md_browser(&cases[i]);
		has_mock |= !md_browser(&cases[i]);
	}
	FILE *f = fopen(file, "w");
	if (!f) {
		fprintf(stderr, "cdpconform: cannot write %s\n", file);
		return -1;
	}
	fputs("<!-- Generated by `make conformance` (cdpconform --merge --markdown): do not edit; "
	      "run it again. -->\n"
	      "# Conformance matrix\n\n"
	      "Real CDP clients against cdpmock playing the scenario library: each case is an "
	      "adapter doing one task (a trace, a profile, coverage...) while the mock plays one "
	      "scenario (a normal run, or a fault: a lost connection, a browser gone silent, "
	      "lost data...). This page is generated by `make conformance` and is the same for "
	      "the same results: no dates or times. The rules each case is judged by are in "
	      "[judging.md](judging.md); the adapters follow [adapters.md](adapters.md); the "
	      "same matrix as a page to filter is [conformance.html](conformance.html).\n\n",
	      f);
	fputs("## Adapters\n\nVersions are those of each adapter's `adapter.json` (the npm "
	      "packages are pinned by `clients/node/package-lock.json`). Outcomes count the "
	      "cases run against the mock; *unexpected* counts those that differ from the "
	      "adapter's baseline (`conformance/baselines/ADAPTER.json`), which `make "
	      "conformance` fails on.\n\n"
	      "| adapter | version | tasks | cases | pass | fail | hang | crash | unexpected |\n"
	      "|---|---|---|---|---|---|---|---|---|\n",
	      f);
	for (size_t a = 0; a < na; a++) {
		fputs("| ", f);
		md_text(f, ad[a]->name);
		fputs(" | ", f);
		md_text(f, ad[a]->version && *ad[a]->version ? ad[a]->version : "?");
		fputs(" |", f);
		for (size_t t = 0; ad[a]->tasks && ad[a]->tasks[t]; t++) {
			fputs(t ? ", " : " ", f);
			md_text(f, ad[a]->tasks[t]);
		}
		fputs(" |", f);
		md_counts(f, cases, n, ad[a], 0);
		fputc('\n', f);
	}
	if (has_mock) {
		fputs("\n## The matrix\n\nA row per scenario and task, a column per adapter: "
		      "`pass`; **hang** (no exit within the time limit); **crash** (a signal or an "
		      "uncaught exception); **fail** and the first check that failed; — where the "
		      "adapter does not do the task. (!) marks an outcome that the adapter's "
		      "baseline does not expect.\n\n",
		      f);
		md_matrix(f, cases, n, ad, na, 0);
		fputs("\n## Failures\n\nOne line per case that does not pass: what the client "
		      "does wrong and what its user sees, the judge's reason, what the adapter's "
		      "baseline says of it (why, for a known client bug), and what the browser "
		      "did (the scenario's description).\n",
		      f);
		for (size_t a = 0; a < na; a++) {
			fputs("\n### ", f);
			md_text(f, ad[a]->name);
			if (ad[a]->version && *ad[a]->version)
				fprintf(f, " %s", ad[a]->version);
			fputs("\n\n", f);
			if (!md_failures(f, cases, n, ad[a], 0))
				fputs("Every case it runs passes.\n", f);
		}
	}
	fputs("\n## Control run: a real browser\n\n", f);
	if (!has_browser) {
		fputs("Not run: no `chromium` was installed where this page was made.\n", f);
	} else {
		fputs(
		    "The same adapters against a real headless Chromium (`cdpconform --browser`), "
		    "one case per task, judged on the task's default expectations only "
		    "([judging.md](judging.md#against-a-real-browser)). A pass here shows that "
		    "the adapter does its task right against Chrome, so that its failures "
		    "above are the client's, not the mock's.\n\n",
		    f);
		md_matrix(f, cases, n, ad, na, 1);
		int any = 0;
		for (size_t a = 0; a < na; a++) {
			size_t k = 0;
			for (size_t i = 0; i < n; i++)
				k += cases[i].adapter == ad[a] && md_browser(&cases[i]) &&
				     md_bad(&cases[i]);
			if (!k)
				continue;
			if (!any)
				fputs("\nFailures against the real browser:\n\n", f);
			any = 1;
			md_failures(f, cases, n, ad[a], 1);
		}
		if (!any)
			fputs("\nEvery adapter passes every task it does against the real "
			      "browser.\n",
			      f);
	}
	return fclose(f) ? -1 : 0;
}
