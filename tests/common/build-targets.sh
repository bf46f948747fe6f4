# tests/common/build-targets.sh — sourced by the run scripts of tests/concurrency, tests/crash and
# tests/fuzz: builds the named targets in the root CMake tree (build/, or $DCB_BUILD_DIR), configuring it
# first when it does not exist yet. Sets $build to the tree's directory.
#
#   . "$repo/tests/common/build-targets.sh"; build_targets "$repo" dcb_crash || exit 1
build_targets() {
	local repo=$1
	shift
	build=${DCB_BUILD_DIR:-$repo/build}
	local log
	log=$(mktemp)
	if { [ -f "$build/CMakeCache.txt" ] || cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo; } >"$log" 2>&1 &&
		cmake --build "$build" -j2 --target "$@" >>"$log" 2>&1; then
		rm -f "$log"
		return 0
	fi
	cat "$log" >&2
	rm -f "$log"
	echo "build of $* in $build failed" >&2
	return 1
}
