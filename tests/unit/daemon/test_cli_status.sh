#!/bin/sh
# `shipworm status`, `peers` and `metrics` against a stand-in daemon (ctl_fake) serving a
# control socket in a temporary directory. Usage: test_cli_status.sh SHIPWORM CTL_FAKE
set -u
SW=$1
FAKE=$2
fail=0
bad() { echo "FAIL: $*"; fail=1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/sw-cli-XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

export SHIPWORM_RUNDIR="$dir/run" NO_COLOR=1

# no daemon yet: a clear error, exit 1
"$SW" status >/dev/null 2>"$dir/err" && bad "status without daemon succeeded"
grep -q "is shipwormd running" "$dir/err" || bad "no hint without daemon: $(cat "$dir/err")"

"$FAKE" "$dir/run/fake.sock" 60 &
pid=$!
i=0
while ! [ -S "$dir/run/fake.sock" ]; do
	i=$((i + 1)); [ $i -gt 100 ] && { bad "ctl_fake did not start"; exit 1; }
	sleep 0.05
done
mode=$(stat -c %a "$dir/run/fake.sock")
[ "$mode" = 660 ] || bad "socket mode $mode"

check() { # file, fixed string expected on a line
	grep -qF -- "$2" "$1" || { bad "missing '$2' in:"; cat "$1"; }
}

# default instance: the only socket in the run directory
"$SW" status >"$dir/out" 2>"$dir/err" || bad "status exit $?: $(cat "$dir/err")"
for want in "instance: fake" "role: client" "uptime: 2h 5m" "state: qualified" \
	"interface: teredo" "mtu: 1280" "server: 65.54.227.120, secondary 65.54.227.121" \
	"NAT type: restricted" "local: 192.168.1.2:3544" "mapped: 192.0.2.45:40000" \
	"address: 2001:0:4136:e378:8000:63bf:3fff:fdd2" "refresh interval: 30s" \
	"last refresh: 12s ago" "peers: 2" 'qualification note: extra "field"' \
	"udp_rx_packets: 1234" "drop_bad_auth: 5" "ctl_clients_accepted: 1" \
	"counters at zero not shown" "sockets: 192.168.1.2:3544, 192.168.1.2:3545" \
	"  nested:" "    inner value: 9" "qualified for: 1m 5s" "last server rx: 2s ago"; do
	check "$dir/out" "$want"
done
grep -q "drop-odd name" "$dir/out" && bad "zero counter shown without --all"
sed -n '/^  drops:$/,$p' "$dir/out" | grep -q "drop_bad_auth: 5" || bad "drops not grouped"
sed -n '/^  drops:$/,$p' "$dir/out" | grep -q "udp_rx_packets" && bad "traffic among drops"
grep -q "$(printf '\033')" "$dir/out" && bad "colour codes when not a tty"
if command -v script >/dev/null; then # on a terminal: colour, unless NO_COLOR
	NO_COLOR= script -qec "$SW status fake" /dev/null >"$dir/out" 2>&1
	grep -q "$(printf '\033')\[1;32mqualified" "$dir/out" || { bad "no colour on a tty"; cat "$dir/out"; }
	script -qec "$SW status fake" /dev/null >"$dir/out" 2>&1
	grep -q "$(printf '\033')" "$dir/out" && bad "colour on a tty despite NO_COLOR"
fi
"$SW" status fake --all >"$dir/out" || bad "status fake --all"
check "$dir/out" "drop-odd name: 0"
"$SW" status --socket "$dir/run/fake.sock" >"$dir/out" || bad "status --socket"
check "$dir/out" "role: client"

"$SW" status --json >"$dir/out" || bad "status --json"
check "$dir/out" '"role":"client"'
check "$dir/out" '"ok":true}'
[ "$(wc -l <"$dir/out")" = 1 ] || bad "status --json is not one line"

"$SW" peers >"$dir/out" || bad "peers exit"
check "$dir/out" "address"
check "$dir/out" "2001:0:c633:6476:0:dfff:3fff:fdf5  192.0.2.10:8192  yes      3s ago   now      0 B"
check "$dir/out" "2001:db8::1                        -                no       -        -        3.0 KiB"
"$SW" peers --json | grep -qF '"peers":[{"address":"2001:0:c633:6476:0:dfff:3fff:fdf5"' ||
	bad "peers --json"

"$SW" metrics >"$dir/out" || bad "metrics exit"
check "$dir/out" "# HELP shipworm_udp_rx_packets UDP datagrams received"
check "$dir/out" "# TYPE shipworm_udp_rx_packets counter"
check "$dir/out" 'shipworm_udp_rx_packets{instance="fake"} 1234'
check "$dir/out" '# HELP shipworm_drop_bad_auth dropped: bad \\ auth\nline'
check "$dir/out" 'shipworm_drop_odd_name{instance="fake"} 0'
check "$dir/out" 'shipworm_ctl_clients_accepted{instance="fake"}'
check "$dir/out" "# TYPE shipworm_peers gauge"
grep -q "TYPE shipworm_drop_odd_name counter" "$dir/out" || bad "no HELP-less counter TYPE"
grep -q "HELP shipworm_drop_odd_name" "$dir/out" && bad "empty HELP printed"

# dump: stable tab-separated lines
"$SW" dump >"$dir/out" || bad "dump exit"
T=$(printf '\t')
check "$dir/out" "fake${T}client${T}qualified${T}2001:0:4136:e378:8000:63bf:3fff:fdd2${T}192.168.1.2:3544${T}192.0.2.45:40000${T}restricted${T}teredo${T}2"
check "$dir/out" "2001:0:c633:6476:0:dfff:3fff:fdf5${T}192.0.2.10:8192${T}true${T}3000${T}500${T}0${T}-"
check "$dir/out" "2001:db8::1${T}-${T}false${T}-${T}-${T}3072${T}-"
[ "$(wc -l <"$dir/out")" = 3 ] || bad "dump: not 3 lines"

# monitor: events as they come; ends with status 0 when the daemon goes away
"$SW" monitor fake >"$dir/mon" 2>&1 &
mpid=$!
i=0
while n=$(grep -c ' state state=' "$dir/mon" 2>/dev/null); [ "${n:-0}" -lt 2 ]; do
	i=$((i + 1)); [ $i -gt 100 ] && { bad "monitor: no events"; cat "$dir/mon"; break; }
	sleep 0.05
done
kill "$mpid" 2>/dev/null; wait "$mpid" 2>/dev/null
grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2} state state=(probe|qualified) seq=[0-9]+$' "$dir/mon" ||
	{ bad "monitor line format:"; cat "$dir/mon"; }
"$FAKE" "$dir/run/short.sock" 1 &
spid=$!
i=0
while ! [ -S "$dir/run/short.sock" ]; do
	i=$((i + 1)); [ $i -gt 100 ] && { bad "short ctl_fake did not start"; break; }
	sleep 0.05
done
timeout 10 "$SW" monitor --json --socket "$dir/run/short.sock" >"$dir/mon" 2>"$dir/err"
rc=$?
wait "$spid"
[ $rc = 0 ] || bad "monitor exit $rc when the daemon stopped: $(cat "$dir/err")"
check "$dir/err" "closed the connection"
check "$dir/mon" '{"event":"state","state":"qualified","seq":1}'

# the names some roles use instead (mapping, nat) show in the same places
CTL_FAKE_ALT=1 "$FAKE" "$dir/run/alt.sock" 5 &
apid=$!
i=0
while ! [ -S "$dir/run/alt.sock" ]; do
	i=$((i + 1)); [ $i -gt 100 ] && { bad "alt ctl_fake did not start"; break; }
	sleep 0.05
done
"$SW" status alt >"$dir/out" || bad "status alt"
check "$dir/out" "  NAT type: restricted"
check "$dir/out" "  mapped: 192.0.2.45:40000"
check "$dir/out" "  server: 65.54.227.120, secondary 65.54.227.121"
grep -q "mapping:\|server2" "$dir/out" && bad "alias shown twice"
"$SW" dump alt | head -1 | grep -qF "192.0.2.45:40000${T}restricted" || bad "dump alt names"
kill "$apid"; wait "$apid"

# a socket that never greets: the CLI gives up after its timeout instead of hanging
python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(12)' \
	"$dir/mute.sock" &
mute=$!
i=0
while ! [ -S "$dir/mute.sock" ]; do
	i=$((i + 1)); [ $i -gt 100 ] && { bad "mute socket did not appear"; break; }
	sleep 0.05
done
timeout 15 "$SW" status --socket "$dir/mute.sock" >/dev/null 2>"$dir/err"
rc=$?
[ $rc = 1 ] || bad "mute daemon: exit $rc, want 1"
check "$dir/err" "timed out"
kill "$mute" 2>/dev/null; wait "$mute" 2>/dev/null
rm -f "$dir/mute.sock"

# errors
"$SW" status nosuch >/dev/null 2>&1; [ $? = 1 ] || bad "unknown instance: exit not 1"
"$SW" status a/b >/dev/null 2>&1; [ $? = 1 ] || bad "bad instance name: exit not 1"
"$SW" status fake extra >/dev/null 2>&1; [ $? = 2 ] || bad "extra argument: exit not 2"
"$SW" status fake --socket x >/dev/null 2>&1; [ $? = 2 ] || bad "instance and --socket"
touch "$dir/run/second.sock"
"$SW" peers >/dev/null 2>"$dir/err"; [ $? = 1 ] || bad "two sockets: exit not 1"
check "$dir/err" "several instances in $dir/run, name one: fake second"
# a bare status shows every instance (one answers, one does not: exit 1)
"$SW" status >"$dir/out" 2>"$dir/err"; [ $? = 1 ] || bad "status of two: exit not 1"
check "$dir/out" "instance: fake"
check "$dir/err" "second.sock"
"$SW" status --json >"$dir/out" 2>/dev/null
[ "$(wc -l <"$dir/out")" = 1 ] || bad "status --json of two: not one line per answer"

[ $fail = 0 ] && echo "all ok"
exit $fail
