//! Descriptors as Rust values: [`AotInput`] and [`AotOutput`] mirror PyTorch's `AOTInput` /
//! `AOTOutput` class trees (`torch/_functorch/_aot_autograd/descriptors.py`), with structural
//! equality and hashing, PyTorch's `repr` as [`Display`](std::fmt::Display) and its access
//! paths as `expr()`. They convert from and to `#aot.*` attributes; decoding checks the
//! nesting order of the pipeline (a later stage wraps an earlier one, never the reverse).
//!
//! Every descriptor class is one attribute name ([`DescKind`]); classes that exist on both
//! sides under one PyTorch stem get an `_out` suffix on the output side
//! (`#aot.subclass_attr` on arguments, `#aot.subclass_attr_out` on results), so an attribute
//! alone tells its direction. The PyTorch `None` descriptor of a gradient slot that has no
//! gradient is `#aot.none_grad<primal>` on a result of builtin type `none`.

use joinery_ir::{AttrData, AttrParam, Attribute, Context};
use std::fmt;

/// Which side of a graph a descriptor describes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Direction {
    /// An `AOTInput`: describes a graph argument.
    Input,
    /// An `AOTOutput`: describes a graph result.
    Output,
}

/// The pipeline stage that creates a descriptor (descriptors.md §1). A wrapper may only
/// wrap descriptors of earlier stages (subclass pieces may also wrap subclass pieces).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Stage {
    /// 1: the original flat call (params, buffers, plain inputs and outputs, fillers).
    Original = 1,
    /// 2: aliasing and mutation handling (view/synthetic bases, mutation outputs).
    Aliasing = 2,
    /// 3: autograd (tangents and gradients).
    Autograd = 3,
    /// 4: subclass desugaring.
    Subclass = 4,
    /// 5: synthetic slots (effect tokens, functionalized RNG state, lifted opaque objects).
    Synthetic = 5,
    /// After partitioning: saved-for-backward outputs of a forward graph.
    Partition = 6,
}

/// How a descriptor's parameters are written; used for decoding and for messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    /// No parameters: `#aot.philox_fwd_seed`.
    Unit,
    /// One string: `#aot.param<"fc1.weight">`.
    Str,
    /// One bare non-negative integer: `#aot.plain<0>`.
    Idx,
    /// One input descriptor: `#aot.grad<#aot.param<"w">>`.
    In,
    /// One output descriptor: `#aot.tangent<#aot.plain_out<0>>`.
    Out,
    /// An input descriptor and a string: `#aot.subclass_attr<#aot.plain<2>, "a">`.
    InStr,
    /// An input descriptor and an integer: `#aot.subclass_size<#aot.plain<2>, 0>`.
    InIdx,
    /// An output descriptor and a string.
    OutStr,
    /// An output descriptor and an integer.
    OutIdx,
}

macro_rules! desc_kinds {
    ($($kind:ident = $name:literal, $class:literal, $dir:ident, $stage:ident, $diff:literal,
       $shape:ident, $syntax:literal, $summary:literal;)*) => {
        /// Every descriptor attribute of the aot dialect: one per PyTorch descriptor class,
        /// plus `none_grad` for PyTorch's `None` gradient slots.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum DescKind { $($kind,)* }

        impl DescKind {
            /// All kinds, in declaration order.
            pub const ALL: &'static [DescKind] = &[$(DescKind::$kind,)*];

            /// The attribute name after `#aot.` (`param`, `grad`, ...).
            pub fn attr_name(self) -> &'static str {
                match self { $(DescKind::$kind => $name,)* }
            }

            /// PyTorch's class name (`ParamAOTInput`); `None` for `none_grad`.
            pub fn class_name(self) -> &'static str {
                match self { $(DescKind::$kind => $class,)* }
            }

            /// Whether it describes an argument or a result.
            pub fn direction(self) -> Direction {
                match self { $(DescKind::$kind => Direction::$dir,)* }
            }

            /// The pipeline stage that creates it.
            pub fn stage(self) -> Stage {
                match self { $(DescKind::$kind => Stage::$stage,)* }
            }

            /// Whether PyTorch marks the class `DifferentiableAOTInput` / `DifferentiableAOTOutput`.
            pub fn is_differentiable(self) -> bool {
                match self { $(DescKind::$kind => $diff,)* }
            }

            /// How the attribute is written, e.g. `#aot.subclass_attr<base, "attr">`.
            pub fn syntax(self) -> &'static str {
                match self { $(DescKind::$kind => $syntax,)* }
            }

            /// One-line summary of the descriptor.
            pub fn summary(self) -> &'static str {
                match self { $(DescKind::$kind => $summary,)* }
            }

            fn shape(self) -> Shape {
                match self { $(DescKind::$kind => Shape::$shape,)* }
            }
        }

        /// The attribute declarations of the aot dialect, one per [`DescKind`].
        pub(crate) static ATTR_DEFS: &[joinery_ir::AttrDef] = &[$(joinery_ir::AttrDef {
            name: $name,
            summary: $summary,
            verify: verify_params::<{ DescKind::$kind as usize }>,
        },)*];
    };
}

desc_kinds! {
    Param = "param", "ParamAOTInput", Input, Original, true, Str,
        "#aot.param<\"target\">", "A lifted parameter, by fully qualified name";
    Buffer = "buffer", "BufferAOTInput", Input, Original, true, Str,
        "#aot.buffer<\"target\">", "A lifted buffer, by fully qualified name";
    Plain = "plain", "PlainAOTInput", Input, Original, true, Idx,
        "#aot.plain<idx>", "Position in the flattened user (args, kwargs), after params and buffers";
    Dummy = "dummy", "DummyAOTInput", Input, Original, false, Idx,
        "#aot.dummy<idx>", "Filler input for code paths that ignore descriptors";
    ViewBase = "view_base", "ViewBaseAOTInput", Input, Aliasing, true, In,
        "#aot.view_base<base_of>", "The real ._base replacing aliased differentiable inputs";
    SyntheticBase = "synthetic_base", "SyntheticBaseAOTInput", Input, Aliasing, true, In,
        "#aot.synthetic_base<base_of>", "A synthetic base over the storage shared by aliased inputs";
    Tangent = "tangent", "TangentAOTInput", Input, Autograd, true, Out,
        "#aot.tangent<output>", "The cotangent of a differentiable output";
    SubclassAttr = "subclass_attr", "SubclassGetAttrAOTInput", Input, Subclass, false, InStr,
        "#aot.subclass_attr<base, \"attr\">", "An inner tensor of a tensor-subclass input";
    SubclassSize = "subclass_size", "SubclassSizeAOTInput", Input, Subclass, false, InIdx,
        "#aot.subclass_size<base, idx>", "A symbolic outer size of a tensor-subclass input";
    SubclassStride = "subclass_stride", "SubclassStrideAOTInput", Input, Subclass, false, InIdx,
        "#aot.subclass_stride<base, idx>", "A symbolic outer stride of a tensor-subclass input";
    ForwardToken = "forward_token", "ForwardTokenAOTInput", Input, Synthetic, false, Idx,
        "#aot.forward_token<idx>", "An effect token threaded through side-effecting forward ops";
    BackwardToken = "backward_token", "BackwardTokenAOTInput", Input, Synthetic, false, Idx,
        "#aot.backward_token<idx>", "An effect token threaded through side-effecting backward ops";
    PhiloxForwardSeed = "philox_fwd_seed", "PhiloxForwardSeedAOTInput", Input, Synthetic, false,
        Unit, "#aot.philox_fwd_seed", "The seed of functionalized Philox RNG in the forward";
    PhiloxForwardBaseOffset = "philox_fwd_base_offset", "PhiloxForwardBaseOffsetAOTInput", Input,
        Synthetic, false, Unit, "#aot.philox_fwd_base_offset",
        "The base offset of functionalized Philox RNG in the forward";
    PhiloxBackwardSeed = "philox_bwd_seed", "PhiloxBackwardSeedAOTInput", Input, Synthetic, false,
        Unit, "#aot.philox_bwd_seed", "The seed of functionalized Philox RNG in the backward";
    PhiloxBackwardBaseOffset = "philox_bwd_base_offset", "PhiloxBackwardBaseOffsetAOTInput", Input,
        Synthetic, false, Unit, "#aot.philox_bwd_base_offset",
        "The base offset of functionalized Philox RNG in the backward";
    OpaqueRef = "opaque_ref", "OpaqueRefAOTInput", Input, Synthetic, false, Idx,
        "#aot.opaque_ref<idx>", "An opaque object found while tracing the backward, lifted to an input";
    PlainOut = "plain_out", "PlainAOTOutput", Output, Original, true, Idx,
        "#aot.plain_out<idx>", "Position in the flattened user return";
    InputMutation = "input_mutation", "InputMutationAOTOutput", Output, Aliasing, true, In,
        "#aot.input_mutation<mutated_input>", "The new value of a data-mutated input";
    IntermediateBase = "intermediate_base", "IntermediateBaseAOTOutput", Output, Aliasing, true,
        Out, "#aot.intermediate_base<base_of>", "The ._base of an intermediate that outputs alias";
    MetadataMutation = "metadata_mutation", "MetadataMutationAOTOutput", Output, Aliasing, true,
        Idx, "#aot.metadata_mutation<idx>", "An aliased argument whose metadata was mutated";
    Grad = "grad", "GradAOTOutput", Output, Autograd, true, In,
        "#aot.grad<grad_of>", "The gradient of a differentiable primal";
    NoneGrad = "none_grad", "None", Output, Autograd, false, In,
        "#aot.none_grad<grad_of>", "The gradient slot of a primal that gets no gradient (PyTorch's None)";
    SubclassAttrOut = "subclass_attr_out", "SubclassGetAttrAOTOutput", Output, Subclass, false,
        OutStr, "#aot.subclass_attr_out<base, \"attr\">", "An inner tensor repacked into a subclass output";
    SubclassSizeOut = "subclass_size_out", "SubclassSizeAOTOutput", Output, Subclass, false, OutIdx,
        "#aot.subclass_size_out<base, idx>", "An outer size repacked into a subclass output";
    SubclassStrideOut = "subclass_stride_out", "SubclassStrideAOTOutput", Output, Subclass, false,
        OutIdx, "#aot.subclass_stride_out<base, idx>", "An outer stride repacked into a subclass output";
    ForwardTokenOut = "forward_token_out", "ForwardTokenAOTOutput", Output, Synthetic, false, Idx,
        "#aot.forward_token_out<idx>", "A final forward effect token";
    BackwardTokenOut = "backward_token_out", "BackwardTokenAOTOutput", Output, Synthetic, false,
        Idx, "#aot.backward_token_out<idx>", "A final backward effect token";
    PhiloxUpdatedForwardOffset = "philox_updated_fwd_offset", "PhiloxUpdatedForwardOffsetAOTOutput",
        Output, Synthetic, false, Unit, "#aot.philox_updated_fwd_offset",
        "The Philox RNG offset after all forward random ops";
    PhiloxUpdatedBackwardOffset = "philox_updated_bwd_offset",
        "PhiloxUpdatedBackwardOffsetAOTOutput", Output, Synthetic, false, Unit,
        "#aot.philox_updated_bwd_offset", "The Philox RNG offset after all backward random ops";
    SavedForBackwards = "saved_for_backwards", "SavedForBackwardsAOTOutput", Output, Partition,
        false, Idx, "#aot.saved_for_backwards<idx>", "A forward value saved for the backward";
    SavedForBackwardsNoVcCheck = "saved_for_backwards_no_vc_check",
        "SavedForBackwardsNoVcCheckAOTOutput", Output, Partition, false, Idx,
        "#aot.saved_for_backwards_no_vc_check<idx>",
        "A saved value that skips the version-counter check";
    DummyOut = "dummy_out", "DummyAOTOutput", Output, Original, false, Idx,
        "#aot.dummy_out<idx>", "Filler output for code paths that ignore descriptors";
}

impl DescKind {
    /// The kind named `#aot.<name>`.
    pub fn from_attr_name(name: &str) -> Option<DescKind> {
        DescKind::ALL
            .iter()
            .copied()
            .find(|k| k.attr_name() == name)
    }

    /// The same PyTorch stem on the other side (`plain` ↔ `plain_out`), for hints.
    pub fn counterpart(self) -> Option<DescKind> {
        use DescKind::*;
        Some(match self {
            Plain => PlainOut,
            PlainOut => Plain,
            Dummy => DummyOut,
            DummyOut => Dummy,
            SubclassAttr => SubclassAttrOut,
            SubclassAttrOut => SubclassAttr,
            SubclassSize => SubclassSizeOut,
            SubclassSizeOut => SubclassSize,
            SubclassStride => SubclassStrideOut,
            SubclassStrideOut => SubclassStride,
            ForwardToken => ForwardTokenOut,
            ForwardTokenOut => ForwardToken,
            BackwardToken => BackwardTokenOut,
            BackwardTokenOut => BackwardToken,
            _ => return None,
        })
    }

    /// Whether it is a subclass piece (`SubclassGetAttr/Size/Stride*`), on either side.
    pub fn is_subclass_piece(self) -> bool {
        self.stage() == Stage::Subclass
    }
}

/// The `verify` hook of every aot attribute. It checks one level (parameters and which
/// descriptors may be nested); the IR verifier visits nested attributes itself, so each
/// problem is reported once, at the attribute it belongs to.
fn verify_params<const K: usize>(ctx: &Context, params: &[AttrParam]) -> Result<(), String> {
    let kind = DescKind::ALL[K];
    Reader { ctx, kind, params }.check_level()
}

/// An input descriptor (PyTorch's `AOTInput`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum AotInput {
    /// `#aot.param<"target">` — `ParamAOTInput`.
    Param { target: String },
    /// `#aot.buffer<"target">` — `BufferAOTInput`.
    Buffer { target: String },
    /// `#aot.plain<idx>` — `PlainAOTInput`.
    Plain { idx: usize },
    /// `#aot.dummy<idx>` — `DummyAOTInput`.
    Dummy { idx: usize },
    /// `#aot.view_base<base_of>` — `ViewBaseAOTInput`.
    ViewBase { base_of: Box<AotInput> },
    /// `#aot.synthetic_base<base_of>` — `SyntheticBaseAOTInput`.
    SyntheticBase { base_of: Box<AotInput> },
    /// `#aot.tangent<output>` — `TangentAOTInput`.
    Tangent { output: Box<AotOutput> },
    /// `#aot.subclass_attr<base, "attr">` — `SubclassGetAttrAOTInput`.
    SubclassAttr { base: Box<AotInput>, attr: String },
    /// `#aot.subclass_size<base, idx>` — `SubclassSizeAOTInput`.
    SubclassSize { base: Box<AotInput>, idx: usize },
    /// `#aot.subclass_stride<base, idx>` — `SubclassStrideAOTInput`.
    SubclassStride { base: Box<AotInput>, idx: usize },
    /// `#aot.forward_token<idx>` — `ForwardTokenAOTInput`.
    ForwardToken { idx: usize },
    /// `#aot.backward_token<idx>` — `BackwardTokenAOTInput`.
    BackwardToken { idx: usize },
    /// `#aot.philox_fwd_seed` — `PhiloxForwardSeedAOTInput`.
    PhiloxForwardSeed,
    /// `#aot.philox_fwd_base_offset` — `PhiloxForwardBaseOffsetAOTInput`.
    PhiloxForwardBaseOffset,
    /// `#aot.philox_bwd_seed` — `PhiloxBackwardSeedAOTInput`.
    PhiloxBackwardSeed,
    /// `#aot.philox_bwd_base_offset` — `PhiloxBackwardBaseOffsetAOTInput`.
    PhiloxBackwardBaseOffset,
    /// `#aot.opaque_ref<idx>` — `OpaqueRefAOTInput` (PyTorch's `ref` field is not part of
    /// equality and has no textual form, so it is not kept).
    OpaqueRef { idx: usize },
}

/// An output descriptor (PyTorch's `AOTOutput`, plus [`AotOutput::NoneGrad`] for `None`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum AotOutput {
    /// `#aot.plain_out<idx>` — `PlainAOTOutput`.
    Plain { idx: usize },
    /// `#aot.input_mutation<mutated_input>` — `InputMutationAOTOutput`.
    InputMutation { mutated_input: Box<AotInput> },
    /// `#aot.intermediate_base<base_of>` — `IntermediateBaseAOTOutput`.
    IntermediateBase { base_of: Box<AotOutput> },
    /// `#aot.metadata_mutation<idx>` — `MetadataMutationAOTOutput`.
    MetadataMutation { idx: usize },
    /// `#aot.grad<grad_of>` — `GradAOTOutput`.
    Grad { grad_of: Box<AotInput> },
    /// `#aot.none_grad<grad_of>` — PyTorch's `None` in the gradient slot of `grad_of`, on a
    /// result of type `none`.
    NoneGrad { grad_of: Box<AotInput> },
    /// `#aot.subclass_attr_out<base, "attr">` — `SubclassGetAttrAOTOutput`.
    SubclassAttr { base: Box<AotOutput>, attr: String },
    /// `#aot.subclass_size_out<base, idx>` — `SubclassSizeAOTOutput`.
    SubclassSize { base: Box<AotOutput>, idx: usize },
    /// `#aot.subclass_stride_out<base, idx>` — `SubclassStrideAOTOutput`.
    SubclassStride { base: Box<AotOutput>, idx: usize },
    /// `#aot.forward_token_out<idx>` — `ForwardTokenAOTOutput`.
    ForwardToken { idx: usize },
    /// `#aot.backward_token_out<idx>` — `BackwardTokenAOTOutput`.
    BackwardToken { idx: usize },
    /// `#aot.philox_updated_fwd_offset` — `PhiloxUpdatedForwardOffsetAOTOutput`.
    PhiloxUpdatedForwardOffset,
    /// `#aot.philox_updated_bwd_offset` — `PhiloxUpdatedBackwardOffsetAOTOutput`.
    PhiloxUpdatedBackwardOffset,
    /// `#aot.saved_for_backwards<idx>` — `SavedForBackwardsAOTOutput`.
    SavedForBackwards { idx: usize },
    /// `#aot.saved_for_backwards_no_vc_check<idx>` — `SavedForBackwardsNoVcCheckAOTOutput`.
    SavedForBackwardsNoVcCheck { idx: usize },
    /// `#aot.dummy_out<idx>` — `DummyAOTOutput`.
    Dummy { idx: usize },
}

/// A descriptor of either direction, as decoded from an attribute.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Descriptor {
    /// Describes an argument.
    Input(AotInput),
    /// Describes a result.
    Output(AotOutput),
}

impl Descriptor {
    /// Decodes any `#aot.*` descriptor attribute, checking parameters and nesting.
    pub fn from_attr(ctx: &Context, attr: Attribute) -> Result<Descriptor, String> {
        let Some((kind, params)) = kind_of(ctx, attr) else {
            return Err("expected an #aot descriptor attribute".to_string());
        };
        decode_kind(ctx, kind, params)
    }

    /// The descriptor's kind.
    pub fn kind(&self) -> DescKind {
        match self {
            Descriptor::Input(d) => d.kind(),
            Descriptor::Output(d) => d.kind(),
        }
    }
}

/// The kind and parameters of an `#aot.<name><...>` attribute with a known name.
pub fn kind_of(ctx: &Context, attr: Attribute) -> Option<(DescKind, &[AttrParam])> {
    match ctx.attr_data(attr) {
        AttrData::Dialect {
            dialect,
            name,
            params,
        } if dialect == "aot" => Some((DescKind::from_attr_name(name)?, params)),
        _ => None,
    }
}

/// Reads the parameters of one descriptor attribute.
struct Reader<'a> {
    ctx: &'a Context,
    kind: DescKind,
    params: &'a [AttrParam],
}

impl Reader<'_> {
    fn arity(&self, n: usize) -> Result<(), String> {
        if self.params.len() == n {
            return Ok(());
        }
        Err(format!(
            "#aot.{} takes {n} parameter{}, as in {}, but has {}",
            self.kind.attr_name(),
            if n == 1 { "" } else { "s" },
            self.kind.syntax(),
            self.params.len()
        ))
    }

    fn string(&self, i: usize) -> Result<String, String> {
        match &self.params[i] {
            AttrParam::Attr(a) => self.ctx.as_str(*a).map(str::to_string),
            _ => None,
        }
        .ok_or_else(|| {
            format!(
                "parameter {} of #aot.{} must be a string, as in {}",
                i + 1,
                self.kind.attr_name(),
                self.kind.syntax()
            )
        })
    }

    fn idx(&self, i: usize) -> Result<usize, String> {
        match &self.params[i] {
            AttrParam::Int(v) if *v >= 0 => Ok(*v as usize),
            _ => Err(format!(
                "parameter {} of #aot.{} must be a bare non-negative integer, as in {}",
                i + 1,
                self.kind.attr_name(),
                self.kind.syntax()
            )),
        }
    }

    /// The kind and parameters of the nested descriptor at `i`, which must describe `dir`
    /// and may be wrapped by `self.kind` (its own parameters are not checked here).
    fn child(&self, i: usize, dir: Direction) -> Result<(DescKind, &[AttrParam]), String> {
        let AttrParam::Attr(a) = &self.params[i] else {
            return Err(self.expected_nested(i, dir));
        };
        let Some((kind, params)) = kind_of(self.ctx, *a) else {
            return Err(self.expected_nested(i, dir));
        };
        if kind.direction() != dir {
            return Err(format!(
                "#aot.{} wraps {}, but #aot.{} is {}",
                self.kind.attr_name(),
                direction_noun(dir),
                kind.attr_name(),
                direction_noun(kind.direction())
            ));
        }
        self.check_nesting(kind)?;
        Ok((kind, params))
    }

    /// Checks this level only: arity, parameter kinds and what the children may be.
    fn check_level(&self) -> Result<(), String> {
        use Direction::{Input as I, Output as O};
        match self.kind.shape() {
            Shape::Unit => self.arity(0),
            Shape::Str => self.arity(1).and_then(|_| self.string(0).map(drop)),
            Shape::Idx => self.arity(1).and_then(|_| self.idx(0).map(drop)),
            Shape::In => self.arity(1).and_then(|_| self.child(0, I).map(drop)),
            Shape::Out => self.arity(1).and_then(|_| self.child(0, O).map(drop)),
            Shape::InStr | Shape::OutStr | Shape::InIdx | Shape::OutIdx => {
                self.arity(2)?;
                let dir = match self.kind.shape() {
                    Shape::InStr | Shape::InIdx => I,
                    _ => O,
                };
                let (mut kind, mut params) = self.child(0, dir)?;
                if matches!(self.kind.shape(), Shape::InStr | Shape::OutStr) {
                    self.string(1)?;
                } else {
                    self.idx(1)?;
                }
                // Sizes and strides never describe a tangent (through any subclass nesting).
                while kind.is_subclass_piece() {
                    let Some((k, p)) = params.first().and_then(|p| match p {
                        AttrParam::Attr(a) => kind_of(self.ctx, *a),
                        _ => None,
                    }) else {
                        return Ok(());
                    };
                    (kind, params) = (k, p);
                }
                if kind == DescKind::Tangent
                    && matches!(self.kind, DescKind::SubclassSize | DescKind::SubclassStride)
                {
                    return Err(format!(
                        "#aot.{} of a tangent: subclass tangents expand to inner tensors only, \
                         without sizes or strides",
                        self.kind.attr_name()
                    ));
                }
                Ok(())
            }
        }
    }

    fn input(&self, i: usize) -> Result<Box<AotInput>, String> {
        let (kind, params) = self.child(i, Direction::Input)?;
        match decode_kind(self.ctx, kind, params)? {
            Descriptor::Input(d) => Ok(Box::new(d)),
            Descriptor::Output(_) => Err(self.expected_nested(i, Direction::Input)),
        }
    }

    fn output(&self, i: usize) -> Result<Box<AotOutput>, String> {
        let (kind, params) = self.child(i, Direction::Output)?;
        match decode_kind(self.ctx, kind, params)? {
            Descriptor::Output(d) => Ok(Box::new(d)),
            Descriptor::Input(_) => Err(self.expected_nested(i, Direction::Output)),
        }
    }

    fn expected_nested(&self, i: usize, dir: Direction) -> String {
        format!(
            "parameter {} of #aot.{} must be {}, as in {}",
            i + 1,
            self.kind.attr_name(),
            direction_noun(dir),
            self.kind.syntax()
        )
    }

    /// The §1 nesting rules: which child kinds `self.kind` may wrap.
    fn check_nesting(&self, child: DescKind) -> Result<(), String> {
        use DescKind::*;
        let parent = self.kind.attr_name();
        let c = child.attr_name();
        match self.kind {
            Grad | NoneGrad | Tangent if child.is_subclass_piece() => Err(format!(
                "#aot.{parent} cannot wrap subclass piece #aot.{c}: autograd runs on the subclass \
                 before it is desugared, so the piece wraps the {} instead",
                if self.kind == Tangent {
                    "tangent"
                } else {
                    "gradient"
                }
            )),
            Grad | NoneGrad | Tangent if !child.is_differentiable() => Err(format!(
                "#aot.{parent} requires a differentiable {} descriptor, but #aot.{c} is not \
                 differentiable",
                if self.kind == Tangent {
                    "output"
                } else {
                    "input"
                }
            )),
            Grad | NoneGrad | Tangent | InputMutation if child.stage() > Stage::Aliasing => {
                Err(format!(
                    "#aot.{parent} cannot wrap #aot.{c}: descriptors nest in pipeline order, and \
                     #aot.{parent} (stage {}) wraps only descriptors of stages 1-2",
                    self.kind.stage() as u8
                ))
            }
            ViewBase | SyntheticBase | IntermediateBase if child.stage() > Stage::Original => {
                Err(format!(
                    "#aot.{parent} cannot wrap #aot.{c}: it names one slot of the original call \
                     (stage 1)"
                ))
            }
            SubclassAttrOut | SubclassSizeOut | SubclassStrideOut if child == NoneGrad => {
                Err(format!(
                    "#aot.{parent} cannot wrap #aot.none_grad: a None gradient slot has no pieces"
                ))
            }
            SubclassAttr | SubclassSize | SubclassStride | SubclassAttrOut | SubclassSizeOut
            | SubclassStrideOut
                if child.stage() > Stage::Subclass =>
            {
                Err(format!(
                    "#aot.{parent} cannot wrap #aot.{c}: subclass pieces wrap only descriptors of \
                     stages 1-4, not synthetic or partition slots"
                ))
            }
            _ => Ok(()),
        }
    }
}

fn direction_noun(dir: Direction) -> &'static str {
    match dir {
        Direction::Input => "an input descriptor",
        Direction::Output => "an output descriptor",
    }
}

/// Decodes a descriptor of a known kind from its parameters, checking every level.
fn decode_kind(ctx: &Context, kind: DescKind, params: &[AttrParam]) -> Result<Descriptor, String> {
    use DescKind as K;
    let r = Reader { ctx, kind, params };
    r.check_level()?;
    let input = |d: AotInput| Ok(Descriptor::Input(d));
    let output = |d: AotOutput| Ok(Descriptor::Output(d));
    match kind {
        K::Param => input(AotInput::Param {
            target: r.string(0)?,
        }),
        K::Buffer => input(AotInput::Buffer {
            target: r.string(0)?,
        }),
        K::Plain => input(AotInput::Plain { idx: r.idx(0)? }),
        K::Dummy => input(AotInput::Dummy { idx: r.idx(0)? }),
        K::ViewBase => input(AotInput::ViewBase {
            base_of: r.input(0)?,
        }),
        K::SyntheticBase => input(AotInput::SyntheticBase {
            base_of: r.input(0)?,
        }),
        K::Tangent => input(AotInput::Tangent {
            output: r.output(0)?,
        }),
        K::SubclassAttr => input(AotInput::SubclassAttr {
            base: r.input(0)?,
            attr: r.string(1)?,
        }),
        K::SubclassSize => input(AotInput::SubclassSize {
            base: r.input(0)?,
            idx: r.idx(1)?,
        }),
        K::SubclassStride => input(AotInput::SubclassStride {
            base: r.input(0)?,
            idx: r.idx(1)?,
        }),
        K::ForwardToken => input(AotInput::ForwardToken { idx: r.idx(0)? }),
        K::BackwardToken => input(AotInput::BackwardToken { idx: r.idx(0)? }),
        K::PhiloxForwardSeed => input(AotInput::PhiloxForwardSeed),
        K::PhiloxForwardBaseOffset => input(AotInput::PhiloxForwardBaseOffset),
        K::PhiloxBackwardSeed => input(AotInput::PhiloxBackwardSeed),
        K::PhiloxBackwardBaseOffset => input(AotInput::PhiloxBackwardBaseOffset),
        K::OpaqueRef => input(AotInput::OpaqueRef { idx: r.idx(0)? }),
        K::PlainOut => output(AotOutput::Plain { idx: r.idx(0)? }),
        K::InputMutation => output(AotOutput::InputMutation {
            mutated_input: r.input(0)?,
        }),
        K::IntermediateBase => output(AotOutput::IntermediateBase {
            base_of: r.output(0)?,
        }),
        K::MetadataMutation => output(AotOutput::MetadataMutation { idx: r.idx(0)? }),
        K::Grad => output(AotOutput::Grad {
            grad_of: r.input(0)?,
        }),
        K::NoneGrad => output(AotOutput::NoneGrad {
            grad_of: r.input(0)?,
        }),
        K::SubclassAttrOut => output(AotOutput::SubclassAttr {
            base: r.output(0)?,
            attr: r.string(1)?,
        }),
        K::SubclassSizeOut => output(AotOutput::SubclassSize {
            base: r.output(0)?,
            idx: r.idx(1)?,
        }),
        K::SubclassStrideOut => output(AotOutput::SubclassStride {
            base: r.output(0)?,
            idx: r.idx(1)?,
        }),
        K::ForwardTokenOut => output(AotOutput::ForwardToken { idx: r.idx(0)? }),
        K::BackwardTokenOut => output(AotOutput::BackwardToken { idx: r.idx(0)? }),
        K::PhiloxUpdatedForwardOffset => output(AotOutput::PhiloxUpdatedForwardOffset),
        K::PhiloxUpdatedBackwardOffset => output(AotOutput::PhiloxUpdatedBackwardOffset),
        K::SavedForBackwards => output(AotOutput::SavedForBackwards { idx: r.idx(0)? }),
        K::SavedForBackwardsNoVcCheck => {
            output(AotOutput::SavedForBackwardsNoVcCheck { idx: r.idx(0)? })
        }
        K::DummyOut => output(AotOutput::Dummy { idx: r.idx(0)? }),
    }
}

/// Builds `#aot.<kind><params>`.
fn make_attr(ctx: &mut Context, kind: DescKind, params: Vec<AttrParam>) -> Attribute {
    ctx.attr_of(AttrData::Dialect {
        dialect: "aot".to_string(),
        name: kind.attr_name().to_string(),
        params,
    })
}

fn idx_param(idx: usize) -> AttrParam {
    AttrParam::Int(idx as i64)
}

fn str_param(ctx: &mut Context, s: &str) -> AttrParam {
    AttrParam::Attr(ctx.string_attr(s))
}

/// Python's `repr` of a string: single quotes unless the text holds `'` but no `"`.
pub fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

impl AotInput {
    /// Decodes an input descriptor attribute; output descriptors are an error.
    pub fn from_attr(ctx: &Context, attr: Attribute) -> Result<AotInput, String> {
        match Descriptor::from_attr(ctx, attr)? {
            Descriptor::Input(d) => Ok(d),
            Descriptor::Output(d) => Err(format!(
                "expected an input descriptor, but #aot.{} is an output descriptor",
                d.kind().attr_name()
            )),
        }
    }

    /// Encodes the descriptor as an `#aot.*` attribute.
    pub fn to_attr(&self, ctx: &mut Context) -> Attribute {
        let params = match self {
            AotInput::Param { target } | AotInput::Buffer { target } => {
                vec![str_param(ctx, target)]
            }
            AotInput::Plain { idx }
            | AotInput::Dummy { idx }
            | AotInput::ForwardToken { idx }
            | AotInput::BackwardToken { idx }
            | AotInput::OpaqueRef { idx } => vec![idx_param(*idx)],
            AotInput::ViewBase { base_of } | AotInput::SyntheticBase { base_of } => {
                vec![AttrParam::Attr(base_of.to_attr(ctx))]
            }
            AotInput::Tangent { output } => vec![AttrParam::Attr(output.to_attr(ctx))],
            AotInput::SubclassAttr { base, attr } => {
                vec![AttrParam::Attr(base.to_attr(ctx)), str_param(ctx, attr)]
            }
            AotInput::SubclassSize { base, idx } | AotInput::SubclassStride { base, idx } => {
                vec![AttrParam::Attr(base.to_attr(ctx)), idx_param(*idx)]
            }
            AotInput::PhiloxForwardSeed
            | AotInput::PhiloxForwardBaseOffset
            | AotInput::PhiloxBackwardSeed
            | AotInput::PhiloxBackwardBaseOffset => Vec::new(),
        };
        make_attr(ctx, self.kind(), params)
    }

    /// The attribute kind of this descriptor.
    pub fn kind(&self) -> DescKind {
        match self {
            AotInput::Param { .. } => DescKind::Param,
            AotInput::Buffer { .. } => DescKind::Buffer,
            AotInput::Plain { .. } => DescKind::Plain,
            AotInput::Dummy { .. } => DescKind::Dummy,
            AotInput::ViewBase { .. } => DescKind::ViewBase,
            AotInput::SyntheticBase { .. } => DescKind::SyntheticBase,
            AotInput::Tangent { .. } => DescKind::Tangent,
            AotInput::SubclassAttr { .. } => DescKind::SubclassAttr,
            AotInput::SubclassSize { .. } => DescKind::SubclassSize,
            AotInput::SubclassStride { .. } => DescKind::SubclassStride,
            AotInput::ForwardToken { .. } => DescKind::ForwardToken,
            AotInput::BackwardToken { .. } => DescKind::BackwardToken,
            AotInput::PhiloxForwardSeed => DescKind::PhiloxForwardSeed,
            AotInput::PhiloxForwardBaseOffset => DescKind::PhiloxForwardBaseOffset,
            AotInput::PhiloxBackwardSeed => DescKind::PhiloxBackwardSeed,
            AotInput::PhiloxBackwardBaseOffset => DescKind::PhiloxBackwardBaseOffset,
            AotInput::OpaqueRef { .. } => DescKind::OpaqueRef,
        }
    }

    /// PyTorch's `expr()`: a pseudo-Python access path from the outer arguments.
    pub fn expr(&self) -> String {
        match self {
            AotInput::Param { target } => format!("self.get_parameter({})", py_str_repr(target)),
            AotInput::Buffer { target } => format!("self.get_buffer({})", py_str_repr(target)),
            AotInput::Plain { idx } => format!("args[{idx}]"),
            AotInput::Dummy { idx } => format!("__dummy{idx}"),
            AotInput::ViewBase { base_of } => format!("{}._base", base_of.expr()),
            AotInput::SyntheticBase { base_of } => {
                format!("__make_synthetic_base({})", base_of.expr())
            }
            AotInput::Tangent { output } => format!("__output_tangent({})", output.expr()),
            AotInput::SubclassAttr { base, attr } => format!("{}.{attr}", base.expr()),
            AotInput::SubclassSize { base, idx } => format!("{}.size({idx})", base.expr()),
            AotInput::SubclassStride { base, idx } => format!("{}.stride({idx})", base.expr()),
            AotInput::ForwardToken { idx } => format!("__forward_token{idx}"),
            AotInput::BackwardToken { idx } => format!("__backward_token{idx}"),
            AotInput::PhiloxForwardSeed => "__philox_forward_seed".to_string(),
            AotInput::PhiloxForwardBaseOffset => "__philox_forward_base_offset".to_string(),
            AotInput::PhiloxBackwardSeed => "__philox_backward_seed".to_string(),
            AotInput::PhiloxBackwardBaseOffset => "__philox_backward_base_offset".to_string(),
            AotInput::OpaqueRef { idx } => format!("__opaque_ref{idx}"),
        }
    }

    /// `is_param()`: a parameter, or an inner attribute of a subclass parameter.
    pub fn is_param(&self) -> bool {
        match self {
            AotInput::Param { .. } => true,
            AotInput::SubclassAttr { base, .. } => base.is_param(),
            _ => false,
        }
    }

    /// `is_buffer()`: a buffer, or an inner attribute of a subclass buffer.
    pub fn is_buffer(&self) -> bool {
        match self {
            AotInput::Buffer { .. } => true,
            AotInput::SubclassAttr { base, .. } => base.is_buffer(),
            _ => false,
        }
    }

    /// `is_tangent()`: a tangent, or an inner attribute of a subclass tangent.
    pub fn is_tangent(&self) -> bool {
        match self {
            AotInput::Tangent { .. } => true,
            AotInput::SubclassAttr { base, .. } => base.is_tangent(),
            _ => false,
        }
    }

    /// Whether PyTorch marks it `DifferentiableAOTInput` (may be wrapped by grad).
    pub fn is_differentiable(&self) -> bool {
        self.kind().is_differentiable()
    }

    /// The wrapped descriptor of a subclass piece, `None` for anything else.
    pub fn subclass_base(&self) -> Option<&AotInput> {
        match self {
            AotInput::SubclassAttr { base, .. }
            | AotInput::SubclassSize { base, .. }
            | AotInput::SubclassStride { base, .. } => Some(base),
            _ => None,
        }
    }

    /// The descriptor with every subclass-piece wrapper removed (the subclass argument itself).
    pub fn root(&self) -> &AotInput {
        let mut d = self;
        while let Some(base) = d.subclass_base() {
            d = base;
        }
        d
    }
}

impl AotOutput {
    /// Decodes an output descriptor attribute; input descriptors are an error.
    pub fn from_attr(ctx: &Context, attr: Attribute) -> Result<AotOutput, String> {
        match Descriptor::from_attr(ctx, attr)? {
            Descriptor::Output(d) => Ok(d),
            Descriptor::Input(d) => Err(format!(
                "expected an output descriptor, but #aot.{} is an input descriptor",
                d.kind().attr_name()
            )),
        }
    }

    /// Encodes the descriptor as an `#aot.*` attribute.
    pub fn to_attr(&self, ctx: &mut Context) -> Attribute {
        let params = match self {
            AotOutput::Plain { idx }
            | AotOutput::MetadataMutation { idx }
            | AotOutput::ForwardToken { idx }
            | AotOutput::BackwardToken { idx }
            | AotOutput::SavedForBackwards { idx }
            | AotOutput::SavedForBackwardsNoVcCheck { idx }
            | AotOutput::Dummy { idx } => vec![idx_param(*idx)],
            AotOutput::InputMutation { mutated_input: i }
            | AotOutput::Grad { grad_of: i }
            | AotOutput::NoneGrad { grad_of: i } => vec![AttrParam::Attr(i.to_attr(ctx))],
            AotOutput::IntermediateBase { base_of } => vec![AttrParam::Attr(base_of.to_attr(ctx))],
            AotOutput::SubclassAttr { base, attr } => {
                vec![AttrParam::Attr(base.to_attr(ctx)), str_param(ctx, attr)]
            }
            AotOutput::SubclassSize { base, idx } | AotOutput::SubclassStride { base, idx } => {
                vec![AttrParam::Attr(base.to_attr(ctx)), idx_param(*idx)]
            }
            AotOutput::PhiloxUpdatedForwardOffset | AotOutput::PhiloxUpdatedBackwardOffset => {
                Vec::new()
            }
        };
        make_attr(ctx, self.kind(), params)
    }

    /// The attribute kind of this descriptor.
    pub fn kind(&self) -> DescKind {
        match self {
            AotOutput::Plain { .. } => DescKind::PlainOut,
            AotOutput::InputMutation { .. } => DescKind::InputMutation,
            AotOutput::IntermediateBase { .. } => DescKind::IntermediateBase,
            AotOutput::MetadataMutation { .. } => DescKind::MetadataMutation,
            AotOutput::Grad { .. } => DescKind::Grad,
            AotOutput::NoneGrad { .. } => DescKind::NoneGrad,
            AotOutput::SubclassAttr { .. } => DescKind::SubclassAttrOut,
            AotOutput::SubclassSize { .. } => DescKind::SubclassSizeOut,
            AotOutput::SubclassStride { .. } => DescKind::SubclassStrideOut,
            AotOutput::ForwardToken { .. } => DescKind::ForwardTokenOut,
            AotOutput::BackwardToken { .. } => DescKind::BackwardTokenOut,
            AotOutput::PhiloxUpdatedForwardOffset => DescKind::PhiloxUpdatedForwardOffset,
            AotOutput::PhiloxUpdatedBackwardOffset => DescKind::PhiloxUpdatedBackwardOffset,
            AotOutput::SavedForBackwards { .. } => DescKind::SavedForBackwards,
            AotOutput::SavedForBackwardsNoVcCheck { .. } => DescKind::SavedForBackwardsNoVcCheck,
            AotOutput::Dummy { .. } => DescKind::DummyOut,
        }
    }

    /// PyTorch's `expr()`: a pseudo-Python path to where the value ends up (`None` for a
    /// gradient slot without gradient).
    pub fn expr(&self) -> String {
        match self {
            AotOutput::Plain { idx } => format!("output[{idx}]"),
            AotOutput::InputMutation { mutated_input } => {
                format!("__input_mutation({})", mutated_input.expr())
            }
            AotOutput::IntermediateBase { base_of } => {
                format!("__intermediate_base({})", base_of.expr())
            }
            AotOutput::MetadataMutation { idx } => {
                format!("__aliased_arg_with_metadata_mutation{idx}")
            }
            AotOutput::Grad { grad_of } => format!("__grad({})", grad_of.expr()),
            AotOutput::NoneGrad { .. } => "None".to_string(),
            AotOutput::SubclassAttr { base, attr } => format!("{}.{attr}", base.expr()),
            AotOutput::SubclassSize { base, idx } => format!("{}.size({idx})", base.expr()),
            AotOutput::SubclassStride { base, idx } => format!("{}.stride({idx})", base.expr()),
            AotOutput::ForwardToken { idx } => format!("__forward_token{idx}"),
            AotOutput::BackwardToken { idx } => format!("__backward_token{idx}"),
            AotOutput::PhiloxUpdatedForwardOffset => "__philox_updated_forward_offset".to_string(),
            AotOutput::PhiloxUpdatedBackwardOffset => {
                "__philox_updated_backward_offset".to_string()
            }
            AotOutput::SavedForBackwards { idx } => format!("__saved_for_backwards_{idx}"),
            AotOutput::SavedForBackwardsNoVcCheck { idx } => {
                format!("__saved_for_backwards_no_vc_check_{idx}")
            }
            AotOutput::Dummy { idx } => format!("__dummy{idx}"),
        }
    }

    /// `is_grad()`: a gradient, or an inner attribute of a subclass gradient.
    pub fn is_grad(&self) -> bool {
        match self {
            AotOutput::Grad { .. } => true,
            AotOutput::SubclassAttr { base, .. } => base.is_grad(),
            _ => false,
        }
    }

    /// Whether PyTorch marks it `DifferentiableAOTOutput` (may be wrapped by tangent).
    pub fn is_differentiable(&self) -> bool {
        self.kind().is_differentiable()
    }

    /// The wrapped descriptor of a subclass piece, `None` for anything else.
    pub fn subclass_base(&self) -> Option<&AotOutput> {
        match self {
            AotOutput::SubclassAttr { base, .. }
            | AotOutput::SubclassSize { base, .. }
            | AotOutput::SubclassStride { base, .. } => Some(base),
            _ => None,
        }
    }

    /// The descriptor with every subclass-piece wrapper removed (the subclass result itself).
    pub fn root(&self) -> &AotOutput {
        let mut d = self;
        while let Some(base) = d.subclass_base() {
            d = base;
        }
        d
    }

    /// The primal of a gradient slot (`#aot.grad` or `#aot.none_grad`), `None` otherwise.
    pub fn grad_slot_of(&self) -> Option<&AotInput> {
        match self {
            AotOutput::Grad { grad_of } | AotOutput::NoneGrad { grad_of } => Some(grad_of),
            _ => None,
        }
    }
}

/// PyTorch's dataclass repr, e.g. `ParamAOTInput(target='lin.weight')`.
impl fmt::Display for AotInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = self.kind().class_name();
        match self {
            AotInput::Param { target } | AotInput::Buffer { target } => {
                write!(f, "{class}(target={})", py_str_repr(target))
            }
            AotInput::Plain { idx }
            | AotInput::Dummy { idx }
            | AotInput::ForwardToken { idx }
            | AotInput::BackwardToken { idx }
            | AotInput::OpaqueRef { idx } => write!(f, "{class}(idx={idx})"),
            AotInput::ViewBase { base_of } | AotInput::SyntheticBase { base_of } => {
                write!(f, "{class}(base_of={base_of})")
            }
            AotInput::Tangent { output } => write!(f, "{class}(output={output})"),
            AotInput::SubclassAttr { base, attr } => {
                write!(f, "{class}(base={base}, attr={})", py_str_repr(attr))
            }
            AotInput::SubclassSize { base, idx } | AotInput::SubclassStride { base, idx } => {
                write!(f, "{class}(base={base}, idx={idx})")
            }
            AotInput::PhiloxForwardSeed
            | AotInput::PhiloxForwardBaseOffset
            | AotInput::PhiloxBackwardSeed
            | AotInput::PhiloxBackwardBaseOffset => write!(f, "{class}()"),
        }
    }
}

/// PyTorch's dataclass repr, e.g. `GradAOTOutput(grad_of=ParamAOTInput(target='w'))`;
/// a gradient slot without gradient prints as `None`.
impl fmt::Display for AotOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = self.kind().class_name();
        match self {
            AotOutput::Plain { idx }
            | AotOutput::MetadataMutation { idx }
            | AotOutput::ForwardToken { idx }
            | AotOutput::BackwardToken { idx }
            | AotOutput::SavedForBackwards { idx }
            | AotOutput::SavedForBackwardsNoVcCheck { idx }
            | AotOutput::Dummy { idx } => write!(f, "{class}(idx={idx})"),
            AotOutput::InputMutation { mutated_input } => {
                write!(f, "{class}(mutated_input={mutated_input})")
            }
            AotOutput::IntermediateBase { base_of } => write!(f, "{class}(base_of={base_of})"),
            AotOutput::Grad { grad_of } => write!(f, "{class}(grad_of={grad_of})"),
            AotOutput::NoneGrad { .. } => write!(f, "None"),
            AotOutput::SubclassAttr { base, attr } => {
                write!(f, "{class}(base={base}, attr={})", py_str_repr(attr))
            }
            AotOutput::SubclassSize { base, idx } | AotOutput::SubclassStride { base, idx } => {
                write!(f, "{class}(base={base}, idx={idx})")
            }
            AotOutput::PhiloxUpdatedForwardOffset | AotOutput::PhiloxUpdatedBackwardOffset => {
                write!(f, "{class}()")
            }
        }
    }
}
