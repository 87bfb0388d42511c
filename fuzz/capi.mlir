// What the `capi` fuzz target calls through the C ABI (compiled by fuzz/seed.sh into
// fuzz/target/capi/indexed.so): an embedding lookup and a classification loss, so that
// mutated index and label tensors reach the native bounds checks.
module {
  func.func @indexed(%w: tensor<5x3xf32>, %idx: tensor<4xi64>, %labels: tensor<4xi64>)
      -> (tensor<f32>, tensor<4x3xf32>) {
    %e = "aten.embedding"(%w, %idx) : (tensor<5x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
    %ls = "aten._log_softmax"(%e) {dim = 1 : i64, half_to_float = false} : (tensor<4x3xf32>) -> tensor<4x3xf32>
    %loss, %total = "aten.nll_loss_forward"(%ls, %labels) {ignore_index = -100 : i64, reduction = 1 : i64} : (tensor<4x3xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<f32>)
    func.return %loss, %e : tensor<f32>, tensor<4x3xf32>
  }
}
