/* protogen.c - build-time generator: reads the CDP descriptor
 * (third_party/devtools-protocol/protocol.json) and prints the C table of
 * every command's parameters that server/protocol.c checks requests against
 * (layout in server/protocol.h).  Runs on the build host only; it is not
 * linked into cdpmock.
 *
 *   protogen protocol.json > protocol_table.c
 *
 * Each "$ref" (also across domains, like Tracing.TraceConfig) is resolved to
 * a shared type entry, so recursive types are fine.  Enums become strings. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "cdp/protocol.h"

/* The table's index fields are 16 and 32 bits wide. */
#define PROTOGEN_MAX_TYPES 65535u
#define PROTOGEN_MAX_FIELDS 65535u
/* Nesting of $ref resolution; the descriptor needs a handful. */
#define PROTOGEN_MAX_DEPTH 200

struct gen_field {
	const char *name; /* borrowed from the descriptor */
	unsigned type;
	int optional;
};

struct gen_list {
	struct gen_field *v;
	size_t n;
	size_t first; /* index in the emitted field array */
};

struct gen_type {
	enum protocol_kind kind;
	unsigned items;        /* PROTOCOL_ARRAY */
	struct gen_list props; /* PROTOCOL_OBJECT */
	char *origin;          /* "Domain.Type" for named types, for the reader */
};

struct gen_method {
	char *name;
	int has_params;
	struct gen_list params;
};

struct gen {
	json_t *named;   /* "Domain.Type" -> type definition (borrowed) */
	json_t *memo;    /* "Domain.Type" -> integer type index */
	struct gen_type *types;
	size_t ntypes, atypes;
	struct gen_method *methods;
	size_t nmethods, amethods;
	char **events; /* "Domain.event", for names only */
	size_t nevents, aevents;
	int depth; /* gen_named nesting */
};

/* The primitive kinds get fixed type indices, in enum order. */
static const char *const gen_primitive[] = {
	[PROTOCOL_ANY] = "any",         [PROTOCOL_INTEGER] = "integer",
	[PROTOCOL_NUMBER] = "number",   [PROTOCOL_STRING] = "string",
	[PROTOCOL_BOOLEAN] = "boolean", [PROTOCOL_BINARY] = "binary",
	[PROTOCOL_DICT] = "object",
};

static const char *const gen_kind_name[] = {
	"PROTOCOL_ANY",    "PROTOCOL_INTEGER", "PROTOCOL_NUMBER",
	"PROTOCOL_STRING", "PROTOCOL_BOOLEAN", "PROTOCOL_BINARY",
	"PROTOCOL_DICT",   "PROTOCOL_OBJECT",  "PROTOCOL_ARRAY",
};

static int gen_resolve(struct gen *g, const char *dom, const json_t *spec, unsigned *out);

static int gen_error(const char *what, const char *name)
{
	fprintf(stderr, "protogen: %s: %s\n", what, name ? name : "?");
	return CDPM_EINVAL;
}

static char *gen_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '.';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Appends a type; *out receives its index. */
static int gen_type_add(struct gen *g, enum protocol_kind kind, unsigned *out)
{
	if (g->ntypes == g->atypes) {
		size_t a = g->atypes ? 2 * g->atypes : 256;
		struct gen_type *t = realloc(g->types, a * sizeof(*t));
		if (!t)
			return CDPM_ENOMEM;
		g->types = t;
		g->atypes = a;
	}
	if (g->ntypes >= PROTOGEN_MAX_TYPES)
		return gen_error("too many types", "");
	memset(&g->types[g->ntypes], 0, sizeof(g->types[0]));
	g->types[g->ntypes].kind = kind;
	*out = (unsigned)g->ntypes++;
	return 0;
}

static int gen_field_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gen_field *)a)->name, ((const struct gen_field *)b)->name);
}

/* Reads a "parameters" or "properties" array into list, sorted by name
 * (crdtp keeps its field tables sorted and reports the first missing one). */
static int gen_fields(struct gen *g, const char *dom, const json_t *arr, struct gen_list *list)
{
	size_t i, n = json_array_size(arr);
	unsigned type;
	int rc;

	if (!json_is_array(arr))
		return gen_error("parameters or properties is not an array", dom);
	list->n = 0;
	list->v = calloc(n ? n : 1, sizeof(*list->v));
	if (!list->v)
		return CDPM_ENOMEM;
	for (i = 0; i < n; i++) {
		const json_t *f = json_array_get(arr, i);
		const char *name = json_string_value(json_object_get(f, "name"));
		if (!name)
			return gen_error("a field has no name in domain", dom);
		if ((rc = gen_resolve(g, dom, f, &type)))
			return rc;
		list->v[i].name = name;
		list->v[i].type = type;
		list->v[i].optional = json_is_true(json_object_get(f, "optional"));
		list->n++;
	}
	qsort(list->v, list->n, sizeof(*list->v), gen_field_cmp);
	return 0;
}

/* Reads the "properties" of the PROTOCOL_OBJECT type idx. */
static int gen_props(struct gen *g, const char *dom, const json_t *props, unsigned idx)
{
	struct gen_list list = { 0 };
	/* g->types may move while the fields are read: store afterwards. */
	int rc = gen_fields(g, dom, props, &list);
	g->types[idx].props = list;
	return rc;
}

/* The array type with the given item type, shared by all its users. */
static int gen_array(struct gen *g, unsigned items, unsigned *out)
{
	for (size_t i = 0; i < g->ntypes; i++) {
		if (g->types[i].kind == PROTOCOL_ARRAY && g->types[i].items == items) {
			*out = (unsigned)i;
			return 0;
		}
	}
	int rc = gen_type_add(g, PROTOCOL_ARRAY, out);
	if (!rc)
		g->types[*out].items = items;
	return rc;
}

/* Records that the named type qname has index idx. */
static int gen_memo(struct gen *g, const char *qname, unsigned idx)
{
	return json_object_set_new(g->memo, qname, json_integer(idx)) ? CDPM_ENOMEM : 0;
}

/* The type named by a "$ref" seen in domain dom, resolved in its own domain.
 * An object type gets its index (and memo entry) before its properties are
 * read, so that a property may refer back to it (Runtime.StackTrace.parent). */
static int gen_named(struct gen *g, const char *dom, const char *ref, unsigned *out)
{
	char *qname = strchr(ref, '.') ? strdup(ref) : gen_join(dom, ref);
	char *tdom = NULL;
	int rc = CDPM_ENOMEM;

	if (!qname)
		goto out;
	json_t *memo = json_object_get(g->memo, qname);
	if (memo) {
		*out = (unsigned)json_integer_value(memo);
		rc = 0;
		goto out;
	}
	const json_t *def = json_object_get(g->named, qname);
	if (!def) {
		rc = gen_error("unknown $ref", qname);
		goto out;
	}
	if (++g->depth > PROTOGEN_MAX_DEPTH) {
		rc = gen_error("$ref chain too deep at", qname);
		goto out;
	}
	if (!(tdom = strdup(qname)))
		goto out;
	*strchr(tdom, '.') = '\0';
	const json_t *props = json_object_get(def, "properties");
	const char *type = json_string_value(json_object_get(def, "type"));
	if (props && type && !strcmp(type, "object")) {
		if ((rc = gen_type_add(g, PROTOCOL_OBJECT, out)))
			goto out;
		rc = CDPM_ENOMEM;
		if (!(g->types[*out].origin = strdup(qname)))
			goto out;
		if (!(rc = gen_memo(g, qname, *out)))
			rc = gen_props(g, tdom, props, *out);
	} else if (!(rc = gen_resolve(g, tdom, def, out))) {
		rc = gen_memo(g, qname, *out);
	}
	g->depth--;
out:
	free(tdom);
	free(qname);
	return rc;
}

/* The type of a field or type spec ("$ref" or "type") in domain dom. */
static int gen_resolve(struct gen *g, const char *dom, const json_t *spec, unsigned *out)
{
	const char *ref = json_string_value(json_object_get(spec, "$ref"));
	const char *type = json_string_value(json_object_get(spec, "type"));
	unsigned items;
	int rc;

	if (ref)
		return gen_named(g, dom, ref, out);
	if (!type)
		return gen_error("a spec has neither $ref nor type in domain", dom);
	if (!strcmp(type, "array")) {
		const json_t *it = json_object_get(spec, "items");
		if (!it)
			return gen_error("an array has no items in domain", dom);
		if ((rc = gen_resolve(g, dom, it, &items)))
			return rc;
		return gen_array(g, items, out);
	}
	if (!strcmp(type, "object") && json_object_get(spec, "properties")) {
		/* An inline object: its own type entry. */
		if ((rc = gen_type_add(g, PROTOCOL_OBJECT, out)))
			return rc;
		return gen_props(g, dom, json_object_get(spec, "properties"), *out);
	}
	for (unsigned k = 0; k < CDPM_ARRAY_LEN(gen_primitive); k++) {
		if (!strcmp(type, gen_primitive[k])) {
			*out = k;
			return 0;
		}
	}
	return gen_error("unknown type", type);
}

static int gen_event_add(struct gen *g, const char *dom, const json_t *ev)
{
	const char *name = json_string_value(json_object_get(ev, "name"));
	if (!name)
		return gen_error("an event has no name in domain", dom);
	if (g->nevents == g->aevents) {
		size_t a = g->aevents ? 2 * g->aevents : 256;
		char **e = realloc(g->events, a * sizeof(*e));
		if (!e)
			return CDPM_ENOMEM;
		g->events = e;
		g->aevents = a;
	}
	if (!(g->events[g->nevents] = gen_join(dom, name)))
		return CDPM_ENOMEM;
	g->nevents++;
	return 0;
}

static int gen_method_add(struct gen *g, const char *dom, const json_t *cmd)
{
	const char *name = json_string_value(json_object_get(cmd, "name"));
	const json_t *params = json_object_get(cmd, "parameters");
	struct gen_method *m;

	if (!name)
		return gen_error("a command has no name in domain", dom);
	if (g->nmethods == g->amethods) {
		size_t a = g->amethods ? 2 * g->amethods : 256;
		m = realloc(g->methods, a * sizeof(*m));
		if (!m)
			return CDPM_ENOMEM;
		g->methods = m;
		g->amethods = a;
	}
	m = &g->methods[g->nmethods++];
	memset(m, 0, sizeof(*m));
	if (!(m->name = gen_join(dom, name)))
		return CDPM_ENOMEM;
	if (!params)
		return 0;
	m->has_params = 1;
	struct gen_list list = { 0 };
	int rc = gen_fields(g, dom, params, &list);
	g->methods[g->nmethods - 1].params = list;
	return rc;
}

/* Indexes every named type, then reads every command. */
static int gen_load(struct gen *g, const json_t *root)
{
	const json_t *domains = json_object_get(root, "domains");
	size_t i, j;
	int rc;

	if (!json_is_array(domains))
		return gen_error("no domains array", "");
	/* The primitives first, at the indices of their enum values. */
	for (i = 0; i < CDPM_ARRAY_LEN(gen_primitive); i++) {
		unsigned idx;
		if ((rc = gen_type_add(g, (enum protocol_kind)i, &idx)))
			return rc;
	}
	for (i = 0; i < json_array_size(domains); i++) {
		const json_t *d = json_array_get(domains, i);
		const char *dom = json_string_value(json_object_get(d, "domain"));
		const json_t *types = json_object_get(d, "types");
		if (!dom)
			return gen_error("a domain has no name", "");
		for (j = 0; j < json_array_size(types); j++) {
			json_t *t = json_array_get(types, j);
			const char *id = json_string_value(json_object_get(t, "id"));
			char *q = id ? gen_join(dom, id) : NULL;
			rc = q ? json_object_set(g->named, q, t) : CDPM_ENOMEM;
			free(q);
			if (rc)
				return id ? CDPM_ENOMEM : gen_error("a type has no id in", dom);
		}
	}
	for (i = 0; i < json_array_size(domains); i++) {
		const json_t *d = json_array_get(domains, i);
		const char *dom = json_string_value(json_object_get(d, "domain"));
		const json_t *cmds = json_object_get(d, "commands");
		for (j = 0; j < json_array_size(cmds); j++)
			if ((rc = gen_method_add(g, dom, json_array_get(cmds, j))))
				return rc;
		const json_t *evs = json_object_get(d, "events");
		for (j = 0; j < json_array_size(evs); j++)
			if ((rc = gen_event_add(g, dom, json_array_get(evs, j))))
				return rc;
	}
	return 0;
}

static int gen_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int gen_method_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gen_method *)a)->name, ((const struct gen_method *)b)->name);
}

/* Descriptor names are identifiers; refuse anything that would need
 * escaping in a C string literal. */
static int gen_check_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return CDPM_EINVAL;
	return 0;
}

/* Prints one field list and numbers it; *next is the next free index. */
static int gen_emit_list(FILE *out, struct gen_list *list, size_t *next, const char *owner)
{
	list->first = *next;
	for (size_t i = 0; i < list->n; i++) {
		if (gen_check_name(list->v[i].name))
			return gen_error("a field name needs escaping", list->v[i].name);
		fprintf(out, "\t{ \"%s\", %u, %d }, /* %s */\n", list->v[i].name,
			list->v[i].type, list->v[i].optional, owner);
	}
	*next += list->n;
	if (*next > (size_t)UINT32_MAX)
		return gen_error("too many fields", owner);
	return list->n > PROTOGEN_MAX_FIELDS ? gen_error("too many fields in", owner) : 0;
}

static int gen_emit(struct gen *g, FILE *out)
{
	size_t i, next = 0;
	int rc;

	qsort(g->methods, g->nmethods, sizeof(*g->methods), gen_method_cmp);
	fprintf(out, "/* protocol_table.c - generated by tools/protogen.c from the CDP descriptor;\n"
		     " * do not edit.  Layout: server/protocol.h. */\n"
		     "#include \"cdp/protocol.h\"\n\n"
		     "const struct protocol_field protocol_table_fields[] = {\n");
	for (i = 0; i < g->nmethods; i++) {
		if (gen_check_name(g->methods[i].name))
			return gen_error("a method name needs escaping", g->methods[i].name);
		if ((rc = gen_emit_list(out, &g->methods[i].params, &next, g->methods[i].name)))
			return rc;
	}
	for (i = 0; i < g->ntypes; i++) {
		const char *o = g->types[i].origin ? g->types[i].origin : "(inline object)";
		if ((rc = gen_emit_list(out, &g->types[i].props, &next, o)))
			return rc;
	}
	if (!next)
		fprintf(out, "\t{ \"\", 0, 0 }, /* (none: ISO C wants one) */\n");
	fprintf(out, "};\n\nconst struct protocol_type protocol_table_types[] = {\n");
	for (i = 0; i < g->ntypes; i++) {
		const struct gen_type *t = &g->types[i];
		size_t arg = t->kind == PROTOCOL_ARRAY ? t->items : t->props.first;
		fprintf(out, "\t{ %s, %zu, %zu }, /* %zu%s%s */\n", gen_kind_name[t->kind],
			t->props.n, t->kind == PROTOCOL_OBJECT || t->kind == PROTOCOL_ARRAY ? arg : 0,
			i, t->origin ? " " : "", t->origin ? t->origin : "");
	}
	fprintf(out, "};\n\nconst struct protocol_method protocol_table_methods[] = {\n");
	for (i = 0; i < g->nmethods; i++) {
		const struct gen_method *m = &g->methods[i];
		fprintf(out, "\t{ \"%s\", %zu, %d, %zu },\n", m->name, m->params.n, m->has_params,
			m->params.n ? m->params.first : 0);
	}
	fprintf(out, "};\n\nconst size_t protocol_table_nmethods = %zu;\n", g->nmethods);
	qsort(g->events, g->nevents, sizeof(*g->events), gen_name_cmp);
	fprintf(out, "\nconst char *const protocol_table_events[] = {\n");
	for (i = 0; i < g->nevents; i++) {
		if (gen_check_name(g->events[i]))
			return gen_error("an event name needs escaping", g->events[i]);
		fprintf(out, "\t\"%s\",\n", g->events[i]);
	}
	if (!g->nevents)
		fprintf(out, "\tNULL, /* (none: ISO C wants one) */\n");
	fprintf(out, "};\n\nconst size_t protocol_table_nevents = %zu;\n", g->nevents);
	return ferror(out) ? CDPM_EIO : 0;
}

static void gen_clear(struct gen *g)
{
	size_t i;

	for (i = 0; i < g->ntypes; i++) {
		free(g->types[i].props.v);
		free(g->types[i].origin);
	}
	for (i = 0; i < g->nmethods; i++) {
		free(g->methods[i].params.v);
		free(g->methods[i].name);
	}
	for (i = 0; i < g->nevents; i++)
		free(g->events[i]);
	free(g->events);
	free(g->types);
	free(g->methods);
	json_decref(g->named);
	json_decref(g->memo);
}

int main(int argc, char **argv)
{
	struct gen g = { 0 };
	json_error_t jerr;
	json_t *root = NULL;
	int rc = CDPM_ENOMEM;

	if (argc != 2) {
		fprintf(stderr, "usage: protogen protocol.json > protocol_table.c\n");
		return 2;
	}
	if (!(root = json_load_file(argv[1], 0, &jerr))) {
		fprintf(stderr, "protogen: %s:%d: %s\n", argv[1], jerr.line, jerr.text);
		return 1;
	}
	g.named = json_object();
	g.memo = json_object();
	if (g.named && g.memo && !(rc = gen_load(&g, root)))
		rc = gen_emit(&g, stdout);
	if (!rc && fflush(stdout))
		rc = CDPM_EIO;
	if (rc)
		fprintf(stderr, "protogen: failed (%d)\n", rc);
	gen_clear(&g);
	json_decref(root);
	return rc ? 1 : 0;
}
