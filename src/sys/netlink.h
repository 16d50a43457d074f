/*
 * netlink: interface configuration over rtnetlink (libmnl): link up and MTU, IPv6
 * addresses and routes on the tunnel. Everything added through it is recorded and
 * removed by sw_nl_cleanup() (what was there before is never touched). The kernel's
 * extended-ACK error text is kept for the caller's message. Never logs.
 */
#ifndef SW_SYS_NETLINK_H
#define SW_SYS_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

#define SW_NL_MAX_RECORDS 32 /* addresses + routes the daemon may have added at once */

struct sw_nl_record {
	bool route; /* else an address */
	int ifindex;
	uint8_t addr[16];
	uint8_t plen;
	uint32_t metric;
};

struct sw_nl {
	struct mnl_socket *sock;
	unsigned portid, seq;
	char err[256]; /* the kernel's text for the last error ("" = none given) */
	struct sw_nl_record rec[SW_NL_MAX_RECORDS];
	unsigned nrec;
	uint64_t records_full; /* additions refused because rec[] was full */
};

/* 0 or -errno. */
int sw_nl_open(struct sw_nl *nl);
void sw_nl_close(struct sw_nl *nl);
/* Interface index by name: > 0, or -errno (-ENODEV). */
int sw_nl_ifindex(struct sw_nl *nl, const char *name);
/* Set IFF_UP and, when mtu != 0, the MTU. 0 or -errno. */
int sw_nl_link_up(struct sw_nl *nl, int ifindex, unsigned mtu);
int sw_nl_link_mtu(struct sw_nl *nl, int ifindex, unsigned mtu);
/* IPv6 address (no DAD) / route with metric; recorded for cleanup. 0 or -errno
 * (-EEXIST when already present: then it is not recorded, so never removed). */
int sw_nl_addr_add(struct sw_nl *nl, int ifindex, const uint8_t addr[16], unsigned plen);
int sw_nl_addr_del(struct sw_nl *nl, int ifindex, const uint8_t addr[16], unsigned plen);
int sw_nl_route_add(struct sw_nl *nl, int ifindex, const uint8_t prefix[16], unsigned plen,
		    unsigned metric);
int sw_nl_route_del(struct sw_nl *nl, int ifindex, const uint8_t prefix[16], unsigned plen,
		    unsigned metric);
/* Whether an IPv6 default route (unicast ::/0, main table) exists through an interface
 * other than except_ifindex: native IPv6 connectivity (RFC 4380 §5.5). A route dump; needs
 * no privilege. 1, 0 or -errno. */
int sw_nl_default_route6(struct sw_nl *nl, int except_ifindex);
/* Remove every recorded route, then every recorded address (newest first). Returns the
 * number that failed. */
unsigned sw_nl_cleanup(struct sw_nl *nl);

#endif
