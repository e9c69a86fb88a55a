#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: SoftHSM2 (PKCS#11 tests), openssl and
# faketime (OpenSSL's own TSA, run at fixed times, for the timestamp tests), and the
# Python packages of the interoperability tests in a virtual environment under target/py
# (stock Debian refuses `pip install` outside one, and its python3-jwcrypto is too old).
# Idempotent; safe to run again. Tests find the venv's python through tests/common/python.rs.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
apt_install() {
  echo "setup: installing $* (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

need_apt=()
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need_apt+=(softhsm2)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v python3 >/dev/null || need_apt+=(python3)
command -v faketime >/dev/null || need_apt+=(faketime)
if [ ${#need_apt[@]} -gt 0 ]; then apt_install "${need_apt[@]}"; fi

# One venv for every Python test dependency (jwcrypto here; other tests add theirs to
# requirements below). Its place is fixed: ${CARGO_TARGET_DIR:-target}/py.
venv="${CARGO_TARGET_DIR:-target}/py"
requirements=('jwcrypto>=1.5,<2')
if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv"
  fi
fi
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}" 2>/dev/null; then
  # An interrupted install can leave the venv half made: start it again once.
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
fi
echo "setup: softhsm2 $(softhsm2-util --version 2>/dev/null || echo missing), $(openssl version), faketime $(command -v faketime >/dev/null && echo present || echo missing), python venv $venv: jwcrypto $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("jwcrypto"))')"
