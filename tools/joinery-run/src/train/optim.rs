//! Optimizers as graphs: one update step of SGD (with momentum) or Adam over every trained
//! parameter is an aten function built with the [`Builder`] and compiled by the same native
//! backend as the joint (`joinery_native`), so the update runs as fused kernels, not as a
//! loop of this tool.
//!
//! `@optimizer_step(params..., grads..., state...) -> (params'..., state'...)`: the
//! optimizer's state (SGD's momentum buffers; Adam's first and second moments and its step
//! count) enters as arguments and leaves as results, so a step is a pure function. The
//! formulas are PyTorch's, op for op (`torch/optim/sgd.py` and `adam.py`, single-tensor
//! path, `dampening=0`, `nesterov=False`, `amsgrad=False`, `maximize=False`):
//!
//! - SGD: `g += wd * p`; with momentum `buf = momentum * buf + g` (a zero buffer makes the
//!   first step PyTorch's `buf = g`), `g = buf`; `p -= lr * g`.
//! - Adam: `t += 1`; `g += wd * p`; `m += (1 - b1) * (g - m)` (`lerp`);
//!   `v = b2 * v + (1 - b2) * g * g`; `p += (-lr * (1 / (1 - b1^t))) * m / (sqrt(v) /
//!   sqrt(1 - b2^t) + eps)`. The step count and the bias corrections are `f64`, as PyTorch
//!   computes them in Python floats before they meet the `f32` tensors (`-lr / bc1` is
//!   `-lr * (1 / bc1)` here, at most one `f64` rounding apart).

use joinery_ir::{Attribute, Builder, Context, Diagnostic, FloatKind, InsertPoint, OpId, Value};
use joinery_runtime::{CompiledModule, DType, Tensor};

/// The update rule (`--optimizer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// `torch.optim.SGD` (momentum, no dampening, not Nesterov).
    Sgd,
    /// `torch.optim.Adam` (bias-corrected, not AMSGrad).
    Adam,
}

impl Kind {
    /// The flag's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sgd => "sgd",
            Kind::Adam => "adam",
        }
    }
}

/// An optimizer and its hyperparameters.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// The update rule.
    pub kind: Kind,
    /// The learning rate.
    pub lr: f64,
    /// SGD's momentum (0: plain SGD, no buffers).
    pub momentum: f64,
    /// L2 penalty added to the gradient (PyTorch's `weight_decay`).
    pub weight_decay: f64,
    /// Adam's coefficients of the running averages of the gradient and its square.
    pub betas: (f64, f64),
    /// Adam's term added to the denominator.
    pub eps: f64,
}

/// Name of the built function.
pub const STEP_FN: &str = "optimizer_step";

/// A compiled optimizer with its state between steps.
pub struct Optimizer {
    module: CompiledModule,
    /// The state arguments of the next step, in signature order.
    state: Vec<Tensor<'static>>,
}

impl Optimizer {
    /// Builds the step function for parameters of `shapes` (all `f32`) in a fresh module of
    /// `ctx` and compiles it natively; the state starts at zero, as PyTorch's does.
    pub fn compile(
        ctx: &mut Context,
        config: &Config,
        shapes: &[Vec<usize>],
        threads: usize,
    ) -> Result<Optimizer, Diagnostic> {
        let module = build_module(ctx, config, shapes)?;
        let (mut modules, _) =
            joinery_native::compile_and_load(ctx, module, &[STEP_FN.to_string()], threads)?;
        let module = modules.pop().expect("one module per function");
        let state = state_shapes(config, shapes)
            .into_iter()
            .map(|(shape, dtype)| Tensor::zeros(dtype, &shape))
            .collect();
        Ok(Optimizer { module, state })
    }

    /// One update: returns the new parameters (in the order of `params`) and keeps the new
    /// state.
    pub fn step(
        &mut self,
        params: Vec<Tensor<'static>>,
        grads: Vec<Tensor<'static>>,
    ) -> Result<Vec<Tensor<'static>>, String> {
        let count = params.len();
        let mut args = params;
        args.extend(grads);
        args.append(&mut self.state);
        let results = self
            .module
            .call(&mut args)
            .map_err(|e| format!("error: the optimizer step failed: {e}\n"))?;
        let mut results: Vec<Tensor<'static>> = results
            .into_iter()
            .map(|r| r.ok_or("error: the optimizer step returned no tensor\n"))
            .collect::<Result<_, _>>()?;
        self.state = results.split_off(count);
        Ok(results)
    }
}

/// The state arguments after the parameters and gradients: SGD's momentum buffers (when
/// momentum is on); Adam's first moments, second moments and its `f64` step count.
fn state_shapes(config: &Config, shapes: &[Vec<usize>]) -> Vec<(Vec<usize>, DType)> {
    let per_param =
        |copies: usize| (0..copies).flat_map(|_| shapes.iter().map(|s| (s.clone(), DType::F32)));
    match config.kind {
        Kind::Sgd if config.momentum == 0.0 => Vec::new(),
        Kind::Sgd => per_param(1).collect(),
        Kind::Adam => per_param(2).chain([(Vec::new(), DType::F64)]).collect(),
    }
}

/// A value built, or the type error of a bug of this file.
type Built = Result<Value, Diagnostic>;

/// Builds aten ops at the end of one block.
struct Ops<'c> {
    b: Builder<'c>,
}

impl Ops<'_> {
    fn op(&mut self, name: &str, operands: &[Value], attrs: Vec<(&str, Attribute)>) -> Built {
        let attrs = attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let op = joinery_aten::build(&mut self.b, name, operands, attrs).map_err(|e| {
            Diagnostic::error(format!(
                "internal error: the optimizer graph is ill-typed: {e}"
            ))
        })?;
        Ok(self.b.ctx.result(op, 0))
    }

    fn float(&mut self, v: f64) -> Attribute {
        let f64_ty = self.b.ctx.float_type(FloatKind::F64);
        self.b.ctx.float_attr(v, f64_ty)
    }

    /// `a + alpha * b`.
    fn add(&mut self, a: Value, b: Value, alpha: f64) -> Built {
        let alpha = self.float(alpha);
        self.op("aten.add.Tensor", &[a, b], vec![("alpha", alpha)])
    }

    /// `a * s` for a number `s`.
    fn scale(&mut self, a: Value, s: f64) -> Built {
        let s = self.float(s);
        self.op("aten.mul.Scalar", &[a], vec![("other", s)])
    }

    /// `1 - base^t` for the step count `t`.
    fn bias_correction(&mut self, base: f64, t: Value) -> Built {
        let base = self.float(base);
        let power = self.op("aten.pow.Scalar", &[t], vec![("self", base)])?;
        let one = self.float(1.0);
        self.op("aten.rsub.Scalar", &[power], vec![("other", one)])
    }

    /// The gradient with the L2 penalty: `g + wd * p`.
    fn decayed(&mut self, g: Value, p: Value, weight_decay: f64) -> Built {
        if weight_decay == 0.0 {
            Ok(g)
        } else {
            self.add(g, p, weight_decay)
        }
    }
}

/// A detached module holding `@optimizer_step` for `config` and parameters of `shapes`.
fn build_module(
    ctx: &mut Context,
    config: &Config,
    shapes: &[Vec<usize>],
) -> Result<OpId, Diagnostic> {
    let f32_ty = ctx.float_type(FloatKind::F32);
    let f64_ty = ctx.float_type(FloatKind::F64);
    let tensor_type = |ctx: &mut Context, shape: &[usize], dtype: DType| {
        let dims: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
        let element = if dtype == DType::F64 { f64_ty } else { f32_ty };
        ctx.static_tensor_type(&dims, element)
    };
    let param_types: Vec<_> = shapes
        .iter()
        .map(|s| tensor_type(ctx, s, DType::F32))
        .collect();
    let state_types: Vec<_> = state_shapes(config, shapes)
        .iter()
        .map(|(s, dt)| tensor_type(ctx, s, *dt))
        .collect();
    let mut arg_types = param_types.clone();
    arg_types.extend(&param_types);
    arg_types.extend(&state_types);
    let block = ctx.create_block(&arg_types);
    let args = ctx.block_args(block).to_vec();
    let n = shapes.len();
    for (i, &a) in args.iter().enumerate() {
        let name = match i {
            i if i < n => format!("param{i}"),
            i if i < 2 * n => format!("grad{}", i - n),
            i => format!("state{}", i - 2 * n),
        };
        ctx.set_value_name(a, Some(&name));
    }
    let (params, grads, state) = (&args[..n], &args[n..2 * n], &args[2 * n..]);
    let mut ops = Ops {
        b: Builder::new(ctx, InsertPoint::End(block)),
    };
    let mut results = Vec::new();
    let mut new_state = Vec::new();
    match config.kind {
        Kind::Sgd => {
            for i in 0..n {
                let g = ops.decayed(grads[i], params[i], config.weight_decay)?;
                let direction = if config.momentum == 0.0 {
                    g
                } else {
                    let kept = ops.scale(state[i], config.momentum)?;
                    let buf = ops.add(kept, g, 1.0)?;
                    new_state.push(buf);
                    buf
                };
                results.push(ops.add(params[i], direction, -config.lr)?);
            }
        }
        Kind::Adam => {
            let (b1, b2) = config.betas;
            let one = ops.float(1.0);
            let t = ops.op("aten.add.Scalar", &[state[2 * n]], vec![("other", one)])?;
            let bc1 = ops.bias_correction(b1, t)?;
            let inverse = ops.op("aten.reciprocal", &[bc1], vec![])?;
            let neg_step_size = ops.scale(inverse, -config.lr)?;
            let bc2 = ops.bias_correction(b2, t)?;
            let bc2_sqrt = ops.op("aten.sqrt", &[bc2], vec![])?;
            let mut moments = Vec::new();
            let mut squares = Vec::new();
            for i in 0..n {
                let (m, v) = (state[i], state[n + i]);
                let g = ops.decayed(grads[i], params[i], config.weight_decay)?;
                // lerp(m, g, w) as PyTorch's kernel: m + w * (g - m) for w < 0.5, else
                // g - (1 - w) * (g - m).
                let diff = ops.op("aten.sub.Tensor", &[g, m], vec![])?;
                let m = if 1.0 - b1 < 0.5 {
                    ops.add(m, diff, 1.0 - b1)?
                } else {
                    ops.add(g, diff, -b1)?
                };
                let kept = ops.scale(v, b2)?;
                let square = ops.op("aten.mul.Tensor", &[g, g], vec![])?;
                let v = ops.add(kept, square, 1.0 - b2)?;
                let root = ops.op("aten.sqrt", &[v], vec![])?;
                let scaled = ops.op("aten.div.Tensor", &[root, bc2_sqrt], vec![])?;
                let eps = ops.float(config.eps);
                let denom = ops.op("aten.add.Scalar", &[scaled], vec![("other", eps)])?;
                let ratio = ops.op("aten.div.Tensor", &[m, denom], vec![])?;
                let update = ops.op("aten.mul.Tensor", &[ratio, neg_step_size], vec![])?;
                results.push(ops.add(params[i], update, 1.0)?);
                moments.push(m);
                squares.push(v);
            }
            new_state.extend(moments);
            new_state.extend(squares);
            new_state.push(t);
        }
    }
    results.extend(new_state);
    let ctx = ops.b.ctx;
    let result_types: Vec<_> = results.iter().map(|&v| ctx.value_type(v)).collect();
    let mut expected = param_types;
    expected.extend(state_types);
    if result_types != expected {
        return Err(Diagnostic::error(
            "internal error: the optimizer step's results do not have its parameters' types",
        ));
    }
    let mut ret = joinery_ir::OperationState::new(ctx.op_name("func.return"));
    ret.operands = results;
    let ret = ctx.create_op(ret);
    ctx.append_op(block, ret);
    let region = ctx.create_region();
    ctx.append_block(region, block);
    let function_type = ctx.function_type(arg_types, result_types);
    let mut func = joinery_ir::OperationState::new(ctx.op_name("func.func"));
    func.attrs = vec![
        ("sym_name".into(), ctx.string_attr(STEP_FN)),
        ("function_type".into(), ctx.type_attr(function_type)),
    ];
    func.regions = vec![region];
    let func = ctx.create_op(func);
    let module = ctx.create_module();
    let body = ctx.body_block(module).expect("a module has a body");
    ctx.append_op(body, func);
    Ok(module)
}
