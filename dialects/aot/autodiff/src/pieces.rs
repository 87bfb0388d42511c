//! Tensor-subclass pieces in a forward function. PyTorch differentiates a subclass value as
//! a whole, before desugaring it (descriptors.md §1): the joint gets one tangent per piece
//! of a differentiable subclass output, `#aot.subclass_attr<#aot.tangent<out>, "a">`, and
//! one gradient per piece of a subclass primal, `#aot.subclass_attr_out<#aot.grad<p>,
//! "a">`, or a single `#aot.none_grad<p>` slot when the primal gets no gradient. For a
//! kind whose dispatch applies every op to each inner tensor alone ([`SubclassGrad::PerPiece`],
//! TwoTensor) those are the gradients of the desugared graph piece by piece, which is how
//! `aot-make-joint` computes them; other kinds are refused with the reason.

use joinery_aot::{AotInput, AotOutput};
use joinery_ir::{Context, Diagnostic, OpId, Value};
use joinery_subclass::{KINDS, SubclassGrad, kind_with_attrs};
use rustc_hash::FxHashMap;

/// The slots (arguments or results) of a forward function that hold one value of the user's
/// call: a plain slot, or the pieces of one desugared subclass value.
#[derive(Clone, Debug)]
pub(crate) struct Group<D> {
    /// The descriptor of the value (under every subclass-piece wrapper).
    pub root: D,
    /// Each slot of the value: its index and its attribute path (empty for a plain slot).
    pub members: Vec<(usize, Vec<String>)>,
}

impl<D> Group<D> {
    /// Whether the value is a desugared subclass value.
    pub fn is_subclass(&self) -> bool {
        self.members.iter().any(|(_, path)| !path.is_empty())
    }
}

/// One level of a descriptor, as [`split`] reads it.
enum Level<'a, D> {
    /// An inner tensor `attr` of the subclass value `base`.
    Attr(&'a D, &'a str),
    /// A symbolic size or stride of a subclass value.
    Symbolic,
    /// A whole value.
    Whole,
}

/// The value a descriptor describes a piece of and the attribute path to the piece
/// (outermost attribute first); an error for a symbolic size or stride.
fn split<D: Clone + std::fmt::Display>(
    desc: &D,
    level: fn(&D) -> Level<'_, D>,
) -> Result<(D, Vec<String>), String> {
    let mut path = Vec::new();
    let mut d = desc;
    loop {
        match level(d) {
            Level::Attr(base, attr) => {
                path.push(attr.to_string());
                d = base;
            }
            Level::Symbolic => {
                return Err(format!(
                    "{desc} is a symbolic size or stride of a tensor-subclass value; \
                     differentiation needs static shapes"
                ));
            }
            Level::Whole => break,
        }
    }
    path.reverse();
    Ok((d.clone(), path))
}

/// [`split`] of an input descriptor.
pub(crate) fn split_input(desc: &AotInput) -> Result<(AotInput, Vec<String>), String> {
    split(desc, |d| match d {
        AotInput::SubclassAttr { base, attr } => Level::Attr(base, attr),
        AotInput::SubclassSize { .. } | AotInput::SubclassStride { .. } => Level::Symbolic,
        _ => Level::Whole,
    })
}

/// [`split`] of an output descriptor.
pub(crate) fn split_output(desc: &AotOutput) -> Result<(AotOutput, Vec<String>), String> {
    split(desc, |d| match d {
        AotOutput::SubclassAttr { base, attr } => Level::Attr(base, attr),
        AotOutput::SubclassSize { .. } | AotOutput::SubclassStride { .. } => Level::Symbolic,
        _ => Level::Whole,
    })
}

/// Gathers split slots (in slot order) into one group per value, in order of first slot.
pub(crate) fn group<D: PartialEq>(split: Vec<(D, Vec<String>)>) -> Vec<Group<D>> {
    let mut groups: Vec<Group<D>> = Vec::new();
    for (i, (root, path)) in split.into_iter().enumerate() {
        match groups.iter_mut().find(|g| g.root == root) {
            Some(g) => g.members.push((i, path)),
            None => groups.push(Group {
                root,
                members: vec![(i, path)],
            }),
        }
    }
    groups
}

/// Checks that the pieces of one value, at attribute paths `paths`, differentiate piece by
/// piece into PyTorch's joint: at every level of nesting, the attributes are those of a
/// kind of the subclass registry whose gradient is [`SubclassGrad::PerPiece`].
pub(crate) fn check_per_piece(paths: &[&[String]]) -> Result<(), String> {
    if paths.iter().all(|p| p.is_empty()) {
        return Ok(());
    }
    if paths.iter().any(|p| p.is_empty()) {
        return Err("the value is described both whole and by its pieces".to_string());
    }
    let mut attrs: Vec<&str> = Vec::new();
    for p in paths {
        if !attrs.contains(&p[0].as_str()) {
            attrs.push(&p[0]);
        }
    }
    let kind = kind_with_attrs(&attrs).ok_or_else(|| {
        format!(
            "its pieces {attrs:?} are those of no subclass kind joinery knows (TwoTensor's \
             are [\"a\", \"b\"]), so how PyTorch differentiates it is unknown"
        )
    })?;
    if let SubclassGrad::NotPerPiece(why) = kind.grad {
        return Err(format!(
            "it is a {} (pieces {attrs:?}), whose gradients the desugared graph does not \
             give: {why}",
            kind.python
        ));
    }
    for attr in attrs {
        let inner: Vec<&[String]> = paths
            .iter()
            .filter(|p| p[0] == attr)
            .map(|p| &p[1..])
            .collect();
        check_per_piece(&inner)?;
    }
    Ok(())
}

/// A sort key putting attribute paths in `__tensor_flatten__` order: each attribute's
/// position among its kind's attributes, level by level.
pub(crate) fn flatten_key(path: &[String]) -> Vec<usize> {
    let rank = |attr: &String| {
        KINDS
            .iter()
            .find_map(|k| k.attrs.iter().position(|a| a == attr))
            .unwrap_or(usize::MAX)
    };
    path.iter().map(rank).collect()
}

/// The lanes of a forward function with subclass pieces. A kind whose gradient is per piece
/// runs every op once per piece (TwoTensor: once on the `a`s, once on the `b`s, plain operands
/// shared), so each value of the desugared graph belongs to the piece it is computed from,
/// its lane (an attribute path), or to none (a plain value). PyTorch's backward runs on
/// subclass tangents: a plain value used by ops of several lanes gets a gradient of the
/// subclass kind, one piece per lane, so the reverse sweep keeps a gradient per lane.
#[derive(Debug, Default)]
pub(crate) struct Lanes {
    /// The attribute path of each lane; lane 0 is the plain one (the empty path).
    paths: Vec<Vec<String>>,
    /// The lane of every value that has one (the others are plain).
    of: FxHashMap<Value, usize>,
}

/// The plain lane.
pub(crate) const PLAIN: usize = 0;

impl Lanes {
    /// The lane of attribute path `path` (the plain lane for the empty path).
    pub fn intern(&mut self, path: &[String]) -> usize {
        if self.paths.is_empty() {
            self.paths.push(Vec::new());
        }
        match self.paths.iter().position(|p| p == path) {
            Some(k) => k,
            None => {
                self.paths.push(path.to_vec());
                self.paths.len() - 1
            }
        }
    }

    /// The attribute path of `lane`.
    pub fn path(&self, lane: usize) -> &[String] {
        self.paths.get(lane).map_or(&[], Vec::as_slice)
    }

    /// The lane of value `v`.
    pub fn of(&self, v: Value) -> usize {
        self.of.get(&v).copied().unwrap_or(PLAIN)
    }

    /// The lanes of `func`'s values: each piece argument in the lane of its path, each op's
    /// results in the lane of its operands. An op whose operands belong to two lanes is an
    /// error at the op: the graph is not one a per-piece dispatch makes.
    pub fn infer(
        ctx: &Context,
        primals: &[Group<AotInput>],
        args: &[Value],
        ops: &[OpId],
    ) -> Result<Lanes, Vec<Diagnostic>> {
        let mut lanes = Lanes::default();
        for g in primals {
            for (i, path) in &g.members {
                let lane = lanes.intern(path);
                if lane != PLAIN {
                    lanes.of.insert(args[*i], lane);
                }
            }
        }
        let mut errors = Vec::new();
        for &op in ops {
            let mut lane = PLAIN;
            for &v in ctx.operands(op) {
                let l = lanes.of(v);
                if l != PLAIN && lane != PLAIN && l != lane {
                    errors.push(
                        Diagnostic::error(format!(
                            "aot-make-joint: '{}' combines pieces {:?} and {:?} of subclass \
                             values, which a per-piece dispatch never does",
                            ctx.name_str(op),
                            lanes.path(lane),
                            lanes.path(l)
                        ))
                        .with_span(ctx.span(op)),
                    );
                }
                if l != PLAIN {
                    lane = l;
                }
            }
            if lane != PLAIN {
                for &r in ctx.results(op) {
                    lanes.of.insert(r, lane);
                }
            }
        }
        if errors.is_empty() {
            Ok(lanes)
        } else {
            Err(errors)
        }
    }
}
