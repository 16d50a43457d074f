#!/bin/sh
# bench_relay: shipwormd's relay side by side with Debian's miredo (RelayType cone) on the
# same machine in the same run, in network namespaces made here and removed on exit.
# Prints, per relay and direction: CPU time per forwarded packet at a fixed offered rate
# (the relay pinned to one CPU; everything that CPU did counts: the relay and the kernel
# work around it), and forwarded packets per second at saturation. Then the peer table
# with 1,000,000 peers. Bounded: about a minute. Root only (exit 77 otherwise).
#
# Then bulk TCP between the IPv6 host and a Teredo client (Debian's miredo, qualified with
# Debian's miredo-server) through each relay, both directions.
#
#   bridge "inet": g6 (IPv6 host 2001:db8:1::2: generator + sink), r (relay .10, ::1),
#   srv (miredo-server .1/.2, ::3), c4 (Teredo client stand-in 198.51.100.50:40000: sink +
#   generator, trusted through a bubble it sends; and the miredo client for TCP)
#
# Usage: bench_relay.sh [BUILD_DIR] [RATE] [SECONDS]   (defaults: build 50000 4)
#   TCP_ONLY=1: only the bulk TCP part; TCP_BYTES: bytes per transfer (default 100 MB);
#   NO_OFFLOAD=1: shipwormd again with "Offload no" (sw-nooff), to see what offloads bring;
#   TCP_CLIENT=shipworm: shipwormd as the Teredo client (default: Debian's miredo, which is
#   then what bounds the bulk TCP figures on a small machine).
# The TCP figures are bounded by the Teredo client (one miredo process) as much as by the
# relay; on a shared machine every figure here moves by tens of percent between runs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tests/net/lib.sh"
B=${1:-$here/../../build}
RATE=${2:-50000}
SECS=${3:-4}
SWD=$B/src/daemon/shipwormd
GEN=$B/bench/relay/swbench-gen
PEERS=$B/bench/relay/swbench-peers

net_init swbr
[ -x "$SWD" ] && [ -x "$GEN" ] || { echo "SKIP: build $B first"; exit 77; }
ncpu=$(nproc)
RCPU=$((ncpu - 1)) # the relay's CPU; the load runs on the others (CPU 0 with 2 CPUs)
LCPU=0

net_ns_add inet g6 r c4 srv || net_fail "namespaces"
nsx inet ip link add br0 type bridge
nsx inet ip link set br0 up
attach() { # NS ADDR...: eth0 of NS on the bridge
	leg=$1; shift
	net_link "$leg" eth0 - inet "b-$leg" - || net_fail "link $leg"
	nsx inet ip link set "b-$leg" master br0
	for a in "$@"; do
		case $a in *:*) nsx "$leg" ip addr add "$a" dev eth0 nodad ;;
		*) nsx "$leg" ip addr add "$a" dev eth0 ;; esac
	done
}
attach g6 2001:db8:1::2/64
attach r 198.51.100.10/24 2001:db8:1::1/64
attach c4 198.51.100.50/24
attach srv 198.51.100.1/24 198.51.100.2/24 2001:db8:1::3/64
nsx g6 ip -6 route add 2001::/32 via 2001:db8:1::1
net_forwarding r
TA=2001:0:c633:6401:0:63bf:39cc:9bcd # server 198.51.100.1, mapping 198.51.100.50:40000
TA2=2001:0:c633:6401:0:63be:39cc:9bcd # the Teredo-side generator: 198.51.100.50:40001
CMAP=198.51.100.50:40000
RELAY=198.51.100.10:3545

cpu_busy() { # jiffies the relay CPU was not idle
	awk -v c="cpu$RCPU" '$1 == c { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}
proc_cpu() { # utime + stime of a pid and its children, jiffies
	t=0
	for p in $1 $(pgrep -P "$1"); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo $t
}
hz=$(getconf CLK_TCK)

# run DIR RATE → "forwarded cpu_us_per_pkt proc_us_per_pkt"
run() {
	dir=$1; rate=$2
	if [ "$dir" = v6-to-teredo ]; then
		net_spawn sink c4 taskset -c $LCPU "$GEN" sink4 "$CMAP" "$RELAY" "$TA" $((SECS + 2))
		sleep 1
		c0=$(cpu_busy); p0=$(proc_cpu "$RPID")
		nsx g6 taskset -c $LCPU "$GEN" gen6 "$TA" 5001 "$rate" "$SECS" >/dev/null
	else
		net_spawn sink g6 taskset -c $LCPU "$GEN" sink6 5001 $((SECS + 1))
		# a relay may drop datagrams from clients it never sent to (RFC 4380 §5.4.2
		# rule 3; Miredo does): one packet from the IPv6 side creates the entry first
		nsx g6 "$GEN" gen6 "$TA2" 5001 10 0.3 >/dev/null
		sleep 0.3
		c0=$(cpu_busy); p0=$(proc_cpu "$RPID")
		nsx c4 taskset -c $LCPU "$GEN" gen4 198.51.100.50:40001 "$RELAY" \
			"$TA2" 2001:db8:1::2 "$rate" "$SECS" >/dev/null
	fi
	c1=$(cpu_busy); p1=$(proc_cpu "$RPID")
	i=0; while kill -0 "$(net_pid sink)" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	got=$(sed -n 's/^received //p' "$NET_TMP/sink.log")
	awk -v g="${got:-0}" -v c=$((c1 - c0)) -v p=$((p1 - p0)) -v hz="$hz" 'BEGIN {
		if (g == 0) { printf "0 - -\n"; exit }
		printf "%d %.2f %.2f\n", g, c * 1e6 / hz / g, p * 1e6 / hz / g }'
}

bench() { # NAME: the relay must be running as $RPID
	[ -n "${TCP_ONLY:-}" ] && return 0
	name=$1
	for dir in v6-to-teredo teredo-to-v6; do
		set -- $(run $dir "$RATE"); fixed_fwd=$1; fixed_cpu=$2; fixed_proc=$3
		set -- $(run $dir 0); sat_fwd=$1
		printf '%-10s %-13s %9s %12s %12s %14s\n' "$name" "$dir" "$fixed_fwd" \
			"$fixed_cpu" "$fixed_proc" "$(awk -v g="$sat_fwd" -v s="$SECS" 'BEGIN { printf "%.0f", g / s }')"
		echo "$name $dir $fixed_proc $(awk -v g="$sat_fwd" -v s="$SECS" 'BEGIN { printf "%.0f", g / s }')" >>"$NET_TMP/results"
	done
}

echo "offered rate $RATE packets/s for ${SECS} s per run; relay pinned to CPU $RCPU of $ncpu"
echo "cpu_us/pkt: all non-idle time of the relay's CPU (relay + kernel work there; meaningless"
echo "  when other jobs share that CPU); proc_us/pkt: the relay process's user+system time"
printf '%-10s %-13s %9s %12s %12s %14s\n' relay direction forwarded "cpu_us/pkt" "proc_us/pkt" "sat_pkt/s"

# bulk TCP through the relay: Debian's miredo client in c4, miredo-server in srv
tcp_bench() { # NAME
	[ -n "${TAC:-}" ] || return 0
	for dir in v6-to-teredo teredo-to-v6; do
		rm -f "$NET_TMP/tcp.ok"
		if [ $dir = v6-to-teredo ]; then
			rx=c4; tx=g6; dst="[$TAC]"
		else
			rx=g6; tx=c4; dst="[2001:db8:1::2]"
		fi
		net_spawn tcpsink $rx timeout 40 socat -u TCP6-LISTEN:5002,reuseaddr OPEN:/dev/null
		net_wait 5 sh -c "ip netns exec $(ns $rx) ss -ltn | grep -q :5002"
		# a first exchange lets the relay and the client trust each other (the first
		# contact costs a bubble round trip through the server, up to seconds): not timed
		a=${dst#[}; a=${a%]}
		nsx $tx ping -6 -c 3 -i 0.3 -W 3 "$a" >/dev/null 2>&1
		t0=$(date +%s.%N)
		if timeout 30 ip netns exec "$(ns $tx)" sh -c "head -c $TCP_BYTES /dev/zero |
			socat -u - TCP6:$dst:5002,connect-timeout=10"; then
			t1=$(date +%s.%N)
			printf '%-10s %-13s %8s Mbit/s\n' "$1" "$dir" \
				"$(awk -v b=$TCP_BYTES -v a="$t0" -v z="$t1" 'BEGIN { printf "%.0f", b * 8 / (z - a) / 1e6 }')"
			echo "$1 tcp-$dir $(awk -v b=$TCP_BYTES -v a="$t0" -v z="$t1" 'BEGIN { printf "%.0f", b * 8 / (z - a) / 1e6 }')" >>"$NET_TMP/tcp"
		else
			printf '%-10s %-13s %8s\n' "$1" "$dir" failed
		fi
		net_stop tcpsink
	done
}

TCP_BYTES=${TCP_BYTES:-100000000}
TCP_CLIENT=${TCP_CLIENT:-miredo}
TAC=
if command -v miredo-server >/dev/null && command -v socat >/dev/null; then
	c=$(net_miredo_conf srv "ServerBindAddress 198.51.100.1" "ServerBindAddress2 198.51.100.2")
	net_spawn msrv srv miredo-server -f -c "$c" -p "$NET_TMP/msrv.pidf"
	c=$(net_miredo_conf mcli "RelayType client" "ServerAddress 198.51.100.1" "InterfaceName mtun")
	if [ "$TCP_CLIENT" = shipworm ]; then
		echo "ControlSocket $NET_TMP/cli.sock" >>"$c"
		echo "User nobody" >>"$c"
		net_spawn mcli c4 taskset -c $LCPU "$SWD" -f -c "$c"
	else
		net_spawn mcli c4 taskset -c $LCPU miredo -f -c "$c" -p "$NET_TMP/mcli.pidf"
	fi
	net_wait 20 sh -c "[ -n \"\$(ip netns exec $(ns c4) ip -6 -o addr show dev mtun scope global 2>/dev/null)\" ]" &&
		TAC=$(net_teredo_addr c4 mtun)
fi

offload_counters() { # [INSTANCE]: what the offloads did (superpackets, GSO, GRO), drops
	SHIPWORM_RUNDIR=$NET_TMP "$B/src/cli/shipworm" metrics "${1:-sw}" 2>/dev/null |
		awk '/^shipworm_(tun_rx_superpackets|tun_rx_segments|tun_tx_superpackets|tun_tx_joined|udp_tx_gso|udp_tx_gso_datagrams|udp_rx_gro|udp_rx_gro_datagrams|udp_tx_again|udp_tx_errors|udp_rx_overflow|tun_tx_errors|tun_rx_offload_errors|udp_tx_gso_refused)[ {]/ {
			sub(/^shipworm_/, ""); sub(/\{[^}]*\}/, ""); printf " %s=%s", $1, $2 } END { print "" }'
}

shipworm() { # NAME OFFLOAD
	conf=$(net_miredo_conf sw "RelayType relay" "InterfaceName swb0" "BindAddress 198.51.100.10" \
		"BindPort 3545" "ControlSocket $NET_TMP/sw.sock" "User nobody" "Offload $2")
	net_spawn relay r taskset -c $RCPU "$SWD" -f -c "$conf"
	RPID=$(net_pid relay)
	net_wait 10 sh -c "ip netns exec $(ns r) ip -6 route show 2001::/32 | grep -q swb0" || net_fail "shipwormd did not start"
	bench "$1"
	tcp_bench "$1" >>"$NET_TMP/tcpout"
	echo "$1:$(offload_counters)" >>"$NET_TMP/offload"
	[ "$TCP_CLIENT" = shipworm ] && echo "  its client:$(offload_counters cli)" >>"$NET_TMP/offload"
	net_stop relay || net_fail "shipwormd did not stop"
}
shipworm shipworm yes
[ -n "${NO_OFFLOAD:-}" ] && shipworm sw-nooff no

if command -v miredo >/dev/null; then
	conf=$(net_miredo_conf mir "RelayType cone" "InterfaceName mir0" "BindAddress 198.51.100.10" \
		"BindPort 3545")
	net_spawn relay r taskset -c $RCPU miredo -f -c "$conf" -p "$NET_TMP/mir.pid"
	RPID=$(net_pid relay)
	net_wait 10 sh -c "ip netns exec $(ns r) ip -6 route show 2001::/32 | grep -q mir0" ||
		net_fail "miredo relay did not start"
	bench miredo
	tcp_bench miredo >>"$NET_TMP/tcpout"
	net_stop relay
fi

echo
awk '{ k = $2; if ($1 == "shipworm") { s[k] = $3; ss[k] = $4 } else if ($1 == "miredo") { m[k] = $3; ms[k] = $4 } }
END { for (k in s) if (m[k] > 0 && ms[k] > 0)
	printf "%-13s relay-process CPU per packet shipworm/miredo = %.2f   saturation shipworm/miredo = %.2f\n",
		k, s[k] / m[k], ss[k] / ms[k] }' "$NET_TMP/results"
if [ -s "$NET_TMP/tcpout" ]; then
	echo
	echo "bulk TCP ($TCP_BYTES bytes) between the IPv6 host and a Teredo client ($TCP_CLIENT)"
	cat "$NET_TMP/tcpout"
	awk '{ if ($1 == "shipworm") s[$2] = $3; else if ($1 == "miredo") m[$2] = $3 }
	END { for (k in s) if (m[k] > 0) printf "%-25s shipworm/miredo = %.2f\n", k, s[k] / m[k] }' "$NET_TMP/tcp"
fi
echo
echo "offload counters at the end of each shipworm run"
cat "$NET_TMP/offload"
echo
echo "peer table (shipworm), 1,000,000 peers; Miredo's reference: about 130 bytes per peer"
"$PEERS" 1000000 | tee "$NET_TMP/peers"
awk '$1 == "bytes_per_peer" { printf "memory per peer shipworm/miredo(130 B) = %.2f\n", $2 / 130 }' "$NET_TMP/peers"
echo
echo "relay engine alone (no kernel), 100,000 trusted peers: the rest of the cost above is I/O"
"$B/bench/relay/swbench-engine" 100000
