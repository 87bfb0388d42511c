func.func @only() -> tensor<2xf32> {
  %c = "arith.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %d = aten.neg %c : (tensor<2xf32>) -> tensor<2xf32>
  func.return %d : tensor<2xf32>
}
