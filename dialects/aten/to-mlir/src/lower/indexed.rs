//! Lowerings that read their operands at computed coordinates: gathers, embeddings,
//! paddings, convolutions and max pooling.
//!
//! Each is one `linalg.generic` ([`Lowerer::generic_at`]) whose operands are read through
//! projected permutations of the loop dims, so that MLIR infers every loop's extent, while
//! the operand read at a computed place is captured from the enclosing function and read
//! with `tensor.extract` at coordinates the body computes from `linalg.index` in `index`
//! arithmetic. A read that may fall outside its tensor (padding, the taps of a strided
//! convolution's input gradient) is clamped into range and its value replaced by a
//! `arith.select`, so no access is ever out of bounds.

use super::{Arith, Body, LResult, Lowerer, Number, tensor_ty};
use crate::types::{TensorTy, element};
use joinery_aten::args::{ArgValue, attr_or_default, operand_group};
use joinery_ir::{DType, OpId};
use melior::dialect::arith::{self, CmpiPredicate};
use melior::ir::attribute::IntegerAttribute;
use melior::ir::operation::OperationBuilder;
use melior::ir::r#type::IntegerType;
use melior::ir::{AffineExpr, Block, BlockLike, Value};

/// A body that reads the loop indices: the block arguments (inputs, then the result's
/// current element) to the value to yield.
pub(super) type IndexedBody<'c, 'a> =
    dyn for<'x> Fn(&Body<'c, 'x>, &[Value<'c, 'x>]) -> LResult<Value<'c, 'x>> + 'a;

/// An operand of [`Lowerer::generic_at`]: the value, its dtype, and the loop dim of each of
/// its subscripts.
pub(super) type Operand<'c, 'b> = (Value<'c, 'b>, DType, Vec<usize>);

/// Gives a closure the higher-ranked signature of an [`IndexedBody`].
pub(super) fn indexed<'c, F>(body: F) -> F
where
    F: for<'x> Fn(&Body<'c, 'x>, &[Value<'c, 'x>]) -> LResult<Value<'c, 'x>>,
{
    body
}

/// `index` arithmetic in a body.
impl<'c, 'x> Body<'c, 'x> {
    /// The index of loop dim `dim` (`linalg.index`).
    pub(super) fn loop_index(&self, dim: usize) -> LResult<Value<'c, 'x>> {
        Ok(self.push(
            OperationBuilder::new("linalg.index", self.loc)
                .add_attributes(&[(
                    melior::ir::Identifier::new(self.mlir, "dim"),
                    IntegerAttribute::new(IntegerType::new(self.mlir, 64).into(), dim as i64)
                        .into(),
                )])
                .add_results(&[melior::ir::Type::index(self.mlir)])
                .build()
                .map_err(|e| e.to_string())?,
        ))
    }

    /// An `index` constant.
    pub(super) fn index(&self, v: i64) -> Value<'c, 'x> {
        let ty = melior::ir::Type::index(self.mlir);
        self.push(arith::constant(
            self.mlir,
            IntegerAttribute::new(ty, v).into(),
            self.loc,
        ))
    }

    /// `a * scale + offset` on `index` values, the constants folded away when trivial.
    pub(super) fn affine(&self, a: Value<'c, 'x>, scale: i64, offset: i64) -> Value<'c, 'x> {
        let mut v = a;
        if scale != 1 {
            v = self.push(arith::muli(v, self.index(scale), self.loc));
        }
        if offset != 0 {
            v = self.push(arith::addi(v, self.index(offset), self.loc));
        }
        v
    }

    /// Whether `0 <= v < extent`, as `i1`.
    pub(super) fn in_range(&self, v: Value<'c, 'x>, extent: u64) -> Value<'c, 'x> {
        let low = self.push(arith::cmpi(
            self.mlir,
            CmpiPredicate::Sge,
            v,
            self.index(0),
            self.loc,
        ));
        let high = self.push(arith::cmpi(
            self.mlir,
            CmpiPredicate::Slt,
            v,
            self.index(extent as i64),
            self.loc,
        ));
        self.push(arith::andi(low, high, self.loc))
    }

    /// `all && ok`, or `ok` when there is nothing before it.
    pub(super) fn and_also(&self, all: Option<Value<'c, 'x>>, ok: Value<'c, 'x>) -> Value<'c, 'x> {
        match all {
            Some(all) => self.push(arith::andi(all, ok, self.loc)),
            None => ok,
        }
    }

    /// `v` clamped into `0..extent`.
    pub(super) fn clamp_index(&self, v: Value<'c, 'x>, extent: u64) -> Value<'c, 'x> {
        let v = self.push(arith::maxsi(v, self.index(0), self.loc));
        let last = self.index(extent.saturating_sub(1) as i64);
        self.push(arith::minsi(v, last, self.loc))
    }

    /// An integer element as an `index`.
    pub(super) fn to_index(&self, v: Value<'c, 'x>) -> Value<'c, 'x> {
        self.push(arith::index_cast(
            v,
            melior::ir::Type::index(self.mlir),
            self.loc,
        ))
    }

    /// The element of `tensor` (of `dtype`, captured from the function) at `coords`.
    pub(super) fn extract(
        &self,
        tensor: Value<'c, '_>,
        dtype: DType,
        coords: &[Value<'c, 'x>],
    ) -> LResult<Value<'c, 'x>> {
        Ok(self.push(
            OperationBuilder::new("tensor.extract", self.loc)
                .add_operands(&[tensor])
                .add_operands(coords)
                .add_results(&[element(self.mlir, dtype)])
                .build()
                .map_err(|e| e.to_string())?,
        ))
    }

    /// Scalar `v` of dtype `from` cast to the compute dtype.
    pub(super) fn as_compute(&self, v: Value<'c, 'x>, from: DType) -> Value<'c, 'x> {
        super::cast(self.mlir, self.block, self.loc, v, from, self.dtype)
    }

    /// `cond ? v : 0` in the compute dtype.
    pub(super) fn or_zero(&self, cond: Value<'c, 'x>, v: Value<'c, 'x>) -> LResult<Value<'c, 'x>> {
        let zero = self.number(0.0);
        self.select(Some(cond), Some(v), Some(zero))
    }

    /// `acc + (cond ? a * b : 0)`.
    fn accumulate_product(
        &self,
        acc: Value<'c, 'x>,
        cond: Value<'c, 'x>,
        a: Value<'c, 'x>,
        b: Value<'c, 'x>,
    ) -> LResult<Value<'c, 'x>> {
        let product = self.arith(Arith::Mul, &[Some(a), Some(b)])?;
        let product = self.or_zero(cond, product)?;
        self.arith(Arith::Add, &[Some(acc), Some(product)])
    }
}

/// The geometry of a convolution or a pooling window along its spatial dims.
#[derive(Clone)]
struct Window {
    stride: Vec<i64>,
    padding: Vec<i64>,
    dilation: Vec<i64>,
}

impl Window {
    /// The integer list `name` of `op` with one entry per spatial dim (a single entry
    /// applies to all); `default` when absent or empty.
    fn list(op_args: &ArgValue, n: usize, default: &[i64]) -> LResult<Vec<i64>> {
        match op_args {
            ArgValue::IntList(v) if v.len() == n => Ok(v.clone()),
            ArgValue::IntList(v) if v.len() == 1 => Ok(vec![v[0]; n]),
            ArgValue::IntList(v) if v.is_empty() => Ok(default.to_vec()),
            ArgValue::Int(v) => Ok(vec![*v; n]),
            ArgValue::None => Ok(default.to_vec()),
            other => Err(format!("expected {n} integers, got {other:?}")),
        }
    }

    /// The window of `op` over `n` spatial dims; an absent or empty stride is `kernel`.
    fn of(lower: &Lowerer, op: OpId, n: usize, kernel: &[i64]) -> LResult<Window> {
        let arg = |name: &str| attr_or_default(lower.ctx, op, name);
        let has = |name: &str| {
            joinery_aten::schema(lower.ctx.name_str(op)).is_some_and(|s| s.arg(name).is_some())
        };
        let dilation = if has("dilation") {
            Window::list(&arg("dilation")?, n, &vec![1; n])?
        } else {
            vec![1; n]
        };
        Ok(Window {
            stride: Window::list(&arg("stride")?, n, kernel)?,
            padding: Window::list(&arg("padding")?, n, &vec![0; n])?,
            dilation,
        })
    }

    /// The input coordinate `o * stride + k * dilation - padding` of output place `o` and
    /// tap `k` along spatial dim `i`, clamped into `0..extent`, with whether it was inside.
    fn tap<'c, 'x>(
        &self,
        b: &Body<'c, 'x>,
        i: usize,
        o: Value<'c, 'x>,
        k: Value<'c, 'x>,
        extent: u64,
    ) -> (Value<'c, 'x>, Value<'c, 'x>) {
        let o = b.affine(o, self.stride[i], -self.padding[i]);
        let k = b.affine(k, self.dilation[i], 0);
        let at = b.push(arith::addi(o, k, b.loc));
        (b.clamp_index(at, extent), b.in_range(at, extent))
    }

    /// The inverse of [`Window::read`], for gradients: the element of `output` (of type
    /// `output_ty`) at `lead` coordinates followed by, along each spatial dim `s`, the
    /// output place `o` whose tap `k` (loop dim `taps + s`) reads input place `i` (loop dim
    /// `places + s`): `o * stride = i + padding - k * dilation`, cast to the compute dtype;
    /// and whether every such `o` is a whole place inside the output.
    fn gather_source<'c, 'x>(
        &self,
        b: &Body<'c, 'x>,
        output: Value<'c, '_>,
        output_ty: TensorTy,
        lead: Vec<Value<'c, 'x>>,
        places: usize,
        taps: usize,
    ) -> LResult<(Value<'c, 'x>, Value<'c, 'x>)> {
        let first = lead.len();
        let mut coords = lead;
        let mut inside: Option<Value> = None;
        for s in 0..self.stride.len() {
            let extent = output_ty.shape[first + s];
            let i = b.affine(b.loop_index(places + s)?, 1, self.padding[s]);
            let k = b.affine(b.loop_index(taps + s)?, -self.dilation[s], 0);
            let scaled = b.push(arith::addi(i, k, b.loc));
            let stride = b.index(self.stride[s]);
            let o = b.push(arith::floordivsi(scaled, stride, b.loc));
            let rem = b.push(arith::remsi(scaled, stride, b.loc));
            let whole = b.push(arith::cmpi(
                b.mlir,
                CmpiPredicate::Eq,
                rem,
                b.index(0),
                b.loc,
            ));
            inside = Some(b.and_also(inside, whole));
            inside = Some(b.and_also(inside, b.in_range(o, extent)));
            coords.push(b.clamp_index(o, extent));
        }
        let v = b.extract(output, output_ty.dtype, &coords)?;
        let v = b.as_compute(v, output_ty.dtype);
        Ok((v, inside.ok_or("a window without spatial dims")?))
    }

    /// The element of `input` at `lead` coordinates followed by the tap of each spatial
    /// dim `s` (its output place loop dim `places + s`, its tap loop dim `taps + s`), cast
    /// to the compute dtype, and whether every tap lies inside the input.
    fn read<'c, 'x>(
        &self,
        b: &Body<'c, 'x>,
        input: Value<'c, '_>,
        input_ty: &TensorTy,
        lead: Vec<Value<'c, 'x>>,
        places: usize,
        taps: usize,
    ) -> LResult<(Value<'c, 'x>, Value<'c, 'x>)> {
        let first = lead.len();
        let mut coords = lead;
        let mut inside: Option<Value> = None;
        for s in 0..self.stride.len() {
            let (at, ok) = self.tap(
                b,
                s,
                b.loop_index(places + s)?,
                b.loop_index(taps + s)?,
                input_ty.shape[first + s],
            );
            coords.push(at);
            inside = Some(b.and_also(inside, ok));
        }
        let x = b.as_compute(b.extract(input, input_ty.dtype, &coords)?, input_ty.dtype);
        Ok((x, inside.ok_or("a window without spatial dims")?))
    }
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// A `linalg.generic` over `loops` loop dims (`reduced` marks the reductions): `ins`
    /// read at their loop dims, the result `init` written at `out_dims`; `body` gets the
    /// block arguments (the inputs' elements, then the result's) and returns what to yield.
    ///
    /// A reduction into `f32` accumulates in `f64` (the float inputs and the accumulator
    /// widened in the body, the result rounded once), as the interpreter's kernels do.
    pub(super) fn generic_at(
        &mut self,
        ins: &[Operand<'c, 'b>],
        init: Value<'c, 'b>,
        out_dims: &[usize],
        reduced: &[bool],
        out: &TensorTy,
        body: &IndexedBody<'c, '_>,
    ) -> LResult<Value<'c, 'b>> {
        let wide = reduced.contains(&true) && out.dtype == DType::F32;
        let acc = TensorTy {
            shape: out.shape.clone(),
            dtype: if wide { DType::F64 } else { out.dtype },
        };
        let init = self.convert(init, out, &acc)?;
        let loops = reduced.len();
        let map = |dims: &[usize]| {
            let exprs: Vec<AffineExpr> = dims
                .iter()
                .map(|&d| AffineExpr::dim(self.mlir, d))
                .collect();
            self.affine_map_attr(loops, &exprs)
        };
        let mut maps: Vec<_> = ins.iter().map(|(_, _, dims)| map(dims)).collect();
        maps.push(map(out_dims));
        let mut dtypes: Vec<DType> = ins.iter().map(|(_, dtype, _)| *dtype).collect();
        dtypes.push(acc.dtype);
        let arg_types: Vec<_> = dtypes
            .iter()
            .map(|&d| (element(self.mlir, d), self.loc))
            .collect();
        let inner = Block::new(&arg_types);
        {
            let b = Body {
                mlir: self.mlir,
                block: &inner,
                loc: self.loc,
                dtype: acc.dtype,
            };
            let args = dtypes
                .iter()
                .enumerate()
                .map(|(i, &d)| {
                    let v = Value::from(inner.argument(i).map_err(|e| e.to_string())?);
                    Ok(if wide && d.is_float() {
                        b.as_compute(v, d)
                    } else {
                        v
                    })
                })
                .collect::<LResult<Vec<_>>>()?;
            let y = body(&b, &args)?;
            inner.append_operation(
                OperationBuilder::new("linalg.yield", self.loc)
                    .add_operands(&[y])
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        let values: Vec<Value> = ins.iter().map(|(v, _, _)| *v).collect();
        let result = self.linalg_generic(&values, init, maps, reduced, inner, &acc)?;
        self.convert(result, &acc, out)
    }

    /// `v` of type `from` converted elementwise to `to`'s dtype (itself when they agree).
    pub(super) fn convert(
        &mut self,
        v: Value<'c, 'b>,
        from: &TensorTy,
        to: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        if from.dtype == to.dtype {
            return Ok(v);
        }
        let input = super::Input::Tensor(v, from.clone(), super::Access::Broadcast);
        self.generic_pointwise(&[input], to, to.dtype, &|b, v| b.get(v, 0))
    }

    /// A `linalg.generic` computing each element of `out` by `body` (which may read the
    /// loop indices), the `ins` (of `out`'s shape) read at the same place.
    pub(super) fn parallel_at(
        &mut self,
        ins: &[(Value<'c, 'b>, DType)],
        out: &TensorTy,
        body: &IndexedBody<'c, '_>,
    ) -> LResult<Value<'c, 'b>> {
        let rank = out.rank();
        let all: Vec<usize> = (0..rank).collect();
        let ins: Vec<Operand> = ins.iter().map(|&(v, d)| (v, d, all.clone())).collect();
        let init = self.empty(out);
        self.generic_at(&ins, init, &all, &vec![false; rank], out, body)
    }

    /// A reduction into `init` (of type `out`): the loop dims are `out`'s, written in
    /// order, followed by reduced ones up to the highest dim an input reads; `body` folds
    /// each input element into the result's.
    pub(super) fn fold(
        &mut self,
        ins: &[Operand<'c, 'b>],
        init: Value<'c, 'b>,
        out: &TensorTy,
        body: &IndexedBody<'c, '_>,
    ) -> LResult<Value<'c, 'b>> {
        let rank = out.rank();
        let loops = ins
            .iter()
            .flat_map(|(_, _, dims)| dims.iter().map(|&d| d + 1))
            .fold(rank, usize::max);
        let reduced: Vec<bool> = (0..loops).map(|d| d >= rank).collect();
        let all: Vec<usize> = (0..rank).collect();
        self.generic_at(ins, init, &all, &reduced, out, body)
    }

    /// An input of a reduction whose only use is to give the loop dims `first..` the
    /// extents of `shape` (an empty tensor; the body ignores its elements).
    pub(super) fn extents(&self, shape: Vec<u64>, first: usize) -> Operand<'c, 'b> {
        let dims = (first..first + shape.len()).collect();
        let ty = TensorTy {
            shape,
            dtype: DType::Bool,
        };
        (self.empty(&ty), DType::Bool, dims)
    }

    /// The tensor operand named `name` of `op` with its type.
    pub(super) fn named_operand(&self, op: OpId, name: &str) -> LResult<(Value<'c, 'b>, TensorTy)> {
        let group = operand_group(self.ctx, op, name)?;
        let [v] = group[..] else {
            return Err(format!("no operand '{name}'"));
        };
        Ok((self.value(v)?, tensor_ty(self.ctx, v)?))
    }

    /// `gather(self, dim, index)`: `out[i] = self[i with i[dim] = index[i]]`.
    pub(super) fn gather(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let (index, index_ty) = self.named_operand(op, "index")?;
        let dim = self.dim_arg(op, &x_ty)?;
        let rank = out.rank();
        let dtype = x_ty.dtype;
        let body = indexed(move |b, args| {
            let coords = (0..rank)
                .map(|d| {
                    if d == dim {
                        Ok(b.to_index(args[0]))
                    } else {
                        b.loop_index(d)
                    }
                })
                .collect::<LResult<Vec<_>>>()?;
            b.extract(x, dtype, &coords)
        });
        self.parallel_at(&[(index, index_ty.dtype)], out, &body)
    }

    /// `embedding(weight, indices)`: row `indices[i]` of `weight` for every `i`.
    pub(super) fn embedding(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (weight, weight_ty) = self.named_operand(op, "weight")?;
        let (indices, indices_ty) = self.named_operand(op, "indices")?;
        let rank = out.rank();
        let dtype = weight_ty.dtype;
        let body = indexed(move |b, args| {
            let row = b.to_index(args[0]);
            let column = b.loop_index(rank - 1)?;
            b.extract(weight, dtype, &[row, column])
        });
        let all: Vec<usize> = (0..rank).collect();
        let init = self.empty(out);
        self.generic_at(
            &[(indices, indices_ty.dtype, all[..rank - 1].to_vec())],
            init,
            &all,
            &vec![false; rank],
            out,
            &body,
        )
    }

    /// `embedding_dense_backward(grad_output, indices, num_weights, padding_idx,
    /// scale_grad_by_freq)`: row `w` of the result sums the gradient rows at the places
    /// where `indices` is `w` (none for `padding_idx`), each times `1 / count(w)` with
    /// `scale_grad_by_freq` (the count a reduction first); a reduction over those places.
    pub(super) fn embedding_dense_backward(
        &mut self,
        op: OpId,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let (grad, _) = self.named_operand(op, "grad_output")?;
        let (indices, indices_ty) = self.named_operand(op, "indices")?;
        let padding = Number::arg(self.ctx, op, "padding_idx")?.map_or(-1, Number::to_i64);
        let places = indices_ty.rank();
        let counts =
            if Number::arg(self.ctx, op, "scale_grad_by_freq")?.is_some_and(|n| n.to_i64() != 0) {
                Some(self.index_counts(indices, &indices_ty, out.shape[0])?)
            } else {
                None
            };
        // Loops: the result's row and column, then the places of `indices`.
        let loops = 2 + places;
        let place_dims: Vec<usize> = (2..loops).collect();
        let mut grad_dims = place_dims.clone();
        grad_dims.push(1);
        let body = indexed(move |b, args| {
            let row = b.loop_index(0)?;
            let index = b.to_index(args[1]);
            let hit = b.push(arith::cmpi(b.mlir, CmpiPredicate::Eq, index, row, b.loc));
            let padded = b.push(arith::cmpi(
                b.mlir,
                CmpiPredicate::Ne,
                row,
                b.index(padding),
                b.loc,
            ));
            let hit = b.push(arith::andi(hit, padded, b.loc));
            let g = match counts {
                Some(counts) => {
                    let count = b.as_compute(b.extract(counts, DType::I64, &[row])?, DType::I64);
                    let scale = b.arith(Arith::Div, &[Some(b.number(1.0)), Some(count)])?;
                    b.arith(Arith::Mul, &[Some(args[0]), Some(scale)])?
                }
                None => args[0],
            };
            let g = b.or_zero(hit, g)?;
            b.arith(Arith::Add, &[Some(args[2]), Some(g)])
        });
        let init = self.splat(Number::Int(0), out);
        let mut reduced = vec![false; 2];
        reduced.extend(vec![true; places]);
        self.generic_at(
            &[
                (grad, out.dtype, grad_dims),
                (indices, indices_ty.dtype, place_dims),
            ],
            init,
            &[0, 1],
            &reduced,
            out,
            &body,
        )
    }

    /// How often each of `rows` values occurs in `indices` (of type `ty`): an `i64`
    /// vector, a reduction over the indices' places.
    fn index_counts(
        &mut self,
        indices: Value<'c, 'b>,
        ty: &TensorTy,
        rows: u64,
    ) -> LResult<Value<'c, 'b>> {
        let counts_ty = TensorTy {
            shape: vec![rows],
            dtype: DType::I64,
        };
        let body = indexed(|b, args| {
            let hit = super::bag::at_row(b, b.to_index(args[0]))?;
            super::bag::count_if(b, args[1], hit)
        });
        let zeros = self.splat(Number::Int(0), &counts_ty);
        let dims: Vec<usize> = (1..1 + ty.rank()).collect();
        self.fold(&[(indices, ty.dtype, dims)], zeros, &counts_ty, &body)
    }

    /// `constant_pad_nd(self, pad, value)`: `pad` holds (before, after) pairs from the last
    /// dim backwards (negative ones crop); places outside `self` hold `value`.
    pub(super) fn constant_pad(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let ArgValue::IntList(pad) = attr_or_default(self.ctx, op, "pad")? else {
            return Err("pad is not a list".into());
        };
        let rank = out.rank();
        if pad.len() % 2 != 0 || pad.len() / 2 > rank {
            return Err(format!("{} pad entries for rank {rank}", pad.len()));
        }
        let mut before = vec![0i64; rank];
        for (j, pair) in pad.chunks(2).enumerate() {
            before[rank - 1 - j] = pair[0];
        }
        let value = Number::arg(self.ctx, op, "value")?.unwrap_or(Number::Int(0));
        let shape = x_ty.shape.clone();
        let dtype = x_ty.dtype;
        let body = indexed(move |b, _| {
            let mut coords = Vec::new();
            let mut inside: Option<Value> = None;
            for d in 0..rank {
                let at = b.affine(b.loop_index(d)?, 1, -before[d]);
                let ok = b.in_range(at, shape[d]);
                inside = Some(b.and_also(inside, ok));
                coords.push(b.clamp_index(at, shape[d]));
            }
            let v = b.extract(x, dtype, &coords)?;
            let v = b.as_compute(v, dtype);
            let fill = super::scalar_constant(b.mlir, b.block, b.loc, value, b.dtype);
            match inside {
                Some(inside) => b.select(Some(inside), Some(v), Some(fill)),
                None => Ok(v),
            }
        });
        self.parallel_at(&[], out, &body)
    }

    /// `convolution(input, weight, bias)`: a direct convolution ([`Lowerer::conv_forward`])
    /// or a transposed one (the adjoint loop nest, [`Lowerer::conv_adjoint`]) into the
    /// bias broadcast over the channels, or zeros.
    pub(super) fn convolution(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let input = self.named_operand(op, "input")?;
        let conv = Conv::of(self, op, input)?;
        let weight = self.named_operand(op, "weight")?;
        let bias = operand_group(self.ctx, op, "bias")?;
        let init = match bias[..] {
            [] => self.splat(Number::Int(0), out),
            [bias] => {
                let bias_ty = tensor_ty(self.ctx, bias)?;
                let input =
                    super::Input::Tensor(self.value(bias)?, bias_ty, super::Access::Dims(vec![1]));
                self.generic_pointwise(&[input], out, out.dtype, &|b, v| b.get(v, 0))?
            }
            _ => return Err("several bias operands".into()),
        };
        if conv.transposed {
            let (x, x_ty) = (conv.input, conv.input_ty.clone());
            self.conv_adjoint(&conv, x, &x_ty, weight, init, out)
        } else {
            self.conv_forward(&conv, weight, init, out)
        }
    }

    /// A direct convolution into `init`: `out[n, oc, o] += sum over c, k of
    /// input[n, g * Cg + c, o * stride + k * dilation - padding] * weight[oc, c, k]` with
    /// `g = oc / (Cout / groups)`, input places outside the input reading zero.
    fn conv_forward(
        &mut self,
        conv: &Conv<'c, 'b>,
        (weight, weight_ty): (Value<'c, 'b>, TensorTy),
        init: Value<'c, 'b>,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        self.conv_nest(conv, (weight, weight_ty.dtype), init, out, false)
    }

    /// The weight gradient of a direct convolution: the forward's loop nest reduced over
    /// n and o instead, `gw[oc, c, k] = sum of grad[n, oc, o] * input[...]`.
    fn conv_weight_grad(
        &mut self,
        conv: &Conv<'c, 'b>,
        grad: Value<'c, 'b>,
        grad_ty: &TensorTy,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let init = self.splat(Number::Int(0), out);
        self.conv_nest(conv, (grad, grad_ty.dtype), init, out, true)
    }

    /// The direct convolution's loop nest (n, oc, o, c, k; the input read at computed
    /// places): `operand` times the input tap summed into `init`. The forward reads the
    /// weight at (oc, c, k) and writes (n, oc, o); the weight gradient (`weight_grad`)
    /// reads the gradient at (n, oc, o) and writes (oc, c, k).
    fn conv_nest(
        &mut self,
        conv: &Conv<'c, 'b>,
        (operand, dtype): (Value<'c, 'b>, DType),
        init: Value<'c, 'b>,
        out: &TensorTy,
        weight_grad: bool,
    ) -> LResult<Value<'c, 'b>> {
        let n = conv.spatial;
        let places: Vec<usize> = (0..2 + n).collect();
        let mut weights = vec![1, 2 + n];
        weights.extend(3 + n..3 + 2 * n);
        let (read, write) = if weight_grad {
            (places, weights)
        } else {
            (weights, places)
        };
        let reduced: Vec<bool> = (0..3 + 2 * n).map(|d| !write.contains(&d)).collect();
        let conv = conv.clone();
        let body = indexed(move |b, args| {
            let (x, inside) = conv.input_at(b)?;
            b.accumulate_product(args[1], inside, x, args[0])
        });
        self.generic_at(
            &[(operand, dtype, read)],
            init,
            &write,
            &reduced,
            out,
            &body,
        )
    }

    /// `convolution_backward(grad_output, input, weight)`: the gradients `output_mask`
    /// asks for (the others are `none`). For a direct convolution the input gradient is
    /// the adjoint loop nest and the weight gradient [`Lowerer::conv_weight_grad`]; for a
    /// transposed one, the input gradient is a direct convolution of the gradient and the
    /// weight gradient the same reduction with input and gradient exchanged. The bias
    /// gradient sums the gradient over every dim but the channels.
    pub(super) fn convolution_backward(&mut self, op: OpId) -> LResult<()> {
        let ctx = self.ctx;
        let (grad, grad_ty) = self.named_operand(op, "grad_output")?;
        let (x, x_ty) = self.named_operand(op, "input")?;
        let weight = self.named_operand(op, "weight")?;
        let conv = Conv::of(self, op, (x, x_ty.clone()))?;
        let results = ctx.results(op).to_vec();
        let want = |j: usize| -> LResult<Option<TensorTy>> {
            let r = results.get(j).ok_or("fewer than 3 results")?;
            if matches!(
                ctx.type_data(ctx.value_type(*r)),
                joinery_ir::TypeData::None
            ) {
                Ok(None)
            } else {
                tensor_ty(ctx, *r).map(Some)
            }
        };
        // A transposed convolution's gradients read the gradient where the direct
        // convolution's read the input.
        let of_grad = Conv::of(self, op, (grad, grad_ty.clone()))?;
        if let Some(out) = want(0)? {
            let init = self.splat(Number::Int(0), &out);
            let v = if conv.transposed {
                self.conv_forward(&of_grad, weight.clone(), init, &out)?
            } else {
                self.conv_adjoint(&conv, grad, &grad_ty, weight.clone(), init, &out)?
            };
            self.values.insert(results[0], v);
        }
        if let Some(out) = want(1)? {
            let v = if conv.transposed {
                self.conv_weight_grad(&of_grad, x, &x_ty, &out)?
            } else {
                self.conv_weight_grad(&conv, grad, &grad_ty, &out)?
            };
            self.values.insert(results[1], v);
        }
        if let Some(out) = want(2)? {
            let all: Vec<usize> = (0..grad_ty.rank()).collect();
            let mut reduced = vec![true; grad_ty.rank()];
            reduced[1] = false;
            let init = self.splat(Number::Int(0), &out);
            let body = indexed(|b, args| b.arith(Arith::Add, &[Some(args[0]), Some(args[1])]));
            let v = self.generic_at(
                &[(grad, grad_ty.dtype, all)],
                init,
                &[1],
                &reduced,
                &out,
                &body,
            )?;
            self.values.insert(results[2], v);
        }
        Ok(())
    }

    /// The adjoint of a direct convolution (its input gradient, and a transposed
    /// convolution) into `init`: `r[n, g, c, i] += sum over j, k of y[n, g * Jg + j, o] *
    /// weight[g, j, c, k]` where `i = o * stride + k * dilation - padding` (taps whose `o`
    /// is not a whole place of `y` read zero), the weight `[G * Jg, C, K...]` seen as
    /// `[G, Jg, C, K...]`, computed over `[N, G, C, spatial]` and reshaped to `out`.
    fn conv_adjoint(
        &mut self,
        conv: &Conv<'c, 'b>,
        y: Value<'c, 'b>,
        y_ty: &TensorTy,
        (weight, weight_ty): (Value<'c, 'b>, TensorTy),
        init: Value<'c, 'b>,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let n = conv.spatial;
        let g = conv.groups as u64;
        let jg = weight_ty.shape[0] / g;
        let cg = weight_ty.shape[1];
        let mut grouped_w = vec![g, jg, cg];
        grouped_w.extend(&weight_ty.shape[2..]);
        let weight = self.reshape(
            weight,
            &TensorTy {
                shape: grouped_w,
                dtype: weight_ty.dtype,
            },
        );
        let mut grouped_out = vec![out.shape[0], g, cg];
        grouped_out.extend(&out.shape[2..]);
        let grouped = TensorTy {
            shape: grouped_out,
            dtype: out.dtype,
        };
        let init = self.reshape(init, &grouped);
        // Loops: n, g, c, i (n spatial), j, k (n spatial).
        let out_dims: Vec<usize> = (0..3 + n).collect();
        let mut weight_dims = vec![1, 3 + n, 2];
        weight_dims.extend(4 + n..4 + 2 * n);
        let mut reduced = vec![false; 3 + n];
        reduced.extend(vec![true; 1 + n]);
        let window = conv.window.clone();
        let y_ty = y_ty.clone();
        let body = indexed(move |b, args| {
            let batch = b.loop_index(0)?;
            let group = b.loop_index(1)?;
            let j = b.loop_index(3 + n)?;
            let channel = b.affine(group, jg as i64, 0);
            let channel = b.push(arith::addi(channel, j, b.loc));
            let (yv, inside) =
                window.gather_source(b, y, y_ty.clone(), vec![batch, channel], 3, 4 + n)?;
            b.accumulate_product(args[1], inside, yv, args[0])
        });
        let v = self.generic_at(
            &[(weight, weight_ty.dtype, weight_dims)],
            init,
            &out_dims,
            &reduced,
            &grouped,
            &body,
        )?;
        Ok(self.reshape(v, out))
    }

    /// `max_pool{2,3}d_with_indices(self, kernel_size, stride, padding, dilation)`: the
    /// window maxima (NaN wins), then the flat offset in the input plane of the place
    /// PyTorch's in-order scan keeps: the first holding the maximum, or the last NaN.
    pub(super) fn max_pool_with_indices(&mut self, op: OpId) -> LResult<()> {
        let ctx = self.ctx;
        let results = ctx.results(op).to_vec();
        let [values, indices] = results[..] else {
            return Err("max pooling has two results".into());
        };
        let (values_ty, indices_ty) = (tensor_ty(ctx, values)?, tensor_ty(ctx, indices)?);
        let pool = Pool::of(self, op)?;
        let rank = values_ty.rank();
        // Loops: the result's dims, then the taps.
        let out_dims: Vec<usize> = (0..rank).collect();
        let taps = self.extents(pool.kernel.iter().map(|&k| k as u64).collect(), rank);
        let max_init = self.splat(Number::Float(f64::NEG_INFINITY), &values_ty);
        let p = pool.clone();
        let max_body = indexed(move |b, args| {
            let (x, inside) = p.input_at(b)?;
            let candidate = b.select(Some(inside), Some(x), Some(b.number(f64::NEG_INFINITY)))?;
            b.arith(Arith::Max, &[Some(args[1]), Some(candidate)])
        });
        let maxima = self.fold(std::slice::from_ref(&taps), max_init, &values_ty, &max_body)?;
        let index_init = self.splat(Number::Int(i64::MAX), &indices_ty);
        let p = pool.clone();
        let dtype = values_ty.dtype;
        let index_body = indexed(move |b, args| {
            let real = Body {
                mlir: b.mlir,
                block: b.block,
                loc: b.loc,
                dtype,
            };
            let (x, inside) = p.input_at(&real)?;
            let equal = real.compare_values(super::Cmp::Eq, x, args[1])?;
            let nan = real.compare_values(super::Cmp::Unordered, x, x)?;
            let hit = b.push(arith::ori(equal, nan, b.loc));
            let hit = b.push(arith::andi(hit, inside, b.loc));
            let offset = p.plane_offset(b)?;
            let offset = b.push(arith::index_cast(
                offset,
                element(b.mlir, DType::I64),
                b.loc,
            ));
            let smaller = b.arith(Arith::Min, &[Some(args[2]), Some(offset)])?;
            // A NaN maximum takes the last NaN (PyTorch's scan replaces on every NaN): the
            // largest offset once the sentinel is gone.
            let fresh = b.push(arith::cmpi(
                b.mlir,
                CmpiPredicate::Eq,
                args[2],
                b.number(i64::MAX as f64),
                b.loc,
            ));
            let larger = b.arith(Arith::Max, &[Some(args[2]), Some(offset)])?;
            let larger = b.select(Some(fresh), Some(offset), Some(larger))?;
            let nan_max = real.compare_values(super::Cmp::Unordered, args[1], args[1])?;
            let pick = b.select(Some(nan_max), Some(larger), Some(smaller))?;
            b.select(Some(hit), Some(pick), Some(args[2]))
        });
        let first = self.fold(
            &[taps, (maxima, dtype, out_dims.clone())],
            index_init,
            &indices_ty,
            &index_body,
        )?;
        self.values.insert(values, maxima);
        self.values.insert(indices, first);
        Ok(())
    }

    /// `max_pool{2,3}d_with_indices_backward(grad_output, self, ..., indices)`: each input
    /// place sums the gradients of the outputs whose recorded index is its plane offset.
    pub(super) fn max_pool_backward(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (grad, grad_ty) = self.named_operand(op, "grad_output")?;
        let (indices, indices_ty) = self.named_operand(op, "indices")?;
        let pool = Pool::of(self, op)?;
        let (n, rank) = (pool.spatial, out.rank());
        // Loops: the input's dims, then the output's spatial places.
        let lead = rank - n;
        let mut place_dims: Vec<usize> = (0..lead).collect();
        place_dims.extend(rank..rank + n);
        let extents = out.shape[lead..].to_vec();
        let body = indexed(move |b, args| {
            let mut offset = b.index(0);
            for (s, &extent) in extents.iter().enumerate() {
                let scaled = b.affine(offset, extent as i64, 0);
                offset = b.push(arith::addi(scaled, b.loop_index(lead + s)?, b.loc));
            }
            let index = b.to_index(args[1]);
            let hit = b.push(arith::cmpi(b.mlir, CmpiPredicate::Eq, index, offset, b.loc));
            let g = b.or_zero(hit, args[0])?;
            b.arith(Arith::Add, &[Some(args[2]), Some(g)])
        });
        let init = self.splat(Number::Int(0), out);
        self.fold(
            &[
                (grad, grad_ty.dtype, place_dims.clone()),
                (indices, indices_ty.dtype, place_dims),
            ],
            init,
            out,
            &body,
        )
    }
}

/// A convolution's input and geometry, for bodies that read the input at a tap.
#[derive(Clone)]
struct Conv<'c, 'b> {
    input: Value<'c, 'b>,
    input_ty: TensorTy,
    /// Spatial dims (1, 2 or 3).
    spatial: usize,
    groups: i64,
    /// Output channels per group of the direct loop nest (the weight's first dim over
    /// the groups).
    out_per_group: i64,
    window: Window,
    /// A transposed convolution (`convolution`'s `transposed`).
    transposed: bool,
}

impl<'c, 'b> Conv<'c, 'b> {
    /// The attributes of `convolution` or `convolution_backward` with `input` as the
    /// tensor its direct loop nest reads.
    fn of(
        lower: &Lowerer<'c, 'b>,
        op: OpId,
        (input, input_ty): (Value<'c, 'b>, TensorTy),
    ) -> LResult<Conv<'c, 'b>> {
        let ctx = lower.ctx;
        let (_, weight_ty) = lower.named_operand(op, "weight")?;
        let transposed = Number::arg(ctx, op, "transposed")?.is_some_and(|t| t.to_i64() != 0);
        let spatial = input_ty.rank().checked_sub(2).filter(|&n| n >= 1).ok_or(
            "a convolution input needs a batch and a channel dim and at least one spatial dim",
        )?;
        let groups = Number::arg(ctx, op, "groups")?.map_or(1, Number::to_i64);
        if groups < 1 || weight_ty.shape[0] as i64 % groups != 0 {
            return Err(format!("{groups} groups"));
        }
        Ok(Conv {
            input,
            input_ty,
            spatial,
            groups,
            out_per_group: weight_ty.shape[0] as i64 / groups,
            window: Window::of(lower, op, spatial, &vec![1; spatial])?,
            transposed,
        })
    }

    /// In the forward's loop nest (n, oc, o, c, k): the input element read by this tap
    /// (cast to the compute dtype) and whether it lies inside the input.
    fn input_at<'x>(&self, b: &Body<'c, 'x>) -> LResult<(Value<'c, 'x>, Value<'c, 'x>)> {
        let n = self.spatial;
        let batch = b.loop_index(0)?;
        let oc = b.loop_index(1)?;
        let c = b.loop_index(2 + n)?;
        let channel = if self.groups == 1 {
            c
        } else {
            let group = b.push(arith::floordivsi(oc, b.index(self.out_per_group), b.loc));
            let first = b.affine(group, self.input_ty.shape[1] as i64 / self.groups, 0);
            b.push(arith::addi(first, c, b.loc))
        };
        self.window.read(
            b,
            self.input,
            &self.input_ty,
            vec![batch, channel],
            2,
            3 + n,
        )
    }
}

/// A max pooling's input and window, for bodies that read the input at a tap.
#[derive(Clone)]
struct Pool<'c, 'b> {
    input: Value<'c, 'b>,
    input_ty: TensorTy,
    /// Spatial dims (2 or 3).
    spatial: usize,
    /// Dims before the spatial ones (channels, and maybe a batch).
    lead: usize,
    kernel: Vec<i64>,
    window: Window,
}

impl<'c, 'b> Pool<'c, 'b> {
    /// Reads the input (`self`) and window of a max pooling or its backward.
    fn of(lower: &Lowerer<'c, 'b>, op: OpId) -> LResult<Pool<'c, 'b>> {
        let ctx = lower.ctx;
        let spatial = joinery_aten::schema(ctx.name_str(op))
            .and_then(|s| s.pool_dims())
            .ok_or("not a pooling op")?;
        let (input, input_ty) = lower.named_operand(op, "self")?;
        let lead = input_ty
            .rank()
            .checked_sub(spatial)
            .filter(|&l| l >= 1)
            .ok_or("a pooling input needs a channel dim")?;
        let kernel = Window::list(&attr_or_default(ctx, op, "kernel_size")?, spatial, &[])?;
        if kernel.len() != spatial {
            return Err("no kernel_size".into());
        }
        let window = Window::of(lower, op, spatial, &kernel)?;
        Ok(Pool {
            input,
            input_ty,
            spatial,
            lead,
            kernel,
            window,
        })
    }

    /// In the loop nest (the result's dims, then the taps): the input element of this tap
    /// (cast to the compute dtype) and whether it lies inside the input.
    fn input_at<'x>(&self, b: &Body<'c, 'x>) -> LResult<(Value<'c, 'x>, Value<'c, 'x>)> {
        let lead = (0..self.lead)
            .map(|d| b.loop_index(d))
            .collect::<LResult<Vec<_>>>()?;
        let rank = self.input_ty.rank();
        self.window
            .read(b, self.input, &self.input_ty, lead, self.lead, rank)
    }

    /// The flat offset in the input plane of this tap's place (row-major over the
    /// spatial dims), as an `index`.
    fn plane_offset<'x>(&self, b: &Body<'c, 'x>) -> LResult<Value<'c, 'x>> {
        let rank = self.input_ty.rank();
        let mut offset = b.index(0);
        for s in 0..self.spatial {
            let extent = self.input_ty.shape[self.lead + s];
            let (at, _) = self.window.tap(
                b,
                s,
                b.loop_index(self.lead + s)?,
                b.loop_index(rank + s)?,
                extent,
            );
            let scaled = b.affine(offset, extent as i64, 0);
            offset = b.push(arith::addi(scaled, at, b.loc));
        }
        Ok(offset)
    }
}

/// The present index tensors of `index.Tensor` / `index_put` and where their places sit
/// in the indexed shape, which is `self`'s `sliced[..lead]` dims, the index tensors'
/// broadcast shape, then `sliced[lead..]`, as PyTorch lays it out.
#[derive(Clone)]
pub(super) struct IndexTensors<'c, 'b> {
    /// `(dim of self, tensor, its type)` for each present entry.
    pub(super) present: Vec<(usize, Value<'c, 'b>, TensorTy)>,
    /// The number of dims of the index tensors' broadcast shape.
    pub(super) broadcast: usize,
    /// The dims of `self` no index tensor indexes, in order.
    pub(super) sliced: Vec<usize>,
    /// How many of `sliced` precede the index places: the dims before the first index
    /// tensor when the present entries are adjacent, else none (PyTorch then puts the
    /// index places first).
    pub(super) lead: usize,
}

impl<'c> IndexTensors<'c, '_> {
    /// Whether the index place at `place(lead..lead + broadcast)` names the result place
    /// of the loop (its loop dims being `self`'s): every index tensor's element there,
    /// negative ones counted from the end of `self`'s dim (of type `x_ty`), is the loop's
    /// place along that dim.
    pub(super) fn hit<'x>(
        &self,
        b: &Body<'c, 'x>,
        x_ty: &TensorTy,
        place: &dyn Fn(usize) -> LResult<Value<'c, 'x>>,
    ) -> LResult<Value<'c, 'x>> {
        let mut all: Option<Value> = None;
        for (d, tensor, ty) in &self.present {
            let extent = x_ty.shape[*d];
            let at = read_index(b, *tensor, ty, self.broadcast, extent, place, self.lead)?;
            let same = b.push(arith::cmpi(
                b.mlir,
                CmpiPredicate::Eq,
                at,
                b.loop_index(*d)?,
                b.loc,
            ));
            all = Some(b.and_also(all, same));
        }
        all.ok_or_else(|| "no index tensor".into())
    }

    /// The dim of the indexed shape that `self`'s dim `sliced[j]` becomes.
    pub(super) fn sliced_place(&self, j: usize) -> usize {
        if j < self.lead { j } else { j + self.broadcast }
    }
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// `triu` / `tril(self, diagonal)`: the elements whose column minus row is at least
    /// (`triu`) or at most (`tril`) `diagonal`, zeros elsewhere.
    pub(super) fn triangle(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let rank = x_ty.rank();
        if rank < 2 {
            return Err("a triangle of a tensor of rank below 2".into());
        }
        let diagonal = Number::arg(self.ctx, op, "diagonal")?.map_or(0, Number::to_i64);
        let upper = self.ctx.name_str(op) == "aten.triu";
        let body = indexed(move |b, args| {
            let row = b.loop_index(rank - 2)?;
            let column = b.loop_index(rank - 1)?;
            let offset = b.push(arith::subi(column, row, b.loc));
            let predicate = if upper {
                CmpiPredicate::Sge
            } else {
                CmpiPredicate::Sle
            };
            let keep = b.push(arith::cmpi(
                b.mlir,
                predicate,
                offset,
                b.index(diagonal),
                b.loc,
            ));
            b.or_zero(keep, args[0])
        });
        self.parallel_at(&[(x, x_ty.dtype)], out, &body)
    }

    /// `linspace(start, end, steps)`: `start + step * i` for the first half and
    /// `end - step * (steps - 1 - i)` for the rest, in `f64`, as PyTorch fills it.
    pub(super) fn linspace(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let start = Number::arg(ctx, op, "start")?.ok_or("no start")?.to_f64();
        let end = Number::arg(ctx, op, "end")?.ok_or("no end")?.to_f64();
        let steps = Number::arg(ctx, op, "steps")?.ok_or("no steps")?.to_i64();
        let step = if steps > 1 {
            (end - start) / (steps - 1) as f64
        } else {
            0.0
        };
        let half = (steps / 2).max(1);
        let dtype = out.dtype;
        let body = indexed(move |b, _| {
            let wide = Body {
                mlir: b.mlir,
                block: b.block,
                loc: b.loc,
                dtype: DType::F64,
            };
            let i = b.loop_index(0)?;
            let first = b.push(arith::cmpi(
                b.mlir,
                CmpiPredicate::Slt,
                i,
                b.index(half),
                b.loc,
            ));
            let from_end = b.affine(i, -1, steps - 1);
            let as_float = |v: Value<'c, '_>| {
                let v = b.push(arith::index_cast(v, element(b.mlir, DType::I64), b.loc));
                super::cast(b.mlir, b.block, b.loc, v, DType::I64, DType::F64)
            };
            let (i, from_end) = (as_float(i), as_float(from_end));
            let step = wide.number(step);
            let up = wide.arith(Arith::Mul, &[Some(i), Some(step)])?;
            let up = wide.arith(Arith::Add, &[Some(wide.number(start)), Some(up)])?;
            let down = wide.arith(Arith::Mul, &[Some(from_end), Some(step)])?;
            let down = wide.arith(Arith::Sub, &[Some(wide.number(end)), Some(down)])?;
            let y = wide.select(Some(first), Some(up), Some(down))?;
            Ok(super::cast(b.mlir, b.block, b.loc, y, DType::F64, dtype))
        });
        let init = self.empty(out);
        self.generic_at(&[], init, &[0], &[false], out, &body)
    }

    /// `slice_scatter` / `select_scatter(self, src, dim, ...)` and `slice_backward` /
    /// `select_backward(grad_output, input_sizes, dim, ...)`: the base (`self`, or zeros)
    /// with `src` (or the gradient) written into the slice `start::step` or at `index`
    /// along `dim`.
    pub(super) fn view_scatter(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let name = self.ctx.name_str(op);
        let backward = name.ends_with("_backward");
        let select = name.contains("select");
        let (src, src_ty) = self.named_operand(op, if backward { "grad_output" } else { "src" })?;
        let dim = self.dim_arg(op, out)?;
        let extent = out.shape[dim] as i64;
        let (start, step) = if select {
            let index = Number::arg(self.ctx, op, "index")?
                .ok_or("no index")?
                .to_i64();
            (if index < 0 { index + extent } else { index }, 1)
        } else {
            self.slice_start_step(op, extent)?
        };
        let base = if backward {
            self.splat(Number::Int(0), out)
        } else {
            self.named_operand(op, "self")?.0
        };
        // The slice's extent along `dim` (one place for a select).
        let count = if select { 1 } else { src_ty.shape[dim] };
        let rank = out.rank();
        let dtype = src_ty.dtype;
        let body = indexed(move |b, args| {
            let at = b.affine(b.loop_index(dim)?, 1, -start);
            let place = b.push(arith::floordivsi(at, b.index(step), b.loc));
            let rem = b.push(arith::remsi(at, b.index(step), b.loc));
            let whole = b.push(arith::cmpi(
                b.mlir,
                CmpiPredicate::Eq,
                rem,
                b.index(0),
                b.loc,
            ));
            // A place before `start` has a negative floor quotient: out of range too.
            let inside = b.and_also(Some(whole), b.in_range(place, count));
            let mut coords = Vec::with_capacity(rank);
            for d in 0..rank {
                if d != dim {
                    coords.push(b.loop_index(d)?);
                } else if !select {
                    coords.push(b.clamp_index(place, count));
                }
            }
            let v = b.as_compute(b.extract(src, dtype, &coords)?, dtype);
            b.select(Some(inside), Some(v), Some(args[0]))
        });
        let all: Vec<usize> = (0..rank).collect();
        self.generic_at(&[], base, &all, &vec![false; rank], out, &body)
    }

    /// The present index tensors of `index.Tensor` / `index_put` and where their places
    /// sit in the indexed shape; refuses boolean masks.
    pub(super) fn indices(&self, op: OpId) -> LResult<IndexTensors<'c, 'b>> {
        let ctx = self.ctx;
        let group = operand_group(ctx, op, "indices")?;
        let (_, self_ty) = self.named_operand(op, "self")?;
        let mut present = Vec::new();
        for (d, &v) in group.iter().enumerate() {
            if matches!(ctx.type_data(ctx.value_type(v)), joinery_ir::TypeData::None) {
                continue;
            }
            let ty = tensor_ty(ctx, v)?;
            if !matches!(ty.dtype, DType::I32 | DType::I64) {
                return Err("a boolean index mask".into());
            }
            present.push((d, self.value(v)?, ty));
        }
        let Some(first) = present.first().map(|p| p.0) else {
            return Err("no index tensor".into());
        };
        let adjacent = present.iter().enumerate().all(|(j, p)| p.0 == first + j);
        let broadcast = present.iter().map(|p| p.2.rank()).max().unwrap_or(0);
        let sliced: Vec<usize> = (0..self_ty.rank())
            .filter(|d| !present.iter().any(|p| p.0 == *d))
            .collect();
        Ok(IndexTensors {
            present,
            broadcast,
            sliced,
            lead: if adjacent { first } else { 0 },
        })
    }

    /// `index.Tensor` / `_unsafe_index.Tensor(self, indices)`: `self` read at the index
    /// tensors' elements (broadcast together, negative ones counted from the end) in the
    /// indexed dims, the other dims passed through.
    pub(super) fn index(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let indices = self.indices(op)?;
        let dtype = x_ty.dtype;
        let body = indexed(move |b, _| {
            let coords = index_coords(b, &x_ty, &indices, |d| b.loop_index(d))?;
            b.extract(x, dtype, &coords)
        });
        self.parallel_at(&[], out, &body)
    }

    /// `index_put` / `_unsafe_index_put(self, indices, values, accumulate=True)`: each
    /// place of `self` plus the `values` whose indices point at it (a reduction over the
    /// indices' broadcast places). Without `accumulate` the last write wins
    /// ([`Lowerer::index_put_last`]).
    pub(super) fn index_put(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        if Number::arg(self.ctx, op, "accumulate")?.is_none_or(|a| a.to_i64() == 0) {
            return self.index_put_last(op, out);
        }
        let (x, x_ty) = self.named_operand(op, "self")?;
        let (values, values_ty) = self.named_operand(op, "values")?;
        let indices = self.indices(op)?;
        let rank = out.rank();
        let (lead, broadcast) = (indices.lead, indices.broadcast);
        if values_ty.rank() != indices.sliced.len() + broadcast {
            return Err("values not of the indexed shape".into());
        }
        // Loops: the result's dims, then the broadcast index places (reduced).
        let mut value_dims = indices.sliced[..lead].to_vec();
        value_dims.extend(rank..rank + broadcast);
        value_dims.extend(&indices.sliced[lead..]);
        let body = indexed(move |b, args| {
            // `read_index` asks for the index places (`lead..lead + broadcast`) of the
            // indexed shape: here loop dims `rank..`.
            let hit = indices.hit(b, &x_ty, &|d| b.loop_index(rank + d - lead))?;
            let v = b.or_zero(hit, args[0])?;
            b.arith(Arith::Add, &[Some(args[1]), Some(v)])
        });
        self.fold(&[(values, values_ty.dtype, value_dims)], x, out, &body)
    }
}

/// The element of index tensor `tensor` (of type `ty`, broadcast to `broadcast` dims
/// whose places are `place(first + j)`) as an `index` into a dim of `extent`, negative
/// ones counted from the end.
pub(super) fn read_index<'c, 'x>(
    b: &Body<'c, 'x>,
    tensor: Value<'c, '_>,
    ty: &TensorTy,
    broadcast: usize,
    extent: u64,
    place: &dyn Fn(usize) -> LResult<Value<'c, 'x>>,
    first: usize,
) -> LResult<Value<'c, 'x>> {
    let lead = broadcast - ty.rank();
    let coords = ty
        .shape
        .iter()
        .enumerate()
        .map(|(j, &e)| {
            if e == 1 {
                Ok(b.index(0))
            } else {
                place(first + lead + j)
            }
        })
        .collect::<LResult<Vec<_>>>()?;
    let v = b.extract(tensor, ty.dtype, &coords)?;
    let v = b.to_index(v);
    let negative = b.push(arith::cmpi(
        b.mlir,
        CmpiPredicate::Slt,
        v,
        b.index(0),
        b.loc,
    ));
    let wrapped = b.affine(v, 1, extent as i64);
    b.select(Some(negative), Some(wrapped), Some(v))
}

/// The coordinates into `self` (of type `x_ty`) of the place of the indexed shape whose
/// dim `d` is at `place(d)` (a result place of `index.Tensor`).
fn index_coords<'c, 'x>(
    b: &Body<'c, 'x>,
    x_ty: &TensorTy,
    indices: &IndexTensors<'c, '_>,
    place: impl Fn(usize) -> LResult<Value<'c, 'x>>,
) -> LResult<Vec<Value<'c, 'x>>> {
    (0..x_ty.rank())
        .map(|d| {
            let extent = x_ty.shape[d];
            match indices.present.iter().find(|p| p.0 == d) {
                Some((_, tensor, ty)) => {
                    let (broadcast, lead) = (indices.broadcast, indices.lead);
                    let at = read_index(b, *tensor, ty, broadcast, extent, &place, lead)?;
                    Ok(b.clamp_index(at, extent))
                }
                None => {
                    let j = indices.sliced.iter().position(|&s| s == d);
                    place(indices.sliced_place(j.ok_or("a dim neither indexed nor sliced")?))
                }
            }
        })
        .collect()
}

/// The places of a box of `extents`, row-major.
fn places(extents: &[u64]) -> Vec<Vec<u64>> {
    let mut all = vec![Vec::new()];
    for &e in extents {
        all = all
            .into_iter()
            .flat_map(|p| {
                (0..e).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    all
}

/// The adaptive window of output place `o` of `out` places over `size` inputs:
/// `floor(o * size / out) .. ceil((o + 1) * size / out)`, as PyTorch's.
fn adaptive_range(o: u64, out: u64, size: u64) -> std::ops::Range<u64> {
    (o * size / out)..((o + 1) * size).div_ceil(out)
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// A constant tensor of `shape` and `dtype` (`f32`, `f64` or `i64`) holding `values`
    /// (row-major), with its type.
    pub(super) fn dense(
        &self,
        shape: &[u64],
        dtype: DType,
        values: &[f64],
    ) -> LResult<(Value<'c, 'b>, TensorTy)> {
        let ty = TensorTy {
            shape: shape.to_vec(),
            dtype,
        };
        let mlir_ty = ty.mlir(self.mlir);
        let attr = match dtype {
            DType::F32 => melior::ir::attribute::DenseElementsAttribute::f32_values(
                mlir_ty,
                &values.iter().map(|&v| v as f32).collect::<Vec<_>>(),
            ),
            DType::F64 => {
                melior::ir::attribute::DenseElementsAttribute::f64_values(mlir_ty, values)
            }
            DType::I64 => melior::ir::attribute::DenseElementsAttribute::i64_values(
                mlir_ty,
                &values.iter().map(|&v| v as i64).collect::<Vec<_>>(),
            ),
            other => return Err(format!("a constant table of {}", other.keyword())),
        };
        let v = self.push(arith::constant(self.mlir, attr.into(), self.loc));
        Ok((v, ty))
    }

    /// `x / divisor`, the divisor (of the spatial output shape) broadcast over the lead.
    fn divide(
        &mut self,
        x: Value<'c, 'b>,
        ty: &TensorTy,
        divisor: Value<'c, 'b>,
        divisor_ty: TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let inputs = [
            super::Input::Tensor(x, ty.clone(), super::Access::Broadcast),
            super::Input::Tensor(divisor, divisor_ty, super::Access::Broadcast),
        ];
        self.generic_pointwise(&inputs, ty, ty.dtype, &|b, v| b.arith(Arith::Div, v))
    }

    /// The divisor of each output place (of `output` spatial extents) of an average
    /// pooling, as a constant of `dtype`: `divisor_override`, else the window clipped to
    /// the padded input (`count_include_pad`) or to the input, as PyTorch's CPU kernel.
    fn avg_divisors(
        &self,
        op: OpId,
        pool: &Pool,
        output: &[u64],
        dtype: DType,
    ) -> LResult<(Value<'c, 'b>, TensorTy)> {
        let ctx = self.ctx;
        let override_ = Number::arg(ctx, op, "divisor_override")?;
        let include_pad =
            Number::arg(ctx, op, "count_include_pad")?.is_none_or(|n| n.to_i64() != 0);
        let input = &pool.input_ty.shape[pool.lead..];
        let w = &pool.window;
        let values: Vec<f64> = places(output)
            .iter()
            .map(|o| {
                let (mut padded, mut inside) = (1i64, 1i64);
                for (i, &oi) in o.iter().enumerate() {
                    let size = input[i] as i64;
                    let start = oi as i64 * w.stride[i] - w.padding[i];
                    let end = (start + pool.kernel[i]).min(size + w.padding[i]);
                    padded *= end - start;
                    inside *= (end.min(size) - start.max(0)).max(0);
                }
                match override_ {
                    Some(d) => d.to_f64(),
                    None if include_pad => padded as f64,
                    None => inside as f64,
                }
            })
            .collect();
        self.dense(output, dtype, &values)
    }

    /// `avg_pool{2,3}d(self, kernel_size, stride, padding, ...)`: the sum over each window
    /// (padding reads zero) divided by its divisor ([`Lowerer::avg_divisors`]).
    pub(super) fn avg_pool(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let pool = Pool::of(self, op)?;
        let (n, rank) = (pool.spatial, out.rank());
        let taps = self.extents(pool.kernel.iter().map(|&k| k as u64).collect(), rank);
        let p = pool.clone();
        let body = indexed(move |b, args| {
            let (x, inside) = p.input_at(b)?;
            let x = b.or_zero(inside, x)?;
            b.arith(Arith::Add, &[Some(args[1]), Some(x)])
        });
        let init = self.splat(Number::Int(0), out);
        let sums = self.fold(std::slice::from_ref(&taps), init, out, &body)?;
        let (divisor, divisor_ty) =
            self.avg_divisors(op, &pool, &out.shape[rank - n..], out.dtype)?;
        self.divide(sums, out, divisor, divisor_ty)
    }

    /// `avg_pool{2,3}d_backward(grad_output, self, ...)`: each input place sums the
    /// gradients (divided by their divisors) of the windows whose taps read it.
    pub(super) fn avg_pool_backward(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let pool = Pool::of(self, op)?;
        let (grad, grad_ty) = self.named_operand(op, "grad_output")?;
        let (n, rank) = (pool.spatial, out.rank());
        let lead = rank - n;
        let (divisor, divisor_ty) =
            self.avg_divisors(op, &pool, &grad_ty.shape[lead..], grad_ty.dtype)?;
        let shares = self.divide(grad, &grad_ty, divisor, divisor_ty)?;
        let taps = self.extents(pool.kernel.iter().map(|&k| k as u64).collect(), rank);
        let window = pool.window.clone();
        let body = indexed(move |b, args| {
            let lead_coords = (0..lead)
                .map(|d| b.loop_index(d))
                .collect::<LResult<Vec<_>>>()?;
            let (g, inside) =
                window.gather_source(b, shares, grad_ty.clone(), lead_coords, lead, rank)?;
            let g = b.or_zero(inside, g)?;
            b.arith(Arith::Add, &[Some(args[1]), Some(g)])
        });
        let init = self.splat(Number::Int(0), out);
        self.fold(std::slice::from_ref(&taps), init, out, &body)
    }

    /// The element count of each adaptive window of `output` places over `input`, as a
    /// constant of `dtype`.
    fn adaptive_counts(
        &self,
        input: &[u64],
        output: &[u64],
        dtype: DType,
    ) -> LResult<(Value<'c, 'b>, TensorTy)> {
        let values: Vec<f64> = places(output)
            .iter()
            .map(|o| {
                o.iter()
                    .enumerate()
                    .map(|(i, &oi)| adaptive_range(oi, output[i], input[i]).count() as f64)
                    .product()
            })
            .collect();
        self.dense(output, dtype, &values)
    }

    /// `_adaptive_avg_pool{2,3}d(self, output_size)`: the mean over each adaptive window
    /// (`floor(o * size / out) .. ceil((o + 1) * size / out)`), the taps running over the
    /// longest window and those past a window's end reading zero.
    pub(super) fn adaptive_avg_pool(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let n = adaptive_dims(self.ctx, op)?;
        let rank = out.rank();
        let lead = rank.checked_sub(n).ok_or("an input of too low a rank")?;
        let input = x_ty.shape[lead..].to_vec();
        let output = out.shape[lead..].to_vec();
        let longest: Vec<u64> = (0..n)
            .map(|i| {
                (0..output[i])
                    .map(|o| adaptive_range(o, output[i], input[i]).count() as u64)
                    .max()
                    .unwrap_or(1)
            })
            .collect();
        let taps = self.extents(longest, rank);
        let (ins, outs, dtype) = (input.clone(), output.clone(), x_ty.dtype);
        let body = indexed(move |b, args| {
            let mut coords = (0..lead)
                .map(|d| b.loop_index(d))
                .collect::<LResult<Vec<_>>>()?;
            let mut inside: Option<Value> = None;
            for s in 0..n {
                let o = b.loop_index(lead + s)?;
                let (start, end) = adaptive_bounds(b, o, outs[s], ins[s]);
                let at = b.push(arith::addi(start, b.loop_index(rank + s)?, b.loc));
                let ok = b.push(arith::cmpi(b.mlir, CmpiPredicate::Slt, at, end, b.loc));
                inside = Some(b.and_also(inside, ok));
                coords.push(b.clamp_index(at, ins[s]));
            }
            let v = b.as_compute(b.extract(x, dtype, &coords)?, dtype);
            let v = b.or_zero(inside.ok_or("no spatial dims")?, v)?;
            b.arith(Arith::Add, &[Some(args[1]), Some(v)])
        });
        let init = self.splat(Number::Int(0), out);
        let sums = self.fold(std::slice::from_ref(&taps), init, out, &body)?;
        let (counts, counts_ty) = self.adaptive_counts(&input, &output, out.dtype)?;
        self.divide(sums, out, counts, counts_ty)
    }

    /// `_adaptive_avg_pool{2,3}d_backward(grad_output, self)`: each input place sums the
    /// gradients (divided by their window's count) of the windows holding it, a reduction
    /// over the output places.
    pub(super) fn adaptive_avg_pool_backward(
        &mut self,
        op: OpId,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let (grad, grad_ty) = self.named_operand(op, "grad_output")?;
        let n = adaptive_dims(self.ctx, op)?;
        let rank = out.rank();
        let lead = rank.checked_sub(n).ok_or("an input of too low a rank")?;
        let input = out.shape[lead..].to_vec();
        let output = grad_ty.shape[lead..].to_vec();
        let (counts, counts_ty) = self.adaptive_counts(&input, &output, grad_ty.dtype)?;
        let shares = self.divide(grad, &grad_ty, counts, counts_ty)?;
        // Loops: the input's dims, then the output's spatial places (reduced).
        let mut share_dims: Vec<usize> = (0..lead).collect();
        share_dims.extend(rank..rank + n);
        let body = indexed(move |b, args| {
            let mut inside: Option<Value> = None;
            for s in 0..n {
                let i = b.loop_index(lead + s)?;
                let (start, end) = adaptive_bounds(b, b.loop_index(rank + s)?, output[s], input[s]);
                let after = b.push(arith::cmpi(b.mlir, CmpiPredicate::Sge, i, start, b.loc));
                let before = b.push(arith::cmpi(b.mlir, CmpiPredicate::Slt, i, end, b.loc));
                inside = Some(b.and_also(inside, after));
                inside = Some(b.and_also(inside, before));
            }
            let g = b.or_zero(inside.ok_or("no spatial dims")?, args[0])?;
            b.arith(Arith::Add, &[Some(args[1]), Some(g)])
        });
        let init = self.splat(Number::Int(0), out);
        self.fold(&[(shares, grad_ty.dtype, share_dims)], init, out, &body)
    }
}

/// The spatial dims of an adaptive pooling, from its name.
fn adaptive_dims(ctx: &joinery_ir::Context, op: OpId) -> LResult<usize> {
    joinery_aten::schema(ctx.name_str(op))
        .and_then(|s| s.pool_dims())
        .ok_or_else(|| "not a pooling op".into())
}

/// `floor(o * size / out)` and `ceil((o + 1) * size / out)` for output place `o`.
fn adaptive_bounds<'c, 'x>(
    b: &Body<'c, 'x>,
    o: Value<'c, 'x>,
    out: u64,
    size: u64,
) -> (Value<'c, 'x>, Value<'c, 'x>) {
    let scaled = b.affine(o, size as i64, 0);
    let start = b.push(arith::floordivsi(scaled, b.index(out as i64), b.loc));
    let next = b.affine(o, size as i64, size as i64);
    let end = b.push(arith::ceildivsi(next, b.index(out as i64), b.loc));
    (start, end)
}

/// The kernel and window of `im2col` / `col2im` (two spatial dims), and the number of
/// places of the sliding window along each dim of an input of `input` extents.
fn unfold_geometry(
    lower: &Lowerer,
    op: OpId,
    input: &[u64],
) -> LResult<(Vec<i64>, Window, Vec<u64>)> {
    let kernel = Window::list(&attr_or_default(lower.ctx, op, "kernel_size")?, 2, &[])?;
    if kernel.len() != 2 {
        return Err("no kernel_size".into());
    }
    let window = Window::of(lower, op, 2, &[1, 1])?;
    let places = (0..2)
        .map(|i| {
            let span = window.dilation[i] * (kernel[i] - 1) + 1;
            let size = input[i] as i64 + 2 * window.padding[i];
            u64::try_from((size - span) / window.stride[i] + 1)
                .map_err(|_| "a kernel larger than the padded input".to_string())
        })
        .collect::<LResult<Vec<_>>>()?;
    Ok((kernel, window, places))
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// `im2col(self, kernel_size, dilation, padding, stride)`: every window's taps as
    /// columns, computed as `[lead..., C, kh, kw, oh, ow]` (taps outside the input read
    /// zero) and reshaped to the result `[lead..., C * kh * kw, oh * ow]`.
    pub(super) fn im2col(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let lead = x_ty
            .rank()
            .checked_sub(2)
            .ok_or("an input of rank below 3")?;
        let (kernel, window, places) = unfold_geometry(self, op, &x_ty.shape[lead..])?;
        let mut shape = x_ty.shape[..lead].to_vec();
        shape.extend(kernel.iter().map(|&k| k as u64));
        shape.extend(&places);
        let unfolded = TensorTy {
            shape,
            dtype: out.dtype,
        };
        let rank = unfolded.rank();
        let body = indexed(move |b, _| {
            let lead_coords = (0..lead)
                .map(|d| b.loop_index(d))
                .collect::<LResult<Vec<_>>>()?;
            let (v, inside) = window.read(b, x, &x_ty, lead_coords, lead + 2, lead)?;
            b.or_zero(inside, v)
        });
        let init = self.empty(&unfolded);
        let all: Vec<usize> = (0..rank).collect();
        let v = self.generic_at(&[], init, &all, &vec![false; rank], &unfolded, &body)?;
        Ok(self.reshape(v, out))
    }

    /// `col2im(self, output_size, kernel_size, dilation, padding, stride)`, the adjoint of
    /// `im2col`: the columns seen as `[lead..., C, kh, kw, oh, ow]`, and each place of the
    /// result sums the taps that read it.
    pub(super) fn col2im(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let rank = out.rank();
        let lead = rank.checked_sub(2).ok_or("a result of rank below 3")?;
        let (kernel, window, places) = unfold_geometry(self, op, &out.shape[lead..])?;
        let mut shape = out.shape[..lead].to_vec();
        shape.extend(kernel.iter().map(|&k| k as u64));
        shape.extend(&places);
        let columns = TensorTy {
            shape,
            dtype: x_ty.dtype,
        };
        let x = self.reshape(x, &columns);
        let taps = self.extents(kernel.iter().map(|&k| k as u64).collect(), rank);
        // Loops: the result's dims, then the taps (reduced).
        let body = indexed(move |b, args| {
            let mut coords = (0..lead)
                .map(|d| b.loop_index(d))
                .collect::<LResult<Vec<_>>>()?;
            coords.extend([b.loop_index(rank)?, b.loop_index(rank + 1)?]);
            let (v, inside) = window.gather_source(b, x, columns.clone(), coords, lead, rank)?;
            let v = b.or_zero(inside, v)?;
            b.arith(Arith::Add, &[Some(args[1]), Some(v)])
        });
        let init = self.splat(Number::Int(0), out);
        self.fold(std::slice::from_ref(&taps), init, out, &body)
    }
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// `cumsum(self, dim)`: `out[i] = sum over j <= i[dim] of self[i with i[dim] = j]`, a
    /// reduction over a last loop dim `j` masked to the prefix (quadratic in the dim's
    /// extent, which the exported graphs keep small).
    pub(super) fn cumsum(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let rank = out.rank();
        if rank == 0 {
            return self.convert(x, &x_ty, out);
        }
        let dim = self.dim_arg(op, &x_ty)?;
        let mut x_dims: Vec<usize> = (0..rank).collect();
        x_dims[dim] = rank;
        let dtype = x_ty.dtype;
        let body = indexed(move |b, args| {
            let j = b.loop_index(rank)?;
            let i = b.loop_index(dim)?;
            let before = b.push(arith::cmpi(b.mlir, CmpiPredicate::Sle, j, i, b.loc));
            let v = if dtype.is_float() {
                args[0]
            } else {
                b.as_compute(args[0], dtype)
            };
            let v = b.or_zero(before, v)?;
            b.arith(Arith::Add, &[Some(args[1]), Some(v)])
        });
        let init = self.splat(Number::Int(0), out);
        self.fold(&[(x, dtype, x_dims)], init, out, &body)
    }

    /// `scatter_add(self, dim, index, src)`: `self` plus, at each place `p`, the `src[q]`
    /// whose `index[q]` is `p[dim]` and whose other coordinates are `p`'s: a reduction over
    /// `q[dim]`. `scatter.src` / `scatter.value` write instead of adding, the last write
    /// (the largest such `q[dim]`, as the interpreter scans) winning: that `q[dim]` is found
    /// first ([`Lowerer::last_writer`]), then read ([`Lowerer::write_last`]).
    pub(super) fn scatter(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let (x, _) = self.named_operand(op, "self")?;
        let (index, index_ty) = self.named_operand(op, "index")?;
        let src = match operand_group(ctx, op, "src") {
            Ok(_) => Some(self.named_operand(op, "src")?),
            Err(_) => None,
        };
        let dim = self.dim_arg(op, out)?;
        let rank = out.rank();
        if index_ty.rank() != rank || src.as_ref().is_some_and(|(_, t)| t.rank() != rank) {
            return Err("index and src of another rank than self".into());
        }
        let along_extent = index_ty.shape[dim];
        let place = Scatter {
            index,
            index_ty,
            dim,
            rank,
        };
        if ctx.name_str(op) == "aten.scatter_add" {
            let (src, src_ty) = src.ok_or("scatter_add without src")?;
            let place = place.clone();
            let body = indexed(move |b, args| {
                let (coords, hit) = place.at(b, b.loop_index(rank)?)?;
                let v = b.as_compute(b.extract(src, src_ty.dtype, &coords)?, src_ty.dtype);
                let v = b.or_zero(hit, v)?;
                b.arith(Arith::Add, &[Some(args[1]), Some(v)])
            });
            let along = self.extents(vec![along_extent], rank);
            return self.fold(&[along], x, out, &body);
        }
        let finder = place.clone();
        let hit = indexed(move |b, places| Ok(finder.at(b, places[0])?.1));
        let last = self.last_writer(&out.shape, &[along_extent], &hit)?;
        let value = Number::arg(ctx, op, "value").ok().flatten();
        let read = indexed(move |b, q| match &src {
            Some((src, src_ty)) => {
                let (coords, _) = place.at(b, q[0])?;
                Ok(b.as_compute(b.extract(*src, src_ty.dtype, &coords)?, src_ty.dtype))
            }
            None => Ok(super::scalar_constant(
                b.mlir,
                b.block,
                b.loc,
                value.ok_or("scatter without src or value")?,
                b.dtype,
            )),
        });
        self.write_last(last, x, out, &read)
    }
}

/// Where a scatter reads: the index tensor and the dim it scatters along.
#[derive(Clone)]
pub(super) struct Scatter<'c, 'b> {
    pub(super) index: Value<'c, 'b>,
    pub(super) index_ty: TensorTy,
    pub(super) dim: usize,
    pub(super) rank: usize,
}

impl<'c, 'b> Scatter<'c, 'b> {
    /// For result place `p` (the loop dims before `rank`) and source place `q` along
    /// `dim`: the coordinates of `q` in `index` and `src` (`p`'s elsewhere, clamped) and
    /// whether `q` writes `p` (inside `index`, and `index[q] == p[dim]`).
    pub(super) fn at<'x>(
        &self,
        b: &Body<'c, 'x>,
        q: Value<'c, 'x>,
    ) -> LResult<(Vec<Value<'c, 'x>>, Value<'c, 'x>)> {
        let mut coords = Vec::with_capacity(self.rank);
        let mut inside: Option<Value> = None;
        for d in 0..self.rank {
            if d == self.dim {
                coords.push(q);
            } else {
                let p = b.loop_index(d)?;
                let extent = self.index_ty.shape[d];
                inside = Some(b.and_also(inside, b.in_range(p, extent)));
                coords.push(b.clamp_index(p, extent));
            }
        }
        let target = b.to_index(b.extract(self.index, self.index_ty.dtype, &coords)?);
        let hit = b.push(arith::cmpi(
            b.mlir,
            CmpiPredicate::Eq,
            target,
            b.loop_index(self.dim)?,
            b.loc,
        ));
        Ok((coords, b.and_also(inside, hit)))
    }
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// `sort(self, dim, descending)` and `topk(self, k, dim, largest)`: the stable order
    /// of the interpreter (NaN the largest, ties by position). Each element's rank along
    /// `dim` is counted first (a reduction over the lane: quadratic in its extent); the
    /// result's slot `s` then holds the element of rank `s` and its position.
    pub(super) fn sort(&mut self, op: OpId) -> LResult<()> {
        let ctx = self.ctx;
        let results = ctx.results(op).to_vec();
        let [values, indices] = results[..] else {
            return Err("sorting has two results".into());
        };
        let (values_ty, indices_ty) = (tensor_ty(ctx, values)?, tensor_ty(ctx, indices)?);
        let (x, x_ty) = self.named_operand(op, "self")?;
        let rank = x_ty.rank();
        if rank == 0 {
            // A 0-d tensor is its own order: the value at position 0.
            let value = self.convert(x, &x_ty, &values_ty)?;
            self.values.insert(values, value);
            let zero = self.splat(Number::Int(0), &indices_ty);
            self.values.insert(indices, zero);
            return Ok(());
        }
        let dim = self.dim_arg(op, &x_ty)?;
        let descending = if ctx.name_str(op) == "aten.topk" {
            Number::arg(ctx, op, "largest")?.is_none_or(|n| n.to_i64() != 0)
        } else {
            Number::arg(ctx, op, "descending")?.is_some_and(|n| n.to_i64() != 0)
        };
        let dtype = x_ty.dtype;
        let all: Vec<usize> = (0..rank).collect();
        let mut along: Vec<usize> = all.clone();
        along[dim] = rank;
        // rank[j] = #{m : m comes before j}.
        let ranks_ty = TensorTy {
            shape: x_ty.shape.clone(),
            dtype: DType::I64,
        };
        let rank_body = indexed(move |b, args| {
            let keys = Body {
                mlir: b.mlir,
                block: b.block,
                loc: b.loc,
                dtype,
            };
            let (own, other) = (args[0], args[1]);
            let (first, second) = if descending {
                (own, other)
            } else {
                (other, own)
            };
            // `other` strictly before `own` in the order, or equal and earlier.
            let (less, equal) = nan_last_order(&keys, first, second)?;
            let m = b.loop_index(rank)?;
            let earlier = b.push(arith::cmpi(
                b.mlir,
                CmpiPredicate::Slt,
                m,
                b.loop_index(dim)?,
                b.loc,
            ));
            let tie = b.push(arith::andi(equal, earlier, b.loc));
            let before = b.push(arith::ori(less, tie, b.loc));
            let one = super::cast(b.mlir, b.block, b.loc, before, DType::Bool, DType::I64);
            b.arith(Arith::Add, &[Some(args[2]), Some(one)])
        });
        let zero = self.splat(Number::Int(0), &ranks_ty);
        let ranks = self.fold(
            &[(x, dtype, all.clone()), (x, dtype, along.clone())],
            zero,
            &ranks_ty,
            &rank_body,
        )?;
        // Slot s (loop dim `dim`) takes the element j (loop dim `rank`) of rank s.
        let value_body = indexed(move |b, args| {
            let hit = of_rank_slot(b, args[0], dim)?;
            let v = b.or_zero(hit, args[1])?;
            b.arith(Arith::Add, &[Some(args[2]), Some(v)])
        });
        let zero = self.splat(Number::Int(0), &values_ty);
        let sorted = self.fold(
            &[
                (ranks, DType::I64, along.clone()),
                (x, dtype, along.clone()),
            ],
            zero,
            &values_ty,
            &value_body,
        )?;
        let index_body = indexed(move |b, args| {
            let hit = of_rank_slot(b, args[0], dim)?;
            let j = b.loop_index(rank)?;
            let j = b.push(arith::index_cast(j, element(b.mlir, DType::I64), b.loc));
            let v = b.or_zero(hit, j)?;
            b.arith(Arith::Add, &[Some(args[1]), Some(v)])
        });
        let zero = self.splat(Number::Int(0), &indices_ty);
        let positions = self.fold(
            &[(ranks, DType::I64, along)],
            zero,
            &indices_ty,
            &index_body,
        )?;
        self.values.insert(values, sorted);
        self.values.insert(indices, positions);
        Ok(())
    }
}

/// `a < b` and `a == b` in the order that puts NaN above every number (two NaNs equal).
fn nan_last_order<'c, 'x>(
    b: &Body<'c, 'x>,
    a: Value<'c, 'x>,
    c: Value<'c, 'x>,
) -> LResult<(Value<'c, 'x>, Value<'c, 'x>)> {
    let less = b.compare_values(super::Cmp::Lt, a, c)?;
    let equal = b.compare_values(super::Cmp::Eq, a, c)?;
    if !b.dtype.is_float() {
        return Ok((less, equal));
    }
    let a_nan = b.compare_values(super::Cmp::Unordered, a, a)?;
    let c_nan = b.compare_values(super::Cmp::Unordered, c, c)?;
    let yes = super::scalar_constant(b.mlir, b.block, b.loc, Number::Int(1), DType::Bool);
    let a_number = b.push(arith::xori(a_nan, yes, b.loc));
    let below_nan = b.push(arith::andi(a_number, c_nan, b.loc));
    let both_nan = b.push(arith::andi(a_nan, c_nan, b.loc));
    Ok((
        b.push(arith::ori(less, below_nan, b.loc)),
        b.push(arith::ori(equal, both_nan, b.loc)),
    ))
}

/// Whether `ranked` (an `i64` rank) is the slot of loop dim `dim`.
fn of_rank_slot<'c, 'x>(
    b: &Body<'c, 'x>,
    ranked: Value<'c, 'x>,
    dim: usize,
) -> LResult<Value<'c, 'x>> {
    let slot = b.loop_index(dim)?;
    let ranked = b.to_index(ranked);
    Ok(b.push(arith::cmpi(b.mlir, CmpiPredicate::Eq, ranked, slot, b.loc)))
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// `flip(self, dims)`: `self` read at `extent - 1 - i` along each of `dims`.
    pub(super) fn flip(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let rank = out.rank();
        let ArgValue::IntList(dims) = attr_or_default(self.ctx, op, "dims")? else {
            return Err("dims is not a list".into());
        };
        let mut flipped = vec![false; rank];
        for d in dims {
            let d = if d < 0 { d + rank as i64 } else { d };
            *usize::try_from(d)
                .ok()
                .and_then(|d| flipped.get_mut(d))
                .ok_or("dim out of range")? = true;
        }
        let shape = x_ty.shape.clone();
        let dtype = x_ty.dtype;
        let body = indexed(move |b, _| {
            let coords = (0..rank)
                .map(|d| {
                    let i = b.loop_index(d)?;
                    Ok(if flipped[d] {
                        b.affine(i, -1, shape[d] as i64 - 1)
                    } else {
                        i
                    })
                })
                .collect::<LResult<Vec<_>>>()?;
            Ok(b.as_compute(b.extract(x, dtype, &coords)?, dtype))
        });
        self.parallel_at(&[], out, &body)
    }
}
