/*
 * jread: a small JSON reader for control-socket replies. It parses one document in place
 * (strings are unescaped inside the caller's buffer) into a caller-owned node array, with
 * bounded depth and node count. Never allocates, never trusts the input.
 */
#ifndef SW_CLI_JREAD_H
#define SW_CLI_JREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_JREAD_DEPTH 32

enum sw_jread_type {
	SW_JREAD_NULL,
	SW_JREAD_BOOL,
	SW_JREAD_NUM,
	SW_JREAD_STR,
	SW_JREAD_OBJ,
	SW_JREAD_ARR,
};

struct sw_jread_node {
	uint8_t type;
	bool b;            /* SW_JREAD_BOOL */
	const char *key;   /* member name inside an object (NUL-terminated), else NULL */
	const char *str;   /* STR: NUL-terminated text; NUM: the number's text, NOT terminated */
	size_t len;        /* STR/NUM: bytes at str; OBJ/ARR: number of children */
	uint32_t child;    /* first child (OBJ/ARR), 0 = none */
	uint32_t next;     /* next sibling, 0 = none (node 0 is the root, never a sibling) */
};

struct sw_jread {
	struct sw_jread_node *nodes;
	size_t n, cap;
};

/* Parse text[0..len) in place into nodes[0..cap). Returns 0, -EINVAL (malformed, with
 * trailing garbage, or a \u0000 in a string), -ENOSPC (more than cap nodes) or -E2BIG
 * (deeper than SW_JREAD_DEPTH). text is modified; nodes point into it. */
int sw_jread_parse(struct sw_jread *r, struct sw_jread_node *nodes, size_t cap, char *text,
		   size_t len);
/* The root value, or NULL before a successful parse. */
const struct sw_jread_node *sw_jread_root(const struct sw_jread *r);
/* Member of an object by name (first match), or NULL (also when obj is NULL or no object). */
const struct sw_jread_node *sw_jread_get(const struct sw_jread *r,
					 const struct sw_jread_node *obj, const char *key);
/* Children of an object/array in order, and the next sibling; NULL at the end. */
const struct sw_jread_node *sw_jread_first(const struct sw_jread *r,
					   const struct sw_jread_node *n);
const struct sw_jread_node *sw_jread_next(const struct sw_jread *r,
					  const struct sw_jread_node *n);
/* A number as an unsigned integer (no sign, fraction or exponent): 0 or -EINVAL/-ERANGE. */
int sw_jread_u64(const struct sw_jread_node *n, uint64_t *v);
/* Any number as a double: 0 or -EINVAL. */
int sw_jread_double(const struct sw_jread_node *n, double *v);
/* Convenience: string value of member key, or NULL when missing or not a string. */
const char *sw_jread_str(const struct sw_jread *r, const struct sw_jread_node *obj,
			 const char *key);

#endif
