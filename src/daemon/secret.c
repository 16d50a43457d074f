/* secret: opening and reading shared-secret files (see secret.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/secret.h"
#include "wire/hex.h"

/* A shared secret readable by others is no secret. */
static int secret_check(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		sw_log_warnx("%s: not a regular file", path);
		return -EINVAL;
	}
	if ((st.st_mode & 0077) || (st.st_uid != 0 && st.st_uid != geteuid())) {
		sw_log_warnx("%s: refusing a secrets file readable or writable by others "
			     "(mode %03o, owner %u): chmod 600, owned by root",
			     path, (unsigned)(st.st_mode & 0777), (unsigned)st.st_uid);
		return -EPERM;
	}
	return 0;
}

int sw_secret_open(const char *path, FILE **f)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err;

	*f = NULL;
	if (fd < 0) {
		err = -errno;
		sw_log_errno(err, "cannot open secrets file %s", path);
		return err;
	}
	err = secret_check(fd, path);
	if (!err && (*f = fdopen(fd, "r")) == NULL)
		err = -ENOMEM;
	if (err)
		close(fd);
	return err;
}

/* One line: 0 when blank or a comment, the key length, or -EINVAL. */
static int hex_line(const char *s, uint8_t *key, size_t cap)
{
	size_t n = 0;

	s += strspn(s, " \t");
	if (*s == '#' || *s == '\r' || *s == '\n' || *s == '\0')
		return 0;
	for (; sw_hex_digit(s[0]) >= 0 && sw_hex_digit(s[1]) >= 0 && n < cap; s += 2)
		key[n++] = (uint8_t)(sw_hex_digit(s[0]) << 4 | sw_hex_digit(s[1]));
	s += strspn(s, " \t\r\n");
	return *s == '\0' || *s == '#' ? (int)n : -EINVAL;
}

int sw_secret_read_hex(const char *path, uint8_t *key, size_t cap)
{
	char line[512];
	FILE *f;
	int r = 0, err = sw_secret_open(path, &f);

	if (err)
		return err;
	while (r == 0 && fgets(line, sizeof(line), f))
		r = hex_line(line, key, cap);
	explicit_bzero(line, sizeof(line));
	fclose(f);
	if (r <= 0) {
		sw_log_warnx("%s: expected the shared secret in hexadecimal (2 to %zu digits)",
			     path, 2 * cap);
		if (r == 0)
			r = -EINVAL;
	}
	return r;
}
