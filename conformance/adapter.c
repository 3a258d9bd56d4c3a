/* adapter.c - an adapter folder: adapter.json ({"name", "version", "run",
 * "tasks"}).  The contract is docs/adapters.md; its baseline is
 * baseline.c's. */
#include "conform.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static char **adapter_strings(const json_t *arr)
{
	size_t n = json_array_size(arr);
	char **v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++)
		v[i] = util_strdup(json_string_value(json_array_get(arr, i)));
	return v;
}

static void adapter_free_strings(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int adapter_all_strings(const json_t *arr)
{
	if (!json_is_array(arr) || !json_array_size(arr))
		return 0;
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (!json_is_string(json_array_get(arr, i)))
			return 0;
	return 1;
}

int adapter_load(const char *dir, struct adapter *a)
{
	char real[PATH_MAX];
	memset(a, 0, sizeof(*a));
	if (!realpath(dir, real)) {
		fprintf(stderr, "cdpconform: %s: no such adapter folder\n", dir);
		return -1;
	}
	char *file = util_printf("%s/adapter.json", real);
	json_error_t e;
	json_t *j = json_load_file(file, 0, &e);
	int rc = -1;
	if (!j) {
		fprintf(stderr, "cdpconform: %s:%d:%d: %s\n", file, e.line, e.column, e.text);
		goto out;
	}
	const json_t *name = json_object_get(j, "name"), *run = json_object_get(j, "run");
	const json_t *tasks = json_object_get(j, "tasks");
	if (!json_is_string(name) || !json_string_length(name) || !adapter_all_strings(run) ||
	    !adapter_all_strings(tasks)) {
		fprintf(stderr,
			"cdpconform: %s: expected {\"name\": string, \"version\": string, "
			"\"run\": [strings], \"tasks\": [strings]}\n",
			file);
		goto out;
	}
	a->dir = util_strdup(real);
	a->name = util_strdup(json_string_value(name));
	const char *version = json_string_value(json_object_get(j, "version"));
	a->version = util_strdup(version ? version : "");
	a->run = adapter_strings(run);
	a->tasks = adapter_strings(tasks);
	rc = 0;
out:
	json_decref(j);
	free(file);
	return rc;
}

void adapter_clear(struct adapter *a)
{
	free(a->dir);
	free(a->name);
	free(a->version);
	adapter_free_strings(a->run);
	adapter_free_strings(a->tasks);
	json_decref(a->baseline);
	memset(a, 0, sizeof(*a));
}

int adapter_does(const struct adapter *a, const char *task)
{
	for (size_t i = 0; a->tasks && a->tasks[i]; i++)
		if (!strcmp(a->tasks[i], task))
			return 1;
	return 0;
}
