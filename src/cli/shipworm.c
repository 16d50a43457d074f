/* shipworm: the command-line tool. A table of verbs; each verb parses its own arguments. */
#include <stdio.h>
#include <string.h>

#include "addrcmd.h"
#include "dump.h"
#include "metrics.h"
#include "monitor.h"
#include "probe.h"
#include "show.h"
#include "sw_config.h"

struct verb {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	void (*usage)(FILE *f);
	const char *description;
};

static int help_main(int argc, char *argv[]);
static void help_usage(FILE *f);

static const struct verb verbs[] = {
	{"status", sw_show_status_main, sw_show_status_usage,
	 "show a running daemon's role, state, addresses and counters"},
	{"peers", sw_show_peers_main, sw_show_peers_usage, "show a running daemon's peer table"},
	{"metrics", sw_metrics_main, sw_metrics_usage,
	 "print a running daemon's counters in the Prometheus text format"},
	{"monitor", sw_monitor_main, sw_monitor_usage,
	 "print a running daemon's events as they happen"},
	{"dump", sw_dump_main, sw_dump_usage,
	 "print a running daemon's state and peers as tab-separated lines"},
	{"addr", sw_addrcmd_main, sw_addrcmd_usage, "decode a Teredo address, or build one"},
	{"probe", sw_probe_main, sw_probe_usage,
	 "qualify once against a server: mapping, NAT type, address (no daemon)"},
	{"help", help_main, help_usage, "show help for a verb"},
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: shipworm VERB [ARGUMENTS]\n"
		   "       shipworm --help | --version\n\n"
		   "Available verbs:\n");
	for (size_t i = 0; i < NVERBS; i++)
		fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].description);
	fprintf(f, "\nINSTANCE names the socket %s/INSTANCE.sock ($SHIPWORM_RUNDIR overrides the\n"
		   "directory); without one, the only socket there is used (status shows them all).\n"
		   "`shipworm help VERB` shows a verb's arguments.\n",
		SW_RUNDIR);
}

static const struct verb *find(const char *name)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

static void help_usage(FILE *f)
{
	fprintf(f, "Usage: shipworm help [VERB]\n");
}

static int help_main(int argc, char *argv[])
{
	const struct verb *v;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	v = find(argv[1]);
	if (!v || argc > 2) {
		fprintf(stderr, "shipworm: unknown verb '%s'\n", argv[1]);
		return 2;
	}
	v->usage(stdout);
	return 0;
}

int main(int argc, char *argv[])
{
	const struct verb *v;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("shipworm %s\n", SW_VERSION);
		return 0;
	}
	v = find(argv[1]);
	if (!v) {
		fprintf(stderr, "shipworm: unknown verb '%s' (see shipworm --help)\n", argv[1]);
		return 2;
	}
	return v->fn(argc - 1, argv + 1);
}
