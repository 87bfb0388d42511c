//! LLVM code generation (level L4) with inkwell: one LLVM function per `kernel.fused`.
//!
//! Each kernel `k` becomes `void k(ptr %buffers, i64 %lo, i64 %hi)` (the ABI the runtime
//! calls, [`joinery_runtime::KernelFn`]) that loads its buffer pointers and calls the
//! always-inlined `k.body(ptr noalias %b0, ..., i64 %lo, i64 %hi)`, one parameter per
//! distinct buffer, whose `noalias` parameters become alias scopes when inlined: loads
//! and stores of different buffers never alias, so loops vectorize. The body is the loop
//! nest over the kernel's space (outermost loop `[lo, hi)`, inner loops full), loads
//! through index arithmetic, the scalar ops, and stores or reductions; a reduction along
//! the innermost loop keeps its accumulator in a register. A row kernel shares the loops
//! over its `outer` dims and runs one such nest per phase inside them. Float arithmetic carries `reassoc contract` so
//! reductions vectorize and multiply-adds fuse. `exp`, `log`, `tanh`, `sigmoid`, `erf`
//! of `f32` are inline polynomials (Cephes; Abramowitz–Stegun 7.1.26 for `erf`, the
//! approximation PyTorch's vectorised CPU kernels use) so they vectorize too. The back
//! edge of a loop with a long constant trip count carries loop metadata (`llvm.loop`)
//! that keeps LLVM from unrolling its vector loops whole.

use inkwell::AddressSpace;
use inkwell::FloatPredicate;
use inkwell::IntPredicate;
use inkwell::attributes::{Attribute as LlAttr, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::context::Context as LlContext;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module};
use inkwell::types::BasicTypeEnum;
use inkwell::values::{
    AsValueRef, BasicMetadataValueEnum, BasicValue, BasicValueEnum, FastMathFlags, FloatValue,
    FunctionValue, IntValue, MetadataValue, PhiValue, PointerValue,
};
use joinery_ir::{Context, Diagnostic, FloatKind, OpId, TypeData, Value};
use joinery_kernel::attrs::{
    division_sites, index_dim, int_value, is_checked_division, predicate, site, value,
};
use joinery_kernel::{Fused, OutKind, Predicate, ScalarOp};
use rustc_hash::FxHashMap;

/// The element kinds kernels handle.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Elem {
    F32,
    F64,
    Int(u32),
    /// `i1`, stored as one byte.
    Bool,
}

/// The element kind of a scalar or buffer type; kernels read a complex buffer's parts.
fn elem_of(ctx: &Context, ty: joinery_ir::Type) -> Option<Elem> {
    let ty = ctx.tensor_parts(ty).map_or(ty, |(_, e)| e);
    let ty = match ctx.type_data(ty) {
        TypeData::Complex { element } => *element,
        _ => ty,
    };
    match ctx.type_data(ty) {
        TypeData::Float(FloatKind::F32) => Some(Elem::F32),
        TypeData::Float(FloatKind::F64) => Some(Elem::F64),
        TypeData::Integer { width: 1 } => Some(Elem::Bool),
        TypeData::Integer { width } if matches!(width, 8 | 16 | 32 | 64) => Some(Elem::Int(*width)),
        _ => None,
    }
}

/// Symbols generated code may call (the C math functions of [`Codegen::call_libm`] and
/// those LLVM lowers intrinsics and loop idioms to) and the plan bundle: no kernel may
/// take one of these names.
pub const RESERVED_SYMBOLS: &[&str] = &[
    "joinery_bundle",
    "tanh",
    "tanhf",
    "erf",
    "erff",
    "log1p",
    "log1pf",
    "expm1",
    "expm1f",
    "exp",
    "expf",
    "exp2",
    "exp2f",
    "log",
    "logf",
    "pow",
    "powf",
    "sin",
    "sinf",
    "cos",
    "cosf",
    "sincos",
    "sincosf",
    "sqrt",
    "sqrtf",
    "fabs",
    "fabsf",
    "floor",
    "floorf",
    "fmax",
    "fmaxf",
    "fmin",
    "fminf",
    "copysign",
    "copysignf",
    "tan",
    "tanf",
    "asin",
    "asinf",
    "acos",
    "acosf",
    "atan",
    "atanf",
    "atan2",
    "atan2f",
    "sinh",
    "sinhf",
    "cosh",
    "coshf",
    "asinh",
    "asinhf",
    "acosh",
    "acoshf",
    "atanh",
    "atanhf",
    "log2",
    "log2f",
    "log10",
    "log10f",
    "ceil",
    "ceilf",
    "trunc",
    "truncf",
    "roundeven",
    "roundevenf",
    "fmod",
    "fmodf",
    "memset",
    "memcpy",
    "memmove",
];
/// The blocks of one counted loop (see [`Codegen::guard_loop`]).
struct LoopBlocks<'ll> {
    header: BasicBlock<'ll>,
    exit: BasicBlock<'ll>,
    /// Where the skipped (empty) and the finished loop meet.
    done: BasicBlock<'ll>,
    start: IntValue<'ll>,
    end: IntValue<'ll>,
}

/// One phase of a kernel as code generation walks it: its body, its inputs and outputs
/// (index ranges into the kernel's), and its outputs reduced in a register along the
/// innermost loop.
struct PhaseCg {
    block: joinery_ir::BlockId,
    ins: std::ops::Range<usize>,
    outs: std::ops::Range<usize>,
    acc_outs: Vec<usize>,
}

/// Generates LLVM functions for kernels into one module.
pub struct Codegen<'ll> {
    pub ll: &'ll LlContext,
    pub module: Module<'ll>,
    builder: Builder<'ll>,
    /// Comment lines to print before each kernel's `define` (the source ops).
    pub comments: Vec<(String, String)>,
    /// The status word of the kernel being generated, when it has checked divisions.
    status: Option<Status<'ll>>,
}

/// Where a kernel with checked divisions ([`joinery_kernel::division_sites`]) reports a
/// zero divisor: an `i32` the runtime passes after the buffer pointers and reads after
/// the step; a failing division stores `1 + ` the index of its site.
struct Status<'ll> {
    ptr: PointerValue<'ll>,
    sites: Vec<String>,
}

type Res<T> = Result<T, Diagnostic>;

/// The longest constant trip count LLVM may unroll whole. The loops vectorizing a longer
/// one are not unrolled at all (the vectorizer still interleaves them): the depthwise
/// weight gradient's 838-trip multiply-sum, vectorized then unrolled whole, took 0.8 s of
/// compile time and ran no faster.
pub const MAX_FULL_UNROLL_TRIPS: u64 = 64;

/// One `llvm.loop.*` hint of a loop ID.
enum LoopHint {
    /// `!{!"name"}`.
    Flag(&'static str),
    /// `!{!"name", hints...}`: the hints of the loops a transformation makes.
    Followup(&'static str, Vec<LoopHint>),
}

/// The hints on a loop of `trips` iterations when the count is a constant: the loops that
/// vectorize one longer than [`MAX_FULL_UNROLL_TRIPS`] are not unrolled. Not
/// `llvm.loop.unroll.disable` on the loop itself: the vectorizer then stops interleaving
/// too, and a reduction runs one accumulator (one FMA latency per vector). Short constant
/// loops get no hint: predicated vectorization (`llvm.loop.vectorize.predicate.enable`)
/// of a 28-column row measured no faster than LLVM's full unrolling.
fn loop_hints(trips: Option<u64>) -> Vec<LoopHint> {
    match trips {
        Some(n) if n > MAX_FULL_UNROLL_TRIPS => vec![LoopHint::Followup(
            "llvm.loop.vectorize.followup_all",
            vec![LoopHint::Flag("llvm.loop.unroll.disable")],
        )],
        _ => Vec::new(),
    }
}

fn ll_err(e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(format!("LLVM code generation failed: {e}"))
}

impl<'ll> Codegen<'ll> {
    /// An empty module named `name`.
    pub fn new(ll: &'ll LlContext, name: &str) -> Codegen<'ll> {
        Codegen {
            ll,
            module: ll.create_module(name),
            builder: ll.create_builder(),
            comments: Vec::new(),
            status: None,
        }
    }

    fn llty(&self, e: Elem) -> BasicTypeEnum<'ll> {
        match e {
            Elem::F32 => self.ll.f32_type().into(),
            Elem::F64 => self.ll.f64_type().into(),
            Elem::Int(w) => self.int_type(w).into(),
            Elem::Bool => self.ll.bool_type().into(),
        }
    }

    fn int_type(&self, bits: u32) -> inkwell::types::IntType<'ll> {
        match bits {
            8 => self.ll.i8_type(),
            16 => self.ll.i16_type(),
            32 => self.ll.i32_type(),
            _ => self.ll.i64_type(),
        }
    }

    /// The in-memory type (booleans are bytes).
    fn memty(&self, e: Elem) -> BasicTypeEnum<'ll> {
        match e {
            Elem::Bool => self.ll.i8_type().into(),
            _ => self.llty(e),
        }
    }

    /// Emits the kernel for one `kernel.fused` op.
    pub fn emit_fused(&mut self, ctx: &Context, op: OpId) -> Res<String> {
        let k = Fused::read(ctx, op)?;
        let span = ctx.span(op);
        let ptr = self.ll.ptr_type(AddressSpace::default());
        let i64t = self.ll.i64_type();
        let elems: Vec<Elem> = ctx
            .operands(op)
            .iter()
            .map(|&v| {
                elem_of(ctx, ctx.value_type(v)).ok_or_else(|| {
                    Diagnostic::error(format!(
                        "kernel {}: unsupported element type for the native backend",
                        k.name
                    ))
                    .with_span(span)
                })
            })
            .collect::<Res<_>>()?;

        // The body function with one noalias parameter per distinct buffer (a row kernel
        // may read in a later phase a buffer an earlier one wrote).
        let mut distinct: Vec<Value> = Vec::new();
        let param_of: Vec<usize> = ctx
            .operands(op)
            .iter()
            .map(|v| match distinct.iter().position(|d| d == v) {
                Some(i) => i,
                None => {
                    distinct.push(*v);
                    distinct.len() - 1
                }
            })
            .collect();
        let nparam = distinct.len();
        let sites = division_sites(ctx, op)?;
        let mut params: Vec<inkwell::types::BasicMetadataTypeEnum> = vec![ptr.into(); nparam];
        if !sites.is_empty() {
            params.push(ptr.into());
        }
        params.push(i64t.into());
        params.push(i64t.into());
        let body_ty = self.ll.void_type().fn_type(&params, false);
        let body_fn = self.module.add_function(
            &format!("{}.body", k.name),
            body_ty,
            Some(Linkage::Internal),
        );
        let noalias = self
            .ll
            .create_enum_attribute(LlAttr::get_named_enum_kind_id("noalias"), 0);
        for i in 0..nparam {
            body_fn.add_attribute(AttributeLoc::Param(i as u32), noalias);
        }
        for a in ["alwaysinline", "nounwind"] {
            let at = self
                .ll
                .create_enum_attribute(LlAttr::get_named_enum_kind_id(a), 0);
            body_fn.add_attribute(AttributeLoc::Function, at);
        }
        if !sites.is_empty() {
            let status = body_fn
                .get_nth_param(nparam as u32)
                .expect("status param")
                .into_pointer_value();
            self.status = Some(Status { ptr: status, sites });
        }
        let emitted = self.emit_body(ctx, op, &k, &elems, &param_of, body_fn);
        let checked = self.status.take().is_some();
        emitted?;

        // The entry point the runtime calls.
        let entry_ty = self
            .ll
            .void_type()
            .fn_type(&[ptr.into(), i64t.into(), i64t.into()], false);
        let entry = self.module.add_function(&k.name, entry_ty, None);
        let nounwind = self
            .ll
            .create_enum_attribute(LlAttr::get_named_enum_kind_id("nounwind"), 0);
        entry.add_attribute(AttributeLoc::Function, nounwind);
        let bb = self.ll.append_basic_block(entry, "entry");
        self.builder.position_at_end(bb);
        let bufs = entry.get_nth_param(0).expect("param").into_pointer_value();
        let mut args: Vec<inkwell::values::BasicMetadataValueEnum> = Vec::new();
        for d in 0..nparam {
            let i = param_of
                .iter()
                .position(|&p| p == d)
                .expect("every parameter is some operand's");
            // SAFETY: index within the pointer array the runtime passes.
            let slot = unsafe {
                self.builder
                    .build_gep(ptr, bufs, &[i64t.const_int(i as u64, false)], "slot")
                    .map_err(ll_err)?
            };
            let p = self
                .builder
                .build_load(ptr, slot, &format!("b{i}"))
                .map_err(ll_err)?;
            args.push(p.into());
        }
        if checked {
            // The status word follows the operands' pointers.
            let at = i64t.const_int(ctx.operands(op).len() as u64, false);
            // SAFETY: the runtime passes one more pointer to a kernel with checks.
            let slot = unsafe {
                self.builder
                    .build_gep(ptr, bufs, &[at], "slot")
                    .map_err(ll_err)?
            };
            let p = self
                .builder
                .build_load(ptr, slot, "status")
                .map_err(ll_err)?;
            args.push(p.into());
        }
        args.push(entry.get_nth_param(1).expect("lo").into());
        args.push(entry.get_nth_param(2).expect("hi").into());
        self.builder
            .build_call(body_fn, &args, "")
            .map_err(ll_err)?;
        self.builder.build_return(None).map_err(ll_err)?;
        self.comments.push((
            k.name.clone(),
            format!(
                "; kernel {} over [{}] fuses: {}",
                k.name,
                k.space
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                k.sources.join(", ")
            ),
        ));
        Ok(k.name)
    }

    fn emit_body(
        &mut self,
        ctx: &Context,
        op: OpId,
        k: &Fused,
        elems: &[Elem],
        param_of: &[usize],
        f: FunctionValue<'ll>,
    ) -> Res<()> {
        let nparam =
            param_of.iter().max().map_or(0, |&m| m + 1) + usize::from(self.status.is_some());
        let bufs: Vec<PointerValue> = param_of
            .iter()
            .map(|&p| {
                f.get_nth_param(p as u32)
                    .expect("param")
                    .into_pointer_value()
            })
            .collect();
        let lo = f.get_nth_param(nparam as u32).expect("lo").into_int_value();
        let hi = f
            .get_nth_param(nparam as u32 + 1)
            .expect("hi")
            .into_int_value();
        let entry = self.ll.append_basic_block(f, "entry");
        self.builder.position_at_end(entry);
        let rank = k.space.len();
        let phases: Vec<PhaseCg> = ctx
            .regions(op)
            .iter()
            .zip(k.phase_ranges())
            .map(|(&region, (ins, outs))| PhaseCg {
                block: ctx.region_blocks(region)[0],
                // Reductions along the innermost loop keep a register accumulator.
                acc_outs: outs
                    .clone()
                    .filter(|&o| {
                        k.out_kinds[o] != OutKind::Store
                            && rank > 0
                            && k.out_maps[o].strides[rank - 1] == 0
                    })
                    .collect(),
                ins,
                outs,
            })
            .collect();
        let mut idx: Vec<IntValue<'ll>> = Vec::new();
        self.emit_rows(ctx, k, elems, &bufs, &phases, 0, lo, hi, &mut idx, f)?;
        self.builder.build_return(None).map_err(ll_err)?;
        Ok(())
    }

    /// The loops over the dims a row kernel's phases share (none for a kernel of one
    /// region), then each phase's loop nest over the others, in order.
    #[allow(clippy::too_many_arguments)]
    fn emit_rows(
        &mut self,
        ctx: &Context,
        k: &Fused,
        elems: &[Elem],
        bufs: &[PointerValue<'ll>],
        phases: &[PhaseCg],
        depth: usize,
        lo: IntValue<'ll>,
        hi: IntValue<'ll>,
        idx: &mut Vec<IntValue<'ll>>,
        f: FunctionValue<'ll>,
    ) -> Res<()> {
        if depth == k.outer {
            for phase in phases {
                self.emit_loop(ctx, k, elems, bufs, phase, depth, lo, hi, idx, f)?;
            }
            return Ok(());
        }
        let i64t = self.ll.i64_type();
        let (start, end) = if depth == 0 {
            (lo, hi)
        } else {
            (i64t.const_zero(), i64t.const_int(k.space[depth], false))
        };
        let blocks = self.guard_loop(f, start, end, &format!("row{depth}"))?;
        let phi = self.enter_loop(&blocks)?;
        idx.push(phi.as_basic_value().into_int_value());
        self.emit_rows(ctx, k, elems, bufs, phases, depth + 1, lo, hi, idx, f)?;
        idx.pop();
        self.close_loop(&blocks, phi)?;
        self.finish_loop(&blocks)
    }

    /// Opens `for i in start..end`: a guard that skips to the returned `done` block when
    /// the range is empty (the loop tests its condition only after an iteration), a
    /// preheader, and the header with the induction phi named `label{depth}`. The builder
    /// is left in the preheader, where the caller may emit loop-invariant code before
    /// [`Codegen::enter_loop`].
    fn guard_loop(
        &self,
        f: FunctionValue<'ll>,
        start: IntValue<'ll>,
        end: IntValue<'ll>,
        label: &str,
    ) -> Res<LoopBlocks<'ll>> {
        let pre = self.ll.append_basic_block(f, &format!("{label}pre"));
        let done = self.ll.append_basic_block(f, &format!("{label}done"));
        let nonempty = self
            .builder
            .build_int_compare(IntPredicate::SLT, start, end, "")
            .map_err(ll_err)?;
        self.builder
            .build_conditional_branch(nonempty, pre, done)
            .map_err(ll_err)?;
        self.builder.position_at_end(pre);
        let header = self.ll.append_basic_block(f, label);
        let exit = self.ll.append_basic_block(f, &format!("{label}exit"));
        Ok(LoopBlocks {
            header,
            exit,
            done,
            start,
            end,
        })
    }

    /// Branches from the preheader into the loop header and makes the induction phi;
    /// the builder is left in the header.
    fn enter_loop(&self, blocks: &LoopBlocks<'ll>) -> Res<PhiValue<'ll>> {
        let pre = self.builder.get_insert_block().expect("positioned");
        self.builder
            .build_unconditional_branch(blocks.header)
            .map_err(ll_err)?;
        self.builder.position_at_end(blocks.header);
        let phi = self
            .builder
            .build_phi(self.ll.i64_type(), "")
            .map_err(ll_err)?;
        phi.add_incoming(&[(&blocks.start, pre)]);
        Ok(phi)
    }

    /// Closes the loop at the current block (the latch, returned): the induction step and
    /// the back edge, which carries the loop's [`loop_hints`]; the builder is left in the
    /// loop's exit block.
    fn close_loop(&self, blocks: &LoopBlocks<'ll>, phi: PhiValue<'ll>) -> Res<BasicBlock<'ll>> {
        let latch = self.builder.get_insert_block().expect("positioned");
        let i = phi.as_basic_value().into_int_value();
        let next = self
            .builder
            .build_int_nsw_add(i, self.ll.i64_type().const_int(1, false), "")
            .map_err(ll_err)?;
        phi.add_incoming(&[(&next, latch)]);
        let cond = self
            .builder
            .build_int_compare(IntPredicate::SLT, next, blocks.end, "")
            .map_err(ll_err)?;
        let back_edge = self
            .builder
            .build_conditional_branch(cond, blocks.header, blocks.exit)
            .map_err(ll_err)?;
        let trips = blocks
            .end
            .get_zero_extended_constant()
            .zip(blocks.start.get_zero_extended_constant())
            .map(|(end, start)| end.saturating_sub(start));
        let hints = loop_hints(trips);
        if !hints.is_empty() {
            back_edge
                .set_metadata(self.loop_id(&hints), self.ll.get_kind_id("llvm.loop"))
                .map_err(ll_err)?;
        }
        self.builder.position_at_end(blocks.exit);
        Ok(latch)
    }

    /// A loop ID: the distinct, self-referential node `!{!self, hints...}` LLVM reads loop
    /// hints from.
    fn loop_id(&self, hints: &[LoopHint]) -> MetadataValue<'ll> {
        use inkwell::llvm_sys::core::{
            LLVMMDNodeInContext2, LLVMMetadataAsValue, LLVMValueAsMetadata,
        };
        use inkwell::llvm_sys::debuginfo::{LLVMMetadataReplaceAllUsesWith, LLVMTemporaryMDNode};
        let raw = self.ll.raw();
        // SAFETY: every node lives in `self.ll`; the temporary first operand is replaced
        // by the node itself (and freed) before the node is used, which makes it distinct.
        unsafe {
            let placeholder = LLVMTemporaryMDNode(raw, std::ptr::null_mut(), 0);
            let mut ops = vec![placeholder];
            for hint in hints {
                ops.push(LLVMValueAsMetadata(self.hint_node(hint).as_value_ref()));
            }
            let id = LLVMMDNodeInContext2(raw, ops.as_mut_ptr(), ops.len());
            LLVMMetadataReplaceAllUsesWith(placeholder, id);
            MetadataValue::new(LLVMMetadataAsValue(raw, id))
        }
    }

    /// The node of one loop hint.
    fn hint_node(&self, hint: &LoopHint) -> MetadataValue<'ll> {
        let (name, rest): (_, Vec<BasicMetadataValueEnum>) = match hint {
            LoopHint::Flag(name) => (name, Vec::new()),
            LoopHint::Followup(name, hints) => (
                name,
                hints.iter().map(|h| self.hint_node(h).into()).collect(),
            ),
        };
        let mut ops = vec![self.ll.metadata_string(name).into()];
        ops.extend(rest);
        self.ll.metadata_node(&ops)
    }

    /// Joins the skipped and the finished loop: the builder continues in `done`.
    fn finish_loop(&self, blocks: &LoopBlocks<'ll>) -> Res<()> {
        self.builder
            .build_unconditional_branch(blocks.done)
            .map_err(ll_err)?;
        self.builder.position_at_end(blocks.done);
        Ok(())
    }

    /// Address of element `map` at indices `idx` in `buf`.
    fn address(
        &self,
        buf: PointerValue<'ll>,
        e: Elem,
        map: &[i64],
        idx: &[IntValue<'ll>],
    ) -> Res<PointerValue<'ll>> {
        let i64t = self.ll.i64_type();
        let mut off = i64t.const_int(map[0] as u64, true);
        for (d, &i) in idx.iter().enumerate() {
            let s = map[d + 1];
            if s == 0 {
                continue;
            }
            let t = self
                .builder
                .build_int_nsw_mul(i, i64t.const_int(s as u64, true), "")
                .map_err(ll_err)?;
            off = self.builder.build_int_nsw_add(off, t, "").map_err(ll_err)?;
        }
        // SAFETY: the map stays inside the buffer (static shapes).
        unsafe {
            self.builder
                .build_in_bounds_gep(self.memty(e), buf, &[off], "")
                .map_err(ll_err)
        }
    }

    fn load(
        &self,
        buf: PointerValue<'ll>,
        e: Elem,
        map: &[i64],
        idx: &[IntValue<'ll>],
    ) -> Res<BasicValueEnum<'ll>> {
        let p = self.address(buf, e, map, idx)?;
        let v = self
            .builder
            .build_load(self.memty(e), p, "")
            .map_err(ll_err)?;
        if e == Elem::Bool {
            let z = self.ll.i8_type().const_zero();
            return Ok(self
                .builder
                .build_int_compare(IntPredicate::NE, v.into_int_value(), z, "")
                .map_err(ll_err)?
                .into());
        }
        Ok(v)
    }

    fn store(
        &self,
        buf: PointerValue<'ll>,
        e: Elem,
        map: &[i64],
        idx: &[IntValue<'ll>],
        v: BasicValueEnum<'ll>,
    ) -> Res<()> {
        let p = self.address(buf, e, map, idx)?;
        let v = if e == Elem::Bool {
            self.builder
                .build_int_z_extend(v.into_int_value(), self.ll.i8_type(), "")
                .map_err(ll_err)?
                .into()
        } else {
            v
        };
        self.builder.build_store(p, v).map_err(ll_err)?;
        Ok(())
    }

    fn combine(
        &self,
        kind: OutKind,
        e: Elem,
        a: BasicValueEnum<'ll>,
        b: BasicValueEnum<'ll>,
    ) -> Res<BasicValueEnum<'ll>> {
        match (kind, e) {
            (OutKind::Sum, Elem::F32 | Elem::F64) => {
                self.fbin(ScalarOp::Add, a.into_float_value(), b.into_float_value())
            }
            (OutKind::Max, Elem::F32 | Elem::F64) => {
                self.fbin(ScalarOp::Max, a.into_float_value(), b.into_float_value())
            }
            (OutKind::Prod, Elem::F32 | Elem::F64) => {
                self.fbin(ScalarOp::Mul, a.into_float_value(), b.into_float_value())
            }
            (OutKind::Prod, _) => Ok(self
                .builder
                .build_int_mul(a.into_int_value(), b.into_int_value(), "")
                .map_err(ll_err)?
                .into()),
            (OutKind::Sum, _) => Ok(self
                .builder
                .build_int_add(a.into_int_value(), b.into_int_value(), "")
                .map_err(ll_err)?
                .into()),
            _ => {
                let c = self
                    .builder
                    .build_int_compare(
                        IntPredicate::SGT,
                        a.into_int_value(),
                        b.into_int_value(),
                        "",
                    )
                    .map_err(ll_err)?;
                Ok(self.builder.build_select(c, a, b, "").map_err(ll_err)?)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_loop(
        &mut self,
        ctx: &Context,
        k: &Fused,
        elems: &[Elem],
        bufs: &[PointerValue<'ll>],
        phase: &PhaseCg,
        depth: usize,
        lo: IntValue<'ll>,
        hi: IntValue<'ll>,
        idx: &mut Vec<IntValue<'ll>>,
        f: FunctionValue<'ll>,
    ) -> Res<()> {
        let rank = k.space.len();
        let nin = k.num_inputs;
        if rank == 0 {
            let accs = FxHashMap::default();
            self.emit_point(ctx, k, elems, bufs, phase, idx, &accs)
                .map(|_| ())?;
            return Ok(());
        }
        let i64t = self.ll.i64_type();
        let (start, end) = if depth == 0 {
            (lo, hi)
        } else {
            (i64t.const_zero(), i64t.const_int(k.space[depth], false))
        };
        let innermost = depth + 1 == rank;
        let blocks = self.guard_loop(f, start, end, &format!("loop{depth}"))?;
        // Accumulators for reductions along this (innermost) loop: start from memory.
        let mut acc_init: Vec<(usize, BasicValueEnum<'ll>)> = Vec::new();
        if innermost {
            let mut zidx = idx.clone();
            zidx.push(i64t.const_zero());
            for &o in &phase.acc_outs {
                let e = elems[nin + o];
                acc_init.push((
                    o,
                    self.load(bufs[nin + o], e, &k.out_maps[o].to_ints(), &zidx)?,
                ));
            }
        }
        let pre = self.builder.get_insert_block().expect("positioned");
        let phi = self.enter_loop(&blocks)?;
        let mut acc_phis = Vec::new();
        for (o, init) in &acc_init {
            let p = self
                .builder
                .build_phi(init.get_type(), &format!("acc{o}"))
                .map_err(ll_err)?;
            p.add_incoming(&[(init, pre)]);
            acc_phis.push((*o, p));
        }
        let i = phi.as_basic_value().into_int_value();
        idx.push(i);
        let mut next_accs: Vec<(usize, BasicValueEnum<'ll>)> = Vec::new();
        if innermost {
            let accs: FxHashMap<usize, BasicValueEnum<'ll>> = acc_phis
                .iter()
                .map(|(o, p)| (*o, p.as_basic_value()))
                .collect();
            next_accs = self.emit_point(ctx, k, elems, bufs, phase, idx, &accs)?;
        } else {
            self.emit_loop(ctx, k, elems, bufs, phase, depth + 1, lo, hi, idx, f)?;
        }
        idx.pop();
        let latch = self.close_loop(&blocks, phi)?;
        for ((_, p), (_, v)) in acc_phis.iter().zip(&next_accs) {
            p.add_incoming(&[(v, latch)]);
        }
        if innermost {
            // The accumulators after the last iteration go back to memory.
            let mut zidx = idx.clone();
            zidx.push(i64t.const_zero());
            for (o, last) in &next_accs {
                self.store(
                    bufs[nin + o],
                    elems[nin + o],
                    &k.out_maps[*o].to_ints(),
                    &zidx,
                    *last,
                )?;
            }
        }
        self.finish_loop(&blocks)
    }

    /// Emits one point of the space: loads, the body's scalar ops, stores and
    /// reductions. Returns the new accumulator values of register reductions.
    #[allow(clippy::too_many_arguments)]
    fn emit_point(
        &mut self,
        ctx: &Context,
        k: &Fused,
        elems: &[Elem],
        bufs: &[PointerValue<'ll>],
        phase: &PhaseCg,
        idx: &[IntValue<'ll>],
        accs: &FxHashMap<usize, BasicValueEnum<'ll>>,
    ) -> Res<Vec<(usize, BasicValueEnum<'ll>)>> {
        let nin = k.num_inputs;
        let block = phase.block;
        let mut vals: FxHashMap<Value, BasicValueEnum<'ll>> = FxHashMap::default();
        for (&a, i) in ctx.block_args(block).iter().zip(phase.ins.clone()) {
            vals.insert(
                a,
                self.load(bufs[i], elems[i], &k.in_maps[i].to_ints(), idx)?,
            );
        }
        let mut out = Vec::new();
        for sop in ctx.block_ops(block) {
            let name = ctx.name_str(sop);
            if name == "kernel.yield" {
                for (&v, o) in ctx.operands(sop).iter().zip(phase.outs.clone()) {
                    let v = vals[&v];
                    let e = elems[nin + o];
                    match k.out_kinds[o] {
                        OutKind::Store => {
                            self.store(bufs[nin + o], e, &k.out_maps[o].to_ints(), idx, v)?
                        }
                        kind => {
                            if let Some(acc) = accs.get(&o) {
                                out.push((o, self.combine(kind, e, *acc, v)?));
                            } else {
                                let cur =
                                    self.load(bufs[nin + o], e, &k.out_maps[o].to_ints(), idx)?;
                                let n = self.combine(kind, e, cur, v)?;
                                self.store(bufs[nin + o], e, &k.out_maps[o].to_ints(), idx, n)?;
                            }
                        }
                    }
                }
                continue;
            }
            let r = ctx.result(sop, 0);
            let rty = elem_of(ctx, ctx.value_type(r)).ok_or_else(|| {
                Diagnostic::error(format!(
                    "'{name}': unsupported scalar type in kernel {}",
                    k.name
                ))
            })?;
            let args: Vec<BasicValueEnum<'ll>> =
                ctx.operands(sop).iter().map(|v| vals[v]).collect();
            let arg_elems: Vec<Elem> = ctx
                .operands(sop)
                .iter()
                .map(|&v| {
                    elem_of(ctx, ctx.value_type(v)).ok_or_else(|| {
                        Diagnostic::error(format!(
                            "'{name}': unsupported operand type in kernel {}",
                            k.name
                        ))
                        .with_span(ctx.span(sop))
                    })
                })
                .collect::<Res<_>>()?;
            let v = self.scalar_op(ctx, sop, name, rty, &args, &arg_elems, idx)?;
            vals.insert(r, v);
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn scalar_op(
        &mut self,
        ctx: &Context,
        sop: OpId,
        name: &str,
        rty: Elem,
        args: &[BasicValueEnum<'ll>],
        arg_elems: &[Elem],
        idx: &[IntValue<'ll>],
    ) -> Res<BasicValueEnum<'ll>> {
        let b = &self.builder;
        let is_float = |e: Elem| matches!(e, Elem::F32 | Elem::F64);
        Ok(match name {
            "kernel.const" => {
                let v = value(ctx, sop)?;
                match rty {
                    Elem::F32 => self.ll.f32_type().const_float(v as f32 as f64).into(),
                    Elem::F64 => self.ll.f64_type().const_float(v).into(),
                    Elem::Bool => self
                        .ll
                        .bool_type()
                        .const_int((v != 0.0) as u64, false)
                        .into(),
                    Elem::Int(w) => self
                        .int_type(w)
                        .const_int(int_value(ctx, sop)? as u64, true)
                        .into(),
                }
            }
            "kernel.index" => {
                let d = index_dim(ctx, sop)?;
                let i: IntValue<'ll> = *idx.get(d).ok_or_else(|| {
                    Diagnostic::error(format!(
                        "'kernel.index' of dim {d} in a {}-dimensional kernel",
                        idx.len()
                    ))
                    .with_span(ctx.span(sop))
                })?;
                i.into()
            }
            "kernel.cast" => self.cast(args[0], arg_elems[0], rty)?,
            "kernel.cmp" => {
                let p = predicate(ctx, sop)?;
                if is_float(arg_elems[0]) {
                    let pred = match p {
                        Predicate::Eq => FloatPredicate::OEQ,
                        Predicate::Ne => FloatPredicate::UNE,
                        Predicate::Lt => FloatPredicate::OLT,
                        Predicate::Le => FloatPredicate::OLE,
                        Predicate::Gt => FloatPredicate::OGT,
                        Predicate::Ge => FloatPredicate::OGE,
                    };
                    b.build_float_compare(
                        pred,
                        args[0].into_float_value(),
                        args[1].into_float_value(),
                        "",
                    )
                    .map_err(ll_err)?
                    .into()
                } else {
                    // `i1` compares unsigned: true (1) is above false, as in PyTorch.
                    let signed = arg_elems[0] != Elem::Bool;
                    let pred = match (p, signed) {
                        (Predicate::Eq, _) => IntPredicate::EQ,
                        (Predicate::Ne, _) => IntPredicate::NE,
                        (Predicate::Lt, true) => IntPredicate::SLT,
                        (Predicate::Le, true) => IntPredicate::SLE,
                        (Predicate::Gt, true) => IntPredicate::SGT,
                        (Predicate::Ge, true) => IntPredicate::SGE,
                        (Predicate::Lt, false) => IntPredicate::ULT,
                        (Predicate::Le, false) => IntPredicate::ULE,
                        (Predicate::Gt, false) => IntPredicate::UGT,
                        (Predicate::Ge, false) => IntPredicate::UGE,
                    };
                    b.build_int_compare(
                        pred,
                        args[0].into_int_value(),
                        args[1].into_int_value(),
                        "",
                    )
                    .map_err(ll_err)?
                    .into()
                }
            }
            "kernel.select" => b
                .build_select(args[0].into_int_value(), args[1], args[2], "")
                .map_err(ll_err)?,
            _ if is_checked_division(ctx, sop) => {
                let rem = name == "kernel.rem";
                let at = site(ctx, sop)?;
                self.checked_division(rem, &at, args[0].into_int_value(), args[1].into_int_value())?
            }
            n => match ScalarOp::from_name(n) {
                Some(op) if op.arity() == 2 && is_float(rty) => {
                    self.fbin(op, args[0].into_float_value(), args[1].into_float_value())?
                }
                Some(op) if op.arity() == 2 => {
                    self.ibin(op, args[0].into_int_value(), args[1].into_int_value())?
                }
                Some(op) if is_float(rty) => self.funary(op, args[0].into_float_value())?,
                Some(op) => self.iunary(op, args[0].into_int_value())?,
                None => {
                    return Err(Diagnostic::error(format!(
                        "the native backend cannot generate code for '{n}'"
                    ))
                    .with_span(ctx.span(sop)));
                }
            },
        })
    }

    fn cast(&self, v: BasicValueEnum<'ll>, from: Elem, to: Elem) -> Res<BasicValueEnum<'ll>> {
        let b = &self.builder;
        let t = self.llty(to);
        Ok(match (from, to) {
            (a, c) if a == c => v,
            (Elem::F32 | Elem::F64, Elem::F32 | Elem::F64) => b
                .build_float_cast(v.into_float_value(), t.into_float_type(), "")
                .map_err(ll_err)?
                .into(),
            (Elem::F32 | Elem::F64, Elem::Bool) => {
                let z = v.into_float_value().get_type().const_zero();
                b.build_float_compare(FloatPredicate::UNE, v.into_float_value(), z, "")
                    .map_err(ll_err)?
                    .into()
            }
            (Elem::F32 | Elem::F64, Elem::Int(_)) => b
                .build_float_to_signed_int(v.into_float_value(), t.into_int_type(), "")
                .map_err(ll_err)?
                .into(),
            (Elem::Bool, Elem::F32 | Elem::F64) => b
                .build_unsigned_int_to_float(v.into_int_value(), t.into_float_type(), "")
                .map_err(ll_err)?
                .into(),
            (Elem::Int(_), Elem::F32 | Elem::F64) => b
                .build_signed_int_to_float(v.into_int_value(), t.into_float_type(), "")
                .map_err(ll_err)?
                .into(),
            (Elem::Int(_), Elem::Bool) => {
                let z = v.into_int_value().get_type().const_zero();
                b.build_int_compare(IntPredicate::NE, v.into_int_value(), z, "")
                    .map_err(ll_err)?
                    .into()
            }
            (Elem::Bool, Elem::Int(_)) => b
                .build_int_z_extend(v.into_int_value(), t.into_int_type(), "")
                .map_err(ll_err)?
                .into(),
            _ => b
                .build_int_cast_sign_flag(v.into_int_value(), t.into_int_type(), true, "")
                .map_err(ll_err)?
                .into(),
        })
    }

    /// Marks a float instruction `reassoc contract`.
    fn fast(&self, v: FloatValue<'ll>) -> FloatValue<'ll> {
        if let Some(inst) = v.as_instruction_value() {
            // Only arithmetic instructions get here; constants folded by the builder are
            // no instructions and need no flags.
            let _ = inst
                .set_fast_math_flags(FastMathFlags::AllowReassoc | FastMathFlags::AllowContract);
        }
        v
    }

    fn fbin(
        &self,
        op: ScalarOp,
        a: FloatValue<'ll>,
        c: FloatValue<'ll>,
    ) -> Res<BasicValueEnum<'ll>> {
        let b = &self.builder;
        let v = match op {
            ScalarOp::Add => self.fast(b.build_float_add(a, c, "").map_err(ll_err)?),
            ScalarOp::Sub => self.fast(b.build_float_sub(a, c, "").map_err(ll_err)?),
            ScalarOp::Mul => self.fast(b.build_float_mul(a, c, "").map_err(ll_err)?),
            ScalarOp::Div => b.build_float_div(a, c, "").map_err(ll_err)?,
            // NaN propagates from either side, as PyTorch's max/min/relu; LLVM
            // vectorizes these as reductions too.
            ScalarOp::Max | ScalarOp::Min => {
                let name = if op == ScalarOp::Max {
                    "llvm.maximum"
                } else {
                    "llvm.minimum"
                };
                return self.call_intrinsic(name, a.get_type().into(), &[a.into(), c.into()]);
            }
            ScalarOp::Pow => self
                .call_intrinsic("llvm.pow", a.get_type().into(), &[a.into(), c.into()])?
                .into_float_value(),
            ScalarOp::Rem => b.build_float_rem(a, c, "").map_err(ll_err)?,
            ScalarOp::Atan2 => {
                let is32 = a.get_type() == self.ll.f32_type();
                self.call_libm(if is32 { "atan2f" } else { "atan2" }, &[a, c])?
            }
            other => {
                return Err(Diagnostic::error(format!(
                    "'{}' is not defined on floats",
                    other.name()
                )));
            }
        };
        Ok(v.into())
    }

    fn ibin(&self, op: ScalarOp, a: IntValue<'ll>, c: IntValue<'ll>) -> Res<BasicValueEnum<'ll>> {
        let b = &self.builder;
        Ok(match op {
            ScalarOp::Add => b.build_int_add(a, c, "").map_err(ll_err)?.into(),
            ScalarOp::Sub => b.build_int_sub(a, c, "").map_err(ll_err)?.into(),
            ScalarOp::Mul => b.build_int_mul(a, c, "").map_err(ll_err)?.into(),
            ScalarOp::And => b.build_and(a, c, "").map_err(ll_err)?.into(),
            ScalarOp::Or => b.build_or(a, c, "").map_err(ll_err)?.into(),
            ScalarOp::Xor => b.build_xor(a, c, "").map_err(ll_err)?.into(),
            // The amount is taken modulo the width: LLVM's shift by the width or more is
            // poison.
            ScalarOp::Shr => {
                let t = a.get_type();
                let width = t.const_int(u64::from(t.get_bit_width() - 1), false);
                let amount = b.build_and(c, width, "").map_err(ll_err)?;
                b.build_right_shift(a, amount, false, "")
                    .map_err(ll_err)?
                    .into()
            }
            ScalarOp::Max | ScalarOp::Min => {
                let pred = if op == ScalarOp::Max {
                    IntPredicate::SGT
                } else {
                    IntPredicate::SLT
                };
                let keep = b.build_int_compare(pred, a, c, "").map_err(ll_err)?;
                b.build_select(keep, a, c, "").map_err(ll_err)?
            }
            other => {
                return Err(Diagnostic::error(format!(
                    "'{}' is not defined on integers",
                    other.name()
                )));
            }
        })
    }

    /// Integer `a / c` (`rem`: `a % c`) toward zero without a trap: a zero divisor
    /// stores the code of `at` in the status word (on a branch the divisor of a
    /// division by a constant folds away) and yields 0, `MIN / -1` wraps to `MIN`, and
    /// `MIN % -1` is 0.
    fn checked_division(
        &self,
        rem: bool,
        at: &str,
        a: IntValue<'ll>,
        c: IntValue<'ll>,
    ) -> Res<BasicValueEnum<'ll>> {
        let b = &self.builder;
        let status = self.status.as_ref().ok_or_else(|| {
            Diagnostic::error(format!("checked division of '{at}' outside a kernel"))
        })?;
        let code = status.sites.iter().position(|s| s == at).unwrap_or(0) as u64 + 1;
        let t = c.get_type();
        let zero = b
            .build_int_compare(IntPredicate::EQ, c, t.const_zero(), "")
            .map_err(ll_err)?;
        let minus_one = b
            .build_int_compare(IntPredicate::EQ, c, t.const_all_ones(), "")
            .map_err(ll_err)?;
        let f = b
            .get_insert_block()
            .and_then(|bb| bb.get_parent())
            .expect("positioned in a function");
        let fail = self.ll.append_basic_block(f, "divzero");
        let cont = self.ll.append_basic_block(f, "divok");
        b.build_conditional_branch(zero, fail, cont)
            .map_err(ll_err)?;
        b.position_at_end(fail);
        let i32t = self.ll.i32_type();
        let store = b
            .build_store(status.ptr, i32t.const_int(code, false))
            .map_err(ll_err)?;
        // Tasks of one step may fail at once: an atomic store, never a data race.
        store
            .set_atomic_ordering(inkwell::AtomicOrdering::Monotonic)
            .map_err(ll_err)?;
        store.set_alignment(4).map_err(ll_err)?;
        b.build_unconditional_branch(cont).map_err(ll_err)?;
        b.position_at_end(cont);
        let bad = b.build_or(zero, minus_one, "").map_err(ll_err)?;
        let safe = b
            .build_select(bad, t.const_int(1, false), c, "")
            .map_err(ll_err)?
            .into_int_value();
        let (q, special) = if rem {
            (
                b.build_int_signed_rem(a, safe, "").map_err(ll_err)?,
                t.const_zero(),
            )
        } else {
            let q = b.build_int_signed_div(a, safe, "").map_err(ll_err)?;
            (q, b.build_int_sub(t.const_zero(), a, "").map_err(ll_err)?)
        };
        let q = b.build_select(minus_one, special, q, "").map_err(ll_err)?;
        b.build_select(zero, t.const_zero().into(), q, "")
            .map_err(ll_err)
    }

    fn iunary(&self, op: ScalarOp, a: IntValue<'ll>) -> Res<BasicValueEnum<'ll>> {
        let b = &self.builder;
        let t = a.get_type();
        Ok(match op {
            ScalarOp::Neg => b.build_int_neg(a, "").map_err(ll_err)?.into(),
            ScalarOp::Not => b.build_not(a, "").map_err(ll_err)?.into(),
            ScalarOp::Abs => {
                let neg = b.build_int_neg(a, "").map_err(ll_err)?;
                let lt = b
                    .build_int_compare(IntPredicate::SLT, a, t.const_zero(), "")
                    .map_err(ll_err)?;
                b.build_select(lt, neg, a, "").map_err(ll_err)?
            }
            ScalarOp::Sign => {
                let gt = b
                    .build_int_compare(IntPredicate::SGT, a, t.const_zero(), "")
                    .map_err(ll_err)?;
                let lt = b
                    .build_int_compare(IntPredicate::SLT, a, t.const_zero(), "")
                    .map_err(ll_err)?;
                let gt = b.build_int_z_extend(gt, t, "").map_err(ll_err)?;
                let lt = b.build_int_z_extend(lt, t, "").map_err(ll_err)?;
                b.build_int_sub(gt, lt, "").map_err(ll_err)?.into()
            }
            other => {
                return Err(Diagnostic::error(format!(
                    "'{}' is not defined on integers",
                    other.name()
                )));
            }
        })
    }

    fn call_intrinsic(
        &self,
        name: &str,
        ty: BasicTypeEnum<'ll>,
        args: &[inkwell::values::BasicMetadataValueEnum<'ll>],
    ) -> Res<BasicValueEnum<'ll>> {
        let intr = Intrinsic::find(name).ok_or_else(|| ll_err(format!("no intrinsic {name}")))?;
        let decl = intr
            .get_declaration(&self.module, &[ty])
            .ok_or_else(|| ll_err(format!("cannot declare {name}")))?;
        let call = self.builder.build_call(decl, args, "").map_err(ll_err)?;
        call.try_as_basic_value()
            .basic()
            .ok_or_else(|| ll_err(format!("{name} returns nothing")))
    }

    /// Calls a C math function of one or two floats (`double f(double)` /
    /// `float ff(float)`, `atan2`).
    fn call_libm(&self, name: &str, args: &[FloatValue<'ll>]) -> Res<FloatValue<'ll>> {
        let t = args[0].get_type();
        let params: Vec<_> = args.iter().map(|_| t.into()).collect();
        let ty = t.fn_type(&params, false);
        let f = match self.module.get_function(name) {
            Some(f) if f.get_type() == ty => f,
            Some(_) => return Err(ll_err(format!("'{name}' is declared with another type"))),
            None => self.module.add_function(name, ty, Some(Linkage::External)),
        };
        let args: Vec<_> = args.iter().map(|&a| a.into()).collect();
        let call = self.builder.build_call(f, &args, "").map_err(ll_err)?;
        Ok(call
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| ll_err(format!("{name} returns nothing")))?
            .into_float_value())
    }

    fn fconst(&self, t: inkwell::types::FloatType<'ll>, v: f64) -> FloatValue<'ll> {
        t.const_float(v)
    }

    fn funary(&self, op: ScalarOp, a: FloatValue<'ll>) -> Res<BasicValueEnum<'ll>> {
        let b = &self.builder;
        let t = a.get_type();
        let is32 = t == self.ll.f32_type();
        let one = self.fconst(t, 1.0);
        let v: FloatValue<'ll> = match op {
            ScalarOp::Neg => b.build_float_neg(a, "").map_err(ll_err)?,
            ScalarOp::Abs => self
                .call_intrinsic("llvm.fabs", t.into(), &[a.into()])?
                .into_float_value(),
            ScalarOp::Sqrt => self
                .call_intrinsic("llvm.sqrt", t.into(), &[a.into()])?
                .into_float_value(),
            ScalarOp::Rsqrt => {
                let s = self
                    .call_intrinsic("llvm.sqrt", t.into(), &[a.into()])?
                    .into_float_value();
                b.build_float_div(one, s, "").map_err(ll_err)?
            }
            ScalarOp::Recip => b.build_float_div(one, a, "").map_err(ll_err)?,
            ScalarOp::Sin => self
                .call_intrinsic("llvm.sin", t.into(), &[a.into()])?
                .into_float_value(),
            ScalarOp::Cos => self
                .call_intrinsic("llvm.cos", t.into(), &[a.into()])?
                .into_float_value(),
            ScalarOp::Exp if is32 => self.exp_f32(a)?,
            ScalarOp::Exp => self
                .call_intrinsic("llvm.exp", t.into(), &[a.into()])?
                .into_float_value(),
            ScalarOp::Log if is32 => self.log_f32(a)?,
            ScalarOp::Log => self
                .call_intrinsic("llvm.log", t.into(), &[a.into()])?
                .into_float_value(),
            ScalarOp::Tanh if is32 => self.tanh_f32(a)?,
            ScalarOp::Tanh => self.call_libm("tanh", &[a])?,
            ScalarOp::Sigmoid => {
                let na = b.build_float_neg(a, "").map_err(ll_err)?;
                let e = if is32 {
                    self.exp_f32(na)?
                } else {
                    self.call_intrinsic("llvm.exp", t.into(), &[na.into()])?
                        .into_float_value()
                };
                let d = b.build_float_add(one, e, "").map_err(ll_err)?;
                b.build_float_div(one, d, "").map_err(ll_err)?
            }
            ScalarOp::Erf if is32 => self.erf_f32(a)?,
            ScalarOp::Erf => self.call_libm("erf", &[a])?,
            ScalarOp::Log1p => self.call_libm(if is32 { "log1pf" } else { "log1p" }, &[a])?,
            ScalarOp::Expm1 => self.call_libm(if is32 { "expm1f" } else { "expm1" }, &[a])?,
            ScalarOp::Floor | ScalarOp::Ceil | ScalarOp::Round | ScalarOp::Trunc => {
                let name = match op {
                    ScalarOp::Floor => "llvm.floor",
                    ScalarOp::Ceil => "llvm.ceil",
                    ScalarOp::Round => "llvm.roundeven",
                    _ => "llvm.trunc",
                };
                self.call_intrinsic(name, t.into(), &[a.into()])?
                    .into_float_value()
            }
            ScalarOp::Tan
            | ScalarOp::Asin
            | ScalarOp::Acos
            | ScalarOp::Atan
            | ScalarOp::Sinh
            | ScalarOp::Cosh
            | ScalarOp::Asinh
            | ScalarOp::Acosh
            | ScalarOp::Atanh
            | ScalarOp::Log2
            | ScalarOp::Log10 => {
                // The C function of the op's name (`kernel.asin` → `asin` / `asinf`).
                let base = op.name().trim_start_matches("kernel.");
                let name = if is32 {
                    format!("{base}f")
                } else {
                    base.to_string()
                };
                self.call_libm(&name, &[a])?
            }
            ScalarOp::Sign => {
                let z = t.const_zero();
                let gt = b
                    .build_float_compare(FloatPredicate::OGT, a, z, "")
                    .map_err(ll_err)?;
                let lt = b
                    .build_float_compare(FloatPredicate::OLT, a, z, "")
                    .map_err(ll_err)?;
                let gt = b.build_unsigned_int_to_float(gt, t, "").map_err(ll_err)?;
                let lt = b.build_unsigned_int_to_float(lt, t, "").map_err(ll_err)?;
                b.build_float_sub(gt, lt, "").map_err(ll_err)?
            }
            other => {
                return Err(Diagnostic::error(format!(
                    "'{}' is not defined on floats",
                    other.name()
                )));
            }
        };
        Ok(v.into())
    }

    fn poly(&self, x: FloatValue<'ll>, coeffs: &[f64]) -> Res<FloatValue<'ll>> {
        let t = x.get_type();
        let mut acc = self.fconst(t, coeffs[0]);
        for &c in &coeffs[1..] {
            let m = self.fast(self.builder.build_float_mul(acc, x, "").map_err(ll_err)?);
            acc = self.fast(
                self.builder
                    .build_float_add(m, self.fconst(t, c), "")
                    .map_err(ll_err)?,
            );
        }
        Ok(acc)
    }

    fn fmin_max(&self, a: FloatValue<'ll>, lo: f64, hi: f64) -> Res<FloatValue<'ll>> {
        let t = a.get_type();
        let a = self.call_intrinsic(
            "llvm.maxnum",
            t.into(),
            &[a.into(), self.fconst(t, lo).into()],
        )?;
        Ok(self
            .call_intrinsic(
                "llvm.minnum",
                t.into(),
                &[a.into(), self.fconst(t, hi).into()],
            )?
            .into_float_value())
    }

    /// Cephes `expf`: range reduction by ln 2, degree-5 polynomial, exponent bits, over
    /// the whole range where `expf` is finite and nonzero; NaN stays NaN, and arguments
    /// past that range give 0 and +inf as `expf` does.
    fn exp_f32(&self, x_in: FloatValue<'ll>) -> Res<FloatValue<'ll>> {
        let b = &self.builder;
        let t = x_in.get_type();
        let i32t = self.ll.i32_type();
        // ln of half the smallest subnormal, and of the largest finite f32.
        let (lo, hi) = (-103.972_077_083_991_8, 88.722_839_355_468_75);
        let x = self.fmin_max(x_in, lo, hi)?;
        let fx = b
            .build_float_mul(x, self.fconst(t, std::f64::consts::LOG2_E), "")
            .map_err(ll_err)?;
        let fx = b
            .build_float_add(fx, self.fconst(t, 0.5), "")
            .map_err(ll_err)?;
        let fx = self
            .call_intrinsic("llvm.floor", t.into(), &[fx.into()])?
            .into_float_value();
        let r = b
            .build_float_sub(
                x,
                b.build_float_mul(fx, self.fconst(t, 0.693_359_375), "")
                    .map_err(ll_err)?,
                "",
            )
            .map_err(ll_err)?;
        let r = b
            .build_float_add(
                r,
                b.build_float_mul(fx, self.fconst(t, 2.121_944_4e-4), "")
                    .map_err(ll_err)?,
                "",
            )
            .map_err(ll_err)?;
        let z = b.build_float_mul(r, r, "").map_err(ll_err)?;
        let p = self.poly(
            r,
            &[
                1.987_569_15e-4,
                1.398_199_950_7e-3,
                8.333_451_907_3e-3,
                4.166_579_589_4e-2,
                1.666_666_545_9e-1,
                5.000_000_120_1e-1,
            ],
        )?;
        let y = b
            .build_float_add(b.build_float_mul(p, z, "").map_err(ll_err)?, r, "")
            .map_err(ll_err)?;
        let y = b
            .build_float_add(y, self.fconst(t, 1.0), "")
            .map_err(ll_err)?;
        // y * 2^n as y * 2^(n/2) * 2^(n - n/2): each factor a normal float for n in
        // [-150, 128], so results near the overflow and in the subnormal range are right.
        let n = b.build_float_to_signed_int(fx, i32t, "").map_err(ll_err)?;
        let half = b
            .build_right_shift(n, i32t.const_int(1, false), true, "")
            .map_err(ll_err)?;
        let rest = b.build_int_sub(n, half, "").map_err(ll_err)?;
        let mut y = y;
        for e in [half, rest] {
            let bits = b
                .build_left_shift(
                    b.build_int_add(e, i32t.const_int(127, false), "")
                        .map_err(ll_err)?,
                    i32t.const_int(23, false),
                    "",
                )
                .map_err(ll_err)?;
            let pow2 = b
                .build_bit_cast(bits, t, "")
                .map_err(ll_err)?
                .into_float_value();
            y = b.build_float_mul(y, pow2, "").map_err(ll_err)?;
        }
        // The clamp maps NaN to a bound (`maxnum` drops NaN) and the polynomial cannot
        // reach 0 or inf: restore what `expf` gives outside the clamped range.
        let below = b
            .build_float_compare(FloatPredicate::OLT, x_in, self.fconst(t, lo), "")
            .map_err(ll_err)?;
        let above = b
            .build_float_compare(FloatPredicate::OGT, x_in, self.fconst(t, hi), "")
            .map_err(ll_err)?;
        let nan = b
            .build_float_compare(FloatPredicate::UNO, x_in, x_in, "")
            .map_err(ll_err)?;
        let y = self.select_f(below, t.const_zero(), y)?;
        let y = self.select_f(above, self.fconst(t, f64::INFINITY), y)?;
        self.select_f(nan, x_in, y)
    }

    /// `cond ? a : b` on floats.
    fn select_f(
        &self,
        cond: inkwell::values::IntValue<'ll>,
        a: FloatValue<'ll>,
        c: FloatValue<'ll>,
    ) -> Res<FloatValue<'ll>> {
        Ok(self
            .builder
            .build_select(cond, a, c, "")
            .map_err(ll_err)?
            .into_float_value())
    }

    /// Cephes `logf`: mantissa/exponent split, degree-8 polynomial; a subnormal is
    /// scaled by 2^23 first (its exponent bits are 0) and the 23 taken off its exponent.
    fn log_f32(&self, x: FloatValue<'ll>) -> Res<FloatValue<'ll>> {
        let b = &self.builder;
        let t = x.get_type();
        let i32t = self.ll.i32_type();
        let subnormal = b
            .build_float_compare(
                FloatPredicate::OLT,
                self.call_intrinsic("llvm.fabs", t.into(), &[x.into()])?
                    .into_float_value(),
                self.fconst(t, f64::from(f32::MIN_POSITIVE)),
                "",
            )
            .map_err(ll_err)?;
        let scaled = self.select_f(
            subnormal,
            b.build_float_mul(x, self.fconst(t, 8_388_608.0), "")
                .map_err(ll_err)?,
            x,
        )?;
        let bits = b
            .build_bit_cast(scaled, i32t, "")
            .map_err(ll_err)?
            .into_int_value();
        let e = b
            .build_right_shift(bits, i32t.const_int(23, false), false, "")
            .map_err(ll_err)?;
        let e = b
            .build_and(e, i32t.const_int(0xff, false), "")
            .map_err(ll_err)?;
        let bias = b
            .build_select(
                subnormal,
                i32t.const_int(126 + 23, false),
                i32t.const_int(126, false),
                "",
            )
            .map_err(ll_err)?
            .into_int_value();
        let e = b.build_int_sub(e, bias, "").map_err(ll_err)?;
        let m = b
            .build_and(bits, i32t.const_int(0x007f_ffff, false), "")
            .map_err(ll_err)?;
        let m = b
            .build_or(m, i32t.const_int(0x3f00_0000, false), "")
            .map_err(ll_err)?;
        let m = b
            .build_bit_cast(m, t, "")
            .map_err(ll_err)?
            .into_float_value();
        let ef = b.build_signed_int_to_float(e, t, "").map_err(ll_err)?;
        let small = b
            .build_float_compare(
                FloatPredicate::OLT,
                m,
                self.fconst(t, std::f64::consts::FRAC_1_SQRT_2),
                "",
            )
            .map_err(ll_err)?;
        let ef = b
            .build_select(
                small,
                b.build_float_sub(ef, self.fconst(t, 1.0), "")
                    .map_err(ll_err)?,
                ef,
                "",
            )
            .map_err(ll_err)?
            .into_float_value();
        let m2 = b
            .build_select(small, b.build_float_add(m, m, "").map_err(ll_err)?, m, "")
            .map_err(ll_err)?
            .into_float_value();
        let xr = b
            .build_float_sub(m2, self.fconst(t, 1.0), "")
            .map_err(ll_err)?;
        let z = b.build_float_mul(xr, xr, "").map_err(ll_err)?;
        let p = self.poly(
            xr,
            &[
                7.037_683_629_2e-2,
                -1.151_461_031_0e-1,
                1.167_699_874_0e-1,
                -1.242_014_084_6e-1,
                1.424_932_278_7e-1,
                -1.666_805_766_5e-1,
                2.000_071_476_5e-1,
                -2.499_999_399_3e-1,
                3.333_333_117_4e-1,
            ],
        )?;
        let y = b
            .build_float_mul(b.build_float_mul(p, xr, "").map_err(ll_err)?, z, "")
            .map_err(ll_err)?;
        let y = b
            .build_float_add(
                y,
                b.build_float_mul(ef, self.fconst(t, -2.121_944_4e-4), "")
                    .map_err(ll_err)?,
                "",
            )
            .map_err(ll_err)?;
        let y = b
            .build_float_sub(
                y,
                b.build_float_mul(z, self.fconst(t, 0.5), "")
                    .map_err(ll_err)?,
                "",
            )
            .map_err(ll_err)?;
        let r = b.build_float_add(xr, y, "").map_err(ll_err)?;
        let r = b
            .build_float_add(
                r,
                b.build_float_mul(ef, self.fconst(t, 0.693_359_375), "")
                    .map_err(ll_err)?,
                "",
            )
            .map_err(ll_err)?;
        // log(0) = -inf, log(<0) = NaN, log(inf) = inf, log(NaN) = NaN.
        let zero = b
            .build_float_compare(FloatPredicate::OEQ, x, t.const_zero(), "")
            .map_err(ll_err)?;
        let neg = b
            .build_float_compare(FloatPredicate::ULT, x, t.const_zero(), "")
            .map_err(ll_err)?;
        let inf = b
            .build_float_compare(FloatPredicate::OEQ, x, self.fconst(t, f64::INFINITY), "")
            .map_err(ll_err)?;
        let r = b
            .build_select(inf, x, r, "")
            .map_err(ll_err)?
            .into_float_value();
        let r = b
            .build_select(neg, self.fconst(t, f64::NAN), r, "")
            .map_err(ll_err)?
            .into_float_value();
        Ok(
            b.build_select(zero, self.fconst(t, f64::NEG_INFINITY), r, "")
                .map_err(ll_err)?
                .into_float_value(),
        )
    }

    /// Cephes `tanhf`: odd polynomial below 0.625, else `1 - 2 / (exp(2|x|) + 1)`.
    fn tanh_f32(&self, x: FloatValue<'ll>) -> Res<FloatValue<'ll>> {
        let b = &self.builder;
        let t = x.get_type();
        let ax = self
            .call_intrinsic("llvm.fabs", t.into(), &[x.into()])?
            .into_float_value();
        let z = b.build_float_mul(x, x, "").map_err(ll_err)?;
        let p = self.poly(
            z,
            &[
                -5.704_988_727_45e-3,
                2.063_908_879_54e-2,
                -5.373_971_555_31e-2,
                1.333_144_220_36e-1,
                -3.333_328_194_22e-1,
            ],
        )?;
        let small = b
            .build_float_add(
                b.build_float_mul(b.build_float_mul(p, z, "").map_err(ll_err)?, x, "")
                    .map_err(ll_err)?,
                x,
                "",
            )
            .map_err(ll_err)?;
        let e = self.exp_f32(b.build_float_add(ax, ax, "").map_err(ll_err)?)?;
        let big = b
            .build_float_sub(
                self.fconst(t, 1.0),
                b.build_float_div(
                    self.fconst(t, 2.0),
                    b.build_float_add(e, self.fconst(t, 1.0), "")
                        .map_err(ll_err)?,
                    "",
                )
                .map_err(ll_err)?,
                "",
            )
            .map_err(ll_err)?;
        let big = self
            .call_intrinsic("llvm.copysign", t.into(), &[big.into(), x.into()])?
            .into_float_value();
        // Unordered: a NaN takes the polynomial, which keeps it NaN.
        let is_small = b
            .build_float_compare(FloatPredicate::ULT, ax, self.fconst(t, 0.625), "")
            .map_err(ll_err)?;
        Ok(b.build_select(is_small, small, big, "")
            .map_err(ll_err)?
            .into_float_value())
    }

    /// Abramowitz–Stegun 7.1.26 (absolute error below 1.5e-7).
    fn erf_f32(&self, x: FloatValue<'ll>) -> Res<FloatValue<'ll>> {
        let b = &self.builder;
        let t = x.get_type();
        let ax = self
            .call_intrinsic("llvm.fabs", t.into(), &[x.into()])?
            .into_float_value();
        let d = b
            .build_float_add(
                self.fconst(t, 1.0),
                b.build_float_mul(ax, self.fconst(t, 0.327_591_1), "")
                    .map_err(ll_err)?,
                "",
            )
            .map_err(ll_err)?;
        let tt = b
            .build_float_div(self.fconst(t, 1.0), d, "")
            .map_err(ll_err)?;
        let p = self.poly(
            tt,
            &[
                1.061_405_429,
                -1.453_152_027,
                1.421_413_741,
                -0.284_496_736,
                0.254_829_592,
            ],
        )?;
        let p = b.build_float_mul(p, tt, "").map_err(ll_err)?;
        let nx2 = b
            .build_float_neg(b.build_float_mul(ax, ax, "").map_err(ll_err)?, "")
            .map_err(ll_err)?;
        let e = self.exp_f32(nx2)?;
        let y = b
            .build_float_sub(
                self.fconst(t, 1.0),
                b.build_float_mul(p, e, "").map_err(ll_err)?,
                "",
            )
            .map_err(ll_err)?;
        Ok(self
            .call_intrinsic("llvm.copysign", t.into(), &[y.into(), x.into()])?
            .into_float_value())
    }
}

/// The generated IR of a module as text, with a comment naming the source ops before
/// each kernel.
pub fn print_with_comments(cg: &Codegen<'_>) -> String {
    let text = cg.module.print_to_string().to_string();
    let mut out = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("define ")
            && let Some((_, c)) = cg.comments.iter().find(|(name, _)| {
                rest.contains(&format!("@{name}(")) || rest.contains(&format!("@\"{name}\"("))
            })
        {
            out.push_str(c);
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
