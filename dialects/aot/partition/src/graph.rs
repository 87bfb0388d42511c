//! The joint function as the partitioner sees it: PyTorch's FX node graph rebuilt from the
//! IR. Every argument and every op is a node, in joint order; an op with several results is
//! a tuple node followed by one item node per result (PyTorch's `getitem`), so that saving
//! and recomputing work per tensor as in PyTorch.
//!
//! Arguments are classified by descriptor, never by name: a tangent (or a subclass piece of
//! one), a backward RNG input or backward token belongs to the backward; the forward RNG
//! inputs are forward-only; everything else is a primal. Results are split the same way:
//! gradient slots, backward tokens and the updated backward RNG offset form the backward
//! group, which must follow the forward group.
//!
//! A metadata-only op (`zeros_like(x)`) with a static result type has no data edge from its
//! operand: sizes live in the type, so "saving sizes instead of the tensor" (PyTorch's rule
//! for tensors whose backward users read only their sizes) costs nothing here, and the op is
//! rebuilt from its type where its operand is not available.

use crate::ops::{self, OpClass};
use joinery_aot::{AotInput, AotOutput, FuncDescriptors, Slot};
use joinery_ir::{Context, Diagnostic, OpId, Span, Type, TypeData, Value};
use rustc_hash::FxHashMap;

/// The index of a node in [`JointGraph::nodes`].
pub(crate) type NodeId = u32;

/// The extent assumed for a dynamic (`?`) dimension when estimating sizes, as PyTorch's
/// size-hint fallback.
pub(crate) const DYNAMIC_DIM_HINT: u64 = 4096;

/// What a node stands for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NodeKind {
    /// Argument `index` of the joint.
    Arg(usize),
    /// An op with one result.
    Op(OpId),
    /// An op with several results, as a whole (PyTorch's tuple node; never saved).
    Tuple(OpId),
    /// Result `index` of a multi-result op (PyTorch's `getitem`).
    Item(OpId, usize),
}

/// The role of a joint argument, from its descriptor.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ArgRole {
    /// A forward input: parameter, buffer, user input, forward token, ...
    Primal,
    /// Functionalized forward RNG state (`#aot.philox_fwd_*`).
    ForwardRng,
    /// A tangent.
    Tangent,
    /// Backward RNG state or a backward effect token.
    BackwardInput,
}

/// One node of the joint graph.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    /// The value the node defines (`None` for tuple nodes).
    pub value: Option<Value>,
    /// Producers of its data operands (deduplicated, in operand order).
    pub inputs: Vec<NodeId>,
    /// Consumers (deduplicated, in joint order).
    pub users: Vec<NodeId>,
    /// Size of its value in bytes (all results for a tuple node).
    pub bytes: u64,
    /// Whether its value is a tensor (a tuple or `none` value cannot be saved).
    pub is_tensor: bool,
    /// The op's class (empty for arguments and items).
    pub class: OpClass,
}

/// The joint function as a node graph, with its descriptors and PyTorch's node classes.
pub(crate) struct JointGraph {
    pub name: String,
    /// Where the joint function was written, for diagnostics.
    pub span: Option<Span>,
    pub nodes: Vec<Node>,
    pub arg_roles: Vec<ArgRole>,
    /// The result descriptors, by result index.
    pub result_descs: Vec<AotOutput>,
    /// The node returned in each result.
    pub outputs: Vec<NodeId>,
    /// How many leading results form the forward group.
    pub num_fwd_outputs: usize,
    /// Nodes of the forward-only graph: every primal and forward RNG input, and every node
    /// the forward outputs need (PyTorch's `required_fw_nodes`).
    pub required_fw: Vec<bool>,
    /// Tangents, backward inputs, everything downstream of them, and the backward outputs.
    pub required_bw: Vec<bool>,
    /// Nodes downstream of a tangent or backward input.
    pub tangent_dependent: Vec<bool>,
}

impl JointGraph {
    /// Reads a joint `func.func`; the error says why it cannot be partitioned.
    pub fn build(ctx: &Context, func: OpId) -> Result<JointGraph, Diagnostic> {
        let name = ctx.symbol_name(func).unwrap_or("<anonymous>").to_string();
        let span = ctx.span(func);
        let fail = |msg: String| Err(Diagnostic::error(msg).with_span(span));
        let Some(descs) = FuncDescriptors::read(ctx, func) else {
            return fail(format!(
                "cannot partition '@{name}': it has no function type"
            ));
        };
        if !descs.has_any() {
            return fail(format!(
                "cannot partition '@{name}': it has no descriptors; aot-partition needs an L1 \
                 joint function with an 'aot.desc' on every argument and result"
            ));
        }
        let mut arg_descs = Vec::new();
        for (i, slot) in descs.args.iter().enumerate() {
            match slot {
                Slot::Desc(d) => arg_descs.push(d.clone()),
                _ => {
                    return fail(format!(
                        "cannot partition '@{name}': argument {i} has no valid descriptor"
                    ));
                }
            }
        }
        let mut result_descs = Vec::new();
        for (i, slot) in descs.results.iter().enumerate() {
            match slot {
                Slot::Desc(d) => result_descs.push(d.clone()),
                _ => {
                    return fail(format!(
                        "cannot partition '@{name}': result {i} has no valid descriptor"
                    ));
                }
            }
        }
        if let Some((i, d)) = (result_descs.iter().enumerate()).find(|(_, d)| {
            matches!(
                d,
                AotOutput::SavedForBackwards { .. } | AotOutput::SavedForBackwardsNoVcCheck { .. }
            )
        }) {
            return fail(format!(
                "cannot partition '@{name}': result {i} ({d}) is a value saved for the backward, \
                 so this is already a partitioned forward function; aot-partition takes an L1 \
                 joint"
            ));
        }
        if let Some(op) = first_in_place_op(ctx, func) {
            return Err(Diagnostic::error(format!(
                "cannot partition '@{name}': '{}' writes its operand in place; aot-partition \
                 takes a functional L1 joint (run aot-functionalize first)",
                ctx.name_str(op)
            ))
            .with_span(ctx.span(op)));
        }
        let arg_roles: Vec<ArgRole> = arg_descs.iter().map(arg_role).collect();
        let in_backward: Vec<bool> = result_descs.iter().map(is_backward_output).collect();
        let num_fwd_outputs = in_backward.iter().take_while(|b| !**b).count();
        if let Some(i) = in_backward[num_fwd_outputs..].iter().position(|b| !*b) {
            let i = num_fwd_outputs + i;
            return fail(format!(
                "cannot partition '@{name}': result {i} ({}) is a forward output after the \
                 backward group starts at result {num_fwd_outputs}; a joint returns its forward \
                 outputs first",
                result_descs[i]
            ));
        }
        let Some(body) = ctx.body_block(func) else {
            return fail(format!("cannot partition '@{name}': it has no body"));
        };
        if ctx
            .regions(func)
            .iter()
            .any(|&r| ctx.region_blocks(r).len() != 1)
        {
            return fail(format!(
                "cannot partition '@{name}': its body must be a single block"
            ));
        }
        let terminator = ctx
            .last_op(body)
            .filter(|&t| ctx.name_str(t) == "func.return");
        let Some(terminator) = terminator else {
            return fail(format!(
                "cannot partition '@{name}': its body does not end with 'func.return'"
            ));
        };

        let mut g = JointGraph {
            name,
            span,
            nodes: Vec::new(),
            arg_roles,
            result_descs,
            outputs: Vec::new(),
            num_fwd_outputs,
            required_fw: Vec::new(),
            required_bw: Vec::new(),
            tangent_dependent: Vec::new(),
        };
        let args = ctx.block_args(body);
        let mut value_node: FxHashMap<Value, NodeId> = FxHashMap::with_capacity_and_hasher(
            args.len() + 2 * ctx.block_ops(body).count(),
            Default::default(),
        );
        g.nodes.reserve(value_node.capacity());
        for (i, &arg) in args.iter().enumerate() {
            value_node.insert(arg, g.nodes.len() as NodeId);
            g.nodes.push(value_node_data(
                ctx,
                NodeKind::Arg(i),
                arg,
                OpClass::default(),
            ));
        }
        for op in ctx.block_ops(body) {
            if op == terminator {
                break;
            }
            let class = ops::classify(ctx, op);
            let metadata_only = class.has(OpClass::METADATA_ONLY)
                && ctx
                    .results(op)
                    .iter()
                    .all(|&r| has_static_shape(ctx, ctx.value_type(r)));
            let mut inputs: Vec<NodeId> = Vec::with_capacity(ctx.operands(op).len());
            if !metadata_only {
                for &v in ctx.operands(op) {
                    let Some(&n) = value_node.get(&v) else {
                        return Err(Diagnostic::error(format!(
                            "cannot partition '@{}': an operand of '{}' is defined outside the \
                             function body",
                            g.name,
                            ctx.name_str(op)
                        ))
                        .with_span(ctx.span(op)));
                    };
                    if !inputs.contains(&n) {
                        inputs.push(n);
                    }
                }
            }
            if !ctx.regions(op).is_empty() {
                return Err(Diagnostic::error(format!(
                    "cannot partition '@{}': '{}' has regions, which the partitioner does not \
                     look into",
                    g.name,
                    ctx.name_str(op)
                ))
                .with_span(ctx.span(op)));
            }
            match ctx.results(op) {
                [] => {
                    return Err(Diagnostic::error(format!(
                        "cannot partition '@{}': '{}' has no results, so neither side could \
                         keep it",
                        g.name,
                        ctx.name_str(op)
                    ))
                    .with_span(ctx.span(op)));
                }
                [r] => {
                    value_node.insert(*r, g.nodes.len() as NodeId);
                    let mut node = value_node_data(ctx, NodeKind::Op(op), *r, class);
                    node.inputs = inputs;
                    g.nodes.push(node);
                }
                results => {
                    let tuple = g.nodes.len() as NodeId;
                    let bytes = results
                        .iter()
                        .map(|&r| tensor_bytes(ctx, ctx.value_type(r)).unwrap_or(0))
                        .sum();
                    g.nodes.push(Node {
                        kind: NodeKind::Tuple(op),
                        value: None,
                        inputs,
                        users: Vec::new(),
                        bytes,
                        is_tensor: false,
                        class,
                    });
                    for (k, &r) in results.iter().enumerate() {
                        value_node.insert(r, g.nodes.len() as NodeId);
                        let mut node =
                            value_node_data(ctx, NodeKind::Item(op, k), r, OpClass::default());
                        node.inputs = vec![tuple];
                        g.nodes.push(node);
                    }
                }
            }
        }
        for &v in ctx.operands(terminator) {
            let Some(&n) = value_node.get(&v) else {
                return fail(format!(
                    "cannot partition '@{}': it returns a value defined outside its body",
                    g.name
                ));
            };
            g.outputs.push(n);
        }
        if g.outputs.len() != g.result_descs.len() {
            return fail(format!(
                "cannot partition '@{}': it returns {} values but its type has {} results",
                g.name,
                g.outputs.len(),
                g.result_descs.len()
            ));
        }
        let mut user_count = vec![0u32; g.nodes.len()];
        for node in &g.nodes {
            for &input in &node.inputs {
                user_count[input as usize] += 1;
            }
        }
        for (node, &count) in g.nodes.iter_mut().zip(&user_count) {
            node.users.reserve_exact(count as usize);
        }
        for n in 0..g.nodes.len() {
            for k in 0..g.nodes[n].inputs.len() {
                let input = g.nodes[n].inputs[k] as usize;
                g.nodes[input].users.push(n as NodeId);
            }
        }
        g.classify()?;
        Ok(g)
    }

    /// Whether a node is a forward input (PyTorch's `node_info.inputs`: primals and forward
    /// RNG state).
    pub fn is_input(&self, n: NodeId) -> bool {
        match self.nodes[n as usize].kind {
            NodeKind::Arg(i) => matches!(self.arg_roles[i], ArgRole::Primal | ArgRole::ForwardRng),
            _ => false,
        }
    }

    /// Whether a node is an argument the backward receives from the caller (tangents,
    /// backward RNG state and tokens).
    pub fn is_backward_arg(&self, n: NodeId) -> bool {
        match self.nodes[n as usize].kind {
            NodeKind::Arg(i) => {
                matches!(self.arg_roles[i], ArgRole::Tangent | ArgRole::BackwardInput)
            }
            _ => false,
        }
    }

    /// The forward inputs, in joint order.
    pub fn inputs(&self) -> Vec<NodeId> {
        (0..self.nodes.len() as NodeId)
            .filter(|&n| self.is_input(n))
            .collect()
    }

    /// The backward arguments received from the caller, in joint order.
    pub fn backward_args(&self) -> Vec<NodeId> {
        (0..self.nodes.len() as NodeId)
            .filter(|&n| self.is_backward_arg(n))
            .collect()
    }

    /// The nodes returned in the forward group.
    pub fn fwd_outputs(&self) -> &[NodeId] {
        &self.outputs[..self.num_fwd_outputs]
    }

    /// The nodes returned in the backward group.
    pub fn bwd_outputs(&self) -> &[NodeId] {
        &self.outputs[self.num_fwd_outputs..]
    }

    /// The op of an op, tuple or item node.
    pub fn op(&self, n: NodeId) -> Option<OpId> {
        match self.nodes[n as usize].kind {
            NodeKind::Op(op) | NodeKind::Tuple(op) | NodeKind::Item(op, _) => Some(op),
            NodeKind::Arg(_) => None,
        }
    }

    fn classify(&mut self) -> Result<(), Diagnostic> {
        let n = self.nodes.len();
        let mut tangent_dependent = vec![false; n];
        let mut fw_computable = vec![false; n];
        for i in 0..n {
            let node = &self.nodes[i];
            tangent_dependent[i] = self.is_backward_arg(i as NodeId)
                || node.inputs.iter().any(|&p| tangent_dependent[p as usize]);
            fw_computable[i] = match node.kind {
                NodeKind::Arg(_) => self.is_input(i as NodeId),
                _ => node.inputs.iter().all(|&p| fw_computable[p as usize]),
            };
        }
        let mut required_fw = vec![false; n];
        for (i, required) in required_fw.iter_mut().enumerate() {
            if self.is_input(i as NodeId) {
                *required = true;
            }
        }
        let mut stack: Vec<NodeId> = Vec::new();
        for (k, &o) in self.fwd_outputs().iter().enumerate() {
            if !fw_computable[o as usize] {
                return Err(Diagnostic::error(format!(
                    "cannot partition '@{}': forward output {k} ({}) depends on a tangent or \
                     backward input",
                    self.name, self.result_descs[k]
                ))
                .with_span(self.span));
            }
            stack.push(o);
        }
        while let Some(x) = stack.pop() {
            if std::mem::replace(&mut required_fw[x as usize], true) {
                continue;
            }
            stack.extend(self.nodes[x as usize].inputs.iter().copied());
        }
        let mut required_bw = tangent_dependent.clone();
        for &o in self.bwd_outputs() {
            required_bw[o as usize] = true;
        }
        self.required_fw = required_fw;
        self.required_bw = required_bw;
        self.tangent_dependent = tangent_dependent;
        Ok(())
    }

    /// The nodes to compute, in joint order, to get `outputs` from the nodes marked
    /// `available`; `Err(node)` names a needed node that cannot be computed (an argument
    /// that is not available).
    pub fn extract(&self, available: &[bool], outputs: &[NodeId]) -> Result<Vec<NodeId>, NodeId> {
        let mut needed = vec![false; self.nodes.len()];
        let mut stack: Vec<NodeId> = outputs.to_vec();
        while let Some(x) = stack.pop() {
            let xi = x as usize;
            if available[xi] || std::mem::replace(&mut needed[xi], true) {
                continue;
            }
            if matches!(self.nodes[xi].kind, NodeKind::Arg(_)) {
                return Err(x);
            }
            stack.extend(self.nodes[xi].inputs.iter().copied());
        }
        Ok((0..self.nodes.len() as NodeId)
            .filter(|&x| needed[x as usize])
            .collect())
    }
}

fn arg_role(d: &AotInput) -> ArgRole {
    match d.root() {
        AotInput::Tangent { .. } => ArgRole::Tangent,
        AotInput::PhiloxBackwardSeed
        | AotInput::PhiloxBackwardBaseOffset
        | AotInput::BackwardToken { .. } => ArgRole::BackwardInput,
        AotInput::PhiloxForwardSeed | AotInput::PhiloxForwardBaseOffset => ArgRole::ForwardRng,
        _ => ArgRole::Primal,
    }
}

fn is_backward_output(d: &AotOutput) -> bool {
    matches!(
        d.root(),
        AotOutput::Grad { .. }
            | AotOutput::NoneGrad { .. }
            | AotOutput::BackwardToken { .. }
            | AotOutput::PhiloxUpdatedBackwardOffset
    )
}

fn value_node_data(ctx: &Context, kind: NodeKind, v: Value, class: OpClass) -> Node {
    let ty = ctx.value_type(v);
    let bytes = tensor_bytes(ctx, ty);
    Node {
        kind,
        value: Some(v),
        inputs: Vec::new(),
        users: Vec::new(),
        bytes: bytes.unwrap_or(0),
        is_tensor: bytes.is_some(),
        class,
    }
}

fn has_static_shape(ctx: &Context, ty: Type) -> bool {
    ctx.tensor_parts(ty)
        .is_some_and(|(dims, _)| dims.iter().all(|d| d.extent().is_some()))
}

/// Bytes of a tensor type (dynamic dims count as [`DYNAMIC_DIM_HINT`]); `None` for
/// anything that is not a tensor.
pub(crate) fn tensor_bytes(ctx: &Context, ty: Type) -> Option<u64> {
    let (numel, element) = match ctx.type_data(ty) {
        TypeData::RankedTensor { shape, element } => (
            shape
                .iter()
                .map(|d| d.extent().unwrap_or(DYNAMIC_DIM_HINT))
                .product::<u64>(),
            *element,
        ),
        TypeData::UnrankedTensor { element } => (DYNAMIC_DIM_HINT, *element),
        _ => return None,
    };
    let bits = match ctx.type_data(element) {
        TypeData::Integer { width } => u64::from(*width),
        TypeData::Float(kind) => u64::from(kind.bits()),
        TypeData::Index => 64,
        _ => 32,
    };
    Some(numel * bits.div_ceil(8))
}

/// The first op of `func` that writes an operand (an L0 in-place op, or any op on an
/// `!aten.ref` reference), if any.
fn first_in_place_op(ctx: &Context, func: OpId) -> Option<OpId> {
    let body = ctx.body_block(func)?;
    let is_ref = |v: &Value| joinery_aten::refs::is_ref(ctx, ctx.value_type(*v));
    if ctx.block_args(body).iter().any(is_ref) {
        return ctx.block_ops(body).next();
    }
    ctx.block_ops(body).find(|&op| {
        joinery_aten::schema(ctx.name_str(op)).is_some_and(|s| s.is_mutating())
            || ctx.operands(op).iter().chain(ctx.results(op)).any(is_ref)
    })
}
