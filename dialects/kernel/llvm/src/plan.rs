//! From an L3 function to the runtime's [`Plan`]: signature with descriptors, buffers
//! (arguments, results, arena slots from the memory plan) and steps.

use joinery_aot::{AotOutput, FuncDescriptors, Slot};
use joinery_ir::{Context, DType, Diagnostic, OpId, Value};
use joinery_kernel::{
    Alloc, Conv, ConvEngine, ConvPass, Fft, FftKind, Fused, Gemm, Indexed, KERNEL_DTYPES, Lanes,
    MatrixMap, Nonzero, OutKind, RNG_STREAMS_ATTR, buffer_bytes, checked_bytes, static_info,
    tensor_info,
};
use joinery_runtime::conv::{
    ConvEngine as RtConvEngine, ConvPass as RtConvPass, ConvRef, ConvShape,
};
use joinery_runtime::fft::{FftRef, Norm, Transform};
use joinery_runtime::plan::{
    self as rt, ArgSpec, BufferSpec, IndexRef, KernelSpec, Location, MatRef, NonzeroRef, Partial,
    Plan, ReduceKind, ResultSpec, ResultTensor, RngSpec, Step,
};
use rustc_hash::FxHashMap;

fn rt_dtype(ctx: &Context, v: Value) -> Result<(DType, Vec<usize>), Diagnostic> {
    rt_type(ctx, ctx.value_type(v))
}

/// The dtype and shape of a buffer type the runtime handles.
fn rt_type(ctx: &Context, ty: joinery_ir::Type) -> Result<(DType, Vec<usize>), Diagnostic> {
    let (shape, dt) = static_info(ctx, ty)
        .ok_or_else(|| Diagnostic::error("the native backend needs static tensor types"))?;
    if !KERNEL_DTYPES.contains(&dt) {
        return Err(Diagnostic::error(format!(
            "the native backend does not support {dt} tensors"
        )));
    }
    if checked_bytes(&shape, dt).is_none() {
        return Err(Diagnostic::error(
            "the native backend does not support tensors of more than 2^63 bytes",
        ));
    }
    Ok((dt, shape.iter().map(|&x| x as usize).collect()))
}

/// The dtype and shape a caller passes or receives for a buffer type: [`rt_type`], except
/// that a complex buffer is a complex tensor (its bytes are the same).
fn signature_type(ctx: &Context, ty: joinery_ir::Type) -> Result<(DType, Vec<usize>), Diagnostic> {
    let (dtype, shape) = rt_type(ctx, ty)?;
    match tensor_info(ctx, ty) {
        Some((logical, complex)) if complex.is_complex() => {
            Ok((complex, logical.iter().map(|&x| x as usize).collect()))
        }
        _ => Ok((dtype, shape)),
    }
}

/// Builds the plan of an L3 function whose allocs have been placed.
pub fn build_plan(ctx: &Context, func: OpId) -> Result<Plan, Diagnostic> {
    let body = ctx
        .body_block(func)
        .ok_or_else(|| Diagnostic::error("an L3 function needs a body"))?;
    joinery_kernel::plan_memory::check_planned(ctx, func)?;
    let descs = FuncDescriptors::read(ctx, func);
    let mut buffers: Vec<BufferSpec> = Vec::new();
    let mut index: FxHashMap<Value, usize> = FxHashMap::default();
    let mut inputs = Vec::new();
    for (i, &a) in ctx.block_args(body).iter().enumerate() {
        let (dtype, shape) =
            signature_type(ctx, ctx.value_type(a)).map_err(|d| d.with_span(ctx.span(func)))?;
        let desc = descs
            .as_ref()
            .and_then(|d| d.args.get(i))
            .and_then(|s| s.desc())
            .map(|d| d.expr())
            .unwrap_or_default();
        inputs.push(ArgSpec {
            name: ctx.value_name(a).unwrap_or("").to_string(),
            desc,
            dtype,
            shape,
        });
        index.insert(a, buffers.len());
        buffers.push(BufferSpec {
            location: Location::Input(i),
            bytes: buffer_bytes(ctx, a),
        });
    }
    let mut kernels = Vec::new();
    let mut steps = Vec::new();
    let mut arena_bytes = 0u64;
    let mut outputs = Vec::new();
    // The buffer a kernel op's operand names: every tensor of an L3 function is an
    // argument or a `kernel.alloc`.
    let buffer = |index: &FxHashMap<Value, usize>, op: OpId, v: Value| {
        index.get(&v).copied().ok_or_else(|| {
            Diagnostic::error(format!(
                "an operand of '{}' is not a buffer (a function argument or a kernel.alloc)",
                ctx.name_str(op)
            ))
            .with_span(ctx.span(op))
        })
    };
    for op in ctx.block_ops(body) {
        match ctx.name_str(op) {
            "kernel.alloc" => {
                let v = ctx.result(op, 0);
                let bytes = buffer_bytes(ctx, v);
                let location = match Alloc::read(ctx, op)? {
                    Alloc::Output(j) => Location::Output(j),
                    Alloc::Arena(offset) => {
                        arena_bytes = arena_bytes.max(offset.saturating_add(bytes));
                        Location::Arena { offset }
                    }
                    Alloc::Unplanned => {
                        return Err(Diagnostic::error(
                            "kernel.alloc without an offset: run kernel-plan-memory first",
                        )
                        .with_span(ctx.span(op)));
                    }
                };
                index.insert(v, buffers.len());
                buffers.push(BufferSpec { location, bytes });
            }
            "kernel.fill" => {
                let b = ctx.operand(op, 0);
                let (dtype, shape) = rt_dtype(ctx, b)?;
                steps.push(Step::Fill {
                    buffer: buffer(&index, op, b)?,
                    dtype,
                    elements: shape.iter().product::<usize>() as u64,
                    value: joinery_kernel::attrs::value(ctx, op)?,
                });
            }
            "kernel.fused" => {
                let k = Fused::read(ctx, op)?;
                let args: Vec<usize> = ctx
                    .operands(op)
                    .iter()
                    .map(|&v| buffer(&index, op, v))
                    .collect::<Result<_, _>>()?;
                let extent = k.space.first().copied().unwrap_or(1);
                let work = k.space.iter().fold(1u64, |w, &d| w.saturating_mul(d));
                let mut partial = Vec::new();
                for (o, &kind) in k.out_kinds.iter().enumerate() {
                    let map = &k.out_maps[o];
                    if kind != OutKind::Store
                        && !k.space.is_empty()
                        && map.strides[0] == 0
                        && k.space[0] > 1
                    {
                        let v = ctx.operand(op, k.num_inputs + o);
                        let (dt, shape) = rt_dtype(ctx, v)?;
                        let kind = match kind {
                            OutKind::Sum => ReduceKind::Sum,
                            OutKind::Max => ReduceKind::Max,
                            // The runtime combines no partial products.
                            _ => continue,
                        };
                        if dt != DType::F32 {
                            continue;
                        }
                        partial.push(Partial {
                            arg: k.num_inputs + o,
                            kind,
                            elements: shape.iter().product::<usize>() as u64,
                        });
                    }
                }
                // A non-f32 reduction or a product across the split loop runs on one
                // thread.
                let serial = k.out_kinds.iter().enumerate().any(|(o, &kind)| {
                    kind != OutKind::Store
                        && !k.space.is_empty()
                        && k.out_maps[o].strides[0] == 0
                        && !partial.iter().any(|p| p.arg == k.num_inputs + o)
                });
                kernels.push(KernelSpec {
                    symbol: k.name.clone(),
                    sources: k.sources.clone(),
                    checks: joinery_kernel::division_sites(ctx, op)?,
                });
                steps.push(Step::Kernel {
                    kernel: kernels.len() - 1,
                    args,
                    extent,
                    work: if serial { 0 } else { work },
                    partial,
                });
            }
            "kernel.gemm" => {
                let g = Gemm::read(ctx, op)?;
                let matrix = |map: MatrixMap, operand: usize| -> Result<MatRef, Diagnostic> {
                    Ok(MatRef {
                        buffer: buffer(&index, op, ctx.operand(op, operand))?,
                        offset: map.offset,
                        bs: map.batch_stride,
                        rs: map.row_stride,
                        cs: map.col_stride,
                    })
                };
                steps.push(Step::Gemm {
                    m: g.m as usize,
                    n: g.n as usize,
                    k: g.k as usize,
                    batch: g.batch as usize,
                    a: matrix(g.a, 0)?,
                    b: matrix(g.b, 1)?,
                    c: matrix(g.c, 2)?,
                    accumulate: g.accumulate,
                });
            }
            "kernel.gather" | "kernel.scatter" => {
                let x = Indexed::read(ctx, op)?;
                let operands = ctx.operands(op);
                let strided = |m: &joinery_kernel::Map| rt::StridedMap {
                    offset: m.offset,
                    strides: m.strides.clone(),
                };
                let indices = x
                    .index_maps
                    .iter()
                    .enumerate()
                    .map(|(j, map)| {
                        let v = operands[1 + j];
                        Ok(IndexRef {
                            buffer: buffer(&index, op, v)?,
                            dtype: rt_dtype(ctx, v)?.0,
                            map: strided(map),
                            stride: x.index_strides[j],
                            bound: x.bounds[j],
                            dim: x.dims[j],
                        })
                    })
                    .collect::<Result<Vec<_>, Diagnostic>>()?;
                let out = *operands.last().expect("verified: src, indices, out");
                let moves = rt::Indexed {
                    src: buffer(&index, op, operands[0])?,
                    out: buffer(&index, op, out)?,
                    dtype: rt_dtype(ctx, out)?.0,
                    space: x.space.clone(),
                    src_map: strided(&x.src_map),
                    out_map: strided(&x.out_map),
                    indices,
                    wrap: x.wrap,
                    source: x.source.clone(),
                };
                steps.push(if ctx.name_str(op) == "kernel.gather" {
                    Step::Gather(moves)
                } else {
                    Step::Scatter {
                        moves,
                        accumulate: x.accumulate,
                        reduce: match x.reduce {
                            joinery_kernel::ScatterReduce::Sum => rt::ScatterReduce::Sum,
                            joinery_kernel::ScatterReduce::Prod => rt::ScatterReduce::Prod,
                            joinery_kernel::ScatterReduce::Max => rt::ScatterReduce::Max,
                            joinery_kernel::ScatterReduce::Min => rt::ScatterReduce::Min,
                        },
                    }
                });
            }
            "kernel.cumsum" | "kernel.argsort" => {
                let x = Lanes::read(ctx, op)?;
                let (src, out) = (ctx.operand(op, 0), ctx.operand(op, 1));
                let strided = |m: &joinery_kernel::Map| rt::StridedMap {
                    offset: m.offset,
                    strides: m.strides.clone(),
                };
                let lanes = rt::LaneRef {
                    src: buffer(&index, op, src)?,
                    out: buffer(&index, op, out)?,
                    dtype: rt_dtype(ctx, src)?.0,
                    space: x.space.clone(),
                    src_map: strided(&x.src_map),
                    out_map: strided(&x.out_map),
                };
                steps.push(if ctx.name_str(op) == "kernel.cumsum" {
                    Step::Cumsum(lanes)
                } else {
                    Step::Argsort {
                        lanes,
                        k: x.k,
                        descending: x.descending,
                    }
                });
            }
            "kernel.nonzero" => {
                let x = Nonzero::read(ctx, op)?;
                let src = ctx.operand(op, 0);
                steps.push(Step::Nonzero(NonzeroRef {
                    src: buffer(&index, op, src)?,
                    dtype: rt_dtype(ctx, src)?.0,
                    space: x.space,
                    src_map: rt::StridedMap {
                        offset: x.src_map.offset,
                        strides: x.src_map.strides,
                    },
                    out: buffer(&index, op, ctx.operand(op, 1))?,
                    count: buffer(&index, op, ctx.operand(op, 2))?,
                }));
            }
            // Read by the return below.
            "kernel.rows" => {}
            "kernel.fft" => {
                let x = Fft::read(ctx, op)?;
                let (src, out) = (ctx.operand(op, 0), ctx.operand(op, 1));
                let size = |v: u64| v as usize;
                let transform = match x.kind {
                    FftKind::R2c { onesided } => Transform::R2c { onesided },
                    FftKind::C2r { last_dim_size } => Transform::C2r {
                        last_dim_size: size(last_dim_size),
                    },
                    FftKind::C2c { forward } => Transform::C2c { forward },
                };
                steps.push(Step::Fft(FftRef {
                    src: buffer(&index, op, src)?,
                    out: buffer(&index, op, out)?,
                    dtype: rt_dtype(ctx, src)?.0,
                    shape: x.shape.iter().copied().map(size).collect(),
                    dims: x.dims.iter().copied().map(size).collect(),
                    norm: Norm::from_mode(x.normalization)
                        .map_err(|e| Diagnostic::error(e).with_span(ctx.span(op)))?,
                    transform,
                }));
            }
            "kernel.conv" => {
                let c = Conv::read(ctx, op)?;
                let operands = ctx.operands(op);
                let b = |i: usize| buffer(&index, op, operands[i]);
                let shape = ConvShape {
                    input: c.input,
                    weight: c.weight,
                    output: c.output,
                    stride: c.stride,
                    padding: c.padding,
                    dilation: c.dilation,
                    groups: c.groups,
                };
                let nw: u64 = shape.weight.iter().product();
                let (src, weights, dst, bias, bias_offset) = match (c.pass, c.bias) {
                    (ConvPass::Forward, true) => (b(0)?, b(1)?, b(3)?, Some(b(2)?), 0),
                    (ConvPass::Forward, false) => (b(0)?, b(1)?, b(2)?, None, 0),
                    (ConvPass::BackwardData, _) => (b(2)?, b(1)?, b(0)?, None, 0),
                    (ConvPass::BackwardWeights, true) => (b(0)?, b(2)?, b(1)?, Some(b(2)?), nw),
                    (ConvPass::BackwardWeights, false) => (b(0)?, b(2)?, b(1)?, None, 0),
                };
                let pass = match c.pass {
                    ConvPass::Forward => RtConvPass::Forward,
                    ConvPass::BackwardData => RtConvPass::BackwardData,
                    ConvPass::BackwardWeights => RtConvPass::BackwardWeights,
                };
                let step = ConvRef {
                    pass,
                    engine: match c.engine {
                        ConvEngine::Onednn => RtConvEngine::Onednn,
                        ConvEngine::Direct => RtConvEngine::Direct,
                    },
                    shape,
                    src,
                    weights,
                    dst,
                    bias,
                    bias_offset,
                };
                step.check().map_err(|e| {
                    Diagnostic::error(format!("'{}': {e}", c.source)).with_span(ctx.span(op))
                })?;
                steps.push(Step::Conv(step));
            }
            "func.return" => {
                let result_types = joinery_func::signature(ctx, func)
                    .map(|(_, r)| r)
                    .unwrap_or_default();
                for (j, &v) in ctx.operands(op).iter().enumerate() {
                    let desc = descs.as_ref().and_then(|d| d.results.get(j));
                    let mutates = match desc {
                        Some(Slot::Desc(AotOutput::InputMutation { mutated_input })) => {
                            descs.as_ref().and_then(|d| d.arg_slot_for(mutated_input))
                        }
                        _ => None,
                    };
                    // A number result (`i64`) is a rank-0 buffer like a 0-d tensor.
                    let v_ty = ctx.value_type(v);
                    // A value with a run-time row count: its buffer and its count's.
                    let (v, rows) = match ctx.defining_op(v) {
                        Some(d) if ctx.name_str(d) == "kernel.rows" => {
                            let count = buffer(&index, d, ctx.operand(d, 1))?;
                            (ctx.operand(d, 0), Some(count))
                        }
                        _ => (v, None),
                    };
                    let tensor = if ctx.is_tensor(v_ty) || ctx.dtype_of(v_ty).is_some() {
                        // The runtime hands back the buffer it made for result j, so that
                        // is the buffer the function must return there.
                        let alloc = ctx.defining_op(v).filter(|&d| {
                            ctx.name_str(d) == "kernel.alloc"
                                && Alloc::read(ctx, d).ok() == Some(Alloc::Output(j))
                        });
                        if alloc.is_none() {
                            return Err(Diagnostic::error(format!(
                                "result #{j} of an L3 function must be the buffer of `kernel.alloc {{output = {j}}}`"
                            ))
                            .with_span(ctx.span(op)));
                        }
                        // The buffer's type: the signature's, or its upper bound when the
                        // leading extent is counted at run time.
                        let ty = match rows {
                            Some(_) => ctx.value_type(v),
                            None => result_types.get(j).copied().unwrap_or(ctx.value_type(v)),
                        };
                        let (dtype, shape) = signature_type(ctx, ty)?;
                        if let Some(i) = mutates
                            && inputs
                                .get(i)
                                .is_none_or(|a: &ArgSpec| a.dtype != dtype || a.shape != shape)
                        {
                            return Err(Diagnostic::error(format!(
                                "result #{j} is the new value of argument #{i}, but their types differ"
                            ))
                            .with_span(ctx.span(op)));
                        }
                        Some(ResultTensor {
                            dtype,
                            shape,
                            buffer: buffer(&index, op, v)?,
                            rows,
                        })
                    } else {
                        None
                    };
                    outputs.push(ResultSpec {
                        desc: desc
                            .and_then(|s| s.desc())
                            .map(|d| d.expr())
                            .unwrap_or_default(),
                        tensor,
                        mutates,
                    });
                }
            }
            // The value of `none` results.
            "aot.none" => {}
            other => {
                return Err(Diagnostic::error(format!(
                    "the native backend cannot run '{other}' in an L3 function (kernel.alloc, kernel.fill, kernel.fused, kernel.gemm, kernel.gather, kernel.scatter, kernel.cumsum, kernel.argsort, kernel.fft, kernel.conv, kernel.nonzero, kernel.rows and func.return only)"
                ))
                .with_span(ctx.span(op)));
            }
        }
    }
    let rng = match ctx.attr(func, RNG_STREAMS_ATTR) {
        None => None,
        Some(a) => {
            let streams = ctx
                .as_i64(a)
                .and_then(|v| u64::try_from(v).ok())
                .ok_or_else(|| {
                    Diagnostic::error(format!(
                        "'{RNG_STREAMS_ATTR}' must be a non-negative integer"
                    ))
                    .with_span(ctx.span(func))
                })?;
            Some(RngSpec { streams })
        }
    };
    let plan = Plan {
        name: ctx.symbol_name(func).unwrap_or("fn").to_string(),
        inputs,
        outputs,
        buffers,
        arena_bytes,
        kernels,
        steps,
        rng,
    };
    // What the runtime relies on (the random state's arguments among it).
    plan.check()
        .map_err(|e| Diagnostic::error(e).with_span(ctx.span(func)))?;
    Ok(plan)
}
