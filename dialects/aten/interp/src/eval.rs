//! Evaluates one `aten` op: reads its operands and attributes against its schema (the aten
//! dialect's catalogue supplies names and defaults) and calls the kernel.

use crate::kernels::nn::{ConvParams, PoolParams, Reduction};
use crate::kernels::pointwise::{
    Compare, FloatUnary, GeluApproximate, Operand, RoundingMode, SameUnary,
};
use crate::kernels::{factory, index, linalg, nn, pointwise as pw, reduce, shape};
use crate::tensor::{DType, KResult, RuntimeValue, Scalar, Tensor, kerr};
use joinery_aten::args::{operand_groups, resolve_attrs};
use joinery_aten::{ArgValue, OpSchema};
use joinery_ir::{Context, OpId};

/// Interpreter state that ops can observe: the random stream of dropout and friends.
#[derive(Debug)]
pub struct RngState {
    /// The run's seed.
    pub seed: u64,
    /// How many random ops have run so far (each one draws from its own stream).
    pub counter: u64,
}

/// The attribute that pins the random stream of one op: `{interp.seed = 7 : i64}`.
pub const SEED_ATTR: &str = "interp.seed";

/// The arguments of one op at run time, by schema argument name.
struct OpArgs<'a> {
    schema: &'static OpSchema,
    tensors: Vec<Vec<&'a RuntimeValue>>,
    values: Vec<Option<ArgValue>>,
}

impl<'a> OpArgs<'a> {
    fn index(&self, name: &str) -> KResult<usize> {
        match self.schema.args.iter().position(|a| a.name == name) {
            Some(i) => Ok(i),
            None => kerr(format!(
                "{} has no argument '{name}'",
                self.schema.op_name()
            )),
        }
    }

    fn opt_tensor(&self, name: &str) -> KResult<Option<&'a Tensor>> {
        let group = &self.tensors[self.index(name)?];
        match group.first() {
            None | Some(RuntimeValue::None) => Ok(None),
            Some(RuntimeValue::Tensor(t)) => Ok(Some(t)),
        }
    }

    fn tensor(&self, name: &str) -> KResult<&'a Tensor> {
        match self.opt_tensor(name)? {
            Some(t) => Ok(t),
            None => kerr(format!("tensor argument '{name}' is None")),
        }
    }

    fn tensor_list(&self, name: &str) -> KResult<Vec<&'a Tensor>> {
        self.tensors[self.index(name)?]
            .iter()
            .map(|v| match v {
                RuntimeValue::Tensor(t) => Ok(t),
                RuntimeValue::None => kerr(format!("an element of '{name}' is None")),
            })
            .collect()
    }

    fn value(&self, name: &str) -> KResult<&ArgValue> {
        let i = self.index(name)?;
        Ok(self.values[i].as_ref().unwrap_or(&ArgValue::None))
    }

    fn required<T>(&self, name: &str, v: Option<T>) -> KResult<T> {
        match v {
            Some(v) => Ok(v),
            None => kerr(format!("attribute '{name}' is None or of the wrong kind")),
        }
    }

    fn int(&self, name: &str) -> KResult<i64> {
        self.required(name, self.value(name)?.as_int())
    }

    fn opt_int(&self, name: &str) -> KResult<Option<i64>> {
        Ok(self.value(name)?.as_int())
    }

    fn ints(&self, name: &str) -> KResult<Vec<i64>> {
        self.required(name, self.value(name)?.as_ints().map(<[i64]>::to_vec))
    }

    fn opt_ints(&self, name: &str) -> KResult<Option<Vec<i64>>> {
        Ok(self.value(name)?.as_ints().map(<[i64]>::to_vec))
    }

    fn float(&self, name: &str) -> KResult<f64> {
        self.required(name, self.value(name)?.as_f64())
    }

    fn bool(&self, name: &str) -> KResult<bool> {
        self.required(name, self.value(name)?.as_bool())
    }

    fn opt_bool(&self, name: &str) -> KResult<Option<bool>> {
        Ok(self.value(name)?.as_bool())
    }

    fn mask3(&self, name: &str) -> KResult<[bool; 3]> {
        match self.value(name)?.as_bools() {
            Some(&[a, b, c]) => Ok([a, b, c]),
            _ => kerr(format!("attribute '{name}' must be three booleans")),
        }
    }

    fn str(&self, name: &str) -> KResult<&str> {
        self.required(name, self.value(name)?.as_str())
    }

    fn opt_scalar(&self, name: &str) -> KResult<Option<Scalar>> {
        Ok(match self.value(name)? {
            ArgValue::Int(v) => Some(Scalar::Int(*v)),
            ArgValue::Float(v) => Some(Scalar::Float(*v)),
            ArgValue::Bool(v) => Some(Scalar::Bool(*v)),
            _ => None,
        })
    }

    fn scalar(&self, name: &str) -> KResult<Scalar> {
        let v = self.opt_scalar(name)?;
        self.required(name, v)
    }

    fn dtype(&self, name: &str) -> KResult<Option<DType>> {
        self.value(name)?
            .as_dtype()
            .map(DType::from_aten)
            .transpose()
    }

    /// A tensor argument as a tensor operand, or a `Scalar` argument as a wrapped number.
    fn operand(&self, name: &str) -> KResult<Operand<'a>> {
        let i = self.index(name)?;
        if self.schema.args[i].kind.is_tensor() {
            Ok(Operand::Tensor(self.tensor(name)?))
        } else {
            Ok(Operand::Scalar(self.scalar(name)?))
        }
    }

    fn opt_operand(&self, name: &str) -> KResult<Option<Operand<'a>>> {
        let i = self.index(name)?;
        if self.schema.args[i].kind.is_tensor() {
            Ok(self.opt_tensor(name)?.map(Operand::Tensor))
        } else {
            Ok(self.opt_scalar(name)?.map(Operand::Scalar))
        }
    }

    fn conv_params(&self) -> KResult<ConvParams> {
        Ok(ConvParams {
            stride: self.ints("stride")?,
            padding: self.ints("padding")?,
            dilation: self.ints("dilation")?,
            transposed: self.bool("transposed")?,
            output_padding: self.ints("output_padding")?,
            groups: self.int("groups")?,
        })
    }

    fn pool_params(&self) -> KResult<PoolParams> {
        Ok(PoolParams {
            kernel_size: self.ints("kernel_size")?,
            stride: self.ints("stride")?,
            padding: self.ints("padding")?,
            dilation: self.opt_ints_if("dilation")?.unwrap_or_else(|| vec![1]),
            ceil_mode: self.bool("ceil_mode")?,
        })
    }
}

fn one(t: Tensor) -> KResult<Vec<RuntimeValue>> {
    Ok(vec![RuntimeValue::Tensor(t)])
}

fn many(ts: impl IntoIterator<Item = Tensor>) -> KResult<Vec<RuntimeValue>> {
    Ok(ts.into_iter().map(RuntimeValue::Tensor).collect())
}

fn optional(ts: [Option<Tensor>; 3]) -> KResult<Vec<RuntimeValue>> {
    Ok(ts.into_iter().map(RuntimeValue::from).collect())
}

/// Evaluates aten op `op` on `operands` (its operand values, in order).
pub fn eval_aten(
    ctx: &Context,
    op: OpId,
    operands: &[&RuntimeValue],
    rng: &mut RngState,
) -> KResult<Vec<RuntimeValue>> {
    let name = ctx.name_str(op);
    let Some(schema) = joinery_aten::schema(name) else {
        return kerr(format!("'{name}' is not an aten op the interpreter knows"));
    };
    if schema.is_mutating() {
        return kerr(format!(
            "'{name}' writes to its operand; functionalize the program before interpreting it"
        ));
    }
    let groups = operand_groups(ctx, op).map_err(joinery_ir::Diagnostic::error)?;
    let values =
        resolve_attrs(ctx, schema, ctx.attrs(op)).map_err(joinery_ir::Diagnostic::error)?;
    let mut tensors: Vec<Vec<&RuntimeValue>> = vec![Vec::new(); schema.args.len()];
    let mut next = 0;
    for (arg, group) in groups {
        let i = schema
            .args
            .iter()
            .position(|a| std::ptr::eq(a, arg))
            .unwrap_or_default();
        tensors[i] = operands[next..next + group.len()].to_vec();
        next += group.len();
    }
    let a = OpArgs {
        schema,
        tensors,
        values,
    };
    let seed_attr = ctx.attr(op, SEED_ATTR).and_then(|s| ctx.as_i64(s));
    let base = name.strip_prefix("aten.").unwrap_or(name);
    dispatch(base, &a, rng, seed_attr)
}

fn next_stream(rng: &mut RngState, seed_attr: Option<i64>) -> (u64, u64) {
    rng.counter += 1;
    match seed_attr {
        Some(s) => (s as u64, 0),
        None => (rng.seed, rng.counter),
    }
}

fn dispatch(
    name: &str,
    a: &OpArgs,
    rng: &mut RngState,
    seed_attr: Option<i64>,
) -> KResult<Vec<RuntimeValue>> {
    let (op, overload) = name.split_once('.').unwrap_or((name, ""));
    let alpha = || -> KResult<Scalar> { Ok(a.opt_scalar("alpha")?.unwrap_or(Scalar::Int(1))) };
    let cmp = |pred: Compare| -> KResult<Vec<RuntimeValue>> {
        one(pw::compare(a.operand("self")?, a.operand("other")?, pred)?)
    };
    let fu = |f: FloatUnary| -> KResult<Vec<RuntimeValue>> {
        one(pw::float_unary(a.tensor("self")?, f))
    };
    let su =
        |f: SameUnary| -> KResult<Vec<RuntimeValue>> { one(pw::same_unary(a.tensor("self")?, f)?) };
    match op {
        "add" => one(pw::add(a.operand("self")?, a.operand("other")?, alpha()?)?),
        "sub" => one(pw::sub(a.operand("self")?, a.operand("other")?, alpha()?)?),
        "rsub" => one(pw::rsub(a.operand("self")?, a.operand("other")?, alpha()?)?),
        "mul" => one(pw::mul(a.operand("self")?, a.operand("other")?)?),
        "div" => {
            let mode = match overload {
                "Tensor_mode" | "Scalar_mode" => match a.value("rounding_mode")?.as_str() {
                    None => RoundingMode::True,
                    Some("trunc") => RoundingMode::Trunc,
                    Some("floor") => RoundingMode::Floor,
                    Some(m) => {
                        return kerr(format!(
                            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{m}'"
                        ));
                    }
                },
                _ => RoundingMode::True,
            };
            one(pw::div(a.operand("self")?, a.operand("other")?, mode)?)
        }
        "maximum" | "minimum" => one(pw::extremum(
            a.operand("self")?,
            a.operand("other")?,
            op == "maximum",
        )?),
        "pow" => one(pw::pow(a.operand("self")?, a.operand("exponent")?)?),
        "where" => one(pw::where_(
            a.tensor("condition")?,
            a.operand("self")?,
            a.operand("other")?,
        )?),
        "clamp" => one(pw::clamp(
            a.tensor("self")?,
            a.opt_operand("min")?,
            a.opt_operand("max")?,
        )?),
        "masked_fill" => one(index::masked_fill(
            a.tensor("self")?,
            a.tensor("mask")?,
            a.scalar("value")?,
        )?),
        "threshold_backward" => one(pw::threshold_backward(
            a.tensor("grad_output")?,
            a.tensor("self")?,
            a.scalar("threshold")?,
        )?),
        "tanh_backward" => one(pw::tanh_backward(
            a.tensor("grad_output")?,
            a.tensor("output")?,
        )?),
        "sigmoid_backward" => one(pw::sigmoid_backward(
            a.tensor("grad_output")?,
            a.tensor("output")?,
        )?),
        "gelu" => one(pw::gelu(
            a.tensor("self")?,
            GeluApproximate::parse(a.str("approximate")?)?,
        )?),
        "gelu_backward" => one(pw::gelu_backward(
            a.tensor("grad_output")?,
            a.tensor("self")?,
            GeluApproximate::parse(a.str("approximate")?)?,
        )?),
        "eq" => cmp(Compare::Eq),
        "ne" => cmp(Compare::Ne),
        "lt" => cmp(Compare::Lt),
        "le" => cmp(Compare::Le),
        "gt" => cmp(Compare::Gt),
        "ge" => cmp(Compare::Ge),
        "logical_not" => one(pw::logical_not(a.tensor("self")?)),
        "neg" => su(SameUnary::Neg),
        "abs" => su(SameUnary::Abs),
        "relu" => su(SameUnary::Relu),
        "sign" => su(SameUnary::Sign),
        "exp" => fu(FloatUnary::Exp),
        "log" => fu(FloatUnary::Log),
        "tanh" => fu(FloatUnary::Tanh),
        "sigmoid" => fu(FloatUnary::Sigmoid),
        "sqrt" => fu(FloatUnary::Sqrt),
        "rsqrt" => fu(FloatUnary::Rsqrt),
        "reciprocal" => fu(FloatUnary::Reciprocal),
        "sin" => fu(FloatUnary::Sin),
        "cos" => fu(FloatUnary::Cos),
        "erf" => fu(FloatUnary::Erf),
        "log1p" => fu(FloatUnary::Log1p),
        "expm1" => fu(FloatUnary::Expm1),
        "zero" => {
            let x = a.tensor("self")?;
            one(factory::full(&shape_i64(x), Scalar::Int(0), x.dtype())?)
        }
        "fill" => {
            let x = a.tensor("self")?;
            one(factory::full(&shape_i64(x), a.scalar("value")?, x.dtype())?)
        }
        "sum" => one(reduce::sum(
            a.tensor("self")?,
            a.opt_ints_if("dim")?.as_deref(),
            a.bool_if("keepdim")?,
            a.dtype("dtype")?,
        )?),
        "mean" => one(reduce::mean(
            a.tensor("self")?,
            a.opt_ints_if("dim")?.as_deref(),
            a.bool_if("keepdim")?,
            a.dtype("dtype")?,
        )?),
        "amax" | "amin" => one(reduce::amax(
            a.tensor("self")?,
            &a.ints("dim")?,
            a.bool("keepdim")?,
            op == "amax",
        )?),
        "var" | "var_mean" => {
            let correction = a.opt_scalar("correction")?.map_or(1.0, Scalar::to_f64);
            let (var, mean) = reduce::var_mean(
                a.tensor("self")?,
                a.opt_ints("dim")?.as_deref(),
                correction,
                a.bool("keepdim")?,
            )?;
            if op == "var" {
                one(var)
            } else {
                many([var, mean])
            }
        }
        "max" | "min" => {
            let (v, i) = index::max_dim(
                a.tensor("self")?,
                a.int("dim")?,
                a.bool("keepdim")?,
                op == "max",
            )?;
            many([v, i])
        }
        "argmax" | "argmin" => one(reduce::argmax(
            a.tensor("self")?,
            a.opt_int("dim")?,
            a.bool("keepdim")?,
            op == "argmax",
        )?),
        "mm" => one(linalg::mm(a.tensor("self")?, a.tensor("mat2")?)?),
        "bmm" => one(linalg::bmm(a.tensor("self")?, a.tensor("mat2")?)?),
        "addmm" => one(linalg::addmm(
            a.tensor("self")?,
            a.tensor("mat1")?,
            a.tensor("mat2")?,
            a.scalar("beta")?,
            a.scalar("alpha")?,
        )?),
        "view" | "_unsafe_view" | "reshape" => {
            one(shape::reshape(a.tensor("self")?, &a.ints(size_arg(a))?)?)
        }
        "t" => one(shape::t(a.tensor("self")?)?),
        "transpose" => one(shape::transpose(
            a.tensor("self")?,
            a.int("dim0")?,
            a.int("dim1")?,
        )?),
        "permute" => one(shape::permute(a.tensor("self")?, &a.ints("dims")?)?),
        "expand" => one(shape::expand(a.tensor("self")?, &a.ints("size")?)?),
        "squeeze" => {
            let dims = match overload {
                "dim" => Some(vec![a.int("dim")?]),
                "dims" => Some(a.ints("dim")?),
                _ => None,
            };
            one(shape::squeeze(a.tensor("self")?, dims.as_deref())?)
        }
        "unsqueeze" => one(shape::unsqueeze(a.tensor("self")?, a.int("dim")?)?),
        "slice" => one(shape::slice(
            a.tensor("self")?,
            a.int("dim")?,
            a.opt_int("start")?,
            a.opt_int("end")?,
            a.int("step")?,
        )?),
        "select" => one(shape::select(
            a.tensor("self")?,
            a.int("dim")?,
            a.int("index")?,
        )?),
        "split_with_sizes" => many(shape::split_with_sizes(
            a.tensor("self")?,
            &a.ints("split_sizes")?,
            a.int("dim")?,
        )?),
        "split" => many(shape::split(
            a.tensor("self")?,
            a.int("split_size")?,
            a.int("dim")?,
        )?),
        "as_strided" => one(index::as_strided(
            a.tensor("self")?,
            &a.ints("size")?,
            &a.ints("stride")?,
            a.opt_int("storage_offset")?.unwrap_or(0),
        )?),
        "slice_scatter" => one(shape::view_scatter(
            a.tensor("self")?,
            a.tensor("src")?,
            |x| {
                shape::slice(
                    x,
                    a.int("dim")?,
                    a.opt_int("start")?,
                    a.opt_int("end")?,
                    a.int("step")?,
                )
            },
        )?),
        "select_scatter" => one(shape::view_scatter(
            a.tensor("self")?,
            a.tensor("src")?,
            |x| shape::select(x, a.int("dim")?, a.int("index")?),
        )?),
        "as_strided_scatter" => one(shape::view_scatter(
            a.tensor("self")?,
            a.tensor("src")?,
            |x| {
                index::as_strided(
                    x,
                    &a.ints("size")?,
                    &a.ints("stride")?,
                    a.opt_int("storage_offset")?.unwrap_or(0),
                )
            },
        )?),
        "alias" | "detach" | "clone" => one(a.tensor("self")?.clone()),
        "cat" => one(shape::cat(&a.tensor_list("tensors")?, a.int("dim")?)?),
        "stack" => one(shape::stack(&a.tensor_list("tensors")?, a.int("dim")?)?),
        "_to_copy" => {
            let x = a.tensor("self")?;
            one(x.cast(a.dtype("dtype")?.unwrap_or(x.dtype())))
        }
        "copy" => one(shape::copy(a.tensor("self")?, a.tensor("src")?)?),
        "gather" => one(index::gather(
            a.tensor("self")?,
            a.int("dim")?,
            a.tensor("index")?,
        )?),
        "index" => one(index::index(a.tensor("self")?, &a.tensor_list("indices")?)?),
        "index_put" => one(index::index_put(
            a.tensor("self")?,
            &a.tensor_list("indices")?,
            a.tensor("values")?,
            a.bool("accumulate")?,
        )?),
        "_softmax" | "_log_softmax" | "softmax" | "log_softmax" => {
            let x = a.tensor("self")?;
            let x = match a
                .schema
                .arg("dtype")
                .map(|_| a.dtype("dtype"))
                .transpose()?
            {
                Some(Some(d)) => x.cast(d),
                _ => x.clone(),
            };
            let dim = a.int("dim")?;
            one(if op.ends_with("log_softmax") {
                nn::log_softmax(&x, dim)?
            } else {
                nn::softmax(&x, dim)?
            })
        }
        "_softmax_backward_data" | "_log_softmax_backward_data" => {
            let dtype = a
                .dtype("input_dtype")?
                .unwrap_or(a.tensor("grad_output")?.dtype());
            let f = if op == "_softmax_backward_data" {
                nn::softmax_backward
            } else {
                nn::log_softmax_backward
            };
            one(f(
                a.tensor("grad_output")?,
                a.tensor("output")?,
                a.int("dim")?,
                dtype,
            )?)
        }
        "nll_loss_forward" => {
            let (out, total) = nn::nll_loss_forward(
                a.tensor("self")?,
                a.tensor("target")?,
                a.opt_tensor("weight")?,
                Reduction::from_i64(a.int("reduction")?)?,
                a.int("ignore_index")?,
            )?;
            many([out, total])
        }
        "nll_loss_backward" => one(nn::nll_loss_backward(
            a.tensor("grad_output")?,
            a.tensor("self")?,
            a.tensor("target")?,
            a.opt_tensor("weight")?,
            Reduction::from_i64(a.int("reduction")?)?,
            a.int("ignore_index")?,
            a.tensor("total_weight")?,
        )?),
        "native_layer_norm" => {
            let (out, mean, rstd) = nn::native_layer_norm(
                a.tensor("input")?,
                &a.ints("normalized_shape")?,
                a.opt_tensor("weight")?,
                a.opt_tensor("bias")?,
                a.float("eps")?,
            )?;
            many([out, mean, rstd])
        }
        "native_layer_norm_backward" => optional(nn::native_layer_norm_backward(
            a.tensor("grad_out")?,
            a.tensor("input")?,
            &a.ints("normalized_shape")?,
            a.tensor("mean")?,
            a.tensor("rstd")?,
            a.opt_tensor("weight")?,
            a.opt_tensor("bias")?,
            a.mask3("output_mask")?,
        )?),
        "_native_batch_norm_legit_functional"
        | "_native_batch_norm_legit_no_training"
        | "native_batch_norm" => {
            let training = match op {
                "_native_batch_norm_legit_no_training" => false,
                _ => a.bool("training")?,
            };
            let out = nn::batch_norm(
                a.tensor("input")?,
                a.opt_tensor("weight")?,
                a.opt_tensor("bias")?,
                a.opt_tensor("running_mean")?,
                a.opt_tensor("running_var")?,
                training,
                a.float("momentum")?,
                a.float("eps")?,
            )?;
            let mut results = vec![out.output, out.save_mean, out.save_invstd];
            if op == "_native_batch_norm_legit_functional" {
                let Some((m, v)) = out.running else {
                    return kerr("batch norm: running statistics are required");
                };
                results.extend([m, v]);
            }
            many(results)
        }
        "native_batch_norm_backward" => optional(nn::batch_norm_backward(
            a.tensor("grad_out")?,
            a.tensor("input")?,
            a.opt_tensor("weight")?,
            a.opt_tensor("running_mean")?,
            a.opt_tensor("running_var")?,
            a.opt_tensor("save_mean")?,
            a.opt_tensor("save_invstd")?,
            a.bool("train")?,
            a.float("eps")?,
            a.mask3("output_mask")?,
        )?),
        "convolution" => one(nn::convolution(
            a.tensor("input")?,
            a.tensor("weight")?,
            a.opt_tensor("bias")?,
            &a.conv_params()?,
        )?),
        "convolution_backward" => optional(nn::convolution_backward(
            a.tensor("grad_output")?,
            a.tensor("input")?,
            a.tensor("weight")?,
            &a.conv_params()?,
            a.mask3("output_mask")?,
        )?),
        "max_pool2d_with_indices" => {
            let (v, i) = nn::max_pool2d_with_indices(a.tensor("self")?, &a.pool_params()?)?;
            many([v, i])
        }
        "max_pool2d_with_indices_backward" => one(nn::max_pool2d_with_indices_backward(
            a.tensor("grad_output")?,
            a.tensor("self")?,
            &a.pool_params()?,
            a.tensor("indices")?,
        )?),
        "avg_pool2d" => one(nn::avg_pool2d(
            a.tensor("self")?,
            &a.pool_params()?,
            a.bool("count_include_pad")?,
            a.opt_int("divisor_override")?,
        )?),
        "avg_pool2d_backward" => one(nn::avg_pool2d_backward(
            a.tensor("grad_output")?,
            a.tensor("self")?,
            &a.pool_params()?,
            a.bool("count_include_pad")?,
            a.opt_int("divisor_override")?,
        )?),
        "embedding" => one(nn::embedding(a.tensor("weight")?, a.tensor("indices")?)?),
        "embedding_dense_backward" => one(nn::embedding_dense_backward(
            a.tensor("grad_output")?,
            a.tensor("indices")?,
            a.int("num_weights")?,
            a.int("padding_idx")?,
            a.bool("scale_grad_by_freq")?,
        )?),
        "native_dropout" => {
            let (seed, stream) = next_stream(rng, seed_attr);
            let train = a.opt_bool("train")?.unwrap_or(true);
            let (out, mask) =
                nn::native_dropout(a.tensor("input")?, a.float("p")?, train, seed, stream)?;
            many([out, mask])
        }
        "native_dropout_backward" => one(nn::native_dropout_backward(
            a.tensor("grad_output")?,
            a.tensor("mask")?,
            a.float("scale")?,
        )?),
        "bernoulli" => {
            let (seed, stream) = next_stream(rng, seed_attr);
            let x = a.tensor("self")?;
            one(factory::bernoulli(x, a.float("p")?, seed, stream)?)
        }
        "rand" | "randn" => {
            let (seed, stream) = next_stream(rng, seed_attr);
            let dtype = a.dtype("dtype")?.unwrap_or(DType::F32);
            one(factory::random(
                &a.ints("size")?,
                dtype,
                op == "randn",
                seed,
                stream,
            )?)
        }
        "full" => {
            let value = a.scalar("fill_value")?;
            let dtype = a.dtype("dtype")?.unwrap_or(factory::inferred_dtype(value));
            one(factory::full(&a.ints("size")?, value, dtype)?)
        }
        "zeros" | "ones" | "empty" => {
            let value = Scalar::Int(i64::from(op == "ones"));
            let dtype = a.dtype("dtype")?.unwrap_or(DType::F32);
            one(factory::full(&a.ints("size")?, value, dtype)?)
        }
        "zeros_like" | "ones_like" | "empty_like" | "full_like" => {
            let x = a.tensor("self")?;
            let value = match op {
                "full_like" => a.scalar("fill_value")?,
                "ones_like" => Scalar::Int(1),
                _ => Scalar::Int(0),
            };
            let dtype = a.dtype("dtype")?.unwrap_or(x.dtype());
            one(factory::full(&shape_i64(x), value, dtype)?)
        }
        "scalar_tensor" => {
            let dtype = a.dtype("dtype")?.unwrap_or(DType::F32);
            one(a.scalar("s")?.to_tensor(dtype))
        }
        "arange" => {
            let start = a.opt_scalar_if("start")?.unwrap_or(Scalar::Int(0));
            let step = a.opt_scalar_if("step")?.unwrap_or(Scalar::Int(1));
            one(factory::arange(
                start,
                a.scalar("end")?,
                step,
                a.dtype("dtype")?,
            )?)
        }
        _ => kerr(format!(
            "the interpreter has no kernel for '{}'",
            a.schema.op_name()
        )),
    }
}

/// The schema argument holding a target shape (`size` for `view`, `shape` for `reshape`).
fn size_arg(a: &OpArgs) -> &'static str {
    if a.schema.arg("shape").is_some() {
        "shape"
    } else {
        "size"
    }
}

fn shape_i64(x: &Tensor) -> Vec<i64> {
    x.shape().iter().map(|&d| d as i64).collect()
}

impl OpArgs<'_> {
    /// `opt_ints`, for arguments only some overloads have.
    fn opt_ints_if(&self, name: &str) -> KResult<Option<Vec<i64>>> {
        if self.schema.arg(name).is_none() {
            return Ok(None);
        }
        self.opt_ints(name)
    }

    /// `bool`, false for overloads without the argument.
    fn bool_if(&self, name: &str) -> KResult<bool> {
        if self.schema.arg(name).is_none() {
            return Ok(false);
        }
        self.bool(name)
    }

    /// `opt_scalar`, for arguments only some overloads have.
    fn opt_scalar_if(&self, name: &str) -> KResult<Option<Scalar>> {
        if self.schema.arg(name).is_none() {
            return Ok(None);
        }
        self.opt_scalar(name)
    }
}
