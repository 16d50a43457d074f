#!/bin/sh
# nat_probe: proves that each NAT kind of lib.sh (net_nat) maps and filters as its name says.
# For every kind, a client behind the NAT sends UDP from one local port to three outside
# endpoints (A = 198.51.100.1:5001, A' = the same address port 5003, B = 203.0.113.2:5002)
# and the outside records the source it sees (the mapping); then three outside endpoints
# send unsolicited datagrams to the mapping A saw: A itself, A's address from an unused port
# (5009), and an address the client never contacted (198.51.100.2:5001), and the client
# records which arrive (the filtering). Kinds (RFC 4787 terms):
#   fullcone        endpoint-independent mapping, endpoint-independent filtering
#   restricted      endpoint-independent mapping, address-dependent filtering
#   portrestricted  endpoint-independent mapping, address-and-port-dependent filtering
#   symmetric       address-and-port-dependent mapping and filtering
# Prints a table; exits 1 if a kind behaves otherwise, 77 when not root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
net_init swnp
command -v python3 >/dev/null && command -v nft >/dev/null || { echo "SKIP: python3/nft missing"; exit 77; }

net_world || net_fail "world"
KINDS="fullcone restricted portrestricted symmetric"
net_world_sites $KINDS || net_fail "sites"

# observe NS OUT SECONDS ADDR:PORT...: record "local_port src_ip:src_port" per datagram
OBSERVE='import socket,sys,select,time
out=open(sys.argv[1],"w"); end=time.time()+float(sys.argv[2]); socks=[]
for a in sys.argv[3:]:
    h,p=a.rsplit(":",1); s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind((h,int(p))); socks.append(s)
while time.time()<end:
    r,_,_=select.select(socks,[],[],0.1)
    for s in r:
        d,src=s.recvfrom(2048); out.write("%d %s:%d\n"%(s.getsockname()[1],src[0],src[1])); out.flush()'
# send FROM_ADDR:PORT TO_ADDR:PORT...
SEND='import socket,sys
h,p=sys.argv[1].rsplit(":",1); s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind((h,int(p)))
for a in sys.argv[2:]:
    th,tp=a.rsplit(":",1); s.sendto(b"probe",(th,int(tp)))'

A=198.51.100.1:5001; A2=198.51.100.1:5003; B=203.0.113.2:5002
fails=0
printf '%-15s %-22s %-22s %-8s %-8s %-8s %s\n' kind "mapping A / B" "mapping A / A'" "from A" "A:5009" "C" verdict
k=1
for kind in $KINDS; do
	d="$NET_TMP/p$k"; mkdir -p "$d"
	: >"$d/srv" ; : >"$d/rly"; : >"$d/cli"
	net_spawn obs-srv$k srv python3 -c "$OBSERVE" "$d/srv" 4 $A $A2
	net_spawn obs-rly$k rly python3 -c "$OBSERVE" "$d/rly" 4 $B
	sleep 0.5
	# the client: sends from 40000, then listens on the same port
	nsx cli$k python3 -c "$SEND" 198.18.$k.2:40000 $A $A2 $B
	net_wait 3 sh -c "[ \$(cat '$d/srv' '$d/rly' | wc -l) -ge 3 ]" || net_fail "$kind: the outside saw $(cat "$d/srv" "$d/rly")"
	mA=$(awk '$1==5001{print $2}' "$d/srv"); mA2=$(awk '$1==5003{print $2}' "$d/srv"); mB=$(awk '{print $2}' "$d/rly")
	net_spawn cli-obs$k cli$k python3 -c "$OBSERVE" "$d/cli" 3 198.18.$k.2:40000
	sleep 0.5
	nsx srv python3 -c "$SEND" $A "$mA"
	nsx srv python3 -c "$SEND" 198.51.100.1:5009 "$mA"
	nsx srv python3 -c "$SEND" 198.51.100.2:5001 "$mA"
	sleep 1
	got() { grep -q " $1\$" "$d/cli" && echo yes || echo no; }
	fA=$(got $A); fP=$(got 198.51.100.1:5009); fC=$(got 198.51.100.2:5001)
	[ "$mA" = "$mB" ] && eimB=same || eimB=differ
	[ "$mA" = "$mA2" ] && eimP=same || eimP=differ
	case $kind in
	fullcone) want="same same yes yes yes" ;;
	restricted) want="same same yes yes no" ;;
	portrestricted) want="same same yes no no" ;;
	symmetric) want="differ differ yes no no" ;;
	esac
	v=ok
	[ "$eimB $eimP $fA $fP $fC" = "$want" ] || { v="WRONG (want $want)"; fails=$((fails + 1)); }
	printf '%-15s %-22s %-22s %-8s %-8s %-8s %s\n' "$kind" "${mA#*:}/${mB#*:} $eimB" \
		"${mA2#*:} $eimP" "$fA" "$fP" "$fC" "$v"
	k=$((k + 1))
done
[ $fails = 0 ] && echo "PASS: every NAT kind maps and filters as named" && exit 0
net_fail "$fails NAT kind(s) misbehave"
