#!/bin/sh
# doc/shipworm.1 keeps in step with `shipworm --help`: every verb has a section, every
# option of every verb's usage is documented. Usage: test_cli_manpage.sh SHIPWORM MANPAGE
set -u
SW=$1
MAN=$2
fail=0
verbs=$("$SW" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
[ -n "$verbs" ] || { echo "FAIL: no verbs in --help"; exit 1; }
for v in $verbs; do
	grep -qx "\.SS $v" "$MAN" || { echo "FAIL: verb $v has no section in $MAN"; fail=1; }
	for opt in $("$SW" help "$v" | grep -o -- '--[a-z][a-z]*' | sort -u); do
		esc=$(echo "$opt" | sed 's/-/\\\\-/g')
		grep -q -- "$esc" "$MAN" || { echo "FAIL: $v option $opt not in $MAN"; fail=1; }
	done
done
for opt in --help --version; do
	grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$MAN" || { echo "FAIL: $opt"; fail=1; }
done
[ $fail = 0 ] && echo "all ok: $(echo $verbs)"
exit $fail
