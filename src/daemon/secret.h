/*
 * secret: files that hold shared secrets of secure qualification (the server's
 * ClientSecretsFile, the client's ClientSecretFile). Opens them only when nobody but their
 * owner can read or write them; never keeps a secret anywhere but the caller's buffer.
 */
#ifndef SW_DAEMON_SECRET_H
#define SW_DAEMON_SECRET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SW_SECRET_HEX_MAX 64 /* bytes of a client's secret (the server's SW_SECRET_KEY_MAX) */

/* Open path for reading: a regular file (not a symlink) of mode 0?00 owned by root or by
 * us. Logs why not. 0 and *f, or -errno (-EPERM: readable or writable by others). */
int sw_secret_open(const char *path, FILE **f);
/* The client's secret: the first line that is not blank or a '#' comment holds it in
 * hexadecimal (2..2*cap digits). Logs problems. Its length in bytes, or -errno. */
int sw_secret_read_hex(const char *path, uint8_t *key, size_t cap);

#endif
