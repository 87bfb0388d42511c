// RUN: joinery-opt --inline --split-input-file %s | FileCheck %s

// A single-block callee is inlined; with remove-dead-callees (the default) the private
// callee then goes.
// CHECK-LABEL: func.func @inline$simple
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>)
// CHECK-NOT: func.call
// CHECK: %[[N:.*]] = aten.neg %[[A]]
// CHECK: func.return %[[N]]
// CHECK-NOT: @callee
func.func @inline$simple(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = func.call @callee(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
func.func private @callee(%x: tensor<4xf32>) -> tensor<4xf32> {
  %n = aten.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n : tensor<4xf32>
}

// -----

// Calls exposed by inlining are inlined too.
// CHECK-LABEL: func.func @inline$nested
// CHECK-NOT: func.call
// CHECK: aten.relu
// CHECK: aten.neg
// CHECK: func.return
func.func @inline$nested(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = func.call @outer(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
func.func private @outer(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = aten.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %z = func.call @inner(%y) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %z : tensor<4xf32>
}
func.func private @inner(%x: tensor<4xf32>) -> tensor<4xf32> {
  %n = aten.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n : tensor<4xf32>
}

// -----

// A public callee stays after inlining; remove-dead-callees=false keeps private ones.
// RUN: joinery-opt -p 'builtin.module(inline{remove-dead-callees=false})' %S/Inputs/private-callee.mlir | FileCheck %s --check-prefix=KEEP
// CHECK-LABEL: func.func @inline$public_callee
// CHECK-NOT: func.call
// CHECK: func.func @public_callee
// KEEP-LABEL: func.func @caller
// KEEP-NOT: func.call
// KEEP: func.func private @private_callee
func.func @inline$public_callee() {
  func.call @public_callee() : () -> ()
  func.return
}
func.func @public_callee() {
  func.return
}

// -----

// Left alone: recursion and calls to declarations.
// CHECK-LABEL: func.func @inline$recursive
// CHECK: func.call @inline$recursive
// CHECK-LABEL: func.func @inline$declaration
// CHECK: func.call @external
func.func @inline$recursive(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = func.call @inline$recursive(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
func.func @inline$declaration(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = func.call @external(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
func.func private @external(tensor<4xf32>) -> tensor<4xf32>
