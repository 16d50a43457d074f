/*
 * json: a small JSON writer into a fixed buffer, for control-socket replies, status and
 * peers. Keys and values are escaped; overflow is sticky and reported, never a crash.
 * Never allocates.
 */
#ifndef SW_DAEMON_JSON_H
#define SW_DAEMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/addr.h"

#define SW_JSON_DEPTH 16

struct sw_json {
	char *buf;
	size_t len, cap;
	int depth;
	bool need_comma[SW_JSON_DEPTH];
	bool overflow;
};

void sw_json_init(struct sw_json *j, char *buf, size_t cap);
/* key is NULL inside arrays and for the top-level value. */
void sw_json_obj_begin(struct sw_json *j, const char *key);
void sw_json_obj_end(struct sw_json *j);
void sw_json_arr_begin(struct sw_json *j, const char *key);
void sw_json_arr_end(struct sw_json *j);
void sw_json_str(struct sw_json *j, const char *key, const char *val);
void sw_json_u64(struct sw_json *j, const char *key, uint64_t val);
void sw_json_i64(struct sw_json *j, const char *key, int64_t val);
void sw_json_bool(struct sw_json *j, const char *key, bool val);
void sw_json_null(struct sw_json *j, const char *key);
/* IPv6 address in RFC 5952 text, IPv4 dotted quad, "a.b.c.d:port". */
void sw_json_ip6(struct sw_json *j, const char *key, const uint8_t addr[16]);
void sw_json_ip4(struct sw_json *j, const char *key, uint32_t ip);
void sw_json_endpoint(struct sw_json *j, const char *key, struct sw_endpoint ep);
/* Milliseconds as seconds with three decimals (ages, intervals). */
void sw_json_ms(struct sw_json *j, const char *key, uint64_t ms);
/* NUL-terminated result, or NULL after an overflow. */
const char *sw_json_finish(struct sw_json *j);

#endif
