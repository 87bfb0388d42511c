//! Constants (`arith.constant`) and PyTorch's `None` forms, run from text: a tensor
//! constant in every `dense<...>` form, a number as a 0-d constant, and `None` entries of
//! a `Tensor?[]` list; and the L0 forms the interpreter refuses (references).

use joinery_interp::{DType, RuntimeValue, Tensor, run_function};
use joinery_ir::{Context, SourceMap};

/// Parses `src` and runs its function `@f` on `inputs`.
fn run(src: &str, inputs: Vec<Tensor>) -> Result<Vec<RuntimeValue>, String> {
    let mut ctx = Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &joinery_arith::ARITH_DIALECT,
        &joinery_aot::AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
    ]);
    let mut sources = SourceMap::default();
    let file = sources.add("input.mlir", src);
    let module =
        joinery_syntax::parse_source(&mut ctx, &sources, file).map_err(|d| format!("{d:?}"))?;
    let diags = joinery_ir::verify::verify(&ctx, module);
    assert!(diags.is_empty(), "{diags:?}");
    run_function(&ctx, module, "f", inputs).map_err(|d| d.message)
}

fn tensor(shape: &[usize], data: Vec<f64>, dtype: DType) -> Tensor {
    Tensor::from_vec_f64(shape, data, dtype)
}

fn results(out: Vec<RuntimeValue>) -> Vec<Tensor> {
    out.into_iter()
        .map(|v| v.as_tensor().expect("a tensor").clone())
        .collect()
}

#[test]
fn constants_in_every_form_hold_their_elements() {
    let out = run(
        r#"
        func.func @f() -> (tensor<2x2xi64>, tensor<3xf32>, tensor<2xf32>, tensor<9xi1>) {
          %a = "arith.constant"() <{value = dense<[[1, -2], [3, 4]]> : tensor<2x2xi64>}> : () -> tensor<2x2xi64>
          %b = "arith.constant"() <{value = dense<0.25> : tensor<3xf32>}> : () -> tensor<3xf32>
          %c = "arith.constant"() <{value = dense<"0x0000803F000000C0"> : tensor<2xf32>}> : () -> tensor<2xf32>
          %d = "arith.constant"() <{value = dense<"0x0501"> : tensor<9xi1>}> : () -> tensor<9xi1>
          func.return %a, %b, %c, %d : tensor<2x2xi64>, tensor<3xf32>, tensor<2xf32>, tensor<9xi1>
        }
        "#,
        vec![],
    )
    .expect("runs");
    let out = results(out);
    assert_eq!(
        out[0],
        tensor(&[2, 2], vec![1.0, -2.0, 3.0, 4.0], DType::I64)
    );
    assert_eq!(out[1], tensor(&[3], vec![0.25; 3], DType::F32));
    assert_eq!(out[2], tensor(&[2], vec![1.0, -2.0], DType::F32));
    let bits = vec![1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
    assert_eq!(out[3], tensor(&[9], bits, DType::Bool));
}

#[test]
fn a_number_as_self_is_a_zero_dim_constant_that_keeps_the_tensor_dtype() {
    // `1 - x` under core decompositions: aten.sub.Tensor(1, x) on a wrapped number.
    let out = run(
        r#"
        func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {
          %one = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
          %r = aten.sub.Tensor %one, %x : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
          func.return %r : tensor<3xf32>
        }
        "#,
        vec![tensor(&[3], vec![0.5, 2.0, -1.0], DType::F32)],
    )
    .expect("runs");
    assert_eq!(
        results(out)[0],
        tensor(&[3], vec![0.5, -1.0, 2.0], DType::F32)
    );
}

#[test]
fn none_entries_of_index_lists_are_full_slices() {
    // x[:, i] (adjacent: the index dims stay in place) and x[i, :, j] (apart: they come
    // first), as PyTorch's advanced indexing.
    let out = run(
        r#"
        func.func @f(%x: tensor<2x3x4xi64>) -> (tensor<2x2x4xi64>, tensor<2x3xi64>) {
          %none = "aot.none"() : () -> none
          %i = "arith.constant"() <{value = dense<[2, 0]> : tensor<2xi64>}> : () -> tensor<2xi64>
          %j = "arith.constant"() <{value = dense<[3, -1]> : tensor<2xi64>}> : () -> tensor<2xi64>
          %k = "arith.constant"() <{value = dense<[1, 0]> : tensor<2xi64>}> : () -> tensor<2xi64>
          %a = "aten.index.Tensor"(%x, %none, %i) : (tensor<2x3x4xi64>, none, tensor<2xi64>) -> tensor<2x2x4xi64>
          %b = "aten.index.Tensor"(%x, %k, %none, %j) : (tensor<2x3x4xi64>, tensor<2xi64>, none, tensor<2xi64>) -> tensor<2x3xi64>
          func.return %a, %b : tensor<2x2x4xi64>, tensor<2x3xi64>
        }
        "#,
        vec![tensor(&[2, 3, 4], (0..24).map(f64::from).collect(), DType::I64)],
    )
    .expect("runs");
    let out = results(out);
    let a: Vec<f64> = [8, 9, 10, 11, 0, 1, 2, 3, 20, 21, 22, 23, 12, 13, 14, 15]
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    assert_eq!(out[0], tensor(&[2, 2, 4], a, DType::I64));
    // x[1, :, 3] and x[0, :, -1].
    let b = vec![15.0, 19.0, 23.0, 3.0, 7.0, 11.0];
    assert_eq!(out[1], tensor(&[2, 3], b, DType::I64));
}

#[test]
fn references_are_refused_at_the_first_op_that_holds_one() {
    let err = run(
        r#"
        func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {
          %n = aten.neg %x : (tensor<3xf32>) -> tensor<3xf32>
          %r = aten.clone %n : (tensor<3xf32>) -> !aten.ref<tensor<3xf32>>
          %v = aten.ref_to_value %r : (!aten.ref<tensor<3xf32>>) -> tensor<3xf32>
          func.return %v : tensor<3xf32>
        }
        "#,
        vec![tensor(&[3], vec![1.0, 2.0, 3.0], DType::F32)],
    )
    .expect_err("references are L0 code");
    assert!(
        err.starts_with("'aten.clone' works on references")
            && err.contains("the interpreter runs values only: functionalize first"),
        "{err}"
    );
}
