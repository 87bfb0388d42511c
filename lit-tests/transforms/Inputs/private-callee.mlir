func.func @caller() {
  func.call @private_callee() : () -> ()
  func.return
}
func.func private @private_callee() {
  func.return
}
