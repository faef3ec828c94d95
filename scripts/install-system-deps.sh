#!/usr/bin/env bash
# Installs the Debian packages that the tests and `npm run start:nginx` need: nginx (with the auth_request
# module), Chromium (driven by playwright-core, never a downloaded browser build) and the PostgreSQL 15
# server binaries.
# Run as root. Does nothing when both are already installed; runs `apt-get update` at most once.
set -euo pipefail

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
# PostgreSQL 15 server binaries for the PostgreSQL variants of `npm test` (each test run starts its own
# throw-away cluster; nothing here uses a system-wide server).
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: nginx, chromium and postgresql-15 are already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: missing ${missing[*]}; run this script as root (it uses apt-get)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run instead of failing on its lock.
apt_opts=(-o DPkg::Lock::Timeout=300)
echo "install-system-deps: installing ${missing[*]}"
apt-get "${apt_opts[@]}" update
apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"

# Debian's package starts a system nginx on port 80 in some setups; nothing here uses it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl stop nginx || true
elif [ -f /run/nginx.pid ]; then
  /usr/sbin/nginx -s quit 2>/dev/null || true
fi
echo "install-system-deps: done"
