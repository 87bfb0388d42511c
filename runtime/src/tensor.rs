//! Dense tensors: a dtype, a shape and contiguous row-major storage that is either owned
//! (64-byte aligned, freed on drop, large allocations kept for reuse) or borrowed from the caller (a NumPy array, a DLPack
//! tensor, a slice).

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::Mutex;

pub use joinery_dtype::DType;

/// `tensor<2x3xf32>`-style spelling of a dtype and shape, for messages.
pub fn describe(dtype: DType, shape: &[usize]) -> String {
    let mut s = String::from("tensor<");
    for d in shape {
        s.push_str(&format!("{d}x"));
    }
    s.push_str(dtype.keyword());
    s.push('>');
    s
}

/// Alignment of owned storage: one AVX-512 vector, one cache line.
pub const ALIGN: usize = 64;

/// A non-null pointer aligned to [`ALIGN`] for empty storage: an empty tensor's elements
/// are still viewed as (empty) slices, which must be aligned for every dtype.
fn aligned_dangling() -> NonNull<u8> {
    #[repr(align(64))]
    struct Aligned;
    NonNull::<Aligned>::dangling().cast()
}

/// Owned, zero-initialised, [`ALIGN`]-aligned bytes. Large ones, once dropped, are kept
/// (up to [`REUSE_MAX_BYTES`] in all) for the next allocation of the same size.
pub struct AlignedBuf {
    ptr: NonNull<u8>,
    bytes: usize,
}

// SAFETY: AlignedBuf owns its allocation exclusively, like a Vec<u8>.
unsafe impl Send for AlignedBuf {}
// SAFETY: shared references only read.
unsafe impl Sync for AlignedBuf {}

impl AlignedBuf {
    /// `bytes` zero bytes; aborts when memory runs out (see [`AlignedBuf::try_zeroed`]).
    pub fn zeroed(bytes: usize) -> AlignedBuf {
        AlignedBuf::try_zeroed(bytes).unwrap_or_else(|| {
            let layout = Layout::from_size_align(bytes, ALIGN).unwrap_or(Layout::new::<u8>());
            std::alloc::handle_alloc_error(layout)
        })
    }

    /// `bytes` zero bytes, or `None` when they cannot be allocated.
    pub fn try_zeroed(bytes: usize) -> Option<AlignedBuf> {
        AlignedBuf::try_allocate(bytes, true)
    }

    /// `bytes` bytes of no particular value (a reused allocation keeps the bytes it held,
    /// a fresh one is zero), or `None` when they cannot be allocated: for a buffer that is
    /// written entirely before it is read, which then skips zeroing a reused allocation.
    pub fn try_for_overwrite(bytes: usize) -> Option<AlignedBuf> {
        AlignedBuf::try_allocate(bytes, false)
    }

    /// `bytes` bytes, a reused allocation zeroed when `zero` is set.
    fn try_allocate(bytes: usize, zero: bool) -> Option<AlignedBuf> {
        if bytes == 0 {
            return Some(AlignedBuf {
                ptr: aligned_dangling(),
                bytes,
            });
        }
        let layout = Layout::from_size_align(bytes, ALIGN).ok()?;
        if let Some(ptr) = reuse(bytes) {
            if zero {
                // SAFETY: a freed allocation of `bytes` bytes, owned by nothing else.
                unsafe { ptr.as_ptr().write_bytes(0, bytes) };
            }
            return Some(AlignedBuf { ptr, bytes });
        }
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { alloc_zeroed(layout) };
        Some(AlignedBuf {
            ptr: NonNull::new(raw)?,
            bytes,
        })
    }

    /// The start of the allocation.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.bytes
    }

    /// Whether the buffer holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes == 0
    }
}

impl Drop for AlignedBuf {
    fn drop(&mut self) {
        if self.bytes != 0 {
            for (ptr, bytes) in keep(self.ptr, self.bytes) {
                let layout = Layout::from_size_align(bytes, ALIGN).expect("layout was valid");
                // SAFETY: allocated in `try_zeroed` with this layout, owned by nothing else.
                unsafe { dealloc(ptr.as_ptr(), layout) }
            }
        }
    }
}

/// Smallest allocation kept for reuse once freed: a fresh allocation this large is a new
/// mapping whose every page faults (and is zeroed by the kernel) when first written, which
/// for a convolution's output on a call took longer than computing it.
const REUSE_MIN_BYTES: usize = 1 << 20;

/// Most bytes kept for reuse; the oldest freed allocations beyond it are released.
const REUSE_MAX_BYTES: usize = 256 << 20;

/// Freed allocations of at least [`REUSE_MIN_BYTES`] (address, size), oldest first.
static FREED: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

/// A freed allocation of exactly `bytes` bytes, taken out of [`FREED`].
fn reuse(bytes: usize) -> Option<NonNull<u8>> {
    if bytes < REUSE_MIN_BYTES {
        return None;
    }
    let mut freed = FREED.lock().unwrap_or_else(|e| e.into_inner());
    let i = freed.iter().rposition(|&(_, b)| b == bytes)?;
    NonNull::new(freed.remove(i).0 as *mut u8)
}

/// Keeps the freed allocation `ptr` of `bytes` bytes for reuse when it is large enough;
/// returns the allocations to release now (it, or the oldest kept ones over the budget).
fn keep(ptr: NonNull<u8>, bytes: usize) -> Vec<(NonNull<u8>, usize)> {
    if !(REUSE_MIN_BYTES..=REUSE_MAX_BYTES).contains(&bytes) {
        return vec![(ptr, bytes)];
    }
    let mut freed = FREED.lock().unwrap_or_else(|e| e.into_inner());
    freed.push((ptr.as_ptr() as usize, bytes));
    let mut total: usize = freed.iter().map(|&(_, b)| b).sum();
    let mut release = Vec::new();
    while total > REUSE_MAX_BYTES {
        let (p, b) = freed.remove(0);
        total -= b;
        release.extend(NonNull::new(p as *mut u8).map(|p| (p, b)));
    }
    release
}

/// Where a tensor's elements live.
enum Storage<'a> {
    Owned(AlignedBuf),
    Borrowed {
        ptr: NonNull<u8>,
        bytes: usize,
        _life: PhantomData<&'a mut [u8]>,
    },
}

/// A dense row-major tensor whose storage is owned or borrowed for `'a`.
pub struct Tensor<'a> {
    dtype: DType,
    shape: Vec<usize>,
    storage: Storage<'a>,
}

// SAFETY: a borrowed tensor holds the equivalent of `&'a mut [u8]`, which is Send.
unsafe impl Send for Tensor<'_> {}

impl std::fmt::Debug for Tensor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor({})", describe(self.dtype, &self.shape))
    }
}

/// Element types a tensor can be viewed as.
pub trait Element: Copy + 'static {
    /// The dtype of this element type.
    const DTYPE: DType;
}
impl Element for f32 {
    const DTYPE: DType = DType::F32;
}
impl Element for f64 {
    const DTYPE: DType = DType::F64;
}
impl Element for i16 {
    const DTYPE: DType = DType::I16;
}
impl Element for i8 {
    const DTYPE: DType = DType::I8;
}
impl Element for half::f16 {
    const DTYPE: DType = DType::F16;
}
impl Element for half::bf16 {
    const DTYPE: DType = DType::BF16;
}
impl Element for i64 {
    const DTYPE: DType = DType::I64;
}
impl Element for i32 {
    const DTYPE: DType = DType::I32;
}
impl Element for rustfft::num_complex::Complex32 {
    const DTYPE: DType = DType::C64;
}
impl Element for rustfft::num_complex::Complex64 {
    const DTYPE: DType = DType::C128;
}

impl Tensor<'static> {
    /// A zero-filled owned tensor.
    pub fn zeros(dtype: DType, shape: &[usize]) -> Tensor<'static> {
        let bytes = shape.iter().product::<usize>() * dtype.size_bytes();
        Tensor {
            dtype,
            shape: shape.to_vec(),
            storage: Storage::Owned(AlignedBuf::zeroed(bytes)),
        }
    }

    /// A zero-filled owned tensor, or `None` when its bytes overflow or cannot be
    /// allocated.
    pub fn try_zeros(dtype: DType, shape: &[usize]) -> Option<Tensor<'static>> {
        Tensor::try_owned(dtype, shape, AlignedBuf::try_zeroed)
    }

    /// An owned tensor whose elements have no particular value (see
    /// [`AlignedBuf::try_for_overwrite`]), for a result a step writes entirely; `None`
    /// when its bytes overflow or cannot be allocated.
    pub fn try_for_overwrite(dtype: DType, shape: &[usize]) -> Option<Tensor<'static>> {
        Tensor::try_owned(dtype, shape, AlignedBuf::try_for_overwrite)
    }

    /// An owned tensor of `dtype` and `shape` on the bytes `allocate` gives.
    fn try_owned(
        dtype: DType,
        shape: &[usize],
        allocate: fn(usize) -> Option<AlignedBuf>,
    ) -> Option<Tensor<'static>> {
        let bytes = shape
            .iter()
            .try_fold(dtype.size_bytes(), |acc, &d| acc.checked_mul(d))?;
        Some(Tensor {
            dtype,
            shape: shape.to_vec(),
            storage: Storage::Owned(allocate(bytes)?),
        })
    }

    /// An owned tensor holding `values` (row-major); panics if the count does not match.
    pub fn from_vec<T: Element>(shape: &[usize], values: Vec<T>) -> Tensor<'static> {
        assert_eq!(
            shape.iter().product::<usize>(),
            values.len(),
            "from_vec: {} values for shape {shape:?}",
            values.len()
        );
        let mut t = Tensor::zeros(T::DTYPE, shape);
        t.as_mut_slice::<T>().copy_from_slice(&values);
        t
    }

    /// An owned boolean tensor.
    pub fn from_bools(shape: &[usize], values: &[bool]) -> Tensor<'static> {
        let mut t = Tensor::zeros(DType::Bool, shape);
        for (b, &v) in t.bytes_mut().iter_mut().zip(values) {
            *b = v as u8;
        }
        t
    }
}

impl<'a> Tensor<'a> {
    /// A tensor borrowing a mutable slice of `T`; the shape must cover it exactly.
    pub fn borrow_slice<T: Element>(shape: &[usize], data: &'a mut [T]) -> Tensor<'a> {
        assert_eq!(shape.iter().product::<usize>(), data.len());
        Tensor {
            dtype: T::DTYPE,
            shape: shape.to_vec(),
            storage: Storage::Borrowed {
                ptr: NonNull::new(data.as_mut_ptr().cast()).expect("slices are non-null"),
                bytes: std::mem::size_of_val(data),
                _life: PhantomData,
            },
        }
    }

    /// A tensor over caller memory.
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `product(shape) * dtype.size_bytes()` bytes,
    /// suitably aligned for `dtype`, and not used through other pointers for `'a`.
    pub unsafe fn from_raw(ptr: *mut u8, dtype: DType, shape: &[usize]) -> Tensor<'a> {
        let bytes = shape.iter().product::<usize>() * dtype.size_bytes();
        Tensor {
            dtype,
            shape: shape.to_vec(),
            storage: Storage::Borrowed {
                ptr: NonNull::new(ptr).unwrap_or_else(aligned_dangling),
                bytes,
                _life: PhantomData,
            },
        }
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The extents.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the storage is owned (not borrowed).
    pub fn is_owned(&self) -> bool {
        matches!(self.storage, Storage::Owned(_))
    }

    /// `tensor<...>` spelling of dtype and shape.
    pub fn describe(&self) -> String {
        describe(self.dtype, &self.shape)
    }

    /// Pointer to the first element.
    pub fn as_ptr(&self) -> *mut u8 {
        match &self.storage {
            Storage::Owned(b) => b.as_ptr(),
            Storage::Borrowed { ptr, .. } => ptr.as_ptr(),
        }
    }

    /// Keeps the first `n` entries along dim 0 of an owned tensor (the rest of its
    /// storage goes unused): how a result whose row count is known only at run time gets
    /// its real shape. An error for a borrowed or 0-d tensor or `n` above the extent.
    pub fn keep_leading(&mut self, n: usize) -> Result<(), String> {
        match (&self.storage, self.shape.first()) {
            (Storage::Owned(_), Some(&d)) if n <= d => {
                self.shape[0] = n;
                Ok(())
            }
            _ => Err(format!(
                "cannot keep {n} leading entries of {} ({} storage)",
                self.describe(),
                if self.is_owned() { "owned" } else { "borrowed" }
            )),
        }
    }

    fn byte_len(&self) -> usize {
        match &self.storage {
            // Owned storage may be longer than the shape after `keep_leading`.
            Storage::Owned(_) => self.numel() * self.dtype.size_bytes(),
            Storage::Borrowed { bytes, .. } => *bytes,
        }
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the storage is valid for byte_len bytes for the tensor's lifetime.
        unsafe { std::slice::from_raw_parts(self.as_ptr(), self.byte_len()) }
    }

    /// The raw bytes, mutable.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as `bytes`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.as_ptr(), self.byte_len()) }
    }

    /// The elements as `T`; panics when `T` is not the tensor's dtype.
    pub fn as_slice<T: Element>(&self) -> &[T] {
        assert_eq!(self.dtype, T::DTYPE, "as_slice: wrong element type");
        // SAFETY: the dtype matches, storage is aligned for it and holds numel elements.
        unsafe { std::slice::from_raw_parts(self.as_ptr().cast(), self.numel()) }
    }

    /// The elements as mutable `T`; panics when `T` is not the tensor's dtype.
    pub fn as_mut_slice<T: Element>(&mut self) -> &mut [T] {
        assert_eq!(self.dtype, T::DTYPE, "as_mut_slice: wrong element type");
        // SAFETY: as `as_slice`, exclusive through `&mut self`.
        unsafe { std::slice::from_raw_parts_mut(self.as_ptr().cast(), self.numel()) }
    }

    /// An owned copy.
    pub fn to_owned_tensor(&self) -> Tensor<'static> {
        let mut t = Tensor::zeros(self.dtype, &self.shape);
        t.bytes_mut().copy_from_slice(self.bytes());
        t
    }

    /// Every element converted to `f64` (booleans as 0/1; a complex element as its real
    /// then its imaginary part, two values), for checks and printing.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match self.dtype {
            DType::C64 => self
                .as_slice::<rustfft::num_complex::Complex32>()
                .iter()
                .flat_map(|x| [x.re as f64, x.im as f64])
                .collect(),
            DType::C128 => self
                .as_slice::<rustfft::num_complex::Complex64>()
                .iter()
                .flat_map(|x| [x.re, x.im])
                .collect(),
            DType::F32 => self.as_slice::<f32>().iter().map(|&x| x as f64).collect(),
            DType::F64 => self.as_slice::<f64>().to_vec(),
            DType::I64 => self.as_slice::<i64>().iter().map(|&x| x as f64).collect(),
            DType::I32 => self.as_slice::<i32>().iter().map(|&x| x as f64).collect(),
            DType::I16 => self.as_slice::<i16>().iter().map(|&x| x as f64).collect(),
            DType::I8 => self.as_slice::<i8>().iter().map(|&x| x as f64).collect(),
            DType::F16 => self
                .as_slice::<half::f16>()
                .iter()
                .map(|x| x.to_f64())
                .collect(),
            DType::BF16 => self
                .as_slice::<half::bf16>()
                .iter()
                .map(|x| x.to_f64())
                .collect(),
            DType::Bool => self.bytes().iter().map(|&b| b as f64).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large buffer freed is reused by the next allocation of its size, zeroed again.
    #[test]
    fn large_buffers_are_reused_zeroed() {
        let bytes = REUSE_MIN_BYTES + 3 * ALIGN;
        let first = AlignedBuf::zeroed(bytes);
        let at = first.as_ptr();
        // SAFETY: the buffer holds `bytes` bytes.
        unsafe { at.write_bytes(7, bytes) };
        drop(first);
        let second = AlignedBuf::zeroed(bytes);
        assert_eq!(second.as_ptr(), at, "the freed buffer was not reused");
        // SAFETY: as above.
        let data = unsafe { std::slice::from_raw_parts(second.as_ptr(), bytes) };
        assert!(
            data.iter().all(|&b| b == 0),
            "a reused buffer is not zeroed"
        );
        assert_eq!(second.as_ptr() as usize % ALIGN, 0);
    }
}
