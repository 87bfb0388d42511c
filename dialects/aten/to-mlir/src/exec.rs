//! The second execution path: the exported module lowered by MLIR's own pipeline and run
//! by melior's `ExecutionEngine` (`joinery-run --via-mlir`).
//!
//! A wrapper `@__joinery_entry` is added beside the exported function: it takes one memref
//! per argument and one per (non-`none`) result, reads the arguments as tensors
//! (`bufferization.to_tensor`), calls the function and writes each result into its memref
//! (`bufferization.materialize_in_destination`). With `llvm.emit_c_interface` its C entry
//! point takes one pointer to a memref descriptor per memref, which the caller fills with
//! its own buffers.
//!
//! A result whose row count is known only at run time (`nonzero`'s `tensor<?xRxi64>`)
//! is written into a caller's buffer of the most rows it can have (every element of the
//! `nonzero`'s input nonzero: the count the native backend allocates too) at its top
//! (`tensor.insert_slice` into a `tensor.empty` of that size), and its row count into a
//! `memref<i64>` passed after it; the caller reads back that many rows.

use crate::types::{TensorTy, element};
use joinery_interp::{RunOptions, RuntimeValue, Tensor};
use joinery_ir::{Context, DType, Diagnostic, OpId, TypeData};
use melior::ExecutionEngine;
use melior::ir::attribute::{
    DenseI32ArrayAttribute, DenseI64ArrayAttribute, FlatSymbolRefAttribute, IntegerAttribute,
    StringAttribute, TypeAttribute,
};
use melior::ir::operation::OperationBuilder;
use melior::ir::r#type::{FunctionType, MemRefType};
use melior::ir::{
    Attribute, Block, BlockLike, Identifier, Location, Module, Region, RegionLike, Type, Value,
};
use melior::pass::PassManager;
use ndarray::{ArrayD, IxDyn};

/// MLIR's lowering of the exported module to the LLVM dialect: calls inlined into the
/// entry wrapper, one-shot bufferization across function boundaries (identity layouts,
/// so `tensor.reshape` bufferizes), buffers freed by ownership-based deallocation, linalg
/// to loops, integer powers (`math.ipowi`) outlined as functions, then every dialect to
/// LLVM (math functions without an LLVM intrinsic, such as `erf`, become libm calls).
pub const LOWER_PIPELINE: &str = "builtin.module(inline,\
    one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},\
    buffer-deallocation-pipeline,convert-linalg-to-loops,convert-bufferization-to-memref,\
    expand-strided-metadata,lower-affine,convert-math-to-funcs,convert-scf-to-cf,convert-math-to-llvm,\
    convert-math-to-libm,arith-expand,convert-arith-to-llvm,finalize-memref-to-llvm,\
    convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts)";

/// MLIR's C runner utilities, from the LLVM installation mlir-sys links against: the
/// lowered code calls their `memrefCopy` for copies between memrefs of non-identity
/// layout (a `tensor.insert_slice` into a strided view, say). NUL-terminated: MLIR's C API
/// reads each shared library path as a C string, past the length melior passes.
const RUNNER_UTILS: &str = concat!(
    env!("MLIR_SYS_220_PREFIX"),
    "/lib/libmlir_c_runner_utils.so\0"
);

/// The name of the entry wrapper.
const ENTRY: &str = "__joinery_entry";

/// A tensor at the function's boundary: its exported type ([`crate::types::exported`]), and
/// whether it is complex (exported in pair form).
#[derive(Clone, Debug)]
struct Boundary {
    ty: TensorTy,
    complex: bool,
    /// For a result with a run-time row count: the most rows it can have, the rows of the
    /// caller's buffer.
    capacity: Option<u64>,
}

impl Boundary {
    fn of(ctx: &Context, t: joinery_ir::Type) -> Option<Boundary> {
        Some(Boundary {
            ty: crate::types::exported(ctx, t)?,
            complex: crate::types::is_complex(ctx, t),
            capacity: None,
        })
    }

    /// Result #`j` of function `f`, of type `t`; a run-time row count must come from an
    /// `aten.nonzero` (whose input's element count bounds it).
    fn result(ctx: &Context, f: OpId, j: usize, t: joinery_ir::Type) -> Result<Boundary, String> {
        if let Some(b) = Boundary::of(ctx, t) {
            return Ok(b);
        }
        let ty = crate::types::exported_result(ctx, t)
            .ok_or("it is not a tensor or a number of bool, i32, i64, f32, f64 or complex")?;
        let returned = ctx
            .body_block(f)
            .and_then(|entry| {
                ctx.block_ops(entry)
                    .find(|&o| ctx.name_str(o) == "func.return")
            })
            .map(|ret| ctx.operand(ret, j));
        let producer = returned.and_then(|v| ctx.defining_op(v));
        let capacity = producer
            .filter(|&p| ctx.name_str(p) == "aten.nonzero")
            .and_then(|p| TensorTy::of(ctx, ctx.value_type(ctx.operand(p, 0))))
            .filter(|_| ty.shape.iter().skip(1).all(|&e| e != crate::types::RUN_TIME))
            .map(|input| input.shape.iter().product::<u64>())
            .ok_or_else(|| {
                format!(
                    "its extents are known only at run time, and only an aten.nonzero's rows (of a static-shape input) can be returned, not {}'s",
                    producer.map_or("an argument", |p| ctx.name_str(p))
                )
            })?;
        Ok(Boundary {
            ty,
            complex: false,
            capacity: Some(capacity),
        })
    }

    /// The caller's buffer: the type itself, or with a run-time row count its capacity.
    fn buffer_ty(&self) -> TensorTy {
        let mut ty = self.ty.clone();
        if let Some(rows) = self.capacity {
            ty.shape[0] = rows;
        }
        ty
    }
}

/// One result of the function: a tensor, or `None` (a `none` result).
type ResultSlot = Option<Boundary>;

/// Runs function `func` of `module` (L1/L2 aten) through the MLIR path on `inputs`, with
/// the interpreter's tensors in and out (a `none` result is [`RuntimeValue::None`]) and
/// its random state (`options`: the seed and first stream of random ops, unless the
/// function has Philox arguments). `module` is decomposed in place first
/// ([`crate::prepare`]).
pub fn run_function(
    ctx: &mut Context,
    module: OpId,
    func: &str,
    inputs: &[Tensor],
    options: &RunOptions,
) -> Result<Vec<RuntimeValue>, Diagnostic> {
    let mlir = crate::mlir_context();
    let compiled = Compiled::new(ctx, module, func, &mlir)?;
    let mut bound = compiled.bind(inputs, options)?;
    compiled.invoke(&mut bound)?;
    Ok(compiled.results(bound))
}

/// A function compiled by the MLIR path: its execution engine and signature.
pub struct Compiled {
    engine: ExecutionEngine,
    func: String,
    args: Vec<TensorTy>,
    /// Which arguments are complex, passed in pair form.
    complex_args: Vec<bool>,
    slots: Vec<ResultSlot>,
    /// Whether the export appended the seed and offset arguments of random ops
    /// ([`crate::lower::RngSource::Appended`]), which [`Compiled::bind`] fills.
    appended_rng: bool,
}

/// The buffers of one call: the inputs, then one per tensor result.
pub struct Bound {
    buffers: Vec<Buffer>,
    descriptors: Vec<Vec<i64>>,
}

impl Compiled {
    /// Exports `func` of `module` (decomposed in place first, see [`crate::prepare`]),
    /// lowers it with [`LOWER_PIPELINE`] and creates its execution engine.
    pub fn new(
        ctx: &mut Context,
        module: OpId,
        func: &str,
        mlir: &melior::Context,
    ) -> Result<Compiled, Diagnostic> {
        let f = ctx
            .lookup_symbol(module, func)
            .ok_or_else(|| Diagnostic::error(format!("no function named @{func} in the module")))?;
        let (args, results) = joinery_func::signature(ctx, f)
            .ok_or_else(|| Diagnostic::error(format!("@{func} has no function type")))?;
        let arg_slots = args
            .iter()
            .map(|&t| Boundary::of(ctx, t))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                Diagnostic::error(format!("@{func}: an argument is not a static-shape tensor"))
            })?;
        let complex_args = arg_slots.iter().map(|b| b.complex).collect();
        let arg_tys: Vec<TensorTy> = arg_slots.into_iter().map(|b| b.ty).collect();
        let slots: Vec<ResultSlot> = results
            .iter()
            .enumerate()
            .map(|(j, &t)| match ctx.type_data(t) {
                TypeData::None => Ok(None),
                _ => Boundary::result(ctx, f, j, t).map(Some).map_err(|why| {
                    Diagnostic::error(format!("@{func}: result #{j} cannot be returned: {why}"))
                }),
            })
            .collect::<Result<_, _>>()?;
        crate::prepare(ctx, module)?;
        let appended_rng = crate::lower::rng_source(ctx, f) == crate::lower::RngSource::Appended;
        let mut exported = crate::export(ctx, module, mlir)?;
        let outs: Vec<&Boundary> = slots.iter().flatten().collect();
        let mut entry_args = arg_tys.clone();
        if appended_rng {
            let state = TensorTy {
                shape: vec![],
                dtype: DType::I64,
            };
            entry_args.extend([state.clone(), state]);
        }
        add_entry(mlir, &exported, func, &entry_args, &outs)?;
        lower(mlir, &mut exported)?;
        // melior does not report a failed engine creation, so what can fail is checked first.
        let library = RUNNER_UTILS.trim_end_matches('\0');
        if !std::path::Path::new(library).is_file() {
            return Err(Diagnostic::error(format!(
                "MLIR's runner utilities are missing ({library}); install libmlir-22-dev (make deps)"
            )));
        }
        Ok(Compiled {
            engine: ExecutionEngine::new(&exported, 2, &[RUNNER_UTILS], false, false),
            func: func.to_string(),
            args: arg_tys,
            complex_args,
            slots,
            appended_rng,
        })
    }

    /// The argument types, in order.
    pub fn args(&self) -> &[TensorTy] {
        &self.args
    }

    /// The buffers of a call on `inputs` (checked against the signature; a complex one in
    /// pair form), of the random state `options` when the export appended its arguments,
    /// and of its results.
    pub fn bind(&self, inputs: &[Tensor], options: &RunOptions) -> Result<Bound, Diagnostic> {
        let inputs = inputs
            .iter()
            .zip(self.complex_args.iter().chain(std::iter::repeat(&false)))
            .map(|(t, &complex)| match complex && t.dtype().is_complex() {
                true => joinery_interp::kernels::complex::view_as_real(t),
                false => Ok(t.clone()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        check_inputs(&self.func, &self.args, &inputs)?;
        let mut buffers: Vec<Buffer> = inputs.iter().map(Buffer::of_tensor).collect();
        if self.appended_rng {
            for v in [options.seed, options.offset] {
                let state = Tensor::I64(ArrayD::from_elem(IxDyn(&[]), v as i64));
                buffers.push(Buffer::of_tensor(&state));
            }
        }
        for slot in self.slots.iter().flatten() {
            buffers.push(Buffer::zeroed(&slot.buffer_ty()));
            if slot.capacity.is_some() {
                buffers.push(Buffer::zeroed(&ROW_COUNT));
            }
        }
        let descriptors = buffers.iter_mut().map(Buffer::descriptor).collect();
        Ok(Bound {
            buffers,
            descriptors,
        })
    }

    /// Calls the function on `bound`'s buffers, writing its results there.
    pub fn invoke(&self, bound: &mut Bound) -> Result<(), Diagnostic> {
        let mut pointers: Vec<*mut i64> = bound
            .descriptors
            .iter_mut()
            .map(|d| d.as_mut_ptr())
            .collect();
        let mut packed: Vec<*mut ()> = pointers
            .iter_mut()
            .map(|p| p as *mut *mut i64 as *mut ())
            .collect();
        // SAFETY: `@__joinery_entry`'s C interface (`_mlir_ciface_` + its name, which the C
        // API adds) takes one memref descriptor pointer per argument; each descriptor
        // points into a live buffer of `bound` of the declared shape and dtype.
        unsafe { self.engine.invoke_packed(ENTRY, &mut packed) }
            .map_err(|e| Diagnostic::error(format!("the MLIR execution engine failed: {e}")))
    }

    /// The results held by `bound` after [`Compiled::invoke`] (a complex one read back
    /// from its pair form).
    pub fn results(&self, bound: Bound) -> Vec<RuntimeValue> {
        let state = if self.appended_rng { 2 } else { 0 };
        let mut outputs = bound.buffers.into_iter().skip(self.args.len() + state);
        self.slots
            .iter()
            .map(|slot| match slot {
                None => RuntimeValue::None,
                Some(slot) => {
                    let mut buffer = outputs.next().expect("one buffer per tensor result");
                    if slot.capacity.is_some() {
                        let count = outputs.next().expect("a row count after the rows");
                        buffer.shape[0] = count.words[0] as usize;
                    }
                    let t = buffer.into_tensor(&slot.ty);
                    RuntimeValue::Tensor(if slot.complex {
                        joinery_interp::kernels::complex::view_as_complex(&t)
                            .expect("a pair form has a last dim of 2")
                    } else {
                        t
                    })
                }
            })
            .collect()
    }
}

/// Each input has its argument's shape and dtype; the error names the argument.
fn check_inputs(func: &str, args: &[TensorTy], inputs: &[Tensor]) -> Result<(), Diagnostic> {
    if args.len() != inputs.len() {
        return Err(Diagnostic::error(format!(
            "@{func} takes {} arguments, got {}",
            args.len(),
            inputs.len()
        )));
    }
    for (i, (ty, t)) in args.iter().zip(inputs).enumerate() {
        let shape: Vec<u64> = t.shape().iter().map(|&e| e as u64).collect();
        if shape != ty.shape || t.dtype().to_aten() != ty.dtype {
            return Err(Diagnostic::error(format!(
                "@{func}: argument #{i} is {}, the signature says {:?} of {}",
                t.describe(),
                ty.shape,
                ty.dtype.keyword()
            )));
        }
    }
    Ok(())
}

/// The type of a run-time row count's buffer.
const ROW_COUNT: TensorTy = TensorTy {
    shape: Vec::new(),
    dtype: DType::I64,
};

/// Adds `@__joinery_entry(inputs..., outputs...)` calling `func` (see the module docs).
fn add_entry<'c>(
    mlir: &'c melior::Context,
    module: &Module<'c>,
    func: &str,
    args: &[TensorTy],
    outs: &[&Boundary],
) -> Result<(), Diagnostic> {
    let loc = Location::unknown(mlir);
    let memref = |t: &TensorTy| -> Type<'c> {
        let dims: Vec<i64> = t.shape.iter().map(|&e| e as i64).collect();
        MemRefType::new(element(mlir, t.dtype), &dims, None, None).into()
    };
    let mut memrefs: Vec<Type> = args.iter().map(memref).collect();
    for out in outs {
        memrefs.push(memref(&out.buffer_ty()));
        if out.capacity.is_some() {
            memrefs.push(memref(&ROW_COUNT));
        }
    }
    let block = Block::new(&memrefs.iter().map(|&t| (t, loc)).collect::<Vec<_>>());
    let built = (|| -> Result<(), melior::Error> {
        let mut tensors: Vec<Value> = Vec::new();
        for (i, t) in args.iter().enumerate() {
            let op = OperationBuilder::new("bufferization.to_tensor", loc)
                .add_operands(&[block.argument(i)?.into()])
                .add_attributes(&[(Identifier::new(mlir, "restrict"), Attribute::unit(mlir))])
                .add_results(&[t.mlir(mlir)])
                .build()?;
            tensors.push(block.append_operation(op).result(0)?.into());
        }
        let call = block.append_operation(melior::dialect::func::call(
            mlir,
            FlatSymbolRefAttribute::new(mlir, func),
            &tensors,
            &outs.iter().map(|t| t.ty.mlir(mlir)).collect::<Vec<_>>(),
            loc,
        ));
        let mut slot = args.len();
        for (j, out) in outs.iter().enumerate() {
            let mut value: Value = call.result(j)?.into();
            let destination = block.argument(slot)?.into();
            slot += 1;
            if out.capacity.is_some() {
                value = pad_rows(
                    mlir,
                    &block,
                    value,
                    &out.buffer_ty(),
                    block.argument(slot)?.into(),
                )?;
                slot += 1;
            }
            let op = OperationBuilder::new("bufferization.materialize_in_destination", loc)
                .add_operands(&[value, destination])
                .add_attributes(&[
                    (Identifier::new(mlir, "restrict"), Attribute::unit(mlir)),
                    (Identifier::new(mlir, "writable"), Attribute::unit(mlir)),
                ])
                .build()?;
            block.append_operation(op);
        }
        block.append_operation(melior::dialect::func::r#return(&[], loc));
        Ok(())
    })();
    built.map_err(|e| Diagnostic::error(format!("building the MLIR entry wrapper: {e}")))?;
    let region = Region::new();
    region.append_block(block);
    module.body().append_operation(melior::dialect::func::func(
        mlir,
        StringAttribute::new(mlir, ENTRY),
        TypeAttribute::new(FunctionType::new(mlir, &memrefs, &[]).into()),
        region,
        &[(
            Identifier::new(mlir, "llvm.emit_c_interface"),
            Attribute::unit(mlir),
        )],
        loc,
    ));
    crate::verify(mlir, module)
}

/// `rows` (a run-time number of rows) at the top of a tensor of type `buffer` (the rest
/// undefined), with the row count stored into the `memref<i64>` `count`.
fn pad_rows<'c, 'a>(
    mlir: &'c melior::Context,
    block: &'a Block<'c>,
    rows: Value<'c, 'a>,
    buffer: &TensorTy,
    count: Value<'c, 'a>,
) -> Result<Value<'c, 'a>, melior::Error> {
    let loc = Location::unknown(mlir);
    let index = Type::index(mlir);
    let zero = block
        .append_operation(melior::dialect::arith::constant(
            mlir,
            IntegerAttribute::new(index, 0).into(),
            loc,
        ))
        .result(0)?
        .into();
    let n: Value = block
        .append_operation(
            OperationBuilder::new("tensor.dim", loc)
                .add_operands(&[rows, zero])
                .add_results(&[index])
                .build()?,
        )
        .result(0)?
        .into();
    let empty = block
        .append_operation(
            OperationBuilder::new("tensor.empty", loc)
                .add_results(&[buffer.mlir(mlir)])
                .build()?,
        )
        .result(0)?
        .into();
    let n64 = block
        .append_operation(melior::dialect::arith::index_cast(
            n,
            element(mlir, DType::I64),
            loc,
        ))
        .result(0)?
        .into();
    block.append_operation(
        OperationBuilder::new("memref.store", loc)
            .add_operands(&[n64, count])
            .build()?,
    );
    if buffer.shape.contains(&0) {
        // No element to copy (MLIR rejects a slice at offset 0 of an empty dim).
        return Ok(empty);
    }
    let rank = buffer.rank();
    let mut sizes = vec![crate::types::RUN_TIME as i64];
    sizes.extend(buffer.shape[1..].iter().map(|&e| e as i64));
    let id = |name| Identifier::new(mlir, name);
    let padded = block
        .append_operation(
            OperationBuilder::new("tensor.insert_slice", loc)
                .add_operands(&[rows, empty, n])
                .add_attributes(&[
                    (
                        id("static_offsets"),
                        DenseI64ArrayAttribute::new(mlir, &vec![0; rank]).into(),
                    ),
                    (
                        id("static_sizes"),
                        DenseI64ArrayAttribute::new(mlir, &sizes).into(),
                    ),
                    (
                        id("static_strides"),
                        DenseI64ArrayAttribute::new(mlir, &vec![1; rank]).into(),
                    ),
                    (
                        id("operandSegmentSizes"),
                        DenseI32ArrayAttribute::new(mlir, &[1, 1, 0, 1, 0]).into(),
                    ),
                ])
                .add_results(&[buffer.mlir(mlir)])
                .build()?,
        )
        .result(0)?
        .into();
    Ok(padded)
}

/// Runs [`LOWER_PIPELINE`] on `module`; MLIR's messages become the diagnostic.
fn lower(mlir: &melior::Context, module: &mut Module) -> Result<(), Diagnostic> {
    melior::utility::register_all_passes();
    let pm = PassManager::new(mlir);
    melior::utility::parse_pass_pipeline(pm.as_operation_pass_manager(), LOWER_PIPELINE)
        .map_err(|e| Diagnostic::error(format!("MLIR's lowering pipeline: {e}")))?;
    let messages = std::cell::RefCell::new(Vec::new());
    let handler = mlir.attach_diagnostic_handler(|d| {
        messages.borrow_mut().push(d.to_string());
        true
    });
    let result = pm.run(module);
    mlir.detach_diagnostic_handler(handler);
    result.map_err(|e| {
        Diagnostic::error(format!(
            "MLIR's lowering to LLVM failed: {e}: {}",
            messages.into_inner().join("; ")
        ))
    })
}

/// A tensor's elements in a buffer aligned for any element type, with its shape.
struct Buffer {
    words: Vec<u64>,
    shape: Vec<usize>,
}

impl Buffer {
    /// The elements of `t` in row-major order (booleans one byte each).
    fn of_tensor(t: &Tensor) -> Buffer {
        let bytes: Vec<u8> = match t {
            Tensor::Bool(a) => a.iter().map(|&b| u8::from(b)).collect(),
            Tensor::I32(a) => a.iter().flat_map(|v| v.to_ne_bytes()).collect(),
            Tensor::I64(a) => a.iter().flat_map(|v| v.to_ne_bytes()).collect(),
            Tensor::F32(a) => a.iter().flat_map(|v| v.to_ne_bytes()).collect(),
            Tensor::F64(a) => a.iter().flat_map(|v| v.to_ne_bytes()).collect(),
            Tensor::C64(_) | Tensor::C128(_) => {
                unreachable!("complex inputs are in pair form by now")
            }
        };
        let mut words = vec![0u64; bytes.len().div_ceil(8).max(1)];
        for (i, chunk) in bytes.chunks(8).enumerate() {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            words[i] = u64::from_ne_bytes(word);
        }
        Buffer {
            words,
            shape: t.shape().to_vec(),
        }
    }

    /// A zeroed buffer for a tensor of type `ty`.
    fn zeroed(ty: &TensorTy) -> Buffer {
        let count: u64 = ty.shape.iter().product();
        let bytes = count as usize * ty.dtype.size_bytes();
        Buffer {
            words: vec![0; bytes.div_ceil(8).max(1)],
            shape: ty.shape.iter().map(|&e| e as usize).collect(),
        }
    }

    /// The memref descriptor of this buffer: allocated and aligned pointers, offset 0,
    /// the sizes, then row-major strides.
    fn descriptor(&mut self) -> Vec<i64> {
        let ptr = self.words.as_mut_ptr() as i64;
        let mut d = vec![ptr, ptr, 0];
        d.extend(self.shape.iter().map(|&e| e as i64));
        let mut strides = vec![0i64; self.shape.len()];
        let mut stride = 1i64;
        for (s, &e) in strides.iter_mut().zip(&self.shape).rev() {
            *s = stride;
            stride *= e as i64;
        }
        d.extend(strides);
        d
    }

    /// The buffer read back as a tensor of type `ty`.
    fn into_tensor(self, ty: &TensorTy) -> Tensor {
        let bytes: Vec<u8> = self.words.iter().flat_map(|w| w.to_ne_bytes()).collect();
        let shape = IxDyn(&self.shape);
        let count = self.shape.iter().product::<usize>();
        macro_rules! read {
            ($variant:ident, $t:ty, $n:expr) => {
                Tensor::$variant(
                    ArrayD::from_shape_vec(
                        shape,
                        bytes
                            .chunks_exact($n)
                            .take(count)
                            .map(|c| <$t>::from_ne_bytes(c.try_into().expect("element bytes")))
                            .collect(),
                    )
                    .expect("the buffer holds one element per index"),
                )
            };
        }
        match ty.dtype {
            DType::Bool => Tensor::Bool(
                ArrayD::from_shape_vec(shape, bytes[..count].iter().map(|&b| b != 0).collect())
                    .expect("the buffer holds one element per index"),
            ),
            DType::I32 => read!(I32, i32, 4),
            DType::F32 => read!(F32, f32, 4),
            DType::F64 => read!(F64, f64, 8),
            _ => read!(I64, i64, 8),
        }
    }
}
