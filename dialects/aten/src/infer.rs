//! Shape and dtype inference rules, one function per family of ops; `catalogue.txt`
//! names the rule of each op. Rules follow PyTorch's meta functions: they check what
//! PyTorch checks and compute what PyTorch computes, with `?` dims propagating (a check
//! involving a `?` passes, an extent computed from a `?` is `?`). Unranked operands give
//! unranked results where the rank cannot be derived otherwise.

use crate::args::{ArgValue, Args, TensorInfo};
use crate::dtype::{DEFAULT_FLOAT, DType, Participant, can_cast, result_type};
use joinery_ir::Dim;
use smallvec::SmallVec;

mod complex;
pub use complex::*;

/// What a rule returns: one tensor per result, or what is wrong.
pub type Inferred = Result<Vec<TensorInfo>, String>;

type Shape = Option<Vec<Dim>>;

mod geo;
pub use geo::*;

// ----- helpers ------------------------------------------------------------------------

/// `4x3`, `()` for rank 0, `*` for unranked.
pub fn shape_str(shape: &Shape) -> String {
    match shape {
        None => "*".into(),
        Some(dims) if dims.is_empty() => "()".into(),
        Some(dims) => dims
            .iter()
            .map(|d| match d {
                Dim::Static(n) => n.to_string(),
                Dim::Dynamic => "?".into(),
            })
            .collect::<Vec<_>>()
            .join("x"),
    }
}

fn dim_str(d: Dim) -> String {
    match d {
        Dim::Static(n) => n.to_string(),
        Dim::Dynamic => "?".into(),
    }
}

fn list_str(v: &[i64]) -> String {
    format!(
        "[{}]",
        v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
    )
}

/// Two dims that must be equal; `?` agrees with anything.
fn dims_agree(a: Dim, b: Dim) -> bool {
    match (a, b) {
        (Dim::Static(x), Dim::Static(y)) => x == y,
        _ => true,
    }
}

/// The more precise of two agreeing dims.
fn meet(a: Dim, b: Dim) -> Dim {
    if a == Dim::Dynamic { b } else { a }
}

fn shapes_agree(a: &Shape, b: &Shape) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| dims_agree(x, y))
        }
        _ => true,
    }
}

/// `t`'s shape with another dtype.
fn with_dtype(t: &TensorInfo, dtype: DType) -> TensorInfo {
    TensorInfo {
        shape: t.shape.clone(),
        dtype,
    }
}

fn participant(t: &TensorInfo) -> Participant {
    if t.rank() == Some(0) {
        Participant::ZeroDim(t.dtype)
    } else {
        Participant::Tensor(t.dtype)
    }
}

/// Wraps a possibly negative dimension index into `0..rank`, as PyTorch does (rank 0
/// accepts 0 and -1); out of range is an error naming the valid range. The one place
/// dimension indices are normalized: inference, interpreter and lowering call it.
pub fn norm_dim(dim: i64, rank: usize) -> Result<usize, String> {
    let r = rank.max(1) as i64;
    if dim < -r || dim >= r {
        return Err(format!(
            "dimension {dim} is out of range for a tensor of rank {rank} (expected {}..={})",
            -r,
            r - 1
        ));
    }
    Ok(dim.rem_euclid(r) as usize)
}

/// Broadcasts shapes as PyTorch does (right-aligned; 1 stretches).
fn broadcast(shapes: &[&Shape]) -> Result<Shape, String> {
    let mut out: Vec<Dim> = Vec::new();
    for (k, &shape) in shapes.iter().enumerate() {
        let Some(dims) = shape else { return Ok(None) };
        if k == 0 {
            out.clone_from(dims);
            continue;
        }
        if dims.len() > out.len() {
            let missing = dims.len() - out.len();
            out.splice(0..0, std::iter::repeat_n(Dim::Static(1), missing));
        }
        // Dims of `out` left of `dims` meet an implicit 1 and stay as they are.
        let offset = out.len() - dims.len();
        for (slot, &d) in out[offset..].iter_mut().zip(dims) {
            *slot = match (*slot, d) {
                (Dim::Static(1), x) | (x, Dim::Static(1)) => x,
                (Dim::Static(a), Dim::Static(b)) if a != b => {
                    let prev = shapes[..k]
                        .iter()
                        .map(|s| shape_str(s))
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(format!(
                        "operand shapes {prev} and {} are not broadcastable ({a} != {b})",
                        shape_str(shape)
                    ));
                }
                (x, y) => meet(x, y),
            };
        }
    }
    Ok(Some(out))
}

/// The shape left after reducing `dims` (all dims when `None` or empty).
fn reduce_shape(shape: &Shape, dims: Option<&[i64]>, keepdim: bool) -> Result<Shape, String> {
    let Some(shape) = shape else {
        return Ok(match dims {
            None | Some([]) if !keepdim => Some(Vec::new()),
            _ => None,
        });
    };
    let mut reduced = vec![false; shape.len()];
    match dims {
        None | Some([]) => reduced.iter_mut().for_each(|r| *r = true),
        Some(dims) => {
            for &d in dims {
                let i = norm_dim(d, shape.len())?;
                if shape.is_empty() {
                    continue;
                }
                if reduced[i] {
                    return Err(format!(
                        "dim {i} appears multiple times in the list of dims"
                    ));
                }
                reduced[i] = true;
            }
        }
    }
    Ok(Some(
        shape
            .iter()
            .zip(&reduced)
            .filter_map(|(&d, &r)| match (r, keepdim) {
                (false, _) => Some(d),
                (true, true) => Some(Dim::Static(1)),
                (true, false) => None,
            })
            .collect(),
    ))
}

fn ranked<'a>(t: &'a TensorInfo, what: &str, ranks: &[usize]) -> Result<Option<&'a [Dim]>, String> {
    match &t.shape {
        None => Ok(None),
        Some(s) if ranks.contains(&s.len()) => Ok(Some(s)),
        Some(s) => Err(format!(
            "{what} must have rank {}, got shape {}",
            ranks
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            shape_str(&Some(s.clone()))
        )),
    }
}

fn require_float(t: &TensorInfo, what: &str) -> Result<(), String> {
    if t.dtype.is_float() {
        Ok(())
    } else {
        Err(format!(
            "{what} must have a floating-point dtype, got {}",
            t.dtype
        ))
    }
}

fn require_integral(t: &TensorInfo, what: &str) -> Result<(), String> {
    if t.dtype.is_integral() {
        Ok(())
    } else {
        Err(format!(
            "{what} must have an integer dtype, got {}",
            t.dtype
        ))
    }
}

fn require_bool(t: &TensorInfo, what: &str) -> Result<(), String> {
    if t.dtype == DType::Bool {
        Ok(())
    } else {
        Err(format!(
            "{what} must be a bool (i1) tensor, got {}",
            t.dtype
        ))
    }
}

fn same_dtype(a: &TensorInfo, b: &TensorInfo, what: &str) -> Result<(), String> {
    if a.dtype == b.dtype {
        Ok(())
    } else {
        Err(format!(
            "{what} must have the same dtype, got {} and {}",
            a.dtype, b.dtype
        ))
    }
}

fn static_shape(dims: &[i64], what: &str) -> Result<Vec<Dim>, String> {
    dims.iter()
        .map(|&n| {
            u64::try_from(n)
                .map(Dim::Static)
                .map_err(|_| format!("{what} {} has a negative dimension {n}", list_str(dims)))
        })
        .collect()
}

/// The scalar `Participant` of a `Scalar` argument, if present.
fn scalar_participant(a: &Args, name: &str) -> Option<Participant> {
    a.has(name)
        .then(|| a.value(name).scalar_dtype())
        .flatten()
        .map(Participant::Scalar)
}

/// The in-place contract: the out-of-place result must fit the written argument (`self`
/// of an in-place op, `out` of an `out=` overload: same shape, castable dtype), and the op
/// returns that argument's type.
pub fn in_place(a: &Args, out: Vec<TensorInfo>) -> Inferred {
    let Some(written) = a.schema.returns.first().and_then(|r| {
        let alias = r.alias.as_ref().filter(|x| x.is_write)?;
        a.schema
            .args
            .iter()
            .find(|arg| arg.alias.as_ref() == Some(alias))
    }) else {
        return Ok(out);
    };
    let this = a.tensor(&written.name);
    if let Some(r) = out.first() {
        if !can_cast(r.dtype, this.dtype) {
            return Err(format!(
                "result type {} can't be cast to the desired output type {}",
                r.dtype, this.dtype
            ));
        }
        if !shapes_agree(&r.shape, &this.shape) {
            return Err(format!(
                "output with shape {} doesn't match the broadcast shape {}",
                shape_str(&this.shape),
                shape_str(&r.shape)
            ));
        }
    }
    Ok(vec![this.clone()])
}

// ----- pointwise ----------------------------------------------------------------------

/// Broadcasting binary ops with type promotion over the tensors and the `self` /
/// `other` / `exponent` scalar (`alpha` scales and does not promote, but must fit the result).
pub fn binary(a: &Args) -> Inferred {
    let mut parts: SmallVec<[Participant; 6]> = a.all_tensors().map(participant).collect();
    parts.extend(scalar_participant(a, "self"));
    parts.extend(scalar_participant(a, "other"));
    parts.extend(scalar_participant(a, "exponent"));
    let dtype = result_type(&parts).unwrap_or(DEFAULT_FLOAT);
    let shapes: SmallVec<[&Shape; 4]> = a.all_tensors().map(|t| &t.shape).collect();
    let shape = broadcast(&shapes)?;
    if a.has("alpha") {
        match a.value("alpha") {
            ArgValue::Float(_) if !dtype.is_float() => {
                return Err(format!(
                    "alpha must not be a floating point number for {dtype} inputs"
                ));
            }
            ArgValue::Bool(_) if dtype != DType::Bool => {
                return Err("a boolean alpha is only supported for bool results".into());
            }
            _ => {}
        }
    }
    Ok(vec![TensorInfo { shape, dtype }])
}

/// `div`: true division; integer results become the default float dtype.
pub fn true_divide(a: &Args) -> Inferred {
    let mut out = binary(a)?;
    out[0].dtype = out[0].dtype.to_float();
    Ok(out)
}

/// `div.Tensor_mode`: true division, or `trunc` / `floor` rounding in the promoted dtype.
pub fn div_mode(a: &Args) -> Inferred {
    match a.opt_str("rounding_mode") {
        None => true_divide(a),
        Some("trunc" | "floor") => binary(a),
        Some(other) => Err(format!(
            "rounding_mode must be None, 'trunc' or 'floor', got '{other}'"
        )),
    }
}

/// Comparisons and logical ops: broadcast shapes, bool results.
pub fn compare(a: &Args) -> Inferred {
    let mut out = binary(a)?;
    out[0].dtype = DType::Bool;
    Ok(out)
}

/// Bitwise ops: [`binary`] on integer or bool operands only.
pub fn bitwise(a: &Args) -> Inferred {
    for t in a.all_tensors() {
        if t.dtype.is_float() {
            return Err(format!(
                "bitwise ops are only defined on integer and bool tensors, got {}",
                t.dtype
            ));
        }
    }
    if let ArgValue::Float(_) = a.value("other") {
        return Err("bitwise ops are not defined for a floating-point 'other'".into());
    }
    binary(a)
}

/// Elementwise tests (`isinf`, `isnan`): `self`'s shape, bool results.
pub fn predicate(a: &Args) -> Inferred {
    Ok(vec![TensorInfo {
        shape: a.tensor("self").shape.clone(),
        dtype: DType::Bool,
    }])
}

/// Activations and their backwards: float tensors only, shapes and dtypes as [`binary`].
pub fn activation(a: &Args) -> Inferred {
    for t in a.all_tensors() {
        require_float(t, "the input of an activation")?;
    }
    binary(a)
}

/// `mish_backward`: an activation's broadcast shape in `self`'s dtype (PyTorch's CPU
/// kernel writes into a tensor with `self`'s options rather than promoting).
pub fn mish_backward(a: &Args) -> Inferred {
    let mut out = activation(a)?;
    out[0].dtype = a.tensor("self").dtype;
    Ok(out)
}

/// `where.self`: a bool condition picks between two promoted operands.
pub fn where_self(a: &Args) -> Inferred {
    let (cond, x, y) = (a.tensor("condition"), a.tensor("self"), a.tensor("other"));
    require_bool(cond, "condition")?;
    let shape = broadcast(&[&cond.shape, &x.shape, &y.shape])?;
    let dtype = result_type(&[participant(x), participant(y)]).unwrap_or(x.dtype);
    Ok(vec![TensorInfo { shape, dtype }])
}

/// `clamp`: `min`/`max` (scalars or tensors) take part in promotion; one must be given.
pub fn clamp(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let mut parts = vec![participant(this)];
    let mut shapes = vec![&this.shape];
    let mut given = false;
    for bound in ["min", "max"] {
        if a.schema.arg(bound).is_some_and(|b| b.kind.is_tensor()) {
            if let Some(t) = a.opt_tensor(bound) {
                parts.push(participant(t));
                shapes.push(&t.shape);
                given = true;
            }
        } else if let Some(p) = scalar_participant(a, bound) {
            parts.push(p);
            given = true;
        }
    }
    if !given {
        return Err("at least one of 'min' or 'max' must not be None".into());
    }
    Ok(vec![TensorInfo {
        shape: broadcast(&shapes)?,
        dtype: result_type(&parts).unwrap_or(this.dtype),
    }])
}

/// `masked_fill`: a bool mask broadcastable to `self`; the result is `self`'s type.
pub fn masked_fill(a: &Args) -> Inferred {
    let (this, mask) = (a.tensor("self"), a.tensor("mask"));
    require_bool(mask, "mask")?;
    let shape = broadcast(&[&this.shape, &mask.shape])?;
    if !shapes_agree(&shape, &this.shape) {
        return Err(format!(
            "mask of shape {} cannot be broadcast to self of shape {}",
            shape_str(&mask.shape),
            shape_str(&this.shape)
        ));
    }
    Ok(vec![this.clone()])
}

/// Unary ops that keep shape and dtype.
pub fn unary(a: &Args) -> Inferred {
    Ok(vec![a.tensor("self").clone()])
}

/// `relu` and `threshold_backward`: [`unary`] or [`binary`] on numbers; PyTorch's kernels
/// have no bool case ("Boolean inputs not supported for relu", "threshold_cpu" not
/// implemented for 'Bool').
pub fn no_bool(a: &Args) -> Inferred {
    let out = if a.has("grad_output") {
        binary(a)?
    } else {
        unary(a)?
    };
    if out[0].dtype == DType::Bool {
        return Err("bool tensors are not supported: PyTorch has no bool kernel for it".into());
    }
    Ok(out)
}

/// Unary ops computing in floating point: integer inputs give the default float dtype.
pub fn float_unary(a: &Args) -> Inferred {
    let this = a.tensor("self");
    Ok(vec![TensorInfo {
        shape: this.shape.clone(),
        dtype: this.dtype.to_float(),
    }])
}

/// `gelu` and `gelu_backward`: float tensors, `approximate` is `none` or `tanh`.
pub fn gelu(a: &Args) -> Inferred {
    match a.opt_str("approximate") {
        Some("none" | "tanh") => {}
        other => {
            return Err(format!(
                "approximate must be 'none' or 'tanh', got '{}'",
                other.unwrap_or("")
            ));
        }
    }
    let this = a.tensor("self");
    require_float(this, "self")?;
    if a.has("grad_output") {
        return binary(a);
    }
    Ok(vec![this.clone()])
}

// ----- reductions ---------------------------------------------------------------------

/// The reduced dimensions: the `dim` argument as a list (`int dim` is one), `None` for
/// all of them.
fn reduce_dims(a: &Args) -> Option<Vec<i64>> {
    match a.value("dim") {
        ArgValue::Int(d) => Some(vec![*d]),
        ArgValue::IntList(v) => Some(v.clone()),
        _ => None,
    }
}

/// `sum` and `prod`: integer and bool inputs accumulate in `i64` unless `dtype` says
/// otherwise.
pub fn sum(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let shape = reduce_shape(&this.shape, reduce_dims(a).as_deref(), keepdim(a))?;
    let dtype =
        a.opt_dtype("dtype")
            .unwrap_or(if this.dtype.is_float() || this.dtype.is_complex() {
                this.dtype
            } else {
                DType::I64
            });
    Ok(vec![TensorInfo { shape, dtype }])
}

fn keepdim(a: &Args) -> bool {
    a.has("keepdim") && a.opt_bool("keepdim").unwrap_or(false)
}

/// `mean`: the result dtype (`dtype` or the input's) must be floating point or complex.
pub fn mean(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let shape = reduce_shape(&this.shape, a.opt_ints("dim"), keepdim(a))?;
    let dtype = a.opt_dtype("dtype").unwrap_or(this.dtype);
    if !dtype.is_float() && !dtype.is_complex() {
        return Err(format!(
            "could not infer the output dtype: the input dtype must be floating point, got {dtype}"
        ));
    }
    Ok(vec![TensorInfo { shape, dtype }])
}

/// `amax` / `amin`: reduce `dim` (all when empty), keep the dtype.
pub fn amax(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let shape = reduce_shape(&this.shape, a.opt_ints("dim"), keepdim(a))?;
    Ok(vec![TensorInfo {
        shape,
        dtype: this.dtype,
    }])
}

/// `any` / `all`: reduce `dim` (all when absent) to bools.
pub fn any(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let shape = reduce_shape(&this.shape, reduce_dims(a).as_deref(), keepdim(a))?;
    Ok(vec![TensorInfo {
        shape,
        dtype: DType::Bool,
    }])
}

/// `linalg_vector_norm`: reduce `dim` (all when absent) of a float tensor, in `dtype`
/// when given.
pub fn vector_norm(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_float(this, "self")?;
    let shape = reduce_shape(&this.shape, reduce_dims(a).as_deref(), keepdim(a))?;
    let dtype = a.opt_dtype("dtype").unwrap_or(this.dtype);
    Ok(vec![TensorInfo { shape, dtype }])
}

/// `cumsum`: `self`'s shape; integers and bools accumulate in `i64` unless `dtype` says
/// otherwise.
pub fn cumsum(a: &Args) -> Inferred {
    let this = a.tensor("self");
    if let Some(r) = this.rank() {
        norm_dim(a.int("dim")?, r)?;
    }
    let dtype = a.opt_dtype("dtype").unwrap_or(if this.dtype.is_float() {
        this.dtype
    } else {
        DType::I64
    });
    Ok(vec![TensorInfo {
        shape: this.shape.clone(),
        dtype,
    }])
}

/// `sort`: the sorted values and their `i64` indices, shaped like `self`.
pub fn sort(a: &Args) -> Inferred {
    let this = a.tensor("self");
    if let Some(r) = this.rank() {
        norm_dim(a.int("dim")?, r)?;
    }
    Ok(vec![this.clone(), with_dtype(this, DType::I64)])
}

/// `topk`: `k` values along `dim` and their `i64` indices.
pub fn topk(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let k = a.int("k")?;
    let shape = match &this.shape {
        None => None,
        Some(s) => {
            let mut s = s.clone();
            if s.is_empty() {
                if !(0..=1).contains(&k) {
                    return Err(format!(
                        "selected index k out of range, got {k} for a 0-d tensor"
                    ));
                }
            } else {
                let d = norm_dim(a.int("dim")?, s.len())?;
                if let Dim::Static(n) = s[d]
                    && (k < 0 || k as u64 > n)
                {
                    return Err(format!(
                        "selected index k out of range, got {k} for dimension {d} of size {n}"
                    ));
                }
                s[d] = Dim::Static(k.max(0) as u64);
            }
            Some(s)
        }
    };
    let values = TensorInfo {
        shape,
        dtype: this.dtype,
    };
    let indices = with_dtype(&values, DType::I64);
    Ok(vec![values, indices])
}

/// `var.correction` / `var_mean.correction`: float input; one result per schema return.
pub fn var(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_float(this, "self")?;
    let shape = reduce_shape(&this.shape, a.opt_ints("dim"), keepdim(a))?;
    let out = TensorInfo {
        shape,
        dtype: this.dtype,
    };
    Ok(vec![out; a.schema.returns.len()])
}

/// `max.dim` / `min.dim`: values and `i64` indices.
pub fn max_dim(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let dim = a.int("dim")?;
    let shape = reduce_shape(&this.shape, Some(&[dim]), keepdim(a))?;
    Ok(vec![
        TensorInfo {
            shape: shape.clone(),
            dtype: this.dtype,
        },
        TensorInfo {
            shape,
            dtype: DType::I64,
        },
    ])
}

/// `argmax` / `argmin`: `i64` indices over `dim`, or over the flattened tensor.
pub fn argmax(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let shape = match a.opt_int("dim") {
        Some(d) => reduce_shape(&this.shape, Some(&[d]), keepdim(a))?,
        None => reduce_shape(&this.shape, None, keepdim(a))?,
    };
    Ok(vec![TensorInfo {
        shape,
        dtype: DType::I64,
    }])
}

// ----- linear algebra -----------------------------------------------------------------

fn inner_mismatch(x: &TensorInfo, y: &TensorInfo, a: Dim, b: Dim) -> String {
    format!(
        "operand shapes {} and {} are incompatible ({} != {})",
        shape_str(&x.shape),
        shape_str(&y.shape),
        dim_str(a),
        dim_str(b)
    )
}

fn matmul2(x: &TensorInfo, y: &TensorInfo) -> Result<[Dim; 2], String> {
    same_dtype(x, y, "self and mat2")?;
    let xs = ranked(x, "self", &[2])?;
    let ys = ranked(y, "mat2", &[2])?;
    if let (Some(xs), Some(ys)) = (xs, ys)
        && !dims_agree(xs[1], ys[0])
    {
        return Err(inner_mismatch(x, y, xs[1], ys[0]));
    }
    Ok([
        xs.map_or(Dim::Dynamic, |s| s[0]),
        ys.map_or(Dim::Dynamic, |s| s[1]),
    ])
}

/// `mm`: `[n, k] @ [k, m] -> [n, m]`, same dtypes.
pub fn mm(a: &Args) -> Inferred {
    let (x, y) = (a.tensor("self"), a.tensor("mat2"));
    let [n, m] = matmul2(x, y)?;
    Ok(vec![TensorInfo::new(vec![n, m], x.dtype)])
}

/// `bmm`: `[b, n, k] @ [b, k, m] -> [b, n, m]`, no broadcasting.
pub fn bmm(a: &Args) -> Inferred {
    let (x, y) = (a.tensor("self"), a.tensor("mat2"));
    same_dtype(x, y, "self and mat2")?;
    let xs = ranked(x, "self", &[3])?;
    let ys = ranked(y, "mat2", &[3])?;
    if let (Some(xs), Some(ys)) = (xs, ys) {
        for (i, j) in [(0, 0), (2, 1)] {
            if !dims_agree(xs[i], ys[j]) {
                return Err(inner_mismatch(x, y, xs[i], ys[j]));
            }
        }
    }
    let d = |s: Option<&[Dim]>, i: usize| s.map_or(Dim::Dynamic, |s| s[i]);
    Ok(vec![TensorInfo::new(
        vec![meet(d(xs, 0), d(ys, 0)), d(xs, 1), d(ys, 2)],
        x.dtype,
    )])
}

/// `addmm`: `beta * self + alpha * (mat1 @ mat2)`, `self` broadcastable to the product.
pub fn addmm(a: &Args) -> Inferred {
    let (this, x, y) = (a.tensor("self"), a.tensor("mat1"), a.tensor("mat2"));
    let [n, m] = matmul2(x, y)?;
    same_dtype(this, x, "self and mat1")?;
    let product = Some(vec![n, m]);
    let shape = broadcast(&[&this.shape, &product])?;
    if !shapes_agree(&shape, &product) {
        return Err(format!(
            "self of shape {} cannot be broadcast to the product shape {}",
            shape_str(&this.shape),
            shape_str(&product)
        ));
    }
    Ok(vec![TensorInfo::new(vec![n, m], x.dtype)])
}

// ----- views and shapes ---------------------------------------------------------------

fn numel(shape: &[Dim]) -> Option<u64> {
    shape.iter().map(|d| d.extent()).product()
}

/// `view` / `_unsafe_view` / `reshape`: a new shape with at most one `-1`.
pub fn view(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let size = a.ints(if a.has("size") { "size" } else { "shape" })?;
    let mut infer_at = None;
    for (i, &n) in size.iter().enumerate() {
        if n == -1 {
            if infer_at.replace(i).is_some() {
                return Err(format!(
                    "only one dimension can be inferred in {}",
                    list_str(size)
                ));
            }
        } else if n < 0 {
            return Err(format!("invalid shape dimension {n} in {}", list_str(size)));
        }
    }
    let known: u64 = size
        .iter()
        .filter(|&&n| n >= 0)
        .map(|&n| n as u64)
        .product();
    let total = this.shape.as_deref().and_then(numel);
    let mut out: Vec<Dim> = size
        .iter()
        .map(|&n| {
            if n < 0 {
                Dim::Dynamic
            } else {
                Dim::Static(n as u64)
            }
        })
        .collect();
    match (total, infer_at) {
        (Some(total), Some(i)) => {
            if known == 0 || total % known != 0 {
                return Err(format!(
                    "shape {} is invalid for input of size {total}",
                    list_str(size)
                ));
            }
            out[i] = Dim::Static(total / known);
        }
        (Some(total), None) if total != known => {
            return Err(format!(
                "shape {} is invalid for input of size {total}",
                list_str(size)
            ));
        }
        _ => {}
    }
    Ok(vec![TensorInfo::new(out, this.dtype)])
}

/// `t`: transposes a matrix; rank 0 and 1 are unchanged.
pub fn t(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let mut out = this.clone();
    if let Some(s) = &mut out.shape {
        match s.len() {
            0 | 1 => {}
            2 => s.swap(0, 1),
            r => {
                return Err(format!(
                    "t() expects a tensor with <= 2 dimensions, got rank {r}"
                ));
            }
        }
    }
    Ok(vec![out])
}

/// `transpose.int`: swaps two dims.
pub fn transpose(a: &Args) -> Inferred {
    let mut out = a.tensor("self").clone();
    if let Some(s) = &mut out.shape {
        let (d0, d1) = (
            norm_dim(a.int("dim0")?, s.len())?,
            norm_dim(a.int("dim1")?, s.len())?,
        );
        if !s.is_empty() {
            s.swap(d0, d1);
        }
    }
    Ok(vec![out])
}

/// `permute`: `dims` is a permutation of the input's dims.
pub fn permute(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let dims = a.ints("dims")?;
    let Some(s) = &this.shape else {
        return Ok(vec![TensorInfo {
            shape: Some(vec![Dim::Dynamic; dims.len()]),
            dtype: this.dtype,
        }]);
    };
    if dims.len() != s.len() {
        return Err(format!(
            "permute dims {} do not match the input rank {}",
            list_str(dims),
            s.len()
        ));
    }
    let mut seen = vec![false; s.len()];
    let mut out = Vec::with_capacity(s.len());
    for &d in dims {
        let i = norm_dim(d, s.len())?;
        if std::mem::replace(&mut seen[i], true) {
            return Err(format!("permute dims {} repeat dim {i}", list_str(dims)));
        }
        out.push(s[i]);
    }
    Ok(vec![TensorInfo::new(out, this.dtype)])
}

/// `expand`: stretches size-1 dims and adds leading dims; `-1` keeps a dim.
pub fn expand(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let size = a.ints("size")?;
    let Some(s) = &this.shape else {
        let out = size
            .iter()
            .map(|&n| {
                if n < 0 {
                    Dim::Dynamic
                } else {
                    Dim::Static(n as u64)
                }
            })
            .collect();
        return Ok(vec![TensorInfo::new(out, this.dtype)]);
    };
    if size.len() < s.len() {
        return Err(format!(
            "the number of sizes provided ({}) must be greater or equal to the number of \
             dimensions in the tensor ({})",
            size.len(),
            s.len()
        ));
    }
    let lead = size.len() - s.len();
    let mut out = Vec::with_capacity(size.len());
    for (i, &n) in size.iter().enumerate() {
        let d = if i < lead {
            if n < 0 {
                return Err(format!(
                    "the expanded size {n} is not allowed in a leading, non-existing dimension {i}"
                ));
            }
            Dim::Static(n as u64)
        } else {
            let have = s[i - lead];
            match (n, have) {
                (-1, _) => have,
                (n, _) if n < 0 => return Err(format!("invalid expanded size {n}")),
                (n, Dim::Static(h)) if h != 1 && h != n as u64 => {
                    return Err(format!(
                        "the expanded size {n} must match the existing size {h} at \
                         non-singleton dimension {i} (target sizes {}, tensor shape {})",
                        list_str(size),
                        shape_str(&this.shape)
                    ));
                }
                (n, _) => Dim::Static(n as u64),
            }
        };
        out.push(d);
    }
    Ok(vec![TensorInfo::new(out, this.dtype)])
}

/// `squeeze` (all size-1 dims), `squeeze.dim`, `squeeze.dims`; `?` dims are kept.
pub fn squeeze(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let Some(s) = &this.shape else {
        return Ok(vec![this.clone()]);
    };
    let mut chosen = vec![!a.has("dim"); s.len()];
    if a.has("dim") {
        let dims = match a.value("dim") {
            ArgValue::Int(d) => vec![*d],
            ArgValue::IntList(v) => v.clone(),
            _ => Vec::new(),
        };
        for d in dims {
            let i = norm_dim(d, s.len())?;
            if s.is_empty() {
                continue;
            }
            // The interpreter's kernel (and PyTorch's) refuse `squeeze.dims` with a dim
            // listed twice; inference does too, so that a verified op always runs.
            if std::mem::replace(&mut chosen[i], true) {
                return Err(format!(
                    "dim {i} appears multiple times in the list of dims"
                ));
            }
        }
    }
    let out = s
        .iter()
        .zip(&chosen)
        .filter(|&(&d, &c)| !(c && d == Dim::Static(1)))
        .map(|(&d, _)| d)
        .collect();
    Ok(vec![TensorInfo::new(out, this.dtype)])
}

/// `unsqueeze`: inserts a size-1 dim at `dim` (in `-rank-1..=rank`).
pub fn unsqueeze(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let mut out = this.clone();
    if let Some(s) = &mut out.shape {
        let i = norm_dim(a.int("dim")?, s.len() + 1)?;
        s.insert(i, Dim::Static(1));
    }
    Ok(vec![out])
}

/// `slice.Tensor`: Python slicing `start:end:step` along `dim`, clamped to the extent.
pub fn slice(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let step = a.int("step")?;
    if step <= 0 {
        return Err(format!("slice step must be positive, got {step}"));
    }
    let mut out = this.clone();
    if let Some(s) = &mut out.shape {
        if s.is_empty() {
            return Err("slice() cannot be applied to a 0-dim tensor".into());
        }
        let i = norm_dim(a.int("dim")?, s.len())?;
        if let Dim::Static(n) = s[i] {
            let n = n as i64;
            let clamp = |v: i64| (if v < 0 { v + n } else { v }).clamp(0, n);
            let start = clamp(a.opt_int("start").unwrap_or(0));
            let end = clamp(a.opt_int("end").unwrap_or(n)).max(start);
            s[i] = Dim::Static(((end - start + step - 1) / step) as u64);
        }
    }
    Ok(vec![out])
}

/// `select.int`: picks one index of `dim`, removing it.
pub fn select(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let mut out = this.clone();
    if let Some(s) = &mut out.shape {
        if s.is_empty() {
            return Err("select() cannot be applied to a 0-dim tensor".into());
        }
        let i = norm_dim(a.int("dim")?, s.len())?;
        let index = a.int("index")?;
        if let Dim::Static(n) = s[i]
            && (index < -(n as i64) || index >= n as i64)
        {
            return Err(format!(
                "index {index} is out of range for dimension {i} of size {n}"
            ));
        }
        s.remove(i);
    }
    Ok(vec![out])
}

/// The dim a split cuts, for a tensor of rank `rank`: 0-d tensors cannot be split, as in
/// PyTorch (`norm_dim` would accept dim 0 of a scalar).
fn split_dim(dim: i64, rank: usize) -> Result<usize, String> {
    if rank == 0 {
        return Err("split expects at least a 1-dimensional tensor".into());
    }
    norm_dim(dim, rank)
}

fn split_parts(this: &TensorInfo, dim: i64, sizes: &[u64]) -> Inferred {
    let Some(s) = &this.shape else {
        return Ok(vec![this.clone(); sizes.len()]);
    };
    let i = split_dim(dim, s.len())?;
    Ok(sizes
        .iter()
        .map(|&n| {
            let mut shape = s.clone();
            shape[i] = Dim::Static(n);
            TensorInfo::new(shape, this.dtype)
        })
        .collect())
}

/// `split_with_sizes`: one result per size; the sizes add up to the dim's extent.
pub fn split_with_sizes(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let sizes = a.ints("split_sizes")?;
    let dim = a.int("dim")?;
    let parts = static_shape(sizes, "split_sizes")?;
    let parts: Vec<u64> = parts.iter().filter_map(|d| d.extent()).collect();
    if let Some(s) = &this.shape {
        let i = split_dim(dim, s.len())?;
        if let Dim::Static(n) = s[i]
            && parts.iter().sum::<u64>() != n
        {
            return Err(format!(
                "split_sizes {} must sum to {n}, the size of dimension {i}",
                list_str(sizes)
            ));
        }
    }
    split_parts(this, dim, &parts)
}

/// `split.Tensor`: chunks of `split_size` (the last may be smaller); needs a static extent
/// to know the number of results.
pub fn split(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let size = a.int("split_size")?;
    let dim = a.int("dim")?;
    let Some(s) = &this.shape else {
        return Err("cannot infer the number of results of splitting an unranked tensor".into());
    };
    let i = split_dim(dim, s.len())?;
    let Dim::Static(n) = s[i] else {
        return Err(format!(
            "cannot infer the number of results: dimension {i} is dynamic"
        ));
    };
    if size < 0 || (size == 0 && n != 0) {
        return Err(format!("split_size must be positive, got {size}"));
    }
    let size = size as u64;
    let chunks = if n == 0 { 1 } else { n.div_ceil(size) };
    let parts: Vec<u64> = (0..chunks).map(|c| size.min(n - c * size)).collect();
    split_parts(this, dim, &parts)
}

/// `as_strided`: the result has shape `size`.
pub fn as_strided(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let size = a.ints("size")?;
    let stride = a.ints("stride")?;
    if size.len() != stride.len() {
        return Err(format!(
            "size {} and stride {} must have the same length",
            list_str(size),
            list_str(stride)
        ));
    }
    Ok(vec![TensorInfo::new(
        static_shape(size, "size")?,
        this.dtype,
    )])
}

/// Ops returning their input's type (`clone`, `detach`, `alias`).
pub fn identity(a: &Args) -> Inferred {
    Ok(vec![a.tensor("self").clone()])
}

/// `slice_scatter` / `select_scatter` / `as_strided_scatter`: `src` written into the view of
/// `self` that `slice` / `select` / `as_strided` with the same arguments takes; `src` must
/// have that view's shape and `self`'s dtype, and the result has `self`'s type.
pub fn view_scatter(a: &Args) -> Inferred {
    let (this, src) = (a.tensor("self"), a.tensor("src"));
    let view = match a.schema.name.as_str() {
        "slice_scatter" => slice(a)?,
        "select_scatter" => select(a)?,
        _ => as_strided(a)?,
    };
    same_dtype(this, src, "self and src")?;
    if !view[0].is_compatible(&TensorInfo {
        shape: src.shape.clone(),
        dtype: view[0].dtype,
    }) {
        return Err(format!(
            "src of shape {} does not match the shape {} of the view it is written to",
            shape_str(&src.shape),
            shape_str(&view[0].shape)
        ));
    }
    Ok(vec![this.clone()])
}

/// `cat`: same rank, equal extents off `dim`; promoted dtype. Legacy 1-D empty tensors
/// are skipped as PyTorch does.
pub fn cat(a: &Args) -> Inferred {
    concat(a, false)
}

/// `stack`: equal shapes, a new dim at `dim`.
pub fn stack(a: &Args) -> Inferred {
    concat(a, true)
}

fn concat(a: &Args, new_dim: bool) -> Inferred {
    let all = a.tensor_list("tensors");
    if all.is_empty() {
        return Err("expected a non-empty list of tensors".into());
    }
    let dtype =
        result_type(&all.iter().map(participant).collect::<Vec<_>>()).unwrap_or(DEFAULT_FLOAT);
    let legacy_empty = |t: &TensorInfo| t.shape.as_deref() == Some(&[Dim::Static(0)]);
    let kept: Vec<(usize, &TensorInfo)> = if new_dim {
        all.iter().enumerate().collect()
    } else {
        all.iter()
            .enumerate()
            .filter(|(_, t)| !legacy_empty(t))
            .collect()
    };
    let Some(&(_, first)) = kept.iter().find(|(_, t)| t.shape.is_some()) else {
        let shape = if new_dim || all.iter().all(|t| t.shape.is_none()) {
            None
        } else {
            Some(vec![Dim::Static(0)])
        };
        return Ok(vec![TensorInfo { shape, dtype }]);
    };
    let base = first.shape.clone().unwrap_or_default();
    if !new_dim && base.is_empty() {
        return Err("zero-dimensional tensors cannot be concatenated".into());
    }
    let dim = norm_dim(a.int("dim")?, base.len() + usize::from(new_dim))?;
    let mut out = base.clone();
    let mut along = Some(0u64);
    for &(k, t) in &kept {
        let Some(s) = &t.shape else {
            along = None;
            continue;
        };
        if s.len() != base.len() {
            return Err(format!(
                "tensors must have the same rank: got {} and {} (tensor {k})",
                base.len(),
                s.len()
            ));
        }
        for (i, (&x, &y)) in base.iter().zip(s).enumerate() {
            if (new_dim || i != dim) && !dims_agree(x, y) {
                return Err(format!(
                    "sizes of tensors must match{}: expected {} but got {} at dimension {i} \
                     for tensor {k}",
                    if new_dim {
                        ""
                    } else {
                        " except in the concatenated dimension"
                    },
                    dim_str(x),
                    dim_str(y)
                ));
            }
            out[i] = meet(out[i], y);
        }
        if !new_dim {
            along = along.zip(s[dim].extent()).map(|(x, y)| x + y);
        }
    }
    if new_dim {
        out.insert(dim, Dim::Static(all.len() as u64));
    } else {
        out[dim] = along.map_or(Dim::Dynamic, Dim::Static);
    }
    Ok(vec![TensorInfo::new(out, dtype)])
}

/// `_to_copy`: same shape, `dtype` if given.
pub fn to_copy(a: &Args) -> Inferred {
    let this = a.tensor("self");
    Ok(vec![TensorInfo {
        shape: this.shape.clone(),
        dtype: a.opt_dtype("dtype").unwrap_or(this.dtype),
    }])
}

/// `copy` / `copy_`: `src` broadcasts to `self`, whose type the result has.
pub fn copy(a: &Args) -> Inferred {
    let (this, src) = (a.tensor("self"), a.tensor("src"));
    let shape = broadcast(&[&this.shape, &src.shape])?;
    if !shapes_agree(&shape, &this.shape) {
        return Err(format!(
            "src of shape {} cannot be broadcast to self of shape {}",
            shape_str(&src.shape),
            shape_str(&this.shape)
        ));
    }
    Ok(vec![this.clone()])
}

/// `gather`: integer `index` of the input's rank; result has `index`'s shape.
pub fn gather(a: &Args) -> Inferred {
    let (this, index) = (a.tensor("self"), a.tensor("index"));
    require_integral(index, "index")?;
    if let (Some(r), Some(ri)) = (this.rank(), index.rank()) {
        norm_dim(a.int("dim")?, r)?;
        if r.max(1) != ri.max(1) {
            return Err(format!(
                "index must have the same rank as self ({r}), got rank {ri}"
            ));
        }
    }
    Ok(vec![TensorInfo {
        shape: index.shape.clone(),
        dtype: this.dtype,
    }])
}

/// The shape indexed by integer/bool index tensors over the leading dims of `shape`.
/// The shape of `this[indices]`: `None` entries (and dims past the last entry) are full
/// slices; the broadcast index shape replaces the indexed dims in place when they are
/// adjacent, and comes first otherwise (PyTorch's advanced indexing).
fn indexed_shape(this: &TensorInfo, indices: &[Option<&TensorInfo>]) -> Result<Shape, String> {
    let mut consumed = 0;
    let mut shapes: Vec<Shape> = Vec::new();
    // Per entry: the dims of `this` it covers and whether it is an index tensor.
    let mut spans: Vec<(usize, usize, bool)> = Vec::new();
    for (k, idx) in indices.iter().enumerate() {
        let Some(idx) = idx else {
            spans.push((consumed, 1, false));
            consumed += 1;
            continue;
        };
        let rank = idx.rank();
        let width = match idx.dtype {
            DType::Bool => {
                shapes.push(Some(vec![Dim::Dynamic]));
                rank.unwrap_or(1)
            }
            d if d.is_integral() => {
                shapes.push(idx.shape.clone());
                1
            }
            d => {
                return Err(format!(
                    "index {k} must be an integer or bool tensor, got {d}"
                ));
            }
        };
        spans.push((consumed, width, true));
        consumed += width;
    }
    let Some(s) = &this.shape else {
        return Ok(None);
    };
    if consumed > s.len() {
        return Err(format!(
            "too many indices for a tensor of rank {} (got {consumed})",
            s.len()
        ));
    }
    let refs: Vec<&Shape> = shapes.iter().collect();
    let Some(indexed) = broadcast(&refs)? else {
        return Ok(None);
    };
    let tensor_spans: Vec<&(usize, usize, bool)> = spans.iter().filter(|t| t.2).collect();
    let (Some(first), Some(last)) = (tensor_spans.first(), tensor_spans.last()) else {
        return Ok(Some(s.clone()));
    };
    let adjacent = tensor_spans.windows(2).all(|w| w[1].0 == w[0].0 + w[0].1);
    let sliced = |range: std::ops::Range<usize>| {
        range.filter(|&d| !tensor_spans.iter().any(|t| (t.0..t.0 + t.1).contains(&d)))
    };
    let mut out: Vec<Dim> = Vec::new();
    if adjacent {
        out.extend_from_slice(&s[..first.0]);
        out.extend_from_slice(&indexed);
        out.extend_from_slice(&s[last.0 + last.1..]);
    } else {
        out.extend_from_slice(&indexed);
        out.extend(sliced(0..s.len()).map(|d| s[d]));
    }
    Ok(Some(out))
}

/// `index.Tensor`: advanced indexing with index tensors for the leading dims.
pub fn index(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let shape = indexed_shape(this, &a.opt_tensor_list("indices"))?;
    Ok(vec![TensorInfo {
        shape,
        dtype: this.dtype,
    }])
}

/// `index_put` / `index_put_`: `values` of `self`'s dtype; the result is `self`'s type.
pub fn index_put(a: &Args) -> Inferred {
    let (this, values) = (a.tensor("self"), a.tensor("values"));
    same_dtype(this, values, "self and values")?;
    let target = indexed_shape(this, &a.opt_tensor_list("indices"))?;
    broadcast(&[&target, &values.shape]).map_err(|_| {
        format!(
            "values of shape {} cannot be broadcast to the indexed shape {}",
            shape_str(&values.shape),
            shape_str(&target)
        )
    })?;
    Ok(vec![this.clone()])
}

// ----- softmax ------------------------------------------------------------------------

/// `_softmax` / `_log_softmax` (`half_to_float`) and `softmax.int` / `log_softmax.int`
/// (`dtype`): same shape, float dtype.
pub fn softmax(a: &Args) -> Inferred {
    let this = a.tensor("self");
    if let Some(r) = this.rank() {
        norm_dim(a.int("dim")?, r)?;
    }
    let dtype = if a.has("half_to_float") {
        require_float(this, "self")?;
        match (a.opt_bool("half_to_float"), this.dtype) {
            (Some(true), DType::F16 | DType::BF16) => DType::F32,
            (Some(true), d) => {
                return Err(format!(
                    "half_to_float conversion is supported for f16 and bf16 inputs only, got {d}"
                ));
            }
            (_, d) => d,
        }
    } else {
        let d = a.opt_dtype("dtype").unwrap_or(this.dtype);
        if !d.is_float() {
            return Err(format!("softmax needs a floating-point dtype, got {d}"));
        }
        d
    };
    Ok(vec![TensorInfo {
        shape: this.shape.clone(),
        dtype,
    }])
}

/// `_softmax_backward_data` / `_log_softmax_backward_data`: the gradient of the input,
/// in `input_dtype`.
pub fn softmax_backward(a: &Args) -> Inferred {
    let (grad, out) = (a.tensor("grad_output"), a.tensor("output"));
    if !shapes_agree(&grad.shape, &out.shape) {
        return Err(format!(
            "grad_output of shape {} and output of shape {} must have the same shape",
            shape_str(&grad.shape),
            shape_str(&out.shape)
        ));
    }
    if let Some(r) = grad.rank() {
        norm_dim(a.int("dim")?, r)?;
    }
    let dtype = a
        .opt_dtype("input_dtype")
        .ok_or("'input_dtype' must not be None")?;
    Ok(vec![TensorInfo {
        shape: grad.shape.clone(),
        dtype,
    }])
}

// ----- losses -------------------------------------------------------------------------

/// Checks `self`/`target`/`weight` of an NLL loss; returns the `[N]` output shape of
/// `reduction = none` on a batch, else `()`.
fn nll_shapes(a: &Args) -> Result<Vec<Dim>, String> {
    let (this, target) = (a.tensor("self"), a.tensor("target"));
    require_integral(target, "target")?;
    let reduction = a.int("reduction")?;
    if !(0..=2).contains(&reduction) {
        return Err(format!(
            "reduction must be 0 (none), 1 (mean) or 2 (sum), got {reduction}"
        ));
    }
    let s = ranked(this, "self", &[1, 2])?;
    let ts = ranked(target, "target", &[0, 1])?;
    if let (Some(s), Some(ts)) = (s, ts) {
        if ts.len() + 1 != s.len() {
            return Err(format!(
                "target of shape {} does not match self of shape {} (expected rank {})",
                shape_str(&target.shape),
                shape_str(&this.shape),
                s.len() - 1
            ));
        }
        if s.len() == 2 && !dims_agree(s[0], ts[0]) {
            return Err(format!(
                "size mismatch (got self {}, target {})",
                shape_str(&this.shape),
                shape_str(&target.shape)
            ));
        }
    }
    if let (Some(w), Some(s)) = (a.opt_tensor("weight"), s)
        && let Some(ws) = &w.shape
        && (ws.len() != 1 || !dims_agree(ws[0], s[s.len() - 1]))
    {
        return Err(format!(
            "weight must have one element per class ({}), got shape {}",
            dim_str(s[s.len() - 1]),
            shape_str(&w.shape)
        ));
    }
    Ok(match s {
        Some(s) if s.len() == 2 && reduction == 0 => vec![s[0]],
        None if reduction == 0 => vec![Dim::Dynamic],
        _ => Vec::new(),
    })
}

/// `nll_loss_forward`: `(output, total_weight)`.
pub fn nll_loss_forward(a: &Args) -> Inferred {
    let out = nll_shapes(a)?;
    let dtype = a.tensor("self").dtype;
    Ok(vec![
        TensorInfo::new(out, dtype),
        TensorInfo::new(Vec::new(), dtype),
    ])
}

/// `nll_loss_backward`: the gradient of `self`; `grad_output` has the output's shape.
pub fn nll_loss_backward(a: &Args) -> Inferred {
    let out = Some(nll_shapes(a)?);
    let grad = a.tensor("grad_output");
    if !shapes_agree(&grad.shape, &out) {
        return Err(format!(
            "grad_output must have shape {}, got {}",
            shape_str(&out),
            shape_str(&grad.shape)
        ));
    }
    Ok(vec![a.tensor("self").clone()])
}

// ----- normalization ------------------------------------------------------------------

/// Checks `normalized_shape` against the input; returns the mean/rstd shape.
fn layer_norm_stats(a: &Args, input: &TensorInfo) -> Result<Shape, String> {
    let normalized = a.ints("normalized_shape")?;
    if normalized.is_empty() {
        return Err("normalized_shape must have at least one dimension".into());
    }
    let norm = Some(static_shape(normalized, "normalized_shape")?);
    for name in ["weight", "bias"] {
        if let Some(t) = a.opt_tensor(name)
            && !shapes_agree(&t.shape, &norm)
        {
            return Err(format!(
                "{name} of shape {} must have the normalized shape {}",
                shape_str(&t.shape),
                shape_str(&norm)
            ));
        }
    }
    let Some(s) = &input.shape else {
        return Ok(None);
    };
    let axis = s.len().checked_sub(normalized.len());
    let matches = axis.is_some_and(|axis| {
        s[axis..]
            .iter()
            .zip(normalized)
            .all(|(&d, &n)| dims_agree(d, Dim::Static(n as u64)))
    });
    let Some(axis) = axis.filter(|_| matches) else {
        return Err(format!(
            "normalized_shape {} does not match the trailing dims of input shape {}",
            list_str(normalized),
            shape_str(&input.shape)
        ));
    };
    let mut stats = s[..axis].to_vec();
    stats.extend(std::iter::repeat_n(Dim::Static(1), normalized.len()));
    Ok(Some(stats))
}

/// `native_layer_norm`: `(out, mean, rstd)`; the statistics keep the leading dims.
pub fn native_layer_norm(a: &Args) -> Inferred {
    let input = a.tensor("input");
    require_float(input, "input")?;
    let stats = TensorInfo {
        shape: layer_norm_stats(a, input)?,
        dtype: input.dtype,
    };
    Ok(vec![input.clone(), stats.clone(), stats])
}

/// `native_layer_norm_backward`: `(grad_input, grad_weight, grad_bias)`.
pub fn native_layer_norm_backward(a: &Args) -> Inferred {
    let (grad, input) = (a.tensor("grad_out"), a.tensor("input"));
    if !shapes_agree(&grad.shape, &input.shape) {
        return Err(format!(
            "grad_out of shape {} must have the input's shape {}",
            shape_str(&grad.shape),
            shape_str(&input.shape)
        ));
    }
    let stats = layer_norm_stats(a, input)?;
    for name in ["mean", "rstd"] {
        let t = a.tensor(name);
        if !shapes_agree(&t.shape, &stats) {
            return Err(format!(
                "{name} of shape {} must have shape {}",
                shape_str(&t.shape),
                shape_str(&stats)
            ));
        }
    }
    let norm = static_shape(a.ints("normalized_shape")?, "normalized_shape")?;
    let param = |name: &str| {
        TensorInfo::new(
            norm.clone(),
            a.opt_tensor(name).map_or(input.dtype, |t| t.dtype),
        )
    };
    Ok(vec![input.clone(), param("weight"), param("bias")])
}

/// The channel count of a batch-norm input, after checking per-channel operands.
fn batch_norm_channels(a: &Args, input: &TensorInfo, per_channel: &[&str]) -> Result<Dim, String> {
    let c = match &input.shape {
        Some(s) if s.len() >= 2 => s[1],
        Some(s) => {
            return Err(format!(
                "input must have rank >= 2 (N, C, ...), got shape {}",
                shape_str(&Some(s.clone()))
            ));
        }
        None => Dim::Dynamic,
    };
    for &name in per_channel {
        if a.has(name)
            && let Some(t) = a.opt_tensor(name)
            && !shapes_agree(&t.shape, &Some(vec![c]))
        {
            return Err(format!(
                "{name} must have one element per channel ({}), got shape {}",
                dim_str(c),
                shape_str(&t.shape)
            ));
        }
    }
    Ok(c)
}

/// `native_batch_norm`, `_native_batch_norm_legit_functional` and
/// `_native_batch_norm_legit_no_training`: `(out, save_mean, save_rstd[, running_mean_out,
/// running_var_out])`; outside training the saved statistics are empty (`[0]`), as on CPU.
pub fn batch_norm(a: &Args) -> Inferred {
    let input = a.tensor("input");
    require_float(input, "input")?;
    let c = batch_norm_channels(a, input, &["weight", "bias", "running_mean", "running_var"])?;
    let training = a.has("training") && a.opt_bool("training").unwrap_or(false);
    let saved = TensorInfo::new(vec![if training { c } else { Dim::Static(0) }], input.dtype);
    let mut out = vec![input.clone(), saved.clone(), saved];
    for name in ["running_mean", "running_var"]
        .iter()
        .take(a.schema.returns.len() - 3)
    {
        let dtype = a.opt_tensor(name).map_or(input.dtype, |t| t.dtype);
        out.push(TensorInfo::new(vec![c], dtype));
    }
    Ok(out)
}

/// `native_batch_norm_backward`: `(grad_input, grad_weight, grad_bias)`.
pub fn batch_norm_backward(a: &Args) -> Inferred {
    let (grad, input) = (a.tensor("grad_out"), a.tensor("input"));
    if !shapes_agree(&grad.shape, &input.shape) {
        return Err(format!(
            "grad_out of shape {} must have the input's shape {}",
            shape_str(&grad.shape),
            shape_str(&input.shape)
        ));
    }
    let c = batch_norm_channels(a, input, &["weight", "running_mean", "running_var"])?;
    let dtype = a.opt_tensor("weight").map_or(input.dtype, |w| w.dtype);
    let param = TensorInfo::new(vec![c], dtype);
    Ok(vec![input.clone(), param.clone(), param])
}

// ----- convolution and pooling --------------------------------------------------------

/// A per-spatial-dim parameter: `n` values, or one repeated.
fn spatial_param(
    a: &Args,
    name: &str,
    n: usize,
    empty_default: Option<&[i64]>,
) -> Result<Vec<i64>, String> {
    let v = a.ints(name)?;
    match (v.len(), empty_default) {
        (0, Some(d)) => Ok(d.to_vec()),
        (1, _) => Ok(vec![v[0]; n]),
        (len, _) if len == n => Ok(v.to_vec()),
        (len, _) => Err(format!("{name} must have 1 or {n} elements, got {len}")),
    }
}

/// The output shape of a convolution, after checking input, weight and bias.
fn conv_output(a: &Args, input: &TensorInfo, weight: &TensorInfo) -> Result<Shape, String> {
    let ws = weight.shape.as_deref();
    let spatial = match (ws, input.rank()) {
        (Some(w), _) if w.len() >= 3 => w.len() - 2,
        (Some(w), _) => {
            return Err(format!(
                "weight must have rank >= 3 (out channels, in channels, kernel...), got shape {}",
                shape_str(&Some(w.to_vec()))
            ));
        }
        (None, Some(r)) if r >= 3 => r - 2,
        (None, _) => return Ok(None),
    };
    let stride = spatial_param(a, "stride", spatial, None)?;
    let padding = spatial_param(a, "padding", spatial, None)?;
    let dilation = spatial_param(a, "dilation", spatial, None)?;
    let output_padding = spatial_param(a, "output_padding", spatial, Some(&vec![0; spatial]))?;
    let groups = a.int("groups")?;
    if groups <= 0 {
        return Err(format!("groups must be positive, got {groups}"));
    }
    if stride.iter().any(|&s| s <= 0)
        || dilation.iter().any(|&d| d <= 0)
        || padding.iter().any(|&p| p < 0)
    {
        return Err(format!(
            "stride {} and dilation {} must be positive and padding {} non-negative",
            list_str(&stride),
            list_str(&dilation),
            list_str(&padding)
        ));
    }
    let transposed = a.opt_bool("transposed").unwrap_or(false);
    let Some(w) = ws else { return Ok(None) };
    let Some(s) = &input.shape else {
        return Ok(None);
    };
    let batched = match s.len() {
        r if r == spatial + 2 => true,
        r if r == spatial + 1 => false,
        _ => {
            return Err(format!(
                "input of shape {} does not fit weight of shape {} (expected rank {} or {})",
                shape_str(&input.shape),
                shape_str(&weight.shape),
                spatial + 1,
                spatial + 2
            ));
        }
    };
    let ch = s[usize::from(batched)];
    let g = groups as u64;
    let (expect_in, out_ch) = if transposed {
        (
            w[0],
            w[1].extent().map_or(Dim::Dynamic, |n| Dim::Static(n * g)),
        )
    } else {
        (
            w[1].extent().map_or(Dim::Dynamic, |n| Dim::Static(n * g)),
            w[0],
        )
    };
    if !dims_agree(ch, expect_in) {
        return Err(format!(
            "input of shape {} has {} channels, but weight of shape {} with groups={groups} \
             expects {}",
            shape_str(&input.shape),
            dim_str(ch),
            shape_str(&weight.shape),
            dim_str(expect_in)
        ));
    }
    if let Some(b) = a.has("bias").then(|| a.opt_tensor("bias")).flatten()
        && !shapes_agree(&b.shape, &Some(vec![out_ch]))
    {
        return Err(format!(
            "bias must have one element per output channel ({}), got shape {}",
            dim_str(out_ch),
            shape_str(&b.shape)
        ));
    }
    let mut out = Vec::new();
    if batched {
        out.push(s[0]);
    }
    out.push(out_ch);
    for i in 0..spatial {
        let (x, k) = (s[s.len() - spatial + i], w[2 + i]);
        let extent = match (x.extent(), k.extent()) {
            (Some(x), Some(k)) => {
                // In i128: attributes near i64's limits must not overflow the arithmetic.
                let (x, k) = (i128::from(x), i128::from(k));
                let (st, pad, dil) = (
                    i128::from(stride[i]),
                    i128::from(padding[i]),
                    i128::from(dilation[i]),
                );
                let n = if transposed {
                    (x - 1) * st - 2 * pad + dil * (k - 1) + i128::from(output_padding[i]) + 1
                } else {
                    (x + 2 * pad - dil * (k - 1) - 1).div_euclid(st) + 1
                };
                let n = i64::try_from(n).map_err(|_| {
                    format!("the computed output size {n} of spatial dim {i} is too large")
                })?;
                if n <= 0 {
                    return Err(format!(
                        "the computed output size {n} of spatial dim {i} is too small \
                         (input {x}, kernel {k})"
                    ));
                }
                Dim::Static(n as u64)
            }
            _ => Dim::Dynamic,
        };
        out.push(extent);
    }
    Ok(Some(out))
}

/// `convolution`: N-d, grouped, dilated, optionally transposed.
pub fn convolution(a: &Args) -> Inferred {
    let (input, weight) = (a.tensor("input"), a.tensor("weight"));
    same_dtype(input, weight, "input and weight")?;
    Ok(vec![TensorInfo {
        shape: conv_output(a, input, weight)?,
        dtype: input.dtype,
    }])
}

/// `convolution_backward`: `(grad_input, grad_weight, grad_bias)`; `grad_output` has the
/// forward output's shape.
pub fn convolution_backward(a: &Args) -> Inferred {
    let (grad, input, weight) = (
        a.tensor("grad_output"),
        a.tensor("input"),
        a.tensor("weight"),
    );
    same_dtype(input, weight, "input and weight")?;
    let out = conv_output(a, input, weight)?;
    if !shapes_agree(&grad.shape, &out) {
        return Err(format!(
            "grad_output of shape {} must have the convolution's output shape {}",
            shape_str(&grad.shape),
            shape_str(&out)
        ));
    }
    let out_ch = match a.opt_ints("bias_sizes") {
        Some(b) => static_shape(b, "bias_sizes")?,
        None => vec![match (&weight.shape, a.opt_bool("transposed")) {
            (Some(w), Some(false)) => w[0],
            (Some(w), _) => w[1].extent().map_or(Dim::Dynamic, |n| {
                Dim::Static(n * a.int("groups").unwrap_or(1) as u64)
            }),
            (None, _) => Dim::Dynamic,
        }],
    };
    Ok(vec![
        input.clone(),
        weight.clone(),
        TensorInfo::new(out_ch, grad.dtype),
    ])
}

/// The number of spatial dims of a pooling op (2 for `avg_pool2d`, 3 for `avg_pool3d`).
fn pool_dims(a: &Args) -> usize {
    a.schema.pool_dims().unwrap_or(2)
}

/// The output shape of `max_pool{2,3}d_with_indices` and `avg_pool{2,3}d` (PyTorch's
/// `pooling_output_shape`; average pooling has no dilation) on a batched or unbatched
/// input.
fn pool_output(a: &Args, this: &TensorInfo) -> Result<Shape, String> {
    let n = pool_dims(a);
    let kernel = spatial_param(a, "kernel_size", n, None)?;
    let stride = spatial_param(a, "stride", n, Some(&kernel))?;
    let padding = spatial_param(a, "padding", n, None)?;
    let dilation = if a.has("dilation") {
        spatial_param(a, "dilation", n, None)?
    } else {
        vec![1; n]
    };
    let ceil = a.opt_bool("ceil_mode").unwrap_or(false);
    for i in 0..n {
        if kernel[i] <= 0 || stride[i] <= 0 || dilation[i] <= 0 {
            return Err(format!(
                "kernel_size {}, stride {} and dilation {} must be positive",
                list_str(&kernel),
                list_str(&stride),
                list_str(&dilation)
            ));
        }
        if padding[i] < 0 || padding[i] > kernel[i] / 2 {
            return Err(format!(
                "pad should be at most half of the kernel size, but got pad={} and kernel_size={}",
                padding[i], kernel[i]
            ));
        }
    }
    let Some(s) = ranked(this, "self", &[n + 1, n + 2])? else {
        return Ok(None);
    };
    let mut out = s.to_vec();
    let rank = s.len();
    for i in 0..n {
        let Dim::Static(x) = s[rank - n + i] else {
            continue;
        };
        let (x, k, st, p, d) = (x as i64, kernel[i], stride[i], padding[i], dilation[i]);
        let num = x + 2 * p - d * (k - 1) - 1 + if ceil { st - 1 } else { 0 };
        let mut size = num.div_euclid(st) + 1;
        if ceil && (size - 1) * st >= x + p {
            size -= 1;
        }
        if size <= 0 {
            return Err(format!(
                "the computed output size {size} of spatial dim {i} is too small (input {x}, kernel {k})"
            ));
        }
        out[rank - n + i] = Dim::Static(size as u64);
    }
    Ok(Some(out))
}

/// `max_pool{2,3}d_with_indices`: `(values, i64 indices)`.
pub fn max_pool(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let shape = pool_output(a, this)?;
    Ok(vec![
        TensorInfo {
            shape: shape.clone(),
            dtype: this.dtype,
        },
        TensorInfo {
            shape,
            dtype: DType::I64,
        },
    ])
}

/// `max_pool{2,3}d_with_indices_backward`: the gradient of `self`.
pub fn max_pool_backward(a: &Args) -> Inferred {
    let (grad, this, indices) = (
        a.tensor("grad_output"),
        a.tensor("self"),
        a.tensor("indices"),
    );
    let out = pool_output(a, this)?;
    for (name, t) in [("grad_output", grad), ("indices", indices)] {
        if !shapes_agree(&t.shape, &out) {
            return Err(format!(
                "{name} of shape {} must have the pooling output shape {}",
                shape_str(&t.shape),
                shape_str(&out)
            ));
        }
    }
    require_integral(indices, "indices")?;
    Ok(vec![this.clone()])
}

// ----- embedding ----------------------------------------------------------------------

/// `embedding`: rows of `weight` picked by integer `indices`.
pub fn embedding(a: &Args) -> Inferred {
    let (weight, indices) = (a.tensor("weight"), a.tensor("indices"));
    require_integral(indices, "indices")?;
    let w = ranked(weight, "weight", &[2])?;
    let shape = indices.shape.clone().map(|mut s| {
        s.push(w.map_or(Dim::Dynamic, |w| w[1]));
        s
    });
    Ok(vec![TensorInfo {
        shape,
        dtype: weight.dtype,
    }])
}

/// `embedding_dense_backward`: `[num_weights, embedding_dim]`.
pub fn embedding_dense_backward(a: &Args) -> Inferred {
    let (grad, indices) = (a.tensor("grad_output"), a.tensor("indices"));
    require_integral(indices, "indices")?;
    let n = a.int("num_weights")?;
    let rows = static_shape(&[n], "num_weights")?[0];
    let cols = grad
        .shape
        .as_ref()
        .and_then(|s| s.last().copied())
        .unwrap_or(Dim::Dynamic);
    Ok(vec![TensorInfo::new(vec![rows, cols], grad.dtype)])
}

// ----- randomness ---------------------------------------------------------------------

/// `native_dropout`: `(output, bool mask)`, `p` in `[0, 1]`.
pub fn native_dropout(a: &Args) -> Inferred {
    let input = a.tensor("input");
    require_float(input, "input")?;
    let p = a.opt_f64("p").unwrap_or(0.0);
    if !(0.0..=1.0).contains(&p) {
        return Err(format!(
            "dropout probability has to be between 0 and 1, got {p}"
        ));
    }
    Ok(vec![
        input.clone(),
        TensorInfo {
            shape: input.shape.clone(),
            dtype: DType::Bool,
        },
    ])
}

/// `native_dropout_backward`: `grad_output * mask * scale`.
pub fn dropout_backward(a: &Args) -> Inferred {
    let (grad, mask) = (a.tensor("grad_output"), a.tensor("mask"));
    require_bool(mask, "mask")?;
    if !shapes_agree(&grad.shape, &mask.shape) {
        return Err(format!(
            "grad_output of shape {} and mask of shape {} must have the same shape",
            shape_str(&grad.shape),
            shape_str(&mask.shape)
        ));
    }
    Ok(vec![grad.clone()])
}

/// `bernoulli.p`: float samples shaped like `self`.
pub fn bernoulli(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_float(this, "self")?;
    Ok(vec![this.clone()])
}

// ----- factories ----------------------------------------------------------------------

/// The dtype of a Python number without an explicit dtype.
fn scalar_default_dtype(v: &ArgValue) -> DType {
    match v {
        ArgValue::Bool(_) => DType::Bool,
        ArgValue::Int(_) => DType::I64,
        _ => DEFAULT_FLOAT,
    }
}

/// `full`, `zeros`, `ones`, `empty`, `rand`, `randn`: shape `size`; the dtype is `dtype`,
/// else `fill_value`'s kind, else the default float.
pub fn full(a: &Args) -> Inferred {
    let shape = static_shape(a.ints("size")?, "size")?;
    let dtype = match a.opt_dtype("dtype") {
        Some(d) => d,
        None if a.has("fill_value") => scalar_default_dtype(a.value("fill_value")),
        None => DEFAULT_FLOAT,
    };
    if matches!(a.schema.name.as_str(), "rand" | "randn") && !dtype.is_float() {
        return Err(format!(
            "{} needs a floating-point dtype, got {dtype}",
            a.schema.name
        ));
    }
    Ok(vec![TensorInfo::new(shape, dtype)])
}

/// `scalar_tensor`: rank 0, default float dtype.
pub fn scalar_tensor(a: &Args) -> Inferred {
    Ok(vec![TensorInfo::new(
        Vec::new(),
        a.opt_dtype("dtype").unwrap_or(DEFAULT_FLOAT),
    )])
}

/// `arange`: `ceil((end - start) / step)` elements; integer arguments give `i64`.
pub fn arange(a: &Args) -> Inferred {
    let get = |name: &str, default: ArgValue| {
        if a.has(name) {
            a.value(name).clone()
        } else {
            default
        }
    };
    let (start, end, step) = (
        get("start", ArgValue::Int(0)),
        a.value("end").clone(),
        get("step", ArgValue::Int(1)),
    );
    let [s, e, st] = [&start, &end, &step].map(|v| v.as_f64().unwrap_or(0.0));
    if st == 0.0 {
        return Err("step must be nonzero".into());
    }
    if (st > 0.0 && e < s) || (st < 0.0 && e > s) {
        return Err(format!(
            "upper bound {e} and lower bound {s} are inconsistent with step sign {st}"
        ));
    }
    let len = ((e - s) / st).ceil() as u64;
    let dtype = a.opt_dtype("dtype").unwrap_or(
        if [&start, &end, &step]
            .iter()
            .any(|v| matches!(v, ArgValue::Float(_)))
        {
            DEFAULT_FLOAT
        } else {
            DType::I64
        },
    );
    Ok(vec![TensorInfo::new(vec![Dim::Static(len)], dtype)])
}

/// `zeros_like`, `ones_like`, `empty_like`, `full_like`: `self`'s shape, `dtype` if given.
pub fn like(a: &Args) -> Inferred {
    to_copy(a)
}

// ----- core ops beyond the families above ---------------------------------------------

/// `triu` / `tril`: a matrix or a batch of matrices, unchanged type.
pub fn triangle(a: &Args) -> Inferred {
    let this = a.tensor("self");
    if this.rank().is_some_and(|r| r < 2) {
        return Err(format!(
            "input tensor must have at least 2 dimensions, got shape {}",
            shape_str(&this.shape)
        ));
    }
    Ok(vec![this.clone()])
}

/// `constant_pad_nd`: `pad` holds (before, after) pairs for the last dims, last dim first;
/// negative amounts crop.
pub fn constant_pad(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let pad = a.ints("pad")?;
    if !pad.len().is_multiple_of(2) {
        return Err(format!("pad length must be even, got {}", pad.len()));
    }
    let Some(s) = &this.shape else {
        return Ok(vec![this.clone()]);
    };
    if pad.len() / 2 > s.len() {
        return Err(format!(
            "pad {} pads more dimensions than the input's {}",
            list_str(pad),
            s.len()
        ));
    }
    let mut out = s.clone();
    for (i, pair) in pad.chunks(2).enumerate() {
        let d = s.len() - 1 - i;
        if let Dim::Static(n) = s[d] {
            let m = n as i64 + pair[0] + pair[1];
            if m < 0 {
                return Err(format!(
                    "the padded size of dimension {d} is negative ({m})"
                ));
            }
            out[d] = Dim::Static(m as u64);
        }
    }
    Ok(vec![TensorInfo::new(out, this.dtype)])
}

/// `index_select`: `self` with dimension `dim` replaced by the length of a 0-d or 1-d
/// integer `index`.
pub fn index_select(a: &Args) -> Inferred {
    let (this, index) = (a.tensor("self"), a.tensor("index"));
    require_integral(index, "index")?;
    let len = match &index.shape {
        Some(s) if s.len() > 1 => {
            return Err(format!(
                "index must be 0-d or 1-d, got shape {}",
                shape_str(&index.shape)
            ));
        }
        Some(s) => s.first().copied().unwrap_or(Dim::Static(1)),
        None => Dim::Dynamic,
    };
    let shape = match &this.shape {
        Some(s) if s.is_empty() => {
            norm_dim(a.int("dim")?, 0)?;
            if let Dim::Static(n) = len
                && n != 1
            {
                return Err(format!(
                    "index_select(): index to a 0-d tensor can have only 1 value, got {n}"
                ));
            }
            Some(Vec::new())
        }
        Some(s) => {
            let d = norm_dim(a.int("dim")?, s.len())?;
            let mut s = s.clone();
            s[d] = len;
            Some(s)
        }
        None => None,
    };
    Ok(vec![TensorInfo {
        shape,
        dtype: this.dtype,
    }])
}

/// `scatter`, `scatter_add`, `scatter_reduce`: `self`'s type; an integer `index` of
/// `self`'s rank, and a `src` of `self`'s dtype.
pub fn scatter(a: &Args) -> Inferred {
    let (this, index) = (a.tensor("self"), a.tensor("index"));
    require_integral(index, "index")?;
    if let (Some(r), Some(ri)) = (this.rank(), index.rank()) {
        norm_dim(a.int("dim")?, r)?;
        if r.max(1) != ri.max(1) {
            return Err(format!(
                "index must have the same rank as self ({r}), got rank {ri}"
            ));
        }
    }
    if let Some(src) = a.has("src").then(|| a.tensor("src")) {
        same_dtype(this, src, "self and src")?;
    }
    if let Some(r) = a.opt_str("reduce")
        && !matches!(r, "sum" | "prod" | "mean" | "amax" | "amin")
    {
        return Err(format!(
            "reduce argument must be either sum, prod, mean, amax or amin, got {r}"
        ));
    }
    Ok(vec![this.clone()])
}

/// `native_group_norm`: the output, and per-(sample, group) mean and rstd.
pub fn group_norm(a: &Args) -> Inferred {
    let input = a.tensor("input");
    require_float(input, "input")?;
    let (n, group) = (a.int("N")?, a.int("group")?);
    let c = a.int("C")?;
    if group <= 0 || c % group != 0 {
        return Err(format!(
            "expected the number of channels ({c}) to be divisible by the number of groups ({group})"
        ));
    }
    let stats = TensorInfo::new(static_shape(&[n, group], "[N, group]")?, input.dtype);
    Ok(vec![input.clone(), stats.clone(), stats])
}

/// `native_group_norm_backward`: the input's grad and the `[C]` grads of weight and bias.
pub fn group_norm_backward(a: &Args) -> Inferred {
    let input = a.tensor("input");
    require_float(input, "input")?;
    let param = TensorInfo::new(static_shape(&[a.int("C")?], "[C]")?, input.dtype);
    Ok(vec![input.clone(), param.clone(), param])
}

/// Pointwise losses (`mse_loss`, `smooth_l1_loss`, `binary_cross_entropy_with_logits`):
/// the broadcast of `self` and `target` with reduction 0 (`none`), else a scalar.
pub fn loss(a: &Args) -> Inferred {
    let out = activation(a)?;
    match a.int("reduction")? {
        0 => Ok(out),
        1 | 2 => Ok(vec![TensorInfo::new(Vec::new(), out[0].dtype)]),
        r => Err(format!("reduction must be 0, 1 or 2, got {r}")),
    }
}

/// The backward of a pointwise loss: `self`'s type.
pub fn loss_backward(a: &Args) -> Inferred {
    let this = a.tensor("self");
    activation(a)?;
    Ok(vec![this.clone()])
}

/// `unbind`: one result per index of `dim`, without that dimension.
pub fn unbind(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let Some(s) = &this.shape else {
        return Err("cannot infer the number of results of unbinding an unranked tensor".into());
    };
    if s.is_empty() {
        return Err("unbind() cannot be applied to a 0-dim tensor".into());
    }
    let d = norm_dim(a.int("dim")?, s.len())?;
    let Dim::Static(n) = s[d] else {
        return Err(format!(
            "cannot infer the number of results: dimension {d} is dynamic"
        ));
    };
    let mut part = s.clone();
    part.remove(d);
    Ok(vec![TensorInfo::new(part, this.dtype); n as usize])
}

/// `new_zeros`: shape `size`, `self`'s dtype unless `dtype` is given.
pub fn new_factory(a: &Args) -> Inferred {
    let shape = static_shape(a.ints("size")?, "size")?;
    let dtype = a.opt_dtype("dtype").unwrap_or(a.tensor("self").dtype);
    Ok(vec![TensorInfo::new(shape, dtype)])
}

/// `repeat`: `repeats` has at least `self`'s rank; `self` is aligned right and each dim
/// multiplied.
pub fn repeat(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let reps = a.ints("repeats")?;
    let Some(s) = &this.shape else {
        return Ok(vec![TensorInfo {
            shape: None,
            dtype: this.dtype,
        }]);
    };
    if reps.len() < s.len() {
        return Err(format!(
            "number of dimensions of repeat dims ({}) can not be smaller than number of dimensions of tensor ({})",
            reps.len(),
            s.len()
        ));
    }
    let lead = reps.len() - s.len();
    let mut out = Vec::with_capacity(reps.len());
    for (i, &r) in reps.iter().enumerate() {
        if r < 0 {
            return Err(format!("repeats must be non-negative, got {r}"));
        }
        out.push(match (i < lead, i.checked_sub(lead).map(|j| s[j])) {
            (true, _) => Dim::Static(r as u64),
            (false, Some(Dim::Static(n))) => Dim::Static(n * r as u64),
            _ => Dim::Dynamic,
        });
    }
    Ok(vec![TensorInfo::new(out, this.dtype)])
}

/// `slice_backward`: a tensor of `input_sizes` with `grad_output`'s dtype.
pub fn slice_backward(a: &Args) -> Inferred {
    let shape = static_shape(a.ints("input_sizes")?, "input_sizes")?;
    Ok(vec![TensorInfo::new(shape, a.tensor("grad_output").dtype)])
}

/// `linspace`: `steps` values, the default float dtype unless `dtype` says otherwise.
pub fn linspace(a: &Args) -> Inferred {
    let steps = a.int("steps")?;
    if steps < 0 {
        return Err(format!("number of steps must be non-negative, got {steps}"));
    }
    let dtype = a.opt_dtype("dtype").unwrap_or(DEFAULT_FLOAT);
    Ok(vec![TensorInfo::of(&[steps as u64], dtype)])
}

/// `avg_pool{2,3}d`: the pooled shape, `self`'s float dtype.
pub fn avg_pool(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_float(this, "self")?;
    if let Some(d) = a.opt_int("divisor_override")
        && d == 0
    {
        return Err("divisor must be not zero".into());
    }
    Ok(vec![TensorInfo {
        shape: pool_output(a, this)?,
        dtype: this.dtype,
    }])
}

/// `avg_pool{2,3}d_backward`: `self`'s type; `grad_output` has the pooled shape.
pub fn avg_pool_backward(a: &Args) -> Inferred {
    let (grad, this) = (a.tensor("grad_output"), a.tensor("self"));
    let out = pool_output(a, this)?;
    if !shapes_agree(&grad.shape, &out) {
        return Err(format!(
            "grad_output of shape {} must have the pooling output shape {}",
            shape_str(&grad.shape),
            shape_str(&out)
        ));
    }
    Ok(vec![this.clone()])
}

/// `_adaptive_avg_pool{2,3}d`: the last `N` dims become `output_size`.
pub fn adaptive_avg_pool(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_float(this, "self")?;
    let n = pool_dims(a);
    let size = a.ints("output_size")?;
    if size.len() != n || size.iter().any(|&d| d < 0) {
        return Err(format!(
            "output_size must be {n} non-negative sizes, got {}",
            list_str(size)
        ));
    }
    let shape = ranked(this, "self", &[n + 1, n + 2])?.map(|s| {
        let mut s = s.to_vec();
        let r = s.len();
        for (d, &len) in s[r - n..].iter_mut().zip(size) {
            *d = Dim::Static(len as u64);
        }
        s
    });
    Ok(vec![TensorInfo {
        shape,
        dtype: this.dtype,
    }])
}

/// `_adaptive_avg_pool{2,3}d_backward`: `self`'s type; `grad_output` has `self`'s rank
/// and leading dims.
pub fn adaptive_avg_pool_backward(a: &Args) -> Inferred {
    let (grad, this) = (a.tensor("grad_output"), a.tensor("self"));
    same_dtype(grad, this, "grad_output and self")?;
    require_float(this, "self")?;
    let n = pool_dims(a);
    if let (Some(g), Some(s)) = (&grad.shape, &this.shape) {
        let r = s.len();
        if g.len() != r
            || r < n + 1
            || !shapes_agree(&Some(g[..r - n].to_vec()), &Some(s[..r - n].to_vec()))
        {
            return Err(format!(
                "grad_output of shape {} does not match self of shape {}",
                shape_str(&grad.shape),
                shape_str(&this.shape)
            ));
        }
    }
    Ok(vec![this.clone()])
}

/// The number of sliding blocks along each of the two spatial dims of `im2col` and
/// `col2im` over an image of `size` (PyTorch's check: `kernel_size`, `dilation` and
/// `stride` positive, `padding` non-negative, at least one block per dim).
fn sliding_blocks(a: &Args, size: [Option<u64>; 2]) -> Result<[Option<u64>; 2], String> {
    let kernel = spatial_param(a, "kernel_size", 2, None)?;
    let dilation = spatial_param(a, "dilation", 2, None)?;
    let padding = spatial_param(a, "padding", 2, None)?;
    let stride = spatial_param(a, "stride", 2, None)?;
    for (name, v, min) in [
        ("kernel_size", &kernel, 1),
        ("dilation", &dilation, 1),
        ("padding", &padding, 0),
        ("stride", &stride, 1),
    ] {
        if v.iter().any(|&x| x < min) {
            return Err(format!(
                "{name} should be greater than zero, but got {}",
                list_str(v)
            ));
        }
    }
    let mut blocks = [None; 2];
    for i in 0..2 {
        let Some(x) = size[i] else { continue };
        let n = (x as i64 + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1)
            .div_euclid(stride[i])
            + 1;
        if n <= 0 {
            return Err(format!(
                "given an image of spatial size {}, kernel_size={}, dilation={}, padding={}, stride={}, \
                 the sliding blocks number {n} along dim {i}, but must be at least one",
                dim_str(Dim::Static(x)),
                list_str(&kernel),
                list_str(&dilation),
                list_str(&padding),
                list_str(&stride)
            ));
        }
        blocks[i] = Some(n as u64);
    }
    Ok(blocks)
}

/// `im2col`: `[N, C, H, W]` (or `[C, H, W]`) to `[N, C * KH * KW, L]` (or without `N`),
/// `L` the number of sliding blocks.
pub fn im2col(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let kernel = spatial_param(a, "kernel_size", 2, None)?;
    let Some(s) = ranked(this, "self", &[3, 4])? else {
        sliding_blocks(a, [None, None])?;
        return Ok(vec![TensorInfo {
            shape: None,
            dtype: this.dtype,
        }]);
    };
    let r = s.len();
    if s[r - 3..].contains(&Dim::Static(0)) {
        return Err(format!(
            "expected a 3-d or 4-d (batch mode) input with non-zero dims but for the batch, got shape {}",
            shape_str(&this.shape)
        ));
    }
    let blocks = sliding_blocks(a, [s[r - 2].extent(), s[r - 1].extent()])?;
    let mut out = s[..r - 3].to_vec();
    out.push(s[r - 3].extent().map_or(Dim::Dynamic, |c| {
        Dim::Static(c * (kernel[0] * kernel[1]) as u64)
    }));
    out.push(match blocks {
        [Some(h), Some(w)] => Dim::Static(h * w),
        _ => Dim::Dynamic,
    });
    Ok(vec![TensorInfo::new(out, this.dtype)])
}

/// `col2im`: `[N, C * KH * KW, L]` (or `[C * KH * KW, L]`) to `[N, C, output_size...]`;
/// `L` must be the number of sliding blocks over `output_size`.
pub fn col2im(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let kernel = spatial_param(a, "kernel_size", 2, None)?;
    let size = a.ints("output_size")?;
    if size.len() != 2 || size.iter().any(|&d| d <= 0) {
        return Err(format!(
            "output_size should be 2 sizes greater than zero, but got {}",
            list_str(size)
        ));
    }
    let blocks = sliding_blocks(a, [Some(size[0] as u64), Some(size[1] as u64)])?;
    let Some(s) = ranked(this, "self", &[2, 3])? else {
        return Ok(vec![TensorInfo {
            shape: None,
            dtype: this.dtype,
        }]);
    };
    let r = s.len();
    let taps = (kernel[0] * kernel[1]) as u64;
    let channels = match s[r - 2] {
        Dim::Static(n) if n == 0 || n % taps != 0 => {
            return Err(format!(
                "expected the size of the input's first non-batch dim to be divisible by the \
                 product of kernel_size, but got shape {} and kernel_size={}",
                shape_str(&this.shape),
                list_str(&kernel)
            ));
        }
        Dim::Static(n) => Dim::Static(n / taps),
        Dim::Dynamic => Dim::Dynamic,
    };
    let l = blocks[0].zip(blocks[1]).map(|(h, w)| h * w);
    if let (Dim::Static(got), Some(want)) = (s[r - 1], l)
        && got != want
    {
        return Err(format!(
            "given output_size={}, kernel_size={}, expected input.size(-1) to be {want} but got {got}",
            list_str(size),
            list_str(&kernel)
        ));
    }
    let mut out = s[..r - 2].to_vec();
    out.push(channels);
    out.extend(size.iter().map(|&d| Dim::Static(d as u64)));
    Ok(vec![TensorInfo::new(out, this.dtype)])
}

/// `reflection_pad{1,2}d` / `replication_pad2d`: the last `padding.len() / 2` dims grow by
/// their (before, after) pairs (last dim first); reflection pads stay below the dim size.
pub fn index_pad(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let pad = a.ints("padding")?;
    let k = pad.len() / 2;
    let Some(s) = ranked(this, "self", &[k + 1, k + 2])? else {
        return Ok(vec![this.clone()]);
    };
    let reflect = a.schema.name.starts_with("reflection");
    let mut out = s.to_vec();
    for (i, pair) in pad.chunks(2).enumerate() {
        let d = s.len() - 1 - i;
        if let Dim::Static(n) = s[d] {
            let n = n as i64;
            if reflect && (pair[0] >= n || pair[1] >= n) {
                return Err(format!(
                    "padding ({}, {}) must be below the input size {n} of dimension {d}",
                    pair[0], pair[1]
                ));
            }
            let m = n + pair[0] + pair[1];
            if m <= 0 || (!reflect && n == 0) {
                return Err(format!("the padded size of dimension {d} is {m}"));
            }
            out[d] = Dim::Static(m as u64);
        }
    }
    Ok(vec![TensorInfo::new(out, this.dtype)])
}

/// `upsample_nearest2d.vec` / `upsample_bilinear2d.vec`: the last two dims become
/// `output_size`, or `floor(size * scale)` with `scale_factors`; exactly one is given.
pub fn upsample2d(a: &Args) -> Inferred {
    let input = a.tensor("input");
    require_float(input, "input")?;
    let sizes = a.opt_ints("output_size");
    let scales = match a.value("scale_factors") {
        ArgValue::FloatList(v) => Some(v.clone()),
        _ => None,
    };
    let Some(s) = ranked(input, "input", &[3, 4])? else {
        return Ok(vec![input.clone()]);
    };
    let mut out = s.to_vec();
    let r = out.len();
    match (sizes, scales) {
        (Some(sz), None) if sz.len() == 2 && sz.iter().all(|&n| n > 0) => {
            out[r - 2] = Dim::Static(sz[0] as u64);
            out[r - 1] = Dim::Static(sz[1] as u64);
        }
        (None, Some(sc)) if sc.len() == 2 && sc.iter().all(|&f| f > 0.0) => {
            for i in 0..2 {
                if let Dim::Static(n) = s[r - 2 + i] {
                    out[r - 2 + i] = Dim::Static((n as f64 * sc[i]).floor() as u64);
                }
            }
        }
        _ => {
            return Err(
                "exactly one of output_size (2 positive sizes) and scale_factors (2 positive factors) must be given"
                    .into(),
            );
        }
    }
    Ok(vec![TensorInfo::new(out, input.dtype)])
}

/// `diagonal`: `self` without `dim1` and `dim2`, plus the length of the diagonal at
/// `offset`.
pub fn diagonal(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let Some(s) = &this.shape else {
        return Ok(vec![this.clone()]);
    };
    if s.len() < 2 {
        return Err(format!(
            "diagonal needs at least 2 dimensions, got shape {}",
            shape_str(&this.shape)
        ));
    }
    let (d1, d2) = (
        norm_dim(a.int("dim1")?, s.len())?,
        norm_dim(a.int("dim2")?, s.len())?,
    );
    if d1 == d2 {
        return Err(format!(
            "diagonal dimensions cannot be identical {d1}, {d2}"
        ));
    }
    let offset = a.int("offset")?;
    let len = match (s[d1], s[d2]) {
        (Dim::Static(n1), Dim::Static(n2)) => {
            let (n1, n2) = (n1 as i64, n2 as i64);
            let l = if offset >= 0 {
                n1.min(n2 - offset)
            } else {
                (n1 + offset).min(n2)
            };
            Dim::Static(l.max(0) as u64)
        }
        _ => Dim::Dynamic,
    };
    let mut out: Vec<Dim> = s
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != d1 && i != d2)
        .map(|(_, &d)| d)
        .collect();
    out.push(len);
    Ok(vec![TensorInfo::new(out, this.dtype)])
}

/// `masked_scatter`: `self` and a bool `mask` broadcast to `self`'s shape; `source` of
/// `self`'s dtype.
pub fn masked_scatter(a: &Args) -> Inferred {
    let (this, mask, source) = (a.tensor("self"), a.tensor("mask"), a.tensor("source"));
    require_bool(mask, "mask")?;
    same_dtype(this, source, "self and source")?;
    let shape = broadcast(&[&this.shape, &mask.shape])?;
    Ok(vec![TensorInfo {
        shape,
        dtype: this.dtype,
    }])
}

/// `_scaled_dot_product_flash_attention_for_cpu`: 4-D `{B, H, T, K}` operands and a mask of
/// the query's dtype, as PyTorch's CPU kernel demands; the output (query's type) and the
/// log-sum-exp per query row (query's shape without the head dim).
pub fn sdpa(a: &Args) -> Inferred {
    let (q, k, v) = (a.tensor("query"), a.tensor("key"), a.tensor("value"));
    require_float(q, "query")?;
    for (name, t) in [("query", q), ("key", k), ("value", v)] {
        ranked(t, name, &[4])?;
    }
    if let Some(mask) = a.opt_tensor("attn_mask") {
        same_dtype(q, mask, "the attention mask and query")?;
    }
    same_dtype(q, k, "query and key")?;
    same_dtype(q, v, "query and value")?;
    if !shapes_agree(&k.shape, &v.shape) {
        return Err(format!(
            "key {} and value {} must have the same shape",
            shape_str(&k.shape),
            shape_str(&v.shape)
        ));
    }
    let lse = q
        .shape
        .as_ref()
        .map(|s| s[..s.len().saturating_sub(1)].to_vec());
    Ok(vec![
        q.clone(),
        TensorInfo {
            shape: lse,
            dtype: q.dtype,
        },
    ])
}

/// `_scaled_dot_product_flash_attention_for_cpu_backward`: the types of query, key and
/// value; `logsumexp` holds one value per query row, as the forward returns it.
pub fn sdpa_backward(a: &Args) -> Inferred {
    let (q, k, v) = (a.tensor("query"), a.tensor("key"), a.tensor("value"));
    require_float(q, "query")?;
    let lse = a.tensor("logsumexp");
    let rows = q
        .shape
        .as_ref()
        .map(|s| s[..s.len().saturating_sub(1)].to_vec());
    if !shapes_agree(&lse.shape, &rows) {
        return Err(format!(
            "logsumexp {} must have the query's shape without its last dim, {}",
            shape_str(&lse.shape),
            shape_str(&rows)
        ));
    }
    Ok(vec![q.clone(), k.clone(), v.clone()])
}

/// `_embedding_bag`: the `[bags, D]` output, and the bag of each index, the bag sizes and
/// the max indices in the offsets' dtype, shaped as PyTorch's CPU kernel shapes them
/// (`offset2bag` is empty on the fast path of a sum over an f32 or f16 weight with no
/// padding index).
pub fn embedding_bag(a: &Args) -> Inferred {
    let (weight, indices, offsets) = (a.tensor("weight"), a.tensor("indices"), a.tensor("offsets"));
    require_float(weight, "weight")?;
    require_integral(indices, "indices")?;
    require_integral(offsets, "offsets")?;
    let w = ranked(weight, "weight", &[2])?;
    let n = ranked(indices, "indices", &[1])?.map(|s| s[0]);
    let o = ranked(offsets, "offsets", &[1])?.map(|s| s[0]);
    let mode = a.int("mode")?;
    if !(0..=2).contains(&mode) {
        return Err(format!(
            "mode must be 0 (sum), 1 (mean) or 2 (max), got {mode}"
        ));
    }
    if a.opt_tensor("per_sample_weights").is_some() && mode != 0 {
        return Err("embedding_bag: per_sample_weights only supported with mode='sum'".into());
    }
    let bags = match (o, a.opt_bool("include_last_offset").unwrap_or(false)) {
        (Some(Dim::Static(0)), true) => {
            return Err("include_last_offset: numBags should be at least 1".into());
        }
        (Some(Dim::Static(b)), true) => Dim::Static(b - 1),
        (Some(b), false) => b,
        _ => Dim::Dynamic,
    };
    let d = w.map_or(Dim::Dynamic, |w| w[1]);
    let fast_sum =
        mode == 0 && matches!(weight.dtype, DType::F32 | DType::F16) && a.int("padding_idx")? < 0;
    let aux = offsets.dtype;
    Ok(vec![
        TensorInfo::new(vec![bags, d], weight.dtype),
        TensorInfo::new(
            vec![if fast_sum {
                Dim::Static(0)
            } else {
                n.unwrap_or(Dim::Dynamic)
            }],
            aux,
        ),
        TensorInfo::new(vec![bags], aux),
        TensorInfo::new(if mode == 2 { vec![bags, d] } else { vec![bags] }, aux),
    ])
}

/// `_embedding_bag_backward`: the dense `[num_weights, D]` gradient of the weight.
pub fn embedding_bag_backward(a: &Args) -> Inferred {
    let grad = a.tensor("grad");
    require_float(grad, "grad")?;
    let d = ranked(grad, "grad", &[2])?.map_or(Dim::Dynamic, |s| s[1]);
    let rows = a.int("num_weights")?;
    if rows < 0 {
        return Err(format!("num_weights must be non-negative, got {rows}"));
    }
    Ok(vec![TensorInfo::new(
        vec![Dim::Static(rows as u64), d],
        grad.dtype,
    )])
}

// ----- numbers read from a tensor, data-dependent shapes ------------------------------

/// `sym_size.int` / `sym_stride.int`: an `i64` number about dimension `dim` of `self`,
/// which must have one (PyTorch: "dimension specified as 0 but tensor has no dimensions").
pub fn sym_dim(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let dim = a.int("dim")?;
    if let Some(rank) = this.rank() {
        if rank == 0 {
            return Err(format!(
                "dimension specified as {dim} but tensor has no dimensions"
            ));
        }
        norm_dim(dim, rank)?;
    }
    Ok(vec![TensorInfo::new(Vec::new(), DType::I64)])
}

/// `sym_numel` / `sym_storage_offset`: an `i64` number about `self`.
pub fn sym_number(_: &Args) -> Inferred {
    Ok(vec![TensorInfo::new(Vec::new(), DType::I64)])
}

/// `_local_scalar_dense` (`Tensor.item()`): the one element of `self`, a number of its
/// dtype.
pub fn local_scalar_dense(a: &Args) -> Inferred {
    let this = a.tensor("self");
    if let Some(shape) = &this.shape
        && let Some(n) = shape.iter().map(|d| d.extent()).product::<Option<u64>>()
        && n != 1
    {
        return Err(format!(
            "a Tensor with {n} elements cannot be converted to Scalar"
        ));
    }
    Ok(vec![TensorInfo::new(Vec::new(), this.dtype)])
}

/// `nonzero`: one `i64` row of indices per nonzero element of `self`, so the number of
/// rows is known only at run time.
pub fn nonzero(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let rank = this
        .rank()
        .ok_or("nonzero needs a ranked tensor: its result has one column per dimension")?;
    Ok(vec![TensorInfo::new(
        vec![Dim::Dynamic, Dim::Static(rank as u64)],
        DType::I64,
    )])
}

/// `randperm`: a permutation of `0..n` in `dtype` (`i64` by default).
pub fn randperm(a: &Args) -> Inferred {
    let n = a.int("n")?;
    let n = u64::try_from(n).map_err(|_| format!("n must be non-negative, got {n}"))?;
    let dtype = a.opt_dtype("dtype").unwrap_or(DType::I64);
    if dtype == DType::Bool {
        return Err("randperm is not implemented for bool".into());
    }
    Ok(vec![TensorInfo::new(vec![Dim::Static(n)], dtype)])
}
