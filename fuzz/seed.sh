#!/bin/sh
# Seeds fuzz/corpus/l3_pipeline with the kernel lit inputs (one file per `// -----`
# chunk) and the L3 of the examples, unplanned and planned. Needs `cargo build --bins`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
opt="$root/target/debug/joinery-opt"
out="$root/fuzz/corpus/l3_pipeline"
mkdir -p "$out"
for f in "$root"/lit-tests/kernel/*.mlir "$root"/lit-tests/kernel/Inputs/*.mlir; do
    awk -v base="$out/$(basename "$f" .mlir)" '
        /^\/\/ -----$/ { n++; next }
        { print > (base "-" n ".mlir") }' n=0 "$f"
done
for f in "$root"/examples/*.mlir; do
    name=$(basename "$f" .mlir)
    "$opt" "$f" --aot-partition --aten-decompose=strict=true --cse --convert-aten-to-kernel \
        > "$out/$name-l3.mlir"
    "$opt" "$out/$name-l3.mlir" --kernel-fuse --kernel-plan-memory > "$out/$name-planned.mlir"
done
ls "$out" | wc -l
