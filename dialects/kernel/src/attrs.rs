//! Typed accessors of the `kernel` ops: each reads an op's attributes into a struct, and a
//! missing or ill-typed attribute is an error naming it and the op, never a default.
//! Lowering writes these structs back with `write`, so the spelling lives here only.

use crate::ops::{OutKind, Predicate};

mod conv;
mod fft;
pub use conv::{Conv, ConvEngine, ConvPass};
pub use fft::{Fft, FftKind};
use joinery_ir::{Attribute, Context, DType, Diagnostic, Dim, OpId, Type, Value};

fn missing(ctx: &Context, op: OpId, attr: &str, what: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "'{}' needs attribute '{attr}' ({what})",
        ctx.name_str(op)
    ))
    .with_span(ctx.span(op))
}

fn get(ctx: &Context, op: OpId, attr: &str, what: &str) -> Result<Attribute, Diagnostic> {
    ctx.attr(op, attr)
        .ok_or_else(|| missing(ctx, op, attr, what))
}

fn int(ctx: &Context, op: OpId, attr: &str) -> Result<i64, Diagnostic> {
    let a = get(ctx, op, attr, "an integer")?;
    ctx.as_i64(a)
        .ok_or_else(|| missing(ctx, op, attr, "an integer"))
}

fn ints_of(ctx: &Context, a: Attribute) -> Option<Vec<i64>> {
    ctx.as_array(a)?.iter().map(|&x| ctx.as_i64(x)).collect()
}

fn ints(ctx: &Context, op: OpId, attr: &str) -> Result<Vec<i64>, Diagnostic> {
    let what = "an array of integers";
    ints_of(ctx, get(ctx, op, attr, what)?).ok_or_else(|| missing(ctx, op, attr, what))
}

/// Attribute `attr` of `op` as an array of non-negative integers.
fn non_negative_ints(ctx: &Context, op: OpId, attr: &str) -> Result<Vec<u64>, Diagnostic> {
    ints(ctx, op, attr)?
        .iter()
        .map(|&d| u64::try_from(d).ok())
        .collect::<Option<Vec<u64>>>()
        .ok_or_else(|| missing(ctx, op, attr, "non-negative integers"))
}

fn maps(ctx: &Context, op: OpId, attr: &str) -> Result<Vec<Map>, Diagnostic> {
    let what = "an array of maps [offset, strides...]";
    let a = get(ctx, op, attr, what)?;
    ctx.as_array(a)
        .and_then(|items| {
            items
                .iter()
                .map(|&x| ints_of(ctx, x).and_then(|v| Map::from_ints(&v)))
                .collect()
        })
        .ok_or_else(|| missing(ctx, op, attr, what))
}

fn strings(ctx: &Context, op: OpId, attr: &str) -> Result<Vec<String>, Diagnostic> {
    let what = "an array of strings";
    let a = get(ctx, op, attr, what)?;
    ctx.as_array(a)
        .and_then(|items| {
            items
                .iter()
                .map(|&x| ctx.as_str(x).map(str::to_string))
                .collect()
        })
        .ok_or_else(|| missing(ctx, op, attr, what))
}

fn i64_array(ctx: &mut Context, v: &[i64]) -> Attribute {
    let items = v.iter().map(|&x| ctx.integer_attr(x, 64)).collect();
    ctx.array_attr(items)
}

fn string_array(ctx: &mut Context, v: &[String]) -> Attribute {
    let items = v.iter().map(|s| ctx.string_attr(s.clone())).collect();
    ctx.array_attr(items)
}

/// Where a kernel reads or writes a buffer: element `offset + sum(strides[d] * i[d])`
/// at iteration point `i` (stride 0 broadcasts, or reduces for an accumulated output).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Map {
    pub offset: i64,
    pub strides: Vec<i64>,
}

impl Map {
    /// Row-major strides of `shape` from offset 0: the whole buffer, element for element.
    pub fn identity(shape: &[u64]) -> Map {
        Map {
            offset: 0,
            strides: contiguous(shape),
        }
    }

    /// `[offset, strides...]` as the attribute holds it.
    pub fn from_ints(v: &[i64]) -> Option<Map> {
        let (&offset, strides) = v.split_first()?;
        Some(Map {
            offset,
            strides: strides.to_vec(),
        })
    }

    /// `[offset, strides...]`.
    pub fn to_ints(&self) -> Vec<i64> {
        let mut v = vec![self.offset];
        v.extend(&self.strides);
        v
    }

    /// Whether this map reads a buffer of `shape` element for element over an iteration
    /// space of the same shape (strides of unit dims do not matter).
    pub fn is_identity_over(&self, shape: &[u64]) -> bool {
        self.offset == 0
            && self.strides.len() == shape.len()
            && self
                .strides
                .iter()
                .zip(contiguous(shape))
                .zip(shape)
                .all(|((&s, c), &d)| d == 1 || s == c)
    }
}

/// Row-major strides of a shape, in elements (saturating: a verified buffer's fit).
pub fn contiguous(shape: &[u64]) -> Vec<i64> {
    let mut s = vec![0i64; shape.len()];
    let mut acc = 1i64;
    for i in (0..shape.len()).rev() {
        s[i] = acc;
        acc = acc.saturating_mul(i64::try_from(shape[i]).unwrap_or(i64::MAX));
    }
    s
}

/// The element types kernel buffers and scalars may have: those code generation and the
/// runtime handle.
pub const KERNEL_DTYPES: [DType; 5] = [DType::F32, DType::F64, DType::I64, DType::I32, DType::Bool];

/// Bytes of a buffer of `shape` and `dtype`, if that is at most `i64::MAX` (so element
/// indices, byte offsets and arena sizes fit 64-bit arithmetic).
pub fn checked_bytes(shape: &[u64], dtype: DType) -> Option<u64> {
    shape
        .iter()
        .try_fold(dtype.size_bytes() as u64, |acc, &d| acc.checked_mul(d))
        .filter(|&b| b <= i64::MAX as u64)
}

/// Static shape and element type of a buffer type (`tensor<4x8xf32>`) as kernels see it:
/// a complex buffer (`tensor<4xcomplex<f32>>`) holds (real, imaginary) pairs, so it is a
/// buffer of its parts' type with an extra last dim of 2 (`4x2xf32`). `None` for a dynamic
/// shape or a type that is not a tensor of a PyTorch dtype.
pub fn static_info(ctx: &Context, ty: Type) -> Option<(Vec<u64>, DType)> {
    let (mut shape, dtype) = tensor_info(ctx, ty)?;
    if dtype.is_complex() {
        shape.push(2);
    }
    Some((shape, dtype.to_real()))
}

/// Static shape and element type of a tensor type as PyTorch sees it (a complex number is
/// one element; a number type such as `i64` is a rank-0 buffer); `None` for a dynamic
/// shape or a type that is not a tensor or number of a PyTorch dtype.
pub fn tensor_info(ctx: &Context, ty: Type) -> Option<(Vec<u64>, DType)> {
    if let Some(dtype) = ctx.dtype_of(ty) {
        return Some((Vec::new(), dtype));
    }
    let (dims, element) = ctx.tensor_parts(ty)?;
    let shape = dims
        .iter()
        .map(|d| match d {
            Dim::Static(n) => Some(*n),
            Dim::Dynamic => None,
        })
        .collect::<Option<Vec<u64>>>()?;
    Some((shape, ctx.dtype_of(element)?))
}

/// Bytes of a buffer value (a static tensor type; 0 for anything else; `u64::MAX` for a
/// size [`checked_bytes`] refuses, which the verifier rejects).
pub fn buffer_bytes(ctx: &Context, v: Value) -> u64 {
    static_info(ctx, ctx.value_type(v)).map_or(0, |(shape, dt)| {
        checked_bytes(&shape, dt).unwrap_or(u64::MAX)
    })
}

/// Whether `name` can be a kernel's symbol: letters, digits, `_` and `$`, not starting
/// with a digit (a C identifier, as the generated header declares it; `$` as compilers
/// allow). The kernel's body function adds a `.`, so it never collides with a kernel.
pub fn is_kernel_symbol(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// `text` made a kernel symbol ([`is_kernel_symbol`]): other characters become `_`, and
/// a leading digit or an empty text gets a `_` before it.
pub fn kernel_symbol(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '$' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$') {
        s.insert(0, '_');
    }
    s
}

/// How many of a row kernel's inputs and outputs one phase (one region) takes, in operand
/// order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Phase {
    pub inputs: usize,
    pub outputs: usize,
}

/// `kernel.fused`: operands are `num_inputs` input buffers then one buffer per output.
/// A row kernel (`phases` not empty) has one region per phase, each taking its share of
/// the inputs and outputs in order; for each point of the first `outer` dims, a phase
/// runs over every point of the other dims before the next phase starts.
#[derive(Clone, PartialEq, Debug)]
pub struct Fused {
    /// The symbol of the generated function.
    pub name: String,
    /// The iteration space; the outermost dimension is split across threads.
    pub space: Vec<u64>,
    pub num_inputs: usize,
    pub in_maps: Vec<Map>,
    pub out_maps: Vec<Map>,
    pub out_kinds: Vec<OutKind>,
    /// The aten ops the kernel computes, for comments and profiles.
    pub sources: Vec<String>,
    /// A row kernel's phases; empty for a kernel of one region.
    pub phases: Vec<Phase>,
    /// The dims a row kernel's phases share (0 for a kernel of one region).
    pub outer: usize,
}

impl Fused {
    /// Each phase's inputs and outputs as index ranges into the inputs and the outputs
    /// (one phase taking everything for a kernel of one region).
    pub fn phase_ranges(&self) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
        if self.phases.is_empty() {
            return vec![(0..self.num_inputs, 0..self.out_kinds.len())];
        }
        let (mut i, mut o) = (0, 0);
        self.phases
            .iter()
            .map(|p| {
                let r = (i..i + p.inputs, o..o + p.outputs);
                i += p.inputs;
                o += p.outputs;
                r
            })
            .collect()
    }

    /// Reads a `kernel.fused` op.
    pub fn read(ctx: &Context, op: OpId) -> Result<Fused, Diagnostic> {
        let name_attr = get(ctx, op, "name", "a string")?;
        let name = ctx
            .as_str(name_attr)
            .ok_or_else(|| missing(ctx, op, "name", "a string"))?
            .to_string();
        let space = ints(ctx, op, "space")?;
        if space.iter().any(|&d| d < 0) {
            return Err(missing(ctx, op, "space", "non-negative extents"));
        }
        let num_inputs = int(ctx, op, "num_inputs")?;
        let num_inputs = usize::try_from(num_inputs)
            .map_err(|_| missing(ctx, op, "num_inputs", "a non-negative integer"))?;
        let out_kinds = strings(ctx, op, "out_kinds")?
            .iter()
            .map(|k| OutKind::from_text(k))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| missing(ctx, op, "out_kinds", "\"store\", \"sum\" or \"max\" each"))?;
        let phases = match ctx.attr(op, "phases") {
            None => Vec::new(),
            Some(a) => {
                let what = "an array of [inputs, outputs] pairs";
                ctx.as_array(a)
                    .and_then(|items| {
                        items
                            .iter()
                            .map(|&x| match ints_of(ctx, x)?[..] {
                                [i, o] if i >= 0 && o >= 0 => Some(Phase {
                                    inputs: i as usize,
                                    outputs: o as usize,
                                }),
                                _ => None,
                            })
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| missing(ctx, op, "phases", what))?
            }
        };
        let outer = match ctx.attr(op, "outer") {
            None => 0,
            Some(_) => usize::try_from(int(ctx, op, "outer")?)
                .map_err(|_| missing(ctx, op, "outer", "a non-negative integer"))?,
        };
        Ok(Fused {
            name,
            space: space.iter().map(|&d| d as u64).collect(),
            num_inputs,
            in_maps: maps(ctx, op, "in_maps")?,
            out_maps: maps(ctx, op, "out_maps")?,
            out_kinds,
            sources: strings(ctx, op, "sources")?,
            phases,
            outer,
        })
    }

    /// The attributes of a `kernel.fused` op holding `self`.
    pub fn attributes(&self, ctx: &mut Context) -> Vec<(String, Attribute)> {
        let space: Vec<i64> = self.space.iter().map(|&d| d as i64).collect();
        let map_array = |ctx: &mut Context, maps: &[Map]| {
            let items = maps.iter().map(|m| i64_array(ctx, &m.to_ints())).collect();
            ctx.array_attr(items)
        };
        let kinds: Vec<String> = self
            .out_kinds
            .iter()
            .map(|k| k.text().to_string())
            .collect();
        let mut attrs = vec![
            ("in_maps".into(), map_array(ctx, &self.in_maps)),
            ("name".into(), ctx.string_attr(self.name.clone())),
            (
                "num_inputs".into(),
                ctx.integer_attr(self.num_inputs as i64, 64),
            ),
            ("out_kinds".into(), string_array(ctx, &kinds)),
            ("out_maps".into(), map_array(ctx, &self.out_maps)),
            ("sources".into(), string_array(ctx, &self.sources)),
            ("space".into(), i64_array(ctx, &space)),
        ];
        if !self.phases.is_empty() {
            let phases = self
                .phases
                .iter()
                .map(|p| i64_array(ctx, &[p.inputs as i64, p.outputs as i64]))
                .collect();
            attrs.push(("outer".into(), ctx.integer_attr(self.outer as i64, 64)));
            attrs.push(("phases".into(), ctx.array_attr(phases)));
        }
        attrs
    }
}

/// A `kernel.gemm` operand or result matrix: `[offset, batch stride, row stride, column
/// stride]` in elements.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MatrixMap {
    pub offset: i64,
    pub batch_stride: i64,
    pub row_stride: i64,
    pub col_stride: i64,
}

impl MatrixMap {
    fn read(ctx: &Context, op: OpId, attr: &str) -> Result<MatrixMap, Diagnostic> {
        match ints(ctx, op, attr)?[..] {
            [offset, batch_stride, row_stride, col_stride] => Ok(MatrixMap {
                offset,
                batch_stride,
                row_stride,
                col_stride,
            }),
            _ => Err(missing(
                ctx,
                op,
                attr,
                "[offset, batch stride, row stride, column stride]",
            )),
        }
    }

    fn attribute(&self, ctx: &mut Context) -> Attribute {
        i64_array(
            ctx,
            &[
                self.offset,
                self.batch_stride,
                self.row_stride,
                self.col_stride,
            ],
        )
    }
}

/// `kernel.gemm`: `c (+)= a @ b` for each of `batch` `[m, k] @ [k, n]` products; operands
/// are the buffers of `a`, `b`, `c`.
#[derive(Clone, PartialEq, Debug)]
pub struct Gemm {
    pub m: u64,
    pub n: u64,
    pub k: u64,
    pub batch: u64,
    pub a: MatrixMap,
    pub b: MatrixMap,
    pub c: MatrixMap,
    /// Whether `c` is added to (it holds a bias) rather than overwritten.
    pub accumulate: bool,
    pub sources: Vec<String>,
}

impl Gemm {
    /// Reads a `kernel.gemm` op.
    pub fn read(ctx: &Context, op: OpId) -> Result<Gemm, Diagnostic> {
        let dim = |attr: &str| {
            let v = int(ctx, op, attr)?;
            u64::try_from(v).map_err(|_| missing(ctx, op, attr, "a non-negative integer"))
        };
        let acc = get(ctx, op, "accumulate", "a bool")?;
        Ok(Gemm {
            m: dim("m")?,
            n: dim("n")?,
            k: dim("k")?,
            batch: dim("batch")?,
            a: MatrixMap::read(ctx, op, "a_map")?,
            b: MatrixMap::read(ctx, op, "b_map")?,
            c: MatrixMap::read(ctx, op, "c_map")?,
            accumulate: ctx
                .as_bool(acc)
                .ok_or_else(|| missing(ctx, op, "accumulate", "a bool"))?,
            sources: strings(ctx, op, "sources")?,
        })
    }

    /// The attributes of a `kernel.gemm` op holding `self`.
    pub fn attributes(&self, ctx: &mut Context) -> Vec<(String, Attribute)> {
        let mut attrs = vec![
            ("a_map".into(), self.a.attribute(ctx)),
            ("accumulate".into(), ctx.bool_attr(self.accumulate)),
        ];
        attrs.extend([
            ("b_map".into(), self.b.attribute(ctx)),
            ("batch".into(), ctx.integer_attr(self.batch as i64, 64)),
            ("c_map".into(), self.c.attribute(ctx)),
            ("k".into(), ctx.integer_attr(self.k as i64, 64)),
            ("m".into(), ctx.integer_attr(self.m as i64, 64)),
            ("n".into(), ctx.integer_attr(self.n as i64, 64)),
            ("sources".into(), string_array(ctx, &self.sources)),
        ]);
        attrs
    }

    /// Floating-point operations of one call.
    pub fn flops(&self) -> f64 {
        2.0 * self.m as f64 * self.n as f64 * self.k as f64 * self.batch as f64
    }
}

/// Where a `kernel.alloc` buffer lives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Alloc {
    /// The caller-visible result number `n` of the function.
    Output(usize),
    /// Byte offset in the function's arena (after `kernel-plan-memory`).
    Arena(u64),
    /// Not placed yet.
    Unplanned,
}

impl Alloc {
    /// Reads a `kernel.alloc` op.
    pub fn read(ctx: &Context, op: OpId) -> Result<Alloc, Diagnostic> {
        let non_negative = |attr: &str| -> Result<Option<u64>, Diagnostic> {
            match ctx.attr(op, attr) {
                None => Ok(None),
                Some(a) => ctx
                    .as_i64(a)
                    .and_then(|v| u64::try_from(v).ok())
                    .map(Some)
                    .ok_or_else(|| missing(ctx, op, attr, "a non-negative integer")),
            }
        };
        match (non_negative("output")?, non_negative("offset")?) {
            (Some(_), Some(_)) => Err(Diagnostic::error(
                "'kernel.alloc' is either a result ('output') or an arena slot ('offset'), not both",
            )
            .with_span(ctx.span(op))),
            (Some(j), None) => Ok(Alloc::Output(j as usize)),
            (None, Some(offset)) => Ok(Alloc::Arena(offset)),
            (None, None) => Ok(Alloc::Unplanned),
        }
    }
}

/// Reads the `value` of a `kernel.fill` or `kernel.const` as a number.
pub fn value(ctx: &Context, op: OpId) -> Result<f64, Diagnostic> {
    let a = get(ctx, op, "value", "a number")?;
    ctx.as_f64(a)
        .ok_or_else(|| missing(ctx, op, "value", "a number"))
}

/// Reads the `value` of an integer `kernel.const` exactly: an integer attribute as it is
/// (64-bit constants beyond 2^53, such as a hash's multipliers, included), a float
/// rounded toward zero.
pub fn int_value(ctx: &Context, op: OpId) -> Result<i64, Diagnostic> {
    let a = get(ctx, op, "value", "a number")?;
    ctx.as_i64(a)
        .or_else(|| ctx.as_f64(a).map(|v| v as i64))
        .ok_or_else(|| missing(ctx, op, "value", "a number"))
}

/// Reads the dimension of a `kernel.index`.
pub fn index_dim(ctx: &Context, op: OpId) -> Result<usize, Diagnostic> {
    let d = int(ctx, op, "dim")?;
    usize::try_from(d).map_err(|_| missing(ctx, op, "dim", "a non-negative integer"))
}

/// Whether scalar op `op` is an integer `kernel.div` or `kernel.rem`: truncating, with a
/// zero divisor a run-time error (the kernel sets its status word, the runtime reports the
/// op's `site`).
pub fn is_checked_division(ctx: &Context, op: OpId) -> bool {
    matches!(ctx.name_str(op), "kernel.div" | "kernel.rem")
        && ctx
            .results(op)
            .first()
            .and_then(|&r| ctx.dtype_of(ctx.value_type(r)))
            .is_some_and(|dt| !dt.is_float())
}

/// Reads the `site` of an integer `kernel.div` or `kernel.rem`: the aten op and its
/// position, which a zero divisor's run-time error names.
pub fn site(ctx: &Context, op: OpId) -> Result<String, Diagnostic> {
    let what = "the op and position a zero divisor's error names";
    let a = get(ctx, op, "site", what)?;
    ctx.as_str(a)
        .map(str::to_string)
        .ok_or_else(|| missing(ctx, op, "site", what))
}

/// The distinct sites of the checked divisions ([`is_checked_division`]) in the body of
/// `kernel.fused` op `fused`, in body order: status word `i + 1` of the kernel reports
/// site `i`.
pub fn division_sites(ctx: &Context, fused: OpId) -> Result<Vec<String>, Diagnostic> {
    let mut sites: Vec<String> = Vec::new();
    for &region in ctx.regions(fused) {
        for &block in ctx.region_blocks(region) {
            for op in ctx.block_ops(block) {
                if is_checked_division(ctx, op) {
                    let s = site(ctx, op)?;
                    if !sites.contains(&s) {
                        sites.push(s);
                    }
                }
            }
        }
    }
    Ok(sites)
}

/// Reads the predicate of a `kernel.cmp`.
pub fn predicate(ctx: &Context, op: OpId) -> Result<Predicate, Diagnostic> {
    let what = "one of eq, ne, lt, le, gt, ge";
    let a = get(ctx, op, "predicate", what)?;
    ctx.as_str(a)
        .and_then(Predicate::from_text)
        .ok_or_else(|| missing(ctx, op, "predicate", what))
}

/// How an accumulating `kernel.scatter` combines an element with what `out` holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ScatterReduce {
    Sum,
    Prod,
    /// The larger; NaN from either side wins (PyTorch's `amax`).
    Max,
    /// The smaller; NaN from either side wins (PyTorch's `amin`).
    Min,
}

impl ScatterReduce {
    /// The attribute text (`sum`, `prod`, `max`, `min`).
    pub fn text(self) -> &'static str {
        match self {
            ScatterReduce::Sum => "sum",
            ScatterReduce::Prod => "prod",
            ScatterReduce::Max => "max",
            ScatterReduce::Min => "min",
        }
    }

    /// The combination named `text`.
    pub fn from_text(text: &str) -> Option<ScatterReduce> {
        [
            ScatterReduce::Sum,
            ScatterReduce::Prod,
            ScatterReduce::Max,
            ScatterReduce::Min,
        ]
        .into_iter()
        .find(|r| r.text() == text)
    }
}

/// `kernel.gather` and `kernel.scatter`: data moved through index tensors, which loop
/// kernels (affine loads only) cannot express. Operands: `src`, one buffer per index
/// (i64 or i32), `out`. For every point `p` of `space`, with
/// `k = sum_j index_strides[j] * index_j[index_maps[j](p)]` (with `wrap`, a negative
/// index counts from the end, as PyTorch's indexing does; an index outside
/// `[-bound, bound)`, or without `wrap` outside `[0, bound)`, is a run-time error naming
/// `source`):
///
/// - gather: `out[out_map(p)] = src[src_map(p) + k]`;
/// - scatter: `out[out_map(p) + k] = src[src_map(p)]` (with `accumulate`, combined by
///   `reduce`: `sum` when absent, `prod`, `max`, `min`); `out`
///   holds its initial value beforehand (written by earlier ops).
#[derive(Clone, PartialEq, Debug)]
pub struct Indexed {
    pub space: Vec<u64>,
    pub src_map: Map,
    pub out_map: Map,
    pub index_maps: Vec<Map>,
    /// The stride, in the indexed buffer (`src` of a gather, `out` of a scatter), of each
    /// index's dimension.
    pub index_strides: Vec<i64>,
    /// The size of each index's dimension: the valid range of its values.
    pub bounds: Vec<u64>,
    /// Which dimension of the indexed tensor each index selects along, for messages.
    pub dims: Vec<u64>,
    /// A scatter combines with `out` (by `reduce`) rather than overwriting (false for a
    /// gather).
    pub accumulate: bool,
    /// How an accumulating scatter combines: the optional `reduce` attribute, `sum` when
    /// absent.
    pub reduce: ScatterReduce,
    /// Negative indices count from the end of their dimension (else they are errors).
    pub wrap: bool,
    /// The aten op and its position (`aten.embedding at model.mlir:12:5`), for errors.
    pub source: String,
}

impl Indexed {
    /// Reads a `kernel.gather` or `kernel.scatter` op.
    pub fn read(ctx: &Context, op: OpId) -> Result<Indexed, Diagnostic> {
        let one_map = |attr: &str| -> Result<Map, Diagnostic> {
            let what = "a map [offset, strides...]";
            ints_of(ctx, get(ctx, op, attr, what)?)
                .and_then(|v| Map::from_ints(&v))
                .ok_or_else(|| missing(ctx, op, attr, what))
        };
        let non_negative = |attr: &str| non_negative_ints(ctx, op, attr);
        let accumulate = if ctx.name_str(op) == "kernel.scatter" {
            let a = get(ctx, op, "accumulate", "a bool")?;
            ctx.as_bool(a)
                .ok_or_else(|| missing(ctx, op, "accumulate", "a bool"))?
        } else {
            false
        };
        let what = "one of sum, prod, max, min, on an accumulating scatter";
        let reduce = match ctx.attr(op, "reduce") {
            None => ScatterReduce::Sum,
            Some(a) if accumulate => ctx
                .as_str(a)
                .and_then(ScatterReduce::from_text)
                .ok_or_else(|| missing(ctx, op, "reduce", what))?,
            Some(_) => return Err(missing(ctx, op, "reduce", what)),
        };
        let source = get(ctx, op, "source", "a string")?;
        let wrap = get(ctx, op, "wrap", "a bool")?;
        Ok(Indexed {
            reduce,
            wrap: ctx
                .as_bool(wrap)
                .ok_or_else(|| missing(ctx, op, "wrap", "a bool"))?,
            space: non_negative("space")?,
            src_map: one_map("src_map")?,
            out_map: one_map("out_map")?,
            index_maps: maps(ctx, op, "index_maps")?,
            index_strides: ints(ctx, op, "index_strides")?,
            bounds: non_negative("bounds")?,
            dims: non_negative("dims")?,
            accumulate,
            source: ctx
                .as_str(source)
                .ok_or_else(|| missing(ctx, op, "source", "a string"))?
                .to_string(),
        })
    }

    /// The attributes of a `kernel.gather` (`scatter` false) or `kernel.scatter` holding
    /// `self`.
    pub fn attributes(&self, ctx: &mut Context, scatter: bool) -> Vec<(String, Attribute)> {
        let u = |v: &[u64]| v.iter().map(|&d| d as i64).collect::<Vec<i64>>();
        let index_maps = self
            .index_maps
            .iter()
            .map(|m| i64_array(ctx, &m.to_ints()))
            .collect();
        let mut attrs = vec![
            ("bounds".into(), i64_array(ctx, &u(&self.bounds))),
            ("dims".into(), i64_array(ctx, &u(&self.dims))),
            ("index_maps".into(), ctx.array_attr(index_maps)),
            ("index_strides".into(), i64_array(ctx, &self.index_strides)),
            ("out_map".into(), i64_array(ctx, &self.out_map.to_ints())),
            ("source".into(), ctx.string_attr(self.source.clone())),
            ("space".into(), i64_array(ctx, &u(&self.space))),
            ("src_map".into(), i64_array(ctx, &self.src_map.to_ints())),
            ("wrap".into(), ctx.bool_attr(self.wrap)),
        ];
        if scatter {
            attrs.push(("accumulate".into(), ctx.bool_attr(self.accumulate)));
        }
        if self.accumulate && self.reduce != ScatterReduce::Sum {
            attrs.push(("reduce".into(), ctx.string_attr(self.reduce.text())));
        }
        attrs
    }

    /// The map of the indexed buffer's elements with one more dim per index (of extent
    /// its bound): every element the op may touch in `src` (gather) or `out` (scatter).
    pub fn indexed_reach(&self, scatter: bool) -> (Map, Vec<u64>) {
        let base = if scatter {
            &self.out_map
        } else {
            &self.src_map
        };
        let mut strides = base.strides.clone();
        strides.extend(&self.index_strides);
        let mut space = self.space.clone();
        space.extend(&self.bounds);
        (
            Map {
                offset: base.offset,
                strides,
            },
            space,
        )
    }
}

/// `kernel.cumsum` and `kernel.argsort`: work along lanes, the last dim of `space` (the
/// others pick the lane). Operands: `src`, `out`.
///
/// - cumsum: `out[out_map(l, i)] = sum_{j <= i} src[src_map(l, j)]` (in f64 for floats,
///   wrapping i64 for integers; `src` and `out` of one type);
/// - argsort: `out` (i64) at `out_map(l, i)` for `i < k` holds the position in the lane of
///   its `i`-th element in ascending (or `descending`) order, ties in lane order and NaN
///   above every number (PyTorch's stable sort).
#[derive(Clone, PartialEq, Debug)]
pub struct Lanes {
    pub space: Vec<u64>,
    pub src_map: Map,
    /// Over `space` with its last extent replaced by `k`.
    pub out_map: Map,
    /// Elements written per lane (the lane's length for a cumsum).
    pub k: u64,
    pub descending: bool,
    /// The aten op, for messages and profiles.
    pub source: String,
}

impl Lanes {
    /// Reads a `kernel.cumsum` or `kernel.argsort` op.
    pub fn read(ctx: &Context, op: OpId) -> Result<Lanes, Diagnostic> {
        let one_map = |attr: &str| -> Result<Map, Diagnostic> {
            let what = "a map [offset, strides...]";
            ints_of(ctx, get(ctx, op, attr, what)?)
                .and_then(|v| Map::from_ints(&v))
                .ok_or_else(|| missing(ctx, op, attr, what))
        };
        let space = ints(ctx, op, "space")?
            .iter()
            .map(|&d| u64::try_from(d).ok())
            .collect::<Option<Vec<u64>>>()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing(ctx, op, "space", "non-negative extents, at least one"))?;
        let (k, descending) = if ctx.name_str(op) == "kernel.argsort" {
            let k = u64::try_from(int(ctx, op, "k")?)
                .map_err(|_| missing(ctx, op, "k", "a non-negative integer"))?;
            let d = get(ctx, op, "descending", "a bool")?;
            let d = ctx
                .as_bool(d)
                .ok_or_else(|| missing(ctx, op, "descending", "a bool"))?;
            (k, d)
        } else {
            (*space.last().expect("checked non-empty"), false)
        };
        let source = get(ctx, op, "source", "a string")?;
        Ok(Lanes {
            src_map: one_map("src_map")?,
            out_map: one_map("out_map")?,
            k,
            descending,
            source: ctx
                .as_str(source)
                .ok_or_else(|| missing(ctx, op, "source", "a string"))?
                .to_string(),
            space,
        })
    }

    /// The attributes of a `kernel.cumsum` (`argsort` false) or `kernel.argsort`.
    pub fn attributes(&self, ctx: &mut Context, argsort: bool) -> Vec<(String, Attribute)> {
        let space: Vec<i64> = self.space.iter().map(|&d| d as i64).collect();
        let mut attrs = vec![
            ("out_map".into(), i64_array(ctx, &self.out_map.to_ints())),
            ("source".into(), ctx.string_attr(self.source.clone())),
            ("space".into(), i64_array(ctx, &space)),
            ("src_map".into(), i64_array(ctx, &self.src_map.to_ints())),
        ];
        if argsort {
            attrs.push(("descending".into(), ctx.bool_attr(self.descending)));
            attrs.push(("k".into(), ctx.integer_attr(self.k as i64, 64)));
        }
        attrs
    }

    /// The space `out_map` runs over: `space` with `k` elements per lane.
    pub fn out_space(&self) -> Vec<u64> {
        let mut s = self.space.clone();
        *s.last_mut().expect("a lane dim") = self.k;
        s
    }
}

/// `kernel.nonzero`: operands `src`, `out` (i64, `[product(space), rank(space)]`) and
/// `count` (a 0-d i64). For every point `p` of `space` in row-major order whose element
/// `src[src_map(p)]` is nonzero (NaN is), the next row of `out` is `p`; `count` is then
/// the number of rows written, the rest of `out` unspecified. The upper-bound `out` and
/// the run-time `count` make a value whose leading extent is known only at run time
/// (`kernel.rows`), as `aten.nonzero`'s `tensor<?xRxi64>`.
#[derive(Clone, PartialEq, Debug)]
pub struct Nonzero {
    /// The shape of the tensor searched (empty for a 0-d tensor).
    pub space: Vec<u64>,
    pub src_map: Map,
    /// The aten op, for messages and profiles.
    pub source: String,
}

impl Nonzero {
    /// Reads a `kernel.nonzero` op.
    pub fn read(ctx: &Context, op: OpId) -> Result<Nonzero, Diagnostic> {
        let what = "a map [offset, strides...]";
        let src_map = ints_of(ctx, get(ctx, op, "src_map", what)?)
            .and_then(|v| Map::from_ints(&v))
            .ok_or_else(|| missing(ctx, op, "src_map", what))?;
        let source = get(ctx, op, "source", "a string")?;
        Ok(Nonzero {
            space: non_negative_ints(ctx, op, "space")?,
            src_map,
            source: ctx
                .as_str(source)
                .ok_or_else(|| missing(ctx, op, "source", "a string"))?
                .to_string(),
        })
    }

    /// The attributes of a `kernel.nonzero`.
    pub fn attributes(&self, ctx: &mut Context) -> Vec<(String, Attribute)> {
        let space: Vec<i64> = self.space.iter().map(|&d| d as i64).collect();
        vec![
            ("source".into(), ctx.string_attr(self.source.clone())),
            ("space".into(), i64_array(ctx, &space)),
            ("src_map".into(), i64_array(ctx, &self.src_map.to_ints())),
        ]
    }

    /// The shape of `out`: one row of `space.len()` indices per point of `space` (`None`
    /// when the element count overflows).
    pub fn out_shape(&self) -> Option<Vec<u64>> {
        let points = self.space.iter().try_fold(1u64, |n, &d| n.checked_mul(d))?;
        Some(vec![points, self.space.len() as u64])
    }
}
