# shellcheck shell=sh
# lib.sh: the network-namespace harness shared by tests/net/*.sh and scripts/demo.
#
# Every namespace, veth, process and temp file made through these functions is recorded
# and removed by net_cleanup (installed as an EXIT/INT/TERM/HUP/PIPE trap by net_init),
# failure included; processes still left inside the test's namespaces (daemons' children)
# are found by namespace and killed too. Nothing here touches the host namespace's
# interfaces, addresses, routes or firewall: veth pairs are created directly between the
# test's own namespaces. Processes are killed by recorded PID only. Internal variables
# start with "_" so that callers' variables are never clobbered.
#
# Address plan (documentation ranges, inside the namespaces only):
#   the routed world (net_world, net_world_site; see there): server 198.51.100.1/.2 and
#   2001:db8:3::2, relay 203.0.113.2 and 2001:db8:2::2, IPv6-only host 2001:db8:1::2,
#   NAT K public 203.0.113.4K+2, its client 198.18.K.2
#   tests with their own bridge: IPv4 "internet" 198.51.100.0/24 (servers .1/.2, relay .10,
#   NAT public sides .2x), private sides 198.18.N.0/24 (client .2, NAT .1), IPv6 side
#   2001:db8:1::/64 (relay ::1, IPv6-only host ::2)
#
# Functions: net_init, net_cleanup, ns, nsx, net_hosts, net_ns_add, net_link, net_forwarding, net_nat,
# net_nat_flush, net_spawn, net_pid, net_stop, net_wait, net_teredo_addr, net_log, net_fail,
# net_miredo_conf, net_world, net_world_sites, net_world_site, net_site_pub, net_sw_role_built,
# net_sw_rundir, net_sw_conf.

NET_PFX=""
NET_TMP=""
NET_NS=""
NET_PIDS=""
NET_ETC=""  # /etc/netns/<namespace> directories made by net_hosts
NET_ETC_ROOT=0 # net_hosts made /etc/netns itself

net_init() { # prefix: unique short tag, e.g. "swsrv"
	NET_PFX="$1-$$"
	NET_TMP=$(mktemp -d "/tmp/$NET_PFX.XXXXXX")
	trap net_cleanup EXIT
	trap 'exit 130' INT TERM HUP PIPE
	command -v ip >/dev/null || { echo "SKIP: iproute2 missing"; exit 77; }
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
}

# net_hosts NS "ADDR NAME"...: the hosts file (and a resolv.conf with no reachable
# nameserver, so a missing name fails at once) that `ip netns exec` mounts over /etc for
# namespace NS only (/etc/netns/<namespace>/), removed by net_cleanup. Call it again to
# change the names.
net_hosts() {
	_d=/etc/netns/$(ns "$1"); shift
	[ -d /etc/netns ] || NET_ETC_ROOT=1
	case " $NET_ETC " in *" $_d "*) ;; *) NET_ETC="$NET_ETC $_d" ;; esac
	mkdir -p "$_d" || return 1
	{ echo "127.0.0.1 localhost"; for _h in "$@"; do echo "$_h"; done; } >"$_d/hosts"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$_d/resolv.conf"
}

net_cleanup() {
	rc=$?
	for pid in $NET_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $NET_PIDS; do
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2>/dev/null
	done
	# whatever those processes left running inside our namespaces (their children, e.g.
	# miredo's privileged helper): found by namespace, so only ours
	for ns in $NET_NS; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
	done
	for ns in $NET_NS; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$NET_TMP" ] && rm -rf "$NET_TMP"
	for d in $NET_ETC; do rm -rf "$d"; done
	[ $NET_ETC_ROOT = 1 ] && rmdir /etc/netns 2>/dev/null
	NET_PIDS=""; NET_NS=""; NET_TMP=""; NET_ETC=""
	trap - EXIT
	exit $rc
}

# net_need CMD...: skip the test (exit 77) unless every command is installed.
net_need() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null || { echo "SKIP: $_c missing (scripts/deps installs it)"; exit 77; }
	done
}

# net_need_exec FILE...: skip unless every file is an executable (shipwormd, shipworm).
net_need_exec() {
	for _c in "$@"; do
		[ -x "$_c" ] || { echo "SKIP: no executable $_c (build first)"; exit 77; }
	done
}

# net_bridge NS: a bridge br0 in NS, the shared segment of net_bridge_attach.
net_bridge() {
	nsx "$1" ip link add br0 type bridge && nsx "$1" ip link set br0 up
}

# net_bridge_attach BRNS LEG ADDR...: eth0 of namespace LEG on BRNS's br0, with ADDRs.
net_bridge_attach() {
	_bn=$1; _leg=$2; shift 2
	net_link "$_leg" eth0 - "$_bn" "b-$_leg" - || return 1
	nsx "$_bn" ip link set "b-$_leg" master br0
	for _a in "$@"; do
		nsx "$_leg" ip addr add "$_a" dev eth0 nodad 2>/dev/null ||
			nsx "$_leg" ip addr add "$_a" dev eth0 || return 1
	done
}

ns() { echo "$NET_PFX-$1"; }          # full namespace name of a short name
nsx() { _nsx=$1; shift; ip netns exec "$(ns "$_nsx")" "$@"; }  # run in namespace

net_ns_add() { # short-name...
	for _nsa in "$@"; do
		ip netns add "$(ns "$_nsa")" || return 1
		NET_NS="$NET_NS $(ns "$_nsa")"
		nsx "$_nsa" ip link set lo up
		# no DAD (addresses usable at once); no reverse-path filter (NATs and routers
		# here see asymmetric paths on purpose)
		nsx "$_nsa" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	done
}

# net_link A ifA addrA B ifB addrB: a veth pair between namespaces A and B, with IPv4 or
# IPv6 addresses in CIDR form ("-" for none).
net_link() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$5" netns "$(ns "$4")" || return 1
	nsx "$1" ip link set "$2" up
	nsx "$4" ip link set "$5" up
	[ "$3" = - ] || nsx "$1" ip addr add "$3" dev "$2" nodad 2>/dev/null || nsx "$1" ip addr add "$3" dev "$2"
	[ "$6" = - ] || nsx "$4" ip addr add "$6" dev "$5" nodad 2>/dev/null || nsx "$4" ip addr add "$6" dev "$5"
}

net_forwarding() { # ns...
	for _nsf in "$@"; do
		nsx "$_nsf" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	done
}

# net_nat NS KIND WAN_IF PUBLIC_IP PRIVATE_NET CLIENT_IP
# KIND: fullcone | restricted | portrestricted | symmetric
#  - portrestricted: plain conntrack SNAT. Linux keeps the source port when it can and
#    reuses it for every destination (endpoint-independent mapping); conntrack only lets
#    replies from the exact address and port in (address-and-port-dependent filtering).
#  - symmetric: SNAT with "random": every new destination gets a new random port
#    (address-and-port-dependent mapping).
#  - fullcone: the port-preserving SNAT plus a DNAT of every inbound UDP datagram on the
#    public address to the one client (endpoint-independent filtering).
#  - every kind drops unsolicited inbound datagrams that it does not forward.
#  - restricted: like fullcone, but inbound datagrams are DNATed only when their source
#    address is in a set of addresses the client has sent to (address-dependent filtering),
#    filled by the NAT itself from outbound traffic.
net_nat() {
	_nn=$1; _nk=$2; _nw=$3; _np=$4; _npriv=$5; _nc=$6
	_nf="$NET_TMP/nat-$_nn.nft"
	{
		echo "table ip swnat {"
		case $_nk in
		restricted)
			echo " set peers { type ipv4_addr; flags dynamic,timeout; timeout 120s; }"
			;;
		fullcone | portrestricted | symmetric) ;;
		*) echo "net_nat: unknown kind $_nk" >&2; return 1 ;;
		esac
		echo " chain pre { type nat hook prerouting priority dstnat;"
		case $_nk in
		fullcone) echo "  iifname \"$_nw\" ip daddr $_np udp dport 1024-65535 ct state new dnat to $_nc" ;;
		restricted) echo "  iifname \"$_nw\" ip daddr $_np ip saddr @peers udp dport 1024-65535 ct state new dnat to $_nc" ;;
		esac
		echo " }"
		# (not "fwd": that is an nft keyword)
		echo " chain filt { type filter hook forward priority filter;"
		case $_nk in
		restricted) echo "  oifname \"$_nw\" ip saddr $_nc update @peers { ip daddr }" ;;
		esac
		echo " }"
		# Unsolicited datagrams that no rule forwards would reach the NAT box itself and
		# leave a conntrack entry holding the public port: the client's own later mapping
		# to that sender would then get another port (a real NAT just drops them).
		echo " chain in { type filter hook input priority filter;"
		echo "  iifname \"$_nw\" ct state new drop"
		echo " }"
		echo " chain post { type nat hook postrouting priority srcnat;"
		case $_nk in
		symmetric) echo "  oifname \"$_nw\" ip saddr $_npriv snat to $_np random" ;;
		*) echo "  oifname \"$_nw\" ip saddr $_npriv snat to $_np" ;;
		esac
		echo " }"
		echo "}"
	} >"$_nf" || return 1
	nsx "$_nn" nft -f "$_nf"
}

# net_nat_flush NS: forget every mapping and filter entry (a NAT reboot): conntrack -F and,
# for the address-restricted kind, its set of peers.
net_nat_flush() {
	nsx "$1" conntrack -F >/dev/null 2>&1
	nsx "$1" nft flush set ip swnat peers >/dev/null 2>&1
	return 0
}

# net_spawn NAME NS CMD...: start CMD in namespace NS in the background, output to
# $NET_TMP/NAME.log, PID recorded (and printed into $NET_TMP/NAME.pid).
net_spawn() {
	_sn=$1; _sns=$2; shift 2
	ip netns exec "$(ns "$_sns")" "$@" >"$NET_TMP/$_sn.log" 2>&1 &
	_sp=$!
	NET_PIDS="$NET_PIDS $_sp"
	echo "$_sp" >"$NET_TMP/$_sn.pid"
}

net_pid() { cat "$NET_TMP/$1.pid"; }

# Fails if it did not end within 5 s of SIGTERM (it is then killed with SIGKILL).
net_stop() { # NAME: SIGTERM and wait (bounded)
	[ -f "$NET_TMP/$1.pid" ] || return 0
	_tp=$(net_pid "$1")
	kill "$_tp" 2>/dev/null
	_ti=0
	while kill -0 "$_tp" 2>/dev/null && [ $_ti -lt 50 ]; do sleep 0.1; _ti=$((_ti + 1)); done
	kill -0 "$_tp" 2>/dev/null || return 0
	kill -9 "$_tp" 2>/dev/null
	sleep 0.2
	return 1
}

# net_wait SECONDS CMD...: retry CMD every 0.2 s until it succeeds or time runs out.
net_wait() {
	_wt=$1; shift
	_wi=0
	while [ $_wi -lt $((_wt * 5)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		_wi=$((_wi + 1))
	done
	return 1
}

# Teredo address (global, 2001:0::/32) on an interface in a namespace, or nothing.
net_teredo_addr() { # NS IFNAME
	nsx "$1" ip -6 -o addr show dev "$2" scope global 2>/dev/null |
		awk '{print $4}' | cut -d/ -f1 | grep -i '^2001:0*:' | head -1
}

net_log() { echo "[$(date +%H:%M:%S)] $*"; }
net_fail() { echo "FAIL: $*"; for f in "$NET_TMP"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -30 "$f"; }; done; exit 1; }

# Debian's miredo / miredo-server, confined to a namespace with a config in $NET_TMP.
# The miredo packages' own services never run: scripts/deps installs them with a
# policy-rc.d that denies starts.
net_miredo_conf() { # NAME LINES... → path of a config file
	_mf="$NET_TMP/$1.conf"; shift
	: >"$_mf"
	for _ml in "$@"; do echo "$_ml" >>"$_mf"; done
	echo "$_mf"
}

# --- A routed Teredo world (net_world + net_world_site), used by matrix.sh, nat_probe.sh
# and scripts/demo. "inet" is the dual-stack Internet's one router:
#
#   srv  198.51.100.1 + .2 (two consecutive addresses), 2001:db8:3::2 ── inet
#   rly  203.0.113.2, 2001:db8:2::2 (relay; inet routes 2001::/32 to it) ── inet
#   h6   2001:db8:1::2 (IPv6 only) ── inet
#   cli<K> 198.18.K.2 ── nat<K> (198.18.K.1 | 203.0.113.4K+2, nftables NAT) ── inet
#
# IPv4 links are /30s 203.0.113.4i+1 (inet) ↔ .4i+2, plus the server's 198.51.100.0/24;
# every leaf has a default route to inet. The Teredo server needs IPv6 too: a client's
# first packet to an IPv6 host is an ICMPv6 echo the server sends out natively (RFC 4380
# 5.2.9), and the reply comes back through the relay, which the client then trusts.
# Linux needs: forwarding in inet, nat<K>, rly; no rp_filter and no DAD (net_ns_add);
# /dev/net/tun for the tunnels; nftables' nat hooks in nat<K>.
NET_SRV1=198.51.100.1
NET_SRV2=198.51.100.2
NET_RLY4=203.0.113.2
NET_RLY6=2001:db8:2::2
NET_H6=2001:db8:1::2

net_world() {
	net_ns_add inet srv rly h6 || return 1
	net_forwarding inet rly srv  # srv: shipwormd's server forwards clients' IPv6 through its tunnel
	net_link srv eth0 $NET_SRV1/24 inet to-srv 198.51.100.254/24 || return 1
	nsx srv ip addr add $NET_SRV2/24 dev eth0
	nsx srv ip addr add 2001:db8:3::2/64 dev eth0 nodad
	nsx inet ip addr add 2001:db8:3::1/64 dev to-srv nodad
	nsx srv ip route add default via 198.51.100.254
	nsx srv ip -6 route add default via 2001:db8:3::1
	net_link rly eth0 $NET_RLY4/30 inet to-rly 203.0.113.1/30 || return 1
	nsx rly ip addr add $NET_RLY6/64 dev eth0 nodad
	nsx inet ip addr add 2001:db8:2::1/64 dev to-rly nodad
	nsx rly ip route add default via 203.0.113.1
	nsx rly ip -6 route add default via 2001:db8:2::1
	nsx inet ip -6 route add 2001::/32 via $NET_RLY6
	net_link h6 eth0 $NET_H6/64 inet to-h6 2001:db8:1::1/64 || return 1
	nsx h6 ip -6 route add default via 2001:db8:1::1
}

# net_world_sites KIND...: net_world_site 1 KIND1, 2 KIND2, ... (fails at the first that fails)
net_world_sites() {
	_ws=1
	for _wk in "$@"; do
		net_world_site $_ws "$_wk" || { echo "site $_ws ($_wk)" >&2; return 1; }
		_ws=$((_ws + 1))
	done
}

# net_world_site K KIND: NAT router nat<K> of KIND (see net_nat; "none" = a plain router,
# no translation) with client namespace cli<K> behind it. K in 1..60.
net_world_site() {
	_wk=$1
	_wpub=203.0.113.$((4 * _wk + 2))
	net_ns_add "nat$_wk" "cli$_wk" || return 1
	net_forwarding "nat$_wk"
	net_link "nat$_wk" wan $_wpub/30 inet "to-nat$_wk" 203.0.113.$((4 * _wk + 1))/30 || return 1
	# The public side behaves like a real wire: GSO superpackets (shipwormd sends with
	# UDP_SEGMENT) are split before they cross it, so captures there see datagrams.
	nsx "nat$_wk" ip link set wan gso_max_segs 1
	nsx inet ip link set "to-nat$_wk" gso_max_segs 1
	nsx "nat$_wk" ip route add default via 203.0.113.$((4 * _wk + 1))
	net_link "nat$_wk" lan 198.18.$_wk.1/24 "cli$_wk" eth0 198.18.$_wk.2/24 || return 1
	nsx "cli$_wk" ip route add default via 198.18.$_wk.1
	if [ "$2" = none ]; then
		nsx inet ip route add 198.18.$_wk.0/24 via $_wpub
	else
		net_nat "nat$_wk" "$2" wan $_wpub 198.18.$_wk.0/24 198.18.$_wk.2 || return 1
	fi
}
net_site_pub() { echo 203.0.113.$((4 * $1 + 2)); } # K → the NAT's public address

# --- shipwormd in the world ---
# net_sw_role_built SHIPWORMD ROLE: shipwormd exists and has RelayType ROLE built in.
net_sw_role_built() {
	[ -x "$1" ] || return 1
	_rc=$(mktemp)
	printf 'RelayType %s\nServerAddress 198.51.100.1\nServerBindAddress 198.51.100.1\n' "$2" >"$_rc"
	_ro=$("$1" -n -c "$_rc" 2>&1)
	_rs=$?
	rm -f "$_rc"
	[ $_rs = 0 ] && ! echo "$_ro" | grep -q "not built"
}
# net_sw_rundir: $NET_TMP/run, where shipwormd (as User nobody) keeps its control sockets
net_sw_rundir() {
	mkdir -p "$NET_TMP/run" && chmod 0711 "$NET_TMP" && chown nobody "$NET_TMP/run"
}
# net_sw_conf NAME LINES...: a shipwormd configuration (path printed) with control socket
# $NET_TMP/run/NAME.sock, running as nobody
net_sw_conf() {
	_scn=$1; shift
	net_miredo_conf "$_scn" "$@" "ControlSocket $NET_TMP/run/$_scn.sock" "User nobody"
}
