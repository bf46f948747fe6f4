#!/usr/bin/env bash
# exported_symbols.sh <libdcb.so> [<adapter.so>...] — only libdcb's public API may be exported: an application with its own
# RapidJSON (or another copy of anything libdcb uses inside) must never bind to ours, and dcb::detail is not
# an interface anyone may link against. Exceptions must stay catchable across the library boundary, so their
# type_info has to be exported.
set -euo pipefail

# check <library>: prints the count; fails on anything outside namespace dcb and on internals
check() {
	local symbols count bad inner status=0
	symbols=$(nm -D --defined-only -C "$1" | sed -E 's/^[0-9a-f]+ [A-Za-z] //')
	count=$(printf '%s\n' "$symbols" | grep -c .)
	echo "$1 exports $count symbols"
	bad=$(printf '%s\n' "$symbols" |
		grep -Ev '^((typeinfo|typeinfo name|vtable|VTT) for |(non-virtual |virtual )?thunk to )?dcb::' |
		grep -Ev '^(_init|_fini|_edata|_end|__bss_start)$' || true)
	inner=$(printf '%s\n' "$symbols" | grep -E 'dcb::detail|rapidjson' || true)
	if [ -n "$bad" ]; then
		echo "exported but not libdcb's API ($(printf '%s\n' "$bad" | wc -l)):"
		printf '%s\n' "$bad" | head -40
		status=1
	fi
	if [ -n "$inner" ]; then
		echo "internals exported ($(printf '%s\n' "$inner" | wc -l)):"
		printf '%s\n' "$inner" | head -40
		status=1
	fi
	return $status
}

lib=$1
shift
status=0
check "$lib" || status=1
symbols=$(nm -D --defined-only -C "$lib")
for needed in 'dcb::EventStore::connect(' 'typeinfo for dcb::ConcurrencyConflict' 'typeinfo for dcb::Error' \
	'vtable for dcb::Backend' 'dcb::builder::EmptyItem::any_event_type_of(' 'dcb::new_uuid'; do
	if ! printf '%s\n' "$symbols" | grep -qF "$needed"; then
		echo "missing from the exported API: $needed"
		status=1
	fi
done
# the adapters
for adapter in "$@"; do
	check "$adapter" || status=1
done
exit $status
