#!/usr/bin/env bash
# Fuzzes every model decoder (fuzz/fuzz_targets/decode_*.rs), every summary deserializer,
# binary and text (summary_bytes, summary_text: all 14 stored/aggregate-state types), and the
# training entry (train: arbitrary small datasets and parameters), for a
# bounded time each; exits non-zero if any target crashes (panic, abort, OOM, timeout).
#
#   scripts/fuzz.sh [seconds_per_target]     (default 60)
#
# Works on stable rustc: `--sanitizer none` keeps cargo-fuzz from passing the nightly-only
# -Zsanitizer/-Zbuild-std flags; the remaining flags (sancov passes, --cfg fuzzing, debug
# assertions and overflow checks) are stable. libFuzzer's C++ runtime is built by
# libfuzzer-sys with the system C++ compiler (clang++ or g++). Without a sanitizer libFuzzer has
# no malloc hooks, so -malloc_limit_mb is not enforced: memory blow-ups are caught by
# -rss_limit_mb (sampled once a second), panics by libfuzzer-sys's abort-on-panic hook.
#
# The seed corpora fuzz/corpus/<target>/ are read-only inputs: new inputs go to a scratch
# directory, crashes to fuzz/artifacts/<target>/ (reproduce with
# `cargo fuzz run --sanitizer none <target> fuzz/artifacts/<target>/<file>`).
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
CARGO_FUZZ_VERSION="0.13.2"
TARGETS=(decode_xgboost decode_lightgbm decode_sklearn decode_linear summary_bytes summary_text train)
# Per-input limits: a hostile model must be rejected or evaluated well within these.
RSS_LIMIT_MB="${FUZZ_RSS_LIMIT_MB:-2048}"
TIMEOUT_S="${FUZZ_TIMEOUT_S:-10}"

cd "$(dirname "$0")/.."

if ! [[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [seconds_per_target]" >&2
    exit 2
fi

if ! cargo fuzz --version 2>/dev/null | grep -q "cargo-fuzz ${CARGO_FUZZ_VERSION}\b"; then
    echo "==> installing cargo-fuzz ${CARGO_FUZZ_VERSION}"
    cargo install --locked cargo-fuzz --version "=${CARGO_FUZZ_VERSION}"
fi

FUZZ_FLAGS=(--sanitizer none)
# libfuzzer-sys compiles libFuzzer with the default C++ compiler; clang++ (installed with clang)
# stands in when no `c++` is installed.
if ! command -v c++ >/dev/null 2>&1 && [ -z "${CXX:-}" ]; then export CXX=clang++; fi

echo "==> building fuzz targets"
cargo fuzz build "${FUZZ_FLAGS[@]}"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

failed=()
for t in "${TARGETS[@]}"; do
    echo "==> fuzzing $t for ${SECONDS_PER_TARGET}s"
    mkdir -p "$scratch/$t"
    # The first corpus directory receives new inputs; the seed corpus is only read.
    if ! cargo fuzz run "${FUZZ_FLAGS[@]}" "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" \
        -rss_limit_mb="$RSS_LIMIT_MB" \
        -timeout="$TIMEOUT_S" \
        -dict=fuzz/json.dict \
        -print_final_stats=1; then
        failed+=("$t")
    fi
done

if ((${#failed[@]})); then
    echo "==> FAILED: ${failed[*]} (reproducers in fuzz/artifacts/)" >&2
    exit 1
fi
echo "==> all ${#TARGETS[@]} targets ran ${SECONDS_PER_TARGET}s without a crash"
