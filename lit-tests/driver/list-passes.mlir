// --list-passes shows every pass with its one-line summary and its options.
// RUN: joinery-opt --list-passes | FileCheck %s
// RUN: joinery-opt --show-dialects | FileCheck %s --check-prefix=DIALECTS

// CHECK-LABEL: Passes:
// CHECK:      --canonicalize {{ *}}- Canonicalize operations
// CHECK-NEXT:   max-iterations=<int> - {{.+}} (default: 10)
// CHECK:      --convert-aten-to-kernel {{ *}}- Lower aten functions to kernel-dialect loop nests and GEMM calls (L1/L2 -> L3)
// CHECK:      --cse {{ *}}- Eliminate common sub-expressions
// CHECK-NEXT: --dce {{ *}}- Erase pure operations whose results are unused
// CHECK-NEXT: --inline {{ *}}- Inline function calls
// CHECK-NEXT:   remove-dead-callees=<bool> - {{.+}} (default: true)
// CHECK:      --kernel-fuse {{ *}}- Fuse loop nests: vertical, horizontal, recompute, GEMM bias into readers
// CHECK-NEXT:     (runs on 'func.func')
// CHECK-NEXT:     recompute=<bool> - {{.+}} (default: true)
// CHECK-NEXT:     horizontal=<bool> - {{.+}} (default: true)
// CHECK-NEXT:     rows=<bool> - {{.+}} (default: true)
// CHECK-NEXT:     gemm-bias=<bool> - {{.+}} (default: true)
// CHECK-NEXT: --kernel-plan-memory {{ *}}- Place intermediate kernel buffers in one arena by liveness
// CHECK-NEXT:     (runs on 'func.func')
// CHECK-NEXT:     alignment=<int> - {{.+}} (default: 64)
// CHECK:      --symbol-dce {{ *}}- Eliminate dead private symbols
// CHECK-NEXT: --view-op-graph {{ *}}- Write a Graphviz (dot) picture of the data flow to stderr
// CHECK-NEXT:   max-label-len=<int> - {{.+}} (default: 20)
// CHECK-NEXT:   print-attrs=<bool> - {{.+}} (default: true)
// CHECK-NEXT:   print-control-flow-edges=<bool> - {{.+}} (default: false)
// CHECK-NEXT:   print-data-flow-edges=<bool> - {{.+}} (default: true)
// CHECK-NEXT:   print-result-types=<bool> - {{.+}} (default: true)
// CHECK-NEXT: --view-partition {{ *}}- Write a Graphviz (dot) picture of each forward/backward pair to stderr

// DIALECTS: Available Dialects:
// DIALECTS-NEXT: builtin {{ *}}- {{.+}}
// DIALECTS-NEXT: func {{ *}}- {{.+}}
// DIALECTS-NEXT: arith {{ *}}- {{.+}}
// DIALECTS-NEXT: aot {{ *}}- {{.+}}
// DIALECTS-NEXT: aten {{ *}}- {{.+}}
// DIALECTS-NEXT: subclass {{ *}}- {{.+}}
// DIALECTS-NEXT: kernel {{ *}}- Buffers, fused loop nests and GEMM calls (level L3)
