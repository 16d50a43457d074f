/* monitor: see monitor.h. */
#include "monitor.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "conn.h"

void sw_monitor_print(FILE *f, const struct sw_jread *r, const struct sw_jread_node *ev,
		      const char *hhmmss)
{
	const char *name = sw_jread_str(r, ev, "event");

	fprintf(f, "%s %s", hhmmss, name ? name : "?");
	for (const struct sw_jread_node *m = sw_jread_first(r, ev); m; m = sw_jread_next(r, m)) {
		if (strcmp(m->key, "event") == 0)
			continue;
		if (m->type == SW_JREAD_STR)
			fprintf(f, " %s=%s", m->key, m->str);
		else if (m->type == SW_JREAD_NUM)
			fprintf(f, " %s=%.*s", m->key, (int)m->len, m->str);
		else if (m->type == SW_JREAD_BOOL)
			fprintf(f, " %s=%s", m->key, m->b ? "yes" : "no");
	}
	fputc('\n', f);
}

static void print_line(const char *line, bool json)
{
	struct sw_jread_node nodes[64];
	struct sw_jread r;
	char buf[4096], hhmmss[16];
	time_t now = time(NULL);
	struct tm tm;

	if (json) {
		puts(line);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	strftime(hhmmss, sizeof(hhmmss), "%H:%M:%S", localtime_r(&now, &tm));
	if (sw_jread_parse(&r, nodes, 64, buf, strlen(buf)) == 0 &&
	    sw_jread_root(&r)->type == SW_JREAD_OBJ)
		sw_monitor_print(stdout, &r, sw_jread_root(&r), hhmmss);
	else
		printf("%s %s\n", hhmmss, line);
}

/* Subscribe: the reply to "monitor" must be ok. */
static int subscribe(struct sw_conn *c)
{
	struct sw_reply rep;
	char *line;
	int rc = sw_conn_send(c, "monitor");

	if (rc >= 0)
		rc = sw_conn_line(c, SW_CONN_TIMEOUT_MS, &line);
	if (rc < 0) {
		fprintf(stderr, "shipworm: %s: %s\n", c->path, strerror(-rc));
		return rc;
	}
	rc = sw_conn_parse(&rep, line);
	sw_conn_free(&rep);
	return rc;
}

static int follow(struct sw_conn *c, bool json)
{
	char *line;
	int rc;

	while ((rc = sw_conn_line(c, -1, &line)) >= 0) {
		print_line(line, json);
		fflush(stdout);
	}
	if (rc == -ECONNRESET) {
		fprintf(stderr, "shipworm: the daemon closed the connection\n");
		return 0;
	}
	fprintf(stderr, "shipworm: %s: %s\n", c->path, strerror(-rc));
	return 1;
}

void sw_monitor_usage(FILE *f)
{
	fprintf(f, "Usage: shipworm monitor [INSTANCE | --socket PATH] [--json]\n"
		   "Print a running shipwormd's events (state, addresses, MTU, reloads) as they"
		   " happen.\n");
}

int sw_monitor_main(int argc, char *argv[])
{
	struct sw_conn_target t;
	struct sw_conn c;
	char path[4096];
	int rc = sw_conn_args(argc, argv, &t, sw_monitor_usage);

	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (sw_conn_resolve(&t, path, sizeof(path)) < 0 || sw_conn_open(&c, path) < 0)
		return 1;
	rc = subscribe(&c) < 0 ? 1 : follow(&c, t.json);
	sw_conn_close(&c);
	return rc;
}
