//! Tensor-subclass pieces in a forward function. PyTorch differentiates a subclass value as
//! a whole, before desugaring it (descriptors.md §1): the joint gets one tangent per piece
//! of a differentiable subclass output, `#aot.subclass_attr<#aot.tangent<out>, "a">`, and
//! one gradient per piece of a subclass primal, `#aot.subclass_attr_out<#aot.grad<p>,
//! "a">`, or a single `#aot.none_grad<p>` slot when the primal gets no gradient. For a
//! kind whose dispatch applies every op to each inner tensor alone ([`SubclassGrad::PerPiece`],
//! TwoTensor) those are the gradients of the desugared graph piece by piece, which is how
//! `aot-make-joint` computes them; other kinds are refused with the reason.

use joinery_aot::{AotInput, AotOutput};
use joinery_subclass::{SubclassGrad, kind_with_attrs};

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
