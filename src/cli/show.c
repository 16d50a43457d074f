/* show: `shipworm status` and `shipworm peers`, see show.h. */
#include "show.h"

#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "term.h"

#define SHOW_MAX_INSTANCES 64 /* instances shown by a bare `shipworm status` */

/* Known status members, in display order (alt: another name a role may use for it);
 * others follow under their own names. */
static const struct {
	const char *key, *alt, *label;
} known[] = {
	{"role", NULL, "role"},
	{"version", NULL, "version"},
	{"pid", NULL, "pid"},
	{"uptime_ms", NULL, "uptime"},
	{"state", NULL, "state"},
	{"interface", NULL, "interface"},
	{"mtu", NULL, "mtu"},
	{"server", NULL, "server"},
	{"nat_type", "nat", "NAT type"},
	{"local", NULL, "local"},
	{"mapped", "mapping", "mapped"},
	{"address", NULL, "address"},
	{"refresh_interval_ms", "refresh_interval", "refresh interval"},
	{"last_refresh_ms", NULL, "last refresh"},
	{"peers", NULL, "peers"},
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), n = strlen(suffix);

	return l >= n && strcmp(s + l - n, suffix) == 0;
}

/* A time in ms: a *_ms member's integer, or any number with a fraction, which only
 * sw_json_ms writes (seconds with three decimals). */
static bool get_ms(const char *key, const struct sw_jread_node *n, uint64_t *ms)
{
	double d;

	if (key && ends_with(key, "_ms") && sw_jread_u64(n, ms) == 0)
		return true;
	if (!memchr(n->str, '.', n->len) || sw_jread_double(n, &d) < 0 || d < 0 || d > 1e15)
		return false;
	*ms = (uint64_t)(d * 1000 + 0.5);
	return true;
}

static const char *scalar_text(const char *key, const struct sw_jread_node *n, char *buf,
			       size_t len)
{
	uint64_t ms;

	switch (n->type) {
	case SW_JREAD_STR:
		return n->str;
	case SW_JREAD_BOOL:
		return n->b ? "yes" : "no";
	case SW_JREAD_NULL:
		return "-";
	case SW_JREAD_NUM:
		if (get_ms(key, n, &ms))
			return key && strncmp(key, "last_", 5) == 0 ? sw_term_age(ms, buf, len)
								    : sw_term_duration(ms, buf, len);
		snprintf(buf, len, "%.*s", (int)n->len, n->str);
		return buf;
	default:
		return "";
	}
}

static void label_of(const char *key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < len; i++)
		buf[i] = key[i] == '_' ? ' ' : key[i];
	buf[i] = '\0';
	if (ends_with(buf, " ms"))
		buf[strlen(buf) - 3] = '\0';
}

static void print_value(const struct sw_jread *r, const struct sw_jread_node *n,
			const char *label, int indent);

static bool scalars_only(const struct sw_jread *r, const struct sw_jread_node *arr)
{
	for (const struct sw_jread_node *m = sw_jread_first(r, arr); m; m = sw_jread_next(r, m))
		if (m->type == SW_JREAD_OBJ || m->type == SW_JREAD_ARR)
			return false;
	return true;
}

/* An array of scalars on one line: " a, b, c" (or " -" when empty). */
static void print_list(const struct sw_jread *r, const struct sw_jread_node *arr)
{
	char buf[64];
	const char *sep = " ";

	if (!sw_jread_first(r, arr))
		printf(" -");
	for (const struct sw_jread_node *m = sw_jread_first(r, arr); m; m = sw_jread_next(r, m)) {
		printf("%s%s", sep, scalar_text(NULL, m, buf, sizeof(buf)));
		sep = ", ";
	}
	printf("\n");
}

static void print_children(const struct sw_jread *r, const struct sw_jread_node *n, int indent)
{
	char label[64];

	for (const struct sw_jread_node *m = sw_jread_first(r, n); m; m = sw_jread_next(r, m)) {
		label_of(m->key ? m->key : "-", label, sizeof(label));
		print_value(r, m, label, indent);
	}
}

static void print_value(const struct sw_jread *r, const struct sw_jread_node *n,
			const char *label, int indent)
{
	char buf[64];

	printf("%*s%s%s:%s", indent, "", sw_term_bold(), label, sw_term_reset());
	if (n->type == SW_JREAD_ARR && scalars_only(r, n)) {
		print_list(r, n);
		return;
	}
	if (n->type == SW_JREAD_OBJ || n->type == SW_JREAD_ARR) {
		printf("\n");
		print_children(r, n, indent + 2);
		return;
	}
	printf(" %s\n", scalar_text(n->key, n, buf, sizeof(buf)));
}

/* "server: A, secondary B" from {"server":{"primary","secondary"}} or from the flat
 * "server" and "server2" strings some roles send. */
static void print_server(const struct sw_jread *r, const struct sw_jread_node *root,
			 const struct sw_jread_node *n, int indent)
{
	const char *p = n->type == SW_JREAD_STR ? n->str : sw_jread_str(r, n, "primary");
	const char *s = n->type == SW_JREAD_STR ? sw_jread_str(r, root, "server2")
						: sw_jread_str(r, n, "secondary");

	if (!p) {
		print_value(r, n, "server", indent);
		return;
	}
	printf("%*s%sserver:%s %s%s%s\n", indent, "", sw_term_bold(), sw_term_reset(), p,
	       s ? ", secondary " : "", s ? s : "");
}

/* The state, green when working, yellow otherwise (on a terminal). */
static void print_state(const char *state)
{
	static const char *good[] = {"qualified", "relaying", "serving"};
	const char *colour = sw_term_yellow();

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (strcmp(state, good[i]) == 0)
			colour = sw_term_green();
	printf("  %sstate:%s %s%s%s\n", sw_term_bold(), sw_term_reset(), colour, state,
	       sw_term_reset());
}

static void print_known(const struct sw_jread *r, const struct sw_jread_node *root)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct sw_jread_node *n = sw_jread_get(r, root, known[i].key);

		if (!n && known[i].alt)
			n = sw_jread_get(r, root, known[i].alt);
		if (!n)
			continue;
		if (strcmp(known[i].key, "server") == 0)
			print_server(r, root, n, 2);
		else if (strcmp(known[i].key, "state") == 0 && n->type == SW_JREAD_STR)
			print_state(n->str);
		else
			print_value(r, n, known[i].label, 2);
	}
}

/* Shown by print_known, or not for people (ok, instance, counters)? */
static bool is_known(const struct sw_jread *r, const struct sw_jread_node *root, const char *key)
{
	static const char *skip[] = {"ok", "instance", "counters"};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(key, known[i].key) == 0)
			return true;
		if (known[i].alt && strcmp(key, known[i].alt) == 0)
			return !sw_jread_get(r, root, known[i].key);
	}
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(key, skip[i]) == 0)
			return true;
	return strcmp(key, "server2") == 0 && sw_jread_str(r, root, "server");
}

static void print_others(const struct sw_jread *r, const struct sw_jread_node *root)
{
	char label[64];

	for (const struct sw_jread_node *m = sw_jread_first(r, root); m; m = sw_jread_next(r, m)) {
		if (is_known(r, root, m->key))
			continue;
		label_of(m->key, label, sizeof(label));
		print_value(r, m, label, 2);
	}
}

/* One group of counters (drops or the others); returns how many zeros it left out. */
static size_t print_group(const struct sw_jread *r, const struct sw_jread_node *c, bool drops,
			  bool all)
{
	size_t hidden = 0, shown = 0;
	uint64_t v;

	for (const struct sw_jread_node *m = sw_jread_first(r, c); m; m = sw_jread_next(r, m)) {
		if ((strstr(m->key, "drop") != NULL) != drops)
			continue;
		if (!all && sw_jread_u64(m, &v) == 0 && v == 0) {
			hidden++;
			continue;
		}
		if (shown++ == 0)
			printf("\n  %s%s:%s\n", sw_term_bold(), drops ? "drops" : "counters",
			       sw_term_reset());
		printf("    %s: %.*s\n", m->key, m->type == SW_JREAD_NUM ? (int)m->len : 1,
		       m->type == SW_JREAD_NUM ? m->str : "?");
	}
	return hidden;
}

/* Counters, then drops by reason (names containing "drop"); zeros only with --all. */
static void print_counters(const struct sw_jread *r, const struct sw_jread_node *c, bool all)
{
	size_t hidden;

	if (!c || c->type != SW_JREAD_OBJ)
		return;
	hidden = print_group(r, c, false, all) + print_group(r, c, true, all);
	if (hidden)
		printf("\n  (%zu counters at zero not shown; --all shows them)\n", hidden);
}

static void status_print(const struct sw_conn_target *t, const struct sw_reply *rep)
{
	const char *name = sw_jread_str(&rep->r, rep->root, "instance");

	if (!name)
		name = t->instance ? t->instance : t->socket ? t->socket : "shipworm";
	printf("%sinstance%s: %s%s%s\n", sw_term_bold(), sw_term_reset(), sw_term_green(), name,
	       sw_term_reset());
	print_known(&rep->r, rep->root);
	print_others(&rep->r, rep->root);
	print_counters(&rep->r, sw_jread_get(&rep->r, rep->root, "counters"), t->all);
}

void sw_show_status_usage(FILE *f)
{
	fprintf(f, "Usage: shipworm status [INSTANCE | --socket PATH] [--json] [--all]\n"
		   "Show a running shipwormd's role, state, addresses and counters.\n");
}

void sw_show_peers_usage(FILE *f)
{
	fprintf(f, "Usage: shipworm peers [INSTANCE | --socket PATH] [--json]\n"
		   "Show the peer table of a running shipwormd.\n");
}

static int show_one(const struct sw_conn_target *t, const char *req,
		    void (*print)(const struct sw_conn_target *, const struct sw_reply *))
{
	struct sw_reply rep;
	int rc = sw_conn_fetch(t, req, &rep);

	if (rc >= 0) {
		if (t->json)
			puts(rep.line);
		else
			print(t, &rep);
	}
	sw_conn_free(&rep);
	return rc < 0 ? 1 : 0;
}

/* Without an instance, status shows every instance in the run directory (like wg show). */
static int show_all(struct sw_conn_target *t, const char *req,
		    void (*print)(const struct sw_conn_target *, const struct sw_reply *))
{
	char names[SHOW_MAX_INSTANCES][SW_CONN_NAME_MAX];
	int n = sw_conn_list(names, SHOW_MAX_INSTANCES), rc = 0;

	if (n <= 1)
		return show_one(t, req, print);
	for (int i = 0; i < n; i++) {
		t->instance = names[i];
		if (i > 0 && !t->json)
			printf("\n");
		rc |= show_one(t, req, print);
	}
	return rc;
}

static int run(int argc, char *argv[], const char *req, void (*usage)(FILE *),
	       void (*print)(const struct sw_conn_target *, const struct sw_reply *))
{
	struct sw_conn_target t;
	int rc = sw_conn_args(argc, argv, &t, usage);

	if (rc != 0)
		return rc > 0 ? 0 : 2;
	sw_term_init();
	if (!t.instance && !t.socket && strcmp(req, "status") == 0)
		return show_all(&t, req, print);
	return show_one(&t, req, print);
}

int sw_show_status_main(int argc, char *argv[])
{
	return run(argc, argv, "status", sw_show_status_usage, status_print);
}

/* Peer table. */
static const char *peer_field(const struct sw_jread *r, const struct sw_jread_node *p,
			      const char *key, char *buf, size_t len)
{
	const struct sw_jread_node *n = sw_jread_get(r, p, key);
	uint64_t v;

	if (!n)
		return "-";
	if (strcmp(key, "queued_bytes") == 0 && sw_jread_u64(n, &v) == 0)
		return sw_term_bytes(v, buf, len);
	return scalar_text(key, n, buf, len);
}

/* The last column, "worker", only from a relay that runs several (Workers). */
static const char *peer_cols[] = {"address", "mapping", "trusted", "last_rx_ms", "last_tx_ms",
				  "queued_bytes", "worker"};
static const char *peer_heads[] = {"address", "mapping", "trusted", "last rx", "last tx",
				   "queued", "worker"};
#define NCOLS (sizeof(peer_cols) / sizeof(peer_cols[0]))

static void peer_widths(const struct sw_jread *r, const struct sw_jread_node *arr, int w[],
			size_t ncols)
{
	char buf[64];

	for (size_t i = 0; i < ncols; i++)
		w[i] = (int)strlen(peer_heads[i]);
	for (const struct sw_jread_node *p = sw_jread_first(r, arr); p; p = sw_jread_next(r, p))
		for (size_t i = 0; i < ncols; i++) {
			int l = (int)strlen(peer_field(r, p, peer_cols[i], buf, sizeof(buf)));
			w[i] = l > w[i] ? l : w[i];
		}
}

static void peers_print(const struct sw_conn_target *t, const struct sw_reply *rep)
{
	const struct sw_jread_node *arr = sw_jread_get(&rep->r, rep->root, "peers");
	size_t ncols = NCOLS - 1;
	int w[NCOLS];
	char buf[64];

	(void)t;
	if (!arr || arr->type != SW_JREAD_ARR || arr->len == 0) {
		printf("no peers\n");
		return;
	}
	if (sw_jread_get(&rep->r, sw_jread_first(&rep->r, arr), "worker"))
		ncols = NCOLS;
	peer_widths(&rep->r, arr, w, ncols);
	printf("%s", sw_term_bold());
	for (size_t i = 0; i < ncols; i++)
		printf("%-*s%s", i + 1 < ncols ? w[i] : 0, peer_heads[i], i + 1 < ncols ? "  " : "");
	printf("%s\n", sw_term_reset());
	for (const struct sw_jread_node *p = sw_jread_first(&rep->r, arr); p;
	     p = sw_jread_next(&rep->r, p)) {
		for (size_t i = 0; i < ncols; i++)
			printf("%-*s%s", i + 1 < ncols ? w[i] : 0,
			       peer_field(&rep->r, p, peer_cols[i], buf, sizeof(buf)),
			       i + 1 < ncols ? "  " : "");
		printf("\n");
	}
}

int sw_show_peers_main(int argc, char *argv[])
{
	return run(argc, argv, "peers", sw_show_peers_usage, peers_print);
}
