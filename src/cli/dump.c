/* dump: see dump.h. */
#include "dump.h"

#include <string.h>

#include "conn.h"

static const char *const status_cols[] = {"instance", "role", "state", "address", "local",
					  "mapped|mapping", "nat_type|nat", "interface", "peers"};
static const char *const peer_cols[] = {"address", "mapping", "trusted", "last_rx_ms",
					"last_tx_ms", "queued_bytes", "queued_packets"};

/* A scalar as its JSON text without quotes; tabs and newlines in strings become spaces. */
static void put_scalar(FILE *f, const struct sw_jread_node *n)
{
	double d;

	if (!n) {
		fputc('-', f);
		return;
	}
	switch (n->type) {
	case SW_JREAD_STR:
		for (const char *p = n->str; *p; p++)
			fputc(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p, f);
		if (!*n->str)
			fputc('-', f);
		break;
	case SW_JREAD_NUM: /* a fraction is sw_json_ms seconds: print it as integer ms */
		if (memchr(n->str, '.', n->len) && sw_jread_double(n, &d) == 0 && d >= 0 && d < 1e15)
			fprintf(f, "%llu", (unsigned long long)(d * 1000 + 0.5));
		else
			fprintf(f, "%.*s", (int)n->len, n->str);
		break;
	case SW_JREAD_BOOL:
		fputs(n->b ? "true" : "false", f);
		break;
	default:
		fputc('-', f);
	}
}

void sw_dump_line(FILE *f, const struct sw_jread *r, const struct sw_jread_node *obj,
		  const char *const cols[], size_t ncols)
{
	for (size_t i = 0; i < ncols; i++) {
		const struct sw_jread_node *n;
		char key[32];
		const char *alt;

		/* "name|other": the first member present */
		snprintf(key, sizeof(key), "%s", cols[i]);
		alt = strchr(cols[i], '|');
		if (alt)
			key[alt - cols[i]] = '\0';
		if (i)
			fputc('\t', f);
		n = sw_jread_get(r, obj, key);
		put_scalar(f, n || !alt ? n : sw_jread_get(r, obj, alt + 1));
	}
	fputc('\n', f);
}

void sw_dump_usage(FILE *f)
{
	fprintf(f, "Usage: shipworm dump [INSTANCE | --socket PATH]\n"
		   "Print a running shipwormd's state and peers as tab-separated lines.\n");
}

static int dump_peers(const struct sw_conn_target *t)
{
	struct sw_reply rep;
	const struct sw_jread_node *arr;

	if (sw_conn_fetch(t, "peers", &rep) < 0) {
		sw_conn_free(&rep);
		return 1;
	}
	arr = sw_jread_get(&rep.r, rep.root, "peers");
	for (const struct sw_jread_node *p = sw_jread_first(&rep.r, arr); p;
	     p = sw_jread_next(&rep.r, p))
		sw_dump_line(stdout, &rep.r, p, peer_cols, sizeof(peer_cols) / sizeof(peer_cols[0]));
	sw_conn_free(&rep);
	return 0;
}

int sw_dump_main(int argc, char *argv[])
{
	struct sw_conn_target t;
	struct sw_reply rep;
	int rc = sw_conn_args(argc, argv, &t, sw_dump_usage);

	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (sw_conn_fetch(&t, "status", &rep) < 0) {
		sw_conn_free(&rep);
		return 1;
	}
	sw_dump_line(stdout, &rep.r, rep.root, status_cols,
		     sizeof(status_cols) / sizeof(status_cols[0]));
	sw_conn_free(&rep);
	return dump_peers(&t);
}
