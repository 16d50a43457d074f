/* shipwormd: the Teredo daemon (see doc/shipwormd.8). Reads the configuration, opens what
 * needs root, leaves root, then runs the loop until SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/role.h"
#include "sw_config.h"
#include "sys/notify.h"
#include "sys/priv.h"

struct opts {
	const char *config, *user, *pidfile;
	bool foreground, check;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: shipwormd [-c FILE] [-f] [-u USER] [-p PIDFILE] [-n] [-v] [-h] [-V]\n"
		   "  -c, --config FILE     configuration (default %s/shipworm/shipwormd.conf)\n"
		   "  -f, --foreground      do not detach (implied when run by systemd)\n"
		   "  -u, --user USER       run as USER (overrides User)\n"
		   "  -p, --pidfile FILE    write the process id to FILE\n"
		   "  -n, --check-config    check the configuration and exit (-nv: print it)\n"
		   "  -v, --verbose         debug logging (with -n: print the configuration)\n"
		   "  -h, --help            this text\n"
		   "  -V, --version         print the version\n",
		SW_SYSCONFDIR);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"config", required_argument, NULL, 'c'}, {"foreground", no_argument, NULL, 'f'},
		{"user", required_argument, NULL, 'u'},	  {"pidfile", required_argument, NULL, 'p'},
		{"check-config", no_argument, NULL, 'n'}, {"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},	  {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:fu:p:nvhV", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'f': o->foreground = true; break;
		case 'u': o->user = optarg; break;
		case 'p': o->pidfile = optarg; break;
		case 'n': o->check = true; break;
		case 'v': o->verbose++; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("shipwormd %s\n", SW_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "shipwormd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

static void report_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

static int check_only(const struct sw_config *cfg, int rc, int verbose)
{
	char buf[8192];

	if (rc) {
		fprintf(stderr, "configuration has errors\n");
		return 1;
	}
	if (!sw_role_find(cfg->relay_type))
		fprintf(stderr, "%s: warning: RelayType %s is not built into this shipwormd\n",
			cfg->path, cfg->relay_type);
	if (verbose) {
		sw_config_print(cfg, buf, sizeof(buf));
		fputs(buf, stdout);
	}
	printf("configuration OK\n");
	return 0;
}

/* The user to become: -u, else User; a missing default user falls back to nobody. */
static int find_user(const struct opts *o, const struct sw_config *cfg, struct sw_priv_user *u)
{
	const char *name = o->user ? o->user : cfg->user;
	int err = sw_priv_lookup(name, u);

	if (err == -ENOENT && !o->user && !sw_config_line(cfg, "User")) {
		sw_log_warnx("user %s does not exist, running as nobody", name);
		err = sw_priv_lookup("nobody", u);
	}
	if (err)
		sw_log_errno(err, "user %s", name);
	return err;
}

static int write_pidfile(const char *path)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		sw_log_warn("pid file %s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The control socket's directory, when it is the run directory, goes to the daemon's user
 * so that the socket can be removed at exit. */
static void give_rundir(const struct sw_config *cfg, const struct sw_priv_user *u)
{
	char dir[sizeof(cfg->control_socket)];

	snprintf(dir, sizeof(dir), "%s", cfg->control_socket);
	if (strcmp(dirname(dir), SW_RUNDIR) == 0 && chown(SW_RUNDIR, u->uid, u->gid) < 0)
		sw_log_warn("chown %s", SW_RUNDIR);
}

static int leave_root(const struct sw_config *cfg, const struct sw_priv_user *u)
{
	int err;

	if (geteuid() == 0)
		give_rundir(cfg, u);
	err = sw_priv_drop(u);
	if (err) {
		sw_log_errno(err, "cannot switch to user %s", u->name);
		return err;
	}
	if (!cfg->seccomp)
		return 0;
	err = sw_priv_seccomp();
	if (err == -EOPNOTSUPP) {
		sw_log_notice("Seccomp: no system-call filter in a sanitizer build");
		return 0;
	}
	if (err)
		sw_log_errno(err, "Seccomp: cannot install the system-call filter");
	return err;
}

static int run(const struct opts *o, const struct sw_config *cfg,
	       const struct sw_role_ops *role)
{
	struct sw_priv_user u = {0};
	struct sw_daemon *d = NULL;
	bool root = geteuid() == 0;
	int err;

	if (root && find_user(o, cfg, &u))
		return 1;
	err = sw_daemon_create(&d, cfg, role);
	if (!err)
		err = sw_daemon_start(d, root ? u.gid : (gid_t)-1);
	if (!err && !o->foreground && daemon(0, 0) < 0) {
		err = -errno;
		sw_log_warn("daemon");
	}
	if (!err && o->pidfile)
		write_pidfile(o->pidfile);
	if (!err && root)
		err = leave_root(cfg, &u);
	if (!err) {
		sw_log_notice("%s %s started as %s (instance %s)", role->name, SW_VERSION,
			      root ? u.name : "the invoking user", cfg->instance);
		sw_notifyf("READY=1\nSTATUS=%s running (instance %s)", role->name, cfg->instance);
		err = sw_daemon_run(d);
	}
	sw_daemon_destroy(d);
	if (o->pidfile)
		unlink(o->pidfile);
	sw_log_notice("stopped");
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = {.config = SW_SYSCONFDIR "/shipworm/shipwormd.conf"};
	const struct sw_role_ops *role;
	struct sw_config cfg;
	int rc;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	rc = sw_config_load(&cfg, o.config, report_stderr, NULL);
	if (o.check)
		return check_only(&cfg, rc, o.verbose);
	if (rc) {
		fprintf(stderr, "shipwormd: %s: configuration refused\n", o.config);
		return 1;
	}
	role = sw_role_find(cfg.relay_type);
	if (!role) {
		fprintf(stderr, "shipwormd: RelayType %s is not built into this shipwormd\n",
			cfg.relay_type);
		return 1;
	}
	o.foreground = o.foreground || getenv("NOTIFY_SOCKET");
	sw_log_open("shipwormd", cfg.instance, !o.foreground, cfg.syslog_facility);
	sw_log_set_level(o.verbose ? SW_LOG_DEBUG : SW_LOG_INFO);
	rc = run(&o, &cfg, role);
	sw_log_close();
	return rc;
}
