// `joinery-run train` reads the loss as the first element of the first plain output: a loss
// with no element (or not f32) is an error naming it, not a panic.
// RUN: %python %S/Inputs/exit-code.py joinery-run train %s --steps 2 | FileCheck %s
// CHECK: error: the loss (result #0 of @joint) must be an f32 tensor with an element
// CHECK-NOT: internal error
// CHECK: exit code: 1

module {
  func.func @joint(%w: tensor<0xf32> {aot.desc = #aot.param<"w">},
                   %tangents_1: tensor<0xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<0xf32> {aot.desc = #aot.plain_out<0>},
          tensor<0xf32> {aot.desc = #aot.grad<#aot.param<"w">>}) {
    %c = aten.clone %w : (tensor<0xf32>) -> tensor<0xf32>
    func.return %c, %tangents_1 : tensor<0xf32>, tensor<0xf32>
  }
}
