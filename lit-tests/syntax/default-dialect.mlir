// An op name without a dialect prefix, in the custom form, resolves in the default
// dialect of the nearest enclosing op written in custom form (MLIR's
// OpAsmOpInterface::getDefaultDialect): `func.func` names `func`, so `return` and `call`
// in a function are `func.return` and `func.call`; at the top level, and inside ops that
// name none, it is `builtin` (`module`). Ops in the generic form name none and pass their
// parent's default dialect on, as MLIR's parser does. The printer writes full names.
// RUN: joinery-opt --allow-unregistered-dialect %s | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect %s | joinery-opt --allow-unregistered-dialect | FileCheck %s

// CHECK: module {
// CHECK-LABEL: func.func @callee
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>) -> tensor<2xf32>
// CHECK-NEXT: func.return %[[X]] : tensor<2xf32>
func.func @callee(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// CHECK-LABEL: func.func @caller
// CHECK-NEXT: %[[C:.*]] = func.call @callee(%{{.*}}) : (tensor<2xf32>) -> tensor<2xf32>
// CHECK-NEXT: "test.region"() ({
// CHECK-NEXT: func.call @callee
// CHECK: func.return %[[C]] : tensor<2xf32>
func.func @caller(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = call @callee(%x) : (tensor<2xf32>) -> tensor<2xf32>
  "test.region"() ({
    %d = call @callee(%x) : (tensor<2xf32>) -> tensor<2xf32>
  }) : () -> ()
  return %c : tensor<2xf32>
}

// A module nested in a generic op at the top level is `builtin.module`.
// CHECK: "test.holder"() ({
// CHECK-NEXT: module {
// CHECK-NEXT: func.func @inner() {
// CHECK-NEXT: func.return
"test.holder"() ({
  module {
    func.func @inner() {
      return
    }
  }
}) : () -> ()
