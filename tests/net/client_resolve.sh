#!/bin/sh
# client_resolve: ServerAddress given as a host name. The name is not resolvable when the
# client starts (as at boot before the network is up): the client keeps running, says so,
# and retries with back-off; once the name resolves it qualifies. When its server goes
# away it goes off-line, looks the name up again and qualifies with the server the name
# now points to (a second miredo-server on 198.51.100.3/.4). A reload (SIGHUP) naming
# another server is looked up and used at once.
#
# Names come from a hosts file that `ip netns exec` mounts over /etc/hosts for the
# client's namespace only (/etc/netns/<namespace>/hosts, removed on exit); resolv.conf
# there points at 127.0.0.1, where nothing answers, so no query leaves the namespace.
#
# usage: client_resolve.sh SHIPWORMD SHIPWORM. Exit 77 (skip) when not root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
SWD=${1:-$HERE/../../build/src/daemon/shipwormd}
CLI=${2:-$HERE/../../build/src/cli/shipworm}

net_init swcr
net_need miredo-server python3
net_need_exec "$SWD" "$CLI"
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }

net_world || net_fail "world"
net_world_site 1 none || net_fail "site"
nsx srv ip addr add 198.51.100.3/24 dev eth0
nsx srv ip addr add 198.51.100.4/24 dev eth0
net_hosts cli1 || net_fail "hosts file"

scf=$(net_miredo_conf srv "ServerBindAddress 198.51.100.1" "ServerBindAddress2 198.51.100.2")
net_spawn server-a srv miredo-server -f -c "$scf" -p "$NET_TMP/server-a.pidf"
scf=$(net_miredo_conf srv2 "ServerBindAddress 198.51.100.3" "ServerBindAddress2 198.51.100.4")
net_spawn server-b srv miredo-server -f -c "$scf" -p "$NET_TMP/server-b.pidf"

RUN="$NET_TMP/run"
mkdir -p "$RUN"
chmod 0711 "$NET_TMP"
chown nobody "$RUN"
cat >"$NET_TMP/cli.conf" <<EOF2
RelayType client
ServerAddress teredo.example
InterfaceName swr0
RefreshInterval 10
ControlSocket $RUN/cli.sock
User nobody
EOF2
net_spawn cli cli1 "$SWD" -f -v -c "$NET_TMP/cli.conf"
status() { nsx cli1 "$CLI" status --socket "$RUN/cli.sock" --json >"$NET_TMP/status.json" 2>/dev/null; }
field() { status && jget "$NET_TMP/status.json" "d.get('$1') if '$1' != 'server' else d.get('server', {}).get('primary')"; }

net_wait 10 test -S "$RUN/cli.sock" || net_fail "client did not start"
sleep 3
kill -0 "$(net_pid cli)" || net_fail "client exited while the name did not resolve"
grep -q "cannot resolve teredo.example" "$NET_TMP/cli.log" || net_fail "no resolution error logged"
[ "$(field state)" = offline ] || net_fail "state $(field state) before the name resolves"
[ "$(field server_name)" = teredo.example ] || net_fail "server_name $(field server_name)"
# meanwhile IPv6 through the tunnel fails at once (no route), it does not hang
t0=$(date +%s)
nsx cli1 ping -6 -c 1 -W 5 $NET_H6 >"$NET_TMP/ping0.log" 2>&1
grep -q "No route" "$NET_TMP/ping0.log" || net_fail "no ICMPv6 no-route while off-line: $(cat "$NET_TMP/ping0.log")"
[ $(($(date +%s) - t0)) -le 2 ] || net_fail "ping took $(($(date +%s) - t0)) s to fail"
net_log "unresolvable at start: still running, retrying; IPv6 fails fast meanwhile"

net_hosts cli1 "198.51.100.1 teredo.example"
net_wait 30 sh -c "[ \"\$(ip netns exec $(ns cli1) '$CLI' status --socket '$RUN/cli.sock' --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"state\"])')\" = qualified ]" ||
	net_fail "no qualification after the name resolved: $(cat "$NET_TMP/status.json")"
[ "$(field server)" = 198.51.100.1 ] || net_fail "server $(field server)"
A1=$(net_teredo_addr cli1 swr0)
case $A1 in 2001:0:c633:6401:*) ;; *) net_fail "address $A1 does not embed 198.51.100.1" ;; esac
net_log "qualified with 198.51.100.1: $A1"

# the name moves; the first server goes away: off-line, resolve again, requalify
net_hosts cli1 "198.51.100.3 teredo.example"
net_stop server-a || net_fail "server-a did not stop"
net_wait 60 sh -c "ip netns exec $(ns cli1) ip -6 -o addr show dev swr0 scope global | grep -q '2001:0:c633:6403:'" ||
	net_fail "no requalification with 198.51.100.3: $(cat "$NET_TMP/status.json")"
[ "$(field server)" = 198.51.100.3 ] || net_fail "server $(field server) after the move"
nsx cli1 ip -6 -o addr show dev swr0 | grep -q "$A1" && net_fail "old address $A1 still there"
net_log "requalified with 198.51.100.3: $(net_teredo_addr cli1 swr0)"

# SIGHUP with another ServerAddress name: looked up and used at once
scf=$(net_miredo_conf srv "ServerBindAddress 198.51.100.1" "ServerBindAddress2 198.51.100.2")
net_spawn server-a srv miredo-server -f -c "$scf" -p "$NET_TMP/server-a2.pidf"
net_hosts cli1 "198.51.100.3 teredo.example" "198.51.100.1 other.example"
sed -i 's/^ServerAddress .*/ServerAddress other.example/' "$NET_TMP/cli.conf"
kill -HUP "$(net_pid cli)"
net_wait 30 sh -c "ip netns exec $(ns cli1) ip -6 -o addr show dev swr0 scope global | grep -q '2001:0:c633:6401:'" ||
	net_fail "no requalification after the reload: $(cat "$NET_TMP/status.json")"
[ "$(field server_name)" = other.example ] || net_fail "server_name $(field server_name) after reload"
net_log "reloaded: other.example, $(net_teredo_addr cli1 swr0)"
net_stop cli || net_fail "client did not stop"
net_log "client_resolve: all passed"
