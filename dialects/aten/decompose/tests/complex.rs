//! aten-complex-to-real checked against the reference interpreter: each function runs on
//! random inputs before and after the pass and the results must agree; after the pass no
//! op of the table is left on complex tensors.
//!
//! The functions take real `tensor<S x 2 x fT>` arguments (made complex by
//! `view_as_complex`, which the pass removes) except where a scenario checks complex
//! arguments; results may be complex (read back through `view_as_complex`). Tolerance:
//! `|got - want| <= TOLERANCE * max(1, max |finite want|)` per part (infinities and nans
//! equal); the interpreter computes in
//! f64 with `num_complex`'s formulas, the rewrite rounds after every real op.

use joinery_decompose::{COMPLEX_TO_REAL, REWRITES, complex_to_real};
use joinery_graphgen::Rng;
use joinery_interp::tensor::Complex64;
use joinery_interp::{DType, RuntimeValue, Tensor, run_function};
use joinery_ir::{Context, Dim, OpId, SourceMap};
use joinery_pass::PassState;

const TOLERANCE_F32: f64 = 1e-5;
const TOLERANCE_F64: f64 = 1e-12;
const SEEDS: [u64; 3] = [1, 2, 3];

fn parse(text: &str) -> (Context, OpId) {
    let mut ctx = Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &joinery_arith::ARITH_DIALECT,
        &joinery_aot::AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
    ]);
    let mut sources = SourceMap::default();
    let id = sources.add("complex.mlir", text);
    let module = joinery_syntax::parse_source(&mut ctx, &sources, id)
        .unwrap_or_else(|e| panic!("the cases parse: {e:?}"));
    let diags = joinery_ir::verify::verify(&ctx, module);
    assert!(diags.is_empty(), "the cases verify: {diags:?}");
    (ctx, module)
}

fn functions(ctx: &Context, module: OpId) -> Vec<OpId> {
    ctx.walk(module)
        .into_iter()
        .filter(|&op| ctx.name_str(op) == "func.func" && ctx.body_block(op).is_some())
        .collect()
}

/// Runs the pass on every function; returns the `rewritten` and `kept` statistics.
fn rewrite(ctx: &mut Context, module: OpId) -> (u64, u64) {
    let mut stats = vec![0; COMPLEX_TO_REAL.statistics.len()];
    for f in functions(ctx, module) {
        let mut state = PassState::new(&COMPLEX_TO_REAL, &mut stats);
        if let Err(errors) = complex_to_real(ctx, f, &mut state) {
            panic!("aten-complex-to-real fails: {errors:?}");
        }
    }
    let diags = joinery_ir::verify::verify(ctx, module);
    assert!(diags.is_empty(), "the rewritten IR verifies: {diags:?}");
    (stats[0], stats[1])
}

/// The ops of the table still taking or making complex tensors, but for the views at the
/// boundaries of what stays complex.
fn complex_ops_left(ctx: &Context, module: OpId) -> Vec<String> {
    let complex = |v| {
        ctx.tensor_parts(ctx.value_type(v))
            .and_then(|(_, e)| ctx.dtype_of(e))
            .is_some_and(|d| d.is_complex())
    };
    ctx.walk(module)
        .into_iter()
        .filter(|&op| REWRITES.iter().any(|r| r.op == ctx.name_str(op)))
        .filter(|&op| !ctx.name_str(op).starts_with("aten.view_as_"))
        .filter(|&op| {
            ctx.operands(op)
                .iter()
                .chain(ctx.results(op))
                .any(|&v| complex(v))
        })
        .map(|op| ctx.name_str(op).to_string())
        .collect()
}

/// Uniform in [-2, 2).
fn float(rng: &mut Rng) -> f64 {
    rng.uniform() * 4.0 - 2.0
}

/// Random inputs for every argument of `@name` (complex ones part by part).
fn random_inputs(ctx: &Context, module: OpId, name: &str, seed: u64) -> Vec<Tensor> {
    let func = ctx.lookup_symbol(module, name).expect("function");
    let (args, _) = joinery_func::signature(ctx, func).expect("signature");
    let mut rng = Rng(seed);
    args.iter()
        .map(|&ty| {
            let (dims, element) = ctx.tensor_parts(ty).expect("tensor arguments");
            let shape: Vec<usize> = dims
                .iter()
                .map(|d| match d {
                    Dim::Static(n) => *n as usize,
                    Dim::Dynamic => panic!("static argument shapes"),
                })
                .collect();
            let dtype = DType::from_element_type(ctx, element).expect("interpreter dtype");
            let n: usize = shape.iter().product();
            if dtype.is_complex() {
                let values = (0..n).map(|_| Complex64::new(float(&mut rng), float(&mut rng)));
                let a = ndarray_of(&shape, values.collect());
                Tensor::from_c128(a, dtype)
            } else if dtype == DType::Bool {
                let values = (0..n)
                    .map(|_| f64::from(u8::from(float(&mut rng) > 0.0)))
                    .collect();
                Tensor::from_vec_f64(&shape, values, dtype)
            } else {
                Tensor::from_vec_f64(&shape, (0..n).map(|_| float(&mut rng)).collect(), dtype)
            }
        })
        .collect()
}

fn ndarray_of(shape: &[usize], values: Vec<Complex64>) -> ndarray::ArrayD<Complex64> {
    ndarray::ArrayD::from_shape_vec(shape.to_vec(), values).expect("shape")
}

/// Asserts that two results agree part by part (see the module docs).
fn assert_agree(got: &RuntimeValue, want: &RuntimeValue, what: &str) {
    let (RuntimeValue::Tensor(got), RuntimeValue::Tensor(want)) = (got, want) else {
        panic!("{what}: got {got:?}, want {want:?}");
    };
    assert_eq!(got.dtype(), want.dtype(), "{what}: dtype");
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    let flat = |t: &Tensor| -> Vec<f64> { t.to_c128().iter().flat_map(|z| [z.re, z.im]).collect() };
    let (g, w) = (flat(got), flat(want));
    let tolerance = if matches!(want.dtype(), DType::F64 | DType::C128) {
        TOLERANCE_F64
    } else {
        TOLERANCE_F32
    };
    let scale = w
        .iter()
        .filter(|v| v.is_finite())
        .fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        let close = a == b || (a - b).abs() <= tolerance * scale || (a.is_nan() && b.is_nan());
        assert!(close, "{what}: part {i}: got {a}, want {b} (scale {scale})");
    }
}

/// One function per scenario, named `@op$scenario`; every row of the table appears.
const CASES: &str = r#"
func.func @complex$views(%x: tensor<2x3x2xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3x2xf32>) {
  %z = aten.view_as_complex %x : (tensor<2x3x2xf32>) -> tensor<2x3xcomplex<f32>>
  %re = aten.real %z : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xf32>
  %im = aten.imag %z : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xf32>
  %c = aten.complex %im, %re : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xcomplex<f32>>
  %r = aten.view_as_real %c : (tensor<2x3xcomplex<f32>>) -> tensor<2x3x2xf32>
  func.return %re, %im, %r : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3x2xf32>
}
func.func @complex$broadcast(%a: tensor<3x1xf64>, %b: tensor<4xf64>) -> tensor<3x4xcomplex<f64>> {
  %c = aten.complex %a, %b : (tensor<3x1xf64>, tensor<4xf64>) -> tensor<3x4xcomplex<f64>>
  func.return %c : tensor<3x4xcomplex<f64>>
}
func.func @arithmetic$complex_arguments(%a: tensor<2x3xcomplex<f32>>, %b: tensor<3xcomplex<f32>>) -> (tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>) {
  %add = aten.add.Tensor %a, %b {alpha = 3} : (tensor<2x3xcomplex<f32>>, tensor<3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %sub = aten.sub.Tensor %a, %b : (tensor<2x3xcomplex<f32>>, tensor<3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %mul = aten.mul.Tensor %a, %b : (tensor<2x3xcomplex<f32>>, tensor<3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %div = aten.div.Tensor %a, %b : (tensor<2x3xcomplex<f32>>, tensor<3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %neg = aten.neg %div : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  func.return %add, %sub, %mul, %div, %neg : tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>
}
func.func @arithmetic$real_operands(%a: tensor<2x3xcomplex<f64>>, %x: tensor<2x3xf64>) -> (tensor<2x3xcomplex<f64>>, tensor<2x3xcomplex<f64>>, tensor<2x3xcomplex<f64>>, tensor<2x3xcomplex<f64>>) {
  %add = aten.add.Tensor %x, %a : (tensor<2x3xf64>, tensor<2x3xcomplex<f64>>) -> tensor<2x3xcomplex<f64>>
  %mul = aten.mul.Tensor %a, %x : (tensor<2x3xcomplex<f64>>, tensor<2x3xf64>) -> tensor<2x3xcomplex<f64>>
  %div = aten.div.Tensor %x, %a : (tensor<2x3xf64>, tensor<2x3xcomplex<f64>>) -> tensor<2x3xcomplex<f64>>
  %div2 = aten.div.Tensor %a, %x : (tensor<2x3xcomplex<f64>>, tensor<2x3xf64>) -> tensor<2x3xcomplex<f64>>
  func.return %add, %mul, %div, %div2 : tensor<2x3xcomplex<f64>>, tensor<2x3xcomplex<f64>>, tensor<2x3xcomplex<f64>>, tensor<2x3xcomplex<f64>>
}
func.func @arithmetic$scalars(%a: tensor<4xcomplex<f32>>) -> (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) {
  %add = aten.add.Scalar %a {other = 1.5, alpha = 2} : (tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  %sub = aten.sub.Scalar %a {other = 2} : (tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  %mul = aten.mul.Scalar %a {other = -3} : (tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  %div = aten.div.Scalar %a {other = 0.25} : (tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  func.return %add, %sub, %mul, %div : tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>
}
func.func @abs$sgn_conj(%a: tensor<2x3xcomplex<f32>>) -> (tensor<2x3xf32>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>) {
  %abs = aten.abs %a : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xf32>
  %sgn = aten.sgn %a : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %conj = aten._conj %a : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %zero = aten.mul.Scalar %a {other = 0} : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %sgn0 = aten.sgn %zero : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  func.return %abs, %sgn, %conj, %sgn0 : tensor<2x3xf32>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>
}
func.func @where.self$broadcast(%c: tensor<3xi1>, %a: tensor<2x3xcomplex<f32>>, %x: tensor<2x1xf32>) -> tensor<2x3xcomplex<f32>> {
  %r = aten.where.self %c, %a, %x : (tensor<3xi1>, tensor<2x3xcomplex<f32>>, tensor<2x1xf32>) -> tensor<2x3xcomplex<f32>>
  func.return %r : tensor<2x3xcomplex<f32>>
}
func.func @sum$reductions(%a: tensor<2x3x4xcomplex<f32>>) -> (tensor<complex<f32>>, tensor<1x3x1xcomplex<f32>>, tensor<complex<f32>>, tensor<2x3xcomplex<f32>>, tensor<complex<f32>>) {
  %s = aten.sum %a : (tensor<2x3x4xcomplex<f32>>) -> tensor<complex<f32>>
  %sd = aten.sum.dim_IntList %a {dim = [0, -1], keepdim = true} : (tensor<2x3x4xcomplex<f32>>) -> tensor<1x3x1xcomplex<f32>>
  %m = aten.mean %a : (tensor<2x3x4xcomplex<f32>>) -> tensor<complex<f32>>
  %md = aten.mean.dim %a {dim = [-1]} : (tensor<2x3x4xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %s0 = aten.sum %s : (tensor<complex<f32>>) -> tensor<complex<f32>>
  func.return %s, %sd, %m, %md, %s0 : tensor<complex<f32>>, tensor<1x3x1xcomplex<f32>>, tensor<complex<f32>>, tensor<2x3xcomplex<f32>>, tensor<complex<f32>>
}
func.func @view$layout(%a: tensor<2x3x4xcomplex<f32>>) -> (tensor<6x4xcomplex<f32>>, tensor<4x3x2xcomplex<f32>>, tensor<2x4x3xcomplex<f32>>, tensor<3x2xcomplex<f32>>, tensor<1x2x3x4xcomplex<f32>>, tensor<2x2x4xcomplex<f32>>, tensor<2x4xcomplex<f32>>) {
  %v = aten.view %a {size = [6, -1]} : (tensor<2x3x4xcomplex<f32>>) -> tensor<6x4xcomplex<f32>>
  %p = aten.permute %a {dims = [-1, 1, 0]} : (tensor<2x3x4xcomplex<f32>>) -> tensor<4x3x2xcomplex<f32>>
  %t = aten.transpose.int %a {dim0 = -1, dim1 = 1} : (tensor<2x3x4xcomplex<f32>>) -> tensor<2x4x3xcomplex<f32>>
  %s = aten.select.int %p {dim = -3, index = 1} : (tensor<4x3x2xcomplex<f32>>) -> tensor<3x2xcomplex<f32>>
  %u = aten.unsqueeze %a {dim = -4} : (tensor<2x3x4xcomplex<f32>>) -> tensor<1x2x3x4xcomplex<f32>>
  %sl = aten.slice.Tensor %a {dim = -2, start = 1, end = 3} : (tensor<2x3x4xcomplex<f32>>) -> tensor<2x2x4xcomplex<f32>>
  %sel = aten.select.int %a {dim = 1, index = 2} : (tensor<2x3x4xcomplex<f32>>) -> tensor<2x4xcomplex<f32>>
  func.return %v, %p, %t, %s, %u, %sl, %sel : tensor<6x4xcomplex<f32>>, tensor<4x3x2xcomplex<f32>>, tensor<2x4x3xcomplex<f32>>, tensor<3x2xcomplex<f32>>, tensor<1x2x3x4xcomplex<f32>>, tensor<2x2x4xcomplex<f32>>, tensor<2x4xcomplex<f32>>
}
func.func @t$layout(%a: tensor<3x1xcomplex<f32>>, %b: tensor<3xcomplex<f32>>) -> (tensor<1x3xcomplex<f32>>, tensor<3xcomplex<f32>>, tensor<3xcomplex<f32>>, tensor<3x2xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<3x3xcomplex<f32>>) {
  %t = aten.t %a : (tensor<3x1xcomplex<f32>>) -> tensor<1x3xcomplex<f32>>
  %t1 = aten.t %b : (tensor<3xcomplex<f32>>) -> tensor<3xcomplex<f32>>
  %sq = aten.squeeze %a : (tensor<3x1xcomplex<f32>>) -> tensor<3xcomplex<f32>>
  %sqd = aten.squeeze.dim %a {dim = -1} : (tensor<3x1xcomplex<f32>>) -> tensor<3xcomplex<f32>>
  %sqs = aten.squeeze.dims %a {dim = [-1]} : (tensor<3x1xcomplex<f32>>) -> tensor<3xcomplex<f32>>
  %r = aten.reshape %sqs {shape = [3, 1]} : (tensor<3xcomplex<f32>>) -> tensor<3x1xcomplex<f32>>
  %u = aten._unsafe_view %sqd {size = [3, 1]} : (tensor<3xcomplex<f32>>) -> tensor<3x1xcomplex<f32>>
  %c = aten.cat %r, %u {dim = -1} : (tensor<3x1xcomplex<f32>>, tensor<3x1xcomplex<f32>>) -> tensor<3x2xcomplex<f32>>
  %st = aten.stack %sq, %t1 {dim = -2} : (tensor<3xcomplex<f32>>, tensor<3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %e = aten.expand %a {size = [-1, 3]} : (tensor<3x1xcomplex<f32>>) -> tensor<3x3xcomplex<f32>>
  func.return %t, %t1, %sq, %c, %st, %e : tensor<1x3xcomplex<f32>>, tensor<3xcomplex<f32>>, tensor<3xcomplex<f32>>, tensor<3x2xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<3x3xcomplex<f32>>
}
func.func @copy$scatters(%a: tensor<2x5xcomplex<f32>>, %b: tensor<2x2xcomplex<f32>>, %x: tensor<2x2xf32>, %g: tensor<5xcomplex<f32>>) -> (tensor<2x5xcomplex<f32>>, tensor<2x5xcomplex<f32>>, tensor<2x5xcomplex<f32>>, tensor<2x5xcomplex<f32>>, tensor<2x2xcomplex<f32>>) {
  %sl = aten.slice.Tensor %a {dim = 1, start = 1, end = 3} : (tensor<2x5xcomplex<f32>>) -> tensor<2x2xcomplex<f32>>
  %cp = aten.copy %sl, %x : (tensor<2x2xcomplex<f32>>, tensor<2x2xf32>) -> tensor<2x2xcomplex<f32>>
  %ss = aten.slice_scatter %a, %b {dim = -1, start = 3, end = 5} : (tensor<2x5xcomplex<f32>>, tensor<2x2xcomplex<f32>>) -> tensor<2x5xcomplex<f32>>
  %se = aten.select_scatter %a, %g {dim = -2, index = 1} : (tensor<2x5xcomplex<f32>>, tensor<5xcomplex<f32>>) -> tensor<2x5xcomplex<f32>>
  %sb = aten.slice_backward %b {input_sizes = [2, 5], dim = -1, start = 0, end = 4, step = 2} : (tensor<2x2xcomplex<f32>>) -> tensor<2x5xcomplex<f32>>
  %eb = aten.select_backward %g {input_sizes = [2, 5], dim = 0, index = 1} : (tensor<5xcomplex<f32>>) -> tensor<2x5xcomplex<f32>>
  %cl = aten.clone %cp : (tensor<2x2xcomplex<f32>>) -> tensor<2x2xcomplex<f32>>
  %al = aten.alias %cl : (tensor<2x2xcomplex<f32>>) -> tensor<2x2xcomplex<f32>>
  func.return %ss, %se, %sb, %eb, %al : tensor<2x5xcomplex<f32>>, tensor<2x5xcomplex<f32>>, tensor<2x5xcomplex<f32>>, tensor<2x5xcomplex<f32>>, tensor<2x2xcomplex<f32>>
}
func.func @full$factories(%a: tensor<2x3xcomplex<f32>>) -> (tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<4xcomplex<f32>>, tensor<2x3xcomplex<f32>>) {
  %z = aten.zeros_like %a : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %f = aten.full_like %a {fill_value = 2.5} : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %full = aten.full {size = [2, 3], fill_value = -1, dtype = complex<f32>} : () -> tensor<2x3xcomplex<f32>>
  %n = aten.new_zeros %a {size = [4]} : (tensor<2x3xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  %zz = aten.zeros {size = [2, 3], dtype = complex<f32>} : () -> tensor<2x3xcomplex<f32>>
  %zf = aten.add.Tensor %zz, %full : (tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %s0 = aten.add.Tensor %z, %zf : (tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %el = aten.empty_like %a : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %ne = aten.zeros_like %a : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %nes = aten.new_empty_strided %a {size = [2, 3], stride = [3, 1]} : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %s1 = aten.copy %el, %s0 : (tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %s2 = aten.copy %ne, %s1 : (tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %s = aten.copy %nes, %s2 : (tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  func.return %s, %f, %full, %n, %z : tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<2x3xcomplex<f32>>, tensor<4xcomplex<f32>>, tensor<2x3xcomplex<f32>>
}
func.func @_fft_r2c$kept_complex(%x: tensor<2x8xf32>, %w: tensor<5x2xf32>) -> tensor<2x8xf32> {
  %f = aten._fft_r2c %x {dim = [1], normalization = 0, onesided = true} : (tensor<2x8xf32>) -> tensor<2x5xcomplex<f32>>
  %w_c = aten.view_as_complex %w : (tensor<5x2xf32>) -> tensor<5xcomplex<f32>>
  %m = aten.mul.Tensor %f, %w_c : (tensor<2x5xcomplex<f32>>, tensor<5xcomplex<f32>>) -> tensor<2x5xcomplex<f32>>
  %b = aten._fft_c2r %m {dim = [1], normalization = 2, last_dim_size = 8} : (tensor<2x5xcomplex<f32>>) -> tensor<2x8xf32>
  func.return %b : tensor<2x8xf32>
}
"#;

#[test]
fn every_rewrite_agrees_with_the_interpreter() {
    let (reference, ref_module) = parse(CASES);
    let (mut ctx, module) = parse(CASES);
    let (rewritten, kept) = rewrite(&mut ctx, module);
    assert!(rewritten > 0);
    assert_eq!(kept, 2, "the two FFT ops stay complex");
    let left = complex_ops_left(&ctx, module);
    assert!(left.is_empty(), "left on complex tensors: {left:?}");
    for f in functions(&reference, ref_module) {
        let name = reference.symbol_name(f).expect("named").to_string();
        for seed in SEEDS {
            let inputs = random_inputs(&reference, ref_module, &name, seed);
            let want = run_function(&reference, ref_module, &name, inputs.clone())
                .unwrap_or_else(|e| panic!("@{name} runs: {e:?}"));
            let got = run_function(&ctx, module, &name, inputs)
                .unwrap_or_else(|e| panic!("@{name} runs rewritten: {e:?}"));
            assert_eq!(got.len(), want.len());
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_agree(g, w, &format!("@{name} seed {seed} result #{i}"));
            }
        }
    }
}

#[test]
fn every_row_of_the_table_has_a_case() {
    for r in REWRITES {
        let spelled = format!("{} ", r.op);
        let generic = format!("\"{}\"", r.op);
        assert!(
            CASES.contains(&spelled) || CASES.contains(&generic),
            "no case uses {}",
            r.op
        );
    }
}

#[test]
fn every_op_the_interpreter_runs_on_complex_tensors_is_rewritten_or_an_fft() {
    let catalogued = joinery_interp::eval::COMPLEX_OPS
        .iter()
        .filter(|op| joinery_aten::schema(op).is_some());
    for op in catalogued {
        assert!(
            REWRITES.iter().any(|r| r.op == *op) || op.starts_with("aten._fft_"),
            "{op} runs on complex tensors in the interpreter but aten-complex-to-real does not rewrite it"
        );
    }
}

#[test]
fn an_op_outside_the_table_keeps_its_complex_tensors_through_views() {
    let text = r#"
func.func @mm$complex(%a: tensor<2x2x2xf32>) -> tensor<2x2xcomplex<f32>> {
  %z = aten.view_as_complex %a : (tensor<2x2x2xf32>) -> tensor<2x2xcomplex<f32>>
  %c = aten._conj %z : (tensor<2x2xcomplex<f32>>) -> tensor<2x2xcomplex<f32>>
  %m = aten.mm %c, %z : (tensor<2x2xcomplex<f32>>, tensor<2x2xcomplex<f32>>) -> tensor<2x2xcomplex<f32>>
  %n = aten.neg %m : (tensor<2x2xcomplex<f32>>) -> tensor<2x2xcomplex<f32>>
  func.return %n : tensor<2x2xcomplex<f32>>
}
"#;
    let (mut ctx, module) = parse(text);
    let (rewritten, kept) = rewrite(&mut ctx, module);
    assert_eq!((rewritten, kept), (3, 1));
    let names: Vec<&str> = ctx
        .walk(module)
        .into_iter()
        .map(|op| ctx.name_str(op))
        .collect();
    let mm = names
        .iter()
        .position(|n| *n == "aten.mm")
        .expect("mm stays");
    assert_eq!(names[mm - 1], "aten.view_as_complex", "{names:?}");
    assert_eq!(names[mm + 1], "aten.view_as_real", "{names:?}");
}

#[test]
fn abs_and_sgn_agree_with_the_interpreter_on_zeros_infinities_nans_and_huge_parts() {
    let text = r#"
func.func @abs$edges(%z: tensor<8xcomplex<f32>>) -> (tensor<8xf32>, tensor<8xcomplex<f32>>) {
  %a = aten.abs %z : (tensor<8xcomplex<f32>>) -> tensor<8xf32>
  %s = aten.sgn %z : (tensor<8xcomplex<f32>>) -> tensor<8xcomplex<f32>>
  func.return %a, %s : tensor<8xf32>, tensor<8xcomplex<f32>>
}
"#;
    let (reference, ref_module) = parse(text);
    let (mut ctx, module) = parse(text);
    rewrite(&mut ctx, module);
    let (inf, nan) = (f64::INFINITY, f64::NAN);
    let parts = [
        (0.0, 0.0),
        (-0.0, 0.0),
        (inf, 1.0),
        (nan, inf),
        (-inf, -inf),
        (3.0, -4.0),
        // Squares overflow f32: the scaled hypot does not.
        (1e30, -1e30),
        (nan, 1.0),
    ];
    let z = ndarray_of(
        &[8],
        parts
            .iter()
            .map(|&(re, im)| Complex64::new(re, im))
            .collect(),
    );
    let inputs = vec![Tensor::from_c128(z, DType::C64)];
    let want = run_function(&reference, ref_module, "abs$edges", inputs.clone()).expect("runs");
    let got = run_function(&ctx, module, "abs$edges", inputs).expect("runs rewritten");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_agree(g, w, &format!("result #{i}"));
    }
}
