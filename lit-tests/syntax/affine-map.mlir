// `affine_map<(dims)[symbols] -> (results)>`, inline or through the `#map` aliases
// mlir-opt prints. Dimensions and symbols may have any names; they print as d0.. and
// s0... Expressions are kept as written (no simplification) and print with the fewest
// parentheses MLIR's precedence needs: `+`/`-` bind looser than `*`, `floordiv`,
// `ceildiv`, `mod`; all group to the left.
// RUN: joinery-opt --allow-unregistered-dialect %s | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect %s | joinery-opt --allow-unregistered-dialect | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect --print-op-generic %s | mlir-opt --allow-unregistered-dialect | joinery-opt --allow-unregistered-dialect | FileCheck %s

#transpose = affine_map<(i, j) -> (j, i)>

// CHECK-LABEL: "test.maps"
// CHECK-SAME: affine_map<() -> (0)>
// CHECK-SAME: affine_map<(d0, d1)[s0] -> (d1 floordiv 2 + s0, d0 * 3 - 1)>
// CHECK-SAME: affine_map<(d0, d1) -> (-d0 + d1 mod 4, (d0 + 1) * 2, d0 ceildiv 3)>
// CHECK-SAME: affine_map<(d0, d1) -> (d1, d0)>
// CHECK-SAME: affine_map<(d0, d1, d2) -> (d0 - (d1 - d2), d0 * -2)>
"test.maps"() {a = affine_map<() -> (0)>, b = affine_map<(d0, d1)[s0] -> (d1 floordiv 2 + s0, d0 * 3 - 1)>, c = affine_map<(d0, d1) -> (-d0 + d1 mod 4, (d0 + 1) * 2, d0 ceildiv 3)>, d = #transpose, e = affine_map<(d0, d1, d2) -> (d0 - (d1 - d2), d0 * -2)>} : () -> ()
