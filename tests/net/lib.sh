# shellcheck shell=sh
# lib.sh: the network-namespace harness shared by tests/net/*.sh and scripts/demo.
#
# Every namespace, veth, process and temp file made through these functions is recorded
# and removed by net_cleanup (installed as an EXIT/INT/TERM trap by net_init), failure
# included. Nothing here touches the host namespace's interfaces, addresses, routes or
# firewall: veth pairs are created directly between the test's own namespaces. Processes
# are killed by recorded PID only.
#
# Address plan (documentation ranges, inside the namespaces only):
#   IPv4 "internet" 198.51.100.0/24 (servers .1/.2, relay .10, NAT public sides .2x)
#   private sides   198.18.N.0/24 (client .2, NAT .1)
#   IPv6 side       2001:db8:1::/64 (relay ::1, IPv6-only host ::2)

NET_PFX=""
NET_TMP=""
NET_NS=""
NET_PIDS=""

net_init() { # prefix: unique short tag, e.g. "swsrv"
	NET_PFX="$1-$$"
	NET_TMP=$(mktemp -d "/tmp/$NET_PFX.XXXXXX")
	trap net_cleanup EXIT
	trap 'exit 130' INT TERM
	command -v ip >/dev/null || { echo "SKIP: iproute2 missing"; exit 77; }
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
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
	for ns in $NET_NS; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$NET_TMP" ] && rm -rf "$NET_TMP"
	NET_PIDS=""; NET_NS=""; NET_TMP=""
	trap - EXIT
	exit $rc
}

ns() { echo "$NET_PFX-$1"; }          # full namespace name of a short name
nsx() { n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }  # run in namespace

net_ns_add() { # short-name...
	for n in "$@"; do
		ip netns add "$(ns "$n")" || return 1
		NET_NS="$NET_NS $(ns "$n")"
		nsx "$n" ip link set lo up
		nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
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
	for n in "$@"; do
		nsx "$n" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
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
#  - restricted: like fullcone, but inbound datagrams are DNATed only when their source
#    address is in a set of addresses the client has sent to (address-dependent filtering),
#    filled by the NAT itself from outbound traffic.
net_nat() {
	n=$1; kind=$2; wan=$3; pub=$4; priv=$5; cli=$6
	f="$NET_TMP/nat-$n.nft"
	{
		echo "table ip swnat {"
		case $kind in
		restricted)
			echo " set peers { type ipv4_addr; flags dynamic,timeout; timeout 120s; }"
			;;
		esac
		echo " chain pre { type nat hook prerouting priority dstnat;"
		case $kind in
		fullcone) echo "  iifname \"$wan\" ip daddr $pub udp dport 1024-65535 ct state new dnat to $cli" ;;
		restricted) echo "  iifname \"$wan\" ip daddr $pub ip saddr @peers udp dport 1024-65535 ct state new dnat to $cli" ;;
		esac
		echo " }"
		echo " chain filt { type filter hook forward priority filter;"
		case $kind in
		restricted) echo "  oifname \"$wan\" ip saddr $cli update @peers { ip daddr }" ;;
		esac
		echo " }"
		echo " chain post { type nat hook postrouting priority srcnat;"
		case $kind in
		symmetric) echo "  oifname \"$wan\" ip saddr $priv snat to $pub random" ;;
		*) echo "  oifname \"$wan\" ip saddr $priv snat to $pub" ;;
		esac
		echo " }"
		echo "}"
	} >"$f"
	nsx "$n" nft -f "$f"
}

# net_spawn NAME NS CMD...: start CMD in namespace NS in the background, output to
# $NET_TMP/NAME.log, PID recorded (and printed into $NET_TMP/NAME.pid).
net_spawn() {
	name=$1; n=$2; shift 2
	ip netns exec "$(ns "$n")" "$@" >"$NET_TMP/$name.log" 2>&1 &
	pid=$!
	NET_PIDS="$NET_PIDS $pid"
	echo "$pid" >"$NET_TMP/$name.pid"
}

net_pid() { cat "$NET_TMP/$1.pid"; }

net_stop() { # NAME: SIGTERM and wait (bounded)
	pid=$(net_pid "$1")
	kill "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	! kill -0 "$pid" 2>/dev/null
}

# net_wait SECONDS CMD...: retry CMD every 0.2 s until it succeeds or time runs out.
net_wait() {
	t=$1; shift
	i=0
	while [ $i -lt $((t * 5)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		i=$((i + 1))
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
	name=$1; shift
	f="$NET_TMP/$name.conf"
	: >"$f"
	for l in "$@"; do echo "$l" >>"$f"; done
	echo "$f"
}
