#!/usr/bin/env bash
# Install the current build into a temporary prefix, then build and run a small
# program against it, the way a user would.
#   run.sh pkgconfig|cmake <build-dir> <source-dir> <c-compiler> [extra flags...]
# Extra flags (e.g. -fsanitize=address,undefined) are added to the compile and link
# of the consumer: a sanitizer build of the library needs the sanitizer runtime.
set -euo pipefail

mode="$1"; build="$2"; src="$3"; cc="$4"; shift 4
extra=("$@")

tmp="$(mktemp -d "${TMPDIR:-/tmp}/ftx-install-$mode.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" || {
  cat "$tmp/install.log" >&2; exit 1; }

pcdir="$(dirname "$(find "$prefix" -name fivetrex.pc -print -quit)")"
if [[ -z "$pcdir" || ! -f "$pcdir/fivetrex.pc" ]]; then
  echo "fivetrex.pc was not installed under $prefix" >&2; exit 1
fi
libdir="$(dirname "$pcdir")"

case "$mode" in
pkgconfig)
  export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  flags="$(pkg-config --cflags --libs fivetrex)"
  echo "pkg-config --cflags --libs fivetrex: $flags"
  # shellcheck disable=SC2086
  "$cc" -std=c11 -Wall -Wextra -Werror ${extra[@]+"${extra[@]}"} \
    -o "$tmp/consumer" "$src/tests/install/consumer/main.c" $flags
  LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/consumer"
  # The static archive links with the private dependencies named in the .pc
  # (shared versions: Debian ships no static libcurl dependency chain).
  private="$(sed -n 's/^Requires.private: *//p' "$pcdir/fivetrex.pc" | tr -d ',')"
  # shellcheck disable=SC2086
  sflags="$(pkg-config --cflags fivetrex) $libdir/libfivetrex.a $(pkg-config --libs jansson $private) -lpthread"
  # shellcheck disable=SC2086
  "$cc" -std=c11 -Wall -Wextra -Werror ${extra[@]+"${extra[@]}"} -o "$tmp/consumer_static" \
    "$src/tests/install/consumer/main.c" $sflags
  "$tmp/consumer_static"
  ;;
cmake)
  joined="${extra[*]+"${extra[*]}"}"
  cmake -S "$src/tests/install/consumer" -B "$tmp/build" -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="$joined" \
    -DCMAKE_EXE_LINKER_FLAGS="$joined" >"$tmp/configure.log" || {
    cat "$tmp/configure.log" >&2; exit 1; }
  cmake --build "$tmp/build" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
  "$tmp/build/consumer"
  "$tmp/build/consumer_static"
  ;;
*)
  echo "usage: $0 pkgconfig|cmake <build-dir> <source-dir> <c-compiler> [flags...]" >&2
  exit 2
  ;;
esac
echo "install.$mode: OK"
