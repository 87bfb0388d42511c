//! [`CompiledModule`]: a plan plus its kernels' machine code, callable on tensors with
//! shapes and dtypes checked at call time; [`DifferentiableFn`]: a forward/backward pair
//! with an opaque saved handle; [`Library`]: both, loaded from a shared library that the
//! compiler wrote, without LLVM.

use crate::exec::{Executor, KernelFn};
use crate::plan::{Bundle, DiffSpec, Plan, ResultTensor};
use crate::tensor::{Tensor, describe};
use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Name of the NUL-terminated JSON [`Bundle`] every compiled shared library exports.
pub const BUNDLE_SYMBOL: &str = "joinery_bundle";

/// A call-time error: which argument is wrong and why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CallError(pub String);

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}", self.0)
    }
}

impl std::error::Error for CallError {}

/// Keeps whatever owns the kernels' code alive (a JIT engine, a loaded library).
pub type CodeOwner = Arc<dyn Any + Send + Sync>;

/// The most worker threads a module runs on: a larger count is a mistake (it could exhaust
/// the machine's threads), refused rather than honoured.
pub const MAX_THREADS: usize = 1024;

/// `n` as a worker-thread count: from 1 to [`MAX_THREADS`], else why not.
pub fn thread_count(n: usize) -> Result<usize, String> {
    if (1..=MAX_THREADS).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "a thread count must be from 1 to {MAX_THREADS}, got {n}"
        ))
    }
}

/// Default worker threads: `JOINERY_NUM_THREADS` (a whole number from 1 to
/// [`MAX_THREADS`]), else the machine's parallelism. A set but malformed variable is an
/// error, not ignored.
pub fn default_threads() -> Result<usize, String> {
    match std::env::var("JOINERY_NUM_THREADS") {
        Ok(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|n| thread_count(n).ok())
            .ok_or_else(|| {
                format!(
                    "JOINERY_NUM_THREADS must be a whole number from 1 to {MAX_THREADS}, got '{text}'"
                )
            }),
        Err(_) => Ok(std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_THREADS)),
    }
}

/// The random state of a compiled module: random op `k` (from 0) of the next call draws
/// from the counter-based stream `(seed, offset + k)`, the stream the reference
/// interpreter's op `k` draws from with the same seed and offset. Each call advances
/// `offset` by the number of random ops, so successive calls draw fresh numbers and a
/// state set again replays them.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RngState {
    pub seed: u64,
    pub offset: u64,
}

/// A compiled function ready to call.
pub struct CompiledModule {
    plan: Plan,
    /// Per buffer of the plan, whether its steps write every byte ([`Plan::overwrites`]).
    overwritten: Vec<bool>,
    kernels: Vec<KernelFn>,
    exec: Mutex<Executor>,
    rng: Mutex<RngState>,
    _code: CodeOwner,
}

impl CompiledModule {
    /// A module from a plan and the addresses of its kernels (in `plan.kernels` order),
    /// run on `threads` workers; `code` keeps the memory holding them alive. Fails when the
    /// workers cannot be started.
    ///
    /// # Safety
    /// Each pointer must be a kernel generated for this plan, valid while `code` lives.
    pub unsafe fn new(
        plan: Plan,
        kernels: Vec<KernelFn>,
        code: CodeOwner,
        threads: usize,
    ) -> Result<CompiledModule, CallError> {
        Ok(CompiledModule {
            overwritten: (0..plan.buffers.len())
                .map(|b| plan.overwrites(b))
                .collect(),
            plan,
            kernels,
            exec: Mutex::new(Executor::new(threads).map_err(CallError)?),
            rng: Mutex::new(RngState::default()),
            _code: code,
        })
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The random state the next call starts from (seed 0, offset 0 at first).
    pub fn rng_state(&self) -> RngState {
        *self.rng.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the random state: the next call draws from `state` (see [`RngState`]).
    pub fn set_rng_state(&self, state: RngState) {
        *self.rng.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    /// The random state of this call as the plan's two trailing inputs, advancing the
    /// module's state past the streams the call draws; nothing without random ops.
    fn draw_rng_inputs(&self) -> Vec<Tensor<'static>> {
        let Some(spec) = self.plan.rng else {
            return Vec::new();
        };
        let mut state = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        let now = *state;
        state.offset = now.offset.wrapping_add(spec.streams);
        // The kernels read the two words as i64 and compute modulo 2^64.
        vec![
            Tensor::from_vec(&[], vec![now.seed as i64]),
            Tensor::from_vec(&[], vec![now.offset as i64]),
        ]
    }

    /// Checks that `n` arguments are what the function takes (the random state the runtime
    /// supplies is not the caller's to pass).
    pub fn check_arity(&self, n: usize) -> Result<(), CallError> {
        let want = self.plan.caller_inputs().len();
        if n != want {
            return Err(CallError(format!(
                "@{} takes {want} arguments, got {n}",
                self.plan.name
            )));
        }
        Ok(())
    }

    /// Checks that `inputs` match the signature: count, dtype and shape of each (the
    /// random state the runtime supplies is not the caller's to pass).
    pub fn check_inputs(&self, inputs: &[Tensor<'_>]) -> Result<(), CallError> {
        self.check_arity(inputs.len())?;
        let specs = self.plan.caller_inputs();
        for (i, (t, s)) in inputs.iter().zip(specs).enumerate() {
            if t.dtype() != s.dtype || t.shape() != s.shape.as_slice() {
                let desc = if s.desc.is_empty() {
                    String::new()
                } else {
                    format!(" {}", s.desc)
                };
                return Err(CallError(format!(
                    "argument #{i} (%{}{desc}) of @{} expects {}, got {}",
                    s.name,
                    self.plan.name,
                    describe(s.dtype, &s.shape),
                    t.describe()
                )));
            }
        }
        Ok(())
    }

    /// A fresh tensor for result `t`: zeroed unless the steps overwrite every byte of
    /// its buffer ([`Plan::overwrites`]).
    fn allocate(&self, t: &ResultTensor) -> Option<Tensor<'static>> {
        if self.overwritten[t.buffer] {
            Tensor::try_for_overwrite(t.dtype, &t.shape)
        } else {
            Tensor::try_zeros(t.dtype, &t.shape)
        }
    }

    /// Runs the function: checks `inputs`, returns fresh result tensors (`None` for `none`
    /// results) and writes every `#aot.input_mutation` result back into its argument. A
    /// function with random ops draws from the module's [`RngState`] and advances it.
    pub fn call(
        &self,
        inputs: &mut [Tensor<'_>],
    ) -> Result<Vec<Option<Tensor<'static>>>, CallError> {
        self.check_inputs(inputs)?;
        let mut outputs: Vec<Option<Tensor<'static>>> = Vec::new();
        for (j, r) in self.plan.outputs.iter().enumerate() {
            outputs.push(match &r.tensor {
                None => None,
                Some(t) => Some(self.allocate(t).ok_or_else(|| {
                    CallError(format!(
                        "@{}: cannot allocate result #{j} ({})",
                        self.plan.name,
                        describe(t.dtype, &t.shape)
                    ))
                })?),
            });
        }
        {
            let rng = self.draw_rng_inputs();
            let all: Vec<&Tensor<'_>> = inputs.iter().chain(&rng).collect();
            let mut exec = self.exec.lock().unwrap_or_else(|e| e.into_inner());
            exec.run(&self.plan, &self.kernels, &all, &mut outputs)
                .map_err(CallError)?;
        }
        for (r, out) in self.plan.outputs.iter().zip(&outputs) {
            if let (Some(i), Some(t)) = (r.mutates, out) {
                inputs[i].bytes_mut().copy_from_slice(t.bytes());
            }
        }
        Ok(outputs)
    }
}

/// The values a forward call saved for its backward; opaque to the caller.
pub struct Saved {
    owner: u64,
    tensors: Vec<Tensor<'static>>,
}

impl Saved {
    /// How many tensors are held.
    pub fn len(&self) -> usize {
        self.tensors.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.tensors.is_empty()
    }
}

static NEXT_FN_ID: AtomicU64 = AtomicU64::new(1);

/// A differentiable callable: `forward(inputs) -> (outputs, saved)` and
/// `backward(saved, tangents) -> grads`, as AOTAutograd's compiled function.
pub struct DifferentiableFn {
    id: u64,
    forward: CompiledModule,
    backward: CompiledModule,
    num_fwd_outputs: usize,
}

impl DifferentiableFn {
    /// Pairs a forward and a backward module; the forward returns `num_fwd_outputs` user
    /// outputs followed by the saved values, which the backward takes before the tangents.
    pub fn new(
        forward: CompiledModule,
        backward: CompiledModule,
        num_fwd_outputs: usize,
    ) -> DifferentiableFn {
        DifferentiableFn {
            id: NEXT_FN_ID.fetch_add(1, Ordering::Relaxed),
            forward,
            backward,
            num_fwd_outputs,
        }
    }

    /// The forward module.
    pub fn forward_module(&self) -> &CompiledModule {
        &self.forward
    }

    /// The backward module.
    pub fn backward_module(&self) -> &CompiledModule {
        &self.backward
    }

    /// How many user outputs the forward returns (the rest of its results are saved).
    pub fn num_outputs(&self) -> usize {
        self.num_fwd_outputs.min(self.forward.plan.outputs.len())
    }

    /// The random state the next forward starts from. The backward draws nothing: a
    /// random op's values (a dropout mask) reach it as saved values.
    pub fn rng_state(&self) -> RngState {
        self.forward.rng_state()
    }

    /// Sets the random state of the next forward (see [`RngState`]).
    pub fn set_rng_state(&self, state: RngState) {
        self.forward.set_rng_state(state);
    }

    /// Runs the forward: user outputs (input mutations written back) and the saved handle.
    pub fn forward(
        &self,
        inputs: &mut [Tensor<'_>],
    ) -> Result<(Vec<Option<Tensor<'static>>>, Saved), CallError> {
        let mut outs = self.forward.call(inputs)?;
        let saved = outs.split_off(self.num_outputs());
        let tensors = saved
            .into_iter()
            .enumerate()
            .map(|(i, t)| t.ok_or_else(|| CallError(format!("saved value #{i} is none"))))
            .collect::<Result<_, _>>()?;
        Ok((
            outs,
            Saved {
                owner: self.id,
                tensors,
            },
        ))
    }

    /// Runs the backward on what the matching forward saved; one gradient slot per primal
    /// (`None` where the joint has no gradient).
    pub fn backward(
        &self,
        saved: Saved,
        tangents: Vec<Tensor<'_>>,
    ) -> Result<Vec<Option<Tensor<'static>>>, CallError> {
        if saved.owner != self.id {
            return Err(CallError(
                "saved values come from another differentiable function".into(),
            ));
        }
        let mut inputs: Vec<Tensor<'_>> = saved.tensors;
        inputs.extend(tangents);
        self.backward.call(&mut inputs)
    }
}

/// A shared library written by the compiler: its plans and kernels, loaded with `dlopen`.
pub struct Library {
    bundle: Bundle,
    lib: Arc<libloading::Library>,
}

impl Library {
    /// Opens a compiled shared library and reads its plan bundle. A relative `path` is
    /// relative to the current directory (`dlopen` alone would search the library path
    /// for a bare file name).
    pub fn open(path: &std::path::Path) -> Result<Library, CallError> {
        let path = &std::path::absolute(path).map_err(|e| {
            CallError(format!(
                "cannot resolve {} against the current directory: {e}",
                path.display()
            ))
        })?;
        // SAFETY: loading runs the library's initialisers; compiled kernels have none.
        let lib = unsafe { libloading::Library::new(path) }
            .map_err(|e| CallError(format!("cannot load {}: {e}", path.display())))?;
        // SAFETY: the symbol is a NUL-terminated string written by the compiler.
        let text = unsafe {
            let sym: libloading::Symbol<'_, *const std::ffi::c_char> = lib
                .get(format!("{BUNDLE_SYMBOL}\0").as_bytes())
                .map_err(|e| CallError(format!("{}: no plan bundle: {e}", path.display())))?;
            std::ffi::CStr::from_ptr(*sym)
                .to_string_lossy()
                .into_owned()
        };
        let bundle = Bundle::from_json(&text).map_err(CallError)?;
        Ok(Library {
            bundle,
            lib: Arc::new(lib),
        })
    }

    /// A library over the symbols of the running test binary with `bundle` (whose plans
    /// call no kernel), to test what runs on a library without compiling one.
    #[cfg(test)]
    pub(crate) fn for_tests(bundle: Bundle) -> Library {
        Library {
            bundle,
            lib: Arc::new(libloading::os::unix::Library::this().into()),
        }
    }

    /// The plans and pairs inside.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// The compiled function named `name`.
    pub fn module(&self, name: &str, threads: usize) -> Result<CompiledModule, CallError> {
        let plan = self
            .bundle
            .plans
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| CallError(format!("no compiled function @{name} in the library")))?;
        self.module_of(plan.clone(), threads)
    }

    fn module_of(&self, plan: Plan, threads: usize) -> Result<CompiledModule, CallError> {
        let kernels = plan
            .kernels
            .iter()
            .map(|k| {
                // SAFETY: kernel symbols have the KernelFn signature.
                unsafe {
                    self.lib
                        .get::<KernelFn>(format!("{}\0", k.symbol).as_bytes())
                        .map(|s| *s)
                        .map_err(|e| CallError(format!("missing kernel {}: {e}", k.symbol)))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let owner: CodeOwner = self.lib.clone();
        // SAFETY: the kernels were compiled with this plan and live as long as the library.
        unsafe { CompiledModule::new(plan, kernels, owner, threads) }
    }

    /// The differentiable function compiled from the joint function `name`.
    pub fn differentiable(
        &self,
        name: &str,
        threads: usize,
    ) -> Result<DifferentiableFn, CallError> {
        let d: &DiffSpec = self
            .bundle
            .diffs
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| CallError(format!("no differentiable function @{name}")))?;
        let fwd = self.module_of(self.bundle.plans[d.forward].clone(), threads)?;
        let bwd = self.module_of(self.bundle.plans[d.backward].clone(), threads)?;
        Ok(DifferentiableFn::new(fwd, bwd, d.num_fwd_outputs))
    }
}
