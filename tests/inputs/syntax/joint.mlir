// A joint graph in pretty and generic forms mixed.
module {
  func.func @joint(%primals_1: tensor<2x3xf32> {aot.desc = #aot.param<"lin.weight">},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<f32> {aot.desc = #aot.plain_out<0>}, tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"lin.weight">>}) {
    %t = "aten.t"(%primals_1) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %s = "aten.sum.dim_IntList"(%t) {dim = [0], keepdim = true} : (tensor<3x2xf32>) -> tensor<f32>
    %0 = "aten.relu"(%primals_1) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("model.py":12:4)
    %r:2 = "some.op"(%0) <{inherent = 1 : i64}> ({
    ^bb0(%x: f32):
      "some.yield"(%x) : (f32) -> ()
    }) {discardable} : (tensor<2x3xf32>) -> (f32, f32)
    %c = "aten.mul"(%r#0, %r#1) : (f32, f32) -> f32
    func.return %s, %0 : tensor<f32>, tensor<2x3xf32>
  }
  func.func private @decl(i32, f32 {d.x}) -> i32
  func.func @call(%a: i32) -> i32 attributes {d.note = "hi"} {
    %f = "d.const"() {value = 1.5 : f32} : () -> f32
    %0 = func.call @decl(%a, %f) : (i32, f32) -> i32
    func.return %0 : i32
  }
}
