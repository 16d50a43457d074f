#!/bin/sh
# tshark oracle: oracle_gen writes one packet of each kind to a pcap; tshark decodes it;
# every non-empty field value must equal expected.txt ("frame field value" lines).
# Usage: check.sh path/to/oracle_gen path/to/expected.txt   (exit 77 = skipped)
set -u
gen=$1
expected=$2
if ! command -v tshark >/dev/null 2>&1; then
	echo "tshark not installed: skipped (Debian: apt-get install tshark)"
	exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
export HOME="$work" # no profile from the invoking user, no warnings about it

fields="udp.srcport udp.dstport udp.length udp.checksum.status ip.checksum.status
teredo.auth.idlen teredo.auth.aulen teredo.auth.id teredo.auth.value teredo.auth.nonce
teredo.auth.conf teredo.orig.port teredo.orig.addr
ipv6.version ipv6.src ipv6.dst ipv6.nxt ipv6.plen ipv6.hlim
ipv6.src_ts_ipv4 ipv6.src_tc_port ipv6.src_tc_ipv4 ipv6.dst_ts_ipv4 ipv6.dst_tc_port ipv6.dst_tc_ipv4
icmpv6.type icmpv6.code icmpv6.checksum icmpv6.checksum.status icmpv6.echo.identifier
icmpv6.echo.sequence_number icmpv6.data icmpv6.mtu icmpv6.opt.type icmpv6.opt.prefix
icmpv6.nd.ra.retrans_timer data.data _ws.malformed _ws.expert.message"

"$gen" "$work/o.pcap" || { echo "oracle_gen failed"; exit 1; }
args=""
for f in $fields; do args="$args -e $f"; done
# shellcheck disable=SC2086 # word splitting of $args is intended
# the outer checksums are the test's own; have tshark check them too
if ! tshark -n -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -r "$work/o.pcap" -T fields -E separator=/t -E occurrence=a -E aggregator=, \
	-e frame.number $args >"$work/tshark.tsv" 2>"$work/tshark.err"; then
	echo "tshark failed:"; cat "$work/tshark.err"; exit 1
fi
# one "frame field value" line per non-empty value; long values shortened to 32 chars + length
echo "$fields" | tr ' \n' '\n\n' | grep -v '^$' >"$work/names"
awk -F '\t' 'NR == FNR { name[NR + 1] = $0; next }
	{ for (i = 2; i <= NF; i++) if ($i != "") {
		v = length($i) > 64 ? substr($i, 1, 32) "...(" length($i) ")" : $i
		print $1 " " name[i] " " v } }' \
	"$work/names" "$work/tshark.tsv" >"$work/got"
grep -v -e '^#' -e '^[[:space:]]*$' "$expected" >"$work/want"
if diff -u "$work/want" "$work/got"; then
	echo "oracle: $(wc -l <"$work/want") field values agree with tshark ($(tshark -v 2>/dev/null | head -1))"
	exit 0
fi
echo "oracle: tshark disagrees (- expected, + tshark); raw tshark output:"
cat "$work/tshark.tsv"
exit 1
