// aot-functionalize: in-place ops and views on !aten.ref tensors become functional ops.
// RUN: joinery-opt %s --split-input-file --aot-functionalize | FileCheck %s

// A write through a view of an intermediate: later reads of the base see it
// (select_scatter), and the view is gone.
// CHECK-LABEL: func.func @mutation$through_view(
// CHECK-SAME: %[[X:.*]]: tensor<4x2xf32>) -> tensor<4x2xf32>
// CHECK:   %[[C:.*]] = aten.clone %[[X]] : (tensor<4x2xf32>) -> tensor<4x2xf32>
// CHECK:   %[[S:.*]] = aten.select.int %[[C]] {dim = 1 : i64, index = 0 : i64} : (tensor<4x2xf32>) -> tensor<4xf32>
// CHECK:   %[[M:.*]] = aten.mul.Scalar %[[S]] {other = 2 : i64} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK:   %[[B:.*]] = aten.select_scatter %[[C]], %[[M]] {dim = 1 : i64, index = 0 : i64} : (tensor<4x2xf32>, tensor<4xf32>) -> tensor<4x2xf32>
// CHECK:   %[[R:.*]] = aten.relu %[[B]]
// CHECK:   func.return %[[R]]
// CHECK-NOT: aten.ref
func.func @mutation$through_view(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %c = aten.clone %x : (tensor<4x2xf32>) -> !aten.ref<tensor<4x2xf32>>
  %s = aten.select.int %c {dim = 1, index = 0} : (!aten.ref<tensor<4x2xf32>>) -> !aten.ref<tensor<4xf32>>
  %m = aten.mul_.Scalar %s {other = 2} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  %r = aten.relu %c : (!aten.ref<tensor<4x2xf32>>) -> tensor<4x2xf32>
  func.return %r : tensor<4x2xf32>
}

// -----

// A buffer incremented in place: its new value is returned as an input mutation, after
// the forward tokens and before the plain outputs (descriptors.md §6).
// CHECK-LABEL: func.func @mutation$input_buffer(
// CHECK-SAME: %[[STEPS:.*]]: tensor<f32> {aot.desc = #aot.buffer<"steps">}
// CHECK-SAME: -> (tensor<f32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}, tensor<4xf32> {aot.desc = #aot.plain_out<0>})
// CHECK:   %[[ADD:.*]] = aten.add.Scalar %[[STEPS]] {other = 1 : i64}
// CHECK:   func.return %[[ADD]], %{{.*}} : tensor<f32>, tensor<4xf32>
func.func @mutation$input_buffer(%steps: !aten.ref<tensor<f32>> {aot.desc = #aot.buffer<"steps">}, %x: tensor<4xf32> {aot.desc = #aot.plain<0>}) -> (tensor<4xf32> {aot.desc = #aot.plain_out<0>}) {
  %0 = aten.add_.Scalar %steps {other = 1} : (!aten.ref<tensor<f32>>) -> !aten.ref<tensor<f32>>
  %y = aten.mul.Tensor %x, %steps : (tensor<4xf32>, !aten.ref<tensor<f32>>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// PyTorch's non-functional export already returns the written input as its input
// mutation: the slot keeps its place and returns the final value.
// CHECK-LABEL: func.func @mutation$existing_slot(
// CHECK-SAME: -> (tensor<f32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}, tensor<f32> {aot.desc = #aot.plain_out<0>})
// CHECK:   %[[A:.*]] = aten.add.Scalar
// CHECK:   %[[B:.*]] = aten.mul.Scalar %[[A]]
// CHECK:   func.return %[[B]], %[[A]]
func.func @mutation$existing_slot(%steps: !aten.ref<tensor<f32>> {aot.desc = #aot.buffer<"steps">}) -> (!aten.ref<tensor<f32>> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}, tensor<f32> {aot.desc = #aot.plain_out<0>}) {
  %a = aten.add_.Scalar %steps {other = 1} : (!aten.ref<tensor<f32>>) -> !aten.ref<tensor<f32>>
  %snap = aten.ref_to_value %a : (!aten.ref<tensor<f32>>) -> tensor<f32>
  %b = aten.mul_.Scalar %a {other = 3} : (!aten.ref<tensor<f32>>) -> !aten.ref<tensor<f32>>
  func.return %a, %snap : !aten.ref<tensor<f32>>, tensor<f32>
}

// -----

// A slice of an input written with copy_: the input comes back through slice_scatter.
// CHECK-LABEL: func.func @mutation$input_slice_copy(
// CHECK-SAME: -> (tensor<6xf32> {aot.desc = #aot.input_mutation<#aot.plain<0>>}, tensor<f32> {aot.desc = #aot.plain_out<0>})
// CHECK:   %[[S:.*]] = aten.slice.Tensor %[[X:.*]] {dim = 0 : i64, end = 4 : i64, start = 1 : i64}
// CHECK:   %[[C:.*]] = aten.copy %[[S]], %[[V:.*]] : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK:   %[[N:.*]] = aten.slice_scatter %[[X]], %[[C]] {dim = 0 : i64, end = 4 : i64, start = 1 : i64}
// CHECK:   %[[SUM:.*]] = aten.sum %[[N]]
// CHECK:   func.return %[[N]], %[[SUM]]
func.func @mutation$input_slice_copy(%x: !aten.ref<tensor<6xf32>> {aot.desc = #aot.plain<0>}, %v: tensor<3xf32> {aot.desc = #aot.plain<1>}) -> (tensor<f32> {aot.desc = #aot.plain_out<0>}) {
  %s = aten.slice.Tensor %x {dim = 0, start = 1, end = 4} : (!aten.ref<tensor<6xf32>>) -> !aten.ref<tensor<3xf32>>
  %c = aten.copy_ %s, %v : (!aten.ref<tensor<3xf32>>, tensor<3xf32>) -> !aten.ref<tensor<3xf32>>
  %sum = aten.sum %x : (!aten.ref<tensor<6xf32>>) -> tensor<f32>
  func.return %sum : tensor<f32>
}

// -----

// A write through two nested views (view of a transpose) replays the outer view to
// find the parent, then scatters back innermost first.
// CHECK-LABEL: func.func @mutation$nested_views(
// CHECK:   %[[T:.*]] = aten.t %[[B:.*]] : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK:   %[[R:.*]] = aten.select.int %[[T]] {dim = 0 : i64, index = 1 : i64}
// CHECK:   %[[Z:.*]] = aten.zero %[[R]]
// CHECK:   %[[T2:.*]] = aten.t %[[B]]
// CHECK:   %[[S:.*]] = aten.select_scatter %[[T2]], %[[Z]] {dim = 0 : i64, index = 1 : i64}
// CHECK:   %[[BACK:.*]] = aten.t %[[S]] : (tensor<3x2xf32>) -> tensor<2x3xf32>
// CHECK:   func.return %[[BACK]]
func.func @mutation$nested_views(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %b = aten.value_to_ref %x : (tensor<2x3xf32>) -> !aten.ref<tensor<2x3xf32>>
  %t = aten.t %b : (!aten.ref<tensor<2x3xf32>>) -> !aten.ref<tensor<3x2xf32>>
  %r = aten.select.int %t {dim = 0, index = 1} : (!aten.ref<tensor<3x2xf32>>) -> !aten.ref<tensor<2xf32>>
  %z = aten.zero_ %r : (!aten.ref<tensor<2xf32>>) -> !aten.ref<tensor<2xf32>>
  %out = aten.ref_to_value %b : (!aten.ref<tensor<2x3xf32>>) -> tensor<2x3xf32>
  func.return %out : tensor<2x3xf32>
}

// -----

// Batch norm in training mode writes its running statistics: the functional variant
// returns them, and both buffers become input mutations in input order.
// CHECK-LABEL: func.func @mutation$batch_norm_buffers(
// CHECK-SAME: -> (tensor<3xf32> {aot.desc = #aot.input_mutation<#aot.buffer<"bn.running_mean">>}, tensor<3xf32> {aot.desc = #aot.input_mutation<#aot.buffer<"bn.running_var">>}, tensor<2x3xf32> {aot.desc = #aot.plain_out<0>})
// CHECK:   %[[O:.*]]:5 = aten._native_batch_norm_legit_functional
// CHECK:   func.return %[[O]]#3, %[[O]]#4, %[[O]]#0
func.func @mutation$batch_norm_buffers(%mean: !aten.ref<tensor<3xf32>> {aot.desc = #aot.buffer<"bn.running_mean">}, %var: !aten.ref<tensor<3xf32>> {aot.desc = #aot.buffer<"bn.running_var">}, %x: tensor<2x3xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2x3xf32> {aot.desc = #aot.plain_out<0>}) {
  %y, %m, %r = aten._native_batch_norm_legit %x, %mean, %var {eps = 1.0e-05, momentum = 1.0e-01, training = true, operandSegmentSizes = [1, 0, 0, 1, 1]} : (tensor<2x3xf32>, !aten.ref<tensor<3xf32>>, !aten.ref<tensor<3xf32>>) -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
  func.return %y : tensor<2x3xf32>
}

// -----

// A joint whose written input has a gradient slot gets a tangent for the new value,
// first among the tangents (with a warning: the traced backward ignores it).
// CHECK-LABEL: func.func @mutation$input_requires_grad(
// CHECK-SAME: %{{.*}}: tensor<4xf32> {aot.desc = #aot.plain<0>}, %{{.*}}: tensor<4xf32> {aot.desc = #aot.tangent<#aot.input_mutation<#aot.plain<0>>>}, %{{.*}}: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}
// CHECK-SAME: -> (tensor<4xf32> {aot.desc = #aot.input_mutation<#aot.plain<0>>}, tensor<f32> {aot.desc = #aot.plain_out<0>}, tensor<4xf32> {aot.desc = #aot.grad<#aot.plain<0>>})
func.func @mutation$input_requires_grad(%x: !aten.ref<tensor<4xf32>> {aot.desc = #aot.plain<0>}, %t: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<f32> {aot.desc = #aot.plain_out<0>}, !aten.ref<tensor<4xf32>> {aot.desc = #aot.grad<#aot.plain<0>>}) {
  %0 = aten.mul_.Scalar %x {other = 2} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  %s = aten.sum %x : (!aten.ref<tensor<4xf32>>) -> tensor<f32>
  %g = aten.expand %t {size = [4]} : (tensor<f32>) -> !aten.ref<tensor<4xf32>>
  func.return %s, %g : tensor<f32>, !aten.ref<tensor<4xf32>>
}

// -----

// An output that views an input is returned as a value (PyTorch's runtime regenerates
// the alias); the input was not written, so the signature stays.
// CHECK-LABEL: func.func @alias$output_view_of_input(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2x2xf32> {aot.desc = #aot.plain_out<0>})
// CHECK:   %[[V:.*]] = aten.view %[[X]] {size = [2, 2]}
// CHECK:   func.return %[[V]]
func.func @alias$output_view_of_input(%x: !aten.ref<tensor<4xf32>> {aot.desc = #aot.plain<0>}) -> (!aten.ref<tensor<2x2xf32>> {aot.desc = #aot.plain_out<0>}) {
  %v = aten.view %x {size = [2, 2]} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<2x2xf32>>
  func.return %v : !aten.ref<tensor<2x2xf32>>
}

// -----

// A view of a written input read after the write sees the write (view replay).
// CHECK-LABEL: func.func @alias$view_read_after_write(
// CHECK:   %[[A:.*]] = aten.add.Scalar %[[X:.*]] {other = 1 : i64}
// CHECK:   %[[V:.*]] = aten.view %[[A]] {size = [2, 2]}
// CHECK:   func.return %[[A]], %[[V]]
func.func @alias$view_read_after_write(%x: !aten.ref<tensor<4xf32>> {aot.desc = #aot.plain<0>}) -> (!aten.ref<tensor<2x2xf32>> {aot.desc = #aot.plain_out<0>}) {
  %v = aten.view %x {size = [2, 2]} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<2x2xf32>>
  %0 = aten.add_.Scalar %x {other = 1} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  func.return %v : !aten.ref<tensor<2x2xf32>>
}

// -----

// Two outputs view one intermediate: PyTorch also returns the intermediate's base,
// after the plain outputs.
// CHECK-LABEL: func.func @alias$outputs_share_intermediate(
// CHECK-SAME: -> (tensor<2x2xf32> {aot.desc = #aot.plain_out<0>}, tensor<3xf32> {aot.desc = #aot.plain_out<1>}, tensor<4xf32> {aot.desc = #aot.intermediate_base<#aot.plain_out<0>>})
// CHECK:   %[[M:.*]] = aten.mul.Tensor
// CHECK:   func.return %{{.*}}, %{{.*}}, %[[M]]
func.func @alias$outputs_share_intermediate(%x: tensor<4xf32> {aot.desc = #aot.plain<0>}) -> (!aten.ref<tensor<2x2xf32>> {aot.desc = #aot.plain_out<0>}, !aten.ref<tensor<3xf32>> {aot.desc = #aot.plain_out<1>}) {
  %m = aten.mul.Tensor %x, %x : (tensor<4xf32>, tensor<4xf32>) -> !aten.ref<tensor<4xf32>>
  %v = aten.view %m {size = [2, 2]} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<2x2xf32>>
  %s = aten.slice.Tensor %m {dim = 0, start = 1} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<3xf32>>
  func.return %v, %s : !aten.ref<tensor<2x2xf32>>, !aten.ref<tensor<3xf32>>
}

// -----

// Left alone: a function of values only.
// CHECK-LABEL: func.func @values$untouched(
// CHECK-NEXT:   %[[N:.*]] = aten.neg
// CHECK-NEXT:   func.return %[[N]]
func.func @values$untouched(%x: tensor<4xf32>) -> tensor<4xf32> {
  %n = aten.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n : tensor<4xf32>
}

// -----

// A constant stays a value: a fresh mutable copy of it (PyTorch's lift_fresh_copy) is a
// clone into a reference, and writes to the copy leave the constant alone.
// CHECK-LABEL: func.func @constant$mutated_copy(
// CHECK:   %[[K:.*]] = "arith.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
// CHECK:   %[[C:.*]] = aten.clone %[[K]] : (tensor<2xf32>) -> tensor<2xf32>
// CHECK:   %[[A:.*]] = aten.add.Tensor %[[C]], %{{.*}}
// CHECK:   %[[M:.*]] = aten.mul.Tensor %[[A]], %[[K]]
// CHECK:   func.return %[[M]]
// CHECK-NOT: aten.ref
func.func @constant$mutated_copy(%x: tensor<2xf32>) -> tensor<2xf32> {
  %k = "arith.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %c = aten.clone %k : (tensor<2xf32>) -> !aten.ref<tensor<2xf32>>
  %a = aten.add_.Tensor %c, %x : (!aten.ref<tensor<2xf32>>, tensor<2xf32>) -> !aten.ref<tensor<2xf32>>
  %m = aten.mul.Tensor %c, %k : (!aten.ref<tensor<2xf32>>, tensor<2xf32>) -> tensor<2xf32>
  func.return %m : tensor<2xf32>
}

// -----

// An `out=` overload writes its `out` operand: `atan2.out(y, x, out=o)` is `atan2(y, x)`
// written into `o`, here an f64 input written through a row view: the result is cast to
// f64 (as PyTorch casts into `out`), scattered back, and returned as the input mutation;
// the row's old contents are never read.
// CHECK-LABEL: func.func @mutation$out_overload(
// CHECK-SAME: %[[Y:.*]]: tensor<3xf32> {{.*}}, %[[X:.*]]: tensor<3xf32> {{.*}}, %[[O:.*]]: tensor<2x3xf64>
// CHECK-SAME: -> (tensor<2x3xf64> {aot.desc = #aot.input_mutation<#aot.plain<2>>}, tensor<f64> {aot.desc = #aot.plain_out<0>})
// CHECK-NOT:   aten.select.int
// CHECK:   %[[A:.*]] = aten.atan2 %[[Y]], %[[X]] : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK:   %[[C:.*]] = aten._to_copy %[[A]] {dtype = f64} : (tensor<3xf32>) -> tensor<3xf64>
// CHECK:   %[[N:.*]] = aten.select_scatter %[[O]], %[[C]] {dim = 0 : i64, index = 1 : i64}
// CHECK:   %[[SUM:.*]] = aten.sum %[[N]]
// CHECK:   func.return %[[N]], %[[SUM]]
// CHECK-NOT: aten.atan2.out
func.func @mutation$out_overload(%y: tensor<3xf32> {aot.desc = #aot.plain<0>}, %x: tensor<3xf32> {aot.desc = #aot.plain<1>}, %o: !aten.ref<tensor<2x3xf64>> {aot.desc = #aot.plain<2>}) -> (tensor<f64> {aot.desc = #aot.plain_out<0>}) {
  %row = aten.select.int %o {dim = 0, index = 1} : (!aten.ref<tensor<2x3xf64>>) -> !aten.ref<tensor<3xf64>>
  %r = aten.atan2.out %y, %x, %row : (tensor<3xf32>, tensor<3xf32>, !aten.ref<tensor<3xf64>>) -> !aten.ref<tensor<3xf64>>
  %sum = aten.sum %o : (!aten.ref<tensor<2x3xf64>>) -> tensor<f64>
  func.return %sum : tensor<f64>
}

// -----

// The result of an `out=` op is `out` itself: a later in-place op through it writes the
// same storage, and `out`'s old contents are never read.
// CHECK-LABEL: func.func @mutation$out_result_aliases_out(
// CHECK-SAME: -> tensor<4xf32>
// CHECK:   %[[A:.*]] = aten.atan2 %[[Y:.*]], %[[X:.*]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK:   %[[M:.*]] = aten.mul.Scalar %[[A]] {other = 2 : i64}
// CHECK:   func.return %[[M]]
func.func @mutation$out_result_aliases_out(%y: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %o = aten.zeros {size = [4]} : () -> !aten.ref<tensor<4xf32>>
  %r = aten.atan2.out %y, %x, %o : (tensor<4xf32>, tensor<4xf32>, !aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  %m = aten.mul_.Scalar %r {other = 2} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  %v = aten.ref_to_value %o : (!aten.ref<tensor<4xf32>>) -> tensor<4xf32>
  func.return %v : tensor<4xf32>
}
