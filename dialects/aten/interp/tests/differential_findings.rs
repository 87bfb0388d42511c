//! Regression tests for what differential testing against PyTorch found
//! (`tests/graphgen`, `tests/torch/test_differential.py`), each run from text.

use joinery_interp::{DType, Tensor, run_function};
use joinery_ir::{Context, SourceMap};

/// Parses and verifies `src`, then runs its function `@f` on `inputs`.
fn run(src: &str, inputs: Vec<Tensor>) -> Result<Vec<Tensor>, String> {
    let mut ctx = Context::new(&[&joinery_func::FUNC_DIALECT, &joinery_aten::ATEN_DIALECT]);
    let mut sources = SourceMap::default();
    let file = sources.add("input.mlir", src);
    let module =
        joinery_syntax::parse_source(&mut ctx, &sources, file).map_err(|d| format!("{d:?}"))?;
    let diags = joinery_ir::verify::verify(&ctx, module);
    assert!(diags.is_empty(), "{diags:?}");
    let out = run_function(&ctx, module, "f", inputs).map_err(|d| d.message)?;
    Ok(out
        .into_iter()
        .map(|v| v.as_tensor().expect("a tensor").clone())
        .collect())
}

/// `sign` is PyTorch's `(0 < x) - (x < 0)`: 0 (not NaN) for NaN, +0 for -0.
#[test]
fn sign_of_nan_and_negative_zero_is_positive_zero() {
    let src = "func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = aten.sign %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}";
    let x = Tensor::from_vec_f64(&[4], vec![f64::NAN, -0.0, -2.0, 3.0], DType::F32);
    let got = run(src, vec![x]).expect("runs")[0].to_f64();
    let bits: Vec<(f64, bool)> = got.iter().map(|v| (*v, v.is_sign_negative())).collect();
    assert_eq!(
        bits,
        [(0.0, false), (0.0, false), (-1.0, true), (1.0, false)]
    );
}

/// `_embedding_bag_backward` with fewer `max_indices` than bags times columns, or with
/// `per_sample_weights` not one per index, is an error (it indexed out of bounds).
#[test]
fn embedding_bag_backward_checks_its_index_operands() {
    let src = "func.func @f(%g: tensor<2x3xf32>, %i: tensor<2xi64>, %o: tensor<2xi64>, %b: tensor<2xi64>, %m: tensor<1xi64>) -> tensor<4x3xf32> {
  %r = aten._embedding_bag_backward %g, %i, %o, %b, %b, %m {mode = 2 : i64, num_weights = 4 : i64, scale_grad_by_freq = false, sparse = false} : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<1xi64>) -> tensor<4x3xf32>
  func.return %r : tensor<4x3xf32>
}";
    let g = Tensor::from_vec_f64(&[2, 3], vec![1.0; 6], DType::F32);
    let ints = |v: Vec<f64>| Tensor::from_vec_f64(&[v.len()], v, DType::I64);
    let e = run(
        src,
        vec![
            g,
            ints(vec![0.0, 1.0]),
            ints(vec![0.0, 1.0]),
            ints(vec![1.0, 1.0]),
            ints(vec![0.0]),
        ],
    )
    .expect_err("too few max_indices");
    assert!(e.contains("max_indices holds 1 elements"), "{e}");
}

/// `_euclidean_dist` propagates a NaN, as PyTorch's `clamp_min(0)` does (it gave 0).
#[test]
fn euclidean_dist_keeps_nan() {
    let src = "func.func @f(%x: tensor<1x2xf32>, %y: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %d = aten._euclidean_dist %x, %y : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  func.return %d : tensor<1x1xf32>
}";
    let x = Tensor::from_vec_f64(&[1, 2], vec![f64::NAN, 1.0], DType::F32);
    let y = Tensor::from_vec_f64(&[1, 2], vec![1.0, 1.0], DType::F32);
    let got = run(src, vec![x, y]).expect("runs")[0].to_f64();
    assert!(got.iter().all(|v| v.is_nan()), "{got:?}");
}

/// `native_layer_norm` over an empty normalized shape: mean 0 and rstd NaN, as PyTorch's
/// CPU kernel gives (the mean was 0 / 0 = NaN).
#[test]
fn layer_norm_of_an_empty_group_has_mean_zero() {
    let src = "func.func @f(%x: tensor<2x0xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>) {
  %y:3 = aten.native_layer_norm %x {eps = 1.0e-5 : f64, normalized_shape = [0]} : (tensor<2x0xf32>) -> (tensor<2x0xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  func.return %y#1, %y#2 : tensor<2x1xf32>, tensor<2x1xf32>
}";
    let x = Tensor::from_vec_f64(&[2, 0], vec![], DType::F32);
    let got = run(src, vec![x]).expect("runs");
    assert_eq!(
        got[0].to_f64().iter().copied().collect::<Vec<_>>(),
        [0.0, 0.0]
    );
    assert!(got[1].to_f64().iter().all(|v| v.is_nan()));
}

/// `hardtanh` keeps a NaN, as PyTorch's clamp does (it gave `min_val`).
#[test]
fn hardtanh_keeps_nan() {
    let src = "func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = aten.hardtanh %x {min_val = -1.5 : f64, max_val = 1 : i64} : (tensor<2xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}";
    let x = Tensor::from_vec_f64(&[2], vec![f64::NAN, 5.0], DType::F32);
    let got = run(src, vec![x]).expect("runs")[0].to_f64();
    assert!(got[0].is_nan() && got[1] == 1.0, "{got:?}");
}

/// `flip` of a 0-d tensor along dim 0 is the tensor (it indexed an axis that is not there).
#[test]
fn flip_of_a_zero_dim_tensor_is_itself() {
    let src = "func.func @f(%x: tensor<f32>) -> tensor<f32> {
  %y = aten.flip %x {dims = [0]} : (tensor<f32>) -> tensor<f32>
  func.return %y : tensor<f32>
}";
    let x = Tensor::from_vec_f64(&[], vec![2.5], DType::F32);
    let got = run(src, vec![x]).expect("runs")[0].to_f64();
    assert_eq!(got.iter().copied().collect::<Vec<_>>(), [2.5]);
}

/// `elu_backward` sends a NaN input down the positive branch, as PyTorch's `v <= 0` test
/// does (it took the exponential branch and gave NaN).
#[test]
fn elu_backward_of_nan_takes_the_positive_branch() {
    let src = "func.func @f(%g: tensor<1xf32>, %x: tensor<1xf32>) -> tensor<1xf32> {
  %y = aten.elu_backward %g, %x {alpha = 1 : i64, scale = 2 : i64, input_scale = 1 : i64, is_result = false} : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  func.return %y : tensor<1xf32>
}";
    let g = Tensor::from_vec_f64(&[1], vec![0.5], DType::F32);
    let x = Tensor::from_vec_f64(&[1], vec![f64::NAN], DType::F32);
    let got = run(src, vec![g, x]).expect("runs")[0].to_f64();
    assert_eq!(got.iter().copied().collect::<Vec<_>>(), [1.0]);
}

/// `native_group_norm` checks the batch against `N`: with `C = 0` the element count
/// matched and the statistics were written out of bounds (a panic).
#[test]
fn group_norm_checks_the_batch() {
    let src = "func.func @f(%x: tensor<1x0x2xf32>) -> tensor<2x1xf32> {
  %y:3 = aten.native_group_norm %x {N = 2 : i64, C = 0 : i64, HxW = 1 : i64, group = 1 : i64, eps = 1.0e-5 : f64} : (tensor<1x0x2xf32>) -> (tensor<1x0x2xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  func.return %y#1 : tensor<2x1xf32>
}";
    let x = Tensor::from_vec_f64(&[1, 0, 2], vec![], DType::F32);
    let e = run(src, vec![x]).expect_err("N does not match the batch");
    assert!(e.contains("input.size(0) == N"), "{e}");
}
