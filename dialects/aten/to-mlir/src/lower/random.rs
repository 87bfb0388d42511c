//! Random ops (`native_dropout`, `bernoulli.p`, `rand`, `randn`, `rand_like`,
//! `randn_like`) drawing exactly the interpreter's numbers.
//!
//! The counter-based generator of [`joinery_aten::random`] is pure integer arithmetic, so
//! it is written out in `arith` inside each op's `linalg.generic`: random op `k` of the
//! function (from 0, in op order) draws element `i` (its row-major flat index, from
//! `linalg.index`) as `uniform(seed, offset + k, i)`, the key
//! `seed + stream * STREAM_MULTIPLIER + i * INDEX_MULTIPLIER` in wrapping `i64`
//! arithmetic, mixed by SplitMix64's finalizer (`arith.shrui`, `xori`, `muli`) and its top
//! 53 bits scaled into `[0, 1)`. An op with an `interp.seed` attribute draws from
//! `(that seed, 0)` and still counts. Seed and offset come from the function's Philox
//! seed and base offset arguments when it has them ([`RngSource::Philox`]), else from two
//! 0-d `i64` arguments the export appends ([`RngSource::Appended`]).

use super::indexed::indexed;
use super::{Body, LResult, Lowerer, Number, cast, scalar_constant, tensor_ty};
use crate::types::{TensorTy, element};
use joinery_aot::FuncDescriptors;
use joinery_aten::random::{DROPPED_BITS, INDEX_MULTIPLIER, MIX, SEED_ATTR, STREAM_MULTIPLIER};
use joinery_ir::{Context, DType, OpId};
use melior::dialect::arith::{self, CmpfPredicate};
use melior::ir::operation::OperationBuilder;
use melior::ir::{BlockLike, Value, ValueLike};

/// Where a function's random ops take their seed and first stream (offset) from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RngSource {
    /// The function draws no random numbers.
    Unused,
    /// The function's own Philox seed and base offset arguments, by index (the
    /// interpreter reads the same ones).
    Philox {
        /// The seed argument.
        seed: usize,
        /// The base offset argument.
        offset: usize,
    },
    /// Two 0-d `i64` arguments appended to the exported signature, seed then offset
    /// (`{aot.rng = "seed"}`, `{aot.rng = "offset"}`), which the caller fills as the
    /// interpreter's `RunOptions` (the run's seed and first stream).
    Appended,
}

/// The random state of `func`: whether it draws, and from which arguments.
pub fn rng_source(ctx: &Context, func: OpId) -> RngSource {
    let draws = ctx.body_block(func).is_some_and(|body| {
        ctx.block_ops(body).any(|op| {
            joinery_aten::aten_traits(ctx.name_str(op)).contains(joinery_aten::AtenTraits::RANDOM)
        })
    });
    if !draws {
        return RngSource::Unused;
    }
    match FuncDescriptors::read(ctx, func).and_then(|d| d.philox_args()) {
        Some((seed, offset)) => RngSource::Philox { seed, offset },
        None => RngSource::Appended,
    }
}

/// What a random op draws.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Draw {
    /// `native_dropout`: `mask = u < 1 - p`, `out = mask ? x * (1 / (1 - p)) : 0` in f64
    /// rounded to `x`'s dtype; not training, `x` and an all-true mask.
    Dropout,
    /// `bernoulli.p`: `u < p` in `self`'s shape and dtype.
    Bernoulli,
    /// `rand`, `rand_like`: `u`.
    Uniform,
    /// `randn`, `randn_like`: Box-Muller on `u1 = 1 - u(2i)`, `u2 = u(2i + 1)`:
    /// `sqrt(-2 ln u1) cos(2 pi u2)`.
    Normal,
}

/// The function's seed and first stream as `i64` scalars, and the random ops lowered so far.
pub(super) struct Rng<'c, 'b> {
    seed: Value<'c, 'b>,
    offset: Value<'c, 'b>,
    streams: u64,
}

/// A 64-bit constant (the generator's multipliers, as their two's-complement `i64`).
fn word<'c, 'x>(b: &Body<'c, 'x>, v: u64) -> Value<'c, 'x> {
    scalar_constant(b.mlir, b.block, b.loc, Number::Int(v as i64), DType::I64)
}

/// [`joinery_aten::random::uniform`] of the element at `index` (`i64`) of the stream whose
/// key base `seed + stream * STREAM_MULTIPLIER` is `base`, as an `f64`.
fn uniform<'c, 'x>(b: &Body<'c, 'x>, base: Value<'c, '_>, index: Value<'c, 'x>) -> Value<'c, 'x> {
    let loc = b.loc;
    let step = b.push(arith::muli(index, word(b, INDEX_MULTIPLIER), loc));
    let mut z = b.push(arith::addi(base, step, loc));
    for (shift, multiplier) in MIX {
        let shifted = b.push(arith::shrui(z, word(b, shift), loc));
        z = b.push(arith::xori(z, shifted, loc));
        if let Some(m) = multiplier {
            z = b.push(arith::muli(z, word(b, m), loc));
        }
    }
    let top = b.push(arith::shrui(z, word(b, DROPPED_BITS), loc));
    let f64_ty = element(b.mlir, DType::F64);
    let top = b.push(arith::uitofp(top, f64_ty, loc));
    let scale = (1u64 << (64 - DROPPED_BITS)) as f64;
    b.push(arith::divf(top, f64_constant(b, scale), loc))
}

fn f64_constant<'c, 'x>(b: &Body<'c, 'x>, v: f64) -> Value<'c, 'x> {
    scalar_constant(b.mlir, b.block, b.loc, Number::Float(v), DType::F64)
}

/// The row-major flat index (`i64`) of the current element of a loop nest over `shape`.
fn flat_index<'c, 'x>(b: &Body<'c, 'x>, shape: &[u64]) -> LResult<Value<'c, 'x>> {
    let mut flat = b.index(0);
    for (d, &extent) in shape.iter().enumerate() {
        flat = b.affine(flat, extent as i64, 0);
        flat = b.push(arith::addi(flat, b.loop_index(d)?, b.loc));
    }
    let i64_ty = element(b.mlir, DType::I64);
    Ok(b.push(arith::index_cast(flat, i64_ty, b.loc)))
}

/// A unary `math` op on an `f64`.
fn math<'c, 'x>(b: &Body<'c, 'x>, name: &str, x: Value<'c, 'x>) -> LResult<Value<'c, 'x>> {
    Ok(b.push(
        OperationBuilder::new(name, b.loc)
            .add_operands(&[x])
            .add_results(&[x.r#type()])
            .build()
            .map_err(|e| e.to_string())?,
    ))
}

/// A standard normal number by Box-Muller from the draws `2i` and `2i + 1` of the stream.
fn normal<'c, 'x>(
    b: &Body<'c, 'x>,
    base: Value<'c, '_>,
    i: Value<'c, 'x>,
) -> LResult<Value<'c, 'x>> {
    let loc = b.loc;
    let even = b.push(arith::muli(i, word(b, 2), loc));
    let odd = b.push(arith::addi(even, word(b, 1), loc));
    let u1 = b.push(arith::subf(
        f64_constant(b, 1.0),
        uniform(b, base, even),
        loc,
    ));
    let u2 = uniform(b, base, odd);
    let log = math(b, "math.log", u1)?;
    let radius = math(
        b,
        "math.sqrt",
        b.push(arith::mulf(f64_constant(b, -2.0), log, loc)),
    )?;
    let turn = f64_constant(b, 2.0 * std::f64::consts::PI);
    let angle = math(b, "math.cos", b.push(arith::mulf(turn, u2, loc)))?;
    Ok(b.push(arith::mulf(radius, angle, loc)))
}

/// A probability argument, checked to lie in `[0, 1]` as the interpreter checks it.
fn probability(ctx: &Context, op: OpId) -> LResult<f64> {
    let p = Number::arg(ctx, op, "p")?
        .ok_or("no probability 'p'")?
        .to_f64();
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("the probability {p} is outside [0, 1]"))
    }
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// Reads the seed and offset of `source` from the function's arguments (`arg_tys`,
    /// the appended pair included) as `i64` scalars.
    pub(super) fn start_rng(&mut self, source: RngSource, arg_tys: &[TensorTy]) -> LResult<()> {
        let (seed, offset) = match source {
            RngSource::Unused => return Ok(()),
            RngSource::Philox { seed, offset } => (seed, offset),
            RngSource::Appended => (arg_tys.len() - 2, arg_tys.len() - 1),
        };
        let scalar = |i: usize| -> LResult<Value<'c, 'b>> {
            let ty = &arg_tys[i];
            if ty.shape.iter().product::<u64>() != 1
                || ty.dtype.is_float()
                || ty.dtype == DType::Bool
            {
                return Err(format!(
                    "the random state argument #{i} must hold one integer, not {:?} of {}",
                    ty.shape,
                    ty.dtype.keyword()
                ));
            }
            let tensor: Value = self.block.argument(i).map_err(|e| e.to_string())?.into();
            let zeros: Vec<Value> = ty
                .shape
                .iter()
                .map(|_| {
                    self.push(arith::constant(
                        self.mlir,
                        melior::ir::attribute::IntegerAttribute::new(
                            melior::ir::Type::index(self.mlir),
                            0,
                        )
                        .into(),
                        self.loc,
                    ))
                })
                .collect();
            let v = self.push(
                OperationBuilder::new("tensor.extract", self.loc)
                    .add_operands(&[tensor])
                    .add_operands(&zeros)
                    .add_results(&[element(self.mlir, ty.dtype)])
                    .build()
                    .map_err(|e| e.to_string())?,
            );
            Ok(cast(
                self.mlir,
                self.block,
                self.loc,
                v,
                ty.dtype,
                DType::I64,
            ))
        };
        let seed = scalar(seed)?;
        let offset = scalar(offset)?;
        self.rng = Some(Rng {
            seed,
            offset,
            streams: 0,
        });
        Ok(())
    }

    /// The key base `seed + stream * STREAM_MULTIPLIER` of random op `op`'s stream: its
    /// `interp.seed` with stream 0, else the function's seed with the next stream.
    fn next_stream(&mut self, op: OpId) -> LResult<Value<'c, 'b>> {
        let rng = self
            .rng
            .as_mut()
            .ok_or("a random op in a function without random state")?;
        let k = rng.streams;
        rng.streams += 1;
        let (seed, offset) = (rng.seed, rng.offset);
        let i64_const = |v: u64| {
            scalar_constant(
                self.mlir,
                self.block,
                self.loc,
                Number::Int(v as i64),
                DType::I64,
            )
        };
        if let Some(pinned) = self
            .ctx
            .attr(op, SEED_ATTR)
            .and_then(|a| self.ctx.as_i64(a))
        {
            return Ok(i64_const(pinned as u64));
        }
        let stream = self.push(arith::addi(offset, i64_const(k), self.loc));
        let stream = self.push(arith::muli(stream, i64_const(STREAM_MULTIPLIER), self.loc));
        Ok(self.push(arith::addi(seed, stream, self.loc)))
    }

    /// Lowers random op `op`, recording its results.
    pub(super) fn random(&mut self, op: OpId, draw: Draw) -> LResult<()> {
        let ctx = self.ctx;
        let base = self.next_stream(op)?;
        let results = ctx.results(op);
        let out = tensor_ty(ctx, results[0])?;
        if draw != Draw::Bernoulli && !out.dtype.is_float() {
            return Err(format!("random numbers of {}", out.dtype.keyword()));
        }
        let shape = out.shape.clone();
        let value = match draw {
            Draw::Dropout => return self.dropout(op, base),
            Draw::Bernoulli => {
                let p = probability(ctx, op)?;
                let body = indexed(move |b, _| {
                    let u = uniform(b, base, flat_index(b, &shape)?);
                    let hit = b.push(arith::cmpf(
                        b.mlir,
                        CmpfPredicate::Olt,
                        u,
                        f64_constant(b, p),
                        b.loc,
                    ));
                    Ok(b.as_compute(hit, DType::Bool))
                });
                self.parallel_at(&[], &out, &body)?
            }
            Draw::Uniform | Draw::Normal => {
                let body = indexed(move |b, _| {
                    let i = flat_index(b, &shape)?;
                    let v = if draw == Draw::Normal {
                        normal(b, base, i)?
                    } else {
                        uniform(b, base, i)
                    };
                    Ok(b.as_compute(v, DType::F64))
                });
                self.parallel_at(&[], &out, &body)?
            }
        };
        self.values.insert(results[0], value);
        Ok(())
    }

    /// `native_dropout(input, p, train)`: its output and mask (see [`Draw::Dropout`]).
    fn dropout(&mut self, op: OpId, base: Value<'c, 'b>) -> LResult<()> {
        let ctx = self.ctx;
        let p = probability(ctx, op)?;
        let train = Number::arg(ctx, op, "train")?.is_none_or(|t| t.to_i64() != 0);
        let [out_v, mask_v] = ctx.results(op) else {
            return Err("native_dropout has two results".into());
        };
        let (x, x_ty) = self.named_operand(op, "input")?;
        let mask_ty = tensor_ty(ctx, *mask_v)?;
        if !train {
            self.values.insert(*out_v, x);
            let all = self.splat(Number::Int(1), &mask_ty);
            self.values.insert(*mask_v, all);
            return Ok(());
        }
        let keep = 1.0 - p;
        let scale = if keep == 0.0 { 0.0 } else { 1.0 / keep };
        let shape = x_ty.shape.clone();
        let mask_body = indexed(move |b, _| {
            let u = uniform(b, base, flat_index(b, &shape)?);
            Ok(b.push(arith::cmpf(
                b.mlir,
                CmpfPredicate::Olt,
                u,
                f64_constant(b, keep),
                b.loc,
            )))
        });
        let mask = self.parallel_at(&[], &mask_ty, &mask_body)?;
        let x_dtype = x_ty.dtype;
        let out_body = indexed(move |b, args| {
            let x = cast(b.mlir, b.block, b.loc, args[0], x_dtype, DType::F64);
            let scaled = b.push(arith::mulf(x, f64_constant(b, scale), b.loc));
            let kept = b.push(arith::select(args[1], scaled, f64_constant(b, 0.0), b.loc));
            Ok(b.as_compute(kept, DType::F64))
        });
        let out_ty = tensor_ty(ctx, *out_v)?;
        let out = self.parallel_at(&[(x, x_dtype), (mask, DType::Bool)], &out_ty, &out_body)?;
        self.values.insert(*out_v, out);
        self.values.insert(*mask_v, mask);
        Ok(())
    }
}
