// IR dumps go to stderr under MLIR's header, followed by a RUN line, so that a saved dump
// is already a test. Before a pass the RUN line runs that pass; after it, it re-verifies.
// RUN: joinery-opt %s --cse --dce --print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=AFTER
// RUN: joinery-opt %s --cse --dce --print-ir-before=dce -o /dev/null 2>&1 | FileCheck %s --check-prefix=BEFORE
// RUN: joinery-opt %s --cse --dce --print-ir-after-change -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHANGE
// RUN: joinery-opt %s -p 'builtin.module(func.func(cse))' --print-ir-before-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=NESTED
// A dump before dce, run as its RUN line says, gives the dump after dce.
// RUN: joinery-opt %s --cse --dce --print-ir-before=dce -o /dev/null 2> %t.dump
// RUN: joinery-opt --pass-pipeline='builtin.module(dce)' %t.dump | FileCheck %s --check-prefix=REPLAY

// AFTER: // -----// IR Dump After CSE (cse) //----- //
// AFTER-NEXT: // {{R}}UN: joinery-opt --verify-roundtrip %s
// AFTER-NEXT: module {
// AFTER: // -----// IR Dump After DCE (dce) //----- //
// AFTER-NEXT: // {{R}}UN: joinery-opt --verify-roundtrip %s

// BEFORE-NOT: IR Dump Before CSE
// BEFORE: // -----// IR Dump Before DCE (dce) //----- //
// BEFORE-NEXT: // {{R}}UN: joinery-opt --pass-pipeline='builtin.module(dce)' %s
// BEFORE-NEXT: module {
// BEFORE: aten.neg

// CSE changes the function (two negations become one) and so does DCE (the unused
// addition goes): both are dumped.
// CHANGE: IR Dump After CSE (cse)
// CHANGE: IR Dump After DCE (dce)

// NESTED: // -----// IR Dump Before CSE (cse) ('func.func' operation: @dup) //----- //
// NESTED-NEXT: // {{R}}UN: joinery-opt --pass-pipeline='builtin.module(func.func(cse))' %s
// NESTED-NEXT: func.func @dup

// REPLAY-LABEL: func.func @dup
// REPLAY-NOT: aten.add
// REPLAY: func.return

func.func @dup(%a: tensor<4xf32>) -> tensor<4xf32> {
  %n1 = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %n2 = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %unused = aten.add.Tensor %n1, %n2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %n2 : tensor<4xf32>
}
