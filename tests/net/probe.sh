#!/bin/sh
# probe: `shipworm probe` (the client engine over one plain UDP socket: no daemon, no
# tunnel, no privilege) against a Teredo server on 198.51.100.1/.2, played first by
# shipwormd (RelayType server), then by Debian's miredo-server, from behind each NAT kind
# of lib.sh (net_world_site; see net_nat and nat_probe.sh):
#   site 1  no NAT (plain router)  → exit 0, nat "none", mapped = the local endpoint, cone
#                                    flag set (the cone test got through)
#   site 2  fullcone               → exit 0, "cone", cone flag set; with --no-cone:
#                                    "restricted" (the cone test was not run), flag clear
#   site 3  restricted (address)   → exit 0, "restricted"
#   site 4  portrestricted         → exit 0, "restricted"
#   site 5  symmetric              → exit 3, "symmetric", no address
# Each mapping is the NAT's public address with the port conntrack gave the flow to the
# primary server address; each address decodes (`shipworm addr`) to that mapping and the
# primary server. Probes run as nobody too. An address where no server runs: exit 1 within
# --timeout, and (with --no-cone, 2 phases x 3 RSs 4 s apart) exit 1 when the engine
# itself gives up, before the timeout. A silent primary with the real server as SERVER2:
# the engine fails over and qualifies through it, NAT type unknown (no third address to
# compare with). Site 3 names the server (teredo.example, from a hosts file); a name that
# does not resolve: exit 1 at once. Nothing else may appear on a probe's stderr (sanitizer
# reports included).
#
# usage: probe.sh SHIPWORMD SHIPWORM. Exit 77 (skip) when not root or tools missing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
SWD=${1:-$HERE/../../build/src/daemon/shipwormd}
CLI=${2:-$HERE/../../build/src/cli/shipworm}

net_init swpb
net_need miredo-server nft conntrack python3 setpriv
net_need_exec "$SWD" "$CLI"
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
fails=0
fail() { net_log "FAIL: $*"; fails=$((fails + 1)); }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print("null" if v is None else str(v).lower() if isinstance(v, bool) else v)' "$1" "$2" 2>/dev/null; }
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
NOSRV=198.51.100.7 # on the server's link; nothing answers there
PROBES=""

# site 3 knows the server by name: a hosts file `ip netns exec` mounts over /etc/hosts for
# that namespace only (/etc/netns/<namespace>/, removed on exit), no DNS server
net_hosts cli3 "$NET_SRV1 teredo.example" || fail "hosts file"

net_world || net_fail "world"
KINDS="none fullcone restricted portrestricted symmetric"
net_world_sites $KINDS || net_fail "sites"

# probe NAME K [--as-nobody] ARGS...: run `shipworm probe ARGS` in cli<K> in the
# background; stdout to NAME.out, exit status to NAME.rc, wall time (ms) to NAME.ms
probe() {
	_pn=$1; _pk=$2; shift 2
	_pu=""
	[ "$1" = --as-nobody ] && { _pu=$NOBODY; shift; }
	(
		t0=$(date +%s%3N)
		ip netns exec "$(ns "cli$_pk")" $_pu "$CLI" probe "$@" >"$NET_TMP/$_pn.out" 2>"$NET_TMP/$_pn.err"
		echo $? >"$NET_TMP/$_pn.rc"
		echo $(($(date +%s%3N) - t0)) >"$NET_TMP/$_pn.ms"
		# the NAT's flows to the primary, before conntrack forgets them (30 s)
		[ "$_pk" = 1 ] || nsx "nat$_pk" conntrack -L -p udp -d $NET_SRV1 --dport 3544 \
			>"$NET_TMP/$_pn.ct" 2>/dev/null
	) &
	NET_PIDS="$NET_PIDS $!"
	PROBES="$PROBES $!"
}
wait_probes() { # every probe is bounded by its --timeout
	for _wp in $PROBES; do wait "$_wp"; done
	PROBES=""
}
rc_of() { cat "$NET_TMP/$1.rc" 2>/dev/null || echo none; }

# check NAME K WANT_RC WANT_NAT WANT_CONE: a JSON probe's facts against the site's NAT
check() {
	_cn=$1; _ck=$2; _o="$NET_TMP/$1.out"
	_rc=$(rc_of "$_cn"); _nat=$(jget "$_o" "d['nat_type']"); _m=$(jget "$_o" "d['mapped']")
	_a=$(jget "$_o" "d['address']"); _cone=$(jget "$_o" "d['cone']")
	_lport=$(jget "$_o" "d['local'].split(':')[1]")
	net_log "$_cn: exit $_rc, nat $_nat, mapped $_m, address $_a (cone $_cone)"
	[ "$_rc" = "$3" ] || fail "$_cn: exit $_rc, expected $3: $(cat "$_o" "$NET_TMP/$_cn.err")"
	[ "$_nat" = "$4" ] || fail "$_cn: nat '$_nat', expected '$4': $(cat "$_o")"
	if [ "$_ck" = 1 ]; then
		[ "$_m" = "$(jget "$_o" "d['local']")" ] || fail "$_cn: mapped $_m is not the local endpoint"
		case $_m in 198.18.1.2:*) ;; *) fail "$_cn: mapped $_m, expected 198.18.1.2:*" ;; esac
	else
		# the NAT's public address, the port conntrack gave the flow to the primary
		_ct=$(grep " src=198\.18\.$_ck\.2 dst=198\.51\.100\.1 sport=$_lport dport=3544 " "$NET_TMP/$_cn.ct" |
			sed -n 's/.* src=198\.51\.100\.1 dst=\([0-9.]*\) sport=3544 dport=\([0-9]*\).*/\1:\2/p' | head -1)
		[ "$_m" = "$_ct" ] && [ "${_m%:*}" = "$(net_site_pub "$_ck")" ] ||
			fail "$_cn: mapped $_m, conntrack says '$_ct', NAT public $(net_site_pub "$_ck")"
	fi
	if [ "$3" = 3 ]; then
		[ "$_a" = null ] || fail "$_cn: an address ($_a) behind a symmetric NAT"
		[ "$(jget "$_o" "d['result']")" = symmetric ] || fail "$_cn: result not symmetric"
		return
	fi
	[ "$(jget "$_o" "d['result']")" = qualified ] || fail "$_cn: result not qualified"
	[ "$_cone" = "$5" ] || fail "$_cn: cone flag $_cone, expected $5"
	[ "$(jget "$_o" "d['answered_by']")" = primary ] || fail "$_cn: not answered by the primary"
	# RSs/RAs: cone (or no NAT) 1/1 at once; restricted 3 unanswered cone RSs (12 s),
	# then primary and secondary 2/2; without the cone test 2/2 at once
	_rs=$(jget "$_o" "d['rs_sent']")/$(jget "$_o" "d['ra_received']")
	_ms=$(jget "$_o" "d['qualify_ms']")
	case $4/$(jget "$_o" "d['cone_test']") in
	restricted/true) _want=5/2 ;; restricted/false) _want=2/2 ;; *) _want=1/1 ;; esac
	[ "$_rs" = "$_want" ] || fail "$_cn: RS/RA $_rs, expected $_want"
	if [ "$_want" = 5/2 ]; then [ "$_ms" -ge 11900 ]; else [ "$_ms" -lt 2000 ]; fi ||
		fail "$_cn: qualified in $_ms ms"
	"$CLI" addr --json "$_a" >"$NET_TMP/$_cn.addr" 2>&1 || fail "$_cn: shipworm addr $_a failed"
	[ "$(jget "$NET_TMP/$_cn.addr" "d['mapped']")" = "$_m" ] &&
		[ "$(jget "$NET_TMP/$_cn.addr" "d['server']")" = $NET_SRV1 ] &&
		[ "$(jget "$NET_TMP/$_cn.addr" "d['cone']")" = "$5" ] ||
		fail "$_cn: $_a decodes to $(cat "$NET_TMP/$_cn.addr"), probe said $_m cone $5"
}

# one pass against the server now running: every site at once, plus the odd cases
pass() {
	PROBES=""
	for k in 1 2 3 5; do probe "$1-site$k" $k --json --timeout 30 $NET_SRV1; done
	probe "$1-site4" 4 --as-nobody --json --timeout 30 $NET_SRV1
	probe "$1-nocone" 2 --as-nobody --json --no-cone --timeout 30 $NET_SRV1
	probe "$1-text" 3 --as-nobody --timeout 30 teredo.example
	if [ "$1" = shipworm ]; then
		probe nosrv-timeout 1 --json --timeout 3 $NOSRV
		probe nosrv-engine 1 --as-nobody --json --no-cone --timeout 35 $NOSRV
		# primary silent, secondary = the real server: fail over, qualify, NAT unknown
		probe failover 4 --json --no-cone --timeout 35 $NOSRV $NET_SRV1
	fi
	wait_probes
	for f in "$NET_TMP"/*.err; do # sanitizer reports, or anything else unexpected
		[ -s "$f" ] && fail "stderr of $(basename "$f" .err): $(head -5 "$f")"
		rm -f "$f"
	done
	check "$1-site1" 1 0 none true # no NAT: the cone test succeeds, C=1
	check "$1-site2" 2 0 cone true
	check "$1-site3" 3 0 restricted false
	check "$1-site4" 4 0 restricted false
	check "$1-site5" 5 3 symmetric
	check "$1-nocone" 2 0 restricted false
	[ "$(jget "$NET_TMP/$1-nocone.out" "d['cone_test']")" = false ] || fail "$1-nocone: cone_test not false"
	[ "$(rc_of "$1-text")" = 0 ] || fail "$1-text: exit $(rc_of "$1-text")"
	grep -q '^server: *198\.51\.100\.1 (primary), 198\.51\.100\.2 (secondary)$' "$NET_TMP/$1-text.out" &&
		grep -q '^NAT type: *restricted$' "$NET_TMP/$1-text.out" &&
		grep -q '^ *only hosts this host sent to get through' "$NET_TMP/$1-text.out" &&
		grep -q "^mapped: *$(net_site_pub 3):" "$NET_TMP/$1-text.out" &&
		grep -q '^result: *qualified$' "$NET_TMP/$1-text.out" &&
		grep -q '^address: *2001:0:c633:6401:' "$NET_TMP/$1-text.out" ||
		fail "$1-text: $(cat "$NET_TMP/$1-text.out" "$NET_TMP/$1-text.err")"
	net_log "$1: text output (site 3, as nobody):"
	sed 's/^/    /' "$NET_TMP/$1-text.out"
	net_log "$1: JSON (site 2): $(cat "$NET_TMP/$1-site2.out")"
	for k in 1 2 3 4 5; do net_nat_flush "nat$k"; done # the next pass starts from scratch
}

# --- pass 1: shipwormd's server ---
net_forwarding srv
scf=$(net_miredo_conf srv "RelayType server" "ServerBindAddress $NET_SRV1" \
	"ServerBindAddress2 $NET_SRV2" "InterfaceName sws0" "ControlSocket $NET_TMP/srv.sock")
net_spawn server srv "$SWD" -f -c "$scf"
net_wait 10 test -S "$NET_TMP/srv.sock" || net_fail "shipwormd server did not start"
net_log "server: shipwormd"
pass shipworm

o="$NET_TMP/nosrv-timeout.out"
net_log "no server, --timeout 3: exit $(rc_of nosrv-timeout) after $(cat "$NET_TMP/nosrv-timeout.ms") ms: $(cat "$o")"
[ "$(rc_of nosrv-timeout)" = 1 ] || fail "no server: exit $(rc_of nosrv-timeout), expected 1"
[ "$(cat "$NET_TMP/nosrv-timeout.ms")" -lt 4500 ] || fail "no server: not ended by --timeout 3"
[ "$(jget "$o" "d['result']")" = no_answer ] && [ "$(jget "$o" "d['timed_out']")" = true ] &&
	[ "$(jget "$o" "d['ra_received']")" = 0 ] && [ "$(jget "$o" "d['rs_sent']")" -ge 1 ] ||
	fail "no server (timeout): $(cat "$o")"
o="$NET_TMP/nosrv-engine.out"
net_log "no server, --no-cone: exit $(rc_of nosrv-engine) after $(cat "$NET_TMP/nosrv-engine.ms") ms: $(cat "$o")"
[ "$(rc_of nosrv-engine)" = 1 ] || fail "no server (engine): exit $(rc_of nosrv-engine), expected 1"
# primary then secondary address, three RSs each: 6 RSs, off-line after 24 s
[ "$(cat "$NET_TMP/nosrv-engine.ms")" -lt 30000 ] || fail "no server (engine): too slow"
[ "$(jget "$o" "d['result']")" = no_answer ] && [ "$(jget "$o" "d['timed_out']")" = false ] &&
	[ "$(jget "$o" "d['rs_sent']")" = 6 ] ||
	fail "no server (engine): $(cat "$o")"

o="$NET_TMP/failover.out"
net_log "primary silent, secondary answers: exit $(rc_of failover): $(cat "$o")"
[ "$(rc_of failover)" = 0 ] && [ "$(jget "$o" "d['answered_by']")" = secondary ] &&
	[ "$(jget "$o" "d['nat_type']")" = unknown ] && [ "$(jget "$o" "d['result']")" = qualified ] &&
	[ "$(jget "$o" "d['mapped'].split(':')[0]")" = "$(net_site_pub 4)" ] &&
	[ "$(jget "$o" "d['rs_sent']")/$(jget "$o" "d['ra_received']")" = 7/1 ] ||
	fail "failover: exit $(rc_of failover): $(cat "$o")"

probe badname 3 --timeout 5 nosuch.example
wait_probes
[ "$(rc_of badname)" = 1 ] && grep -q '^shipworm probe: nosuch.example: ' "$NET_TMP/badname.err" ||
	fail "unresolvable name: exit $(rc_of badname): $(cat "$NET_TMP/badname.err")"
rm -f "$NET_TMP/badname.err"

# --- pass 2: Debian's miredo-server ---
net_stop server || fail "shipwormd server did not stop"
scf=$(net_miredo_conf msrv "ServerBindAddress $NET_SRV1" "ServerBindAddress2 $NET_SRV2")
net_spawn miredo-server srv miredo-server -f -c "$scf" -p "$NET_TMP/miredo-server.pidf"
net_wait 10 sh -c "ip netns exec $(ns srv) ss -uln | grep -q '$NET_SRV2:3544'" ||
	net_fail "miredo-server did not start"
net_log "server: miredo-server"
pass miredo

[ $fails = 0 ] || { for f in "$NET_TMP"/*.err "$NET_TMP"/*.log; do [ -s "$f" ] && { echo "--- $f"; tail -15 "$f"; }; done; exit 1; }
net_log "probe: all passed"
