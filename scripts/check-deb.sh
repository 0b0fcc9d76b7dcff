#!/usr/bin/env bash
# CI step (make deb-check, part of make check): build the Debian packages, lint them,
# install them with apt-get, use them the way a user would, and remove them again.
#
#   1. copy the tree (tracked and untracked-but-not-ignored files) to a temporary
#      directory and run `dpkg-buildpackage -us -uc -b` there, with nocheck (make check
#      has already run the suite), so ../*.deb lands in the temporary directory, not
#      next to the repository;
#   2. lintian on the result: any error fails;
#   3. apt-get install ./*.deb;
#   4. compile the README's quick-start program with `pkg-config --cflags --libs
#      fivetrex` against the installed libfivetrex-dev and run it, and run the installed
#      `fivetrex groups list`, both against the installed `fivetrex-sandbox` on 127.0.0.1;
#   5. apt-get purge the four packages (also on failure), so the rest of CI is unaffected.
#
# KEEP=1 keeps the temporary directory (the .deb files) and prints its path.
# Needs root or sudo (apt-get), debhelper, dpkg-dev, lintian (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
src=$PWD

pkgs=(libfivetrex0 libfivetrex-dev fivetrex fivetrex-sandbox)
if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "check-deb: needs root or sudo to install the packages" >&2
    exit 1
fi
for tool in dpkg-buildpackage dh lintian pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "check-deb: $tool is missing (scripts/install-deps.sh installs it)" >&2
        exit 1
    }
done
for p in "${pkgs[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]]; then
        echo "check-deb: $p is already installed; refusing to replace and then purge it" >&2
        exit 1
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fivetrex-deb.XXXXXX")
sbx_pid=""
installed=0
cleanup() {
    local rc=$?
    [[ -n $sbx_pid ]] && kill "$sbx_pid" 2>/dev/null && wait "$sbx_pid" 2>/dev/null
    if [[ $installed == 1 ]]; then
        echo "== apt-get purge ${pkgs[*]}"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${pkgs[@]}" \
            >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log" >&2; rc=1; }
    fi
    if [[ ${KEEP:-0} == 1 ]]; then
        echo "check-deb: kept $tmp"
    else
        rm -rf "$tmp"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
tree="$tmp/fivetrex-$version"
mkdir -p "$tree"
echo "== copy the source tree to $tree"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$src" ls-files -z --cached --others --exclude-standard |
        (cd "$src" && xargs -0 cp --parents -t "$tree" 2>/dev/null || true)
else # not a git checkout: everything but build directories
    tar -C "$src" --exclude='./build*' --exclude='./obj-*' --exclude='./_install*' -cf - . |
        tar -C "$tree" -xf -
fi
[[ -f $tree/debian/rules ]] || { echo "check-deb: copying the tree failed" >&2; exit 1; }

echo "== dpkg-buildpackage -us -uc -b (DEB_BUILD_OPTIONS=nocheck)"
jobs=$(nproc 2>/dev/null || echo 2)
(cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$jobs" dpkg-buildpackage -us -uc -b) \
    >"$tmp/build.log" 2>&1 || { tail -n 60 "$tmp/build.log" >&2; exit 1; }
debs=()
for p in "${pkgs[@]}"; do
    d=$(ls "$tmp/${p}_"*.deb 2>/dev/null | head -n 1)
    [[ -n $d ]] || { echo "check-deb: no $p package" >&2; exit 1; }
    debs+=("$d")
done
for d in "${debs[@]}"; do
    echo "   $(basename "$d"): $(dpkg-deb -c "$d" | grep -vc '/$') files"
done

echo "== lintian"
if ! lintian --info "$tmp"/*.changes >"$tmp/lintian.log" 2>&1; then
    cat "$tmp/lintian.log"
    echo "check-deb: lintian reported errors" >&2
    exit 1
fi
cat "$tmp/lintian.log"

echo "== apt-get install ./<the four>.deb (not the -dbgsym ones)"
installed=1
(cd "$tmp" && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${debs[@]/#$tmp/.}") \
    >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; exit 1; }
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='   ${Package} ${Version} ${Status}\n' "$p"
done

echo "== start the installed fivetrex-sandbox on 127.0.0.1"
/usr/bin/fivetrex-sandbox --port 0 --seed demo >"$tmp/sandbox.out" 2>"$tmp/sandbox.err" &
sbx_pid=$!
url=""
for ((i = 0; i < 200; i++)); do
    url=$(head -n 1 "$tmp/sandbox.out" 2>/dev/null || true)
    [[ $url == http://127.0.0.1:* ]] && break
    kill -0 "$sbx_pid" 2>/dev/null || { cat "$tmp/sandbox.err" >&2; exit 1; }
    sleep 0.05
done
[[ $url == http://127.0.0.1:* ]] || { echo "check-deb: the sandbox printed no URL" >&2; exit 1; }
echo "   $url"
export FIVETRAN_BASE_URL=$url FIVETRAN_API_KEY=deb_check_key
export FIVETRAN_API_SECRET=deb-check-secret-never-printed

echo "== the README's quick start, built with pkg-config against libfivetrex-dev"
awk '/^## Quick start in C/ {on = 1; next}
     on && /^```c/ {code = 1; next}
     code && /^```/ {exit}
     code {print}' README.md >"$tmp/quickstart.c"
grep -q 'ftx_client_new' "$tmp/quickstart.c" ||
    { echo "check-deb: no quick-start program found in README.md" >&2; exit 1; }
flags=$(pkg-config --cflags --libs fivetrex)
echo "   pkg-config --cflags --libs fivetrex: $flags"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/quickstart" "$tmp/quickstart.c" $flags
# ldd's output is read whole first: `ldd | grep -q` under pipefail fails when grep exits at
# its match and ldd, still writing, dies of SIGPIPE.
deps=$(ldd "$tmp/quickstart")
grep -Eq "libfivetrex.so.0 => (/usr)?/lib/" <<<"$deps" ||
    { echo "$deps" >&2; echo "check-deb: not linked to the installed library" >&2; exit 1; }
"$tmp/quickstart" >"$tmp/quickstart.out"
grep -q '^decent_dropsy Primary_Snowflake$' "$tmp/quickstart.out" ||
    { cat "$tmp/quickstart.out" >&2; echo "check-deb: quick start: wrong output" >&2; exit 1; }
echo "   quick start listed $(wc -l <"$tmp/quickstart.out") groups"

echo "== the installed fivetrex CLI against the installed sandbox"
grep -Eq "libfivetrex.so.0 => (/usr)?/lib/" <<<"$(ldd /usr/bin/fivetrex)" ||
    { echo "check-deb: /usr/bin/fivetrex does not use libfivetrex0" >&2; exit 1; }
/usr/bin/fivetrex --version
/usr/bin/fivetrex -o json groups list >"$tmp/groups.out"
grep -q '"decent_dropsy"' "$tmp/groups.out" ||
    { cat "$tmp/groups.out" >&2; echo "check-deb: fivetrex groups list: wrong output" >&2; exit 1; }
echo "   fivetrex groups list: $(wc -l <"$tmp/groups.out") groups"
[[ -f /usr/share/man/man1/fivetrex.1.gz && -f /usr/share/man/man1/fivetrex-sandbox.1.gz ]]
[[ -f /usr/share/bash-completion/completions/fivetrex ]]
if grep -qr "deb-check-secret" "$tmp"/*.out; then
    echo "check-deb: the API secret reached the output" >&2
    exit 1
fi
echo "check-deb: OK"
