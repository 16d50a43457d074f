#!/bin/sh
# `shipworm addr` on the worked examples E1-E9 of teredo-requirements.md §2.5, both
# directions, plus error exits. Usage: test_cli_addr.sh PATH/TO/shipworm
set -u
SW=$1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# name server flags port ipv4 address
VECTORS='E1 198.51.100.118 0x0000 8192 192.0.2.10 2001:0:c633:6476:0:dfff:3fff:fdf5
E2 203.0.113.120 0x0000 4096 192.0.2.1 2001:0:cb00:7178:0:efff:3fff:fdfe
E3 203.0.113.120 0x0000 4095 198.51.100.118 2001:0:cb00:7178:0:f000:39cc:9b89
E4 203.0.113.120 0x0000 4096 198.51.100.118 2001:0:cb00:7178:0:efff:39cc:9b89
E5 65.54.227.120 0x8000 40000 192.0.2.45 2001:0:4136:e378:8000:63bf:3fff:fdd2
E6 203.0.113.1 0x8000 3544 198.51.100.25 2001:0:cb00:7101:8000:f227:39cc:9be6
E7 198.51.100.1 0x285c 65000 203.0.113.200 2001:0:c633:6401:285c:217:34ff:8e37
E8 192.0.2.200 0x0000 1 1.0.0.1 2001:0:c000:2c8:0:fffe:feff:fffe
E9 192.0.2.200 0x0000 65535 223.255.255.254 2001:0:c000:2c8::2000:1'

# E7: R1 = 0xA, R2 = 0x5C (§2.5)
"$SW" addr 2001:0:c633:6401:285c:217:34ff:8e37 | grep -q "random: 0x285c = 0xa5c," ||
	bad "E7 random bits not 0xa5c"

echo "$VECTORS" | while read -r name server flags port ip addr; do
	# decode
	out=$("$SW" addr "$addr") || bad "$name decode exit $?"
	echo "$out" | grep -qx "server:  $server" || bad "$name decode server: $out"
	echo "$out" | grep -q "^flags:   $flags " || bad "$name decode flags: $out"
	echo "$out" | grep -qx "mapped:  $ip:$port" || bad "$name decode mapped: $out"
	cone=no; [ $((flags & 0x8000)) -ne 0 ] && cone=yes
	random=$(printf '0x%04x' $((flags & 0x3cff)))
	r12=$(printf '0x%03x' $(( ((flags >> 10) & 0xf) << 8 | (flags & 0xff) )))
	echo "$out" | grep -q "(cone: $cone, random: $random = $r12, z: 0, U: 0, G: 0)" ||
		bad "$name decode flag bits: $out"
	json=$("$SW" addr --json "$addr") || bad "$name decode --json exit"
	want="{\"address\":\"$addr\",\"server\":\"$server\",\"flags\":\"$flags\""
	case "$json" in "$want"*) ;; *) bad "$name json: $json (want prefix $want)" ;; esac
	echo "$json" | grep -q "\"mapped\":\"$ip:$port\"" || bad "$name json mapped: $json"
	echo "$json" | grep -q "\"random12\":\"$r12\"" || bad "$name json random12: $json"
	# encode
	set -- --encode --server "$server" --mapped "$ip:$port"
	[ "$cone" = yes ] && set -- "$@" --cone
	[ "$random" != 0x0000 ] && set -- "$@" --random "$random"
	out=$("$SW" addr "$@") || bad "$name encode exit: $*"
	echo "$out" | grep -qx "address: $addr" || bad "$name encode ($*): $out"
	# the non-canonical long form decodes to the same thing
	long=$(echo "$addr" | sed 's/^2001:0:/2001:0000:/')
	"$SW" addr "$long" | grep -qx "address: $addr" || bad "$name long form $long"
	[ $fail = 0 ] && echo "ok $name"
	[ $fail = 0 ] || exit 1
done || fail=1

expect_exit() { # code, args...
	want=$1; shift
	"$SW" "$@" >/dev/null 2>"${TMPDIR:-/tmp}/sw-cli-addr.$$"
	rc=$?
	[ $rc = "$want" ] || bad "exit $rc, want $want: shipworm $*"
	if [ "$want" != 0 ] && ! [ -s "${TMPDIR:-/tmp}/sw-cli-addr.$$" ]; then
		bad "no error message: shipworm $*"
	fi
	rm -f "${TMPDIR:-/tmp}/sw-cli-addr.$$"
}
for form in "[2001:0:4136:e378:8000:63bf:3fff:fdd2]" 2001:0:4136:e378:8000:63bf:3fff:fdd2/32 \
	2001:0:4136:e378:8000:63bf:3fff:fdd2/128 2001:0:4136:E378:8000:63BF:3FFF:FDD2; do
	"$SW" addr "$form" | grep -qx "mapped:  192.0.2.45:40000" || bad "pasted form $form"
done
expect_exit 1 addr 2001:0:4136:e378:8000:63bf:3fff:fdd2/129
expect_exit 1 addr 2001:0:4136:e378:8000:63bf:3fff:fdd2/
expect_exit 1 addr "[2001:0:4136:e378:8000:63bf:3fff:fdd2"
expect_exit 1 addr ""
expect_exit 1 addr 2001:db8::1                 # not Teredo
expect_exit 1 addr 2002:c000:22d::1            # 6to4, not Teredo
expect_exit 1 addr not-an-address
expect_exit 1 addr 192.0.2.1
expect_exit 1 addr 2001:0:4136:e378:8000:63bf:3fff:fdd2:1
expect_exit 2 addr
expect_exit 2 addr --encode --server 192.0.2.1
expect_exit 2 addr --encode --server 300.1.1.1 --mapped 192.0.2.1:1
expect_exit 2 addr --encode --server 192.0.2.1 --mapped 192.0.2.1
expect_exit 2 addr --encode --server 192.0.2.1 --mapped 192.0.2.1:65536
expect_exit 2 addr --encode --server 192.0.2.1 --mapped 192.0.2.1:1 --random 4000
expect_exit 2 addr --encode --server 192.0.2.1 --mapped 192.0.2.1:1 --random xyz
expect_exit 2 nosuchverb
expect_exit 2
expect_exit 0 --help
expect_exit 0 --version
expect_exit 0 help addr
expect_exit 0 addr --help
"$SW" addr 2001:0:c633:6401:285c:217:f5ff:fffe | grep -q "not a global unicast" ||
	bad "private mapped address not flagged"

[ $fail = 0 ] && echo "all ok"
exit $fail
