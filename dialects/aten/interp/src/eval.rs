//! Evaluates one `aten` op: reads its operands and attributes against its schema (the aten
//! dialect's catalogue supplies names and defaults) and calls the kernel the catalogue
//! names for it (a function of [`crate::ops`], through a table generated from the
//! catalogue).

use crate::kernels::nn::ConvParams;
use crate::kernels::pointwise::Operand;
use crate::kernels::pool::PoolParams;
use crate::tensor::{DType, KResult, RuntimeValue, Scalar, Tensor, kerr};
use joinery_aten::args::{operand_groups, resolve_attrs};
use joinery_aten::{ArgValue, OpSchema};
use joinery_ir::{Context, OpId};
use std::cell::RefCell;

include!(concat!(env!("OUT_DIR"), "/kernels.rs"));

/// Interpreter state that ops can observe: the random stream of dropout and friends.
#[derive(Debug)]
pub struct RngState {
    /// The run's seed.
    pub seed: u64,
    /// The stream of the next random op: the run's offset plus the random ops run so far
    /// (each one draws from its own stream).
    pub counter: u64,
}

/// The attribute that pins the random stream of one op: `{interp.seed = 7 : i64}`.
pub use joinery_aten::random::SEED_ATTR;

/// The arguments of one op at run time, by schema argument name, and the run's random
/// state for the ops that draw numbers.
pub(crate) struct OpArgs<'a> {
    schema: &'static OpSchema,
    tensors: Vec<Vec<&'a RuntimeValue>>,
    values: joinery_aten::args::ArgValues,
    rng: RefCell<&'a mut RngState>,
    seed_attr: Option<i64>,
}

impl<'a> OpArgs<'a> {
    /// The `(seed, stream)` this op draws from: its own `interp.seed`, or the run's seed
    /// and the next stream of the run.
    pub(crate) fn next_stream(&self) -> (u64, u64) {
        let mut rng = self.rng.borrow_mut();
        let stream = rng.counter;
        rng.counter = stream.wrapping_add(1);
        match self.seed_attr {
            Some(s) => (s as u64, 0),
            None => (rng.seed, stream),
        }
    }

    pub(crate) fn index(&self, name: &str) -> KResult<usize> {
        match self.schema.args.iter().position(|a| a.name == name) {
            Some(i) => Ok(i),
            None => kerr(format!(
                "{} has no argument '{name}'",
                self.schema.op_name()
            )),
        }
    }

    pub(crate) fn opt_tensor(&self, name: &str) -> KResult<Option<&'a Tensor>> {
        let group = &self.tensors[self.index(name)?];
        match group.first() {
            None | Some(RuntimeValue::None) => Ok(None),
            Some(RuntimeValue::Tensor(t)) => Ok(Some(t)),
        }
    }

    pub(crate) fn tensor(&self, name: &str) -> KResult<&'a Tensor> {
        match self.opt_tensor(name)? {
            Some(t) => Ok(t),
            None => kerr(format!("tensor argument '{name}' is None")),
        }
    }

    pub(crate) fn tensor_list(&self, name: &str) -> KResult<Vec<&'a Tensor>> {
        self.tensors[self.index(name)?]
            .iter()
            .map(|v| match v {
                RuntimeValue::Tensor(t) => Ok(t),
                RuntimeValue::None => kerr(format!("an element of '{name}' is None")),
            })
            .collect()
    }

    /// A `Tensor?[]` argument: `None` entries are `None`.
    pub(crate) fn opt_tensor_list(&self, name: &str) -> KResult<Vec<Option<&'a Tensor>>> {
        Ok(self.tensors[self.index(name)?]
            .iter()
            .map(|v| v.as_tensor())
            .collect())
    }

    pub(crate) fn value(&self, name: &str) -> KResult<&ArgValue> {
        let i = self.index(name)?;
        Ok(self.values[i].as_ref().unwrap_or(&ArgValue::None))
    }

    pub(crate) fn required<T>(&self, name: &str, v: Option<T>) -> KResult<T> {
        match v {
            Some(v) => Ok(v),
            None => kerr(format!("attribute '{name}' is None or of the wrong kind")),
        }
    }

    pub(crate) fn int(&self, name: &str) -> KResult<i64> {
        self.required(name, self.value(name)?.as_int())
    }

    pub(crate) fn opt_int(&self, name: &str) -> KResult<Option<i64>> {
        Ok(self.value(name)?.as_int())
    }

    pub(crate) fn ints(&self, name: &str) -> KResult<Vec<i64>> {
        self.required(name, self.value(name)?.as_ints().map(<[i64]>::to_vec))
    }

    pub(crate) fn opt_ints(&self, name: &str) -> KResult<Option<Vec<i64>>> {
        Ok(self.value(name)?.as_ints().map(<[i64]>::to_vec))
    }

    pub(crate) fn float(&self, name: &str) -> KResult<f64> {
        self.required(name, self.value(name)?.as_f64())
    }

    pub(crate) fn bool(&self, name: &str) -> KResult<bool> {
        self.required(name, self.value(name)?.as_bool())
    }

    pub(crate) fn opt_bool(&self, name: &str) -> KResult<Option<bool>> {
        Ok(self.value(name)?.as_bool())
    }

    pub(crate) fn mask3(&self, name: &str) -> KResult<[bool; 3]> {
        match self.value(name)?.as_bools() {
            Some(&[a, b, c]) => Ok([a, b, c]),
            _ => kerr(format!("attribute '{name}' must be three booleans")),
        }
    }

    pub(crate) fn str(&self, name: &str) -> KResult<&str> {
        self.required(name, self.value(name)?.as_str())
    }

    pub(crate) fn opt_scalar(&self, name: &str) -> KResult<Option<Scalar>> {
        Ok(match self.value(name)? {
            ArgValue::Int(v) => Some(Scalar::Int(*v)),
            ArgValue::Float(v) => Some(Scalar::Float(*v)),
            ArgValue::Bool(v) => Some(Scalar::Bool(*v)),
            _ => None,
        })
    }

    pub(crate) fn scalar(&self, name: &str) -> KResult<Scalar> {
        let v = self.opt_scalar(name)?;
        self.required(name, v)
    }

    pub(crate) fn dtype(&self, name: &str) -> KResult<Option<DType>> {
        self.value(name)?
            .as_dtype()
            .map(DType::from_aten)
            .transpose()
    }

    /// A tensor argument as a tensor operand, or a `Scalar` argument as a wrapped number.
    pub(crate) fn operand(&self, name: &str) -> KResult<Operand<'a>> {
        let i = self.index(name)?;
        if self.schema.args[i].kind.is_tensor() {
            Ok(Operand::Tensor(self.tensor(name)?))
        } else {
            Ok(Operand::Scalar(self.scalar(name)?))
        }
    }

    pub(crate) fn opt_operand(&self, name: &str) -> KResult<Option<Operand<'a>>> {
        let i = self.index(name)?;
        if self.schema.args[i].kind.is_tensor() {
            Ok(self.opt_tensor(name)?.map(Operand::Tensor))
        } else {
            Ok(self.opt_scalar(name)?.map(Operand::Scalar))
        }
    }

    pub(crate) fn conv_params(&self) -> KResult<ConvParams> {
        Ok(ConvParams {
            stride: self.ints("stride")?,
            padding: self.ints("padding")?,
            dilation: self.ints("dilation")?,
            transposed: self.bool("transposed")?,
            output_padding: self.ints("output_padding")?,
            groups: self.int("groups")?,
        })
    }

    /// The number of spatial dims of a pooling op, from its name.
    pub(crate) fn pool_dims(&self) -> KResult<usize> {
        match self.schema.pool_dims() {
            Some(n) => Ok(n),
            None => kerr(format!("{} is not a pooling op", self.schema.op_name())),
        }
    }

    /// The window of a max or average pooling (average pooling has no dilation).
    pub(crate) fn pool_params(&self) -> KResult<PoolParams> {
        let dims = self.pool_dims()?;
        Ok(PoolParams {
            dims,
            kernel_size: self.ints("kernel_size")?,
            stride: self.ints("stride")?,
            padding: self.ints("padding")?,
            dilation: if self.schema.arg("dilation").is_some() {
                self.ints("dilation")?
            } else {
                vec![1; dims]
            },
            ceil_mode: self.bool("ceil_mode")?,
        })
    }
}

/// The ops whose kernels take or make complex tensors. Every other kernel reads real
/// numbers only, so a complex operand or result of another op is an error naming it.
pub const COMPLEX_OPS: &[&str] = &[
    "aten._fft_r2c",
    "aten._fft_c2r",
    "aten._fft_c2c",
    "aten.view_as_real",
    "aten.view_as_complex",
    "aten.real",
    "aten.imag",
    "aten.complex",
    "aten._conj",
    "aten.abs",
    "aten.sgn",
    "aten.neg",
    "aten.add.Tensor",
    "aten.add.Scalar",
    "aten.sub.Tensor",
    "aten.sub.Scalar",
    "aten.mul.Tensor",
    "aten.mul.Scalar",
    "aten.div.Tensor",
    "aten.div.Scalar",
    "aten.where.self",
    "aten.sum",
    "aten.sum.dim_IntList",
    "aten.mean",
    "aten.mean.dim",
    "aten.clone",
    "aten.copy",
    "aten.alias",
    "aten.view",
    "aten._unsafe_view",
    "aten.reshape",
    "aten.t",
    "aten.transpose.int",
    "aten.permute",
    "aten.expand",
    "aten.squeeze",
    "aten.squeeze.dim",
    "aten.squeeze.dims",
    "aten.unsqueeze",
    "aten.slice.Tensor",
    "aten.select.int",
    "aten.slice_scatter",
    "aten.select_scatter",
    "aten.select_backward",
    "aten.slice_backward",
    "aten.cat",
    "aten.stack",
    "aten.zeros",
    "aten.zeros_like",
    "aten.full_like",
    "aten.full",
    "aten.empty_like",
    "aten.new_zeros",
    "aten.new_empty",
    "aten.new_empty_strided",
];

/// Refuses a complex operand or result of an op whose kernel reads real numbers only.
fn check_complex(ctx: &Context, op: OpId, name: &str, operands: &[&RuntimeValue]) -> KResult<()> {
    if COMPLEX_OPS.contains(&name) {
        return Ok(());
    }
    let operand = operands
        .iter()
        .any(|v| v.as_tensor().is_some_and(|t| t.dtype().is_complex()));
    let result = ctx.results(op).iter().any(|&r| {
        ctx.tensor_parts(ctx.value_type(r))
            .and_then(|(_, e)| ctx.dtype_of(e))
            .is_some_and(|d| d.is_complex())
    });
    if operand || result {
        return kerr(format!(
            "the interpreter does not support complex tensors in '{name}'"
        ));
    }
    Ok(())
}

/// Evaluates aten op `op` on `operands` (its operand values, in order) with the kernel
/// the catalogue names for it.
pub fn eval_aten(
    ctx: &Context,
    op: OpId,
    operands: &[&RuntimeValue],
    rng: &mut RngState,
) -> KResult<Vec<RuntimeValue>> {
    let name = ctx.name_str(op);
    let (Some(schema), Some(index)) = (joinery_aten::schema(name), joinery_aten::op_index(name))
    else {
        return kerr(format!("'{name}' is not an aten op the interpreter knows"));
    };
    let Some(kernel) = KERNELS[index] else {
        return kerr(format!(
            "'{name}' writes to its operand; functionalize the program before interpreting it"
        ));
    };
    check_complex(ctx, op, name, operands)?;
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
        rng: RefCell::new(rng),
        seed_attr: ctx.attr(op, SEED_ATTR).and_then(|s| ctx.as_i64(s)),
    };
    kernel(&a)
}

impl OpArgs<'_> {
    /// `opt_ints`, for arguments only some overloads have.
    pub(crate) fn opt_ints_if(&self, name: &str) -> KResult<Option<Vec<i64>>> {
        if self.schema.arg(name).is_none() {
            return Ok(None);
        }
        self.opt_ints(name)
    }

    /// `bool`, false for overloads without the argument.
    pub(crate) fn bool_if(&self, name: &str) -> KResult<bool> {
        if self.schema.arg(name).is_none() {
            return Ok(false);
        }
        self.bool(name)
    }

    /// Whether the op's schema has an argument called `name`.
    pub(crate) fn schema_has(&self, name: &str) -> bool {
        self.schema.arg(name).is_some()
    }

    /// `dtype`, for arguments only some overloads have.
    pub(crate) fn dtype_if(&self, name: &str) -> KResult<Option<DType>> {
        if self.schema.arg(name).is_none() {
            return Ok(None);
        }
        self.dtype(name)
    }

    /// `opt_scalar`, for arguments only some overloads have.
    pub(crate) fn opt_scalar_if(&self, name: &str) -> KResult<Option<Scalar>> {
        if self.schema.arg(name).is_none() {
            return Ok(None);
        }
        self.opt_scalar(name)
    }
}
