/* jread: see jread.h. A recursive-descent reader over a bounded cursor; strings are
 * decoded in place (a decoded string is never longer than its escaped form). */
#include "jread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire/hex.h"

struct cur {
	char *p, *end;
	struct sw_jread *r;
};

static void skip_ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int new_node(struct cur *c, uint8_t type, const char *key)
{
	struct sw_jread_node *n;

	if (c->r->n >= c->r->cap || c->r->n >= UINT32_MAX)
		return -ENOSPC;
	n = &c->r->nodes[c->r->n];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->key = key;
	return (int)c->r->n++;
}

/* Four hex digits after "\u" at c->p; -1 when malformed. */
static long read_hex4(struct cur *c)
{
	long v = 0;

	if (c->end - c->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = sw_hex_digit(c->p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	c->p += 4;
	return v;
}

/* A code point from "\uXXXX" (c->p after the 'u'), joining surrogate pairs. */
static long read_codepoint(struct cur *c)
{
	long hi = read_hex4(c), lo;

	if (hi < 0 || (hi >= 0xdc00 && hi <= 0xdfff) || hi == 0)
		return -1;
	if (hi < 0xd800 || hi > 0xdbff)
		return hi;
	if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
		return -1;
	c->p += 2;
	lo = read_hex4(c);
	if (lo < 0xdc00 || lo > 0xdfff)
		return -1;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

static char *put_utf8(char *w, long cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xc0 | cp >> 6);
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xe0 | cp >> 12);
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*w++ = (char)(0xf0 | cp >> 18);
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	}
	return w;
}

/* One escape after the backslash; returns the advanced write pointer or NULL. */
static char *read_escape(struct cur *c, char *w)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	long cp;

	if (c->p >= c->end)
		return NULL;
	k = strchr(from, *c->p);
	if (k && *c->p != '\0') {
		c->p++;
		*w++ = to[k - from];
		return w;
	}
	if (*c->p++ != 'u' || (cp = read_codepoint(c)) < 0)
		return NULL;
	return put_utf8(w, cp);
}

/* A string at c->p (after the opening quote), decoded in place and NUL-terminated. */
static int read_string(struct cur *c, char **out, size_t *len)
{
	char *start = c->p, *w = c->p;

	while (c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p++;

		if (ch == '"') {
			*w = '\0';
			*out = start;
			*len = (size_t)(w - start);
			return 0;
		}
		if (ch < 0x20)
			return -EINVAL;
		if (ch != '\\')
			*w++ = (char)ch;
		else if (!(w = read_escape(c, w)))
			return -EINVAL;
	}
	return -EINVAL;
}

static size_t count_digits(const struct cur *c, const char *p)
{
	const char *s = p;

	while (p < c->end && *p >= '0' && *p <= '9')
		p++;
	return (size_t)(p - s);
}

/* Validates the JSON number grammar; returns its length or 0. */
static size_t number_len(const struct cur *c)
{
	const char *p = c->p;
	size_t d;

	if (p < c->end && *p == '-')
		p++;
	d = count_digits(c, p);
	if (d == 0 || (d > 1 && *p == '0'))
		return 0;
	p += d;
	if (p < c->end && *p == '.') {
		if ((d = count_digits(c, ++p)) == 0)
			return 0;
		p += d;
	}
	if (p < c->end && (*p == 'e' || *p == 'E')) {
		if (++p < c->end && (*p == '+' || *p == '-'))
			p++;
		if ((d = count_digits(c, p)) == 0)
			return 0;
		p += d;
	}
	return (size_t)(p - c->p);
}

static int read_literal(struct cur *c, int idx)
{
	static const struct {
		const char *text;
		uint8_t type;
		bool b;
	} lit[] = {{"true", SW_JREAD_BOOL, true}, {"false", SW_JREAD_BOOL, false},
		   {"null", SW_JREAD_NULL, false}};
	struct sw_jread_node *n = &c->r->nodes[idx];

	for (size_t i = 0; i < sizeof(lit) / sizeof(lit[0]); i++) {
		size_t l = strlen(lit[i].text);
		if ((size_t)(c->end - c->p) >= l && memcmp(c->p, lit[i].text, l) == 0) {
			c->p += l;
			n->type = lit[i].type;
			n->b = lit[i].b;
			return idx;
		}
	}
	n->len = number_len(c);
	if (n->len == 0)
		return -EINVAL;
	n->type = SW_JREAD_NUM;
	n->str = c->p;
	c->p += n->len;
	return idx;
}

static int read_value(struct cur *c, const char *key, int depth);

/* Members or elements up to the closing bracket; c->p is after the opening one. */
static int read_children(struct cur *c, int idx, bool obj, int depth)
{
	uint32_t last = 0;

	skip_ws(c);
	if (c->p < c->end && *c->p == (obj ? '}' : ']')) {
		c->p++;
		return idx;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;
		int rc, child;

		skip_ws(c);
		if (obj) {
			if (c->p >= c->end || *c->p++ != '"' || read_string(c, &key, &klen) < 0)
				return -EINVAL;
			skip_ws(c);
			if (c->p >= c->end || *c->p++ != ':')
				return -EINVAL;
		}
		child = read_value(c, key, depth + 1);
		if (child < 0)
			return child;
		if (last)
			c->r->nodes[last].next = (uint32_t)child;
		else
			c->r->nodes[idx].child = (uint32_t)child;
		last = (uint32_t)child;
		c->r->nodes[idx].len++;
		skip_ws(c);
		if (c->p >= c->end)
			return -EINVAL;
		rc = *c->p++;
		if (rc == (obj ? '}' : ']'))
			return idx;
		if (rc != ',')
			return -EINVAL;
	}
}

static int read_value(struct cur *c, const char *key, int depth)
{
	int idx;
	char *s;

	if (depth > SW_JREAD_DEPTH)
		return -E2BIG;
	skip_ws(c);
	if (c->p >= c->end)
		return -EINVAL;
	idx = new_node(c, SW_JREAD_NULL, key);
	if (idx < 0)
		return idx;
	switch (*c->p) {
	case '{':
	case '[':
		c->r->nodes[idx].type = *c->p == '{' ? SW_JREAD_OBJ : SW_JREAD_ARR;
		c->p++;
		return read_children(c, idx, c->r->nodes[idx].type == SW_JREAD_OBJ, depth);
	case '"':
		c->p++;
		c->r->nodes[idx].type = SW_JREAD_STR;
		if (read_string(c, &s, &c->r->nodes[idx].len) < 0)
			return -EINVAL;
		c->r->nodes[idx].str = s;
		return idx;
	default:
		return read_literal(c, idx);
	}
}

int sw_jread_parse(struct sw_jread *r, struct sw_jread_node *nodes, size_t cap, char *text,
		   size_t len)
{
	struct cur c = {.p = text, .end = text + len, .r = r};
	int rc;

	r->nodes = nodes;
	r->cap = cap;
	r->n = 0;
	rc = read_value(&c, NULL, 1);
	skip_ws(&c);
	if (rc >= 0 && c.p != c.end)
		rc = -EINVAL;
	if (rc < 0) {
		r->n = 0;
		return rc;
	}
	return 0;
}

const struct sw_jread_node *sw_jread_root(const struct sw_jread *r)
{
	return r->n > 0 ? &r->nodes[0] : NULL;
}

const struct sw_jread_node *sw_jread_first(const struct sw_jread *r,
					   const struct sw_jread_node *n)
{
	if (!n || (n->type != SW_JREAD_OBJ && n->type != SW_JREAD_ARR) || !n->child)
		return NULL;
	return &r->nodes[n->child];
}

const struct sw_jread_node *sw_jread_next(const struct sw_jread *r,
					  const struct sw_jread_node *n)
{
	return n && n->next ? &r->nodes[n->next] : NULL;
}

const struct sw_jread_node *sw_jread_get(const struct sw_jread *r,
					 const struct sw_jread_node *obj, const char *key)
{
	if (!obj || obj->type != SW_JREAD_OBJ)
		return NULL;
	for (const struct sw_jread_node *m = sw_jread_first(r, obj); m; m = sw_jread_next(r, m))
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

const char *sw_jread_str(const struct sw_jread *r, const struct sw_jread_node *obj,
			 const char *key)
{
	const struct sw_jread_node *m = sw_jread_get(r, obj, key);

	return m && m->type == SW_JREAD_STR ? m->str : NULL;
}

/* The number's text, NUL-terminated in buf; false when too long or not a number. */
static bool num_text(const struct sw_jread_node *n, char *buf, size_t cap)
{
	if (!n || n->type != SW_JREAD_NUM || n->len >= cap)
		return false;
	memcpy(buf, n->str, n->len);
	buf[n->len] = '\0';
	return true;
}

int sw_jread_u64(const struct sw_jread_node *n, uint64_t *v)
{
	char buf[32], *end;
	unsigned long long x;

	if (!num_text(n, buf, sizeof(buf)) || strspn(buf, "0123456789") != n->len)
		return -EINVAL;
	errno = 0;
	x = strtoull(buf, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

int sw_jread_double(const struct sw_jread_node *n, double *v)
{
	char buf[64];

	if (!num_text(n, buf, sizeof(buf)))
		return -EINVAL;
	*v = strtod(buf, NULL);
	return 0;
}
