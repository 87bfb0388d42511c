// RUN: joinery-opt --symbol-dce --split-input-file %s | FileCheck %s

// Private functions nobody calls go; public ones and those reached from them stay.
// CHECK-LABEL: module
// CHECK-NOT: @unused_private
// CHECK-DAG: func.func @public
// CHECK-DAG: func.func private @used_private
func.func @public(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = func.call @used_private(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
func.func private @used_private(%a: tensor<4xf32>) -> tensor<4xf32> {
  func.return %a : tensor<4xf32>
}
func.func private @unused_private(%a: tensor<4xf32>) -> tensor<4xf32> {
  func.return %a : tensor<4xf32>
}

// -----

// Liveness is transitive through private functions, and a dead private cycle goes whole.
// CHECK-LABEL: module
// CHECK-NOT: @dead_
// CHECK-DAG: func.func @root
// CHECK-DAG: func.func private @middle
// CHECK-DAG: func.func private @leaf
func.func @root() {
  func.call @middle() : () -> ()
  func.return
}
func.func private @middle() {
  func.call @leaf() : () -> ()
  func.return
}
func.func private @leaf() {
  func.return
}
func.func private @dead_ping() {
  func.call @dead_pong() : () -> ()
  func.return
}
func.func private @dead_pong() {
  func.call @dead_ping() : () -> ()
  func.return
}

// -----

// Left alone: public functions, even unused.
// CHECK-LABEL: module
// CHECK: func.func @unused_public
func.func @unused_public() {
  func.return
}
