/*
 * conn: the CLI's side of the control socket. Finds an instance's socket, connects,
 * checks the greeting, sends one request line and reads one reply line, with a timeout.
 * Blocking, one-shot; prints its own error messages to stderr.
 */
#ifndef SW_CLI_CONN_H
#define SW_CLI_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "jread.h"

#define SW_CONN_PROTO 1                 /* the "shipworm" member of the greeting */
#define SW_CONN_REPLY_MAX (2u << 20)    /* longest reply line accepted */
#define SW_CONN_TIMEOUT_MS 5000
#define SW_CONN_NODES 65536

struct sw_reply {
	char *line;   /* the reply as received, NUL-terminated, without the newline */
	char *parsed; /* a copy, parsed in place by r */
	struct sw_jread r;
	const struct sw_jread_node *root; /* an object; its "ok" member was true */
};

#define SW_CONN_NAME_MAX 64

/* Instance names (sockets NAME.sock) in the run directory, sorted, at most cap; returns
 * how many or -errno. */
int sw_conn_list(char names[][SW_CONN_NAME_MAX], size_t cap);
/* The socket path for an instance name (NULL: the only socket in the run directory, which
 * is $SHIPWORM_RUNDIR or SW_RUNDIR). 0 or -errno (message printed). */
int sw_conn_path(const char *instance, char *path, size_t cap);
/* A connection, for verbs that read more than one reply (monitor). */
struct sw_conn {
	int fd;
	const char *path;
	char *buf;
	size_t len, cap, consumed;
};
/* Connect and check the greeting. 0 or -errno (printed). */
int sw_conn_open(struct sw_conn *c, const char *path);
/* Send one request line (req without newline). 0 or -errno. */
int sw_conn_send(struct sw_conn *c, const char *req);
/* The next line, NUL-terminated, valid until the next call; waits up to timeout_ms (-1:
 * forever). Returns its length or -errno (-ECONNRESET when the daemon closed). */
int sw_conn_line(struct sw_conn *c, int timeout_ms, char **line);
void sw_conn_close(struct sw_conn *c);
/* Parse a reply line into out (sw_conn_free it even on error). 0 when "ok":true; -EPROTO
 * when malformed or an error reply (printed). */
int sw_conn_parse(struct sw_reply *out, const char *line);

/* Send req to the daemon at path and parse the reply. 0 when the daemon answered "ok":true;
 * -EPROTO when it answered an error (printed); other -errno on failure (printed). */
int sw_conn_request(const char *path, const char *req, struct sw_reply *out);
void sw_conn_free(struct sw_reply *r);

/* What a daemon verb talks to, from its arguments: [INSTANCE] [--socket PATH] [--json]
 * [--all]. */
struct sw_conn_target {
	const char *instance, *socket;
	bool json, all;
};
/* argv[0] is the verb; usage is printed on --help (returns 1) and on errors (-EINVAL). */
int sw_conn_args(int argc, char *argv[], struct sw_conn_target *t, void (*usage)(FILE *f));
/* The socket path of a target (its --socket, or sw_conn_path). 0 or -errno (printed). */
int sw_conn_resolve(const struct sw_conn_target *t, char *path, size_t cap);
/* sw_conn_resolve + sw_conn_request. */
int sw_conn_fetch(const struct sw_conn_target *t, const char *req, struct sw_reply *out);

#endif
