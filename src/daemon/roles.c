/* roles: RelayType → role (see role.h). Each role adapter defines one of the symbols
 * below and adds its file to daemon_roles in meson.build; the references are weak, so a
 * role whose adapter is not built is simply unknown here. */
#include <stddef.h>
#include <strings.h>

#include "daemon/role.h"

extern const struct sw_role_ops sw_role_client __attribute__((weak));
extern const struct sw_role_ops sw_role_relay __attribute__((weak));
extern const struct sw_role_ops sw_role_host_relay __attribute__((weak));
extern const struct sw_role_ops sw_role_server __attribute__((weak));

const struct sw_role_ops *sw_role_find(const char *relay_type)
{
	static const struct {
		const char *word;
		const struct sw_role_ops *ops;
	} table[] = {
		{"client", &sw_role_client},	 {"autoclient", &sw_role_client},
		{"relay", &sw_role_relay},	 {"cone", &sw_role_relay},
		{"restricted", &sw_role_relay},	 {"host-relay", &sw_role_host_relay},
		{"server", &sw_role_server},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcasecmp(table[i].word, relay_type) == 0)
			return table[i].ops;
	return NULL;
}
