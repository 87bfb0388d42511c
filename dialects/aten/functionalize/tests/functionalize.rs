//! aot-functionalize end to end: parse an L0 function, functionalize it, verify the result
//! and run it in the reference interpreter against the eager (in-place) semantics written
//! out by hand.

use joinery_functionalize::{FUNCTIONALIZE, functionalize_function};
use joinery_interp::{RuntimeValue, Tensor, run_function};
use joinery_ir::{Context, OpId, SourceMap};
use joinery_pass::PassState;

fn functionalized(text: &str) -> (Context, OpId) {
    let mut ctx = Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &joinery_aot::AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
    ]);
    let mut sources = SourceMap::default();
    let file = sources.add("test.mlir", text);
    let module = joinery_syntax::parse_source(&mut ctx, &sources, file).expect("parses");
    assert!(
        joinery_ir::verify::verify(&ctx, module).is_empty(),
        "L0 input verifies"
    );
    let funcs: Vec<OpId> = ctx
        .walk(module)
        .into_iter()
        .filter(|&op| ctx.name_str(op) == "func.func")
        .collect();
    let mut stats = vec![0; FUNCTIONALIZE.statistics.len()];
    for f in funcs {
        let mut state = PassState::new(&FUNCTIONALIZE, &mut stats);
        functionalize_function(&mut ctx, f, &mut state).expect("functionalizes");
    }
    let diags = joinery_ir::verify::verify(&ctx, module);
    assert!(diags.is_empty(), "L1 output verifies: {diags:?}");
    (ctx, module)
}

fn tensor(shape: &[usize], values: &[f64]) -> Tensor {
    Tensor::from_vec_f64(shape, values.to_vec(), joinery_interp::DType::F32)
}

fn values(v: &RuntimeValue) -> Vec<f64> {
    v.as_tensor()
        .expect("a tensor")
        .to_f64()
        .iter()
        .copied()
        .collect()
}

#[test]
fn a_write_through_a_view_reaches_the_base_and_its_other_views() {
    let (ctx, module) = functionalized(
        r#"
func.func @f(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2xf32>) {
  %b = aten.value_to_ref %x : (tensor<2x3xf32>) -> !aten.ref<tensor<2x3xf32>>
  %col = aten.select.int %b {dim = 1, index = 2} : (!aten.ref<tensor<2x3xf32>>) -> !aten.ref<tensor<2xf32>>
  %t = aten.t %b : (!aten.ref<tensor<2x3xf32>>) -> !aten.ref<tensor<3x2xf32>>
  %row = aten.select.int %t {dim = 0, index = 2} : (!aten.ref<tensor<3x2xf32>>) -> !aten.ref<tensor<2xf32>>
  %0 = aten.mul_.Scalar %row {other = 10} : (!aten.ref<tensor<2xf32>>) -> !aten.ref<tensor<2xf32>>
  %1 = aten.add_.Scalar %b {other = 1} : (!aten.ref<tensor<2x3xf32>>) -> !aten.ref<tensor<2x3xf32>>
  %out = aten.ref_to_value %b : (!aten.ref<tensor<2x3xf32>>) -> tensor<2x3xf32>
  %c = aten.ref_to_value %col : (!aten.ref<tensor<2xf32>>) -> tensor<2xf32>
  func.return %out, %c : tensor<2x3xf32>, tensor<2xf32>
}
"#,
    );
    let x = tensor(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    let got = run_function(&ctx, module, "f", vec![x]).expect("runs");
    // Eager: column 2 (= row 2 of the transpose) times 10, then everything plus 1.
    assert_eq!(values(&got[0]), vec![2., 3., 31., 5., 6., 61.]);
    assert_eq!(values(&got[1]), vec![31., 61.]);
}

#[test]
fn written_inputs_come_back_as_input_mutations_with_their_final_value() {
    let (ctx, module) = functionalized(
        r#"
func.func @f(%steps: !aten.ref<tensor<4xf32>> {aot.desc = #aot.buffer<"steps">}, %v: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (tensor<f32> {aot.desc = #aot.plain_out<0>}) {
  %s = aten.slice.Tensor %steps {dim = 0, start = 2} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<2xf32>>
  %0 = aten.copy_ %s, %v : (!aten.ref<tensor<2xf32>>, tensor<2xf32>) -> !aten.ref<tensor<2xf32>>
  %sum = aten.sum %steps : (!aten.ref<tensor<4xf32>>) -> tensor<f32>
  %1 = aten.mul_.Scalar %steps {other = 2} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  func.return %sum : tensor<f32>
}
"#,
    );
    let f = ctx.lookup_symbol(module, "f").expect("@f");
    let (_, results) = joinery_func::signature(&ctx, f).expect("signature");
    assert_eq!(results.len(), 2, "the input mutation comes first");
    let steps = tensor(&[4], &[1., 2., 3., 4.]);
    let v = tensor(&[2], &[10., 20.]);
    let got = run_function(&ctx, module, "f", vec![steps, v]).expect("runs");
    assert_eq!(values(&got[0]), vec![2., 4., 20., 40.]);
    assert_eq!(values(&got[1]), vec![33.]);
}

#[test]
fn in_place_results_of_a_wider_dtype_are_cast_back() {
    let (ctx, module) = functionalized(
        r#"
func.func @f(%x: tensor<3xi32>, %y: tensor<3xi64>) -> tensor<3xi32> {
  %b = aten.value_to_ref %x : (tensor<3xi32>) -> !aten.ref<tensor<3xi32>>
  %0 = aten.add_.Tensor %b, %y : (!aten.ref<tensor<3xi32>>, tensor<3xi64>) -> !aten.ref<tensor<3xi32>>
  %v = aten.ref_to_value %b : (!aten.ref<tensor<3xi32>>) -> tensor<3xi32>
  func.return %v : tensor<3xi32>
}
"#,
    );
    let x = Tensor::from_vec_f64(&[3], vec![1., 2., 3.], joinery_interp::DType::I32);
    let y = Tensor::from_vec_f64(&[3], vec![10., 20., 30.], joinery_interp::DType::I64);
    let got = run_function(&ctx, module, "f", vec![x, y]).expect("runs");
    assert_eq!(
        got[0].as_tensor().map(Tensor::dtype),
        Some(joinery_interp::DType::I32)
    );
    assert_eq!(values(&got[0]), vec![11., 22., 33.]);
}
