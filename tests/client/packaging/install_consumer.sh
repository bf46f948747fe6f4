#!/usr/bin/env bash
# install_consumer.sh <source dir> <build dir> <work dir> <c++ compiler> "<adapters>" — libdcb as a distribution
# would install it: configured with CMAKE_INSTALL_PREFIX=/usr (Debian's multiarch libdir), installed into a
# DESTDIR staging directory by a plain `cmake --install`, then used by a consumer through find_package(dcb)
# and through pkg-config (libdcb and each adapter). A plain install of the project's own build (which has
# the demo programs built) must not install them; it installs the dcb command line tool, a user tool.
set -euo pipefail
src=$1 build=$2 work=$3 cxx=$4 adapters=${5:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$work"
mkdir -p "$work"
multiarch=$("$cxx" -print-multiarch)
[ -n "$multiarch" ] || { echo "the compiler knows no multiarch triplet"; exit 1; }
stage=$work/stage
libdir=$stage/usr/lib/$multiarch
fail() { echo "FAILED: $*"; exit 1; }

echo "--- a plain install of the build tree installs no programs but the dcb tool"
cmake --install "$build" --prefix "$work/plain" >"$work/plain.log"
if [ "$(ls "$work/plain/bin" 2>/dev/null)" != dcb ]; then
	ls -l "$work/plain/bin"
	fail "cmake --install put other programs than dcb into bin/ (or not dcb)"
fi
[ -e "$work/plain/include/dcb/dcb.hpp" ] || fail "the plain install has no headers"

echo "--- configure with CMAKE_INSTALL_PREFIX=/usr, build the libraries, install into $stage"
cmake -S "$src" -B "$work/build" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_COMPILER="$cxx" \
	-DDCB_BUILD_TESTS=OFF >"$work/configure.log" || { tail -30 "$work/configure.log"; fail "configure"; }
cmake --build "$work/build" -j2 --target dcb_client_libraries >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail "build"; }
DESTDIR=$stage cmake --install "$work/build" >"$work/install.log" || { tail -30 "$work/install.log"; fail "install"; }
[ -e "$libdir/libdcb.so" ] || fail "libdcb.so is not in /usr/lib/$multiarch"
[ -e "$stage/usr/include/dcb/dcb.hpp" ] || fail "the headers are not in /usr/include"
[ "$(ls "$stage/usr/bin" 2>/dev/null)" = dcb ] || fail "the install did not put the dcb tool, and only it, into /usr/bin"
LD_LIBRARY_PATH=$libdir "$stage/usr/bin/dcb" --help | grep -q '^usage: dcb head' || fail "the installed dcb tool does not run"

echo "--- pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig
for pc in dcb $(for a in $adapters; do echo "dcb-$a"; done); do
	[ -e "$libdir/pkgconfig/$pc.pc" ] || fail "no $pc.pc in /usr/lib/$multiarch/pkgconfig"
	pkg-config --exists --print-errors "$pc" || fail "pkg-config cannot use $pc.pc"
done
includedir=$(realpath -m "$(pkg-config --variable=includedir dcb)")
pc_libdir=$(realpath -m "$(pkg-config --variable=libdir dcb)")
echo "includedir=$includedir libdir=$pc_libdir"
[ "$includedir" = "$(realpath "$stage/usr/include")" ] || fail "dcb.pc: includedir is $includedir"
[ "$pc_libdir" = "$(realpath "$libdir")" ] || fail "dcb.pc: libdir is $pc_libdir"
mkdir -p "$work/pc"
# shellcheck disable=SC2046 # pkg-config prints several words
"$cxx" -Wall -Wextra -Werror "$here/consumer/consumer.cpp" $(pkg-config --cflags --libs dcb) -o "$work/pc/consumer" ||
	fail "the consumer does not build with pkg-config"
LD_LIBRARY_PATH=$libdir "$work/pc/consumer" | tee "$work/pc/out.txt"
grep -q '^caught 40001$' "$work/pc/out.txt" || fail "the consumer (pkg-config) did not run"
for a in $adapters; do
	# shellcheck disable=SC2046
	"$cxx" -Wall -Wextra -Werror "$here/consumer/consumer_$a.cpp" $(pkg-config --cflags --libs "dcb-$a") -o "$work/pc/consumer_$a" ||
		fail "the $a consumer does not build with pkg-config dcb-$a"
	LD_LIBRARY_PATH=$libdir "$work/pc/consumer_$a" >/dev/null || fail "the $a consumer (pkg-config) did not run"
	echo "ok: dcb-$a"
done

echo "--- find_package(dcb)"
cmake -S "$here/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$stage/usr" -DCMAKE_CXX_COMPILER="$cxx" \
	"-DDCB_ADAPTERS=$(echo $adapters | tr ' ' ';')" >"$work/cmake.log" || { tail -30 "$work/cmake.log"; fail "find_package(dcb)"; }
cmake --build "$work/cmake" -j2 >"$work/cmake-build.log" 2>&1 || { tail -30 "$work/cmake-build.log"; fail "the find_package consumer does not build"; }
LD_LIBRARY_PATH=$libdir "$work/cmake/consumer" | grep -q '^caught 40001$' || fail "the consumer (find_package) did not run"
"$work/cmake/consumer_static" | grep -q '^caught 40001$' || fail "the static consumer (find_package) did not run"
for a in $adapters; do
	LD_LIBRARY_PATH=$libdir "$work/cmake/consumer_$a" >/dev/null || fail "the $a consumer (find_package) did not run"
done
echo "installed libdcb works for consumers (adapters: ${adapters:-none})"
