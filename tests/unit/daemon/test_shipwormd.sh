#!/bin/sh
# test_shipwormd.sh: shipwormd's command line without privileges: -n on Debian's miredo
# files, every error of a bad file with its line and a non-zero exit, -nv printing a
# configuration that checks again, usage errors; and the man pages naming every
# directive and option the program has.
# usage: test_shipwormd.sh SHIPWORMD DATA_DIR DOC_DIR
set -u
SWD=$1
DATA=$2
DOC=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for f in miredo.conf miredo-server.conf; do
	"$SWD" -n -c "$DATA/$f" >"$T/out" 2>&1 || fail "-n refused $f: $(cat "$T/out")"
	grep -q "^configuration OK$" "$T/out" || fail "-n $f: no 'configuration OK'"
done

printf 'RelayType relay\nBindPort 70000\n# fine\nNope 1\nInterfaceMTU\n' >"$T/bad.conf"
"$SWD" -n -c "$T/bad.conf" >"$T/out" 2>&1
[ $? = 1 ] || fail "-n on a bad file did not exit 1"
for want in "bad.conf:2: BindPort: '70000' is out of range (0 to 65535)" \
	"bad.conf:4: unknown directive 'Nope'" "bad.conf:5: 'InterfaceMTU' needs a value"; do
	grep -qF "$want" "$T/out" || fail "-n: missing '$want' in: $(cat "$T/out")"
done
"$SWD" -c "$T/bad.conf" -f >"$T/out" 2>&1 && fail "started with a bad file"
grep -q "configuration refused" "$T/out" || fail "no 'configuration refused'"
"$SWD" -n -c "$T/absent.conf" >"$T/out" 2>&1 && fail "-n accepted a missing file"
grep -q "absent.conf: No such file or directory" "$T/out" || fail "missing file not named"

# -nv prints every directive of the role; what it prints checks again and prints the same
for role in "ServerAddress 192.0.2.1" "RelayType relay" "ServerBindAddress 192.0.2.10" \
	"RelayType host-relay"; do
	printf '%s\n' "$role" >"$T/r.conf"
	"$SWD" -nv -c "$T/r.conf" 2>/dev/null | grep -v "^configuration OK$" >"$T/r1.conf" ||
		fail "-nv '$role'"
	"$SWD" -nv -c "$T/r1.conf" 2>/dev/null | grep -v "^configuration OK$" >"$T/r2.conf" ||
		fail "-nv of the printed '$role'"
	cmp -s "$T/r1.conf" "$T/r2.conf" || fail "-nv not stable for '$role'"
	cat "$T/r1.conf" >>"$T/all"
done

# every directive printed is documented in shipwormd.conf(5)
for d in $(awk '{print $1}' "$T/all" | sort -u); do
	grep -q "^\.BI\{0,1\}R\{0,1\} $d\b" "$DOC/shipwormd.conf.5" ||
		grep -q "^\.B $d\b" "$DOC/shipwormd.conf.5" ||
		fail "directive $d not documented in shipwormd.conf.5"
done
# every long option of --help is in shipwormd(8)
"$SWD" --help >"$T/help" || fail "--help"
for o in $(grep -o -- "--[a-z-]*" "$T/help" | sort -u); do
	esc=$(echo "$o" | sed 's/-/\\\\-/g')
	grep -q -- "$esc" "$DOC/shipwormd.8" || fail "option $o not in shipwormd.8"
done
"$SWD" --version | grep -q "^shipwormd [0-9]" || fail "--version"
"$SWD" --bogus >/dev/null 2>&1
[ $? = 2 ] || fail "a usage error did not exit 2"
"$SWD" -c x extra >/dev/null 2>&1
[ $? = 2 ] || fail "an extra argument did not exit 2"

[ $fails = 0 ] || exit 1
echo "ok"
