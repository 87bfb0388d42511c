#!/bin/sh
# Seeds the fuzz corpora under fuzz/corpus/<target> (not committed; fuzz/regressions/<target>
# holds the committed minimized findings, which every run also reads):
# - parse, verify, interp: every .mlir of lit-tests/, examples/, tests/inputs/, the stored
#   zoo graphs (dialects/aot/partition/tests/zoo) and the native test graphs, one file per
#   `// -----` chunk;
# - pass: the same chunks, each prefixed by the byte that picks a pass (spread over them);
# - npy: the interpreter's .npy fixtures;
# - l3_pipeline: the kernel lit inputs and the L3 of the examples, unplanned and planned;
# - capi: a few well-formed calls (see fuzz_targets/capi.rs), plus the shared library it
#   calls into, fuzz/target/capi/mlp.so.
# Needs `cargo build -p joinery-opt -p joinery-translate`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tools=${JOINERY_TOOLS_DIR:-$root/target/debug}
corpus="$root/fuzz/corpus"

# split FILE OUTDIR: one file per `// -----` chunk of FILE.
split() {
    awk -v base="$2/$(basename "$(dirname "$1")")-$(basename "$1" .mlir)" '
        /^\/\/ -----$/ { n++; next }
        { print > (base "-" n ".mlir") }' n=0 "$1"
}

# bytes N...: the bytes of the decimal numbers N.
bytes() {
    for b in "$@"; do printf "\\$(printf '%03o' "$b")"; done
}

mkdir -p "$corpus/parse" "$corpus/pass" "$corpus/npy" "$corpus/l3_pipeline" "$corpus/capi"
find "$root/lit-tests" "$root/examples" "$root/tests/inputs" \
    "$root/dialects/aot/partition/tests/zoo" "$root/tools/native/tests/graphs" \
    -name '*.mlir' | while read -r f; do split "$f" "$corpus/parse"; done
for t in verify interp; do
    rm -rf "${corpus:?}/$t" && cp -r "$corpus/parse" "$corpus/$t"
done
i=0
for f in "$corpus"/parse/*; do
    { bytes $((i % 256)); cat "$f"; } > "$corpus/pass/$(basename "$f")"
    i=$((i + 7))
done
cp "$root"/dialects/aten/interp/fixtures/npy/*.npy "$corpus/npy/"

for f in "$root"/lit-tests/kernel/*.mlir "$root"/lit-tests/kernel/Inputs/*.mlir; do
    split "$f" "$corpus/l3_pipeline"
done
for f in "$root"/examples/*.mlir; do
    name=$(basename "$f" .mlir)
    "$tools/joinery-opt" "$f" --aot-partition --aten-decompose=strict=true --cse \
        --convert-aten-to-kernel > "$corpus/l3_pipeline/$name-l3.mlir"
    "$tools/joinery-opt" "$corpus/l3_pipeline/$name-l3.mlir" --kernel-fuse --kernel-plan-memory \
        > "$corpus/l3_pipeline/$name-planned.mlir"
done

# The C ABI target's libraries, and well-formed calls into them (layout in
# fuzz_targets/capi.rs): @indexed on f32[5,3], i64[4], i64[4]; the joint's forward on
# its four primals, then its backward on the loss tangent.
libs="$root/fuzz/target/capi"
mkdir -p "$libs"
"$tools/joinery-translate" "$root/fuzz/capi.mlir" --to-shared-lib "$libs/indexed.so"
"$tools/joinery-translate" "$root/examples/linear_relu_joint.mlir" --partition \
    --to-shared-lib "$libs/linear_relu.so"
bytes 0 3 2 0  0 2 2 0 5 3  0 1 0 1 4  0 1 0 1 4 \
    1 2 3 4 5 6 7 8 9 10 11 12 13 14 15  0 4 2 1  0 1 2 2 > "$corpus/capi/indexed"
bytes 0 3 2 0  0 2 2 0 5 3  0 1 0 1 4  0 1 0 1 4 \
    1 2 3 4 5 6 7 8 9 10 11 12 13 14 15  0 5 2 1  0 3 2 255 > "$corpus/capi/indexed-range"
bytes 1 4 2 0  0 2 2 0 2 3  0 1 2 0 2  0 0 2 0  0 2 2 0 4 3 \
    1 2 3 4 5 6 7 8 16 0 1 2 3 4 5 6 7 8 9 10 11 12  1 4  0 0 2 0 16 > "$corpus/capi/joint"
bytes 2 > "$corpus/capi/null-handles"
printf '\003indexed' > "$corpus/capi/name"
for t in parse verify interp pass npy l3_pipeline capi; do
    printf '%s: %s\n' "$t" "$(ls "$corpus/$t" | wc -l)"
done
