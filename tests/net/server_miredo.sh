#!/bin/sh
# server_miredo: Debian's miredo client behind an nftables NAT qualifies against shipwormd's
# server (RelayType server); its address embeds the server's primary IPv4 and the NAT's
# public mapping (checked against the NAT's conntrack table); through Debian's miredo as
# relay it reaches an IPv6-only host, its echo test going through shipwormd's server to
# the IPv6 side; `shipworm status` shows the server's counters; the 2006 server-loop
# datagram (source = the server's own address:3544) is dropped and counted.
#
#        cli ──(198.18.1.0/24)── nat ──┐
#                                      │ bridge "inet": 198.51.100.0/24 + 2001:db8:1::/64
#        srv (shipwormd server .1/.2, ::3)┤
#        rly (miredo relay .10, ::1)   ┤
#        h6  (IPv6 only, ::2)          ┤
#
# Usage: server_miredo.sh [SHIPWORMD [SHIPWORM]] (defaults: build/src/daemon/shipwormd,
# build/src/cli/shipworm). Exit 77 (skip) when not root or miredo is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
SWD=${1:-${SHIPWORMD:-$here/../../build/src/daemon/shipwormd}}
CLI=${2:-${SHIPWORM:-$here/../../build/src/cli/shipworm}}

net_init swsrv
net_need miredo nft ping conntrack ss python3
net_need_exec "$SWD" "$CLI"

# --- topology ---
net_ns_add inet cli nat srv rly h6 || net_fail "namespaces"
net_bridge inet || net_fail "bridge"
attach() { net_bridge_attach inet "$@" || net_fail "link $1"; } # NS ADDR...
attach srv 198.51.100.1/24 198.51.100.2/24 2001:db8:1::3/64
attach rly 198.51.100.10/24 2001:db8:1::1/64
attach nat 198.51.100.21/24
attach h6 2001:db8:1::2/64
net_link nat lan 198.18.1.1/24 cli eth0 198.18.1.2/24 || net_fail "lan"
nsx cli ip route add default via 198.18.1.1
net_forwarding nat rly srv
net_nat nat portrestricted eth0 198.51.100.21 198.18.1.0/24 198.18.1.2 || net_fail "nat"
# like a real NAT router, nothing unsolicited reaches the NAT box itself (else the RA to a
# cone RS, from the server's other address, leaves a conntrack entry on the mapped port)
nsx nat nft add table ip swsrvin
nsx nat nft add chain ip swsrvin input '{ type filter hook input priority filter; }'
nsx nat nft add rule ip swsrvin input iifname eth0 ct state new drop
nsx h6 ip -6 route add 2001::/32 via 2001:db8:1::1

# --- shipwormd server (Miredo's miredo-server.conf directives, unchanged) ---
scf=$(net_miredo_conf srv "RelayType server" "ServerBindAddress 198.51.100.1" \
	"InterfaceName sws0" "ControlSocket $NET_TMP/srv.sock" "User nobody")
net_spawn server srv "$SWD" -f -c "$scf"
net_wait 10 test -S "$NET_TMP/srv.sock" || net_fail "shipwormd server did not start"
st() { nsx srv "$CLI" status --socket "$NET_TMP/srv.sock" "$@"; }
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
counter() { # NAME → value from status --json
	st --json >"$NET_TMP/status.json" 2>/dev/null || { echo 0; return; }
	jget "$NET_TMP/status.json" "d.get('counters', {}).get('$1', 0)"
}
# both sockets bound to their own address, port 3544
nsx srv ss -uln >"$NET_TMP/ss.txt"
grep -q '198.51.100.1:3544' "$NET_TMP/ss.txt" || net_fail "no socket on 198.51.100.1:3544: $(cat "$NET_TMP/ss.txt")"
grep -q '198.51.100.2:3544' "$NET_TMP/ss.txt" || net_fail "no socket on 198.51.100.2:3544 (ServerBindAddress2 default)"

# --- Debian's miredo as relay, and as client behind the NAT ---
rcf=$(net_miredo_conf rly "RelayType relay" "InterfaceName mrly" "BindAddress 198.51.100.10" \
	"BindPort 3545")
net_spawn miredo-relay rly miredo -f -c "$rcf" -p "$NET_TMP/miredo-relay.pidf"
ccf=$(net_miredo_conf cli "RelayType client" "ServerAddress 198.51.100.1" "InterfaceName mtun")
net_spawn miredo cli miredo -f -c "$ccf" -p "$NET_TMP/miredo.pidf"

net_log "waiting for the miredo client to qualify against shipwormd"
net_wait 40 sh -c "[ -n \"\$(ip netns exec $(ns cli) ip -6 -o addr show dev mtun scope global 2>/dev/null)\" ]" ||
	net_fail "miredo client did not qualify (status: $(st 2>&1))"
TA=$(net_teredo_addr cli mtun)
[ -n "$TA" ] || net_fail "no Teredo address"
net_log "client Teredo address $TA"

# the address embeds the server and the NAT's public mapping (as conntrack saw it)
set -- $(python3 -c "
import ipaddress, sys
b = ipaddress.IPv6Address(sys.argv[1]).packed
print(ipaddress.IPv4Address(b[4:8]), int.from_bytes(b[10:12], 'big') ^ 0xffff,
      ipaddress.IPv4Address(bytes(x ^ 0xff for x in b[12:16])))" "$TA")
a_srv=$1; a_port=$2; a_ip=$3
[ "$a_srv" = 198.51.100.1 ] || net_fail "address embeds server $a_srv, not 198.51.100.1"
[ "$a_ip" = 198.51.100.21 ] || net_fail "address embeds mapped IPv4 $a_ip, not the NAT's 198.51.100.21"
nsx nat conntrack -L -p udp --orig-dst 198.51.100.1 --dport 3544 >"$NET_TMP/ct.txt" 2>/dev/null
ct_port=$(sed -n 's/.*src=198\.51\.100\.1 dst=198\.51\.100\.21 sport=3544 dport=\([0-9]*\).*/\1/p' "$NET_TMP/ct.txt" | head -1)
[ -n "$ct_port" ] || net_fail "no conntrack entry for the client's server flow: $(cat "$NET_TMP/ct.txt")"
[ "$a_port" = "$ct_port" ] || net_fail "address embeds port $a_port, NAT mapped $ct_port"
net_log "address embeds server $a_srv and the NAT mapping $a_ip:$a_port (conntrack: $ct_port)"

# --- reaching the IPv6-only host: echo test through shipwormd, data through the relay ---
net_log "Teredo client -> IPv6-only host"
nsx cli ping -6 -c 8 -i 0.5 -W 2 2001:db8:1::2 >"$NET_TMP/ping1.log" 2>&1
if grep -q ' 0 received' "$NET_TMP/ping1.log"; then
	st >&2; nsx rly ip -6 route >&2; nsx srv ip -6 route >&2
	net_fail "no reply from the IPv6 host: $(tail -2 "$NET_TMP/ping1.log")"
fi
grep -q 'received' "$NET_TMP/ping1.log" || net_fail "ping did not run: $(cat "$NET_TMP/ping1.log")"
net_log "$(grep 'packets transmitted' "$NET_TMP/ping1.log")"
nsx cli ping -6 -c 4 -i 0.3 -W 2 2001:db8:1::2 >"$NET_TMP/ping2.log" 2>&1 ||
	net_fail "Teredo -> IPv6 after the echo test: $(tail -2 "$NET_TMP/ping2.log")"

rs=$(counter server_rs_answered); ra1=$(counter server_ra_sent_primary)
f6=$(counter server_forwarded_ipv6); ft=$(counter server_forwarded_teredo)
net_log "server: rs_answered=$rs ra_primary=$ra1 forwarded_ipv6=$f6 forwarded_teredo=$ft"
[ "${rs:-0}" -ge 1 ] && [ "${ra1:-0}" -ge 1 ] || net_fail "server counters: rs=$rs ra=$ra1"
[ "${f6:-0}" -ge 1 ] || net_fail "the client's echo test did not go through the server"
[ "${ft:-0}" -ge 1 ] || net_fail "the relay's bubble was not forwarded by the server"

# --- the 2006 server loop: a datagram from the server's own address:3544 is dropped ---
before=$(counter server_drop_own_source)
# a bubble whose Teredo source embeds 198.51.100.1:3544, sent from 198.51.100.2:3544
# would be answered from .1 to .2 and back forever; spoof it inside the server's namespace
nsx srv python3 -c "
import socket, struct
src = bytes.fromhex('20010000c6336401' '8000' 'f227' '39cc9bfe')
dst = bytes.fromhex('20010000c6336401' '8000' 'f227' '39cc9bfd')
pkt = bytes.fromhex('6000000000003bff') + src + dst
# a raw UDP socket: the kernel adds an IPv4 header whose source is the server's own
# address (the destination is local), the UDP source port is 3544
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.sendto(struct.pack('!HHHH', 3544, 3544, 8 + len(pkt), 0) + pkt, ('198.51.100.1', 0))
" || net_fail "could not send the loop datagram"
net_wait 5 sh -c "[ \"\$(ip netns exec $(ns srv) '$CLI' status --socket '$NET_TMP/srv.sock' --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"counters\"].get(\"server_drop_own_source\",0))')\" -gt ${before:-0} ]" ||
	net_fail "loop datagram not counted as drop_own_source"
net_log "loop datagram dropped (server_drop_own_source $(counter server_drop_own_source))"

# --- shipworm's own client (with the RFC 4380 cone probe) against the same server ---
net_stop miredo || net_fail "miredo client did not stop"
ra2=$(counter server_ra_sent_secondary)
ccf2=$(net_miredo_conf cli2 "RelayType client" "ServerAddress 198.51.100.1" \
	"InterfaceName swc0" "ConeProbe yes" "ControlSocket $NET_TMP/cli.sock" "User nobody")
net_spawn swclient cli "$SWD" -f -c "$ccf2"
net_log "waiting for shipworm's client to qualify against shipwormd"
net_wait 40 sh -c "[ -n \"\$(ip netns exec $(ns cli) ip -6 -o addr show dev swc0 scope global 2>/dev/null)\" ]" ||
	net_fail "shipworm client did not qualify (server: $(st 2>&1); client: $(nsx cli "$CLI" status --socket "$NET_TMP/cli.sock" 2>&1))"
TA2=$(net_teredo_addr cli swc0)
case $TA2 in 2001:0:c633:6401:*) ;; *) net_fail "shipworm client address $TA2 not under the server's prefix" ;; esac
nsx cli "$CLI" status --socket "$NET_TMP/cli.sock" --json >"$NET_TMP/cli.json" || net_fail "client status"
net_log "shipworm client $TA2, NAT $(jget "$NET_TMP/cli.json" "d.get('nat_type')")"
[ "$(jget "$NET_TMP/cli.json" "d.get('nat_type')")" = restricted ] ||
	net_fail "port-restricted NAT not detected as restricted: $(cat "$NET_TMP/cli.json")"
r2=$(counter server_ra_sent_secondary)
[ "${r2:-0}" -gt "${ra2:-0}" ] || net_fail "no RA from the secondary address (cone RS): $r2"
net_log "server answered the cone RS from its secondary address ($r2 RAs from it)"
nsx cli ping -6 -c 8 -i 0.5 -W 2 2001:db8:1::2 >"$NET_TMP/ping3.log" 2>&1
f6b=$(counter server_forwarded_ipv6)
[ "${f6b:-0}" -gt "${f6:-0}" ] || net_fail "the shipworm client's echo test did not go through the server"
if grep -q ' 0 received' "$NET_TMP/ping3.log"; then
	st >&2; nsx cli "$CLI" status --socket "$NET_TMP/cli.sock" >&2
	net_fail "shipworm client -> IPv6 host: $(tail -2 "$NET_TMP/ping3.log")"
fi
net_log "shipworm client -> IPv6-only host: $(grep 'packets transmitted' "$NET_TMP/ping3.log")"
net_stop swclient || net_fail "shipworm client did not stop"

st >"$NET_TMP/status.txt" 2>&1 || net_fail "shipworm status failed"
grep -q 'server_rs_answered' "$NET_TMP/status.txt" || net_fail "status lacks the server counters: $(cat "$NET_TMP/status.txt")"
kill -0 "$(net_pid server)" || net_fail "shipwormd server died"

# --- secure qualification (ClientSecretsFile): refused when others may read it; with
#     it, an unsigned RS is dropped and a signed one answered with a valid MAC ---
net_stop server || net_fail "server did not stop"
sec="$NET_TMP/secrets"
printf '# client-id hex-secret\nalice 736563726574\n' >"$sec"
chmod 644 "$sec"
scf2=$(net_miredo_conf srv2 "RelayType server" "ServerBindAddress 198.51.100.1" \
	"InterfaceName sws0" "ControlSocket $NET_TMP/srv.sock" "User nobody" "ClientSecretsFile $sec")
net_spawn badsecrets srv "$SWD" -f -c "$scf2"
net_wait 10 sh -c "! kill -0 $(net_pid badsecrets) 2>/dev/null" || net_fail "started with a world-readable secrets file"
grep -q refusing "$NET_TMP/badsecrets.log" || net_fail "no reason given: $(cat "$NET_TMP/badsecrets.log")"
chmod 600 "$sec"
net_spawn secure srv "$SWD" -f -c "$scf2"
net_wait 10 test -S "$NET_TMP/srv.sock" || net_fail "secure server did not start: $(cat "$NET_TMP/secure.log")"
st --json >"$NET_TMP/status.json" || net_fail "status"
[ "$(jget "$NET_TMP/status.json" "d.get('secure_qualification')")" = True ] || net_fail "not in secure mode"
rc=0
nsx cli python3 - "$NET_TMP/rs.out" <<'PY' || rc=$?
import hashlib, hmac, socket, sys
out = open(sys.argv[1], "w")
rs = bytes.fromhex("6000000000083aff" "fe800000000000000000ffffffffffff"
                   "ff020000000000000000000000000002" "85007d3700000000")
nonce = bytes(range(1, 9))
def auth(idv, key):
    mac = hmac.new(key, nonce + b"\0" + rs, hashlib.sha1).digest() if key else b""
    return b"\0\1" + bytes([len(idv), len(mac)]) + idv + mac + nonce + b"\0"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
s.sendto(auth(b"", None) + rs, ("198.51.100.1", 3544))
try:
    s.recvfrom(2048); print("unsigned RS answered", file=out); sys.exit(1)
except socket.timeout:
    pass
s.sendto(auth(b"alice", b"secret") + rs, ("198.51.100.1", 3544))
ra, src = s.recvfrom(2048)
idl, aul = ra[2], ra[3]
ida, mac = ra[4:4 + idl], ra[4 + idl:4 + idl + aul]
n2, conf = ra[4 + idl + aul:12 + idl + aul], ra[12 + idl + aul]
rest = ra[13 + idl + aul:]
want = hmac.new(b"secret", n2 + bytes([conf]) + rest, hashlib.sha1).digest()
ok = src == ("198.51.100.1", 3544) and ida == b"alice" and n2 == nonce and conf == 0 and mac == want
print("RA from", src, "id", ida, "conf", conf, "mac ok", mac == want, file=out)
sys.exit(0 if ok else 1)
PY
[ $rc = 0 ] || { st >&2; net_fail "secure RS exchange: $(cat "$NET_TMP/rs.out")"; }
m=$(counter server_drop_auth_missing); a=$(counter server_ra_authenticated)
[ "${m:-0}" -ge 1 ] && [ "${a:-0}" -ge 1 ] || net_fail "secure counters: auth_missing=$m authenticated=$a"
net_log "secure qualification: unsigned RS dropped ($m), signed RS answered with a valid MAC ($a)"
echo "PASS"
exit 0
