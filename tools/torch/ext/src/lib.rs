//! `joinery_torch._native`: compiled joinery libraries called on torch tensors.
//!
//! Inputs are borrowed where they lie: each tensor's data pointer, dtype and shape are read
//! and checked as a DLPack `DLTensor` would be (CPU, compact row-major, aligned), and the
//! native code reads them, and writes input mutations back into them, without a copy.
//! Results leave as DLPack capsules that `torch.from_dlpack` wraps without a copy. Saved
//! values stay inside a [`Saved`] handle between forward and backward. The GIL is released
//! while native code runs. Every entry point runs under the panic guard: a bug raises a
//! `JoineryError` saying so.

use joinery_runtime::capi::{self, DLDevice, DLManagedTensor, DLTensor, KDL_CPU};
use joinery_runtime::module::{CompiledModule, DifferentiableFn, Library as RtLibrary};
use joinery_runtime::{DType, RngState, Tensor, default_threads, thread_count};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyTuple};
use std::ffi::{CStr, c_void};
use std::sync::Mutex;

pyo3::create_exception!(
    _native,
    JoineryError,
    PyRuntimeError,
    "A failed joinery call."
);

/// Runs an entry point's `body` under the panic guard: a panic (a bug) is a
/// `JoineryError` saying so, not pyo3's `PanicException` (which `except Exception` does not
/// catch) and a backtrace on stderr.
fn guarded<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    joinery_guard::catch(body)
        .unwrap_or_else(|panic| Err(JoineryError::new_err(joinery_guard::internal_error(&panic))))
}

/// What the extension needs from torch, looked up once.
struct Torch {
    tensor_type: Py<PyAny>,
    from_dlpack: Py<PyAny>,
    dtypes: Vec<(Py<PyAny>, DType)>,
}

static TORCH: PyOnceLock<Torch> = PyOnceLock::new();

fn torch(py: Python<'_>) -> PyResult<&Torch> {
    TORCH.get_or_try_init(py, || {
        let torch = py.import("torch")?;
        let dtypes = [
            ("float32", DType::F32),
            ("float64", DType::F64),
            ("int64", DType::I64),
            ("int32", DType::I32),
            ("int16", DType::I16),
            ("int8", DType::I8),
            ("float16", DType::F16),
            ("bfloat16", DType::BF16),
            ("bool", DType::Bool),
            ("complex64", DType::C64),
            ("complex128", DType::C128),
        ]
        .into_iter()
        .map(|(name, d)| Ok((torch.getattr(name)?.unbind(), d)))
        .collect::<PyResult<Vec<_>>>()?;
        Ok(Torch {
            tensor_type: torch.getattr("Tensor")?.unbind(),
            from_dlpack: py
                .import("torch.utils.dlpack")?
                .getattr("from_dlpack")?
                .unbind(),
            dtypes,
        })
    })
}

/// A tensor's fields, read from Python, that a `DLTensor` points into.
struct Borrowed {
    data: usize,
    dtype: DType,
    shape: Vec<i64>,
}

/// Reads `obj` (a CPU, contiguous torch tensor) without copying its data.
fn read_tensor(torch: &Torch, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Borrowed> {
    if !obj.is_instance(torch.tensor_type.bind(obj.py()))? {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected a torch.Tensor, got {}",
            obj.get_type().name()?
        )));
    }
    if !obj.getattr("is_cpu")?.extract::<bool>()? {
        return Err(PyValueError::new_err(format!(
            "{what}: only CPU tensors are supported (got one on {})",
            obj.getattr("device")?.str()?
        )));
    }
    if !obj.call_method0("is_contiguous")?.extract::<bool>()? {
        return Err(PyValueError::new_err(format!(
            "{what}: only contiguous tensors are supported (call .contiguous() first)"
        )));
    }
    let dt = obj.getattr("dtype")?;
    let dtype = torch
        .dtypes
        .iter()
        .find(|(t, _)| t.bind(obj.py()).is(&dt))
        .map(|&(_, d)| d)
        .ok_or_else(|| PyValueError::new_err(format!("{what}: unsupported dtype {dt}")))?;
    Ok(Borrowed {
        data: obj.call_method0("data_ptr")?.extract()?,
        dtype,
        shape: obj.getattr("shape")?.extract()?,
    })
}

/// Borrows every tensor of `objs` as runtime tensors (checked as DLPack tensors) and runs
/// `f` on them with the GIL released.
fn with_tensors<R: Send>(
    py: Python<'_>,
    objs: &Bound<'_, PyAny>,
    what: &str,
    f: impl FnOnce(Vec<Tensor<'_>>) -> Result<R, String> + Send,
) -> PyResult<R> {
    let torch = torch(py)?;
    let read = objs
        .try_iter()?
        .enumerate()
        .map(|(i, o)| read_tensor(torch, &o?, &format!("{what} #{i}")))
        .collect::<PyResult<Vec<Borrowed>>>()?;
    py.detach(move || {
        let mut read = read;
        let tensors = read
            .iter_mut()
            .enumerate()
            .map(|(i, b)| {
                let dl = DLTensor {
                    data: b.data as *mut c_void,
                    device: DLDevice {
                        device_type: KDL_CPU,
                        device_id: 0,
                    },
                    ndim: b.shape.len() as i32,
                    dtype: capi::dtype_to_dl(b.dtype),
                    shape: b.shape.as_mut_ptr(),
                    strides: std::ptr::null_mut(),
                    byte_offset: 0,
                };
                // SAFETY: the tensor objects are alive for the whole call (the caller
                // holds them), contiguous on the CPU, and `dl` describes their storage.
                unsafe { capi::borrow_dl(&dl, &format!("{what} #{i}")) }
            })
            .collect::<Result<Vec<_>, String>>()?;
        f(tensors)
    })
    .map_err(JoineryError::new_err)
}

const DLTENSOR: &CStr = c"dltensor";

/// Frees a capsule's tensor unless torch took it (and renamed the capsule).
unsafe extern "C" fn drop_capsule(capsule: *mut pyo3::ffi::PyObject) {
    // SAFETY: called by Python on a capsule this module made.
    unsafe {
        if pyo3::ffi::PyCapsule_IsValid(capsule, DLTENSOR.as_ptr()) == 1 {
            let m = pyo3::ffi::PyCapsule_GetPointer(capsule, DLTENSOR.as_ptr())
                .cast::<DLManagedTensor>();
            if let Some(deleter) = m.as_ref().and_then(|m| m.deleter) {
                deleter(m);
            }
        }
    }
}

/// Result tensors as torch tensors (through DLPack, no copy) or `None`.
fn to_torch<'py>(
    py: Python<'py>,
    results: Vec<Option<Tensor<'static>>>,
) -> PyResult<Bound<'py, PyList>> {
    let from_dlpack = torch(py)?.from_dlpack.bind(py);
    let items = results
        .into_iter()
        .map(|r| match r {
            None => Ok(py.None().into_bound(py)),
            Some(t) => {
                let managed = capi::to_managed(t);
                // SAFETY: the capsule owns `managed` until torch consumes it; the
                // destructor frees it otherwise.
                let capsule = unsafe {
                    let ptr = pyo3::ffi::PyCapsule_New(
                        managed.cast(),
                        DLTENSOR.as_ptr(),
                        Some(drop_capsule),
                    );
                    if ptr.is_null() {
                        if let Some(deleter) = (*managed).deleter {
                            deleter(managed);
                        }
                        return Err(PyErr::fetch(py));
                    }
                    Bound::from_owned_ptr(py, ptr)
                };
                from_dlpack.call1((capsule,))
            }
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// `threads` (from 1 to `MAX_THREADS`), else the default count.
fn threads_or_default(threads: Option<usize>) -> PyResult<usize> {
    threads
        .map_or_else(default_threads, thread_count)
        .map_err(PyValueError::new_err)
}

/// A compiled shared library: its plans (as JSON) and functions.
#[pyclass(module = "joinery_torch._native", frozen)]
struct Library {
    lib: RtLibrary,
}

#[pymethods]
impl Library {
    /// Opens the library at `path` (written by `joinery-translate --to-shared-lib`).
    #[new]
    fn new(path: std::path::PathBuf) -> PyResult<Library> {
        guarded(|| {
            RtLibrary::open(&path)
                .map(|lib| Library { lib })
                .map_err(|e| JoineryError::new_err(e.0))
        })
    }

    /// The plan bundle as JSON: every function's arguments and results with descriptors.
    fn bundle_json(&self) -> PyResult<String> {
        guarded(|| Ok(self.lib.bundle().to_json()))
    }

    /// The function `name`, run on `threads` threads (default: `JOINERY_NUM_THREADS` or
    /// every core).
    #[pyo3(signature = (name, threads=None))]
    fn function(&self, name: &str, threads: Option<usize>) -> PyResult<Function> {
        guarded(|| {
            let module = self
                .lib
                .module(name, threads_or_default(threads)?)
                .map_err(|e| JoineryError::new_err(e.0))?;
            Ok(Function { module })
        })
    }

    /// The differentiable pair compiled from the joint function `name`.
    #[pyo3(signature = (name, threads=None))]
    fn differentiable(&self, name: &str, threads: Option<usize>) -> PyResult<Differentiable> {
        guarded(|| {
            let f = self
                .lib
                .differentiable(name, threads_or_default(threads)?)
                .map_err(|e| JoineryError::new_err(e.0))?;
            Ok(Differentiable { f })
        })
    }
}

/// One compiled function.
#[pyclass(module = "joinery_torch._native", frozen)]
struct Function {
    module: CompiledModule,
}

#[pymethods]
impl Function {
    /// Runs the function on `inputs`; input mutations are written back into them.
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        inputs: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        guarded(|| {
            let results = with_tensors(py, inputs, "argument", |mut args| {
                self.module.call(&mut args).map_err(|e| e.0)
            })?;
            to_torch(py, results)
        })
    }
}

/// The values a forward saved for its backward; consumed by the backward.
#[pyclass(module = "joinery_torch._native", frozen)]
struct Saved {
    inner: Mutex<Option<joinery_runtime::module::Saved>>,
}

/// A forward/backward pair.
#[pyclass(module = "joinery_torch._native", frozen)]
struct Differentiable {
    f: DifferentiableFn,
}

#[pymethods]
impl Differentiable {
    /// Runs the forward on the primals: `(outputs, saved)`, input mutations written back.
    fn forward<'py>(
        &self,
        py: Python<'py>,
        primals: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        guarded(|| {
            let (outs, saved) = with_tensors(py, primals, "primal", |mut args| {
                self.f.forward(&mut args).map_err(|e| e.0)
            })?;
            let saved = Saved {
                inner: Mutex::new(Some(saved)),
            };
            PyTuple::new(
                py,
                [
                    to_torch(py, outs)?.into_any(),
                    Bound::new(py, saved)?.into_any(),
                ],
            )
        })
    }

    /// The random-number state `(seed, offset)` of the forward's random ops (dropout): each
    /// call advances the offset by the draws it makes.
    fn rng_state(&self) -> PyResult<(u64, u64)> {
        guarded(|| {
            let s = self.f.rng_state();
            Ok((s.seed, s.offset))
        })
    }

    /// Sets the random-number state: the same state replays the same draws.
    fn set_rng_state(&self, seed: u64, offset: u64) -> PyResult<()> {
        guarded(|| {
            self.f.set_rng_state(RngState { seed, offset });
            Ok(())
        })
    }

    /// Runs the backward on what `saved` holds and the tangents: one gradient (or `None`)
    /// per primal. A `Saved` is used once.
    fn backward<'py>(
        &self,
        py: Python<'py>,
        saved: &Bound<'py, Saved>,
        tangents: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        guarded(|| {
            let held = saved
                .get()
                .inner
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .ok_or_else(|| {
                    JoineryError::new_err("these saved values were already used by a backward")
                })?;
            let grads = with_tensors(py, tangents, "tangent", |tans| {
                self.f.backward(held, tans).map_err(|e| e.0)
            })?;
            to_torch(py, grads)
        })
    }
}

/// The module `joinery_torch._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("JoineryError", m.py().get_type::<JoineryError>())?;
    m.add_class::<Library>()?;
    m.add_class::<Function>()?;
    m.add_class::<Differentiable>()?;
    m.add_class::<Saved>()?;
    Ok(())
}
