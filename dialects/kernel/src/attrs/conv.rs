//! [`Conv`]: the attributes of `kernel.conv`.

use super::{get, i64_array, int, ints, missing, non_negative_ints};
use joinery_ir::{Attribute, Context, Diagnostic, OpId};

/// Which computation of a convolution a `kernel.conv` runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConvPass {
    /// The output from the input, the weight and an optional bias: operands `input`,
    /// `weight`, [`bias`], `out`.
    Forward,
    /// The input gradient: operands `grad_output`, `weight`, `out`.
    BackwardData,
    /// The weight gradient: operands `input`, `grad_output`, `out`.
    BackwardWeights,
}

impl ConvPass {
    /// The spelling of the `pass` attribute.
    pub fn keyword(self) -> &'static str {
        match self {
            ConvPass::Forward => "forward",
            ConvPass::BackwardData => "backward_data",
            ConvPass::BackwardWeights => "backward_weights",
        }
    }
}

/// What runs a `kernel.conv` (its `engine` attribute).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConvEngine {
    /// oneDNN's primitives: every pass of every convolution.
    Onednn,
    /// The runtime's direct kernel: the forward and the input gradient of a unit-stride
    /// convolution with 1 or 2 spatial dims (the runtime refuses others when it plans the
    /// step), per written plane on a zero-padded copy of each read plane.
    Direct,
}

impl ConvEngine {
    /// The spelling of the `engine` attribute.
    pub fn keyword(self) -> &'static str {
        match self {
            ConvEngine::Onednn => "onednn",
            ConvEngine::Direct => "direct",
        }
    }
}

/// `kernel.conv`: one pass of an f32 convolution (the runtime runs it on `engine`)
/// over dense row-major buffers, PyTorch's conventions: `input` `[N, C, S..]`, `weight`
/// `[O, C / groups, K..]`, `output` `[N, O, S'..]` (1 to 3 spatial dims), `padding` at the
/// start of each spatial dim, the end's following from the output size. The written
/// buffer is the last operand; with `bias`, a forward adds a bias operand (`[O]`) and a
/// backward-weights pass writes the bias gradient after the weight gradient (its buffer
/// holds `O` more elements).
#[derive(Clone, PartialEq, Debug)]
pub struct Conv {
    pub pass: ConvPass,
    pub engine: ConvEngine,
    pub input: Vec<u64>,
    pub weight: Vec<u64>,
    pub output: Vec<u64>,
    pub stride: Vec<i64>,
    pub padding: Vec<i64>,
    pub dilation: Vec<i64>,
    pub groups: u64,
    pub bias: bool,
    /// The aten op, for messages and profiles.
    pub source: String,
}

impl Conv {
    /// Reads a `kernel.conv` op.
    pub fn read(ctx: &Context, op: OpId) -> Result<Conv, Diagnostic> {
        let what = "\"forward\", \"backward_data\" or \"backward_weights\"";
        let pass = match ctx.as_str(get(ctx, op, "pass", what)?) {
            Some("forward") => ConvPass::Forward,
            Some("backward_data") => ConvPass::BackwardData,
            Some("backward_weights") => ConvPass::BackwardWeights,
            _ => return Err(missing(ctx, op, "pass", what)),
        };
        let engines = "\"onednn\" or \"direct\"";
        let engine = match ctx.as_str(get(ctx, op, "engine", engines)?) {
            Some("onednn") => ConvEngine::Onednn,
            Some("direct") => ConvEngine::Direct,
            _ => return Err(missing(ctx, op, "engine", engines)),
        };
        let source = get(ctx, op, "source", "a string")?;
        Ok(Conv {
            pass,
            engine,
            input: non_negative_ints(ctx, op, "input")?,
            weight: non_negative_ints(ctx, op, "weight")?,
            output: non_negative_ints(ctx, op, "output")?,
            stride: ints(ctx, op, "stride")?,
            padding: ints(ctx, op, "padding")?,
            dilation: ints(ctx, op, "dilation")?,
            groups: u64::try_from(int(ctx, op, "groups")?)
                .map_err(|_| missing(ctx, op, "groups", "a non-negative integer"))?,
            bias: ctx
                .as_bool(get(ctx, op, "bias", "a bool")?)
                .ok_or_else(|| missing(ctx, op, "bias", "a bool"))?,
            source: ctx
                .as_str(source)
                .ok_or_else(|| missing(ctx, op, "source", "a string"))?
                .to_string(),
        })
    }

    /// The attributes of the op.
    pub fn attributes(&self, ctx: &mut Context) -> Vec<(String, Attribute)> {
        let shape = |ctx: &mut Context, v: &[u64]| {
            i64_array(ctx, &v.iter().map(|&d| d as i64).collect::<Vec<i64>>())
        };
        vec![
            ("bias".into(), ctx.bool_attr(self.bias)),
            ("dilation".into(), i64_array(ctx, &self.dilation)),
            (
                "engine".into(),
                ctx.string_attr(self.engine.keyword().to_string()),
            ),
            ("groups".into(), ctx.integer_attr(self.groups as i64, 64)),
            ("input".into(), shape(ctx, &self.input)),
            ("output".into(), shape(ctx, &self.output)),
            ("padding".into(), i64_array(ctx, &self.padding)),
            (
                "pass".into(),
                ctx.string_attr(self.pass.keyword().to_string()),
            ),
            ("source".into(), ctx.string_attr(self.source.clone())),
            ("stride".into(), i64_array(ctx, &self.stride)),
            ("weight".into(), shape(ctx, &self.weight)),
        ]
    }

    /// The shapes of the operands in order, the written one last.
    pub fn operand_shapes(&self) -> Vec<Vec<u64>> {
        let (x, w, y) = (self.input.clone(), self.weight.clone(), self.output.clone());
        let o = self.weight[0];
        match self.pass {
            ConvPass::Forward if self.bias => vec![x, w, vec![o], y],
            ConvPass::Forward => vec![x, w, y],
            ConvPass::BackwardData => vec![y, w, x],
            ConvPass::BackwardWeights if self.bias => {
                vec![x, y, vec![w.iter().product::<u64>() + o]]
            }
            ConvPass::BackwardWeights => vec![x, y, w],
        }
    }
}
