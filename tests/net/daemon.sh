#!/bin/sh
# daemon.sh: shipwormd on a real kernel, in namespaces this test creates and removes
# (issue 3): the TUN device comes up with the configured MTU, its address and route are
# configured over netlink, the process runs as an unprivileged user with CAP_NET_ADMIN
# only, `shipworm status --json` answers on the control socket, SIGHUP reloads (and a
# broken file is refused without harm), SIGTERM stops it and everything it added is gone.
#
# usage: daemon.sh SHIPWORMD SHIPWORMD_TESTROLE SHIPWORM
# RelayType relay runs on the real shipwormd when its relay role is built in, otherwise
# on shipwormd-testrole (the same daemon with a stand-in role that also echoes UDP).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
SWD=$1
SWD_TEST=$2
CLI=$3

net_init swdmn
fails=0
log() { echo "daemon.sh: $*"; }
fail() {
	log "FAIL: $*"
	fails=$((fails + 1))
}
# jq-like checks with python3 (in scripts/deps): jget FILE PYEXPR (d = the JSON)
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
expect() { # what got expected
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

net_ns_add a b
net_link a veth-a 198.51.100.10/24 b veth-b 198.51.100.20/24 || { fail "veth"; exit 1; }

RUN="$NET_TMP/run"
mkdir -p "$RUN"
chmod 0711 "$NET_TMP"
chown nobody "$RUN"
SOCK="$RUN/dmn.sock"
CONF="$NET_TMP/dmn.conf"
PIDF="$RUN/dmn.pid"
cat >"$CONF" <<EOF
# a minimal relay
RelayType relay
BindAddress 198.51.100.10
BindPort 3544
InterfaceName swdmn0
InterfaceMTU 1400
ControlSocket $SOCK
User nobody
EOF

# --check-config: every error with its line, non-zero exit
printf 'RelayType relay\nBindPort 70000\nNope 1\n' >"$NET_TMP/bad.conf"
"$SWD" -n -c "$NET_TMP/bad.conf" >"$NET_TMP/check.out" 2>&1 && fail "--check-config accepted a bad file"
grep -q "bad.conf:2: BindPort: '70000' is out of range" "$NET_TMP/check.out" || fail "no line 2 error"
grep -q "bad.conf:3: unknown directive 'Nope'" "$NET_TMP/check.out" || fail "no line 3 error"
"$SWD" -n -c "$CONF" >"$NET_TMP/check.out" 2>&1 || fail "--check-config refused a good file"
grep -q "configuration OK" "$NET_TMP/check.out" || fail "no 'configuration OK'"

# run_case BIN STANDIN NOTIFY: one daemon life; STANDIN=1 for shipwormd-testrole, whose role
# also announces <Prefix>::1/128 as an event and echoes UDP; NOTIFY=1 runs it as systemd
# would (NOTIFY_SOCKET set, an abstract socket, no -f) and checks what it reports there.
NOTIFY_NAME="swdmn-notify-$$"
run_case() {
	BIN=$1
	STANDIN=$2
	NOTIFY=$3
	log "case $(basename "$BIN") notify=$NOTIFY"
	cp "$CONF.good" "$CONF"
	rm -f "$NET_TMP/swd.log"
	if [ "$NOTIFY" = 1 ]; then
		net_spawn notify a socat -u "ABSTRACT-RECV:$NOTIFY_NAME" STDOUT
		net_wait 5 sh -c "ip netns exec $(ns a) ss -xl | grep -q '@$NOTIFY_NAME'" ||
			fail "notify listener"
		net_spawn swd a env "NOTIFY_SOCKET=@$NOTIFY_NAME" "$BIN" -c "$CONF" -p "$PIDF"
	else
		net_spawn swd a "$BIN" -f -c "$CONF" -p "$PIDF"
	fi
	PID=$(net_pid swd)
	up() { nsx a ip -j link show swdmn0 >"$NET_TMP/link.json" 2>/dev/null &&
		[ "$(jget "$NET_TMP/link.json" "'UP' in d[0]['flags']")" = True ] &&
		[ -S "$SOCK" ] &&
		{ [ "$STANDIN" = 0 ] || nsx a ip -6 addr show dev swdmn0 | grep -q "2001::1/128"; }; }
	if ! net_wait 10 up; then
		fail "tunnel not up within 10 s"
		cat "$NET_TMP/swd.log"
		exit 1
	fi

	# the link, its MTU, address and route, as the kernel reports them
	expect "mtu" "$(jget "$NET_TMP/link.json" "d[0]['mtu']")" 1400
	nsx a ip -j -6 addr show dev swdmn0 >"$NET_TMP/addr.json"
	want="[]" # the relay configures no address of its own
	[ "$STANDIN" = 1 ] && want="['2001::1/128']"
	expect "address" "$(jget "$NET_TMP/addr.json" \
		"[a['local'] + '/' + str(a['prefixlen']) for a in d[0]['addr_info'] if a['scope'] == 'global']")" \
		"$want"
	nsx a ip -j -6 route show dev swdmn0 >"$NET_TMP/route.json"
	expect "route" "$(jget "$NET_TMP/route.json" \
		"[(r['dst'], r.get('metric')) for r in d if r['dst'] == '2001::/32']")" "[('2001::/32', 1024)]"

	# unprivileged, CAP_NET_ADMIN (bit 12) only
	expect "user" "$(ps -o user= -p "$PID" | tr -d ' ')" nobody
	expect "CapEff" "$(awk '/^CapEff/ {print $2}' /proc/"$PID"/status)" 0000000000001000
	expect "pid file" "$(cat "$PIDF" 2>/dev/null)" "$PID"
	# Seccomp (default yes): a filter (mode 2) is on, except in a sanitizer build
	grep -q "no system-call filter in a sanitizer build" "$NET_TMP/swd.log" && SECCOMP_ON=0
	seccomp_is "$PID" "$SECCOMP_ON"

	# status over the control socket
	status() { nsx a "$CLI" status --socket "$SOCK" --json >"$NET_TMP/status.json"; }
	status || fail "shipworm status --json failed"
	expect "status.interface" "$(jget "$NET_TMP/status.json" "d['interface']")" swdmn0
	expect "status.mtu" "$(jget "$NET_TMP/status.json" "d['mtu']")" 1400
	expect "status.relay_type" "$(jget "$NET_TMP/status.json" "d['relay_type']")" relay
	expect "status.instance" "$(jget "$NET_TMP/status.json" "d['instance']")" dmn
	expect "status.pid" "$(jget "$NET_TMP/status.json" "d['pid']")" "$PID"
	expect "status.sockets" "$(jget "$NET_TMP/status.json" "d['sockets']")" "['198.51.100.10:3544']"
	expect "status.ok" "$(jget "$NET_TMP/status.json" "d['ok']")" True
	notified() { grep -q "$1" "$NET_TMP/notify.log"; }
	if [ "$NOTIFY" = 1 ]; then
		net_wait 5 notified "READY=1" || fail "no READY=1 on NOTIFY_SOCKET"
		notified "STATUS=.* running (instance dmn)" || fail "no STATUS= on NOTIFY_SOCKET"
	fi

	if [ "$STANDIN" = 1 ]; then
		# the stand-in role echoes: one datagram through recvmmsg, the role and sendmmsg
		got=$(echo shipworm-ping | nsx b timeout 5 socat -T2 - UDP4:198.51.100.10:3544,bind=198.51.100.20 2>&1)
		expect "udp echo" "$got" shipworm-ping
	fi

	# SIGHUP: reload; a broken file is refused and the old configuration stays
	sed -i 's/^InterfaceMTU 1400$/InterfaceMTU 1480/' "$CONF"
	kill -HUP "$PID"
	net_wait 5 sh -c "grep -q 'configuration reloaded' '$NET_TMP/swd.log'" || fail "no reload"
	nsx a ip -j link show swdmn0 >"$NET_TMP/link.json"
	expect "mtu after reload" "$(jget "$NET_TMP/link.json" "d[0]['mtu']")" 1480
	echo "Bogus directive" >>"$CONF"
	kill -HUP "$PID"
	net_wait 5 sh -c "grep -q 'reload failed' '$NET_TMP/swd.log'" || fail "bad reload not refused"
	grep -q "dmn.conf:9: unknown directive 'Bogus'" "$NET_TMP/swd.log" || fail "reload error without its line"
	# what needs a restart (here BindPort) is refused as a whole
	sed 's/^BindPort 3544$/BindPort 3545/' "$CONF.good" >"$CONF"
	kill -HUP "$PID"
	net_wait 5 sh -c "grep -q 'reload refused' '$NET_TMP/swd.log'" || fail "BindPort change not refused"
	cp "$CONF.good" "$CONF"
	kill -0 "$PID" 2>/dev/null || fail "daemon died on reload"
	status || fail "status after reload"
	expect "reloads" "$(jget "$NET_TMP/status.json" "d['counters']['daemon_reloads']")" 1
	expect "reload errors" "$(jget "$NET_TMP/status.json" "d['counters']['daemon_reload_errors']")" 2
	expect "sockets after reload" "$(jget "$NET_TMP/status.json" "d['sockets']")" "['198.51.100.10:3544']"
	expect "status.mtu after reload" "$(jget "$NET_TMP/status.json" "d['mtu']")" 1480
	[ "$NOTIFY" = 0 ] || notified "RELOADING=1" || fail "no RELOADING=1 on NOTIFY_SOCKET"

	# SIGTERM: clean exit, nothing left
	kill -TERM "$PID"
	i=0
	while kill -0 "$PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 "$PID" 2>/dev/null && fail "still running 5 s after SIGTERM"
	wait "$PID"
	expect "exit status" $? 0
	nsx a ip link show swdmn0 >/dev/null 2>&1 && fail "tunnel left behind"
	nsx a ip -6 route show | grep -q "^2001::" && fail "route left behind"
	nsx a ip -6 addr show | grep -q "2001::1" && fail "address left behind"
	[ -e "$SOCK" ] && fail "control socket left behind"
	[ -e "$PIDF" ] && fail "pid file left behind"
	grep -q "could not be removed" "$NET_TMP/swd.log" && fail "cleanup reported failures"
	if [ "$NOTIFY" = 1 ]; then
		notified "STOPPING=1" || fail "no STOPPING=1 on NOTIFY_SOCKET"
		net_stop notify
	fi
}

# seccomp_is PID MODE: the Seccomp: field of the process's status (0 none, 2 a filter)
SECCOMP_ON=2
seccomp_is() { expect "Seccomp of $1" "$(awk '/^Seccomp:/ {print $2}' /proc/"$1"/status)" "$2"; }

# detach_case BIN SECCOMP: without -f and outside systemd the daemon detaches (logging to
# syslog under its filter, or with Seccomp no); the pid file names the daemon, and SIGTERM
# to that pid still cleans up.
detach_case() {
	log "case $(basename "$1") detached, Seccomp $2"
	cp "$CONF.good" "$CONF"
	echo "Seccomp $2" >>"$CONF"
	nsx a "$1" -c "$CONF" -p "$PIDF" >"$NET_TMP/detach.log" 2>&1 || fail "detached start failed"
	net_wait 5 test -s "$PIDF" || { fail "no pid file"; return; }
	DPID=$(cat "$PIDF")
	NET_PIDS="$NET_PIDS $DPID"
	net_wait 10 sh -c "ip netns exec $(ns a) ip link show swdmn0 | grep -q ',UP'" ||
		fail "detached: tunnel not up"
	expect "detached ppid" "$(ps -o ppid= -p "$DPID" | tr -d ' ')" 1
	if [ "$2" = yes ]; then seccomp_is "$DPID" "$SECCOMP_ON"; else seccomp_is "$DPID" 0; fi
	kill -TERM "$DPID"
	i=0
	while kill -0 "$DPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 "$DPID" 2>/dev/null && fail "detached: still running after SIGTERM"
	nsx a ip link show swdmn0 >/dev/null 2>&1 && fail "detached: tunnel left behind"
	[ -e "$PIDF" ] && fail "detached: pid file left behind"
	[ -e "$SOCK" ] && fail "detached: control socket left behind"
}

cp "$CONF" "$CONF.good"
if grep -q "not built into" "$NET_TMP/check.out"; then
	log "relay role not built into shipwormd: only the stand-in case runs"
else
	run_case "$SWD" 0 0
fi
run_case "$SWD_TEST" 1 0
run_case "$SWD_TEST" 1 1
detach_case "$SWD_TEST" yes
detach_case "$SWD_TEST" no

if [ $fails -ne 0 ]; then
	log "daemon log:"
	cat "$NET_TMP/swd.log"
	exit 1
fi
log "ok"
exit 0
