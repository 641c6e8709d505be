#!/usr/bin/env bash
# One install script for README, CI and the Dockerfile: takes a fresh Debian 12 (root, rustc 1.95)
# to a machine that can build, test and run mlobs. Idempotent; the second run only checks.
set -euo pipefail

PG_MAJOR=15
PG_CONFIG=/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config
PGRX_VERSION=0.18.1
APT_PACKAGES=(postgresql-${PG_MAJOR} postgresql-server-dev-${PG_MAJOR} postgresql-${PG_MAJOR}-cron
  postgresql-${PG_MAJOR}-pgtap clang libclang-dev sudo pkg-config libssl-dev make sqlsmith
  chromium fonts-dejavu-core)   # headless Chromium renders the HTML reports in tests/integration/report

log() { printf '[install] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Debian's postgresql-common would create and start a default cluster; we run our own clusters instead.
  as_root mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.d/mlobs.conf >/dev/null
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  # rustup installs cargo in ~/.cargo/bin, which non-login shells may not have on PATH.
  export PATH="$HOME/.cargo/bin:$PATH"
fi

if ! cargo pgrx --version 2>/dev/null | grep -q "$PGRX_VERSION"; then
  log "cargo install cargo-pgrx $PGRX_VERSION (about 5 minutes on 2 cores)"
  cargo install --locked cargo-pgrx --version "=$PGRX_VERSION"
fi

if ! grep -q "pg${PG_MAJOR}" "${PGRX_HOME:-$HOME/.pgrx}/config.toml" 2>/dev/null; then
  log "cargo pgrx init --pg${PG_MAJOR} $PG_CONFIG"
  cargo pgrx init --pg${PG_MAJOR} "$PG_CONFIG"
fi

log "ready: $(cargo pgrx --version), $($PG_CONFIG --version)"
