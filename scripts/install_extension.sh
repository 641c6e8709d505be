#!/usr/bin/env bash
# Installs mlobs and its companion extensions into a PostgreSQL installation. `cargo pgrx install`
# copies only mlobs' own files (the shared library, mlobs.control, sql/mlobs--*.sql); the pure-SQL
# companion extensions under extensions/<name>/ (mlobs_demo: the demo and test data generator, which
# production databases do not install) are copied next to them here. Every place that installs the
# extension (tests, demo, benches, the Dockerfile, the docs) calls this script.
#
#   scripts/install_extension.sh [--release] [--pg-config PATH]
#       cargo pgrx install [--release] --pg-config PATH, then extensions/*/ into PATH's sharedir
#   scripts/install_extension.sh --package DIR [--pg-config PATH]
#       cargo pgrx package --out-dir DIR (a release build), with extensions/*/ added under DIR
#
# PATH defaults to /usr/lib/postgresql/15/bin/pg_config. CARGO_TARGET_DIR is honoured (cargo).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
release=()
package=""
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --release) release=(--release) ;;
    --pg-config) [ $# -ge 2 ] || { usage; exit 2; }; PG_CONFIG=$2; shift ;;
    --pg-config=*) PG_CONFIG=${1#*=} ;;
    --package) [ $# -ge 2 ] || { usage; exit 2; }; package=$2; shift ;;
    --package=*) package=${1#*=} ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install_extension.sh: unknown argument: $1" >&2; usage; exit 2 ;;
  esac
  shift
done
export PATH="$HOME/.cargo/bin:$PATH"

EXTDIR="$("$PG_CONFIG" --sharedir)/extension"
if [ -n "$package" ]; then
  cargo pgrx package --pg-config "$PG_CONFIG" --out-dir "$package"
  dest="$package$EXTDIR"
else
  cargo pgrx install "${release[@]}" --pg-config "$PG_CONFIG"
  dest="$EXTDIR"
fi

# The companion extensions: each folder holds <name>.control and its <name>--*.sql scripts.
mkdir -p "$dest"
for dir in extensions/*/; do
  name=$(basename "$dir")
  [ -f "$dir$name.control" ] || { echo "install_extension.sh: $dir has no $name.control" >&2; exit 1; }
  install -m 644 "$dir$name.control" "$dir$name"--*.sql "$dest/"
  echo "installed companion extension $name into $dest"
done
