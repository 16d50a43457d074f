#!/bin/sh
# steer: sys/steer's kernel programs on this kernel, in a namespace of our own (lo up, no
# DAD): the reuseport cBPF picks socket sw_steer_shard(Teredo source) for UDP datagrams on
# 127.0.0.1, the TUN eBPF picks queue sw_steer_shard(IPv6 destination) for packets routed
# into a multi-queue TUN device (2001::/32 via it), for 2, 3 and 4 workers.
# Usage: steer.sh STEER_CHECK [seed]. Exits 1 on a failure, 77 when not root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
net_init swst
CHECK=${1:-}
SEED=${2:-0x57ee4}
net_need_exec "$CHECK"
net_ns_add s || net_fail "namespace"
for mode in udp tun; do
	net_log "steer_check $mode (uname -r: $(uname -r))"
	timeout 30 ip netns exec "$(ns s)" "$CHECK" "$mode" "$SEED"
	rc=$?
	[ $rc = 77 ] && exit 77
	[ $rc = 0 ] || net_fail "steer_check $mode exited $rc"
done
net_log "PASS"
