#!/bin/sh
# relay_miredo: a Teredo client behind an nftables NAT (Debian's miredo by default, or
# shipwormd's), with a server (Debian's miredo-server by default, or shipwormd's),
# reaches an IPv6-only host through shipwormd's relay (RelayType relay) in both directions,
# the first contact started from the IPv6 side (indirect bubble through the server); then,
# with the relay stopped, a host-specific relay (RelayType host-relay) on a dual-stack host
# reaches the same client directly.
#
#        cli ──(198.18.1.0/24)── nat ──┐
#                                      │ bridge "inet": 198.51.100.0/24 + 2001:db8:1::/64
#        srv (server .1/.2, ::3)       ┤
#        rly (shipwormd relay .10, ::1)┤
#        h6  (IPv6 only, ::2)          ┤
#        hh  (dual-stack host .30, ::30, shipwormd host-relay)
#
# Usage: relay_miredo.sh [SHIPWORMD [SERVER [CLIENT [natrelay|symmetric|workers]]]]
#   SHIPWORMD default: $SHIPWORMD, else build/src/daemon/shipwormd
#   SERVER, CLIENT: miredo (Debian's, the default) or shipworm
#   natrelay: the relay's IPv4 side sits behind its own port-restricted NAT (namespace
#   rnat, public 198.51.100.11) and runs as RelayType restricted: its direct bubbles open
#   that NAT for the client's answer (RFC 4380 §5.4.1, statement 83)
#   symmetric: the client's NAT is symmetric (a new port per destination): its answer to
#   the relay's bubble comes from another port than its address says, and the relay
#   accepts it because it answers the relay's hashed bubble source (Miredo's check)
#   workers: relay and host relay run with Workers 3; every peer must live on the one
#   worker the kernel steers it to (sys/steer), both for the client's datagrams (its entry
#   trusted there) and for packets from the IPv6 side to 60 more Teredo addresses
# Exit 77 (skip) when not root or miredo is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
SWD=${1:-${SHIPWORMD:-$here/../../build/src/daemon/shipwormd}}
SRV_IMPL=${2:-miredo}
CLI_IMPL=${3:-miredo}
NATRELAY=${4:-}
CLI_NAT=portrestricted
[ "$NATRELAY" = symmetric ] && { CLI_NAT=symmetric; NATRELAY=; }
WORKERS=
[ "$NATRELAY" = workers ] && { WORKERS=3; NATRELAY=; }

net_init swrly
net_need miredo miredo-server nft ping
net_need_exec "$SWD"

# --- topology ---
net_ns_add inet cli nat srv rly h6 hh rnat || net_fail "namespaces"
net_bridge inet || net_fail "bridge"
attach() { net_bridge_attach inet "$@" || net_fail "link $1"; } # NS ADDR...
attach srv 198.51.100.1/24 198.51.100.2/24 2001:db8:1::3/64
if [ "$NATRELAY" = natrelay ]; then
	attach rly 2001:db8:1::1/64
	attach rnat 198.51.100.11/24
	net_link rnat lan 198.18.2.1/24 rly eth4 198.18.2.2/24 || net_fail "relay lan"
	nsx rly ip route add default via 198.18.2.1
	net_forwarding rnat
	net_nat rnat portrestricted eth0 198.51.100.11 198.18.2.0/24 198.18.2.2 || net_fail "relay nat"
	RLY4=198.18.2.2
	RTYPE=restricted
else
	attach rly 198.51.100.10/24 2001:db8:1::1/64
	RLY4=198.51.100.10
	RTYPE=relay
fi
attach nat 198.51.100.21/24
attach h6 2001:db8:1::2/64
attach hh 198.51.100.30/24 2001:db8:1::30/64
net_link nat lan 198.18.1.1/24 cli eth0 198.18.1.2/24 || net_fail "lan"
nsx cli ip route add default via 198.18.1.1
net_forwarding nat rly
net_nat nat $CLI_NAT eth0 198.51.100.21 198.18.1.0/24 198.18.1.2 || net_fail "nat"
nsx h6 ip -6 route add 2001::/32 via 2001:db8:1::1

# --- the server and the client: Debian's miredo-server / miredo, or shipwormd ---
if [ "$SRV_IMPL" = shipworm ]; then
	scf=$(net_miredo_conf srv "RelayType server" "ServerBindAddress 198.51.100.1" \
		"ServerBindAddress2 198.51.100.2" "InterfaceName sws0" \
		"ControlSocket $NET_TMP/srv.sock" "User nobody")
	net_forwarding srv # its tunnel carries client echo tests to the IPv6 side
	net_spawn server srv "$SWD" -f -c "$scf"
else
	scf=$(net_miredo_conf srv "ServerBindAddress 198.51.100.1" "ServerBindAddress2 198.51.100.2")
	net_spawn server srv miredo-server -f -c "$scf" -p "$NET_TMP/miredo-server.pidf"
fi
if [ "$CLI_IMPL" = shipworm ]; then
	ccf=$(net_miredo_conf cli "RelayType client" "ServerAddress 198.51.100.1" \
		"InterfaceName mtun" "ControlSocket $NET_TMP/cli.sock" "User nobody")
	net_spawn client cli "$SWD" -f -c "$ccf"
else
	ccf=$(net_miredo_conf cli "RelayType client" "ServerAddress 198.51.100.1" "InterfaceName mtun")
	net_spawn client cli miredo -f -c "$ccf" -p "$NET_TMP/miredo.pidf"
fi
net_log "server: $SRV_IMPL, client: $CLI_IMPL, relay ($RTYPE${NATRELAY:+, behind a NAT}) and host relay: shipworm; client NAT $CLI_NAT"

# --- shipwormd relay ---
rcf=$(net_miredo_conf rly "RelayType $RTYPE" "InterfaceName swr0" "BindAddress $RLY4" \
	"BindPort 3545" "ControlSocket $NET_TMP/rly.sock" "User nobody" \
	${WORKERS:+"Workers $WORKERS"})
net_spawn relay rly "$SWD" -f -c "$rcf"

net_log "waiting for the client to qualify"
net_wait 30 sh -c "[ -n \"\$(ip netns exec $(ns cli) ip -6 -o addr show dev mtun scope global 2>/dev/null)\" ]" ||
	net_fail "the $CLI_IMPL client did not qualify"
TA=$(net_teredo_addr cli mtun)
[ -n "$TA" ] || net_fail "no Teredo address"
net_log "client Teredo address $TA"
net_wait 10 nsx rly ip -6 route show 2001::/32 dev swr0 ||
	net_fail "relay route 2001::/32 missing"
nsx rly ip -6 route show 2001::/32 | grep -q swr0 || net_fail "relay route not on swr0"

ctl() { # NAME REQUEST → JSON reply line
	printf '%s\n' "$2" | nsx "$1" socat -t 2 - "UNIX-CONNECT:$NET_TMP/$1.sock" 2>/dev/null | tail -1
}
counter() { # NAME COUNTER → value
	ctl "$1" status | tr ',{}' '\n\n\n' | sed -n "s/^\"$2\":\([0-9]*\)$/\1/p" | head -1
}

# 1. first contact from the IPv6 side. A client drops the first packets from a relay it
#    does not trust yet and runs its echo test through the server, so allow a few losses.
net_log "IPv6-only host -> Teredo client (first contact from the IPv6 side)"
nsx h6 ping -6 -c 8 -i 0.5 -W 2 "$TA" >"$NET_TMP/ping1.log" 2>&1
grep -q ' 0 received' "$NET_TMP/ping1.log" && net_fail "no echo reply from the Teredo client: $(tail -2 "$NET_TMP/ping1.log")
relay: $(ctl rly status)
client: $(ctl cli status 2>/dev/null)
client peers: $(ctl cli peers 2>/dev/null)"
grep -q 'received' "$NET_TMP/ping1.log" || net_fail "ping did not run: $(cat "$NET_TMP/ping1.log")"
net_log "$(grep 'packets transmitted' "$NET_TMP/ping1.log")"
b=$(counter rly relay_bubbles_indirect)
[ "${b:-0}" -ge 1 ] || net_fail "relay sent no indirect bubble (status: $(ctl rly status))"
if [ "$RTYPE" = restricted ]; then
	b=$(counter rly relay_bubbles_direct)
	[ "${b:-0}" -ge 1 ] || net_fail "restricted relay sent no direct bubble"
fi

if [ "$CLI_NAT" = symmetric ]; then
	# the relay must have learnt a mapping other than the one the address embeds
	g=$(echo "$TA" | awk -F: '{print $(NF-2)}')
	aport=$((0x$g ^ 65535))
	rport=$(ctl rly peers | tr '{,' '\n\n' | sed -n 's/^"mapping":"[0-9.]*:\([0-9]*\)"$/\1/p' | head -1)
	net_log "address embeds port $aport; the relay trusts port ${rport:-none}"
	[ -n "$rport" ] && [ "$rport" != "$aport" ] ||
		net_fail "symmetric NAT: expected a foreign mapping in the relay's peer table"
fi

# 2. from the Teredo side, every packet must come back now.
net_log "Teredo client -> IPv6-only host"
nsx cli ping -6 -c 5 -i 0.3 -W 2 2001:db8:1::2 >"$NET_TMP/ping2.log" 2>&1 ||
	net_fail "Teredo -> IPv6 through the relay: $(tail -2 "$NET_TMP/ping2.log")"
nsx h6 ping -6 -c 5 -i 0.3 -W 2 "$TA" >"$NET_TMP/ping3.log" 2>&1 ||
	net_fail "IPv6 -> Teredo after trust: $(tail -2 "$NET_TMP/ping3.log")"
t=$(counter rly relay_forwarded_to_teredo); v=$(counter rly relay_forwarded_to_ipv6)
[ "${t:-0}" -ge 5 ] && [ "${v:-0}" -ge 5 ] ||
	net_fail "relay counters: to_teredo=$t to_ipv6=$v"
net_log "relay forwarded $t packets to Teredo and $v to IPv6"

if [ -n "$WORKERS" ]; then
	check_shards() { # NAME EXPECTED-ADDRESSES-FILE → fails unless each is on its worker
		ctl "$1" peers | python3 "$here/shards.py" "$WORKERS" "$2" ||
			net_fail "$1: peers not on the worker the kernel steers them to"
	}
	w=$(counter rly workers)
	[ "$w" = "$WORKERS" ] || net_fail "relay runs ${w:-?} workers, not $WORKERS"
	echo "$TA" >"$NET_TMP/ta.txt"
	check_shards rly "$NET_TMP/ta.txt"
	ctl rly peers | grep -q '"trusted":true' || net_fail "client not trusted on its worker"
	net_log "the client's entry is trusted on its worker; 60 more peers from the IPv6 side"
	python3 "$here/shards.py" --addresses 60 >"$NET_TMP/many.txt"
	nsx h6 python3 "$here/shards.py" --send "$NET_TMP/many.txt" ||
		net_fail "could not send to the Teredo addresses"
	net_wait 5 sh -c "[ \$(printf 'peers\n' | ip netns exec $(ns rly) socat -t 2 - UNIX-CONNECT:$NET_TMP/rly.sock | grep -o '\"address\"' | wc -l) -ge 61 ]" ||
		net_fail "relay made no entries for the 60 addresses: $(ctl rly status)"
	check_shards rly "$NET_TMP/many.txt"
	net_log "61 peers, each on the worker its address steers to: $(ctl rly status | grep -o '"worker_peers":\[[0-9,]*\]')"
fi

# 3. a bulk TCP transfer from the IPv6 host to the client and back, through the relay
if command -v socat >/dev/null; then
	net_spawn sink cli socat -u TCP6-LISTEN:5001,reuseaddr OPEN:"$NET_TMP/rx.bin",creat
	head -c 2000000 /dev/urandom >"$NET_TMP/tx.bin"
	net_wait 5 nsx cli sh -c "ss -ltn | grep -q 5001" || net_fail "sink did not listen"
	timeout 30 ip netns exec "$(ns h6)" socat -u OPEN:"$NET_TMP/tx.bin" "TCP6:[$TA]:5001" ||
		net_fail "TCP transfer through the relay failed"
	net_wait 10 cmp -s "$NET_TMP/tx.bin" "$NET_TMP/rx.bin" || net_fail "TCP data differ"
	net_log "2 MB over TCP through the relay: identical"
fi

# 4. host-specific relay: the relay goes away; the dual-stack host talks to the client
#    over IPv4 itself.
net_stop relay || net_fail "relay did not stop"
nsx rly ip link show swr0 >/dev/null 2>&1 && net_fail "relay left swr0 behind"
hcf=$(net_miredo_conf hh "RelayType host-relay" "InterfaceName swh0" \
	"BindAddress 198.51.100.30" "ControlSocket $NET_TMP/hh.sock" "User nobody" \
	${WORKERS:+"Workers $WORKERS"})
net_spawn hostrelay hh "$SWD" -f -c "$hcf"
net_wait 10 sh -c "ip netns exec $(ns hh) ip -6 route show 2001::/32 | grep -q swh0" ||
	net_fail "host relay route missing"
nsx hh ip -6 -o addr show dev swh0 scope global | grep -q . &&
	net_fail "host relay configured a global address on swh0"
net_log "dual-stack host -> Teredo client through its own host-specific relay"
nsx hh ping -6 -c 8 -i 0.5 -W 2 "$TA" >"$NET_TMP/ping4.log" 2>&1
grep -q ' 0 received' "$NET_TMP/ping4.log" && net_fail "host relay: no reply: $(tail -2 "$NET_TMP/ping4.log")"
net_log "$(grep 'packets transmitted' "$NET_TMP/ping4.log")"
nsx cli ping -6 -c 5 -i 0.3 -W 2 2001:db8:1::30 >"$NET_TMP/ping5.log" 2>&1 ||
	net_fail "client -> host relay host: $(tail -2 "$NET_TMP/ping5.log")"
t=$(counter hh relay_forwarded_to_teredo); v=$(counter hh relay_forwarded_to_ipv6)
[ "${t:-0}" -ge 5 ] && [ "${v:-0}" -ge 5 ] || net_fail "host relay counters: $t $v"
net_log "host relay forwarded $t packets to the client and $v to this host"
[ -n "$WORKERS" ] && check_shards hh "$NET_TMP/ta.txt"
echo "PASS"
exit 0
