#!/bin/sh
# bench_server: shipwormd's Teredo server side by side with Debian's miredo-server, on the
# same machine in the same run, in two network namespaces made here and removed on exit.
# A generator (rsgen: sendmmsg, 8 UDP ports, 65536 source addresses) offers Router
# Solicitations at fixed rates; the RAs coming back are counted and dropped by an nftables
# rule on the generator side. The server is pinned to the last CPU, the generator to CPU 0.
# Prints per server and offered rate: answered/s, loss, CPU µs per answered RS (the
# server's utime+stime, and everything its CPU did), then the ratios. Bounded: about 1.5
# minutes. Root only (exit 77 otherwise).
#
#   gen (198.51.100.50, sources 198.18.0.0/16) ── srv (198.51.100.1 and .2)
#
# Usage: bench_server.sh [BUILD_DIR] [SECONDS]   (defaults: build 3)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tests/net/lib.sh"
B=${1:-$here/../../build}
SECS=${2:-3}
SWD=$B/src/daemon/shipwormd
GEN=$B/bench/server/swbench-rsgen
RATES=${RATES:-"25000 50000 100000 200000 400000 0"} # 0 = as fast as the generator can

net_init swbs
[ -x "$SWD" ] && [ -x "$GEN" ] || { echo "SKIP: build $B first"; exit 77; }
command -v miredo-server >/dev/null || { echo "SKIP: miredo-server missing"; exit 77; }
ncpu=$(nproc)
SCPU=$((ncpu - 1))
LCPU=0
hz=$(getconf CLK_TCK)

net_ns_add gen srv || net_fail "namespaces"
net_link gen eth0 198.51.100.50/24 srv eth0 198.51.100.1/24 || net_fail "link"
nsx srv ip addr add 198.51.100.2/24 dev eth0
nsx srv ip route add 198.18.0.0/16 via 198.51.100.50
nsx gen ip route add local 198.18.0.0/16 dev lo
# Receive processing runs on the receiver's CPU, as on two real hosts (RPS): the server's
# CPU receives the RSs, the generator's CPU receives (and drops) the RAs.
nsx srv sh -c "printf '%x' $((1 << SCPU)) > /sys/class/net/eth0/queues/rx-0/rps_cpus" &&
nsx gen sh -c "printf '%x' $((1 << LCPU)) > /sys/class/net/eth0/queues/rx-0/rps_cpus" ||
	net_log "RPS not available: each side's CPU also receives for the other"
nsx gen nft -f - <<'EOF' || net_fail "nft"
table ip swbench {
	counter ra { }
	chain pre { type filter hook prerouting priority raw;
		udp sport 3544 counter name "ra" drop
	}
}
EOF

answered() { nsx gen nft list counter ip swbench ra | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
proc_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_busy() { awk -v c="cpu$SCPU" '$1 == c { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# measure NAME PID RATE → line "NAME RATE sent answered/s loss% proc_us cpu_us"
measure() {
	name=$1; pid=$2; rate=$3
	a0=$(answered); p0=$(proc_cpu "$pid"); c0=$(cpu_busy)
	out=$(nsx gen taskset -c $LCPU "$GEN" 198.51.100.1 "$rate" "$SECS" 198.18.0.0 65536 8)
	sleep 0.3
	a1=$(answered); p1=$(proc_cpu "$pid"); c1=$(cpu_busy)
	sent=$(echo "$out" | awk '{ print $2 }'); secs=$(echo "$out" | awk '{ print $4 }')
	awk -v n="$name" -v r="$rate" -v s="$sent" -v t="$secs" -v a=$((a1 - a0)) \
		-v p=$((p1 - p0)) -v c=$((c1 - c0)) -v hz="$hz" 'BEGIN {
		printf "%-10s %8s %9d %10.0f %6.1f%% %8.2f %8.2f\n", n, r == 0 ? "max" : r, s,
			a / t, s ? 100 * (s - a) / s : 0, a ? p * 1e6 / hz / a : 0,
			a ? c * 1e6 / hz / a : 0 }'
}

run_server() { # NAME PID
	for r in $RATES; do measure "$1" "$2" "$r"; done
}

printf '%-10s %8s %9s %10s %7s %8s %8s\n' server offered sent answered/s loss \
	"proc_us" "cpu_us"
# --- shipwormd (rate limit as configured by default: 50/s per source; 65536 sources) ---
scf=$(net_miredo_conf sw "RelayType server" "ServerBindAddress 198.51.100.1" \
	"InterfaceName swb0" "ControlSocket $NET_TMP/sw.sock" "User nobody")
net_spawn shipwormd srv taskset -c $SCPU "$SWD" -f -c "$scf"
net_wait 10 test -S "$NET_TMP/sw.sock" || net_fail "shipwormd did not start"
run_server shipwormd "$(net_pid shipwormd)" | tee "$NET_TMP/sw.txt"
net_stop shipwormd || net_fail "shipwormd did not stop"

# --- Debian's miredo-server, same addresses, same CPU ---
mcf=$(net_miredo_conf mir "ServerBindAddress 198.51.100.1" "ServerBindAddress2 198.51.100.2")
net_spawn miredo srv taskset -c $SCPU miredo-server -f -c "$mcf" -p "$NET_TMP/mir.pidf"
sleep 1
mpid=$(net_pid miredo)
for p in $(pgrep -P "$mpid"); do mpid=$p; done # the worker, if it forked one
kill -0 "$mpid" || net_fail "miredo-server did not start"
run_server miredo "$mpid" | tee "$NET_TMP/mir.txt"

# --- ratios (shipwormd / miredo-server; below 1 is better for CPU, above 1 for answers) ---
echo
awk '
	FNR == NR { sw_ans[$2] = $4; sw_proc[$2] = $6; order[++n] = $2; next }
	{ mi_ans[$2] = $4; mi_proc[$2] = $6 }
	END {
		for (i = 1; i <= n; i++) {
			r = order[i]
			if (!(r in mi_ans) || mi_proc[r] <= 0 || mi_ans[r] <= 0)
				continue
			printf "offered %-7s CPU per answered RS: %.2f / %.2f us = %.2f   answered/s: %.0f / %.0f = %.2f\n",
				r, sw_proc[r], mi_proc[r], sw_proc[r] / mi_proc[r], sw_ans[r], mi_ans[r],
				sw_ans[r] / mi_ans[r]
		}
		best_sw = 0; best_mi = 0
		for (r in sw_ans) if (sw_ans[r] > best_sw) best_sw = sw_ans[r]
		for (r in mi_ans) if (mi_ans[r] > best_mi) best_mi = mi_ans[r]
		printf "answered RS/s at saturation (best of the run, one core): shipwormd %.0f, miredo-server %.0f: ratio %.2f\n",
			best_sw, best_mi, (best_mi > 0 ? best_sw / best_mi : 0)
	}' "$NET_TMP/sw.txt" "$NET_TMP/mir.txt"
[ -x "$B/bench/server/swbench-server-engine" ] && "$B/bench/server/swbench-server-engine"
exit 0
