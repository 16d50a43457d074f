/* json: see json.h. The output is always NUL-terminated inside cap; after an overflow
 * nothing more is written and sw_json_finish() returns NULL. */
#include "daemon/json.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void sw_json_init(struct sw_json *j, char *buf, size_t cap)
{
	memset(j, 0, sizeof(*j));
	j->buf = buf;
	j->cap = cap;
	if (cap == 0)
		j->overflow = true;
	else
		buf[0] = '\0';
}

static void put(struct sw_json *j, const char *s, size_t n)
{
	if (j->overflow)
		return;
	if (n >= j->cap - j->len) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void putc_(struct sw_json *j, char c)
{
	put(j, &c, 1);
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	uint32_t min = len == 4 ? 0x10000 : len == 3 ? 0x800 : 0x80;
	uint32_t cp = s[0] & (0x7f >> len);

	if (s[0] < 0xc2 || s[0] > 0xf4 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void put_escaped_char(struct sw_json *j, unsigned char c)
{
	char tmp[8];

	switch (c) {
	case '"': put(j, "\\\"", 2); return;
	case '\\': put(j, "\\\\", 2); return;
	case '\n': put(j, "\\n", 2); return;
	case '\r': put(j, "\\r", 2); return;
	case '\t': put(j, "\\t", 2); return;
	case '\b': put(j, "\\b", 2); return;
	case '\f': put(j, "\\f", 2); return;
	}
	snprintf(tmp, sizeof(tmp), "\\u%04x", c);
	put(j, tmp, 6);
}

/* A quoted string; bytes that are not valid UTF-8 become U+FFFD. */
static void put_string(struct sw_json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	putc_(j, '"');
	while (n > 0) {
		size_t len = 1;

		if (*p < 0x20 || *p == '"' || *p == '\\' || *p == 0x7f) {
			put_escaped_char(j, *p);
		} else if (*p < 0x80) {
			putc_(j, (char)*p);
		} else if ((len = utf8_len(p, n)) > 0) {
			put(j, (const char *)p, len);
		} else {
			put(j, "\\ufffd", 6);
			len = 1;
		}
		p += len;
		n -= len;
	}
	putc_(j, '"');
}

/* Comma and key before a value at the current depth. */
static void prefix(struct sw_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		putc_(j, ',');
	j->need_comma[j->depth] = true;
	if (key) {
		put_string(j, key);
		putc_(j, ':');
	}
}

static void open_(struct sw_json *j, const char *key, char c)
{
	if (j->depth + 1 >= SW_JSON_DEPTH) {
		j->overflow = true;
		return;
	}
	prefix(j, key);
	putc_(j, c);
	j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct sw_json *j, char c)
{
	if (j->depth == 0) {
		j->overflow = true;
		return;
	}
	j->depth--;
	putc_(j, c);
}

void sw_json_obj_begin(struct sw_json *j, const char *key)
{
	open_(j, key, '{');
}

void sw_json_obj_end(struct sw_json *j)
{
	close_(j, '}');
}

void sw_json_arr_begin(struct sw_json *j, const char *key)
{
	open_(j, key, '[');
}

void sw_json_arr_end(struct sw_json *j)
{
	close_(j, ']');
}

void sw_json_str(struct sw_json *j, const char *key, const char *val)
{
	if (!val) {
		sw_json_null(j, key);
		return;
	}
	prefix(j, key);
	put_string(j, val);
}

static void put_raw(struct sw_json *j, const char *key, const char *text)
{
	prefix(j, key);
	put(j, text, strlen(text));
}

void sw_json_u64(struct sw_json *j, const char *key, uint64_t val)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%" PRIu64, val);
	put_raw(j, key, tmp);
}

void sw_json_i64(struct sw_json *j, const char *key, int64_t val)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%" PRId64, val);
	put_raw(j, key, tmp);
}

void sw_json_bool(struct sw_json *j, const char *key, bool val)
{
	put_raw(j, key, val ? "true" : "false");
}

void sw_json_null(struct sw_json *j, const char *key)
{
	put_raw(j, key, "null");
}

void sw_json_ip6(struct sw_json *j, const char *key, const uint8_t addr[16])
{
	char tmp[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, addr, tmp, sizeof(tmp));
	sw_json_str(j, key, tmp);
}

void sw_json_ip4(struct sw_json *j, const char *key, uint32_t ip)
{
	char tmp[16];

	sw_json_str(j, key, sw_ip4_str(ip, tmp, sizeof(tmp)));
}

void sw_json_endpoint(struct sw_json *j, const char *key, struct sw_endpoint ep)
{
	char tmp[24];

	sw_json_str(j, key, sw_endpoint_str(ep, tmp, sizeof(tmp)));
}

void sw_json_ms(struct sw_json *j, const char *key, uint64_t ms)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%" PRIu64 ".%03u", ms / 1000, (unsigned)(ms % 1000));
	put_raw(j, key, tmp);
}

const char *sw_json_finish(struct sw_json *j)
{
	if (j->depth != 0)
		j->overflow = true;
	return j->overflow ? NULL : j->buf;
}
