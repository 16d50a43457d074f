/* libFuzzer target: the CLI's JSON reader (cli/jread.c) over arbitrary bytes, as a reply
 * from a hostile or broken daemon would be. Whatever parses is written back with the
 * daemon's writer (daemon/json.c) and must parse again to the same shape. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/json.h"
#include "cli/jread.h"

#define NODES 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void emit(const struct sw_jread *r, const struct sw_jread_node *n, const char *key,
		 struct sw_json *j)
{
	switch (n->type) {
	case SW_JREAD_OBJ:
	case SW_JREAD_ARR:
		if (n->type == SW_JREAD_OBJ)
			sw_json_obj_begin(j, key);
		else
			sw_json_arr_begin(j, key);
		for (const struct sw_jread_node *m = sw_jread_first(r, n); m; m = sw_jread_next(r, m))
			emit(r, m, n->type == SW_JREAD_OBJ ? m->key : NULL, j);
		if (n->type == SW_JREAD_OBJ)
			sw_json_obj_end(j);
		else
			sw_json_arr_end(j);
		break;
	case SW_JREAD_STR:
		sw_json_str(j, key, n->str);
		break;
	case SW_JREAD_NUM: {
		uint64_t u;
		double d = 0;
		if (sw_jread_u64(n, &u) == 0)
			sw_json_u64(j, key, u);
		else
			sw_json_i64(j, key, sw_jread_double(n, &d) == 0 && d < 0 ? -1 : 1);
		break;
	}
	case SW_JREAD_BOOL:
		sw_json_bool(j, key, n->b);
		break;
	default:
		sw_json_null(j, key);
	}
}

static void check_shape(const struct sw_jread *a, const struct sw_jread *b)
{
	if (a->n != b->n)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		const struct sw_jread_node *x = &a->nodes[i], *y = &b->nodes[i];
		if (x->type != y->type || (x->key == NULL) != (y->key == NULL))
			abort();
		if ((x->type == SW_JREAD_OBJ || x->type == SW_JREAD_ARR) && x->len != y->len)
			abort();
		if (x->type == SW_JREAD_BOOL && x->b != y->b)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_jread_node nodes[NODES], again_nodes[NODES];
	static char out[1 << 16];
	struct sw_jread r, again;
	struct sw_json j;
	const char *text;
	char *buf = malloc(size + 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (sw_jread_parse(&r, nodes, NODES, buf, size) == 0) {
		const struct sw_jread_node *root = sw_jread_root(&r);
		if (!root || r.n == 0 || r.n > NODES)
			abort();
		(void)sw_jread_get(&r, root, "ok");
		(void)sw_jread_str(&r, root, "error");
		sw_json_init(&j, out, sizeof(out));
		emit(&r, root, NULL, &j);
		text = sw_json_finish(&j);
		if (text) {
			if (sw_jread_parse(&again, again_nodes, NODES, out, strlen(text)) != 0)
				abort();
			check_shape(&r, &again);
		}
	}
	free(buf);
	return 0;
}
