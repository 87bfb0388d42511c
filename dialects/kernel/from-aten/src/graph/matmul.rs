//! `mm`, `bmm` and `addmm` (`beta * self + alpha * (mat1 @ mat2)`): a GEMM node on f32
//! (the bias fused when alpha = beta = 1); on other dtypes the products over the
//! `[batch, m, k, n]` space summed over `k`, one fused loop nest. A bias not fused into
//! the GEMM is added (each term scaled) by one pointwise node after it; beta = 0 ignores
//! `self` (its NaNs too), as PyTorch does.

use super::{Builder, Map, NodeKind, Operand, Pw, Reduce, ScalarOp, bin, broadcast, c};
use joinery_ir::{DType, Diagnostic, OpId};

impl Builder<'_> {
    /// Lowers `mm`, `bmm` or `addmm` (`base`).
    pub(super) fn matmul(
        &mut self,
        op: OpId,
        base: &str,
        src: &str,
    ) -> Result<Vec<Operand>, Diagnostic> {
        let (a, b) = if base == "addmm" {
            (self.operand(op, "mat1")?, self.operand(op, "mat2")?)
        } else {
            (self.operand(op, "self")?, self.operand(op, "mat2")?)
        };
        let (shape, dt) = self.result_info(op, 0)?;
        let (alpha, beta, bias) = if base == "addmm" {
            let bias = broadcast(&self.operand(op, "self")?, &shape);
            (
                self.f64_attr(op, "alpha")?,
                self.f64_attr(op, "beta")?,
                Some(bias),
            )
        } else {
            (1.0, 1.0, None)
        };
        let batched = base == "bmm";
        let (batch, m, k, n) = if batched {
            (a.shape[0], a.shape[1], a.shape[2], b.shape[2])
        } else {
            (1, a.shape[0], a.shape[1], b.shape[1])
        };
        let gemm = [dt, self.dtype(&a), self.dtype(&b)]
            .iter()
            .all(|&d| d == DType::F32);
        let fused = alpha == 1.0 && beta == 1.0;
        let product = if gemm {
            let node = self.push(
                NodeKind::Gemm {
                    a,
                    b,
                    bias: if fused { bias.clone() } else { None },
                    batch,
                    m,
                    n,
                    k,
                },
                shape.clone(),
                dt,
                src,
            );
            let p = self.whole(node);
            if fused {
                return Ok(vec![p]);
            }
            p
        } else {
            self.matmul_loops(&a, &b, batched, dt, src)
        };
        let Some(bias) = bias else {
            return Ok(vec![product]);
        };
        let mut pw = Pw::new(&shape);
        let p = pw.input(&product, dt, dt);
        let scaled = |e, s: f64| {
            if s == 1.0 {
                e
            } else {
                bin(ScalarOp::Mul, c(s, dt), e)
            }
        };
        let mut expr = scaled(p, alpha);
        if beta != 0.0 {
            let bd = self.dtype(&bias);
            let bias = pw.input(&bias, bd, dt);
            expr = bin(ScalarOp::Add, scaled(bias, beta), expr);
        }
        Ok(vec![self.pointwise(pw, expr, dt, src)])
    }

    /// `a @ b` (batched when `batched`) as products over `[batch, m, k, n]` in `dt`,
    /// summed over `k`.
    fn matmul_loops(
        &mut self,
        a: &Operand,
        b: &Operand,
        batched: bool,
        dt: DType,
        src: &str,
    ) -> Operand {
        // Each operand's strides over [batch, m, k, n]; a missing batch dim has stride 0.
        let (sa, sb) = (&a.map.strides, &b.map.strides);
        let (a_strides, b_strides, space) = if batched {
            (
                vec![sa[0], sa[1], sa[2], 0],
                vec![sb[0], 0, sb[1], sb[2]],
                vec![a.shape[0], a.shape[1], a.shape[2], b.shape[2]],
            )
        } else {
            (
                vec![0, sa[0], sa[1], 0],
                vec![0, 0, sb[0], sb[1]],
                vec![1, a.shape[0], a.shape[1], b.shape[1]],
            )
        };
        let view = |o: &Operand, strides: Vec<i64>| Operand {
            node: o.node,
            shape: space.clone(),
            map: Map {
                offset: o.map.offset,
                strides,
            },
        };
        let (av, bv) = (view(a, a_strides), view(b, b_strides));
        let mut pw = Pw::new(&space);
        let (ad, bd) = (self.dtype(a), self.dtype(b));
        let x = pw.input(&av, ad, dt);
        let y = pw.input(&bv, bd, dt);
        let products = self.pointwise(pw, bin(ScalarOp::Mul, x, y), dt, src);
        let sums = self.reduce(&products, &[2], Reduce::Sum, src);
        let dropped: &[usize] = if batched { &[2] } else { &[0, 2] };
        self.squeeze_dims(sums, dropped, false)
    }
}
