#!/usr/bin/env bash
# Install the Debian packages fivetrex needs to build, test and fuzz, but only the
# missing ones: one `apt-get update`, one `apt-get install`. Fast no-op when all are
# present. Needs root (uses sudo when available).
set -euo pipefail

packages=(
  cmake make gcc g++ clang pkg-config
  libcurl4-openssl-dev libjansson-dev libmicrohttpd-dev libcmocka-dev libssl-dev
  libinih-dev       # the CLI's profiles (config file)
  libjq-dev         # the CLI's --jq
  valgrind clang-format curl
  openssl           # the HTTPS tests make a self-signed certificate with the openssl command
  python3           # the CLI tests and the demo parse JSON output back with it
  python3-jsonschema  # the contract test (tests/contract) validates against the OpenAPI definition
  libclang-rt-dev   # libFuzzer and the sanitizer runtimes for clang
  abigail-tools binutils  # abidw/abidiff, readelf/objdump: the ABI check (docs/abi.md)
  debhelper dpkg-dev lintian   # the Debian packages (debian/, scripts/check-deb.sh)
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps.sh: not a Debian-like system (no dpkg); install these by hand:" >&2
  echo "  ${packages[*]}" >&2
  exit 1
fi

installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps.sh: all dependencies present"
  exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps.sh: need root to install: ${missing[*]}" >&2
  echo "  run as root, or install sudo, or: apt-get install ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  "${missing[@]}"
