/* metrics: see metrics.h. */
#include "metrics.h"

#include <string.h>

#include "conn.h"

/* Metric names keep [a-zA-Z0-9_:]; anything else becomes '_'. */
static void put_name(FILE *f, const char *name)
{
	fputs("shipworm_", f);
	for (const char *p = name; *p; p++) {
		char ch = *p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == ':';
		fputc(ok ? ch : '_', f);
	}
}

/* HELP text escapes backslash and newline; label values also the double quote. */
static void put_escaped(FILE *f, const char *s, bool label)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (label && *s == '"')
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

static void print_one(FILE *f, const struct sw_jread *r, const struct sw_jread_node *m,
		      const char *instance)
{
	const char *name = sw_jread_str(r, m, "name"), *help = sw_jread_str(r, m, "help");
	const struct sw_jread_node *v = sw_jread_get(r, m, "value");
	const char *type;
	uint64_t val;

	if (!name || !*name || sw_jread_u64(v, &val) < 0)
		return;
	if (help && *help) {
		fputs("# HELP ", f);
		put_name(f, name);
		fputc(' ', f);
		put_escaped(f, help, false);
		fputc('\n', f);
	}
	type = sw_jread_str(r, m, "type");
	fputs("# TYPE ", f);
	put_name(f, name);
	fprintf(f, " %s\n", type && strcmp(type, "gauge") == 0 ? "gauge" : "counter");
	put_name(f, name);
	if (instance) {
		fputs("{instance=\"", f);
		put_escaped(f, instance, true);
		fputs("\"}", f);
	}
	fprintf(f, " %llu\n", (unsigned long long)val);
}

void sw_metrics_print(FILE *f, const struct sw_jread *r, const struct sw_jread_node *root,
		      const char *instance)
{
	const struct sw_jread_node *arr = sw_jread_get(r, root, "metrics");

	for (const struct sw_jread_node *m = sw_jread_first(r, arr); m; m = sw_jread_next(r, m))
		if (m->type == SW_JREAD_OBJ)
			print_one(f, r, m, instance);
}

void sw_metrics_usage(FILE *f)
{
	fprintf(f, "Usage: shipworm metrics [INSTANCE | --socket PATH] [--json]\n"
		   "Print a running shipwormd's counters in the Prometheus text format.\n");
}

int sw_metrics_main(int argc, char *argv[])
{
	struct sw_conn_target t;
	struct sw_reply rep;
	const char *instance;
	int rc = sw_conn_args(argc, argv, &t, sw_metrics_usage);

	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (sw_conn_fetch(&t, "metrics", &rep) < 0) {
		sw_conn_free(&rep);
		return 1;
	}
	instance = sw_jread_str(&rep.r, rep.root, "instance");
	if (t.json)
		puts(rep.line);
	else
		sw_metrics_print(stdout, &rep.r, rep.root, instance ? instance : t.instance);
	sw_conn_free(&rep);
	return 0;
}
