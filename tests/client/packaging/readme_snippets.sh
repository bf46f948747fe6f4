#!/usr/bin/env bash
# readme_snippets.sh <README.md> <include dir> <work dir> <compiler>... — every ```cpp block of the README is
# a complete translation unit that compiles warning-free under -Wall -Wextra -Werror with each compiler:
# what users copy first must not break their builds.
set -euo pipefail
readme=$1 include=$2 work=$3
shift 3
mkdir -p "$work"
rm -f "$work"/snippet_*.cpp
awk -v dir="$work" '
	/^```cpp[[:space:]]*$/ { n++; file = sprintf("%s/snippet_%d.cpp", dir, n); inside = 1; next }
	/^```/ && inside { inside = 0; close(file); next }
	inside { print > file }
' "$readme"
snippets=("$work"/snippet_*.cpp)
[ -e "${snippets[0]}" ] || { echo "no cpp snippets in $readme"; exit 1; }
status=0
for cxx in "$@"; do
	if ! command -v "$cxx" >/dev/null; then
		echo "compiler not found: $cxx (scripts/install-deps installs it)"
		status=1
		continue
	fi
	for s in "${snippets[@]}"; do
		if "$cxx" -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I"$include" "$s" 2>"$s.$(basename "$cxx").log"; then
			echo "ok: $(basename "$s") with $cxx"
		else
			echo "FAILED: $(basename "$s") with $cxx:"
			cat -n "$s"
			head -30 "$s.$(basename "$cxx").log"
			status=1
		fi
	done
done
exit $status
