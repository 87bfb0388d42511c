// aot-print-descriptors prints each function's descriptor table (PyTorch repr, expr()
// access path, pairing) to stdout before the IR, and leaves the IR unchanged.
// RUN: joinery-opt %s --aot-print-descriptors | FileCheck %s

// CHECK-LABEL: @joint: 3 arguments, 3 results
// CHECK-NEXT: arg 0{{ +}}%w{{ +}}ParamAOTInput(target='fc1.weight'){{ +}}self.get_parameter('fc1.weight'){{ +}}grad in result 1
// CHECK-NEXT: arg 1{{ +}}%x{{ +}}PlainAOTInput(idx=0){{ +}}args[0]{{ +}}no grad (result 2)
// CHECK-NEXT: arg 2{{ +}}%t{{ +}}TangentAOTInput(output=PlainAOTOutput(idx=0)){{ +}}__output_tangent(output[0]){{ +}}tangent of result 0
// CHECK-NEXT: result 0{{ +}}%y{{ +}}PlainAOTOutput(idx=0){{ +}}output[0]{{ +}}tangent in argument 2
// CHECK-NEXT: result 1{{ +}}%gw{{ +}}GradAOTOutput(grad_of=ParamAOTInput(target='fc1.weight')){{ +}}__grad(self.get_parameter('fc1.weight')){{ +}}grad of argument 0
// CHECK-NEXT: result 2{{ +}}%none{{ +}}None{{ +}}None{{ +}}no grad for argument 1
// CHECK-LABEL: @no_descriptors: 1 argument, 1 result
// CHECK-NEXT: arg 0{{ +}}%a{{ +}}<no descriptor>
// CHECK: func.func @joint
func.func @joint(%w: tensor<3x4xf32> {aot.desc = #aot.param<"fc1.weight">}, %x: tensor<2x4xf32> {aot.desc = #aot.plain<0>}, %t: tensor<2x3xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<2x3xf32> {aot.desc = #aot.plain_out<0>}, tensor<3x4xf32> {aot.desc = #aot.grad<#aot.param<"fc1.weight">>}, none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
  %wt = aten.t %w : (tensor<3x4xf32>) -> tensor<4x3xf32>
  %y = aten.mm %x, %wt : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %tt = aten.t %t : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %gw = aten.mm %tt, %x : (tensor<3x2xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
  %none = "aot.none"() : () -> none
  func.return %y, %gw, %none : tensor<2x3xf32>, tensor<3x4xf32>, none
}

func.func @no_descriptors(%a: tensor<2xf32>) -> tensor<2xf32> {
  func.return %a : tensor<2xf32>
}
