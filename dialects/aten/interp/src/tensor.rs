//! Runtime values: dense tensors of the dtypes the interpreter supports, scalars, and
//! `.npy` reading and writing.

use joinery_aten::dtype::{DType as AtenDType, promote_types};
use joinery_ir::{Context, Diagnostic, Type};
use ndarray::{ArrayD, IxDyn};
use ndarray_npy::{ReadNpyExt, WriteNpyExt};
pub use num_complex::{Complex32, Complex64};

/// The element types runtime tensors are stored in: a subset of the aten dialect's
/// [`AtenDType`] (which also names i8, i16, f16 and bf16). Complex tensors are held by
/// the ops that take them (FFTs, views of their parts, arithmetic, shape ops); every other
/// op refuses them (see `eval::COMPLEX_KERNELS`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DType {
    Bool,
    I32,
    I64,
    F32,
    F64,
    C64,
    C128,
}

impl DType {
    /// The MLIR element-type spelling (`i1`, `i32`, `i64`, `f32`, `f64`).
    pub fn keyword(self) -> &'static str {
        self.to_aten().keyword()
    }

    /// Whether this is a floating-point dtype.
    pub fn is_float(self) -> bool {
        self.to_aten().is_float()
    }

    /// The aten dialect's name for this dtype.
    pub fn to_aten(self) -> AtenDType {
        match self {
            DType::Bool => AtenDType::Bool,
            DType::I32 => AtenDType::I32,
            DType::I64 => AtenDType::I64,
            DType::F32 => AtenDType::F32,
            DType::F64 => AtenDType::F64,
            DType::C64 => AtenDType::C64,
            DType::C128 => AtenDType::C128,
        }
    }

    /// Whether this is a complex dtype.
    pub fn is_complex(self) -> bool {
        self.to_aten().is_complex()
    }

    /// The dtype of a complex dtype's parts; every other dtype is its own.
    pub fn to_real(self) -> DType {
        DType::from_aten(self.to_aten().to_real()).expect("parts of a stored dtype are stored")
    }

    /// The storage dtype for an aten dtype, or an error naming the unsupported one.
    pub fn from_aten(d: AtenDType) -> KResult<DType> {
        Ok(match d {
            AtenDType::Bool => DType::Bool,
            AtenDType::I32 => DType::I32,
            AtenDType::I64 => DType::I64,
            AtenDType::F32 => DType::F32,
            AtenDType::F64 => DType::F64,
            AtenDType::C64 => DType::C64,
            AtenDType::C128 => DType::C128,
            other => {
                return kerr(format!(
                    "the interpreter does not support {other} tensors (supported: i1, i32, i64, f32, f64, complex<f32>, complex<f64>)"
                ));
            }
        })
    }

    /// `torch.promote_types` (the aten dialect's promotion lattice).
    pub fn promote(self, other: DType) -> DType {
        DType::from_aten(promote_types(self.to_aten(), other.to_aten()))
            .expect("promotion of supported dtypes stays supported")
    }

    /// The storage dtype of a builtin element type.
    pub fn from_element_type(ctx: &Context, ty: Type) -> KResult<DType> {
        match ctx.dtype_of(ty) {
            Some(d) => DType::from_aten(d),
            None => kerr("not a tensor element type PyTorch has"),
        }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.keyword())
    }
}

/// A PyTorch `Scalar`: a number not wrapped in a tensor.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    /// The value as a float.
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as i64 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(x) => x,
        }
    }

    /// The value as an integer (floats truncate toward zero, as a C++ cast).
    pub fn to_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(x) => x as i64,
        }
    }

    /// The dtype PyTorch gives a tensor holding this scalar: bool, i64 or f64.
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => DType::F64,
        }
    }

    /// A rank-0 tensor of `dtype` holding this scalar, converted as `Tensor::cast` does.
    pub fn to_tensor(self, dtype: DType) -> Tensor {
        let t = match self {
            Scalar::Bool(b) => Tensor::Bool(ArrayD::from_elem(IxDyn(&[]), b)),
            Scalar::Int(i) => Tensor::I64(ArrayD::from_elem(IxDyn(&[]), i)),
            Scalar::Float(x) => Tensor::F64(ArrayD::from_elem(IxDyn(&[]), x)),
        };
        t.cast(dtype)
    }
}

/// A dense, row-major runtime tensor. Rank 0 is a scalar tensor.
#[derive(Clone, PartialEq, Debug)]
pub enum Tensor {
    Bool(ArrayD<bool>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
    C64(ArrayD<Complex32>),
    C128(ArrayD<Complex64>),
}

/// Applies an element-type-generic expression to the array inside a tensor and wraps the
/// result back into the same variant: `map_array!(t, a => a.t().to_owned())`.
macro_rules! map_array {
    ($t:expr, $a:ident => $e:expr) => {
        match $t {
            $crate::tensor::Tensor::Bool($a) => $crate::tensor::Tensor::Bool($e),
            $crate::tensor::Tensor::I32($a) => $crate::tensor::Tensor::I32($e),
            $crate::tensor::Tensor::I64($a) => $crate::tensor::Tensor::I64($e),
            $crate::tensor::Tensor::F32($a) => $crate::tensor::Tensor::F32($e),
            $crate::tensor::Tensor::F64($a) => $crate::tensor::Tensor::F64($e),
            $crate::tensor::Tensor::C64($a) => $crate::tensor::Tensor::C64($e),
            $crate::tensor::Tensor::C128($a) => $crate::tensor::Tensor::C128($e),
        }
    };
}
pub(crate) use map_array;

/// Applies an element-type-generic expression to the array inside a tensor.
macro_rules! with_array {
    ($t:expr, $a:ident => $e:expr) => {
        match $t {
            $crate::tensor::Tensor::Bool($a) => $e,
            $crate::tensor::Tensor::I32($a) => $e,
            $crate::tensor::Tensor::I64($a) => $e,
            $crate::tensor::Tensor::F32($a) => $e,
            $crate::tensor::Tensor::F64($a) => $e,
            $crate::tensor::Tensor::C64($a) => $e,
            $crate::tensor::Tensor::C128($a) => $e,
        }
    };
}

impl Tensor {
    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            Tensor::Bool(_) => DType::Bool,
            Tensor::I32(_) => DType::I32,
            Tensor::I64(_) => DType::I64,
            Tensor::F32(_) => DType::F32,
            Tensor::F64(_) => DType::F64,
            Tensor::C64(_) => DType::C64,
            Tensor::C128(_) => DType::C128,
        }
    }

    /// The extents.
    pub fn shape(&self) -> &[usize] {
        with_array!(self, a => a.shape())
    }

    /// The rank.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        with_array!(self, a => a.len())
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `dtype[d0, d1, ...]`, for messages.
    pub fn describe(&self) -> String {
        describe(self.dtype(), self.shape())
    }

    /// A tensor of `dtype` from f64 values in row-major order (see [`Tensor::from_f64`]).
    pub fn from_vec_f64(shape: &[usize], values: Vec<f64>, dtype: DType) -> Tensor {
        Tensor::from_f64(
            ArrayD::from_shape_vec(IxDyn(shape), values).expect("shape matches data"),
            dtype,
        )
    }

    /// Every element as f64 (bools are 0/1; complex numbers give their real part, as
    /// PyTorch's cast to a real dtype; only complex-aware kernels see complex tensors).
    pub fn to_f64(&self) -> ArrayD<f64> {
        match self {
            Tensor::C64(a) => a.mapv(|x| f64::from(x.re)),
            Tensor::C128(a) => a.mapv(|x| x.re),
            Tensor::Bool(a) => a.mapv(|x| x as i64 as f64),
            Tensor::I32(a) => a.mapv(f64::from),
            Tensor::I64(a) => a.mapv(|x| x as f64),
            Tensor::F32(a) => a.mapv(f64::from),
            Tensor::F64(a) => a.clone(),
        }
    }

    /// Every element as i64 (floats truncate toward zero, bools are 0/1, complex numbers
    /// give their real part).
    pub fn to_i64(&self) -> ArrayD<i64> {
        match self {
            Tensor::C64(a) => a.mapv(|x| x.re as i64),
            Tensor::C128(a) => a.mapv(|x| x.re as i64),
            Tensor::Bool(a) => a.mapv(i64::from),
            Tensor::I32(a) => a.mapv(i64::from),
            Tensor::I64(a) => a.clone(),
            Tensor::F32(a) => a.mapv(|x| x as i64),
            Tensor::F64(a) => a.mapv(|x| x as i64),
        }
    }

    /// Every element as bool (nonzero is true).
    pub fn to_bool(&self) -> ArrayD<bool> {
        match self {
            Tensor::C64(a) => a.mapv(|x| x.re != 0.0 || x.im != 0.0),
            Tensor::C128(a) => a.mapv(|x| x.re != 0.0 || x.im != 0.0),
            Tensor::Bool(a) => a.clone(),
            Tensor::I32(a) => a.mapv(|x| x != 0),
            Tensor::I64(a) => a.mapv(|x| x != 0),
            Tensor::F32(a) => a.mapv(|x| x != 0.0),
            Tensor::F64(a) => a.mapv(|x| x != 0.0),
        }
    }

    /// f64 values converted to `dtype` as PyTorch's casts do: rounding to nearest for
    /// floats, truncation toward zero for integers, nonzero-is-true for bool.
    pub fn from_f64(a: ArrayD<f64>, dtype: DType) -> Tensor {
        match dtype {
            DType::Bool => Tensor::Bool(a.mapv(|x| x != 0.0)),
            DType::I32 => Tensor::I32(a.mapv(|x| x as i32)),
            DType::I64 => Tensor::I64(a.mapv(|x| x as i64)),
            DType::F32 => Tensor::F32(a.mapv(|x| x as f32)),
            DType::F64 => Tensor::F64(a),
            DType::C64 => Tensor::C64(a.mapv(|x| Complex32::new(x as f32, 0.0))),
            DType::C128 => Tensor::C128(a.mapv(|x| Complex64::new(x, 0.0))),
        }
    }

    /// i64 values converted to `dtype` (integers wrap, as a C++ cast).
    pub fn from_i64(a: ArrayD<i64>, dtype: DType) -> Tensor {
        match dtype {
            DType::Bool => Tensor::Bool(a.mapv(|x| x != 0)),
            DType::I32 => Tensor::I32(a.mapv(|x| x as i32)),
            DType::I64 => Tensor::I64(a),
            DType::F32 => Tensor::F32(a.mapv(|x| x as f32)),
            DType::F64 => Tensor::F64(a.mapv(|x| x as f64)),
            DType::C64 | DType::C128 => Tensor::from_f64(a.mapv(|x| x as f64), dtype),
        }
    }

    /// Complex values converted to `dtype`: a complex dtype rounds both parts, a real one
    /// keeps the real part (PyTorch's cast).
    pub fn from_c128(a: ArrayD<Complex64>, dtype: DType) -> Tensor {
        match dtype {
            DType::C128 => Tensor::C128(a),
            DType::C64 => Tensor::C64(a.mapv(|x| Complex32::new(x.re as f32, x.im as f32))),
            _ => Tensor::from_f64(a.mapv(|x| x.re), dtype),
        }
    }

    /// Every element as a `complex<f64>` (real values with a zero imaginary part).
    pub fn to_c128(&self) -> ArrayD<Complex64> {
        match self {
            Tensor::C64(a) => a.mapv(|x| Complex64::new(f64::from(x.re), f64::from(x.im))),
            Tensor::C128(a) => a.clone(),
            _ => self.to_f64().mapv(|x| Complex64::new(x, 0.0)),
        }
    }

    /// The tensor converted to `dtype` (`Tensor.to(dtype)`).
    pub fn cast(&self, dtype: DType) -> Tensor {
        if self.dtype() == dtype {
            return self.clone();
        }
        match self {
            Tensor::Bool(a) => Tensor::from_i64(a.mapv(i64::from), dtype),
            Tensor::I32(a) => Tensor::from_i64(a.mapv(i64::from), dtype),
            Tensor::I64(a) => Tensor::from_i64(a.clone(), dtype),
            Tensor::F32(_) | Tensor::F64(_) => Tensor::from_f64(self.to_f64(), dtype),
            Tensor::C64(_) | Tensor::C128(_) => Tensor::from_c128(self.to_c128(), dtype),
        }
    }

    /// Values as f64 after rounding to `dtype` first: how an operand enters a computation
    /// whose common dtype is `dtype`.
    pub fn to_f64_in(&self, dtype: DType) -> ArrayD<f64> {
        if self.dtype() == dtype || dtype == DType::F64 {
            self.to_f64()
        } else {
            self.cast(dtype).to_f64()
        }
    }

    /// The single element of a one-element tensor as a scalar (`None` for a complex one:
    /// a `Scalar` is real).
    pub fn item(&self) -> Option<Scalar> {
        if self.len() != 1 {
            return None;
        }
        Some(match self {
            Tensor::Bool(a) => Scalar::Bool(*a.iter().next()?),
            Tensor::I32(a) => Scalar::Int(i64::from(*a.iter().next()?)),
            Tensor::I64(a) => Scalar::Int(*a.iter().next()?),
            Tensor::F32(a) => Scalar::Float(f64::from(*a.iter().next()?)),
            Tensor::F64(a) => Scalar::Float(*a.iter().next()?),
            Tensor::C64(_) | Tensor::C128(_) => return None,
        })
    }

    /// Reads a `.npy` file of any supported dtype. The header's shape is checked against
    /// the bytes the file holds before anything is allocated.
    pub fn read_npy(bytes: &[u8]) -> Result<Tensor, String> {
        check_npy_size(bytes)?;
        fn try_read<T: ndarray_npy::ReadableElement>(bytes: &[u8]) -> Option<ArrayD<T>> {
            ArrayD::<T>::read_npy(bytes).ok()
        }
        if let Some(a) = try_read::<f32>(bytes) {
            return Ok(Tensor::F32(a));
        }
        if let Some(a) = try_read::<f64>(bytes) {
            return Ok(Tensor::F64(a));
        }
        if let Some(a) = try_read::<i64>(bytes) {
            return Ok(Tensor::I64(a));
        }
        if let Some(a) = try_read::<i32>(bytes) {
            return Ok(Tensor::I32(a));
        }
        if let Some(a) = try_read::<bool>(bytes) {
            return Ok(Tensor::Bool(a));
        }
        if let Some(a) = try_read::<Complex32>(bytes) {
            return Ok(Tensor::C64(a));
        }
        if let Some(a) = try_read::<Complex64>(bytes) {
            return Ok(Tensor::C128(a));
        }
        Err(ArrayD::<f32>::read_npy(bytes)
            .err()
            .map_or_else(String::new, |e| {
                format!(
                    "not a .npy array of f32, f64, i64, i32, bool, complex64 or complex128 ({e})"
                )
            }))
    }

    /// Encodes the tensor as a `.npy` file.
    pub fn write_npy(&self) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        with_array!(self, a => a.write_npy(&mut out)).map_err(|e| e.to_string())?;
        Ok(out)
    }
}

/// `dtype[d0, d1, ...]`, for messages.
pub fn describe(dtype: DType, shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("{dtype}[{}]", dims.join(", "))
}

/// A runtime value: what an SSA value holds while the interpreter runs.
#[derive(Clone, PartialEq, Debug)]
pub enum RuntimeValue {
    /// A tensor.
    Tensor(Tensor),
    /// An absent optional result or argument (PyTorch's `None`).
    None,
}

impl RuntimeValue {
    /// The tensor, if this is one.
    pub fn as_tensor(&self) -> Option<&Tensor> {
        match self {
            RuntimeValue::Tensor(t) => Some(t),
            RuntimeValue::None => None,
        }
    }
}

impl From<Tensor> for RuntimeValue {
    fn from(t: Tensor) -> RuntimeValue {
        RuntimeValue::Tensor(t)
    }
}

impl From<Option<Tensor>> for RuntimeValue {
    fn from(t: Option<Tensor>) -> RuntimeValue {
        t.map_or(RuntimeValue::None, RuntimeValue::Tensor)
    }
}

/// A shorthand for kernel results: errors are diagnostics without a span yet (the
/// interpreter attaches the op's span).
pub type KResult<T> = Result<T, Diagnostic>;

/// An error diagnostic with `message`, for kernels.
pub fn kerr<T>(message: impl Into<String>) -> KResult<T> {
    Err(Diagnostic::error(message))
}

/// Checks that a `.npy` file holds the data its header claims (shape times item size), so
/// that a header claiming a huge shape is an error, not an allocation failure. A header
/// this cannot read is left to the `.npy` reader's own error.
fn check_npy_size(bytes: &[u8]) -> Result<(), String> {
    let Some(rest) = bytes.strip_prefix(b"\x93NUMPY") else {
        return Ok(());
    };
    let (header_len, start): (usize, usize) = match rest.first() {
        Some(1) if rest.len() >= 4 => (usize::from(u16::from_le_bytes([rest[2], rest[3]])), 10),
        Some(2 | 3) if rest.len() >= 6 => {
            let n = u32::from_le_bytes([rest[2], rest[3], rest[4], rest[5]]);
            (n as usize, 12)
        }
        _ => return Ok(()),
    };
    let Some(header) = bytes.get(start..start.saturating_add(header_len)) else {
        return Err("the .npy header is longer than the file".into());
    };
    let header = String::from_utf8_lossy(header);
    let field = |key: &str| -> Option<String> {
        let at = header.find(key)? + key.len();
        let text = header[at..].trim_start().strip_prefix(':')?.trim_start();
        Some(text.to_string())
    };
    let (Some(descr), Some(shape)) = (field("'descr'"), field("'shape'")) else {
        return Ok(());
    };
    let item: u64 = descr
        .trim_start_matches(['\'', '"', '<', '>', '|', '='])
        .chars()
        .skip(1)
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(1);
    let dims = shape
        .strip_prefix('(')
        .and_then(|t| t.split(')').next())
        .unwrap_or("");
    let mut elements: u64 = 1;
    for d in dims.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let d: u64 = d
            .parse()
            .map_err(|_| format!("the .npy shape ({dims}) is malformed"))?;
        elements = elements.saturating_mul(d);
    }
    let data = (bytes.len() - (start + header_len)) as u64;
    if elements.saturating_mul(item) > data {
        return Err(format!(
            "the .npy header claims shape ({dims}) of {item}-byte items, but the file holds {data} bytes of data"
        ));
    }
    Ok(())
}
