#!/bin/sh
# Build every fuzz target once, then run each for SECONDS (default 180), one after another and
# one process each (the machine is shared). Seeds: `python3 seeds.py` first.
# Logs: fuzz/logs/<target>.log. Extra targets to run may be named after SECONDS.
set -u
cd "$(dirname "$0")"
seconds=${1:-180}
shift 2>/dev/null || true
targets=${*:-parse_xml parse_json parse_cbor client_parse_s3 eventstream serialize endpoint jmespath http1}
cargo +nightly fuzz build || exit 1
mkdir -p logs
for target in $targets; do
    mkdir -p "corpus/$target"
    ./target/x86_64-unknown-linux-gnu/release/"$target" "corpus/$target" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        > "logs/$target.log" 2>&1
    echo "$target: exit $? $(grep -E '^Done' "logs/$target.log")"
done
