//! Random ops (`native_dropout`, `bernoulli.p`, `rand`, `randn`, `rand_like`,
//! `randn_like`): pointwise nodes over the
//! counter-based generator of [`joinery_aten::random`] ([`Expr::Uniform`]), the one the
//! reference interpreter evaluates, so native code draws exactly the interpreter's
//! numbers for the same seed and offset.
//!
//! Random op `k` of the function (from 0, in op order) draws element `i` (row-major flat
//! index) as `uniform(seed, offset + k, i)`; an op with an `interp.seed` attribute draws
//! from `(that seed, 0)` and still counts. Seed and offset are 0-d i64 arguments: the
//! function's own Philox seed and base offset when it has them (`#aot.philox_fwd_seed`
//! and `#aot.philox_fwd_base_offset`, else the backward's pair), which its caller passes;
//! otherwise two arguments that lowering appends and the runtime fills from the compiled
//! module's state, advancing the offset by the random ops of a call.
//!
//! - `native_dropout`: `mask = u < 1 - p`, `out = mask ? x * (1 / (1 - p)) : 0` computed
//!   in f64 and rounded to `x`'s dtype, as the interpreter does; not training, `x` and an
//!   all-true mask;
//! - `bernoulli.p`: `u < p` in `self`'s shape and dtype;
//! - `rand` (and `rand_like`): `u`; `randn` (and `randn_like`): Box-Muller on `u1 = u(2i)`, `u2 = u(2i + 1)`:
//!   `sqrt(-2 ln(1 - u1)) cos(2 pi u2)`.

use super::{
    Builder, Expr, Operand, Predicate, Pw, RngArgs, ScalarOp, bin, c, cast, cmp, err, flat_index,
    select, un,
};
use joinery_aot::{AotInput, FuncDescriptors};
use joinery_aten::ArgValue;
use joinery_ir::{DType, Diagnostic, OpId};

use joinery_aten::random::SEED_ATTR;

impl Builder<'_> {
    /// The random state: the function's Philox seed and offset arguments, or two
    /// appended arguments (made on the first random op).
    fn rng_args(&mut self, op: OpId) -> Result<&mut RngArgs, Diagnostic> {
        if self.g.rng.is_none() {
            let rng = match self.philox_args(op)? {
                Some((seed, offset)) => RngArgs {
                    seed,
                    offset,
                    appended: false,
                    streams: 0,
                },
                None => {
                    let n = self
                        .ctx
                        .block_args(self.ctx.body_block(self.func).expect("read"))
                        .len();
                    let seed = self.push(super::NodeKind::Input(n), vec![], DType::I64, "rng seed");
                    let offset = self.push(
                        super::NodeKind::Input(n + 1),
                        vec![],
                        DType::I64,
                        "rng offset",
                    );
                    RngArgs {
                        seed: self.whole(seed),
                        offset: self.whole(offset),
                        appended: true,
                        streams: 0,
                    }
                }
            };
            self.g.rng = Some(rng);
        }
        Ok(self.g.rng.as_mut().expect("set above"))
    }

    /// The function's Philox seed and base offset arguments (forward pair first), if it
    /// has them; an error unless they are 0-d i64 tensors, or when it has only one of a
    /// pair.
    fn philox_args(&self, op: OpId) -> Result<Option<(Operand, Operand)>, Diagnostic> {
        let ctx = self.ctx;
        let Some(descs) = FuncDescriptors::read(ctx, self.func) else {
            return Ok(None);
        };
        let args = ctx.block_args(ctx.body_block(self.func).expect("read"));
        let find = |want: &AotInput| {
            descs
                .args
                .iter()
                .position(|s| s.desc() == Some(want))
                .and_then(|i| self.values.get(&args[i]).cloned())
        };
        let pairs = [
            (
                AotInput::PhiloxForwardSeed,
                AotInput::PhiloxForwardBaseOffset,
            ),
            (
                AotInput::PhiloxBackwardSeed,
                AotInput::PhiloxBackwardBaseOffset,
            ),
        ];
        for (seed, offset) in &pairs {
            if let (Some(s), Some(o)) = (find(seed), find(offset)) {
                for (what, x) in [(seed, &s), (offset, &o)] {
                    let node = &self.g.nodes[x.node];
                    if !node.shape.is_empty() || node.dtype != DType::I64 {
                        return Err(err(
                            ctx,
                            op,
                            format!(
                                "the {} argument must be a 0-d i64 tensor for the native backend",
                                what.kind().syntax()
                            ),
                        ));
                    }
                }
                return Ok(Some((s, o)));
            }
        }
        // Half a pair cannot be completed: the appended pair would repeat its descriptor.
        for (seed, offset) in &pairs {
            let (has_seed, has_offset) = (find(seed).is_some(), find(offset).is_some());
            if has_seed != has_offset {
                let (present, missing) = if has_seed {
                    (seed, offset)
                } else {
                    (offset, seed)
                };
                return Err(err(
                    ctx,
                    op,
                    format!(
                        "the function has a {} argument but no {} argument",
                        present.kind().syntax(),
                        missing.kind().syntax()
                    ),
                ));
            }
        }
        Ok(None)
    }

    /// The `(seed, stream)` of the next random op as expressions over `pw`'s operands.
    fn next_stream(&mut self, op: OpId, pw: &mut Pw) -> Result<(Expr, Expr), Diagnostic> {
        let ctx = self.ctx;
        let rng = self.rng_args(op)?;
        let k = rng.streams;
        rng.streams += 1;
        let (seed, offset) = (rng.seed.clone(), rng.offset.clone());
        if let Some(a) = ctx.attr(op, SEED_ATTR) {
            let s = ctx
                .as_i64(a)
                .ok_or_else(|| err(ctx, op, format!("'{SEED_ATTR}' must be an integer")))?;
            return Ok((Expr::Int(s), Expr::Int(0)));
        }
        let seed = pw.input(&seed, DType::I64, DType::I64);
        let offset = pw.input(&offset, DType::I64, DType::I64);
        Ok((seed, bin(ScalarOp::Add, offset, Expr::Int(k as i64))))
    }

    /// The uniforms of the next random op at the flat indices `scale * i + shift` of a
    /// node of `pw`'s shape, one per `shift`.
    fn uniforms(
        &mut self,
        op: OpId,
        pw: &mut Pw,
        scale: i64,
        shifts: &[i64],
    ) -> Result<Vec<Expr>, Diagnostic> {
        let (seed, stream) = self.next_stream(op, pw)?;
        let flat = flat_index(&pw.shape);
        Ok(shifts
            .iter()
            .map(|&shift| {
                let mut index = flat.clone();
                if scale != 1 {
                    index = bin(ScalarOp::Mul, index, Expr::Int(scale));
                }
                if shift != 0 {
                    index = bin(ScalarOp::Add, index, Expr::Int(shift));
                }
                Expr::Uniform {
                    seed: Box::new(seed.clone()),
                    stream: Box::new(stream.clone()),
                    index: Box::new(index),
                }
            })
            .collect())
    }

    /// `p` of a random op, an error unless it is a probability.
    fn probability(&self, op: OpId, src: &str) -> Result<f64, Diagnostic> {
        let p = self.f64_attr(op, "p")?;
        if !(0.0..=1.0).contains(&p) {
            return Err(err(
                self.ctx,
                op,
                format!("'{src}': p has to be between 0 and 1, but got {p}"),
            ));
        }
        Ok(p)
    }

    /// An error unless `dtype` is a float type.
    fn require_float(&self, op: OpId, src: &str, dtype: DType) -> Result<(), Diagnostic> {
        if dtype.is_float() {
            return Ok(());
        }
        Err(err(
            self.ctx,
            op,
            format!("'{src}' needs a floating-point tensor, got {dtype}"),
        ))
    }

    /// `native_dropout(input, p, train) -> (output, mask)`.
    pub(super) fn native_dropout(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Vec<Operand>, Diagnostic> {
        let x = self.operand(op, "input")?;
        let (shape, dt) = self.result_info(op, 0)?;
        self.require_float(op, src, dt)?;
        let p = self.probability(op, src)?;
        let mut pw = Pw::new(&shape);
        // The op draws its stream whether or not it trains, as in the interpreter.
        let u = self.uniforms(op, &mut pw, 1, &[0])?.remove(0);
        if matches!(self.attr(op, "train")?, ArgValue::Bool(false)) {
            let mask = self.pointwise(Pw::new(&shape), c(1.0, DType::Bool), DType::Bool, src);
            return Ok(vec![x, mask]);
        }
        let keep = 1.0 - p;
        let scale = if keep == 0.0 { 0.0 } else { 1.0 / keep };
        let mask = self.pointwise(
            pw,
            cmp(Predicate::Lt, u, c(keep, DType::F64)),
            DType::Bool,
            src,
        );
        let mut pw = Pw::new(&shape);
        let kept = pw.input(&mask, DType::Bool, DType::Bool);
        let value = pw.input(&x, self.dtype(&x), DType::F64);
        let out = select(
            kept,
            bin(ScalarOp::Mul, value, c(scale, DType::F64)),
            c(0.0, DType::F64),
        );
        let out = self.pointwise(pw, cast(out, DType::F64, dt), dt, src);
        Ok(vec![out, mask])
    }

    /// `bernoulli.p(self, p)`: ones with probability `p` in `self`'s shape and dtype.
    pub(super) fn bernoulli(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let (shape, dt) = self.result_info(op, 0)?;
        let p = self.probability(op, src)?;
        let mut pw = Pw::new(&shape);
        let u = self.uniforms(op, &mut pw, 1, &[0])?.remove(0);
        let drawn = cmp(Predicate::Lt, u, c(p, DType::F64));
        Ok(self.pointwise(pw, cast(drawn, DType::Bool, dt), dt, src))
    }

    /// `rand(size)` (uniform in `[0, 1)`) or `randn(size)` (standard normal), or their
    /// `_like` forms: the result's shape and dtype are all they need.
    pub(super) fn rand(
        &mut self,
        op: OpId,
        normal: bool,
        src: &str,
    ) -> Result<Operand, Diagnostic> {
        let (shape, dt) = self.result_info(op, 0)?;
        self.require_float(op, src, dt)?;
        let mut pw = Pw::new(&shape);
        let value = if normal {
            let mut u = self.uniforms(op, &mut pw, 2, &[0, 1])?;
            let u2 = u.remove(1);
            let u1 = bin(ScalarOp::Sub, c(1.0, DType::F64), u.remove(0));
            let radius = un(
                ScalarOp::Sqrt,
                bin(ScalarOp::Mul, c(-2.0, DType::F64), un(ScalarOp::Log, u1)),
            );
            let angle = bin(ScalarOp::Mul, c(2.0 * std::f64::consts::PI, DType::F64), u2);
            bin(ScalarOp::Mul, radius, un(ScalarOp::Cos, angle))
        } else {
            self.uniforms(op, &mut pw, 1, &[0])?.remove(0)
        };
        Ok(self.pointwise(pw, cast(value, DType::F64, dt), dt, src))
    }
}
