
func.func private @callee(!aten.ref<tensor<4xf32>>)

func.func @opaque$call(%x: !aten.ref<tensor<4xf32>>) {
  // expected-error@+1 {{'func.call' takes or returns a mutable !aten.ref tensor}}
  func.call @callee(%x) : (!aten.ref<tensor<4xf32>>) -> ()
  func.return
}

