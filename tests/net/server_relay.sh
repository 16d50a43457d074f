#!/bin/sh
# server_relay: one shipwormd as Teredo server and relay at once (RelayType server +
# ServerRelay yes, RFC 4380 §5.4.3). Debian's miredo client behind an nftables NAT
# qualifies against it and reaches an IPv6-only host through that same shipwormd (there
# is no other relay): first contact from the IPv6 side (the relay's bubble goes to its own
# client straight, with an origin indication, as the server would forward it), then from
# the client to another address, then a bounded TCP transfer each way. A low
# ServerRateLimit shows the limit directives apply and that relayed traffic is not under
# the server's per-source limit. Counters show both rule sets at work.
#
#        cli ──(198.18.1.0/24)── nat ──┐
#                                      │ bridge "inet": 198.51.100.0/24 + 2001:db8:1::/64
#        srv (shipwormd .1/.2, ::3)    ┤  (h6 routes 2001::/32 to srv)
#        h6  (IPv6 only, ::2)          ┤
#
# Usage: server_relay.sh [SHIPWORMD [SHIPWORM]] (defaults: build/src/daemon/shipwormd,
# build/src/cli/shipworm). Exit 77 (skip) when not root or miredo is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
SWD=${1:-${SHIPWORMD:-$here/../../build/src/daemon/shipwormd}}
CLI=${2:-${SHIPWORM:-$here/../../build/src/cli/shipworm}}

net_init swsrl
net_need miredo nft ping socat python3 timeout
net_need_exec "$SWD" "$CLI"

# --- topology ---
net_ns_add inet cli nat srv h6 || net_fail "namespaces"
net_bridge inet || net_fail "bridge"
attach() { net_bridge_attach inet "$@" || net_fail "link $1"; } # NS ADDR...
attach srv 198.51.100.1/24 198.51.100.2/24 2001:db8:1::3/64
attach nat 198.51.100.21/24
attach h6 2001:db8:1::2/64 2001:db8:1::4/64
net_link nat lan 198.18.1.1/24 cli eth0 198.18.1.2/24 || net_fail "lan"
nsx cli ip route add default via 198.18.1.1
net_forwarding nat srv
net_nat nat portrestricted eth0 198.51.100.21 198.18.1.0/24 198.18.1.2 || net_fail "nat"
nsx nat nft add table ip swsrlin
nsx nat nft add chain ip swsrlin input '{ type filter hook input priority filter; }'
nsx nat nft add rule ip swsrlin input iifname eth0 ct state new drop
nsx h6 ip -6 route add 2001::/32 via 2001:db8:1::3

# --- shipwormd: server and relay in one instance ---
chmod 0711 "$NET_TMP" # the daemon, as nobody, reads its file again on SIGHUP
scf=$(net_miredo_conf srv "RelayType server" "ServerRelay yes" \
	"ServerBindAddress 198.51.100.1" "InterfaceName sws0" "ServerRateLimit 20" \
	"ServerRateBurst 40" "ServerForwardLimit 300" \
	"ControlSocket $NET_TMP/srv.sock" "User nobody")
net_spawn server srv "$SWD" -f -c "$scf"
net_wait 10 test -S "$NET_TMP/srv.sock" || net_fail "shipwormd did not start"
st() { nsx srv "$CLI" status --socket "$NET_TMP/srv.sock" "$@"; }
counter() { # NAME → value from status --json
	st --json >"$NET_TMP/status.json" 2>/dev/null || { echo 0; return; }
	python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('counters', {}).get(sys.argv[2], 0))" \
		"$NET_TMP/status.json" "$1"
}
nsx srv ip -6 route show 2001::/32 | grep -q sws0 || net_fail "no 2001::/32 route on sws0: $(nsx srv ip -6 route)"
st --json >"$NET_TMP/status.json" || net_fail "status"
python3 - "$NET_TMP/status.json" <<'PY' || net_fail "status: $(cat "$NET_TMP/status.json")"
import json, sys
d = json.load(open(sys.argv[1]))
want = {"relay": True, "rate_limit_pps": 20, "rate_limit_burst": 40, "forward_limit_pps": 300}
bad = {k: d.get(k) for k in want if d.get(k) != want[k]}
sys.exit(1 if bad else 0)
PY

# --- Debian's miredo client behind the NAT ---
ccf=$(net_miredo_conf cli "RelayType client" "ServerAddress 198.51.100.1" "InterfaceName mtun")
net_spawn miredo cli miredo -f -c "$ccf" -p "$NET_TMP/miredo.pidf"
net_log "waiting for the miredo client to qualify against shipwormd"
net_wait 40 sh -c "[ -n \"\$(ip netns exec $(ns cli) ip -6 -o addr show dev mtun scope global 2>/dev/null)\" ]" ||
	net_fail "miredo client did not qualify (status: $(st 2>&1))"
TA=$(net_teredo_addr cli mtun)
case $TA in 2001:0:c633:6401:*) ;; *) net_fail "client address '$TA' not under the server's prefix" ;; esac
net_log "client Teredo address $TA"

# 1. first contact from the IPv6 side: the relay queues, bubbles its own client (origin
#    indication), the client answers the bubble and runs its echo test; allow losses.
net_log "IPv6-only host -> Teredo client (first contact from the IPv6 side)"
nsx h6 ping -6 -c 8 -i 0.5 -W 2 "$TA" >"$NET_TMP/ping1.log" 2>&1
grep -q 'received' "$NET_TMP/ping1.log" || net_fail "ping did not run: $(cat "$NET_TMP/ping1.log")"
if grep -q ' 0 received' "$NET_TMP/ping1.log"; then
	st >&2; nsx srv "$CLI" peers --socket "$NET_TMP/srv.sock" >&2
	net_fail "no echo reply from the Teredo client: $(tail -2 "$NET_TMP/ping1.log")"
fi
net_log "$(grep 'packets transmitted' "$NET_TMP/ping1.log")"
b=$(counter relay_bubbles_local_server)
[ "${b:-0}" -ge 1 ] || net_fail "no bubble to the server's own client (status: $(st 2>&1))"

# 2. first contact from the Teredo side, to an address the client never talked to: its
#    echo test goes through the server and the relay, the reply comes back via the relay
net_log "Teredo client -> IPv6-only host, other address (first contact from the client)"
nsx cli ping -6 -c 8 -i 0.5 -W 2 2001:db8:1::4 >"$NET_TMP/ping4.log" 2>&1
grep -q 'received' "$NET_TMP/ping4.log" || net_fail "ping did not run: $(cat "$NET_TMP/ping4.log")"
grep -q ' 0 received' "$NET_TMP/ping4.log" && net_fail "no reply to the client's first contact: $(tail -2 "$NET_TMP/ping4.log")"
net_log "$(grep 'packets transmitted' "$NET_TMP/ping4.log")"
#    then every packet, both ways
net_log "Teredo client -> IPv6-only host"
nsx cli ping -6 -c 5 -i 0.3 -W 2 2001:db8:1::2 >"$NET_TMP/ping2.log" 2>&1 ||
	net_fail "Teredo -> IPv6: $(tail -2 "$NET_TMP/ping2.log")"
nsx h6 ping -6 -c 5 -i 0.3 -W 2 "$TA" >"$NET_TMP/ping3.log" 2>&1 ||
	net_fail "IPv6 -> Teredo after trust: $(tail -2 "$NET_TMP/ping3.log")"

# 3. bounded TCP transfers (not ICMPv6: only the relay rule set lets these through)
head -c 1000000 /dev/urandom >"$NET_TMP/tx.bin"
net_spawn sink cli socat -u TCP6-LISTEN:5001,reuseaddr OPEN:"$NET_TMP/rx.bin",creat
net_wait 5 nsx cli sh -c "ss -ltn | grep -q 5001" || net_fail "sink did not listen"
timeout 30 ip netns exec "$(ns h6)" socat -u OPEN:"$NET_TMP/tx.bin" "TCP6:[$TA]:5001" ||
	net_fail "TCP IPv6 host -> Teredo client failed (status: $(st 2>&1))"
net_wait 10 cmp -s "$NET_TMP/tx.bin" "$NET_TMP/rx.bin" || net_fail "TCP data differ (to the client)"
net_log "1 MB over TCP, IPv6 host -> Teredo client: identical"
net_spawn sink6 h6 socat -u TCP6-LISTEN:5002,reuseaddr OPEN:"$NET_TMP/rx6.bin",creat
net_wait 5 nsx h6 sh -c "ss -ltn | grep -q 5002" || net_fail "sink6 did not listen"
timeout 30 ip netns exec "$(ns cli)" socat -u OPEN:"$NET_TMP/tx.bin" "TCP6:[2001:db8:1::2]:5002" ||
	net_fail "TCP Teredo client -> IPv6 host failed (status: $(st 2>&1))"
net_wait 10 cmp -s "$NET_TMP/tx.bin" "$NET_TMP/rx6.bin" || net_fail "TCP data differ (to the host)"
net_log "1 MB over TCP, Teredo client -> IPv6 host: identical"

# both rule sets were at work, in one process
rs=$(counter server_rs_answered); pr=$(counter server_passed_to_relay)
t=$(counter relay_forwarded_to_teredo); v=$(counter relay_forwarded_to_ipv6)
tr=$(counter relay_peers_trusted); rl=$(counter server_drop_rate_limited)
net_log "server: rs_answered=$rs passed_to_relay=$pr rate_limited=$rl; relay: to_teredo=$t to_ipv6=$v trusted=$tr"
[ "${rs:-0}" -ge 1 ] || net_fail "no RS answered"
[ "${pr:-0}" -ge 100 ] && [ "${v:-0}" -ge 100 ] || net_fail "client traffic not relayed: passed=$pr to_ipv6=$v"
[ "${t:-0}" -ge 100 ] || net_fail "IPv6 traffic not relayed: to_teredo=$t"
[ "${tr:-0}" -ge 1 ] || net_fail "the relay trusted no peer"
nsx srv "$CLI" peers --socket "$NET_TMP/srv.sock" --json >"$NET_TMP/peers.json" || net_fail "peers"
python3 - "$NET_TMP/peers.json" "$TA" <<'PY' || net_fail "client not a trusted peer: $(cat "$NET_TMP/peers.json")"
import ipaddress, json, sys
d = json.load(open(sys.argv[1]))
peers = d if isinstance(d, list) else d.get("peers", [])
ta = ipaddress.IPv6Address(sys.argv[2])
sys.exit(0 if any(ipaddress.IPv6Address(p["address"]) == ta and p["trusted"] for p in peers) else 1)
PY

# --- reload: the same file reloads; switching ServerRelay off is refused, relaying goes on
chmod o+x "$NET_TMP"; chmod o+r "$scf" # the daemon re-reads it as nobody
kill -HUP "$(net_pid server)"
net_wait 5 grep -q 'configuration reloaded' "$NET_TMP/server.log" ||
	net_fail "an unchanged configuration did not reload: $(tail -5 "$NET_TMP/server.log")"
sed -i 's/^ServerRelay yes$/ServerRelay no/' "$scf"
kill -HUP "$(net_pid server)"
net_wait 5 grep -q "ServerRelay and the server limits are set at start" "$NET_TMP/server.log" ||
	net_fail "a reload switching ServerRelay off was not refused: $(tail -5 "$NET_TMP/server.log")"
nsx h6 ping -6 -c 3 -i 0.3 -W 2 "$TA" >"$NET_TMP/ping7.log" 2>&1 ||
	net_fail "relaying stopped after a refused reload: $(tail -2 "$NET_TMP/ping7.log")"
net_log "reload: unchanged file applied, ServerRelay change refused, still relaying"

# --- shipworm's own client against the same server and relay ---
net_stop miredo || net_fail "miredo client did not stop"
ccf2=$(net_miredo_conf cli2 "RelayType client" "ServerAddress 198.51.100.1" \
	"InterfaceName swc0" "ControlSocket $NET_TMP/cli.sock" "User nobody")
net_spawn swclient cli "$SWD" -f -c "$ccf2"
net_log "waiting for shipworm's client to qualify"
net_wait 40 sh -c "[ -n \"\$(ip netns exec $(ns cli) ip -6 -o addr show dev swc0 scope global 2>/dev/null)\" ]" ||
	net_fail "shipworm client did not qualify (server: $(st 2>&1))"
TA2=$(net_teredo_addr cli swc0)
net_log "shipworm client $TA2"
nsx h6 ping -6 -c 8 -i 0.5 -W 2 "$TA2" >"$NET_TMP/ping5.log" 2>&1
grep -q ' 0 received' "$NET_TMP/ping5.log" && net_fail "IPv6 host -> shipworm client (first contact): $(tail -2 "$NET_TMP/ping5.log")"
grep -q 'received' "$NET_TMP/ping5.log" || net_fail "ping did not run: $(cat "$NET_TMP/ping5.log")"
net_log "IPv6 host -> shipworm client: $(grep 'packets transmitted' "$NET_TMP/ping5.log")"
nsx cli ping -6 -c 5 -i 0.3 -W 2 2001:db8:1::4 >"$NET_TMP/ping6.log" 2>&1 ||
	net_fail "shipworm client -> IPv6 host: $(tail -2 "$NET_TMP/ping6.log")
client: $(nsx cli "$CLI" status --socket "$NET_TMP/cli.sock" 2>&1)"
net_log "shipworm client -> IPv6 host: $(grep 'packets transmitted' "$NET_TMP/ping6.log")"
net_stop swclient || net_fail "shipworm client did not stop"
kill -0 "$(net_pid server)" || net_fail "shipwormd died"
echo "PASS"
exit 0
