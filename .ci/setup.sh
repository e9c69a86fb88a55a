#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: SoftHSM2 (PKCS#11 tests), openssl and
# faketime (OpenSSL's TSA for the timestamp tests) and the Python JOSE library used for
# interoperability tests. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need_apt+=(softhsm2)
command -v openssl >/dev/null || need_apt+=(openssl)
# The timestamp tests run OpenSSL's own TSA (openssl ts -reply) at fixed times under faketime.
command -v faketime >/dev/null || need_apt+=(faketime)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} (apt)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import jwcrypto' 2>/dev/null; then
  echo "setup: installing jwcrypto (pip)"
  python3 -m pip install --quiet --disable-pip-version-check 'jwcrypto>=1.5,<2'
fi
echo "setup: softhsm2 $(softhsm2-util --version 2>/dev/null || echo missing), jwcrypto $(python3 -c 'import jwcrypto,importlib.metadata as m; print(m.version("jwcrypto"))')"
