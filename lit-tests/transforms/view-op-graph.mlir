// view-op-graph (MLIR's pass) writes a Graphviz digraph of the data flow to stderr and
// leaves the IR on stdout unchanged: clusters for ops with regions and for blocks, a node
// per op and block argument, solid data-flow edges labelled with the operand index when
// an op has several; labels escape quotes and backslashes.
// RUN: joinery-opt %s --allow-unregistered-dialect --view-op-graph -o /dev/null 2>&1 | FileCheck %s
// RUN: joinery-opt %s --allow-unregistered-dialect -p 'builtin.module(func.func(view-op-graph{print-attrs=false print-result-types=false}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=FUNC
// RUN: joinery-opt %s --allow-unregistered-dialect --view-op-graph='print-control-flow-edges=true print-data-flow-edges=false max-label-len=4' -o /dev/null 2>&1 | FileCheck %s --check-prefix=CFG
// RUN: joinery-opt %s --allow-unregistered-dialect --view-op-graph 2>/dev/null | FileCheck %s --check-prefix=IR

// CHECK-LABEL: digraph G {
// CHECK-NEXT:    compound = true;
// CHECK:         label = "builtin.module : ()\n";
// CHECK:         label = "func.func : ()\n\narg_attrs: [{aot.desc = #aot.pa...\nfunction_type: (tensor<3x4xf32>, te...\nres_attrs: [{aot.desc = #aot.pl...\nsym_name: \"linear\"";
// CHECK:         v[[W:[0-9]+]] [label = "%w", shape = ellipse];
// CHECK-NEXT:    v[[X:[0-9]+]] [label = "%x", shape = ellipse];
// CHECK-NEXT:    v[[T:[0-9]+]] [label = "aten.t : (tensor<4x3xf32>)\n", shape = ellipse];
// CHECK-NEXT:    v[[MM:[0-9]+]] [label = "aten.mm : (tensor<2x3xf32>)\n", shape = ellipse];
// CHECK:         label = "func.func : ()\n\nfunction_type: (tensor<4xf32>) -> t...\nsym_name: \"quoted \\\"name\\\"\"";
// CHECK:         v[[A:[0-9]+]] [label = "%a", shape = ellipse];
// CHECK-NEXT:    v[[OP:[0-9]+]] [label = "test.op : (tensor<4xf32>)\n\nnote: \"say \\\"hi\\\" \\\\ done\"", shape = ellipse];
// CHECK:         v[[W]] -> v[[T]] [label = "", style = solid];
// CHECK-NEXT:    v[[X]] -> v[[MM]] [label = "0", style = solid];
// CHECK-NEXT:    v[[T]] -> v[[MM]] [label = "1", style = solid];
// CHECK:         v[[A]] -> v[[OP]] [label = "", style = solid];
// CHECK:       }

// One graph per function when nested in func.func; no attributes or types in the labels.
// FUNC-LABEL: digraph G {
// FUNC:         label = "func.func";
// FUNC:         [label = "aten.relu", shape = ellipse];
// FUNC-LABEL: digraph G {
// FUNC:         [label = "test.op", shape = ellipse];

// CFG:     [label = "aten.t : (tens...)\n", shape = ellipse];
// CFG:     v[[P:[0-9]+]] [label = "aten.mm : (tens...)\n", shape = ellipse];
// CFG-NEXT: v[[Q:[0-9]+]] [label = "aten.relu : (tens...)\n", shape = ellipse];
// CFG-NOT: style = solid
// CFG:     v[[P]] -> v[[Q]] [label = "", style = dashed];

// IR: func.func @linear
// IR: func.func @"quoted \"name\""

func.func @linear(%w: tensor<3x4xf32> {aot.desc = #aot.param<"fc1.weight">}, %x: tensor<2x4xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2x3xf32> {aot.desc = #aot.plain_out<0>}) {
  %wt = aten.t %w : (tensor<3x4xf32>) -> tensor<4x3xf32>
  %y = aten.mm %x, %wt : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %r = aten.relu %y : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %r : tensor<2x3xf32>
}

func.func @"quoted \"name\""(%a: tensor<4xf32>) -> tensor<4xf32> {
  %b = "test.op"(%a) {note = "say \"hi\" \\ done"} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %b : tensor<4xf32>
}
