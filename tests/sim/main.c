/* swsim: the deterministic Teredo network simulator (see README "Testing"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen.h"
#include "selftest.h"

#define DEFAULT_SEED 4380u

static void usage(FILE *f)
{
	fprintf(f, "usage: swsim [--seed N] [--scenario NAME|PREFIX] [--list] [-v|-vv]\n"
		   "             [--skip PREFIX] [--trace NODE]\n"
		   "       swsim --selftest\n"
		   "       swsim --long [--clients N] [--hours H] [--seed N] [-v]\n"
		   "Runs the simulation matrix and the named scenarios with the real engines;\n"
		   "every failure prints the command line that replays it.\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	*out = strtoull(s, &end, 0);
	return *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct scen_opts o = {.seed = DEFAULT_SEED, .clients = 10000, .hours = 24};
	bool selftest = false;
	uint64_t v;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--seed") == 0 && parse_u64(next, &o.seed) == 0) {
			i++;
		} else if (strcmp(a, "--scenario") == 0 && next) {
			o.only = next;
			i++;
		} else if (strcmp(a, "--clients") == 0 && parse_u64(next, &v) == 0 && v > 0 &&
			   v <= 1000000) {
			o.clients = (uint32_t)v;
			i++;
		} else if (strcmp(a, "--hours") == 0 && parse_u64(next, &v) == 0 && v > 0 &&
			   v <= 24 * 365) {
			o.hours = (uint32_t)v;
			i++;
		} else if (strcmp(a, "--skip") == 0 && next) {
			o.skip = next;
			i++;
		} else if (strcmp(a, "--trace") == 0 && next) {
			o.trace = next;
			i++;
		} else if (strcmp(a, "--long") == 0) {
			o.long_run = true;
		} else if (strcmp(a, "--selftest") == 0) {
			selftest = true;
		} else if (strcmp(a, "--list") == 0) {
			o.list = true;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "-vv") == 0) {
			o.verbose += a[2] ? 2 : 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (selftest)
		return sim_selftest(o.seed) ? 1 : 0;
	r = scen_main(&o);
	return r == 0 ? 0 : r < 0 ? 2 : 1;
}
