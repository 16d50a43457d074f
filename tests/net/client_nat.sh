#!/bin/sh
# client_nat: shipwormd's Teredo client (RelayType client) against Debian's miredo-server,
# from behind each NAT kind of lib.sh (nftables; see net_nat for the mechanism of each and
# nat_probe.sh for the proof that each maps and filters as named), with ConeProbe on so
# that a full-cone NAT can be told apart:
#   site 1  no NAT (plain router)      → state qualified, nat "none"
#   site 2  fullcone                   → qualified, "cone" (the RA to the C=1 RS comes from
#                                        the server's other address and gets through)
#   site 3  restricted (address)       → qualified, "restricted"
#   site 4  portrestricted             → qualified, "restricted"
#   site 5  symmetric                  → no address, "symmetric" (the two server addresses
#                                        see two mappings)
# Then: a silent Teredo peer earns an ICMPv6 "address unreachable"; through Debian's miredo
# as the relay, the client behind site 4 pings the IPv6-only host and is pinged from it;
# the clients of sites 2 and 4 ping each other directly; Debian's miredo client (site 6,
# port-restricted NAT) and shipworm's clients ping each other both ways; with shipwormd's
# relay in place of Miredo's, the client of site 3 reaches the IPv6-only host both ways;
# and a NAT "reboot" at site 4 (conntrack -F, the SNAT now on another port) gives the
# client a new address within the refresh interval (SW_REFRESH seconds).
#
# usage: client_nat.sh SHIPWORMD SHIPWORM [miredo|shipworm]: the third argument picks the
# server (Debian's miredo-server by default, or shipwormd's RelayType server).
# Exit 77 (skip) when not root or tools missing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
SWD=${1:-$HERE/../../build/src/daemon/shipwormd}
CLI=${2:-$HERE/../../build/src/cli/shipworm}
REFRESH=${SW_REFRESH:-30}
SERVER=${3:-miredo}

net_init swcn
net_need miredo miredo-server nft conntrack python3 ping
net_need_exec "$SWD" "$CLI"
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
fails=0
fail() { net_log "FAIL: $*"; fails=$((fails + 1)); }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }

net_world || net_fail "world"
net_world_sites none fullcone restricted portrestricted symmetric portrestricted ||
	net_fail "sites"
# site 6 runs Debian's miredo as a client, for client-to-client interoperability
# site 4 maps to a fixed port we can move later (a NAT that reboots picks a new port;
# Linux would otherwise give the same port back after conntrack -F)
P4=$(net_site_pub 4)
nsx nat4 nft flush chain ip swnat post
nsx nat4 nft add rule ip swnat post oifname wan ip saddr 198.18.4.0/24 meta l4proto udp snat to $P4:40001
nsx nat4 nft add rule ip swnat post oifname wan ip saddr 198.18.4.0/24 snat to $P4
# like a real NAT router, nothing unsolicited reaches the NAT box itself: otherwise the
# server's answer to the cone RS (from its other address) leaves a conntrack entry on the
# mapped port, and the next outbound flow to that address gets another port (a false
# "symmetric")
for k in 2 3 4 5 6; do
	nsx nat$k nft add table ip swcn
	nsx nat$k nft add chain ip swcn input '{ type filter hook input priority filter; }'
	nsx nat$k nft add rule ip swcn input iifname wan ct state new drop
done

if [ "$SERVER" = shipworm ]; then
	net_forwarding srv # its echo requests go out through its tunnel to the IPv6 side
	scf=$(net_miredo_conf srv "RelayType server" "ServerBindAddress $NET_SRV1" \
		"InterfaceName sws0" "ControlSocket $NET_TMP/srv.sock" "User nobody")
	net_spawn server srv "$SWD" -f -c "$scf"
	net_wait 10 test -S "$NET_TMP/srv.sock" || net_fail "shipwormd server did not start"
else
	scf=$(net_miredo_conf srv "ServerBindAddress $NET_SRV1" "ServerBindAddress2 $NET_SRV2")
	net_spawn miredo-server srv miredo-server -f -c "$scf" -p "$NET_TMP/miredo-server.pidf"
fi
net_log "server: $SERVER"
mcf=$(net_miredo_conf mcli "RelayType client" "ServerAddress $NET_SRV1" "InterfaceName mcli")
net_spawn miredo-client cli6 miredo -f -c "$mcf" -p "$NET_TMP/miredo-client.pidf"
rcf=$(net_miredo_conf rly "RelayType relay" "InterfaceName mrly" "BindAddress $NET_RLY4")
net_spawn miredo-relay rly miredo -f -c "$rcf" -p "$NET_TMP/miredo-relay.pidf"
sleep 1

RUN="$NET_TMP/run"
mkdir -p "$RUN"
chmod 0711 "$NET_TMP"
chown nobody "$RUN"
for k in 1 2 3 4 5; do
	cat >"$NET_TMP/cli$k.conf" <<EOF2
RelayType client
ServerAddress $NET_SRV1
InterfaceName swc$k
ConeProbe yes
RefreshInterval $REFRESH
ControlSocket $RUN/cli$k.sock
User nobody
EOF2
	net_spawn "cli$k" "cli$k" "$SWD" -f -v -c "$NET_TMP/cli$k.conf"
done
# statement 51: the service port is configurable (site 1), random by default (the others)
echo "BindPort 3600" >>"$NET_TMP/cli1.conf"
net_stop cli1
net_spawn cli1 cli1 "$SWD" -f -v -c "$NET_TMP/cli1.conf"

status() { # K → $NET_TMP/statusK.json
	nsx "cli$1" "$CLI" status --socket "$RUN/cli$1.sock" --json >"$NET_TMP/status$1.json" 2>/dev/null
}
field() { status "$1" && jget "$NET_TMP/status$1.json" "d['$2']"; }
settled() { # K: qualified, or off-line with a NAT type
	s=$(field "$1" state)
	[ "$s" = qualified ] || { [ "$s" = offline ] && [ "$(field "$1" nat_type)" != unknown ]; }
}

# ConeProbe costs 3 x 4 s behind a non-cone NAT before the C=0 phase: allow 45 s
net_log "waiting for the five clients to settle"
for k in 1 2 3 4 5; do
	net_wait 45 settled $k || fail "site $k did not settle: $(cat "$NET_TMP/status$k.json" 2>/dev/null)"
done
k=1
for want in none cone restricted restricted symmetric; do
	st=$(field $k state); nat=$(field $k nat_type); addr=$(net_teredo_addr "cli$k" "swc$k")
	net_log "site $k ($(eval echo \${$k})): state $st, nat $nat, address ${addr:-none}"
	[ "$nat" = "$want" ] || fail "site $k: nat '$nat', expected '$want'"
	if [ "$want" = symmetric ]; then
		# off-line, or already probing again after the back-off
		[ "$st" = offline ] || [ "$st" = probe ] || fail "site $k: state '$st' behind a symmetric NAT"
		[ -z "$addr" ] || fail "site $k: address $addr behind a symmetric NAT"
	else
		[ "$st" = qualified ] || fail "site $k: state '$st'"
		[ -n "$addr" ] || fail "site $k: no Teredo address on swc$k"
		m=$(field $k mapped)
		case $k in
		1) [ "$m" = "${m#198.18.1.2:}" ] && fail "site 1: mapping $m is not the local address" ;;
		*) [ "$m" = "${m#$(net_site_pub $k):}" ] && fail "site $k: mapping $m, expected $(net_site_pub $k)" ;;
		esac
		nsx "cli$k" ip -6 route show default | grep -q "swc$k.*metric 1029" ||
			fail "site $k: no default route through swc$k at metric 1029"
	fi
	k=$((k + 1))
done

[ "$(field 1 local_port)" = 3600 ] || fail "site 1: BindPort 3600 not used ($(field 1 local_port))"
ports=""
for k in 2 3 4 5; do ports="$ports $(field $k local_port)"; done
[ "$(echo $ports | tr ' ' '\n' | sort -u | grep -vc '^3544$')" = 4 ] ||
	fail "default service ports not random and distinct:$ports"

# a Teredo peer that never answers: bubbles time out, ICMPv6 address unreachable
nsx cli1 ping -6 -c 1 -W 15 2001:0:c633:6401:0:f227:fdff:fffe >"$NET_TMP/ping_unr.log" 2>&1
grep -q "Address unreachable" "$NET_TMP/ping_unr.log" ||
	fail "no ICMPv6 address unreachable: $(cat "$NET_TMP/ping_unr.log")"

# relay reachability through Debian's miredo relay, both directions
A4=$(net_teredo_addr cli4 swc4)
if [ -n "$A4" ]; then
	net_log "client (site 4) -> IPv6-only host through the relay"
	nsx cli4 ping -6 -c 6 -i 0.5 -W 2 $NET_H6 >"$NET_TMP/ping_h6.log" 2>&1
	grep -q ' 0 received' "$NET_TMP/ping_h6.log" && { fail "no reply from $NET_H6: $(tail -2 "$NET_TMP/ping_h6.log")"; status 4; tr ',' '\n' <"$NET_TMP/status4.json" | grep -v '":0$'; }
	net_log "$(grep 'packets transmitted' "$NET_TMP/ping_h6.log")"
	nsx h6 ping -6 -c 4 -i 0.5 -W 2 "$A4" >"$NET_TMP/ping_back.log" 2>&1 ||
		fail "IPv6-only host -> client: $(tail -2 "$NET_TMP/ping_back.log")"
	net_log "h6 -> client: $(grep 'packets transmitted' "$NET_TMP/ping_back.log")"
	A2=$(net_teredo_addr cli2 swc2)
	if [ -n "$A2" ]; then
		net_log "client (site 4) <-> client (site 2) directly"
		nsx cli4 ping -6 -c 6 -i 0.5 -W 2 "$A2" >"$NET_TMP/ping_c2c.log" 2>&1
		grep -q ' 0 received' "$NET_TMP/ping_c2c.log" && fail "client to client: $(tail -2 "$NET_TMP/ping_c2c.log")"
		net_log "$(grep 'packets transmitted' "$NET_TMP/ping_c2c.log")"
	fi

	# interoperability with Debian's miredo client (site 6), both directions
	net_wait 20 sh -c "ip netns exec $(ns cli6) ip -6 -o addr show dev mcli scope global | grep -q 2001" ||
		fail "miredo client (site 6) did not qualify"
	A6=$(net_teredo_addr cli6 mcli)
	if [ -n "$A6" ]; then
		net_log "client (site 4) <-> miredo client (site 6)"
		nsx cli4 ping -6 -c 6 -i 0.5 -W 2 "$A6" >"$NET_TMP/ping_m1.log" 2>&1
		grep -q ' 0 received' "$NET_TMP/ping_m1.log" && fail "to miredo client: $(tail -2 "$NET_TMP/ping_m1.log")"
		net_log "to miredo: $(grep 'packets transmitted' "$NET_TMP/ping_m1.log")"
		nsx cli6 ping -6 -c 6 -i 0.5 -W 2 "$(net_teredo_addr cli3 swc3)" >"$NET_TMP/ping_m2.log" 2>&1
		grep -q ' 0 received' "$NET_TMP/ping_m2.log" && fail "from miredo client: $(tail -2 "$NET_TMP/ping_m2.log")"
		net_log "from miredo to site 3: $(grep 'packets transmitted' "$NET_TMP/ping_m2.log")"
	fi

	# shipwormd's relay instead of Miredo's, with a client (site 3) new to the IPv6 host
	net_stop miredo-relay || fail "miredo relay did not stop"
	rcf2=$(net_miredo_conf swrly "RelayType relay" "InterfaceName swrl" "BindAddress $NET_RLY4" \
		"BindPort 3545" "ControlSocket $NET_TMP/rly.sock" "User nobody")
	net_spawn sw-relay rly "$SWD" -f -c "$rcf2"
	net_wait 10 sh -c "ip netns exec $(ns rly) ip -6 route show 2001::/32 | grep -q swrl" ||
		fail "shipwormd relay route missing"
	A3=$(net_teredo_addr cli3 swc3)
	net_log "client (site 3) <-> IPv6-only host through shipwormd's relay"
	nsx cli3 ping -6 -c 6 -i 0.5 -W 2 $NET_H6 >"$NET_TMP/ping_s1.log" 2>&1
	grep -q ' 0 received' "$NET_TMP/ping_s1.log" && fail "through shipwormd relay: $(tail -2 "$NET_TMP/ping_s1.log")"
	net_log "$(grep 'packets transmitted' "$NET_TMP/ping_s1.log")"
	nsx h6 ping -6 -c 4 -i 0.5 -W 2 "$A3" >"$NET_TMP/ping_s2.log" 2>&1 ||
		fail "IPv6-only host -> client through shipwormd relay: $(tail -2 "$NET_TMP/ping_s2.log")"
	net_log "h6 -> client: $(grep 'packets transmitted' "$NET_TMP/ping_s2.log")"

	# NAT reboot at site 4: new mapping → new address within the refresh interval
	net_log "site 4: conntrack -F and a new SNAT port"
	nsx nat4 nft flush chain ip swnat post
	nsx nat4 nft add rule ip swnat post oifname wan ip saddr 198.18.4.0/24 meta l4proto udp snat to $P4:40002
	nsx nat4 nft add rule ip swnat post oifname wan ip saddr 198.18.4.0/24 snat to $P4
	net_nat_flush nat4
	t0=$(date +%s)
	net_wait $((REFRESH + 5)) sh -c "a=\$(ip netns exec $(ns cli4) ip -6 -o addr show dev swc4 scope global | awk '{print \$4}' | cut -d/ -f1); [ -n \"\$a\" ] && [ \"\$a\" != \"$A4\" ]" ||
		fail "no new address within $((REFRESH + 5)) s after the mapping changed"
	N4=$(net_teredo_addr cli4 swc4)
	net_log "new address $N4 after $(($(date +%s) - t0)) s (mapping $(field 4 mapped))"
	[ "$(field 4 mapped)" = "$P4:40002" ] || fail "site 4 mapping $(field 4 mapped), expected $P4:40002"
	nsx cli4 ip -6 -o addr show dev swc4 | grep -q "$A4" && fail "old address $A4 still on swc4"
fi

for k in 1 2 3 4 5; do
	net_stop "cli$k" || fail "cli$k did not stop"
	nsx "cli$k" ip link show "swc$k" >/dev/null 2>&1 && fail "swc$k left behind"
done
[ $fails = 0 ] || { for f in "$NET_TMP"/cli*.log; do echo "--- $f"; tail -15 "$f"; done; exit 1; }
net_log "client_nat: all passed"
