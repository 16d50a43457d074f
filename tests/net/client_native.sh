#!/bin/sh
# client_native: statement 52 (RFC 4380 §5.5) — no Teredo client while the host has IPv6
# connectivity by other means. shipwormd's client (NativeIPv6Check, default yes) behind a
# port-restricted NAT of lib.sh's world, against shipwormd's server:
#   - qualified with no IPv6 default route but its own;
#   - a native IPv6 default route appears in the client's namespace → within 10 s state
#     "disabled: native IPv6" and no Teredo address;
#   - the route goes → qualified again, an address again;
#   - the route again, then NativeIPv6Check no and SIGHUP → qualified beside native IPv6.
# usage: client_native.sh SHIPWORMD SHIPWORM. Exit 77 (skip) when not root or tools missing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
SWD=${1:-$HERE/../../build/src/daemon/shipwormd}
CLI=${2:-$HERE/../../build/src/cli/shipworm}

net_init swcv
net_need python3 nft
net_need_exec "$SWD" "$CLI"
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
net_sw_role_built "$SWD" server || { echo "SKIP: RelayType server not built"; exit 77; }
state() {
	nsx cli1 "$CLI" status --socket "$NET_TMP/run/cli1.sock" --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin).get("state"))' 2>/dev/null
}
is_state() { [ "$(state)" = "$1" ]; }
addr() { net_teredo_addr cli1 swc1; }

net_world || net_fail "world"
net_world_site 1 portrestricted || net_fail "site 1"
net_sw_rundir
scf=$(net_sw_conf srv "RelayType server" "ServerBindAddress $NET_SRV1" "InterfaceName sws0")
net_spawn server srv "$SWD" -f -c "$scf"
net_wait 10 test -S "$NET_TMP/run/srv.sock" || net_fail "server did not start"
ccf=$(net_sw_conf cli1 "RelayType autoclient" "ServerAddress $NET_SRV1" "InterfaceName swc1")
net_spawn cli1 cli1 "$SWD" -f -v -c "$ccf"

net_wait 20 is_state qualified || net_fail "not qualified without native IPv6 (state $(state))"
a=$(addr)
[ -n "$a" ] || net_fail "no address"
net_log "qualified without native IPv6: $a"

native_on() {
	nsx cli1 ip -6 addr add 2001:db8:9::2/64 dev eth0 2>/dev/null
	nsx cli1 ip -6 route add default via 2001:db8:9::1 dev eth0 metric 1024
}
native_on || net_fail "cannot add the native route"
net_wait 10 is_state "disabled: native IPv6" || net_fail "not disabled by native IPv6 (state $(state))"
net_wait 3 sh -c "[ -z \"\$(ip netns exec $(ns cli1) ip -6 -o addr show dev swc1 scope global)\" ]" ||
	net_fail "Teredo address $(addr) still there while disabled"
grep -q "native IPv6 default route found" "$NET_TMP/cli1.log" || net_fail "nothing logged"
net_log "native default route: $(state), no Teredo address"

nsx cli1 ip -6 route del default via 2001:db8:9::1 dev eth0 || net_fail "cannot remove the route"
net_wait 20 is_state qualified || net_fail "not qualified after native IPv6 went (state $(state))"
[ -n "$(addr)" ] || net_fail "no address after native IPv6 went"
net_log "native route gone: qualified again, $(addr)"

native_on || net_fail "cannot add the native route again"
net_wait 10 is_state "disabled: native IPv6" || net_fail "not disabled again (state $(state))"
echo "NativeIPv6Check no" >>"$ccf"
kill -HUP "$(net_pid cli1)"
net_wait 20 is_state qualified || net_fail "NativeIPv6Check no: not qualified (state $(state))"
[ -n "$(addr)" ] || net_fail "NativeIPv6Check no: no address"
net_log "NativeIPv6Check no: qualified beside native IPv6, $(addr)"
net_stop cli1 || net_fail "client did not stop"
net_log "client_native: all passed"
