func.func @quiet() {
  // expected-error@+1 {{this message is never produced}}
  func.return
}

// -----

func.func @loud() {
  func.return %nope : f32
}
