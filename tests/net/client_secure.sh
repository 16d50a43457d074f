#!/bin/sh
# client_secure: secure qualification (RFC 4380 §5.2.2, statements 22-24) between
# shipwormd's client (ClientIdentifier + ClientSecretFile) and shipwormd's server
# (ClientSecretsFile), in namespaces of lib.sh's world:
#   - a client secret file readable by others is refused: the daemon does not start;
#   - site 1, the right secret → qualified (the server counts an authenticated RA);
#   - site 2, a wrong secret → never qualified, no address (the server drops its RSs as
#     server_drop_auth_bad and the client shows no accepted RA).
# usage: client_secure.sh SHIPWORMD SHIPWORM. Exit 77 (skip) when not root or tools missing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
SWD=${1:-$HERE/../../build/src/daemon/shipwormd}
CLI=${2:-$HERE/../../build/src/cli/shipworm}

net_init swcs
net_need python3 nft
net_need_exec "$SWD" "$CLI"
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
net_sw_role_built "$SWD" server || { echo "SKIP: RelayType server not built"; exit 77; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }
st() { # NAME NS → $NET_TMP/NAME.json
	nsx "$2" "$CLI" status --socket "$NET_TMP/run/$1.sock" --json >"$NET_TMP/$1.json" 2>/dev/null
}
field() { st "$1" "$2" && jget "$NET_TMP/$1.json" "$3"; }

net_world || net_fail "world"
net_world_site 1 none || net_fail "site 1"
net_world_site 2 portrestricted || net_fail "site 2"
net_sw_rundir

sec="$NET_TMP/server.secrets"
printf '# client-id hex-secret\nalice 73686172656420736563726574\n' >"$sec"
chmod 600 "$sec"
scf=$(net_sw_conf srv "RelayType server" "ServerBindAddress $NET_SRV1" "InterfaceName sws0" \
	"ClientSecretsFile $sec")
net_spawn server srv "$SWD" -f -c "$scf"
net_wait 10 test -S "$NET_TMP/run/srv.sock" || net_fail "server did not start"

good="$NET_TMP/good.secret"
bad="$NET_TMP/bad.secret"
printf '# shared with the server\n73686172656420736563726574\n' >"$good"
printf '77726f6e6720736563726574\n' >"$bad"
chmod 644 "$good"
chmod 600 "$bad"
for k in 1 2; do
	f=$good; [ $k = 2 ] && f=$bad
	net_sw_conf cli$k "RelayType client" "ServerAddress $NET_SRV1" "InterfaceName swc$k" \
		"ClientIdentifier alice" "ClientSecretFile $f" "RefreshInterval 10" >/dev/null
done

# statement: a secret others may read is no secret
net_spawn open1 cli1 "$SWD" -f -c "$NET_TMP/cli1.conf"
net_wait 10 sh -c "! kill -0 $(net_pid open1) 2>/dev/null" ||
	net_fail "client started with a world-readable secret file"
grep -q refusing "$NET_TMP/open1.log" || net_fail "no reason given: $(cat "$NET_TMP/open1.log")"
net_log "a world-readable ClientSecretFile is refused"
chmod 600 "$good"

net_spawn cli1 cli1 "$SWD" -f -v -c "$NET_TMP/cli1.conf"
net_spawn cli2 cli2 "$SWD" -f -v -c "$NET_TMP/cli2.conf"
net_wait 20 sh -c "[ \"\$(ip netns exec $(ns cli1) '$CLI' status --socket '$NET_TMP/run/cli1.sock' --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin).get(\"state\"))')\" = qualified ]" ||
	net_fail "right secret: not qualified: $(cat "$NET_TMP/cli1.json" 2>/dev/null)"
a1=$(net_teredo_addr cli1 swc1)
[ -n "$a1" ] || net_fail "right secret: no address on swc1"
net_log "right secret: qualified as $a1, nat $(field cli1 cli1 "d['nat_type']")"
n=$(field srv srv "d['counters'].get('server_ra_authenticated', 0)")
[ "${n:-0}" -ge 1 ] || net_fail "server sent no authenticated RA ($n)"

# the wrong secret: 3 RSs to the primary, then 3 to the secondary, all dropped (24 s); by
# then the right one has had two refreshes (RefreshInterval 10), all authenticated
sleep 14
s2=$(field cli2 cli2 "d['state']")
[ "$s2" != qualified ] || net_fail "wrong secret: qualified"
[ -z "$(net_teredo_addr cli2 swc2)" ] || net_fail "wrong secret: an address on swc2"
r2=$(field cli2 cli2 "d['counters'].get('client_rs_sent', 0)")
ok2=$(field cli2 cli2 "d['counters'].get('client_ra_accepted', 0)")
bad=$(field srv srv "d['counters'].get('server_drop_auth_bad', 0)")
[ "${r2:-0}" -ge 3 ] && [ "${ok2:-1}" = 0 ] && [ "${bad:-0}" -ge 3 ] ||
	net_fail "wrong secret: rs_sent $r2, ra_accepted $ok2, server drop_auth_bad $bad"
net_log "wrong secret: state $s2 after $r2 RSs, all dropped by the server ($bad)"
[ "$(field cli1 cli1 "d['state']")" = qualified ] || net_fail "right secret: lost qualification"
m=$(field cli1 cli1 "d['counters'].get('client_ra_accepted', 0)")
[ "${m:-0}" -ge 2 ] || net_fail "right secret: no authenticated maintenance RA ($m)"
for k in 1 2; do net_stop cli$k || net_fail "cli$k did not stop"; done
net_log "client_secure: all passed"
