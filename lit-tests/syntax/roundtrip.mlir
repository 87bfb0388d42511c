// The printer's output is a fixed point of parse+print, names and all, in both forms.
// RUN: joinery-opt --allow-unregistered-dialect --verify-roundtrip %s | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect %s | joinery-opt --allow-unregistered-dialect | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect --print-op-generic %s | joinery-opt --allow-unregistered-dialect | FileCheck %s

// Source names of values and block labels are kept.
// CHECK-LABEL: func.func @names
// CHECK-SAME: (%primals_1: tensor<2x3xf32>, %tangents_1: tensor<f32>)
// CHECK-NEXT: %t = aten.t %primals_1 : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: func.return %t, %tangents_1 : tensor<3x2xf32>, tensor<f32>
func.func @names(%primals_1: tensor<2x3xf32>, %tangents_1: tensor<f32>) -> (tensor<3x2xf32>, tensor<f32>) {
  %t = aten.t %primals_1 : (tensor<2x3xf32>) -> tensor<3x2xf32>
  func.return %t, %tangents_1 : tensor<3x2xf32>, tensor<f32>
}

// Multiple results, result groups, regions with block arguments, attributes (an
// unregistered op has no inherent attributes: `<{...}>` joins the dictionary, printed
// after the regions as MLIR does).
// CHECK-LABEL: func.func @generic_ops
// CHECK: %[[R:.*]]:2 = "test.multi"(%{{.*}}) ({
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32):
// CHECK-NEXT: "test.yield"(%[[X]]) : (f32) -> ()
// CHECK-NEXT: }) {discardable, inherent = 1 : i64} : (tensor<4xf32>) -> (f32, f32)
// CHECK: func.return %[[R]]#0, %[[R]]#1
func.func @generic_ops(%a: tensor<4xf32>) -> (f32, f32) {
  %r:2 = "test.multi"(%a) <{inherent = 1 : i64}> {discardable} ({
  ^bb0(%x: f32):
    "test.yield"(%x) : (f32) -> ()
  }) : (tensor<4xf32>) -> (f32, f32)
  func.return %r#0, %r#1 : f32, f32
}

// Builtin attributes and types.
// CHECK-LABEL: func.func @attributes
// CHECK: "test.attrs"() {
// CHECK-SAME: array = [1{{( : i64)?}}, 2.5{{0*(e\+00)?}} : f32, "s", true]
// CHECK-SAME: dense = dense<1.0{{0*(e\+00)?}}> : tensor<2x2xf32>
// CHECK-SAME: dict = {a = 1{{( : i64)?}}, b}
// CHECK-SAME: dyn = tensor<?x4xf32>
// CHECK-SAME: sym = @some::@nested
// CHECK-SAME: unranked = tensor<*xbf16>
func.func @attributes() {
  "test.attrs"() {unranked = tensor<*xbf16>, sym = @some::@nested, dyn = tensor<?x4xf32>, dict = {b, a = 1}, dense = dense<1.0> : tensor<2x2xf32>, array = [1, 2.5 : f32, "s", true]} : () -> ()
  func.return
}

// Descriptors on arguments and results (aot dialect attributes).
// CHECK-LABEL: func.func @joint
// CHECK-SAME: %w: tensor<2x3xf32> {aot.desc = #aot.param<"lin.weight">}
// CHECK-SAME: -> (tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"lin.weight">>})
func.func @joint(%w: tensor<2x3xf32> {aot.desc = #aot.param<"lin.weight">}) -> (tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"lin.weight">>}) {
  func.return %w : tensor<2x3xf32>
}

// Unnamed values get fresh numbers that do not collide with source names.
// CHECK-LABEL: func.func @numbering
// CHECK: %[[Z:[0-9]+]] = "test.zero"()
// CHECK: "test.use"(%[[Z]], %0)
func.func @numbering(%0: f32) {
  %1 = "test.zero"() : () -> f32
  "test.use"(%1, %0) : (f32, f32) -> ()
  func.return
}

// Complex element types, in tensors and as type attributes, as MLIR writes them.
// CHECK-LABEL: func.func @complex
// CHECK-SAME: (%z: tensor<4x3xcomplex<f32>>, %w: complex<f64>)
// CHECK-NEXT: "test.op"() {dtype = complex<f32>} : () -> tensor<2xcomplex<f64>>
func.func @complex(%z: tensor<4x3xcomplex<f32>>, %w: complex<f64>) {
  %0 = "test.op"() {dtype = complex<f32>} : () -> tensor<2xcomplex<f64>>
  func.return
}
