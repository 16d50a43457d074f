/* role_host: IPv6-only hosts (answer echo requests, run flows) and spoofing probes. */
#include "role.h"
#include "sim.h"
#include "traffic.h"

static void v6host_in(struct sim *s, struct sim_node *n, uint8_t side,
		      const struct sim_pkt *p)
{
	(void)side;
	sim_stack_rx(s, n, p->data, p->len);
}

static void v6host_send(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len)
{
	sim_send6(s, n, pkt, len);
}

static const struct sim_role_ops v6host_ops = {
	.name = "ipv6-host",
	.v6_in = v6host_in,
	.stack_send = v6host_send,
};

static const struct sim_role_ops probe_ops = {
	.name = "probe",
};

uint32_t sim_add_v6host(struct sim *s, const char *name, const uint8_t v6[16], uint32_t relay,
			const struct sim_link *l)
{
	/* IPv6-only: its IPv4 address 0 is never routed to */
	uint32_t i = sim_node_new(s, SIM_ROLE_V6HOST, name, SIM_INTERNET, 0, l);

	sim_node_set_v6(s, i, v6);
	sim_node(s, i)->relay = relay;
	sim_node(s, i)->ops = &v6host_ops;
	return i;
}

uint32_t sim_add_probe(struct sim *s, const char *name, uint32_t ip, const struct sim_link *l)
{
	uint32_t i = sim_node_new(s, SIM_ROLE_PROBE, name, SIM_INTERNET, ip, l);

	sim_node_add_sock(s, i, 0, 40000);
	sim_node(s, i)->ops = &probe_ops;
	return i;
}
