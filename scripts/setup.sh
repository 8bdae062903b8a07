#!/usr/bin/env bash
# Installs what building and testing xenplan needs on Debian 12 (run as root, or with
# sudo available). Safe to run again: it installs only what is missing.
set -euo pipefail

# dpkg-dev and debootstrap: `make deb` and `make deb-test` (the Debian package, and a
# clean Debian 12 root to install it into). libyaml-dev: the manifest parser, linked from
# its static archive, so that no host needs libyaml.
packages=(libxen-dev libyaml-dev make time xenstore-utils openssh-server openssh-client dpkg-dev debootstrap)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH (xenplan needs Swift 6)" >&2; exit 1; }
