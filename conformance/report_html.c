/* report_html.c - one static HTML page: the adapter x case matrix (a row
 * per scenario and task, a column per adapter), colour-coded by verdict,
 * with the reason in every cell and a link to the log of every failure.
 * Self-contained: inline CSS and a few lines of script for the filter. */
#include "conform.h"

#include <stdlib.h>
#include <string.h>

static void html_text(FILE *f, const char *s)
{
	report_escape(f, s, 0);
}

/* Path characters are written as they are except those a URL needs
 * escaped. */
static void html_url_path(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c >= 0x7f || strchr("\"<>#%?&'", c))
			fprintf(f, "%%%02X", c);
		else
			fputc(c, f);
	}
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>cdpconform report</title>\n<style>\n"
    ":root{--pass:#e3f4e6;--pass-b:#2e7d32;--fail:#fde4e1;--fail-b:#c62828;"
    "--hang:#fff0d6;--hang-b:#b26a00;--crash:#f3e0f7;--crash-b:#7b1fa2;"
    "--known:#e8eaf6;--known-b:#3949ab;--skip:#f1f1f1;--skip-b:#757575}\n"
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;"
    "color:#1d2329;background:#fafbfc}\n"
    "header{padding:20px 28px;background:#1f2a36;color:#fff}\n"
    "header h1{margin:0 0 6px;font-size:22px;font-weight:600}\n"
    "header p{margin:0;color:#c7d0da}\n"
    ".summary{display:flex;gap:10px;flex-wrap:wrap;padding:16px 28px 4px}\n"
    ".pill{border-radius:999px;padding:4px 12px;font-weight:600;border:1px solid}\n"
    ".controls{padding:8px 28px;color:#4a5560}\n"
    "main{padding:0 28px 28px;overflow-x:auto}\n"
    "table{border-collapse:separate;border-spacing:0;background:#fff;border:1px solid #d8dee4;"
    "border-radius:8px}\n"
    "th,td{padding:6px 10px;border-bottom:1px solid #eef1f4;vertical-align:top;text-align:left}\n"
    "thead th{position:sticky;top:0;background:#f3f5f7;z-index:1;font-weight:600}\n"
    "th.group{background:#eef2f6;color:#3a4754;font-size:12px;text-transform:uppercase;"
    "letter-spacing:.05em}\n"
    "td.name{width:1%;white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,"
    "monospace;font-size:13px}\n"
    "td.name span{color:#6a7682}\n"
    "td.cell{min-width:140px;max-width:250px;border-left:4px solid transparent}\n"
    "thead th{max-width:250px}\n"
    "td.cell b{display:block;font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
    "td.cell small{display:block;color:#3a4754;word-break:break-word}\n"
    "td.cell a{font-size:12px}\n"
    ".pass{background:var(--pass);border-color:var(--pass-b)!important}.pass "
    "b{color:var(--pass-b)}\n"
    ".fail{background:var(--fail);border-color:var(--fail-b)!important}.fail "
    "b{color:var(--fail-b)}\n"
    ".hang{background:var(--hang);border-color:var(--hang-b)!important}.hang "
    "b{color:var(--hang-b)}\n"
    ".crash{background:var(--crash);border-color:var(--crash-b)!important}"
    ".crash b{color:var(--crash-b)}\n"
    ".known-fail{background:var(--known);border-color:var(--known-b)!important}"
    ".known-fail b{color:var(--known-b)}\n"
    ".skip{background:var(--skip);border-color:var(--skip-b)!important}.skip "
    "b{color:var(--skip-b)}\n"
    "td.none{background:#fff;color:#aab3bc}\n"
    "body.failures tr.ok{display:none}\n"
    "footer{padding:0 28px 24px;color:#6a7682;font-size:12px}\n"
    "</style></head><body>\n";

static int html_bad(enum verdict v)
{
	return v == V_FAIL || v == V_HANG || v == V_CRASH;
}

/* The adapters in order of first appearance. */
static size_t html_adapters(const struct ccase *cases, size_t n, const struct adapter **out,
			    size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < k && out[j] != cases[i].adapter; j++)
			;
		if (j == k && k < max)
			out[k++] = cases[i].adapter;
	}
	return k;
}

static void html_cell(FILE *f, const struct ccase *c, int published)
{
	if (!c) {
		fputs("<td class=\"cell none\">&mdash;</td>", f);
		return;
	}
	fprintf(f, "<td class=\"cell %s\" title=\"", verdict_name(c->verdict));
	if (published) {
		char *t = report_stable_text(c->reason ? c->reason : verdict_name(c->verdict));
		html_text(f, t);
		free(t);
	} else {
		html_text(f, c->reason ? c->reason : verdict_name(c->verdict));
	}
	fprintf(f, "\"><b>%s", verdict_name(c->verdict));
	if (c->check && c->verdict != V_HANG && c->verdict != V_CRASH) {
		fputs(" &middot; <span style=\"text-transform:none\">", f);
		html_text(f, c->check);
		fputs("</span>", f);
	}
	fputs("</b><small>", f);
	if (published && c->verdict != V_PASS && c->verdict != V_SKIP) {
		/* what the client does wrong and what its user sees */
		char *x = explain_case(c);
		html_text(f, x);
		free(x);
	} else if (c->reason) {
		html_text(f, c->reason);
	} else if (c->verdict == V_SKIP) {
		fputs("the adapter does not do this task", f);
	} else if (!published) {
		fprintf(f, "%.1f s", (double)c->ms / 1000);
	}
	fputs("</small>", f);
	if (c->log && !published) {
		fputs("<a href=\"file://", f);
		html_url_path(f, c->log);
		fputs("/\">log</a>", f);
	}
	fputs("</td>", f);
}

static void html_summary(FILE *f, const struct ccase *cases, size_t n)
{
	long counts[V_SKIP + 1] = {0};
	static const char *const vars[] = {"pass", "fail", "hang", "crash", "known", "skip"};
	for (size_t i = 0; i < n; i++)
		counts[cases[i].verdict]++;
	fputs("<div class=\"summary\">", f);
	for (int v = V_PASS; v <= V_SKIP; v++)
		fprintf(f,
			"<span class=\"pill\" style=\"background:var(--%s);color:var(--%s-b);"
			"border-color:var(--%s-b)\">%ld %s</span>",
			vars[v], vars[v], vars[v], counts[v], verdict_name(v));
	fputs("</div>\n<div class=\"controls\"><label><input type=\"checkbox\" id=\"only\"> "
	      "show only rows with a failure</label> (or open this page with "
	      "<code>#failures</code>)</div>\n",
	      f);
}

static const char html_tail[] =
    "</tbody></table></main>\n<footer>Verdicts: pass; fail (the first failed check "
    "and why); hang (no exit within the time limit); crash (a signal or an uncaught "
    "exception); known-fail (listed in the adapter's baseline); skip (the adapter "
    "does not declare the task). See docs/judging.md.</footer>\n"
    "<script>\n"
    "var box=document.getElementById('only');\n"
    "function only(on){document.body.classList.toggle('failures',on);\n"
    " document.querySelectorAll('tr.grp').forEach(function(g){var r=g.nextElementSibling,"
    "bad=false;\n"
    "  for(;r&&!r.classList.contains('grp');r=r.nextElementSibling)"
    "bad=bad||r.classList.contains('bad');\n"
    "  g.hidden=on&&!bad;});}\n"
    "box.addEventListener('change',function(){only(box.checked);});\n"
    "if(location.hash==='#failures'){box.checked=true;only(true);}\n"
    "</script>\n</body></html>\n";

static void html_thead(FILE *f, const struct adapter *const *ad, size_t na)
{
	fputs("<main><table><thead><tr><th>scenario &middot; task</th>", f);
	for (size_t a = 0; a < na; a++) {
		fputs("<th>", f);
		html_text(f, ad[a]->name);
		if (ad[a]->version && *ad[a]->version) {
			fputs(" <span style=\"font-weight:400;color:#6a7682\">", f);
			html_text(f, ad[a]->version);
			fputs("</span>", f);
		}
		fputs("</th>", f);
	}
	fputs("</tr></thead><tbody>\n", f);
}

static int html_same_row(const struct ccase *a, const struct ccase *b)
{
	return !strcmp(a->scenario, b->scenario) && !strcmp(a->task, b->task);
}

/* The row of cases[i]'s scenario and task, after a group heading when the
 * scenario's folder (group, updated) changes.  Nothing when an earlier case
 * already made the row. */
static void html_row(FILE *f, const struct ccase *cases, size_t n, size_t i,
		     const struct adapter *const *ad, size_t na, char *group, size_t group_len,
		     int published)
{
	const struct ccase *c = &cases[i];
	for (size_t j = 0; j < i; j++)
		if (html_same_row(&cases[j], c))
			return;
	const char *slash = strchr(c->scenario, '/');
	size_t gl = slash ? (size_t)(slash - c->scenario) : 0;
	if (gl && (strlen(group) != gl || strncmp(group, c->scenario, gl))) {
		snprintf(group, group_len, "%.*s", (int)gl, c->scenario);
		fprintf(f, "<tr class=\"grp\"><th class=\"group\" colspan=\"%zu\">", na + 1);
		html_text(f, group);
		fputs("/</th></tr>\n", f);
	}
	const struct ccase *row[64] = {0};
	int any_bad = 0;
	for (size_t k = i; k < n; k++) {
		if (!html_same_row(&cases[k], c))
			continue;
		for (size_t a = 0; a < na; a++)
			if (ad[a] == cases[k].adapter)
				row[a] = &cases[k];
		any_bad |= html_bad(cases[k].verdict);
	}
	fprintf(f, "<tr class=\"%s\"><td class=\"name\">", any_bad ? "bad" : "ok");
	html_text(f, gl ? c->scenario + gl + 1 : c->scenario);
	fputs(" <span>", f);
	html_text(f, c->task);
	fputs("</span></td>", f);
	for (size_t a = 0; a < na; a++)
		html_cell(f, row[a], published);
	fputs("</tr>\n", f);
}

int report_html(const char *file, const struct ccase *cases, size_t n, long ms, int published)
{
	const struct adapter *ad[64];
	size_t na = html_adapters(cases, n, ad, 64);
	FILE *f = fopen(file, "w");
	if (!f) {
		fprintf(stderr, "cdpconform: cannot write %s\n", file);
		return -1;
	}
	fputs(html_head, f);
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += html_bad(cases[i].verdict);
	if (published)
		fprintf(f,
			"<header><h1>cdpconform: %zu cases, %zu failed</h1><p>%zu adapter%s "
			"&times; the judged scenarios. Generated by <code>make conformance</code>; "
			"hover a cell for the judge's reason. docs/conformance.md has one line "
			"per failure, docs/judging.md the rules.</p></header>\n",
			n, bad, na, na == 1 ? "" : "s");
	else
		fprintf(f,
			"<header><h1>cdpconform: %zu cases, %zu failed</h1><p>%zu adapter%s "
			"&times; the judged scenarios, %.1f s. Hover a cell for its reason; "
			"failed cases link to their logs (journal, stdout, stderr, "
			"outputs).</p></header>\n",
			n, bad, na, na == 1 ? "" : "s", (double)ms / 1000);
	html_summary(f, cases, n);
	html_thead(f, ad, na);
	char group[128] = "";
	for (size_t i = 0; i < n; i++)
		html_row(f, cases, n, i, ad, na, group, sizeof(group), published);
	fputs(html_tail, f);
	return fclose(f) ? -1 : 0;
}
