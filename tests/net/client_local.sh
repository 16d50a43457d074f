#!/bin/sh
# client_local: local client discovery (RFC 4380 5.2.8, LocalDiscovery yes). Two shipworm
# clients on one LAN behind a port-restricted NAT that does not hairpin: each qualifies,
# announces its address with a discovery bubble to 224.0.0.253:3544 (IPv4 TTL 1), and they
# then talk over the LAN directly — each lists the other as a local, trusted peer whose
# mapping is its LAN address — instead of through the NAT's public mapping.
#
#   cliA 198.18.1.2 ─┐
#                    br0 ── nat (port-restricted, 203.0.113.6) ── inet ── srv (miredo-server)
#   cliB 198.18.1.3 ─┘
#
# usage: client_local.sh SHIPWORMD SHIPWORM. Exit 77 (skip) when not root or tools missing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
SWD=${1:-$HERE/../../build/src/daemon/shipwormd}
CLI=${2:-$HERE/../../build/src/cli/shipworm}

net_init swcl
net_need miredo-server nft python3 ping
net_need_exec "$SWD" "$CLI"
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }

net_world || net_fail "world"
net_ns_add nat cliA cliB || net_fail "namespaces"
net_forwarding nat
net_link nat wan 203.0.113.6/30 inet to-nat 203.0.113.5/30 || net_fail "wan"
nsx nat ip route add default via 203.0.113.5
nsx nat ip link add br0 type bridge
nsx nat ip link set br0 up
nsx nat ip addr add 198.18.1.1/24 dev br0
for c in A B; do
	net_link nat "l$c" - "cli$c" eth0 - || net_fail "lan $c"
	nsx nat ip link set "l$c" master br0
done
nsx cliA ip addr add 198.18.1.2/24 dev eth0
nsx cliB ip addr add 198.18.1.3/24 dev eth0
for c in A B; do nsx "cli$c" ip route add default via 198.18.1.1; done
net_nat nat portrestricted wan 203.0.113.6 198.18.1.0/24 198.18.1.2 || net_fail "nat"
nsx nat nft add table ip swcl
nsx nat nft add chain ip swcl input '{ type filter hook input priority filter; }'
nsx nat nft add rule ip swcl input iifname wan ct state new drop

scf=$(net_miredo_conf srv "ServerBindAddress $NET_SRV1" "ServerBindAddress2 $NET_SRV2")
net_spawn miredo-server srv miredo-server -f -c "$scf" -p "$NET_TMP/miredo-server.pidf"
RUN="$NET_TMP/run"
mkdir -p "$RUN"
chmod 0711 "$NET_TMP"
chown nobody "$RUN"
for c in A B; do
	cat >"$NET_TMP/cli$c.conf" <<EOF2
RelayType client
ServerAddress $NET_SRV1
InterfaceName swl$c
LocalDiscovery yes
ControlSocket $RUN/cli$c.sock
User nobody
EOF2
	net_spawn "cli$c" "cli$c" "$SWD" -f -v -c "$NET_TMP/cli$c.conf"
done
for c in A B; do
	net_wait 20 sh -c "ip netns exec $(ns cli$c) ip -6 -o addr show dev swl$c scope global | grep -q 2001" ||
		net_fail "client $c did not qualify"
done
AA=$(net_teredo_addr cliA swlA)
AB=$(net_teredo_addr cliB swlB)
net_log "A $AA, B $AB"

nsx cliA ping -6 -c 6 -i 0.5 -W 2 "$AB" >"$NET_TMP/ping.log" 2>&1
counters() { # C: non-zero client counters
	nsx "cli$1" "$CLI" status --socket "$RUN/cli$1.sock" --json 2>/dev/null | tr ',{' '\n\n' | grep '"client_' | grep -v ':0$' | tr '\n' ' '
}
grep -q ' 0 received' "$NET_TMP/ping.log" &&
	net_fail "A -> B: $(tail -2 "$NET_TMP/ping.log"); A: $(counters A); B: $(counters B)"
net_log "A -> B: $(grep 'packets transmitted' "$NET_TMP/ping.log")"
nsx cliB ping -6 -c 4 -i 0.5 -W 2 "$AA" >"$NET_TMP/ping2.log" 2>&1 ||
	net_fail "B -> A: $(tail -2 "$NET_TMP/ping2.log")"

# each lists the other as a local, trusted peer at its LAN address
peer_of() { # C ADDR → "local trusted mapping"
	nsx "cli$1" "$CLI" peers --socket "$RUN/cli$1.sock" --json >"$NET_TMP/peers$1.json" 2>/dev/null
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); l=d if isinstance(d,list) else d.get("peers",[])
for p in l:
    if p.get("address")==sys.argv[2]: print(p.get("local"), p.get("trusted"), p.get("mapping"))' \
		"$NET_TMP/peers$1.json" "$2"
}
pa=$(peer_of A "$AB"); pb=$(peer_of B "$AA")
net_log "A sees B: $pa; B sees A: $pb"
case $pa in "True True 198.18.1.3:"*) ;; *) net_fail "A's entry for B: '$pa' ($(cat "$NET_TMP/peersA.json"))" ;; esac
case $pb in "True True 198.18.1.2:"*) ;; *) net_fail "B's entry for A: '$pb'" ;; esac
for c in A B; do net_stop "cli$c" || net_fail "cli$c did not stop"; done
net_log "client_local: all passed"
