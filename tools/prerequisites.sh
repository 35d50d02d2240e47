#!/usr/bin/env bash
# Checks the tools that building and testing need (README "Prerequisites"), and installs with
# apt-get (as root, or through sudo) those that Debian packages provide.
# Usage: tools/prerequisites.sh [release|dist|test]
#   release: what `make release` needs; dist: and what `make dist` needs; test (default): everything.
set -euo pipefail
level=${1:-test}
packages=()  # Debian packages to install
missing=()   # what cannot be installed here

command -v swift >/dev/null || missing+=("a Swift 6 toolchain on PATH (https://www.swift.org/install)")
command -v strip >/dev/null || packages+=(binutils)
# The release build links FoundationNetworking statically, hence libcurl's development files.
if command -v dpkg >/dev/null && ! dpkg -s libcurl4-openssl-dev >/dev/null 2>&1; then packages+=(libcurl4-openssl-dev); fi
if [ "$level" != release ]; then
  if ! command -v python3 >/dev/null; then packages+=(python3 python3-venv python3-pip)
  else
    python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)
    python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
  fi
  if ! command -v node >/dev/null; then packages+=(nodejs)
  elif ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
    missing+=("Node 18 or newer (this is $(node --version))")
  fi
  command -v npm >/dev/null || packages+=(npm)
fi
if [ "$level" = test ]; then
  command -v jq >/dev/null || packages+=(jq)
fi
if [ ${#packages[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    echo "installing ${packages[*]}" >&2
    $sudo apt-get update -qq && $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
  else
    missing+=("${packages[@]} (Debian's package names; install your system's equivalents)")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  printf 'missing: %s\n' "${missing[@]}" >&2
  exit 1
fi
