#!/usr/bin/env bash
# Installs SoftHSM2 (Debian package `softhsm2`) for the PKCS#11 tests, once.
# Idempotent: does nothing when the module is already there; runs `apt-get update`
# only when the package is not known to apt yet.
set -euo pipefail

MODULE=/usr/lib/softhsm/libsofthsm2.so

if [ -e "$MODULE" ]; then
    echo "install-softhsm: $MODULE already present, nothing to do"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show softhsm2 >/dev/null 2>&1; then
    echo "install-softhsm: package softhsm2 unknown to apt, running apt-get update"
    $SUDO apt-get update -q
fi

echo "install-softhsm: installing softhsm2"
$SUDO apt-get install -y -q softhsm2

if [ ! -e "$MODULE" ]; then
    echo "install-softhsm: softhsm2 installed but $MODULE is missing" >&2
    exit 1
fi
echo "install-softhsm: installed $MODULE"
