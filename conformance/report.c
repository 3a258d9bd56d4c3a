/* report.c - the run's reports: TAP 14 (stdout, written as cases finish),
 * and JSON and JUnit XML files.  The HTML matrix is report_html.c. */
#include "conform.h"

#include <stdlib.h>
#include <string.h>

/* TAP descriptions and YAML scalars: one line, no '#' that TAP would read
 * as a directive. */
static void report_tap_text(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\n' ? ' ' : *s == '#' ? '_' : *s, f);
}

void report_tap_plan(FILE *f, size_t n)
{
	fprintf(f, "TAP version 14\n1..%zu\n", n);
	fflush(f);
}

static void report_yaml_str(FILE *f, const char *key, const char *v)
{
	json_t *s = json_string(v ? v : "");
	char *q = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
	fprintf(f, "  %s: %s\n", key, q ? q : "\"\"");
	free(q);
	json_decref(s);
}

void report_tap_case(FILE *f, size_t num, const struct ccase *c)
{
	int ok = c->verdict == V_PASS || c->verdict == V_SKIP || c->verdict == V_KNOWN_FAIL;
	fprintf(f, "%s %zu - %s %s %s", ok ? "ok" : "not ok", num, c->adapter->name, c->scenario,
		c->task);
	if (c->verdict == V_SKIP) {
		fputs(" # SKIP ", f);
		report_tap_text(f, c->reason ? c->reason : "adapter does not do this task");
	} else if (c->verdict == V_KNOWN_FAIL) {
		fputs(" # TODO known-fail: ", f);
		report_tap_text(f, c->check);
	}
	fputc('\n', f);
	if (c->verdict != V_PASS && c->verdict != V_SKIP) {
		fputs("  ---\n", f);
		report_yaml_str(f, "verdict", verdict_name(c->verdict));
		report_yaml_str(f, "check", c->check);
		report_yaml_str(f, "reason", c->reason);
		report_yaml_str(f, "failed", c->failed);
		report_yaml_str(f, "log", c->log);
		if (c->expected)
			report_yaml_str(f, "expected", c->expected);
		fprintf(f, "  ms: %ld\n  ...\n", c->ms);
	}
	fflush(f);
}

static json_t *report_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* "adapters": each adapter of the cases once, with its version and tasks,
 * so that a merged report still knows them. */
static json_t *report_adapters(const struct ccase *cases, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct adapter *a = cases[i].adapter;
		size_t k;
		for (k = 0; k < i && cases[k].adapter != a; k++)
			;
		if (k < i)
			continue;
		json_t *tasks = json_array();
		for (size_t t = 0; a->tasks && a->tasks[t]; t++)
			json_array_append_new(tasks, json_string(a->tasks[t]));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:o}", "name", a->name, "version",
						     a->version ? a->version : "", "tasks", tasks));
	}
	return arr;
}

int report_json(const char *file, const struct ccase *cases, size_t n, long ms)
{
	json_t *arr = json_array(), *sum = json_object();
	long counts[V_SKIP + 1] = {0};
	for (size_t i = 0; i < n; i++) {
		const struct ccase *c = &cases[i];
		counts[c->verdict]++;
		json_t *o = json_pack(
		    "{s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:o, s:o}", "adapter", c->adapter->name,
		    "scenario", c->scenario, "task", c->task, "verdict", verdict_name(c->verdict),
		    "check", report_str_or_null(c->check), "reason", report_str_or_null(c->reason),
		    "ms", (json_int_t)c->ms, "log", report_str_or_null(c->log), "failed",
		    report_str_or_null(c->failed));
		json_object_set_new(o, "expected", report_str_or_null(c->expected));
		json_object_set_new(o, "description", report_str_or_null(c->description));
		json_array_append_new(arr, o);
	}
	json_object_set_new(sum, "cases", json_integer((json_int_t)n));
	for (int v = V_PASS; v <= V_SKIP; v++)
		json_object_set_new(sum, verdict_name(v), json_integer(counts[v]));
	json_object_set_new(sum, "ms", json_integer(ms));
	json_object_set_new(sum, "ok",
			    json_boolean(counts[V_FAIL] + counts[V_HANG] + counts[V_CRASH] == 0));
	json_t *root = json_pack("{s:o, s:o, s:o}", "cases", arr, "adapters",
				 report_adapters(cases, n), "summary", sum);
	int rc = json_dump_file(root, file, JSON_INDENT(1)) ? -1 : 0;
	json_decref(root);
	if (rc)
		fprintf(stderr, "cdpconform: cannot write %s\n", file);
	return rc;
}

int report_all(const struct opts *o, const struct ccase *cases, size_t n, long ms)
{
	int rc = 0;
	if (o->json && report_json(o->json, cases, n, ms))
		rc = -1;
	if (o->junit && report_junit(o->junit, cases, n, ms))
		rc = -1;
	if (o->html && report_html(o->html, cases, n, ms, o->published))
		rc = -1;
	if (o->markdown && report_markdown(o->markdown, cases, n))
		rc = -1;
	if (o->update_baselines && baseline_write(o->update_baselines, cases, n))
		rc = -1;
	return rc;
}

void report_escape(FILE *f, const char *s, int drop_controls)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			/* XML 1.0 has no control characters but tab and newline. */
			if (!drop_controls || (unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

static void report_xml(FILE *f, const char *s)
{
	report_escape(f, s, 1);
}

/* One <testsuite> per adapter; a case is classname "scenario", name "task". */
int report_junit(const char *file, const struct ccase *cases, size_t n, long ms)
{
	FILE *f = fopen(file, "w");
	if (!f) {
		fprintf(stderr, "cdpconform: cannot write %s\n", file);
		return -1;
	}
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cdpconform\" "
		"time=\"%.3f\">\n",
		(double)ms / 1000);
	for (size_t i = 0; i < n; i++) {
		const struct adapter *a = cases[i].adapter;
		size_t k;
		for (k = 0; k < i && cases[k].adapter != a; k++)
			;
		if (k < i)
			continue; /* this adapter's suite is written */
		long tests = 0, fails = 0, skips = 0;
		for (k = i; k < n; k++) {
			if (cases[k].adapter != a)
				continue;
			tests++;
			fails += cases[k].verdict == V_FAIL || cases[k].verdict == V_HANG ||
				 cases[k].verdict == V_CRASH;
			skips += cases[k].verdict == V_SKIP || cases[k].verdict == V_KNOWN_FAIL;
		}
		fputs("  <testsuite name=\"", f);
		report_xml(f, a->name);
		fprintf(f, "\" tests=\"%ld\" failures=\"%ld\" skipped=\"%ld\">\n", tests, fails,
			skips);
		for (k = i; k < n; k++) {
			const struct ccase *c = &cases[k];
			if (c->adapter != a)
				continue;
			fputs("    <testcase classname=\"", f);
			report_xml(f, c->scenario);
			fputs("\" name=\"", f);
			report_xml(f, c->task);
			fprintf(f, "\" time=\"%.3f\">", (double)c->ms / 1000);
			if (c->verdict == V_SKIP || c->verdict == V_KNOWN_FAIL) {
				fprintf(f, "<skipped message=\"%s\"/>",
					c->verdict == V_SKIP ? "adapter does not do this task"
							     : "known-fail");
			} else if (c->verdict != V_PASS) {
				fprintf(f, "<failure type=\"%s\" message=\"",
					verdict_name(c->verdict));
				report_xml(f, c->check);
				fputs(": ", f);
				report_xml(f, c->reason);
				fputs("\">log: ", f);
				report_xml(f, c->log);
				fputs("</failure>", f);
			}
			fputs("</testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	return fclose(f) ? -1 : 0;
}
