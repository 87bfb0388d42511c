//! `view-op-graph`: MLIR's pass of that name. It writes a Graphviz (dot) picture of the
//! data flow of the op it runs on to stderr and leaves the IR unchanged. [`DotWriter`] is
//! the writer, shared with dialect passes that draw with their own colours
//! (`view-partition`).
//!
//! The output has MLIR's shape: `digraph G { compound = true; ... }`, one node per op
//! without regions (label: op name, result types, attributes), one cluster per op with
//! regions and per block (an invisible anchor node `shape = plain`, then a node per block
//! argument and per op), data-flow edges (`style = solid`, labelled with the operand
//! index when an op has several) and optionally control-flow edges between consecutive
//! ops (`style = dashed`), all edges after all nodes. Labels are quoted with `\`, `"` and
//! line breaks escaped; attribute values and result types longer than `max-label-len`
//! characters are cut and end in `...`. One deviation: a block argument with a source
//! name is labelled `%name` (MLIR says `argN`, which is used for unnamed ones).

use crate::options::{OptionKind, PassOptionInfo, PassOptions};
use crate::pass::{Pass, PassInfo, PassResult, PassState};
use joinery_ir::{Attribute, BlockId, Context, OpId, Value};
use joinery_syntax::{attr_text, type_text};
use rustc_hash::FxHashMap;
use std::fmt::Write as _;
use std::io::Write as _;

/// The options of every graph-drawing pass: MLIR's `view-op-graph` options and defaults.
pub static GRAPH_OPTIONS: &[PassOptionInfo] = &[
    PassOptionInfo {
        name: "max-label-len",
        kind: OptionKind::Int,
        default: "20",
        help: "Cut attribute values and result types after this many characters",
    },
    PassOptionInfo {
        name: "print-attrs",
        kind: OptionKind::Bool,
        default: "true",
        help: "Print attributes of operations",
    },
    PassOptionInfo {
        name: "print-control-flow-edges",
        kind: OptionKind::Bool,
        default: "false",
        help: "Print control-flow edges (dashed) between consecutive ops of a block",
    },
    PassOptionInfo {
        name: "print-data-flow-edges",
        kind: OptionKind::Bool,
        default: "true",
        help: "Print data-flow edges (solid) from each operand's producer",
    },
    PassOptionInfo {
        name: "print-result-types",
        kind: OptionKind::Bool,
        default: "true",
        help: "Print the result types of operations",
    },
];

/// The declaration of `view-op-graph`.
pub static VIEW_OP_GRAPH: PassInfo = PassInfo {
    name: "view-op-graph",
    title: "ViewOpGraph",
    summary: "Write a Graphviz (dot) picture of the data flow to stderr",
    description: "As MLIR's pass of that name: writes one `digraph` in Graphviz's dot \
        language to stderr for the op it runs on (on the module by default: one cluster per \
        function; `func.func(view-op-graph)` draws each function as its own graph). Ops \
        with regions and blocks are clusters; every other op is a node labelled with its \
        name, result types and attributes; block arguments are nodes labelled `%name` (or \
        `argN`); data-flow edges run from a value's producer to its user, labelled with \
        the operand index when the user has several operands. Render it with Graphviz: \
        `joinery-opt in.mlir --view-op-graph -o /dev/null 2>&1 | dot -Tsvg -o g.svg`.\n\
        Needs: nothing. Guarantees: the IR is not changed.\n\
        Known gaps: large attributes are cut at max-label-len characters (MLIR also \
        elides large element lists); no record-shaped nodes with operand ports.",
    anchor: None,
    options: GRAPH_OPTIONS,
    statistics: &[],
    constructor: |options| {
        Box::new(ViewOpGraph {
            options: GraphOptions::from_pass_options(options),
        })
    },
};

/// What a graph shows, read from [`GRAPH_OPTIONS`].
#[derive(Clone, Copy, Debug)]
pub struct GraphOptions {
    /// Attribute values and result types are cut after this many characters.
    pub max_label_len: usize,
    /// Whether op labels list the op's attributes.
    pub print_attrs: bool,
    /// Whether consecutive ops of a block are joined by dashed edges.
    pub print_control_flow_edges: bool,
    /// Whether producers are joined to users by solid edges.
    pub print_data_flow_edges: bool,
    /// Whether op labels show the result types.
    pub print_result_types: bool,
}

impl GraphOptions {
    /// Reads the options a pass declared with [`GRAPH_OPTIONS`].
    pub fn from_pass_options(options: &PassOptions) -> GraphOptions {
        GraphOptions {
            max_label_len: options.int("max-label-len").max(0) as usize,
            print_attrs: options.bool("print-attrs"),
            print_control_flow_edges: options.bool("print-control-flow-edges"),
            print_data_flow_edges: options.bool("print-data-flow-edges"),
            print_result_types: options.bool("print-result-types"),
        }
    }
}

/// The `view-op-graph` pass.
pub struct ViewOpGraph {
    options: GraphOptions,
}

impl Pass for ViewOpGraph {
    fn run(&mut self, ctx: &mut Context, op: OpId, _state: &mut PassState) -> PassResult {
        let mut writer = DotWriter::new(ctx, self.options);
        writer.op(op);
        write_stderr(&writer.finish());
        Ok(false)
    }
}

/// Writes a whole graph to stderr at once, as MLIR's pass writes to `llvm::errs()`. A
/// closed stderr is not an error of the compilation.
pub fn write_stderr(graph: &str) {
    let _ = std::io::stderr().lock().write_all(graph.as_bytes());
}

/// A node of the graph, or the anchor node of a cluster (edges to it are clipped at the
/// cluster's border).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DotNode {
    id: u32,
    cluster: Option<u32>,
}

/// Builds one dot `digraph`: nodes and clusters are written as they are added, edges are
/// kept and written after them (as MLIR does, so that an edge never names a node before
/// its cluster placed it).
pub struct DotWriter<'c> {
    ctx: &'c Context,
    options: GraphOptions,
    out: String,
    depth: usize,
    counter: u32,
    edges: Vec<String>,
    nodes: FxHashMap<Value, DotNode>,
}

impl<'c> DotWriter<'c> {
    /// Starts a graph (`digraph G {` with `compound = true`, which edges between clusters
    /// need).
    pub fn new(ctx: &'c Context, options: GraphOptions) -> DotWriter<'c> {
        let mut writer = DotWriter {
            ctx,
            options,
            out: String::from("digraph G {\n"),
            depth: 1,
            counter: 0,
            edges: Vec::new(),
            nodes: FxHashMap::default(),
        };
        writer.line("compound = true;");
        writer
    }

    /// What the graph shows.
    pub fn options(&self) -> GraphOptions {
        self.options
    }

    /// Writes a graph-level statement (`rankdir = LR;`) at the current nesting.
    pub fn statement(&mut self, key: &str, value: &str) {
        let text = format!("{key} = {};", quote(value));
        self.line(&text);
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Adds a node with `label`, `shape` and further dot attributes (`style`, `fillcolor`).
    pub fn node(&mut self, label: &str, shape: &str, extra: &[(&str, &str)]) -> DotNode {
        self.counter += 1;
        let id = self.counter;
        let mut attrs = vec![("label", label), ("shape", shape)];
        attrs.extend_from_slice(extra);
        let text = format!("v{id} {};", attr_list(&attrs));
        self.line(&text);
        DotNode { id, cluster: None }
    }

    /// Adds a cluster labelled `label` with further dot attributes, whose body `body`
    /// writes; returns its anchor node.
    pub fn cluster(
        &mut self,
        label: &str,
        extra: &[(&str, &str)],
        body: impl FnOnce(&mut Self),
    ) -> DotNode {
        self.counter += 1;
        let cluster = self.counter;
        self.line(&format!("subgraph cluster_{cluster} {{"));
        self.depth += 1;
        let anchor = self.node(" ", "plain", &[]);
        self.statement("label", label);
        for (key, value) in extra {
            self.statement(key, value);
        }
        body(self);
        self.depth -= 1;
        self.line("}");
        DotNode {
            id: anchor.id,
            cluster: Some(cluster),
        }
    }

    /// Adds an edge; edges at a cluster's border are clipped there and carry no label
    /// (a label would float away from its clipped edge).
    pub fn edge(
        &mut self,
        from: DotNode,
        to: DotNode,
        label: &str,
        style: &str,
        extra: &[(&str, &str)],
    ) {
        let ltail = from.cluster.map(|c| format!("cluster_{c}"));
        let lhead = to.cluster.map(|c| format!("cluster_{c}"));
        let mut attrs = Vec::new();
        if ltail.is_none() && lhead.is_none() {
            attrs.push(("label", label));
        }
        if let Some(c) = &lhead {
            attrs.push(("lhead", c.as_str()));
        }
        if let Some(c) = &ltail {
            attrs.push(("ltail", c.as_str()));
        }
        attrs.push(("style", style));
        attrs.extend_from_slice(extra);
        self.edges
            .push(format!("v{} -> v{} {};", from.id, to.id, attr_list(&attrs)));
    }

    /// Records that `value` is drawn as `node`: edges to its users start there.
    pub fn bind(&mut self, value: Value, node: DotNode) {
        self.nodes.insert(value, node);
    }

    /// The node `value` is drawn as, if it was drawn.
    pub fn node_of(&self, value: Value) -> Option<DotNode> {
        self.nodes.get(&value).copied()
    }

    /// Draws `op`: a cluster holding its regions when it has any, else a node; then its
    /// data-flow edges.
    pub fn op(&mut self, op: OpId) -> DotNode {
        if self.ctx.regions(op).is_empty() {
            return self.op_node(op, &[]);
        }
        let ctx = self.ctx;
        let label = self.op_label(op);
        let node = self.cluster(&label, &[], |w| {
            for &region in ctx.regions(op) {
                for &block in ctx.region_blocks(region) {
                    w.block(block);
                }
            }
        });
        self.finish_op(op, node);
        node
    }

    /// Draws `op` (which should have no regions) as one node with further dot attributes,
    /// then its data-flow edges.
    pub fn op_node(&mut self, op: OpId, extra: &[(&str, &str)]) -> DotNode {
        let label = self.op_label(op);
        let node = self.node(&label, "ellipse", extra);
        self.finish_op(op, node);
        node
    }

    fn finish_op(&mut self, op: OpId, node: DotNode) {
        let ctx = self.ctx;
        if self.options.print_data_flow_edges {
            let operands = ctx.operands(op);
            let several = operands.len() > 1;
            for (i, &v) in operands.iter().enumerate() {
                // A value defined above the op the graph is drawn for has no node.
                if let Some(from) = self.node_of(v) {
                    let label = if several {
                        i.to_string()
                    } else {
                        String::new()
                    };
                    self.edge(from, node, &label, "solid", &[]);
                }
            }
        }
        for &result in ctx.results(op) {
            self.bind(result, node);
        }
    }

    fn block(&mut self, block: BlockId) {
        let ctx = self.ctx;
        self.cluster("", &[], |w| {
            for (i, &arg) in ctx.block_args(block).iter().enumerate() {
                let label = w.value_label(arg, i);
                let node = w.node(&label, "ellipse", &[]);
                w.bind(arg, node);
            }
            let mut previous = None;
            for op in ctx.block_ops(block) {
                let node = w.op(op);
                match previous {
                    Some(previous) if w.options.print_control_flow_edges => {
                        w.edge(previous, node, "", "dashed", &[]);
                    }
                    _ => {}
                }
                previous = Some(node);
            }
        });
    }

    /// `%name` for a value with a source name, else `arg<index>`.
    pub fn value_label(&self, value: Value, index: usize) -> String {
        match self.ctx.value_name(value) {
            Some(name) => format!("%{name}"),
            None => format!("arg{index}"),
        }
    }

    /// An op's label: its name, then (by the options) its result types and one line per
    /// attribute, each cut at `max-label-len` characters.
    pub fn op_label(&self, op: OpId) -> String {
        let ctx = self.ctx;
        let mut label = ctx.name_str(op).to_string();
        if self.options.print_result_types {
            let types: Vec<String> = ctx
                .results(op)
                .iter()
                .map(|&r| type_text(ctx, ctx.value_type(r)))
                .collect();
            let _ = write!(label, " : ({})", self.cut(&types.join(", ")));
        }
        if self.options.print_attrs {
            label.push('\n');
            for (name, value) in ctx.attrs(op) {
                let _ = write!(label, "\n{name}: {}", self.attr_label(value));
            }
        }
        label
    }

    /// An attribute in MLIR syntax, cut at `max-label-len` characters.
    pub fn attr_label(&self, attr: Attribute) -> String {
        self.cut(&attr_text(self.ctx, attr))
    }

    /// `text` cut after `max-label-len` characters, ending in `...` when cut.
    pub fn cut(&self, text: &str) -> String {
        match text.char_indices().nth(self.options.max_label_len) {
            Some((end, _)) => format!("{}...", &text[..end]),
            None => text.to_string(),
        }
    }

    /// Closes the graph: every edge, then `}`.
    pub fn finish(mut self) -> String {
        for edge in std::mem::take(&mut self.edges) {
            self.line(&edge);
        }
        self.out.push_str("}\n");
        self.out
    }
}

/// A dot attribute list `[key = value, ...]`, each value quoted unless it is a plain
/// identifier.
fn attr_list(attrs: &[(&str, &str)]) -> String {
    let items: Vec<String> = attrs
        .iter()
        .map(|(key, value)| format!("{key} = {}", quote(value)))
        .collect();
    format!("[{}]", items.join(", "))
}

/// A dot ID for `text`: as is when it is a plain identifier (`solid`, `ellipse`), else a
/// quoted string with `\`, `"` and control characters escaped (a line break becomes dot's
/// `\n`).
pub fn quote(text: &str) -> String {
    let plain = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting_escapes_what_dot_reads_specially() {
        assert_eq!(quote("solid"), "solid");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(quote("#aot.param<\"w\">"), "\"#aot.param<\\\"w\\\">\"");
        assert_eq!(quote("bell\u{7}"), "\"bell\\\\x07\"");
    }
}
