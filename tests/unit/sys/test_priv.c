/* sys/priv: the seccomp allowlist, installed in a child process per case. What the running
 * daemon does keeps working (the filter is on: /proc/self/status says Seccomp: 2); what it
 * never does kills the process with SIGSYS. Skipped in a sanitizer build (no filter). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sys/priv.h"

#define SKIP_CODE 77
#define FAIL_CODE 3

/* Allowed: the filter is on and reads back as mode 2 (a read-only openat, read, close). */
static int act_status(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strstr(buf, "\nSeccomp:\t2\n") ? 0 : -1;
}

static void *thread_main(void *arg)
{
	void *p = malloc(1 << 20); /* a thread arena, mmap */

	free(p);
	return arg;
}

/* Allowed: a worker thread, large allocations, randomness. */
static int act_thread(void)
{
	unsigned char r[16];
	pthread_t t;
	void *big = malloc(8 << 20);
	void *ret = NULL;

	free(big);
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	if (pthread_create(&t, NULL, thread_main, r) != 0 || pthread_join(t, &ret) != 0)
		return -1;
	return ret == r ? 0 : -1;
}

/* Allowed: sockets of the daemon's families (UDP, Unix, netlink), closed again. */
static int act_sockets(void)
{
	const int fam[] = {AF_INET, AF_INET6, AF_UNIX, AF_NETLINK};

	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		int fd = socket(fam[i], SOCK_DGRAM | SOCK_CLOEXEC, 0);

		if (fd < 0 && errno != EAFNOSUPPORT)
			return -1;
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/* Killed: writing a file. */
static int act_write_file(void)
{
	return open("/tmp/shipworm-seccomp-test", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) < 0 ? 0 : -1;
}

/* Killed: a packet socket. */
static int act_packet_socket(void)
{
	return socket(AF_PACKET, SOCK_DGRAM, 0) < 0 ? 0 : -1;
}

/* Killed: running a program. */
static int act_exec(void)
{
	char *argv[] = {(char *)"true", NULL};

	execv("/bin/true", argv);
	return 0;
}

/* Killed: making a directory. */
static int act_mkdir(void)
{
	return mkdir("/tmp/shipworm-seccomp-test.d", 0700) < 0 ? 0 : -1;
}

static const struct {
	const char *name;
	int (*act)(void);
	bool killed;
} cases[] = {
	{"status reads Seccomp 2", act_status, false},
	{"thread, malloc, getrandom", act_thread, false},
	{"inet/unix/netlink sockets", act_sockets, false},
	{"openat for writing", act_write_file, true},
	{"AF_PACKET socket", act_packet_socket, true},
	{"execve", act_exec, true},
	{"mkdir", act_mkdir, true},
};

/* Runs case i in a child under the filter: its wait status, or -1. */
static int run_case(size_t i)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int err = sw_priv_seccomp();

		if (err == -EOPNOTSUPP)
			_exit(SKIP_CODE);
		if (err)
			_exit(FAIL_CODE);
		_exit(cases[i].act() == 0 ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void test_seccomp_allowlist(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = run_case(i);

		if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == SKIP_CODE)
			skip(); /* a sanitizer build installs no filter */
		if (cases[i].killed) {
			if (st < 0 || !WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
				fail_msg("%s: status %#x, expected death by SIGSYS", cases[i].name,
					 (unsigned)st);
		} else if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fail_msg("%s: status %#x, expected exit 0 (%s)", cases[i].name, (unsigned)st,
				 WIFSIGNALED(st) ? "killed" : "failed");
		}
	}
	unlink("/tmp/shipworm-seccomp-test"); /* only if a broken filter let it through */
	rmdir("/tmp/shipworm-seccomp-test.d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seccomp_allowlist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
