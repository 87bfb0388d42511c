// Lowerings the interpreter fixtures do not reach: adaptive average pooling with exact
// windows (backward) and windows that overlap (an output larger than the input), f64
// matrix products as loop nests, addmm with beta = 0, as_strided of a non-contiguous
// input, reflection pads of a whole dim less one, flag counts over a transposed view,
// integer powers that wrap (exponents past 63 bits of the result) or are negative,
// products over the outer (thread-split) dim.
module {
  func.func @adaptive_exact(%x: tensor<2x3x8x6xf32>, %g: tensor<2x3x4x3xf32>)
      -> (tensor<2x3x4x3xf32>, tensor<2x3x8x6xf32>) {
    %y = "aten._adaptive_avg_pool2d"(%x) {output_size = [4, 3]} : (tensor<2x3x8x6xf32>) -> tensor<2x3x4x3xf32>
    %dx = "aten._adaptive_avg_pool2d_backward"(%g, %x) : (tensor<2x3x4x3xf32>, tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
    func.return %y, %dx : tensor<2x3x4x3xf32>, tensor<2x3x8x6xf32>
  }
  func.func @adaptive_overlap(%x: tensor<3x5x4xf32>, %g: tensor<3x7x3xf32>)
      -> (tensor<3x7x3xf32>, tensor<3x5x4xf32>) {
    %y = "aten._adaptive_avg_pool2d"(%x) {output_size = [7, 3]} : (tensor<3x5x4xf32>) -> tensor<3x7x3xf32>
    %dx = "aten._adaptive_avg_pool2d_backward"(%g, %x) : (tensor<3x7x3xf32>, tensor<3x5x4xf32>) -> tensor<3x5x4xf32>
    func.return %y, %dx : tensor<3x7x3xf32>, tensor<3x5x4xf32>
  }
  func.func @matmul_f64(%a32: tensor<3x4xf32>, %b32: tensor<4x5xf32>, %c32: tensor<2x3x4xf32>,
                        %d32: tensor<2x4x2xf32>, %bias32: tensor<5xf32>)
      -> (tensor<3x5xf64>, tensor<2x3x2xf64>, tensor<3x5xf64>) {
    %a = "aten._to_copy"(%a32) {dtype = f64} : (tensor<3x4xf32>) -> tensor<3x4xf64>
    %b = "aten._to_copy"(%b32) {dtype = f64} : (tensor<4x5xf32>) -> tensor<4x5xf64>
    %c = "aten._to_copy"(%c32) {dtype = f64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf64>
    %d = "aten._to_copy"(%d32) {dtype = f64} : (tensor<2x4x2xf32>) -> tensor<2x4x2xf64>
    %bias = "aten._to_copy"(%bias32) {dtype = f64} : (tensor<5xf32>) -> tensor<5xf64>
    %bt = "aten.t"(%b) : (tensor<4x5xf64>) -> tensor<5x4xf64>
    %at = "aten.t"(%a) : (tensor<3x4xf64>) -> tensor<4x3xf64>
    %p = "aten.mm"(%bt, %at) : (tensor<5x4xf64>, tensor<4x3xf64>) -> tensor<5x3xf64>
    %pt = "aten.t"(%p) : (tensor<5x3xf64>) -> tensor<3x5xf64>
    %q = "aten.bmm"(%c, %d) : (tensor<2x3x4xf64>, tensor<2x4x2xf64>) -> tensor<2x3x2xf64>
    %r = "aten.addmm"(%bias, %a, %b) {alpha = 1.5 : f64, beta = 1 : i64} : (tensor<5xf64>, tensor<3x4xf64>, tensor<4x5xf64>) -> tensor<3x5xf64>
    func.return %pt, %q, %r : tensor<3x5xf64>, tensor<2x3x2xf64>, tensor<3x5xf64>
  }
  func.func @addmm_beta_zero(%bias: tensor<3x5xf32>, %a: tensor<3x4xf32>, %b: tensor<4x5xf32>)
      -> tensor<3x5xf32> {
    %r = "aten.addmm"(%bias, %a, %b) {alpha = 2 : i64, beta = 0 : i64} : (tensor<3x5xf32>, tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
    func.return %r : tensor<3x5xf32>
  }
  func.func @strided_views(%x: tensor<4x5xf32>, %y: tensor<2x3x4xf32>)
      -> (tensor<3x2xf32>, tensor<2x3x10xf32>, tensor<4x15xf32>) {
    %xt = "aten.t"(%x) : (tensor<4x5xf32>) -> tensor<5x4xf32>
    %s = "aten.as_strided"(%xt) {size = [3, 2], stride = [3, 7], storage_offset = 2 : i64} : (tensor<5x4xf32>) -> tensor<3x2xf32>
    %p = "aten.reflection_pad1d"(%y) {padding = [3, 3]} : (tensor<2x3x4xf32>) -> tensor<2x3x10xf32>
    %r = "aten.repeat"(%xt) {repeats = [1, 3]} : (tensor<5x4xf32>) -> tensor<5x12xf32>
    %rr = "aten.repeat"(%x) {repeats = [1, 3]} : (tensor<4x5xf32>) -> tensor<4x15xf32>
    func.return %s, %p, %rr : tensor<3x2xf32>, tensor<2x3x10xf32>, tensor<4x15xf32>
  }
  func.func @flag_counts(%x: tensor<4x5xf32>) -> (tensor<1x4xi1>, tensor<i1>, tensor<5xi1>) {
    %xt = "aten.t"(%x) : (tensor<4x5xf32>) -> tensor<5x4xf32>
    %m = "aten.gt.Scalar"(%xt) {other = 0.5 : f64} : (tensor<5x4xf32>) -> tensor<5x4xi1>
    %n = "aten.lt.Scalar"(%xt) {other = -0.5 : f64} : (tensor<5x4xf32>) -> tensor<5x4xi1>
    %o = "aten.add.Tensor"(%m, %n) : (tensor<5x4xi1>, tensor<5x4xi1>) -> tensor<5x4xi1>
    %any = "aten.any.dims"(%o) {dim = [0], keepdim = true} : (tensor<5x4xi1>) -> tensor<1x4xi1>
    %all = "aten.all"(%o) : (tensor<5x4xi1>) -> tensor<i1>
    %alld = "aten.all.dim"(%o) {dim = -1 : i64} : (tensor<5x4xi1>) -> tensor<5xi1>
    func.return %any, %all, %alld : tensor<1x4xi1>, tensor<i1>, tensor<5xi1>
  }
  func.func @int_powers(%x: tensor<4xf32>) -> (tensor<70xi64>, tensor<70xi64>, tensor<70xi32>, tensor<70xi64>) {
    %e = "aten.arange.start_step"() {start = -5 : i64, end = 65 : i64, step = 1 : i64, dtype = i64} : () -> tensor<70xi64>
    %p = "aten.pow.Scalar"(%e) {self = 3 : i64} : (tensor<70xi64>) -> tensor<70xi64>
    %q = "aten.pow.Scalar"(%e) {self = -1 : i64} : (tensor<70xi64>) -> tensor<70xi64>
    %e32 = "aten._to_copy"(%e) {dtype = i32} : (tensor<70xi64>) -> tensor<70xi32>
    %r = "aten.pow.Tensor_Scalar"(%e32) {exponent = 13 : i64} : (tensor<70xi32>) -> tensor<70xi32>
    %t = "aten.pow.Scalar"(%e) {self = 6 : i64} : (tensor<70xi64>) -> tensor<70xi64>
    func.return %p, %q, %r, %t : tensor<70xi64>, tensor<70xi64>, tensor<70xi32>, tensor<70xi64>
  }
  func.func @products(%x: tensor<300x4xf32>) -> (tensor<4xf32>, tensor<300x1xf32>, tensor<i64>) {
    %y = "aten.mul.Scalar"(%x) {other = 0.01 : f64} : (tensor<300x4xf32>) -> tensor<300x4xf32>
    %z = "aten.add.Scalar"(%y) {other = 1.0 : f64} : (tensor<300x4xf32>) -> tensor<300x4xf32>
    %p = "aten.prod.dim_int"(%z) {dim = 0 : i64, keepdim = false} : (tensor<300x4xf32>) -> tensor<4xf32>
    %q = "aten.prod.dim_int"(%z) {dim = -1 : i64, keepdim = true} : (tensor<300x4xf32>) -> tensor<300x1xf32>
    %e = "aten.arange.start_step"() {start = -7 : i64, end = 8 : i64, step = 1 : i64, dtype = i64} : () -> tensor<15xi64>
    %r = "aten.prod"(%e) : (tensor<15xi64>) -> tensor<i64>
    func.return %p, %q, %r : tensor<4xf32>, tensor<300x1xf32>, tensor<i64>
  }
}
