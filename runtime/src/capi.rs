//! The C ABI: load a compiled library, call its functions and differentiable pairs on
//! DLPack tensors. Declared in `include/joinery.h`. Every function returns 0 on success
//! or -1 with a message for [`joinery_last_error`]; nothing unwinds across the boundary.

use crate::module::{CompiledModule, DifferentiableFn, Library, RngState, Saved, default_threads};
use crate::tensor::{DType, Tensor};
use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char, c_void};

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

fn fail(message: impl Into<String>) -> i32 {
    let text = CString::new(message.into().replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = text);
    -1
}

/// The default thread count, or `None` after recording why there is none (a malformed
/// `JOINERY_NUM_THREADS`).
fn threads_or_fail() -> Option<usize> {
    default_threads().map_err(fail).ok()
}

/// The message of the last failed call on this thread (empty if none).
#[unsafe(no_mangle)]
pub extern "C" fn joinery_last_error() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

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
        std::ptr::null_mut()
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
        strides: std::ptr::null_mut(),
        byte_offset: 0,
    };
    Box::into_raw(Box::new(DLManagedTensor {
        dl_tensor: dl,
        manager_ctx: Box::into_raw(ctx).cast(),
        deleter: Some(delete_managed),
    }))
}

/// Writes results as managed tensors (null for `none` results).
///
/// # Safety
/// `out` must hold `n` writable slots.
unsafe fn write_results(
    results: Vec<Option<Tensor<'static>>>,
    out: *mut *mut DLManagedTensor,
    n: usize,
) -> i32 {
    if results.len() != n {
        return fail(format!(
            "expected room for {} results, got {n}",
            results.len()
        ));
    }
    if n > 0 && out.is_null() {
        return fail("the result array is null");
    }
    for (i, r) in results.into_iter().enumerate() {
        // SAFETY: the caller provides n slots.
        unsafe { *out.add(i) = r.map_or(std::ptr::null_mut(), to_managed) };
    }
    0
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

/// Opens a compiled shared library. Returns null on failure.
///
/// # Safety
/// `path` must be a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_library_open(path: *const c_char) -> *mut JoineryLibrary {
    if path.is_null() {
        fail("the library path is null");
        return std::ptr::null_mut();
    }
    // SAFETY: the caller passes a C string.
    let path = unsafe { CStr::from_ptr(path) }
        .to_string_lossy()
        .into_owned();
    match Library::open(std::path::Path::new(&path)) {
        Ok(lib) => Box::into_raw(Box::new(JoineryLibrary(lib))),
        Err(e) => {
            fail(e.0);
            std::ptr::null_mut()
        }
    }
}

/// Closes a library opened by [`joinery_library_open`] (modules taken from it stay valid).
///
/// # Safety
/// `lib` must come from `joinery_library_open` and not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_library_close(lib: *mut JoineryLibrary) {
    if !lib.is_null() {
        // SAFETY: created by Box::into_raw in joinery_library_open.
        drop(unsafe { Box::from_raw(lib) });
    }
}

/// Takes the compiled function `name` from a library (null on failure).
///
/// # Safety
/// `lib` must be a live library and `name` a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_get(
    lib: *const JoineryLibrary,
    name: *const c_char,
) -> *mut CompiledModule {
    if lib.is_null() || name.is_null() {
        fail("joinery_module_get: null library or name");
        return std::ptr::null_mut();
    }
    // SAFETY: per the contract above.
    let (lib, name) = unsafe { (&(*lib).0, CStr::from_ptr(name).to_string_lossy()) };
    let Some(threads) = threads_or_fail() else {
        return std::ptr::null_mut();
    };
    match lib.module(&name, threads) {
        Ok(m) => Box::into_raw(Box::new(m)),
        Err(e) => {
            fail(e.0);
            std::ptr::null_mut()
        }
    }
}

/// Frees a module.
///
/// # Safety
/// `m` must come from `joinery_module_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_free(m: *mut CompiledModule) {
    if !m.is_null() {
        // SAFETY: created by Box::into_raw.
        drop(unsafe { Box::from_raw(m) });
    }
}

/// Number of arguments and results of a module.
///
/// # Safety
/// `m` must be a live module.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_arity(
    m: *const CompiledModule,
    num_inputs: *mut usize,
    num_outputs: *mut usize,
) {
    if m.is_null() || num_inputs.is_null() || num_outputs.is_null() {
        return;
    }
    // SAFETY: per the contract above; out-pointers are writable.
    unsafe {
        let plan = (*m).plan();
        *num_inputs = plan.caller_inputs().len();
        *num_outputs = plan.outputs.len();
    }
}

/// Calls a module on `n_in` DLTensors; writes `n_out` managed results (null for `none`).
/// Input-mutation results are also written back into their argument's memory.
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
    if m.is_null() {
        return fail("joinery_module_call: null module");
    }
    // SAFETY: `m` is live.
    let m = unsafe { &*m };
    if n_out != m.plan().outputs.len() || (n_out > 0 && outputs.is_null()) {
        return fail(format!(
            "@{} has {} results; got room for {n_out}{}",
            m.plan().name,
            m.plan().outputs.len(),
            if outputs.is_null() { " (null)" } else { "" }
        ));
    }
    // SAFETY: per the contract above.
    let mut args = match unsafe { borrow_inputs(inputs, n_in) } {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    match m.call(&mut args) {
        // SAFETY: `outputs` has n_out slots.
        Ok(r) => unsafe { write_results(r, outputs, n_out) },
        Err(e) => fail(e.0),
    }
}

/// Sets the random state of a module's next call: its random op `k` draws from stream
/// `(seed, offset + k)`, and each call advances `offset` by its number of random ops.
///
/// # Safety
/// `m` must be a live module.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_set_rng_state(
    m: *const CompiledModule,
    seed: u64,
    offset: u64,
) -> i32 {
    if m.is_null() {
        return fail("joinery_module_set_rng_state: null module");
    }
    // SAFETY: `m` is live.
    unsafe { &*m }.set_rng_state(RngState { seed, offset });
    0
}

/// Reads the random state the module's next call starts from.
///
/// # Safety
/// `m` must be a live module; `seed` and `offset` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_module_rng_state(
    m: *const CompiledModule,
    seed: *mut u64,
    offset: *mut u64,
) -> i32 {
    if m.is_null() || seed.is_null() || offset.is_null() {
        return fail("joinery_module_rng_state: null module or out-pointer");
    }
    // SAFETY: per the contract above.
    unsafe {
        let s = (*m).rng_state();
        *seed = s.seed;
        *offset = s.offset;
    }
    0
}

/// Takes the differentiable function compiled from joint `name` (null on failure).
///
/// # Safety
/// `lib` must be a live library and `name` a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_diff_get(
    lib: *const JoineryLibrary,
    name: *const c_char,
) -> *mut DifferentiableFn {
    if lib.is_null() || name.is_null() {
        fail("joinery_diff_get: null library or name");
        return std::ptr::null_mut();
    }
    // SAFETY: per the contract above.
    let (lib, name) = unsafe { (&(*lib).0, CStr::from_ptr(name).to_string_lossy()) };
    let Some(threads) = threads_or_fail() else {
        return std::ptr::null_mut();
    };
    match lib.differentiable(&name, threads) {
        Ok(d) => Box::into_raw(Box::new(d)),
        Err(e) => {
            fail(e.0);
            std::ptr::null_mut()
        }
    }
}

/// Frees a differentiable function.
///
/// # Safety
/// `d` must come from `joinery_diff_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_diff_free(d: *mut DifferentiableFn) {
    if !d.is_null() {
        // SAFETY: created by Box::into_raw.
        drop(unsafe { Box::from_raw(d) });
    }
}

/// Sets the random state of a differentiable function's next forward (as
/// [`joinery_module_set_rng_state`]; the backward draws nothing).
///
/// # Safety
/// `d` must be a live differentiable function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_diff_set_rng_state(
    d: *const DifferentiableFn,
    seed: u64,
    offset: u64,
) -> i32 {
    if d.is_null() {
        return fail("joinery_diff_set_rng_state: null function");
    }
    // SAFETY: `d` is live.
    unsafe { &*d }.set_rng_state(RngState { seed, offset });
    0
}

/// Runs the forward: writes `n_out` user outputs and an opaque saved handle.
///
/// # Safety
/// As [`joinery_module_call`]; `saved` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_diff_forward(
    d: *const DifferentiableFn,
    inputs: *const DLTensor,
    n_in: usize,
    outputs: *mut *mut DLManagedTensor,
    n_out: usize,
    saved: *mut *mut Saved,
) -> i32 {
    if d.is_null() || saved.is_null() {
        return fail("joinery_diff_forward: null function or saved slot");
    }
    // SAFETY: per the contract above.
    let mut args = match unsafe { borrow_inputs(inputs, n_in) } {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    // SAFETY: `d` is live.
    match unsafe { &*d }.forward(&mut args) {
        Ok((outs, s)) => {
            // SAFETY: `outputs` has n_out slots; `saved` is writable.
            let rc = unsafe { write_results(outs, outputs, n_out) };
            if rc == 0 {
                unsafe { *saved = Box::into_raw(Box::new(s)) };
            }
            rc
        }
        Err(e) => fail(e.0),
    }
}

/// Runs the backward, consuming `saved`; writes one gradient slot per primal (null where
/// the joint has no gradient).
///
/// # Safety
/// `saved` must come from `joinery_diff_forward` of the same function and is freed here.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_diff_backward(
    d: *const DifferentiableFn,
    saved: *mut Saved,
    tangents: *const DLTensor,
    n_tangents: usize,
    grads: *mut *mut DLManagedTensor,
    n_grads: usize,
) -> i32 {
    if saved.is_null() {
        return fail("saved handle is null");
    }
    // SAFETY: created by Box::into_raw in joinery_diff_forward.
    let saved = unsafe { *Box::from_raw(saved) };
    if d.is_null() {
        return fail("joinery_diff_backward: null function");
    }
    // SAFETY: per the contract above.
    let tans = match unsafe { borrow_inputs(tangents, n_tangents) } {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    // SAFETY: `d` is live.
    match unsafe { &*d }.backward(saved, tans) {
        // SAFETY: `grads` has n_grads slots.
        Ok(g) => unsafe { write_results(g, grads, n_grads) },
        Err(e) => fail(e.0),
    }
}

/// Frees a saved handle that will not be passed to a backward.
///
/// # Safety
/// `saved` must come from `joinery_diff_forward`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn joinery_saved_free(saved: *mut Saved) {
    if !saved.is_null() {
        // SAFETY: created by Box::into_raw.
        drop(unsafe { Box::from_raw(saved) });
    }
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
        unsafe { CompiledModule::new(plan, vec![], Arc::new(()), 1) }
    }

    #[test]
    fn the_random_state_is_set_and_read_through_the_c_abi() {
        let m = module();
        let (mut seed, mut offset) = (1u64, 1u64);
        // SAFETY: `m` is live and the out-pointers writable.
        unsafe {
            assert_eq!(joinery_module_rng_state(&m, &mut seed, &mut offset), 0);
            assert_eq!((seed, offset), (0, 0), "a fresh module starts at (0, 0)");
            assert_eq!(joinery_module_set_rng_state(&m, 7, u64::MAX), 0);
            assert_eq!(joinery_module_rng_state(&m, &mut seed, &mut offset), 0);
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
            strides: std::ptr::null_mut(),
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
        let m = module();
        let mut data = [1.0f32; 8];
        let mut shape = [2i64, 3];
        let mut strides = [3i64, 1];
        let mut t = dl(&mut data, &mut shape);
        t.strides = strides.as_mut_ptr();
        edit(&mut t);
        let mut out = [std::ptr::null_mut(); 1];
        // SAFETY: `t` is a DLTensor over live memory; `out` has one slot.
        let rc = unsafe { joinery_module_call(&m, &t, 1, out.as_mut_ptr(), 1) };
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
        let cases: [(&str, Edit); 8] = [
            ("negative ndim -1", Box::new(|t| t.ndim = -1)),
            (
                "expects tensor<2x3xf32>, got tensor<2x3x1xf32>",
                Box::new(|t| {
                    t.ndim = 3;
                    t.strides = std::ptr::null_mut();
                    t.shape = Box::leak(Box::new([2i64, 3, 1])).as_mut_ptr();
                }),
            ),
            (
                "null shape for 2 dimensions",
                Box::new(|t| t.shape = std::ptr::null_mut()),
            ),
            (
                "negative extent -3 in dim 1",
                Box::new(|t| t.shape = Box::leak(Box::new([2i64, -3])).as_mut_ptr()),
            ),
            (
                "only compact row-major tensors are supported",
                Box::new(|t| t.strides = Box::leak(Box::new([1i64, 2])).as_mut_ptr()),
            ),
            (
                "only CPU tensors are supported",
                Box::new(|t| t.device.device_type = 2),
            ),
            (
                "not aligned to its 4-byte elements",
                Box::new(|t| t.byte_offset = 2),
            ),
            ("null data", Box::new(|t| t.data = std::ptr::null_mut())),
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

    #[test]
    fn null_handles_and_arrays_are_errors() {
        let m = module();
        let mut out = [std::ptr::null_mut(); 1];
        // SAFETY: null pointers are what is being checked.
        unsafe {
            assert_eq!(
                joinery_module_call(std::ptr::null(), std::ptr::null(), 0, out.as_mut_ptr(), 1),
                -1
            );
            assert!(last_error().contains("null module"));
            assert_eq!(
                joinery_module_call(&m, std::ptr::null(), 1, out.as_mut_ptr(), 1),
                -1
            );
            assert!(last_error().contains("null"), "{}", last_error());
            let mut data = [0.0f32; 6];
            let mut shape = [2i64, 3];
            let t = dl(&mut data, &mut shape);
            assert_eq!(joinery_module_call(&m, &t, 1, std::ptr::null_mut(), 1), -1);
            assert!(last_error().contains("(null)"), "{}", last_error());
            assert_eq!(joinery_module_call(&m, &t, 1, out.as_mut_ptr(), 2), -1);
            assert!(last_error().contains("has 1 results; got room for 2"));
            assert!(joinery_library_open(std::ptr::null()).is_null());
            assert!(joinery_module_get(std::ptr::null(), std::ptr::null()).is_null());
            assert!(joinery_diff_get(std::ptr::null(), std::ptr::null()).is_null());
            let mut saved = std::ptr::null_mut();
            assert_eq!(
                joinery_diff_forward(std::ptr::null(), &t, 1, out.as_mut_ptr(), 1, &mut saved),
                -1
            );
            let (mut a, mut b) = (7usize, 7usize);
            joinery_module_arity(std::ptr::null(), &mut a, &mut b);
            assert_eq!((a, b), (7, 7));
        }
    }

    #[test]
    fn empty_tensors_are_aligned() {
        let m = module();
        let mut shape = [0i64, 3];
        let mut t = dl(&mut [], &mut shape);
        t.data = std::ptr::null_mut();
        let mut out = [std::ptr::null_mut(); 1];
        // SAFETY: an empty tensor needs no data.
        let rc = unsafe { joinery_module_call(&m, &t, 1, out.as_mut_ptr(), 1) };
        assert_eq!(rc, -1);
        assert!(last_error().contains("expects tensor<2x3xf32>, got tensor<0x3xf32>"));
        let e = Tensor::zeros(DType::F64, &[0]);
        assert!((e.as_ptr() as usize).is_multiple_of(crate::tensor::ALIGN));
        assert!(e.to_f64_vec().is_empty());
    }
}
