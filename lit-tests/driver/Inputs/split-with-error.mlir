func.func @ok_before() {
  func.return
}

// -----

func.func @bad() -> tensor<f32> {
  func.return %undefined : tensor<f32>
}

// -----

func.func @ok_after() {
  func.return
}
