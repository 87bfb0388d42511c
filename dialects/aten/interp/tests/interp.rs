//! The interpreter around the kernels: signatures, calls, diagnostics and randomness.

use joinery_interp::eval::SEED_ATTR;
use joinery_interp::{DType, RunOptions, RuntimeValue, Tensor, run_function, run_function_with};
use joinery_ir::{
    AttrParam, Attribute, Builder, Context, FileId, InsertPoint, OpId, OperationState, Span, Type,
    Value,
};

fn context() -> Context {
    Context::new(&[&joinery_func::FUNC_DIALECT, &joinery_aten::ATEN_DIALECT])
}

fn f32_tensor(ctx: &mut Context, shape: &[u64]) -> Type {
    let f32 = ctx.float_type(joinery_ir::FloatKind::F32);
    ctx.static_tensor_type(shape, f32)
}

fn bool_tensor(ctx: &mut Context, shape: &[u64]) -> Type {
    let i1 = ctx.integer_type(1);
    ctx.static_tensor_type(shape, i1)
}

/// Adds `func.func @name(args) -> results` to `module` and returns it with its entry block
/// arguments; the caller fills the body.
fn function(
    ctx: &mut Context,
    module: OpId,
    name: &str,
    args: Vec<Type>,
    results: Vec<Type>,
    arg_attrs: Option<Attribute>,
) -> (OpId, joinery_ir::BlockId, Vec<Value>) {
    let region = ctx.create_region();
    let entry = ctx.create_block(&args);
    ctx.append_block(region, entry);
    let ty = ctx.function_type(args, results);
    let ty = ctx.type_attr(ty);
    let sym = ctx.string_attr(name);
    let mut state = OperationState::new(ctx.op_name("func.func"));
    state.attrs = vec![("sym_name".into(), sym), ("function_type".into(), ty)];
    if let Some(a) = arg_attrs {
        state.attrs.push(("arg_attrs".into(), a));
    }
    state.regions.push(region);
    state.span = Some(Span::new(FileId(0), 0, 4));
    let func = ctx.create_op(state);
    let body = ctx.body_block(module).expect("module body");
    ctx.append_op(body, func);
    let params = ctx.block_args(entry).to_vec();
    (func, entry, params)
}

fn values(shape: &[usize], data: Vec<f64>) -> Tensor {
    Tensor::from_vec_f64(shape, data, DType::F32)
}

fn tensor(v: &RuntimeValue) -> &Tensor {
    v.as_tensor().expect("a tensor result")
}

#[test]
fn calls_run_the_callee_and_return_its_results() {
    let mut ctx = context();
    let module = ctx.create_module();
    let t = f32_tensor(&mut ctx, &[2]);
    let (_, entry, p) = function(&mut ctx, module, "double", vec![t], vec![t], None);
    let mut b = Builder::new(&mut ctx, InsertPoint::End(entry));
    let sum = b.build("aten.add.Tensor", &[p[0], p[0]], &[t], Vec::new());
    let r = b.ctx.result(sum, 0);
    b.build("func.return", &[r], &[], Vec::new());
    let (_, entry, p) = function(&mut ctx, module, "main", vec![t], vec![t], None);
    let callee = ctx.symbol_ref_attr("double");
    let mut b = Builder::new(&mut ctx, InsertPoint::End(entry));
    let call = b.build("func.call", &[p[0]], &[t], vec![("callee".into(), callee)]);
    let r = b.ctx.result(call, 0);
    let call2 = b.build("func.call", &[r], &[t], vec![("callee".into(), callee)]);
    let r2 = b.ctx.result(call2, 0);
    b.build("func.return", &[r2], &[], Vec::new());
    let out = run_function(&ctx, module, "main", vec![values(&[2], vec![1.5, -2.0])]).unwrap();
    assert_eq!(tensor(&out[0]), &values(&[2], vec![6.0, -8.0]));
}

#[test]
fn a_mismatched_input_names_its_index_and_descriptor() {
    let mut ctx = context();
    let module = ctx.create_module();
    let t = f32_tensor(&mut ctx, &[2, 3]);
    let target = ctx.string_attr("lin.weight");
    let desc = ctx.attr_of(joinery_ir::AttrData::Dialect {
        dialect: "aot".into(),
        name: "param".into(),
        params: vec![AttrParam::Attr(target)],
    });
    let dict = ctx.dictionary_attr(vec![("aot.desc".into(), desc)]);
    let empty = ctx.dictionary_attr(Vec::new());
    let arg_attrs = ctx.array_attr(vec![empty, dict]);
    let (_, entry, p) = function(&mut ctx, module, "f", vec![t, t], vec![t], Some(arg_attrs));
    let mut b = Builder::new(&mut ctx, InsertPoint::End(entry));
    b.build("func.return", &[p[1]], &[], Vec::new());
    let good = values(&[2, 3], vec![0.0; 6]);
    let bad = values(&[3, 2], vec![0.0; 6]);
    let err = run_function(&ctx, module, "f", vec![good, bad]).unwrap_err();
    assert!(
        err.message
            .contains("input #1 (#aot.param<\"lin.weight\">)")
            && err.message.contains("expected f32[2, 3], got f32[3, 2]"),
        "{}",
        err.message
    );
    assert_eq!(err.span, Some(Span::new(FileId(0), 0, 4)));
}

#[test]
fn unknown_ops_and_kernel_errors_are_diagnostics_at_the_op() {
    let mut ctx = context();
    ctx.allow_unregistered = true;
    let module = ctx.create_module();
    let t = f32_tensor(&mut ctx, &[2, 3]);
    let (_, entry, p) = function(&mut ctx, module, "unknown", vec![t], vec![t], None);
    let mut b = Builder::new(&mut ctx, InsertPoint::End(entry));
    let op = b.build("mystery.op", &[p[0]], &[t], Vec::new());
    b.ctx.set_span(op, Some(Span::new(FileId(0), 10, 20)));
    let r = b.ctx.result(op, 0);
    b.build("func.return", &[r], &[], Vec::new());
    let (_, entry, p) = function(&mut ctx, module, "mm", vec![t], vec![t], None);
    let mut b = Builder::new(&mut ctx, InsertPoint::End(entry));
    let op = b.build("aten.mm", &[p[0], p[0]], &[t], Vec::new());
    b.ctx.set_span(op, Some(Span::new(FileId(0), 30, 40)));
    let r = b.ctx.result(op, 0);
    b.build("func.return", &[r], &[], Vec::new());
    let x = values(&[2, 3], vec![1.0; 6]);

    let err = run_function(&ctx, module, "unknown", vec![x.clone()]).unwrap_err();
    assert!(err.message.contains("'mystery.op'"), "{}", err.message);
    assert_eq!(err.span, Some(Span::new(FileId(0), 10, 20)));

    let err = run_function(&ctx, module, "mm", vec![x.clone()]).unwrap_err();
    assert!(
        err.message
            .contains("'aten.mm': mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
        "{}",
        err.message
    );
    assert_eq!(err.span, Some(Span::new(FileId(0), 30, 40)));

    let err = run_function(&ctx, module, "absent", vec![x]).unwrap_err();
    assert!(
        err.message.contains("no function named @absent"),
        "{}",
        err.message
    );
}

#[test]
fn in_place_ops_must_be_functionalized_first() {
    let mut ctx = context();
    let module = ctx.create_module();
    let t = f32_tensor(&mut ctx, &[2]);
    let (_, entry, p) = function(&mut ctx, module, "f", vec![t], vec![t], None);
    let mut b = Builder::new(&mut ctx, InsertPoint::End(entry));
    let op = b.build("aten.relu_", &[p[0]], &[t], Vec::new());
    let r = b.ctx.result(op, 0);
    b.build("func.return", &[r], &[], Vec::new());
    let err = run_function(&ctx, module, "f", vec![values(&[2], vec![1.0, -1.0])]).unwrap_err();
    assert!(err.message.contains("functionalize"), "{}", err.message);
}

/// `@drop(x) -> (out, mask, grad)`: dropout forward and backward of a ones gradient.
fn dropout_module(ctx: &mut Context, p: f64, seed_attr: Option<i64>) -> OpId {
    let module = ctx.create_module();
    let t = f32_tensor(ctx, &[1000]);
    let m = bool_tensor(ctx, &[1000]);
    let (_, entry, args) = function(ctx, module, "drop", vec![t, t], vec![t, m, t], None);
    let f64_ty = ctx.float_type(joinery_ir::FloatKind::F64);
    let p_attr = ctx.float_attr(p, f64_ty);
    let train = ctx.bool_attr(true);
    let scale = ctx.float_attr(1.0 / (1.0 - p), f64_ty);
    let mut attrs = vec![("p".to_string(), p_attr), ("train".to_string(), train)];
    if let Some(s) = seed_attr {
        attrs.push((SEED_ATTR.to_string(), ctx.integer_attr(s, 64)));
    }
    let mut b = Builder::new(ctx, InsertPoint::End(entry));
    let d = b.build("aten.native_dropout", &[args[0]], &[t, m], attrs);
    let (out, mask) = (b.ctx.result(d, 0), b.ctx.result(d, 1));
    let g = b.build(
        "aten.native_dropout_backward",
        &[args[1], mask],
        &[t],
        vec![("scale".into(), scale)],
    );
    let grad = b.ctx.result(g, 0);
    b.build("func.return", &[out, mask, grad], &[], Vec::new());
    module
}

#[test]
fn dropout_is_reproducible_and_its_backward_uses_the_forward_mask() {
    let mut ctx = context();
    let module = dropout_module(&mut ctx, 0.25, None);
    let x = values(&[1000], (0..1000).map(|i| i as f64 / 7.0).collect());
    let ones = values(&[1000], vec![1.0; 1000]);
    let run = |seed, offset| {
        run_function_with(
            &ctx,
            module,
            "drop",
            vec![x.clone(), ones.clone()],
            &RunOptions { seed, offset },
        )
        .unwrap()
    };
    let (a, b, c) = (run(1, 0), run(1, 0), run(2, 0));
    assert_eq!(a, b, "the same seed gives the same mask");
    assert_ne!(a[1], c[1], "another seed gives another mask");
    assert_ne!(a[1], run(1, 1)[1], "another offset gives another mask");
    let mask: Vec<bool> = tensor(&a[1]).to_bool().iter().copied().collect();
    let kept = mask.iter().filter(|&&m| m).count();
    assert!(
        (700..=800).contains(&kept),
        "kept {kept} of 1000 at p = 0.25"
    );
    let out = tensor(&a[0]).to_f64();
    let grad = tensor(&a[2]).to_f64();
    for (i, &m) in mask.iter().enumerate() {
        let scale = if m { 1.0 / 0.75 } else { 0.0 };
        assert!((out[i] - x.to_f64()[i] * scale).abs() < 1e-4);
        assert!((grad[i] - scale).abs() < 1e-6);
    }

    let mut ctx2 = context();
    let pinned = dropout_module(&mut ctx2, 0.25, Some(7));
    let run_pinned = |seed| {
        run_function_with(
            &ctx2,
            pinned,
            "drop",
            vec![x.clone(), ones.clone()],
            &RunOptions { seed, offset: 0 },
        )
        .unwrap()
    };
    assert_eq!(
        run_pinned(1)[1],
        run_pinned(2)[1],
        "interp.seed pins the stream whatever the run's seed"
    );
}

#[test]
fn npy_round_trips_every_dtype() {
    let tensors = [
        Tensor::from_vec_f64(&[2, 2], vec![1.5, -2.0, 0.0, 3.25], DType::F32),
        Tensor::from_vec_f64(&[3], vec![1.0, 2.0, 3.0], DType::F64),
        Tensor::from_vec_f64(&[], vec![-7.0], DType::I64),
        Tensor::from_vec_f64(&[2], vec![5.0, -5.0], DType::I32),
        Tensor::from_vec_f64(&[3], vec![1.0, 0.0, 1.0], DType::Bool),
    ];
    for t in tensors {
        let bytes = t.write_npy().unwrap();
        assert_eq!(Tensor::read_npy(&bytes).unwrap(), t);
    }
    assert!(Tensor::read_npy(b"not npy").is_err());
}

/// A function with Philox seed and base offset arguments (PyTorch's functionalized RNG
/// state) draws from those, whatever the run's options say: with arguments `(5, 3)` it
/// draws what a function without them draws at options `(5, 3)`.
#[test]
fn philox_arguments_give_the_random_state() {
    let text = r#"
func.func @philox(%x: tensor<256xf32> {aot.desc = #aot.plain<0>},
                  %seed: tensor<i64> {aot.desc = #aot.philox_fwd_seed},
                  %offset: tensor<i64> {aot.desc = #aot.philox_fwd_base_offset})
    -> (tensor<256xi1> {aot.desc = #aot.plain_out<0>}) {
  %y, %mask = "aten.native_dropout"(%x) {p = 0.5 : f64, train = true} : (tensor<256xf32>) -> (tensor<256xf32>, tensor<256xi1>)
  func.return %mask : tensor<256xi1>
}
func.func @plain(%x: tensor<256xf32>) -> tensor<256xi1> {
  %y, %mask = "aten.native_dropout"(%x) {p = 0.5 : f64, train = true} : (tensor<256xf32>) -> (tensor<256xf32>, tensor<256xi1>)
  func.return %mask : tensor<256xi1>
}"#;
    let mut ctx = Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &joinery_aten::ATEN_DIALECT,
        &joinery_aot::AOT_DIALECT,
    ]);
    let mut sources = joinery_ir::SourceMap::default();
    let file = sources.add("philox.mlir", text.to_string());
    let module = joinery_syntax::parse_source(&mut ctx, &sources, file).expect("parses");
    let x = values(&[256], vec![1.0; 256]);
    let scalar = |v: i64| Tensor::I64(ndarray::arr0(v).into_dyn());
    let philox = |seed, offset, options: &RunOptions| {
        let inputs = vec![x.clone(), scalar(seed), scalar(offset)];
        run_function_with(&ctx, module, "philox", inputs, options).unwrap()
    };
    let drawn = philox(5, 3, &RunOptions::default());
    let options = RunOptions { seed: 5, offset: 3 };
    let plain = run_function_with(&ctx, module, "plain", vec![x.clone()], &options).unwrap();
    assert_eq!(drawn, plain, "arguments (5, 3) draw as options (5, 3)");
    let other = RunOptions { seed: 1, offset: 7 };
    assert_eq!(drawn, philox(5, 3, &other), "the options do not matter");
    assert_ne!(
        drawn,
        philox(5, 4, &other),
        "another offset draws another mask"
    );
}

#[test]
fn randperm_is_a_reproducible_permutation() {
    let mut ctx = context();
    let module = ctx.create_module();
    let i64_ty = ctx.integer_type(64);
    let ty = ctx.static_tensor_type(&[1000], i64_ty);
    let (_, entry, _) = function(&mut ctx, module, "perm", vec![], vec![ty], None);
    let n = ctx.integer_attr(1000, 64);
    let mut b = Builder::new(&mut ctx, InsertPoint::End(entry));
    let p = b.build("aten.randperm", &[], &[ty], vec![("n".into(), n)]);
    let out = b.ctx.result(p, 0);
    b.build("func.return", &[out], &[], Vec::new());
    let run = |seed| {
        let r = run_function_with(
            &ctx,
            module,
            "perm",
            vec![],
            &RunOptions { seed, offset: 0 },
        );
        tensor(&r.unwrap()[0])
            .to_i64()
            .iter()
            .copied()
            .collect::<Vec<i64>>()
    };
    let (a, b, c) = (run(3), run(3), run(4));
    let mut sorted = a.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        (0..1000).collect::<Vec<_>>(),
        "a permutation of 0..n"
    );
    assert_ne!(a, sorted, "shuffled");
    assert_eq!(a, b, "the same seed gives the same permutation");
    assert_ne!(a, c, "another seed gives another permutation");
}

/// An index given to a pooling backward that lies outside its input plane is an error at
/// the op, never a write out of bounds.
#[test]
fn a_max_pool_index_out_of_its_plane_is_an_error_at_the_op() {
    let text = r#"
func.func @back(%g: tensor<1x1x1x1x2xf32>, %x: tensor<1x1x2x2x4xf32>, %i: tensor<1x1x1x1x2xi64>) -> tensor<1x1x2x2x4xf32> {
  %r = aten.max_pool3d_with_indices_backward %g, %x, %i {ceil_mode = false, dilation = [1, 1, 1], kernel_size = [2, 2, 2], padding = [0, 0, 0], stride = [2, 2, 2]} : (tensor<1x1x1x1x2xf32>, tensor<1x1x2x2x4xf32>, tensor<1x1x1x1x2xi64>) -> tensor<1x1x2x2x4xf32>
  func.return %r : tensor<1x1x2x2x4xf32>
}"#;
    let mut ctx = context();
    let mut sources = joinery_ir::SourceMap::default();
    let file = sources.add("pool.mlir", text.to_string());
    let module = joinery_syntax::parse_source(&mut ctx, &sources, file).expect("parses");
    let g = values(&[1, 1, 1, 1, 2], vec![1.0, 2.0]);
    let x = values(&[1, 1, 2, 2, 4], vec![0.0; 16]);
    let indices =
        |v: Vec<i64>| Tensor::I64(ndarray::ArrayD::from_shape_vec(vec![1, 1, 1, 1, 2], v).unwrap());
    let ok = run_function(
        &ctx,
        module,
        "back",
        vec![g.clone(), x.clone(), indices(vec![5, 15])],
    )
    .expect("indices inside the plane");
    let got: Vec<f64> = tensor(&ok[0]).to_f64().iter().copied().collect();
    assert_eq!((got[5], got[15], got.iter().sum::<f64>()), (1.0, 2.0, 3.0));
    let err = run_function(&ctx, module, "back", vec![g, x, indices(vec![5, 16])]).unwrap_err();
    assert!(
        err.message
            .contains("index 16 is out of range for planes of 16 elements"),
        "{}",
        err.message
    );
    assert!(err.span.is_some(), "the error is located at the op");
}

#[test]
fn an_npy_header_claiming_more_data_than_the_file_holds_is_an_error() {
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 3), }";
    let header = format!("{header:<117}\n");
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend([0u8; 16]);
    let e = Tensor::read_npy(&bytes).expect_err("a huge claimed shape");
    assert!(
        e.contains("claims shape (100000000000, 3) of 4-byte items, but the file holds 16 bytes"),
        "{e}"
    );
    let t = values(&[2, 3], (0..6).map(f64::from).collect());
    let round = Tensor::read_npy(&t.write_npy().unwrap()).expect("a well-formed file");
    assert_eq!(round, t);
}
