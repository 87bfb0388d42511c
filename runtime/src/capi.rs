//! The C ABI: load a compiled library, call its functions and differentiable pairs on
//! DLPack tensors. Declared in `include/joinery.h`. Every function returns 0 on success
//! (or a handle) and -1 (or null) with a message for [`joinery_last_error`] on any
//! misuse: a null, freed or wrong-kind handle (every handle given out is registered until
//! it is freed), a null pointer, a wrong tensor count, shape, dtype, device or layout. A
//! panic inside an entry point is caught and reported as an internal error: nothing
//! unwinds across the boundary.

use crate::module::{CompiledModule, DifferentiableFn, Library, RngState, Saved, default_threads};
use crate::tensor::{DType, Tensor};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::{CStr, CString, c_char, c_void};
use std::ptr::null_mut;
use std::sync::Mutex;

/// DLPack's device (`DLDevice`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct DLDevice {
    pub device_type: i32,
    pub device_id: i32,
}

/// DLPack's element type (`DLDataType`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct DLDataType {
    pub code: u8,
    pub bits: u8,
    pub lanes: u16,
}

/// DLPack's tensor view (`DLTensor`).
#[repr(C)]
#[derive(Debug)]
pub struct DLTensor {
    pub data: *mut c_void,
    pub device: DLDevice,
    pub ndim: i32,
    pub dtype: DLDataType,
    pub shape: *mut i64,
    /// Null for compact row-major.
    pub strides: *mut i64,
    pub byte_offset: u64,
}

/// DLPack's owned tensor (`DLManagedTensor`): call `deleter` when done.
#[repr(C)]
#[derive(Debug)]
pub struct DLManagedTensor {
    pub dl_tensor: DLTensor,
    pub manager_ctx: *mut c_void,
    pub deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

/// `kDLCPU`.
pub const KDL_CPU: i32 = 1;
const KDL_INT: u8 = 0;
const KDL_FLOAT: u8 = 2;
const KDL_BFLOAT: u8 = 4;
const KDL_COMPLEX: u8 = 5;
const KDL_BOOL: u8 = 6;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `message` for [`joinery_last_error`].
fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = text);
}

/// The message of the last failed call on this thread (empty if none).
#[unsafe(no_mangle)]
pub extern "C" fn joinery_last_error() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// The body of every entry point: runs `body` under the panic guard. Its value, or
/// `on_error` after recording the error (or the caught panic, as an internal error) for
/// [`joinery_last_error`], prefixed by the entry point's `name`.
fn entry<T>(name: &str, on_error: T, body: impl FnOnce() -> Result<T, String>) -> T {
    let message = match joinery_guard::catch(body) {
        Ok(Ok(value)) => return value,
        Ok(Err(message)) => message,
        Err(panic) => joinery_guard::internal_error(&panic),
    };
    set_last_error(&format!("{name}: {message}"));
    on_error
}

/// What a handle given to C is, so that a handle of another kind, or one already freed,
/// is an error instead of undefined behaviour.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Library,
    Module,
    DiffFn,
    Saved,
}

impl Kind {
    /// The kind as messages name it.
    fn name(self) -> &'static str {
        match self {
            Kind::Library => "library",
            Kind::Module => "module",
            Kind::DiffFn => "differentiable function",
            Kind::Saved => "saved handle",
        }
    }
}

/// Every handle given to C and not freed yet, by address.
static LIVE: Mutex<BTreeMap<usize, Kind>> = Mutex::new(BTreeMap::new());

/// The registry of live handles (still usable after a panic elsewhere poisoned it: every
/// update is a single insert or remove).
fn live_handles() -> std::sync::MutexGuard<'static, BTreeMap<usize, Kind>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hands `value` to C as a handle of `kind`.
fn give<T>(value: T, kind: Kind) -> *mut T {
    let ptr = Box::into_raw(Box::new(value));
    live_handles().insert(ptr as usize, kind);
    ptr
}

/// Why `ptr` is not a live handle of `kind`, if it is not.
fn check_handle<T>(ptr: *const T, kind: Kind, live: &BTreeMap<usize, Kind>) -> Result<(), String> {
    let what = kind.name();
    match live.get(&(ptr as usize)) {
        _ if ptr.is_null() => Err(format!("null {what}")),
        Some(&k) if k == kind => Ok(()),
        Some(&k) => Err(format!("the {what} is a {} handle", k.name())),
        None => Err(format!(
            "the {what} is not a live handle (freed already, or not returned by joinery)"
        )),
    }
}

/// Borrows the live handle `ptr` of `kind`.
///
/// # Safety
/// Another thread must not free the handle during the borrow.
unsafe fn borrow_handle<'a, T>(ptr: *const T, kind: Kind) -> Result<&'a T, String> {
    check_handle(ptr, kind, &live_handles())?;
    // SAFETY: a live handle points to a value boxed by `give` and not freed.
    Ok(unsafe { &*ptr })
}

/// Takes back the live handle `ptr` of `kind` (`None` for null).
fn take_handle<T>(ptr: *mut T, kind: Kind) -> Result<Option<Box<T>>, String> {
    if ptr.is_null() {
        return Ok(None);
    }
    let mut live = live_handles();
    check_handle(ptr, kind, &live)?;
    live.remove(&(ptr as usize));
    // SAFETY: a live handle was boxed by `give`; it is no longer live, so not freed twice.
    Ok(Some(unsafe { Box::from_raw(ptr) }))
}

/// Reads a C string argument.
///
/// # Safety
/// A non-null `s` must be NUL-terminated.
unsafe fn c_str(s: *const c_char, what: &str) -> Result<String, String> {
    if s.is_null() {
        return Err(format!("the {what} is null"));
    }
    // SAFETY: per the contract above.
    Ok(unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned())
}

/// Checks that `out` is `n` slots for `expected` results.
fn check_room<T>(func: &str, expected: usize, out: *mut T, n: usize) -> Result<(), String> {
    if n != expected {
        return Err(format!("{func} has {expected} results; got room for {n}"));
    }
    if n > 0 && out.is_null() {
        return Err(format!("the array of {n} result slots is null"));
    }
    Ok(())
}

/// The runtime dtype of a DLPack element type, if it has one.
fn dtype_from_dl(t: DLDataType) -> Option<DType> {
    match (t.code, t.bits, t.lanes) {
        (KDL_FLOAT, 32, 1) => Some(DType::F32),
        (KDL_FLOAT, 64, 1) => Some(DType::F64),
        (KDL_INT, 64, 1) => Some(DType::I64),
        (KDL_INT, 32, 1) => Some(DType::I32),
        (KDL_INT, 16, 1) => Some(DType::I16),
        (KDL_INT, 8, 1) => Some(DType::I8),
        (KDL_FLOAT, 16, 1) => Some(DType::F16),
        (KDL_BFLOAT, 16, 1) => Some(DType::BF16),
        (KDL_BOOL, 8, 1) => Some(DType::Bool),
        (KDL_COMPLEX, 64, 1) => Some(DType::C64),
        (KDL_COMPLEX, 128, 1) => Some(DType::C128),
        _ => None,
    }
}

/// The DLPack element type of `d`.
pub fn dtype_to_dl(d: DType) -> DLDataType {
    let (code, bits) = match d {
        DType::F32 => (KDL_FLOAT, 32),
        DType::F64 => (KDL_FLOAT, 64),
        DType::I64 => (KDL_INT, 64),
        DType::I32 => (KDL_INT, 32),
        DType::I16 => (KDL_INT, 16),
        DType::I8 => (KDL_INT, 8),
        DType::F16 => (KDL_FLOAT, 16),
        DType::BF16 => (KDL_BFLOAT, 16),
        DType::Bool => (KDL_BOOL, 8),
        DType::C64 => (KDL_COMPLEX, 64),
        DType::C128 => (KDL_COMPLEX, 128),
    };
    DLDataType {
        code,
        bits,
        lanes: 1,
    }
}

/// Borrows a CPU, compact row-major DLTensor as a [`Tensor`]. Every field is checked
/// first: a null pointer, a negative `ndim` or extent, a size past `isize::MAX`, strides
/// that are not compact row-major, data not aligned to its elements or another device are
/// errors naming `what`.
///
/// # Safety
/// `t` must be a valid DLTensor whose data outlives the returned tensor.
pub unsafe fn borrow_dl<'a>(t: &DLTensor, what: &str) -> Result<Tensor<'a>, String> {
    if t.device.device_type != KDL_CPU {
        return Err(format!(
            "{what}: only CPU tensors are supported (device type {})",
            t.device.device_type
        ));
    }
    let dtype = dtype_from_dl(t.dtype).ok_or_else(|| {
        format!(
            "{what}: unsupported DLPack dtype (code {}, {} bits, {} lanes)",
            t.dtype.code, t.dtype.bits, t.dtype.lanes
        )
    })?;
    let ndim = usize::try_from(t.ndim).map_err(|_| format!("{what}: negative ndim {}", t.ndim))?;
    if ndim > 0 && t.shape.is_null() {
        return Err(format!("{what}: null shape for {ndim} dimensions"));
    }
    // SAFETY: a valid DLTensor has ndim shape entries (and strides, when non-null).
    let dims: &[i64] = if ndim == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(t.shape, ndim) }
    };
    let shape = dims
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            usize::try_from(d).map_err(|_| format!("{what}: negative extent {d} in dim {i}"))
        })
        .collect::<Result<Vec<usize>, String>>()?;
    let bytes = shape
        .iter()
        .try_fold(dtype.size_bytes(), |acc, &d| acc.checked_mul(d))
        .filter(|&b| b <= isize::MAX as usize)
        .ok_or_else(|| format!("{what}: the tensor is too large"))?;
    if !t.strides.is_null() && ndim > 0 {
        // SAFETY: as above.
        let strides = unsafe { std::slice::from_raw_parts(t.strides, ndim) };
        let mut expect = 1i64;
        for (&s, &d) in strides.iter().zip(&shape).rev() {
            if d > 1 && s != expect {
                return Err(format!(
                    "{what}: only compact row-major tensors are supported (strides {strides:?} for shape {shape:?})"
                ));
            }
            expect = expect.saturating_mul(d as i64);
        }
    }
    if bytes > 0 && t.data.is_null() {
        return Err(format!("{what}: null data"));
    }
    let offset = usize::try_from(t.byte_offset)
        .ok()
        .filter(|&o| bytes == 0 || (t.data as usize).checked_add(o).is_some())
        .ok_or_else(|| format!("{what}: byte_offset {} is out of range", t.byte_offset))?;
    // SAFETY: data + byte_offset holds the tensor's elements, per the DLPack contract.
    let ptr = if bytes == 0 {
        null_mut()
    } else {
        unsafe { t.data.cast::<u8>().add(offset) }
    };
    if !(ptr as usize).is_multiple_of(dtype.size_bytes()) {
        return Err(format!(
            "{what}: data is not aligned to its {}-byte elements",
            dtype.size_bytes()
        ));
    }
    // SAFETY: the caller keeps the memory alive and unaliased during the call.
    Ok(unsafe { Tensor::from_raw(ptr, dtype, &shape) })
}

struct Managed {
    tensor: Tensor<'static>,
    shape: Vec<i64>,
}

unsafe extern "C" fn delete_managed(m: *mut DLManagedTensor) {
    if m.is_null() {
        return;
    }
    // SAFETY: `m` and its context were created by `to_managed` with Box::into_raw.
    unsafe {
        let m = Box::from_raw(m);
        drop(Box::from_raw(m.manager_ctx.cast::<Managed>()));
    }
}

/// Hands an owned tensor over as a DLPack managed tensor; its `deleter` frees it.
pub fn to_managed(t: Tensor<'static>) -> *mut DLManagedTensor {
    let shape: Vec<i64> = t.shape().iter().map(|&d| d as i64).collect();
    let mut ctx = Box::new(Managed { tensor: t, shape });
    let dl = DLTensor {
        data: ctx.tensor.as_ptr().cast(),
        device: DLDevice {
            device_type: KDL_CPU,
            device_id: 0,
        },
        ndim: ctx.shape.len() as i32,
        dtype: dtype_to_dl(ctx.tensor.dtype()),
        shape: ctx.shape.as_mut_ptr(),
        strides: null_mut(),
        byte_offset: 0,
    };
    Box::into_raw(Box::new(DLManagedTensor {
        dl_tensor: dl,
        manager_ctx: Box::into_raw(ctx).cast(),
        deleter: Some(delete_managed),
    }))
}

/// Writes results as managed tensors (null for `none` results) into `out`, checked by
/// [`check_room`] before the call.
///
/// # Safety
/// `out` must hold `results.len()` writable slots.
unsafe fn write_results(results: Vec<Option<Tensor<'static>>>, out: *mut *mut DLManagedTensor) {
    for (i, r) in results.into_iter().enumerate() {
        // SAFETY: the caller provides a slot per result.
        unsafe { *out.add(i) = r.map_or(null_mut(), to_managed) };
    }
}

/// Borrows `n` input DLTensors.
///
/// # Safety
/// `inputs` must point to `n` valid DLTensors.
unsafe fn borrow_inputs<'a>(inputs: *const DLTensor, n: usize) -> Result<Vec<Tensor<'a>>, String> {
    if n > 0 && inputs.is_null() {
        return Err(format!("the array of {n} input tensors is null"));
    }
    (0..n)
        .map(|i| {
            // SAFETY: the caller passes n tensors.
            unsafe { borrow_dl(&*inputs.add(i), &format!("argument #{i}")) }
        })
        .collect()
}

/// A loaded library (opaque to C).
pub struct JoineryLibrary(Library);

/// Opens a compiled shared library; a relative `path` is relative to the current
/// directory. Returns null on failure.
///
/// # Safety
/// `path` must be null or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_library_open(path: *const c_char) -> *mut JoineryLibrary {
    entry("joinery_library_open", null_mut(), || {
        // SAFETY: per the contract above.
        let path = unsafe { c_str(path, "library path") }?;
        let lib = Library::open(std::path::Path::new(&path)).map_err(|e| e.0)?;
        Ok(give(JoineryLibrary(lib), Kind::Library))
    })
}

/// Closes a library opened by [`joinery_library_open`] (modules taken from it stay
/// valid); null is a no-op. Returns -1 for a handle that is not a live library.
///
/// # Safety
/// `lib` must not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_library_close(lib: *mut JoineryLibrary) -> i32 {
    entry("joinery_library_close", -1, || {
        take_handle(lib, Kind::Library).map(|_| 0)
    })
}

/// Takes the compiled function `name` from a library (null on failure).
///
/// # Safety
/// `lib` must be a library handle and `name` a C string (either may be null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_get(
    lib: *const JoineryLibrary,
    name: *const c_char,
) -> *mut CompiledModule {
    entry("joinery_module_get", null_mut(), || {
        // SAFETY: per the contract above.
        let (lib, name) = unsafe {
            (
                borrow_handle(lib, Kind::Library)?,
                c_str(name, "function name")?,
            )
        };
        let module = lib.0.module(&name, default_threads()?).map_err(|e| e.0)?;
        Ok(give(module, Kind::Module))
    })
}

/// Frees a module; null is a no-op. Returns -1 for a handle that is not a live module.
///
/// # Safety
/// `m` must not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_free(m: *mut CompiledModule) -> i32 {
    entry("joinery_module_free", -1, || {
        take_handle(m, Kind::Module).map(|_| 0)
    })
}

/// Number of arguments and results of a module.
///
/// # Safety
/// `num_inputs` and `num_outputs` must be null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_arity(
    m: *const CompiledModule,
    num_inputs: *mut usize,
    num_outputs: *mut usize,
) -> i32 {
    entry("joinery_module_arity", -1, || {
        // SAFETY: per the contract above.
        let m = unsafe { borrow_handle(m, Kind::Module) }?;
        if num_inputs.is_null() || num_outputs.is_null() {
            return Err("null out-pointer".into());
        }
        // SAFETY: both are writable.
        unsafe {
            *num_inputs = m.plan().caller_inputs().len();
            *num_outputs = m.plan().outputs.len();
        }
        Ok(0)
    })
}

/// Calls a module on `n_in` DLTensors; writes `n_out` managed results (null for `none`).
/// Input-mutation results are also written back into their argument's memory. Counts are
/// checked before any tensor is read.
///
/// # Safety
/// `inputs` must hold `n_in` valid DLTensors and `outputs` `n_out` writable slots.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_call(
    m: *const CompiledModule,
    inputs: *const DLTensor,
    n_in: usize,
    outputs: *mut *mut DLManagedTensor,
    n_out: usize,
) -> i32 {
    entry("joinery_module_call", -1, || {
        // SAFETY: per the contract above.
        let m = unsafe { borrow_handle(m, Kind::Module) }?;
        let plan = m.plan();
        check_room(
            &format!("@{}", plan.name),
            plan.outputs.len(),
            outputs,
            n_out,
        )?;
        m.check_arity(n_in).map_err(|e| e.0)?;
        // SAFETY: per the contract above.
        let mut args = unsafe { borrow_inputs(inputs, n_in) }?;
        let results = m.call(&mut args).map_err(|e| e.0)?;
        // SAFETY: `outputs` has a slot per result, checked above.
        unsafe { write_results(results, outputs) };
        Ok(0)
    })
}

/// Sets the random state of a module's next call: its random op `k` draws from stream
/// `(seed, offset + k)`, and each call advances `offset` by its number of random ops.
///
/// # Safety
/// `m` must be a module handle (or null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_set_rng_state(
    m: *const CompiledModule,
    seed: u64,
    offset: u64,
) -> i32 {
    entry("joinery_module_set_rng_state", -1, || {
        // SAFETY: per the contract above.
        unsafe { borrow_handle(m, Kind::Module) }?.set_rng_state(RngState { seed, offset });
        Ok(0)
    })
}

/// Reads the random state the module's next call starts from.
///
/// # Safety
/// `seed` and `offset` must be null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_rng_state(
    m: *const CompiledModule,
    seed: *mut u64,
    offset: *mut u64,
) -> i32 {
    entry("joinery_module_rng_state", -1, || {
        // SAFETY: per the contract above.
        let m = unsafe { borrow_handle(m, Kind::Module) }?;
        if seed.is_null() || offset.is_null() {
            return Err("null out-pointer".into());
        }
        let s = m.rng_state();
        // SAFETY: both are writable.
        unsafe {
            *seed = s.seed;
            *offset = s.offset;
        }
        Ok(0)
    })
}

/// Takes the differentiable function compiled from joint `name` (null on failure).
///
/// # Safety
/// `lib` must be a library handle and `name` a C string (either may be null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_diff_get(
    lib: *const JoineryLibrary,
    name: *const c_char,
) -> *mut DifferentiableFn {
    entry("joinery_diff_get", null_mut(), || {
        // SAFETY: per the contract above.
        let (lib, name) = unsafe {
            (
                borrow_handle(lib, Kind::Library)?,
                c_str(name, "joint name")?,
            )
        };
        let d = lib
            .0
            .differentiable(&name, default_threads()?)
            .map_err(|e| e.0)?;
        Ok(give(d, Kind::DiffFn))
    })
}

/// Frees a differentiable function; null is a no-op. Returns -1 for a handle that is not
/// a live differentiable function.
///
/// # Safety
/// `d` must not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_diff_free(d: *mut DifferentiableFn) -> i32 {
    entry("joinery_diff_free", -1, || {
        take_handle(d, Kind::DiffFn).map(|_| 0)
    })
}

/// Sets the random state of a differentiable function's next forward (as
/// [`joinery_module_set_rng_state`]; the backward draws nothing).
///
/// # Safety
/// `d` must be a differentiable-function handle (or null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_diff_set_rng_state(
    d: *const DifferentiableFn,
    seed: u64,
    offset: u64,
) -> i32 {
    entry("joinery_diff_set_rng_state", -1, || {
        // SAFETY: per the contract above.
        unsafe { borrow_handle(d, Kind::DiffFn) }?.set_rng_state(RngState { seed, offset });
        Ok(0)
    })
}

/// Runs the forward: writes `n_out` user outputs and an opaque saved handle.
///
/// # Safety
/// As [`joinery_module_call`]; `saved` must be null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_diff_forward(
    d: *const DifferentiableFn,
    inputs: *const DLTensor,
    n_in: usize,
    outputs: *mut *mut DLManagedTensor,
    n_out: usize,
    saved: *mut *mut Saved,
) -> i32 {
    entry("joinery_diff_forward", -1, || {
        // SAFETY: per the contract above.
        let d = unsafe { borrow_handle(d, Kind::DiffFn) }?;
        if saved.is_null() {
            return Err("the saved slot is null".into());
        }
        let name = &d.forward_module().plan().name;
        check_room(&format!("@{name}"), d.num_outputs(), outputs, n_out)?;
        d.forward_module().check_arity(n_in).map_err(|e| e.0)?;
        // SAFETY: per the contract above.
        let mut args = unsafe { borrow_inputs(inputs, n_in) }?;
        let (outs, s) = d.forward(&mut args).map_err(|e| e.0)?;
        // SAFETY: `outputs` has a slot per output, checked above; `saved` is writable.
        unsafe {
            write_results(outs, outputs);
            *saved = give(s, Kind::Saved);
        }
        Ok(0)
    })
}

/// Runs the backward; writes one gradient slot per primal (null where the joint has no
/// gradient). Every call given a live `saved` handle consumes it, whether it succeeds or
/// fails.
///
/// # Safety
/// As [`joinery_module_call`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_diff_backward(
    d: *const DifferentiableFn,
    saved: *mut Saved,
    tangents: *const DLTensor,
    n_tangents: usize,
    grads: *mut *mut DLManagedTensor,
    n_grads: usize,
) -> i32 {
    entry("joinery_diff_backward", -1, || {
        let saved = take_handle(saved, Kind::Saved)?.ok_or("null saved handle")?;
        // SAFETY: per the contract above.
        let d = unsafe { borrow_handle(d, Kind::DiffFn) }?;
        let plan = d.backward_module().plan();
        check_room(
            &format!("@{}", plan.name),
            plan.outputs.len(),
            grads,
            n_grads,
        )?;
        d.backward_module()
            .check_arity(saved.len() + n_tangents)
            .map_err(|e| e.0)?;
        // SAFETY: per the contract above.
        let tans = unsafe { borrow_inputs(tangents, n_tangents) }?;
        let g = d.backward(*saved, tans).map_err(|e| e.0)?;
        // SAFETY: `grads` has a slot per gradient, checked above.
        unsafe { write_results(g, grads) };
        Ok(0)
    })
}

/// Frees a saved handle that will not be passed to a backward; null is a no-op. Returns
/// -1 for a handle that is not a live saved handle.
///
/// # Safety
/// `saved` must not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_saved_free(saved: *mut Saved) -> i32 {
    entry("joinery_saved_free", -1, || {
        take_handle(saved, Kind::Saved).map(|_| 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{ArgSpec, BufferSpec, Location, Plan, ResultSpec, ResultTensor};
    use std::sync::Arc;

    /// `@f(%x: tensor<2x3xf32>) -> tensor<2x3xf32>` with no steps (its result stays zero):
    /// enough to exercise the argument checks without generated code.
    fn module() -> CompiledModule {
        let plan = Plan {
            name: "f".into(),
            inputs: vec![ArgSpec {
                name: "x".into(),
                desc: String::new(),
                dtype: DType::F32,
                shape: vec![2, 3],
            }],
            outputs: vec![ResultSpec {
                desc: String::new(),
                tensor: Some(ResultTensor {
                    dtype: DType::F32,
                    shape: vec![2, 3],
                    buffer: 1,
                    rows: None,
                }),
                mutates: None,
            }],
            buffers: vec![
                BufferSpec {
                    location: Location::Input(0),
                    bytes: 24,
                },
                BufferSpec {
                    location: Location::Output(0),
                    bytes: 24,
                },
            ],
            arena_bytes: 0,
            kernels: vec![],
            steps: vec![],
            rng: None,
        };
        plan.check().expect("a valid plan");
        // SAFETY: the plan runs no kernel.
        unsafe { CompiledModule::new(plan, vec![], Arc::new(()), 1) }.expect("one thread starts")
    }

    /// [`module`] as a handle of the C ABI.
    fn handle() -> *mut CompiledModule {
        give(module(), Kind::Module)
    }

    #[test]
    fn the_random_state_is_set_and_read_through_the_c_abi() {
        let m = handle();
        let (mut seed, mut offset) = (1u64, 1u64);
        // SAFETY: `m` is live and the out-pointers writable.
        unsafe {
            assert_eq!(joinery_module_rng_state(m, &mut seed, &mut offset), 0);
            assert_eq!((seed, offset), (0, 0), "a fresh module starts at (0, 0)");
            assert_eq!(joinery_module_set_rng_state(m, 7, u64::MAX), 0);
            assert_eq!(joinery_module_rng_state(m, &mut seed, &mut offset), 0);
            assert_eq!(joinery_module_free(m), 0);
            assert_eq!(joinery_module_set_rng_state(std::ptr::null(), 1, 2), -1);
        }
        assert_eq!((seed, offset), (7, u64::MAX));
        assert!(last_error().contains("null module"), "{}", last_error());
    }

    #[test]
    fn damaged_bundles_are_errors() {
        let plan = module().plan().clone();
        let mut bad = plan.clone();
        bad.steps.push(crate::plan::Step::Fill {
            buffer: 9,
            dtype: DType::F32,
            elements: 6,
            value: 0.0,
        });
        let mut long = plan.clone();
        long.steps.push(crate::plan::Step::Fill {
            buffer: 1,
            dtype: DType::F32,
            elements: 7,
            value: 0.0,
        });
        let mut result = plan.clone();
        result.buffers[1].location = Location::Output(3);
        let mut rng = plan.clone();
        rng.rng = Some(crate::plan::RngSpec { streams: 1 });
        for (p, want) in [
            (bad, "buffer 9, which is not there"),
            (long, "past the end of buffer 1"),
            (result, "result #3, which is not a tensor result"),
            (rng, "random state must be its last two inputs"),
        ] {
            let json = crate::plan::Bundle {
                plans: vec![p],
                diffs: vec![],
            }
            .to_json();
            let e = crate::plan::Bundle::from_json(&json).expect_err(want);
            assert!(e.contains(want), "want {want:?}, got {e:?}");
        }
    }

    /// A DLTensor over `data` with `shape`, f32 on the CPU.
    fn dl(data: &mut [f32], shape: &mut [i64]) -> DLTensor {
        DLTensor {
            data: data.as_mut_ptr().cast(),
            device: DLDevice {
                device_type: KDL_CPU,
                device_id: 0,
            },
            ndim: shape.len() as i32,
            dtype: dtype_to_dl(DType::F32),
            shape: shape.as_mut_ptr(),
            strides: null_mut(),
            byte_offset: 0,
        }
    }

    fn last_error() -> String {
        // SAFETY: joinery_last_error returns this thread's NUL-terminated message.
        unsafe { CStr::from_ptr(joinery_last_error()) }
            .to_string_lossy()
            .into_owned()
    }

    /// Calls the module on one tensor, edited by `edit`; the error message, or "" on success.
    fn call_with(edit: impl FnOnce(&mut DLTensor)) -> String {
        let m = handle();
        let mut data = [1.0f32; 8];
        let mut shape = [2i64, 3];
        let mut strides = [3i64, 1];
        let mut t = dl(&mut data, &mut shape);
        t.strides = strides.as_mut_ptr();
        edit(&mut t);
        let mut out = [null_mut(); 1];
        // SAFETY: `t` is a DLTensor over live memory; `out` has one slot.
        let rc = unsafe { joinery_module_call(m, &t, 1, out.as_mut_ptr(), 1) };
        // SAFETY: `m` is a live handle, not used afterwards.
        assert_eq!(unsafe { joinery_module_free(m) }, 0);
        if rc == 0 {
            // SAFETY: a managed result from joinery_module_call.
            unsafe { delete_managed(out[0]) };
            String::new()
        } else {
            last_error()
        }
    }

    #[test]
    fn a_valid_call_succeeds() {
        assert_eq!(call_with(|_| {}), "");
    }

    #[test]
    fn dlpack_tensors_are_checked_field_by_field() {
        type Edit = Box<dyn FnOnce(&mut DLTensor)>;
        // Arrays the edited tensors point at, alive until the end of the test.
        let mut extra_dim = [2i64, 3, 1];
        let mut negative_extent = [2i64, -3];
        let mut column_major = [1i64, 2];
        let extra_dim = extra_dim.as_mut_ptr();
        let negative_extent = negative_extent.as_mut_ptr();
        let column_major = column_major.as_mut_ptr();
        let cases: [(&str, Edit); 8] = [
            ("negative ndim -1", Box::new(|t| t.ndim = -1)),
            (
                "expects tensor<2x3xf32>, got tensor<2x3x1xf32>",
                Box::new(move |t| {
                    t.ndim = 3;
                    t.strides = null_mut();
                    t.shape = extra_dim;
                }),
            ),
            (
                "null shape for 2 dimensions",
                Box::new(|t| t.shape = null_mut()),
            ),
            (
                "negative extent -3 in dim 1",
                Box::new(move |t| t.shape = negative_extent),
            ),
            (
                "only compact row-major tensors are supported",
                Box::new(move |t| t.strides = column_major),
            ),
            (
                "only CPU tensors are supported",
                Box::new(|t| t.device.device_type = 2),
            ),
            (
                "not aligned to its 4-byte elements",
                Box::new(|t| t.byte_offset = 2),
            ),
            ("null data", Box::new(|t| t.data = null_mut())),
        ];
        for (want, edit) in cases {
            let got = call_with(edit);
            assert!(got.contains(want), "want {want:?}, got {got:?}");
            assert!(
                got.starts_with("argument #0") || got.contains("argument #0"),
                "the message names the argument: {got:?}"
            );
        }
    }

    /// Calls `f` and returns the error it recorded, asserting that it failed with `rc`.
    fn error_of(rc: i32) -> String {
        assert_eq!(rc, -1, "the call should fail");
        last_error()
    }

    /// A library over this test binary (its plans call no kernel): `@f` and the
    /// differentiable `@j`, whose forward is `@f` with its one result saved and whose
    /// backward is `@f` again (the saved value in, one gradient out).
    fn library() -> *mut JoineryLibrary {
        let plan = module().plan().clone();
        let bundle = crate::plan::Bundle {
            plans: vec![plan],
            diffs: vec![crate::plan::DiffSpec {
                name: "j".into(),
                forward: 0,
                backward: 0,
                num_fwd_outputs: 0,
                num_saved: 1,
            }],
        };
        give(JoineryLibrary(Library::for_tests(bundle)), Kind::Library)
    }

    /// A C string.
    fn c(s: &str) -> CString {
        CString::new(s).expect("no NUL")
    }

    #[test]
    fn null_handles_and_pointers_of_every_kind_are_errors() {
        let mut data = [0.0f32; 6];
        let mut shape = [2i64, 3];
        let t = dl(&mut data, &mut shape);
        let mut out = [null_mut(); 1];
        let (mut a, mut b) = (7usize, 7usize);
        let (mut seed, mut offset) = (0u64, 0u64);
        let mut saved = null_mut();
        let m = handle();
        let lib = library();
        let name = c("f");
        // SAFETY: null pointers are what is being checked; the rest is valid.
        unsafe {
            // The null a failed joinery_library_open returned, passed on.
            assert!(joinery_library_open(null_mut()).is_null());
            assert!(last_error().contains("joinery_library_open: the library path is null"));
            let no_lib = joinery_library_open(c("/no/such/dir/lib.so").as_ptr());
            assert!(no_lib.is_null());
            assert!(joinery_module_get(no_lib, name.as_ptr()).is_null());
            assert!(
                last_error().contains("joinery_module_get: null library"),
                "{}",
                last_error()
            );
            assert!(joinery_diff_get(no_lib, name.as_ptr()).is_null());
            assert!(
                last_error().contains("joinery_diff_get: null library"),
                "{}",
                last_error()
            );
            assert_eq!(joinery_library_close(no_lib), 0, "closing null is a no-op");
            assert!(joinery_module_get(lib, null_mut()).is_null());
            assert!(
                last_error().contains("the function name is null"),
                "{}",
                last_error()
            );
            assert!(joinery_diff_get(lib, null_mut()).is_null());
            assert!(
                last_error().contains("the joint name is null"),
                "{}",
                last_error()
            );
            // Null modules and functions.
            let e = error_of(joinery_module_call(null_mut(), &t, 1, out.as_mut_ptr(), 1));
            assert!(e.contains("joinery_module_call: null module"), "{e}");
            let e = error_of(joinery_module_arity(null_mut(), &mut a, &mut b));
            assert!(e.contains("null module"), "{e}");
            assert_eq!((a, b), (7, 7));
            let e = error_of(joinery_module_rng_state(null_mut(), &mut seed, &mut offset));
            assert!(e.contains("null module"), "{e}");
            let e = error_of(joinery_diff_set_rng_state(null_mut(), 1, 2));
            assert!(e.contains("null differentiable function"), "{e}");
            let e = error_of(joinery_diff_forward(
                null_mut(),
                &t,
                1,
                out.as_mut_ptr(),
                1,
                &mut saved,
            ));
            assert!(e.contains("null differentiable function"), "{e}");
            let e = error_of(joinery_diff_backward(
                null_mut(),
                null_mut(),
                &t,
                1,
                out.as_mut_ptr(),
                1,
            ));
            assert!(e.contains("null saved handle"), "{e}");
            // Null arrays and out-pointers.
            let e = error_of(joinery_module_call(m, null_mut(), 1, out.as_mut_ptr(), 1));
            assert!(e.contains("the array of 1 input tensors is null"), "{e}");
            let e = error_of(joinery_module_call(m, &t, 1, null_mut(), 1));
            assert!(e.contains("the array of 1 result slots is null"), "{e}");
            let e = error_of(joinery_module_arity(m, null_mut(), &mut b));
            assert!(e.contains("null out-pointer"), "{e}");
            let e = error_of(joinery_module_rng_state(m, &mut seed, null_mut()));
            assert!(e.contains("null out-pointer"), "{e}");
            let d = joinery_diff_get(lib, c("j").as_ptr());
            assert!(!d.is_null(), "{}", last_error());
            let e = error_of(joinery_diff_forward(d, &t, 1, null_mut(), 0, null_mut()));
            assert!(e.contains("the saved slot is null"), "{e}");
            assert_eq!(joinery_module_arity(m, &mut a, &mut b), 0);
            assert_eq!((a, b), (1, 1));
            assert_eq!(joinery_diff_free(d), 0);
            assert_eq!(joinery_module_free(m), 0);
            assert_eq!(joinery_library_close(lib), 0);
        }
    }

    #[test]
    fn wrong_counts_shapes_and_dtypes_are_errors() {
        let m = handle();
        let mut data = [0.0f32; 12];
        let mut shape = [2i64, 3];
        let mut shape2 = [2i64, 3];
        let (d0, d1) = data.split_at_mut(6);
        let two = [dl(d0, &mut shape), dl(d1, &mut shape2)];
        let mut out = [null_mut(); 2];
        // SAFETY: valid tensors and slots; the counts are what is being checked.
        unsafe {
            let e = error_of(joinery_module_call(m, two.as_ptr(), 2, out.as_mut_ptr(), 1));
            assert!(e.contains("@f takes 1 arguments, got 2"), "{e}");
            let e = error_of(joinery_module_call(
                m,
                std::ptr::null(),
                0,
                out.as_mut_ptr(),
                1,
            ));
            assert!(e.contains("@f takes 1 arguments, got 0"), "{e}");
            // A count past the array is refused before any tensor is read.
            let e = error_of(joinery_module_call(
                m,
                two.as_ptr(),
                1000,
                out.as_mut_ptr(),
                1,
            ));
            assert!(e.contains("@f takes 1 arguments, got 1000"), "{e}");
            let e = error_of(joinery_module_call(m, two.as_ptr(), 1, out.as_mut_ptr(), 2));
            assert!(e.contains("@f has 1 results; got room for 2"), "{e}");
            assert!(
                out.iter().all(|p| p.is_null()),
                "nothing is written on failure"
            );
            assert_eq!(joinery_module_free(m), 0);
        }
        let e = call_with(|t| t.dtype = dtype_to_dl(DType::F64));
        assert!(
            e.contains("expects tensor<2x3xf32>, got tensor<2x3xf64>"),
            "{e}"
        );
        let e = call_with(|t| t.dtype.lanes = 4);
        assert!(
            e.contains("unsupported DLPack dtype (code 2, 32 bits, 4 lanes)"),
            "{e}"
        );
    }

    #[test]
    fn handles_used_after_free_or_as_another_kind_are_errors() {
        let mut data = [0.0f32; 6];
        let mut shape = [2i64, 3];
        let t = dl(&mut data, &mut shape);
        let mut out = [null_mut(); 1];
        let lib = library();
        // SAFETY: every handle passed is live or is what is being checked.
        unsafe {
            let m = joinery_module_get(lib, c("f").as_ptr());
            let d = joinery_diff_get(lib, c("j").as_ptr());
            assert!(!m.is_null() && !d.is_null(), "{}", last_error());
            assert_eq!(joinery_library_close(lib), 0);
            // Modules outlive their library.
            assert_eq!(joinery_module_call(m, &t, 1, out.as_mut_ptr(), 1), 0);
            delete_managed(out[0]);
            let e = error_of(joinery_library_close(lib));
            assert!(
                e.contains("the library is not a live handle (freed already"),
                "{e}"
            );
            assert!(joinery_module_get(lib, c("f").as_ptr()).is_null());
            let e = error_of(joinery_module_call(d.cast(), &t, 1, out.as_mut_ptr(), 1));
            assert!(
                e.contains("the module is a differentiable function handle"),
                "{e}"
            );
            let e = error_of(joinery_diff_set_rng_state(m.cast(), 1, 2));
            assert!(
                e.contains("the differentiable function is a module handle"),
                "{e}"
            );
            assert_eq!(joinery_module_free(m), 0);
            let e = error_of(joinery_module_call(m, &t, 1, out.as_mut_ptr(), 1));
            assert!(e.contains("the module is not a live handle"), "{e}");
            let e = error_of(joinery_module_free(m));
            assert!(
                e.contains("joinery_module_free: the module is not a live handle"),
                "{e}"
            );
            // A saved handle is consumed by its backward, once.
            let mut saved = null_mut();
            let mut grads = [null_mut(); 1];
            assert_eq!(joinery_diff_forward(d, &t, 1, null_mut(), 0, &mut saved), 0);
            let e = error_of(joinery_diff_forward(
                d,
                &t,
                1,
                out.as_mut_ptr(),
                1,
                &mut saved,
            ));
            assert!(e.contains("@f has 0 results; got room for 1"), "{e}");
            assert_eq!(
                joinery_diff_backward(d, saved, std::ptr::null(), 0, grads.as_mut_ptr(), 1),
                0,
                "{}",
                last_error()
            );
            delete_managed(grads[0]);
            let e = error_of(joinery_diff_backward(
                d,
                saved,
                std::ptr::null(),
                0,
                grads.as_mut_ptr(),
                1,
            ));
            assert!(e.contains("the saved handle is not a live handle"), "{e}");
            let e = error_of(joinery_saved_free(saved));
            assert!(
                e.contains("joinery_saved_free: the saved handle is not a live"),
                "{e}"
            );
            // A backward given a wrong tangent count still consumes its saved handle.
            assert_eq!(joinery_diff_forward(d, &t, 1, null_mut(), 0, &mut saved), 0);
            let e = error_of(joinery_diff_backward(
                d,
                saved,
                &t,
                1,
                grads.as_mut_ptr(),
                1,
            ));
            assert!(e.contains("@f takes 1 arguments, got 2"), "{e}");
            assert_eq!(joinery_saved_free(saved), -1);
            assert_eq!(joinery_diff_free(d), 0);
            assert_eq!(joinery_diff_free(d), -1);
        }
    }

    #[test]
    fn a_relative_library_path_is_resolved_against_the_current_directory() {
        let name = c("no-such-joinery-library.so");
        // SAFETY: a valid C string.
        let lib = unsafe { joinery_library_open(name.as_ptr()) };
        assert!(lib.is_null());
        let cwd = std::env::current_dir().expect("a current directory");
        let want = cwd.join("no-such-joinery-library.so");
        let e = last_error();
        assert!(
            e.contains(&format!("cannot load {}", want.display())),
            "{e}"
        );
    }

    #[test]
    fn a_panic_in_an_entry_point_is_an_internal_error() {
        let rc = entry("joinery_test", -1, || -> Result<i32, String> {
            panic!("boom")
        });
        assert_eq!(rc, -1);
        let e = last_error();
        assert!(
            e.starts_with("joinery_test: internal error: boom at "),
            "{e}"
        );
        assert!(e.contains("please report it"), "{e}");
        assert_eq!(entry("joinery_test", -1, || Ok(5)), 5);
    }

    #[test]
    fn empty_tensors_are_aligned() {
        let m = handle();
        let mut shape = [0i64, 3];
        let mut t = dl(&mut [], &mut shape);
        t.data = null_mut();
        let mut out = [null_mut(); 1];
        // SAFETY: an empty tensor needs no data; `m` is live.
        let rc = unsafe { joinery_module_call(m, &t, 1, out.as_mut_ptr(), 1) };
        assert_eq!(rc, -1);
        assert!(last_error().contains("expects tensor<2x3xf32>, got tensor<0x3xf32>"));
        // SAFETY: `m` is live.
        assert_eq!(unsafe { joinery_module_free(m) }, 0);
        let e = Tensor::zeros(DType::F64, &[0]);
        assert!((e.as_ptr() as usize).is_multiple_of(crate::tensor::ALIGN));
        assert!(e.to_f64_vec().is_empty());
    }
}
