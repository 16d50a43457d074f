/* netlink: rtnetlink through libmnl with extended ACKs (see netlink.h). */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "sys/netlink.h"

#define NL_BUF 8192

int sw_nl_open(struct sw_nl *nl)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	/* error text from the kernel, and acks without a copy of our request */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	return 0;
}

void sw_nl_close(struct sw_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* What the callbacks see: the socket (for the error text) and the caller's data. */
struct nl_ctx {
	struct sw_nl *nl;
	void *user;
};

static int ext_ack_attr(const struct nlattr *a, void *data)
{
	struct sw_nl *nl = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(nl->err, sizeof(nl->err), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* NLMSG_ERROR: an ack (error 0) or a failure with, maybe, the kernel's text. */
static int cb_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	unsigned off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && mnl_nlmsg_size(off) <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, off, ext_ack_attr, ((struct nl_ctx *)data)->nl);
	if (e->error == 0)
		return MNL_CB_STOP;
	errno = -e->error;
	return MNL_CB_ERROR;
}

/* Send one request and read until its ack; data_cb sees the replies. 0 or -errno. */
/* NLMSG_DONE: the end of a dump (the kernel sends no ack after it). */
static int cb_done(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

static int transact(struct sw_nl *nl, struct nlmsghdr *nlh, mnl_cb_t data_cb, void *data)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {[NLMSG_ERROR] = cb_error, [NLMSG_DONE] = cb_done};
	char buf[NL_BUF];
	unsigned seq = ++nl->seq;
	struct nl_ctx ctx = {nl, data};
	int r;

	nl->err[0] = '\0';
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		r = mnl_cb_run2(buf, (size_t)n, seq, nl->portid, data_cb, &ctx, ctl,
				NLMSG_MIN_TYPE);
	} while (r > MNL_CB_STOP);
	return r < 0 ? -errno : 0;
}

static int link_index_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK && nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*ifi)))
		*(int *)((struct nl_ctx *)data)->user = ifi->ifi_index;
	return MNL_CB_OK;
}

int sw_nl_ifindex(struct sw_nl *nl, const char *name)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int idx = 0, err;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (!mnl_attr_put_strz_check(nlh, sizeof(buf), IFLA_IFNAME, name))
		return -ENAMETOOLONG;
	err = transact(nl, nlh, link_index_cb, &idx);
	if (err)
		return err;
	return idx > 0 ? idx : -ENODEV;
}

struct route6_ctx {
	int except;
	bool found;
};

static int route6_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		*(int *)data = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* One route of the dump: a unicast ::/0 of the main table not through `except`. */
static int route6_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route6_ctx *c = ((struct nl_ctx *)data)->user;
	const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	int oif = 0;

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rt)))
		return MNL_CB_OK;
	if (rt->rtm_family != AF_INET6 || rt->rtm_dst_len != 0 || rt->rtm_table != RT_TABLE_MAIN ||
	    rt->rtm_type != RTN_UNICAST || (rt->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rt), route6_attr, &oif);
	if (oif != c->except) /* no RTA_OIF (multipath, nexthop objects): not ours either */
		c->found = true;
	return MNL_CB_OK;
}

int sw_nl_default_route6(struct sw_nl *nl, int except_ifindex)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route6_ctx c = {except_ifindex, false};
	struct rtmsg *rt;
	int err;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtm_family = AF_INET6;
	err = transact(nl, nlh, route6_cb, &c);
	return err ? err : c.found;
}

static int link_set(struct sw_nl *nl, int ifindex, bool up, unsigned mtu)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = IFF_UP;
	}
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return transact(nl, nlh, NULL, NULL);
}

int sw_nl_link_up(struct sw_nl *nl, int ifindex, unsigned mtu)
{
	return link_set(nl, ifindex, true, mtu);
}

int sw_nl_link_mtu(struct sw_nl *nl, int ifindex, unsigned mtu)
{
	return link_set(nl, ifindex, false, mtu);
}

static int addr_msg(struct sw_nl *nl, uint16_t type, uint16_t flags, int ifindex,
		    const uint8_t addr[16], unsigned plen)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_flags = IFA_F_NODAD;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, 16, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, 16, addr);
	if (type == RTM_NEWADDR)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return transact(nl, nlh, NULL, NULL);
}

static int route_msg(struct sw_nl *nl, uint16_t type, uint16_t flags, int ifindex,
		     const uint8_t prefix[16], unsigned plen, unsigned metric)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = (uint8_t)plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, 16, prefix);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	return transact(nl, nlh, NULL, NULL);
}

static int record(struct sw_nl *nl, bool route, int ifindex, const uint8_t addr[16],
		  unsigned plen, unsigned metric)
{
	struct sw_nl_record *r;

	if (nl->nrec >= SW_NL_MAX_RECORDS) {
		nl->records_full++;
		return -ENOSPC;
	}
	r = &nl->rec[nl->nrec++];
	r->route = route;
	r->ifindex = ifindex;
	memcpy(r->addr, addr, 16);
	r->plen = (uint8_t)plen;
	r->metric = metric;
	return 0;
}

static void forget(struct sw_nl *nl, bool route, int ifindex, const uint8_t addr[16],
		   unsigned plen)
{
	for (unsigned i = 0; i < nl->nrec; i++) {
		struct sw_nl_record *r = &nl->rec[i];

		if (r->route != route || r->ifindex != ifindex || r->plen != plen ||
		    memcmp(r->addr, addr, 16) != 0)
			continue;
		memmove(r, r + 1, (nl->nrec - i - 1) * sizeof(*r));
		nl->nrec--;
		return;
	}
}

int sw_nl_addr_add(struct sw_nl *nl, int ifindex, const uint8_t addr[16], unsigned plen)
{
	int err;

	if (nl->nrec >= SW_NL_MAX_RECORDS) {
		nl->records_full++;
		return -ENOSPC;
	}
	err = addr_msg(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr, plen);
	return err ? err : record(nl, false, ifindex, addr, plen, 0);
}

int sw_nl_addr_del(struct sw_nl *nl, int ifindex, const uint8_t addr[16], unsigned plen)
{
	int err = addr_msg(nl, RTM_DELADDR, 0, ifindex, addr, plen);

	if (!err || err == -EADDRNOTAVAIL || err == -ENODEV)
		forget(nl, false, ifindex, addr, plen);
	return err;
}

int sw_nl_route_add(struct sw_nl *nl, int ifindex, const uint8_t prefix[16], unsigned plen,
		    unsigned metric)
{
	int err;

	if (nl->nrec >= SW_NL_MAX_RECORDS) {
		nl->records_full++;
		return -ENOSPC;
	}
	err = route_msg(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifindex, prefix, plen,
			metric);
	return err ? err : record(nl, true, ifindex, prefix, plen, metric);
}

int sw_nl_route_del(struct sw_nl *nl, int ifindex, const uint8_t prefix[16], unsigned plen,
		    unsigned metric)
{
	int err = route_msg(nl, RTM_DELROUTE, 0, ifindex, prefix, plen, metric);

	if (!err || err == -ESRCH || err == -ENODEV)
		forget(nl, true, ifindex, prefix, plen);
	return err;
}

unsigned sw_nl_cleanup(struct sw_nl *nl)
{
	unsigned failed = 0;

	/* routes first (they may depend on the addresses), newest first */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = nl->nrec; i-- > 0;) {
			struct sw_nl_record r = nl->rec[i];
			int err;

			if (r.route != (pass == 0))
				continue;
			if (r.route)
				err = sw_nl_route_del(nl, r.ifindex, r.addr, r.plen, r.metric);
			else
				err = sw_nl_addr_del(nl, r.ifindex, r.addr, r.plen);
			if (err && i < nl->nrec && memcmp(&nl->rec[i], &r, sizeof(r)) == 0) {
				forget(nl, r.route, r.ifindex, r.addr, r.plen);
				failed++;
			}
		}
	}
	return failed;
}
