//! upstream MLIR → aten (`joinery-translate --from-mlir`): the subset that maps back.
//!
//! The module is parsed and verified by MLIR (melior), then each `func.func` is written
//! out as joinery text in the generic op form, which the caller parses and verifies with
//! joinery's own dialects. Covered:
//!
//! - `func.func` / `func.return`; `aot.*` argument and result attributes holding joinery
//!   text (what [`crate::export`] writes) become joinery attributes again, and
//!   `aot.none_results` puts the dropped `none` results back; other attributes are dropped.
//! - `arith.constant` of a tensor (a joinery `arith.constant`) or of a scalar (read by
//!   `linalg.fill` and by `linalg.generic` bodies); `tensor.empty` as a destination only.
//! - `linalg.fill` (a splat constant), `linalg.matmul` / `linalg.batch_matmul` (`mm` /
//!   `bmm`, plus the destination unless it is a zero fill; float factors narrower than the
//!   destination widened by `_to_copy` first), the elementwise named ops
//!   (`linalg.add`, `linalg.exp`, ...), `linalg.transpose` (`permute`), `linalg.broadcast`
//!   (`view` + `expand`), `tensor.reshape` / `collapse_shape` / `expand_shape` (`view`).
//! - `linalg.generic` whose inputs are read through projected permutations (constant `0`
//!   subscripts on size-1 dims allowed): with only parallel loops each scalar op of the
//!   body becomes the aten op on whole tensors (each input first brought to the loop shape
//!   by `view`, `permute` and `expand`); with reduction loops, a body that adds (or takes
//!   the max of) its input into the accumulator becomes `sum.dim_IntList` (or `amax`).
//!
//! Anything else is a diagnostic naming the op, located at the op in the input.

use joinery_ir::{Diagnostic, FileId, Span};
use melior::ir::attribute::{
    ArrayAttribute, DenseElementsAttribute, DenseI64ArrayAttribute, DictionaryAttribute,
    IntegerAttribute, StringAttribute, TypeAttribute,
};
use melior::ir::operation::{OperationLike, OperationRef};
use melior::ir::r#type::{DimSize, ShapedTypeLike};
use melior::ir::r#type::{FunctionType, RankedTensorType};
use melior::ir::{
    AffineMap, Attribute, AttributeLike, BlockLike, BlockRef, Module, RegionLike, Value, ValueLike,
};
use std::collections::HashMap;
use std::fmt::Write;

/// Reads upstream MLIR text (`source`, file `file` of the caller's source map) and returns
/// the equivalent joinery module text, or a diagnostic located in `source`.
pub fn from_mlir_text(source: &str, file: FileId) -> Result<String, Diagnostic> {
    if source.contains('\0') {
        return Err(Diagnostic::error("the MLIR input holds a NUL byte"));
    }
    let mlir = crate::mlir_context();
    let messages = std::cell::RefCell::new(Vec::new());
    let handler = mlir.attach_diagnostic_handler(|d| {
        messages
            .borrow_mut()
            .push((d.to_string(), d.location().to_string()));
        true
    });
    let module = Module::parse(&mlir, source);
    mlir.detach_diagnostic_handler(handler);
    let located = Located { source, file };
    let Some(module) = module else {
        let messages = messages.into_inner();
        let (message, loc) = messages.first().cloned().unwrap_or_default();
        return Err(located.error(format!("MLIR could not parse the input: {message}"), &loc));
    };
    crate::verify(&mlir, &module)?;
    let mut out = String::from("module {\n");
    let mut op = module.body().first_operation();
    while let Some(func) = op {
        let name = func
            .name()
            .as_string_ref()
            .as_str()
            .unwrap_or("")
            .to_string();
        if name != "func.func" {
            return Err(
                located.op_error(&func, format!("'{name}' at module level is not imported"))
            );
        }
        FunctionImporter::new(&mlir, located).function(&func, &mut out)?;
        op = func.next_in_block();
    }
    out.push_str("}\n");
    Ok(out)
}

/// The input text and its file, to turn MLIR locations into spans.
#[derive(Clone, Copy)]
struct Located<'s> {
    source: &'s str,
    file: FileId,
}

impl Located<'_> {
    /// An error at MLIR location text `loc` (`loc("-":3:5)`), unlocated when it names no line.
    fn error(&self, message: String, loc: &str) -> Diagnostic {
        let d = Diagnostic::error(message);
        match self.offset(loc) {
            Some(at) => d.with_span(Some(Span::new(self.file, at, at + 1))),
            None => d,
        }
    }

    /// An error at `op`.
    fn op_error(&self, op: &OperationRef, message: String) -> Diagnostic {
        self.error(message, &op.location().to_string())
    }

    /// The byte offset of the last `:line:col` in `loc`.
    fn offset(&self, loc: &str) -> Option<usize> {
        let inner = loc.trim_end_matches(')');
        let mut parts = inner.rsplitn(3, ':');
        let col: usize = parts.next()?.parse().ok()?;
        let line: usize = parts.next()?.parse().ok()?;
        let start = self
            .source
            .split_inclusive('\n')
            .take(line.checked_sub(1)?)
            .map(str::len)
            .sum::<usize>();
        let at = start + col.checked_sub(1)?;
        (at < self.source.len()).then_some(at)
    }
}

/// A tensor type: its static shape and the element type's text (`f32`, `i1`).
#[derive(Clone, PartialEq, Debug)]
struct Ty {
    shape: Vec<u64>,
    element: String,
}

impl Ty {
    /// The joinery (and MLIR) text, `tensor<2x3xf32>`.
    fn text(&self) -> String {
        let mut s = String::from("tensor<");
        for e in &self.shape {
            let _ = write!(s, "{e}x");
        }
        s.push_str(&self.element);
        s.push('>');
        s
    }

    /// The same shape with another element type.
    fn with_element(&self, element: &str) -> Ty {
        Ty {
            shape: self.shape.clone(),
            element: element.into(),
        }
    }
}

/// Reads an MLIR type as a static-shape tensor of a dtype joinery knows.
fn tensor_ty(ty: melior::ir::Type) -> Option<Ty> {
    let t = RankedTensorType::try_from(ty).ok()?;
    let shape = (0..t.rank())
        .map(|i| match t.dim_size(i) {
            Ok(DimSize::Static(e)) => Some(e),
            _ => None,
        })
        .collect::<Option<Vec<u64>>>()?;
    let element = t.element().to_string();
    matches!(element.as_str(), "i1" | "i32" | "i64" | "f32" | "f64")
        .then_some(Ty { shape, element })
}

/// What an MLIR value stands for on the joinery side.
#[derive(Clone)]
enum Val {
    /// A joinery tensor value: its SSA name, type, and the number it holds everywhere when
    /// it is a splat constant.
    Tensor {
        name: String,
        ty: Ty,
        splat: Option<f64>,
    },
    /// A tensor constant not yet written (only the ones something reads are).
    Constant {
        dense: String,
        ty: Ty,
        splat: Option<f64>,
    },
    /// `tensor.empty`: a destination whose contents nothing may read.
    Empty,
    /// A scalar constant: its attribute (typed), element type and value.
    Scalar {
        attr: String,
        element: String,
        value: f64,
    },
}

/// Writes one function; values are keyed by their MLIR handle.
struct FunctionImporter<'s> {
    mlir: &'s melior::Context,
    located: Located<'s>,
    values: HashMap<usize, Val>,
    body: String,
    next: usize,
}

/// The key of an MLIR value in [`FunctionImporter::values`].
fn key(v: Value) -> usize {
    v.to_raw().ptr as usize
}

/// The aten op of an elementwise named linalg op or a scalar op of a `linalg.generic`
/// body, with its attribute text.
fn pointwise_aten(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "linalg.add" | "arith.addf" | "arith.addi" => ("aten.add.Tensor", " {alpha = 1 : i64}"),
        "linalg.sub" | "arith.subf" | "arith.subi" => ("aten.sub.Tensor", " {alpha = 1 : i64}"),
        "linalg.mul" | "arith.mulf" | "arith.muli" => ("aten.mul.Tensor", ""),
        "linalg.div" | "arith.divf" => ("aten.div.Tensor", ""),
        "linalg.max" | "arith.maximumf" | "arith.maxsi" => ("aten.maximum", ""),
        "linalg.min" | "arith.minimumf" | "arith.minsi" => ("aten.minimum", ""),
        "linalg.exp" | "math.exp" => ("aten.exp", ""),
        "linalg.log" | "math.log" => ("aten.log", ""),
        "linalg.tanh" | "math.tanh" => ("aten.tanh", ""),
        "linalg.sqrt" | "math.sqrt" => ("aten.sqrt", ""),
        "linalg.rsqrt" | "math.rsqrt" => ("aten.rsqrt", ""),
        "linalg.abs" | "math.absf" | "math.absi" => ("aten.abs", ""),
        "linalg.powf" | "math.powf" | "math.ipowi" => ("aten.pow.Tensor_Tensor", ""),
        "linalg.negf" | "arith.negf" => ("aten.neg", ""),
        "linalg.floor" | "math.floor" => ("aten.floor", ""),
        "linalg.ceil" | "math.ceil" => ("aten.ceil", ""),
        "linalg.erf" | "math.erf" => ("aten.erf", ""),
        "math.expm1" => ("aten.expm1", ""),
        "math.log1p" => ("aten.log1p", ""),
        "math.log2" => ("aten.log2", ""),
        "math.sin" => ("aten.sin", ""),
        "math.cos" => ("aten.cos", ""),
        "arith.select" => ("aten.where.self", ""),
        "arith.andi" => ("aten.bitwise_and.Tensor", ""),
        "arith.ori" => ("aten.bitwise_or.Tensor", ""),
        "arith.xori" => ("aten.bitwise_xor.Tensor", ""),
        _ => return None,
    })
}

/// The aten comparison of an `arith.cmpf` / `arith.cmpi` predicate (its printed keyword).
fn comparison_aten(predicate: &str) -> Option<&'static str> {
    Some(match predicate {
        "oeq" | "eq" => "aten.eq.Tensor",
        "une" | "ne" => "aten.ne.Tensor",
        "olt" | "slt" => "aten.lt.Tensor",
        "ole" | "sle" => "aten.le.Tensor",
        "ogt" | "sgt" => "aten.gt.Tensor",
        "oge" | "sge" => "aten.ge.Tensor",
        _ => return None,
    })
}

/// The `arith` casts that are PyTorch's conversions (`_to_copy`): int to float, float to
/// int (truncating), widening and narrowing, bool to a number.
const CASTS: &[&str] = &[
    "arith.sitofp",
    "arith.uitofp",
    "arith.fptosi",
    "arith.extf",
    "arith.truncf",
    "arith.extsi",
    "arith.extui",
];

impl<'s> FunctionImporter<'s> {
    fn new(mlir: &'s melior::Context, located: Located<'s>) -> Self {
        FunctionImporter {
            mlir,
            located,
            values: HashMap::new(),
            body: String::new(),
            next: 0,
        }
    }

    fn err(&self, op: &OperationRef, message: impl Into<String>) -> Diagnostic {
        self.located.op_error(op, message.into())
    }

    /// Imports `func` into `out`.
    fn function(&mut self, func: &OperationRef, out: &mut String) -> Result<(), Diagnostic> {
        let name = StringAttribute::try_from(
            func.attribute("sym_name")
                .map_err(|_| self.err(func, "a func.func without a name"))?,
        )
        .map_err(|_| self.err(func, "a func.func without a name"))?
        .value()
        .to_string();
        let fty = TypeAttribute::try_from(
            func.attribute("function_type")
                .map_err(|_| self.err(func, "a func.func without a type"))?,
        )
        .ok()
        .and_then(|t| FunctionType::try_from(t.value()).ok())
        .ok_or_else(|| self.err(func, "a func.func without a function type"))?;
        let region = func.region(0).map_err(|_| self.err(func, "no body"))?;
        let Some(entry) = region.first_block() else {
            return Err(self.err(
                func,
                format!("@{name} is a declaration; only definitions are imported"),
            ));
        };
        if entry.next_in_region().is_some() {
            return Err(self.err(
                func,
                format!("@{name} has several blocks; only one is imported"),
            ));
        }
        let arg_attrs = self.slot_attrs(func, "arg_attrs", fty.input_count());
        let res_attrs = self.slot_attrs(func, "res_attrs", fty.result_count());
        let none_results = self.none_results(func);
        let mut header = format!("  func.func @{name}(");
        for (i, attrs) in arg_attrs.iter().enumerate() {
            let arg: Value = entry
                .argument(i)
                .map_err(|_| self.err(func, format!("@{name}: its block lacks argument #{i}")))?
                .into();
            let ty = tensor_ty(arg.r#type()).ok_or_else(|| {
                self.err(
                    func,
                    format!("@{name}: argument #{i} is {}, not a static-shape tensor of i1, i32, i64, f32 or f64", arg.r#type()),
                )
            })?;
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(header, "{sep}%arg{i}: {}{attrs}", ty.text());
            self.values.insert(
                key(arg),
                Val::Tensor {
                    name: format!("%arg{i}"),
                    ty,
                    splat: None,
                },
            );
        }
        header.push_str(") -> (");
        let mut op = entry.first_operation();
        let mut returned = None;
        while let Some(o) = op {
            if o.name().as_string_ref().as_str() == Ok("func.return") {
                returned = Some(o);
                break;
            }
            self.op(&o)?;
            op = o.next_in_block();
        }
        let ret = returned.ok_or_else(|| self.err(func, format!("@{name} has no func.return")))?;
        let mut kept = Vec::new();
        for v in ret.operands() {
            kept.push(self.tensor(&ret, v)?);
        }
        let total = kept.len() + none_results.len();
        let mut results = Vec::new();
        let mut kept_iter = kept.into_iter().zip(res_attrs);
        let mut result_types = Vec::new();
        let mut uses_none = false;
        for j in 0..total {
            if let Some((_, attrs)) = none_results.iter().find(|(index, _)| *index == j) {
                uses_none = true;
                results.push("%none".to_string());
                result_types.push(format!("none{attrs}"));
            } else {
                let ((name, ty), attrs) = kept_iter.next().ok_or_else(|| {
                    self.err(func, "aot.none_results names more results than there are")
                })?;
                results.push(name);
                result_types.push(format!("{}{attrs}", ty.text()));
            }
        }
        header.push_str(&result_types.join(", "));
        header.push_str(") {\n");
        out.push_str(&header);
        out.push_str(&self.body);
        if uses_none {
            out.push_str("    %none = \"aot.none\"() : () -> none\n");
        }
        let types: Vec<String> = result_types
            .iter()
            .map(|t| t.split(" {").next().unwrap_or(t).to_string())
            .collect();
        let _ = writeln!(
            out,
            "    \"func.return\"({}) : ({}) -> ()\n  }}",
            results.join(", "),
            types.join(", ")
        );
        Ok(())
    }

    /// The joinery attribute dictionary text (` {aot.desc = ...}`, or empty) of each slot of
    /// `arg_attrs` / `res_attrs`: the `aot.*` entries whose value is joinery text.
    fn slot_attrs(&self, func: &OperationRef, name: &str, count: usize) -> Vec<String> {
        let array = func
            .attribute(name)
            .ok()
            .and_then(|a| ArrayAttribute::try_from(a).ok());
        (0..count)
            .map(|i| {
                let dict = array
                    .and_then(|a| a.element(i).ok())
                    .and_then(|d| DictionaryAttribute::try_from(d).ok());
                dict.map(dict_text).unwrap_or_default()
            })
            .collect()
    }

    /// `aot.none_results`: the index of each dropped `none` result and its attributes' text.
    fn none_results(&self, func: &OperationRef) -> Vec<(usize, String)> {
        let Some(array) = func
            .attribute("aot.none_results")
            .ok()
            .and_then(|a| ArrayAttribute::try_from(a).ok())
        else {
            return Vec::new();
        };
        (0..array.len())
            .filter_map(|i| {
                let entry = DictionaryAttribute::try_from(array.element(i).ok()?).ok()?;
                let index = IntegerAttribute::try_from(entry.element_by_name("index")?).ok()?;
                let attrs = entry
                    .element_by_name("attrs")
                    .and_then(|a| DictionaryAttribute::try_from(a).ok())
                    .map(dict_text)
                    .unwrap_or_default();
                Some((usize::try_from(index.value()).ok()?, attrs))
            })
            .collect()
    }

    /// A fresh SSA name.
    fn fresh(&mut self) -> String {
        self.next += 1;
        format!("%v{}", self.next)
    }

    /// Writes `"op"(operands) attrs : (types) -> result` and returns the result's name.
    fn emit(&mut self, op: &str, operands: &[(String, Ty)], attrs: &str, result: &Ty) -> String {
        let name = self.fresh();
        let names: Vec<&str> = operands.iter().map(|(n, _)| n.as_str()).collect();
        let types: Vec<String> = operands.iter().map(|(_, t)| t.text()).collect();
        let _ = writeln!(
            self.body,
            "    {name} = \"{op}\"({}){attrs} : ({}) -> {}",
            names.join(", "),
            types.join(", "),
            result.text()
        );
        name
    }

    /// The joinery tensor for MLIR value `v` read by `op`, writing a pending constant.
    fn tensor(&mut self, op: &OperationRef, v: Value) -> Result<(String, Ty), Diagnostic> {
        match self.values.get(&key(v)).cloned() {
            Some(Val::Tensor { name, ty, .. }) => Ok((name, ty)),
            Some(Val::Constant { dense, ty, splat }) => {
                let name = self.fresh();
                let _ = writeln!(
                    self.body,
                    "    {name} = \"arith.constant\"() <{{value = {dense}}}> : () -> {}",
                    ty.text()
                );
                self.values.insert(
                    key(v),
                    Val::Tensor {
                        name: name.clone(),
                        ty: ty.clone(),
                        splat,
                    },
                );
                Ok((name, ty))
            }
            Some(Val::Empty) => Err(self.err(
                op,
                format!(
                    "'{}' reads a tensor.empty, whose contents are undefined",
                    op_name(op)
                ),
            )),
            Some(Val::Scalar { .. }) | None => Err(self.err(
                op,
                format!("'{}' reads a value the import does not cover", op_name(op)),
            )),
        }
    }

    /// The number a value holds everywhere, when it is a splat constant.
    fn splat_of(&self, v: Value) -> Option<f64> {
        match self.values.get(&key(v))? {
            Val::Tensor { splat, .. } | Val::Constant { splat, .. } => *splat,
            _ => None,
        }
    }

    /// Records result 0 of `op` as joinery value `name` of type `ty`.
    fn define(&mut self, op: &OperationRef, name: String, ty: Ty) {
        let result: Value = op.result(0).expect("one result").into();
        self.values.insert(
            key(result),
            Val::Tensor {
                name,
                ty,
                splat: None,
            },
        );
    }

    /// The static tensor type of result 0 of `op`.
    fn result_ty(&self, op: &OperationRef) -> Result<Ty, Diagnostic> {
        if op.result_count() != 1 {
            return Err(self.err(
                op,
                format!(
                    "'{}' has {} results; the import covers ops with one",
                    op_name(op),
                    op.result_count()
                ),
            ));
        }
        let result: Value = op.result(0).expect("one result").into();
        tensor_ty(result.r#type()).ok_or_else(|| {
            self.err(
                op,
                format!(
                    "'{}' yields {}, not a static-shape tensor of i1, i32, i64, f32 or f64",
                    op_name(op),
                    result.r#type()
                ),
            )
        })
    }

    /// Imports one op of a function body.
    fn op(&mut self, op: &OperationRef) -> Result<(), Diagnostic> {
        let name = op_name(op);
        match name.as_str() {
            "arith.constant" => self.constant(op),
            "tensor.empty" => {
                self.result_ty(op)?;
                let result: Value = op.result(0).expect("one result").into();
                self.values.insert(key(result), Val::Empty);
                Ok(())
            }
            "linalg.fill" => {
                let out = self.result_ty(op)?;
                let scalar = op.operand(0).expect("linalg.fill has an input");
                let Some(Val::Scalar {
                    attr,
                    element,
                    value,
                }) = self.values.get(&key(scalar)).cloned()
                else {
                    return Err(
                        self.err(op, "'linalg.fill' of a value that is not a scalar constant")
                    );
                };
                if element != out.element {
                    return Err(self.err(
                        op,
                        format!(
                            "'linalg.fill' of {element} into {}: the implicit cast is not imported",
                            out.text()
                        ),
                    ));
                }
                let dense = splat_text(self.mlir, &attr, &out).ok_or_else(|| {
                    self.err(op, "'linalg.fill' of a constant that does not splat")
                })?;
                let result: Value = op.result(0).expect("one result").into();
                self.values.insert(
                    key(result),
                    Val::Constant {
                        dense,
                        ty: out,
                        splat: Some(value),
                    },
                );
                Ok(())
            }
            "linalg.matmul" | "linalg.batch_matmul" => self.matmul(op),
            "linalg.transpose" => {
                let out = self.result_ty(op)?;
                let x = self.tensor(op, op.operand(0).expect("an input"))?;
                let dims = self.i64_array(op, "permutation")?;
                let attrs = format!(" {{dims = {}}}", int_list(&dims));
                let v = self.emit("aten.permute", &[x], &attrs, &out);
                self.define(op, v, out);
                Ok(())
            }
            "linalg.broadcast" => {
                let out = self.result_ty(op)?;
                let x = self.tensor(op, op.operand(0).expect("an input"))?;
                let added = self.i64_array(op, "dimensions")?;
                let mut shape = out.shape.clone();
                for &d in &added {
                    if let Some(e) = usize::try_from(d).ok().and_then(|d| shape.get_mut(d)) {
                        *e = 1;
                    }
                }
                let v = self.expand(x, &shape, &out);
                self.define(op, v, out);
                Ok(())
            }
            "tensor.reshape" | "tensor.collapse_shape" | "tensor.expand_shape" => {
                let out = self.result_ty(op)?;
                let x = self.tensor(op, op.operand(0).expect("an input"))?;
                let v = self.view(x, &out);
                self.define(op, v, out);
                Ok(())
            }
            "linalg.generic" => self.generic(op),
            _ if name.starts_with("linalg.") && pointwise_aten(&name).is_some() => {
                let out = self.result_ty(op)?;
                let ins = op.operand_count() - 1;
                let mut operands = Vec::new();
                for i in 0..ins {
                    operands.push(self.tensor(op, op.operand(i).expect("in range"))?);
                }
                if operands.iter().any(|(_, t)| t.shape != out.shape) {
                    return Err(self.err(
                        op,
                        format!("'{name}' with operands of another shape than its result"),
                    ));
                }
                let (aten, attrs) = pointwise_aten(&name).expect("checked");
                let v = self.emit(aten, &operands, attrs, &out);
                self.define(op, v, out);
                Ok(())
            }
            _ => Err(self.err(
                op,
                format!("'{name}' has no aten counterpart in the import"),
            )),
        }
    }

    /// `arith.constant`: a tensor constant is written when read; a scalar is remembered.
    fn constant(&mut self, op: &OperationRef) -> Result<(), Diagnostic> {
        let value = op
            .attribute("value")
            .map_err(|_| self.err(op, "'arith.constant' without a value"))?;
        let result: Value = op.result(0).expect("one result").into();
        if let Some(ty) = tensor_ty(result.r#type()) {
            let splat = DenseElementsAttribute::try_from(value)
                .ok()
                .filter(|d| d.is_splat())
                .and_then(|d| scalar_value(d.splat_value()));
            self.values.insert(
                key(result),
                Val::Constant {
                    dense: value.to_string(),
                    ty,
                    splat,
                },
            );
            return Ok(());
        }
        let number = scalar_value(value).ok_or_else(|| {
            self.err(
                op,
                format!(
                    "'arith.constant' of {}, which the import does not cover",
                    result.r#type()
                ),
            )
        })?;
        self.values.insert(
            key(result),
            Val::Scalar {
                attr: value.to_string(),
                element: result.r#type().to_string(),
                value: number,
            },
        );
        Ok(())
    }

    /// An `i64` array attribute of `op`.
    fn i64_array(&self, op: &OperationRef, name: &str) -> Result<Vec<i64>, Diagnostic> {
        let a = op
            .attribute(name)
            .ok()
            .and_then(|a| DenseI64ArrayAttribute::try_from(a).ok())
            .ok_or_else(|| self.err(op, format!("'{}' without its '{name}'", op_name(op))))?;
        Ok((0..a.len())
            .map(|i| a.element(i).expect("in range"))
            .collect())
    }

    /// `aten.view` of `x` to `ty`'s shape, or `x` itself when it has that shape.
    fn view(&mut self, x: (String, Ty), ty: &Ty) -> String {
        if x.1.shape == ty.shape {
            return x.0;
        }
        let attrs = format!(" {{size = {}}}", int_list(&ty.shape));
        self.emit("aten.view", &[x], &attrs, ty)
    }

    /// `x` viewed as `shape` (same element order) and expanded to `out`'s shape.
    fn expand(&mut self, x: (String, Ty), shape: &[u64], out: &Ty) -> String {
        let viewed_ty = Ty {
            shape: shape.to_vec(),
            element: x.1.element.clone(),
        };
        let viewed = self.view(x, &viewed_ty);
        let target = out.with_element(&viewed_ty.element);
        if viewed_ty.shape == target.shape {
            return viewed;
        }
        let attrs = format!(" {{size = {}}}", int_list(&target.shape));
        self.emit("aten.expand", &[(viewed, viewed_ty)], &attrs, &target)
    }

    /// `linalg.matmul` / `linalg.batch_matmul`: `mm` / `bmm`, plus the destination unless it
    /// is a zero fill.
    fn matmul(&mut self, op: &OperationRef) -> Result<(), Diagnostic> {
        let name = op_name(op);
        let default: &[&[usize]] = if name == "linalg.matmul" {
            &[&[0, 2], &[2, 1], &[0, 1]]
        } else {
            &[&[0, 1, 3], &[0, 3, 2], &[0, 1, 2]]
        };
        let maps = op
            .attribute("indexing_maps")
            .ok()
            .and_then(|a| ArrayAttribute::try_from(a).ok());
        let plain = maps.is_none_or(|maps| {
            maps.len() == 3 && (0..3).all(|i| map_dims(maps, i).as_deref() == Some(default[i]))
        });
        if !plain || op.has_attribute("cast") {
            return Err(self.err(op, format!("'{name}' with transposing or broadcasting indexing maps, or a cast, is not imported")));
        }
        let out = self.result_ty(op)?;
        let mut factors = Vec::with_capacity(2);
        for i in 0..2 {
            let (v, ty) = self.tensor(op, op.operand(i).expect("a factor"))?;
            // A float factor narrower than the destination (the export's f32 products
            // accumulate in f64) is widened first, as the named op does.
            let widened = ty.element != out.element
                && [&ty.element, &out.element]
                    .iter()
                    .all(|e| e.starts_with('f'));
            factors.push(if widened {
                let to = ty.with_element(&out.element);
                let attrs = format!(" {{dtype = {}}}", out.element);
                (self.emit("aten._to_copy", &[(v, ty)], &attrs, &to), to)
            } else {
                (v, ty)
            });
        }
        let [a, b]: [(String, Ty); 2] = factors.try_into().expect("two factors");
        if a.1.element != out.element || b.1.element != out.element {
            return Err(self.err(
                op,
                format!("'{name}' with mixed element types is not imported"),
            ));
        }
        let aten = if name == "linalg.matmul" {
            "aten.mm"
        } else {
            "aten.bmm"
        };
        let product = self.emit(aten, &[a, b], "", &out);
        let init = op.operand(2).expect("destination");
        let v = if self.splat_of(init) == Some(0.0) {
            product
        } else {
            let c = self.tensor(op, init)?;
            self.emit(
                "aten.add.Tensor",
                &[c, (product, out.clone())],
                " {alpha = 1 : i64}",
                &out,
            )
        };
        self.define(op, v, out);
        Ok(())
    }

    /// `linalg.generic` (see the module docs).
    fn generic(&mut self, op: &OperationRef) -> Result<(), Diagnostic> {
        let out = self.result_ty(op)?;
        let maps = op
            .attribute("indexing_maps")
            .ok()
            .and_then(|a| ArrayAttribute::try_from(a).ok())
            .ok_or_else(|| self.err(op, "'linalg.generic' without indexing maps"))?;
        let iterators = op
            .attribute("iterator_types")
            .ok()
            .and_then(|a| ArrayAttribute::try_from(a).ok())
            .ok_or_else(|| self.err(op, "'linalg.generic' without iterator types"))?;
        let reduced: Vec<bool> = (0..iterators.len())
            .map(|i| {
                iterators
                    .element(i)
                    .is_ok_and(|a| a.to_string().contains("reduction"))
            })
            .collect();
        let ins = op.operand_count() - 1;
        let map = |i: usize| -> Option<AffineMap> {
            let a = maps.element(i).ok()?;
            // SAFETY: `a` is an attribute of `linalg.generic`'s `indexing_maps`, an array
            // of affine map attributes (MLIR's verifier has checked it).
            Some(unsafe { AffineMap::from_raw(mlir_sys::mlirAffineMapAttrGetValue(a.to_raw())) })
        };
        let block = op
            .region(0)
            .ok()
            .and_then(|r| r.first_block())
            .ok_or_else(|| self.err(op, "'linalg.generic' without a body"))?;
        if reduced.iter().any(|&r| r) {
            return self.reduction(op, &out, &reduced, ins, &map, block);
        }
        let out_map = map(ins).ok_or_else(|| self.err(op, "no map for the destination"))?;
        if !out_map.is_identity() {
            return Err(self.err(
                op,
                "'linalg.generic' whose destination map is not the identity",
            ));
        }
        let mut scalars: HashMap<usize, (String, Ty)> = HashMap::new();
        for i in 0..ins {
            let input = self.tensor(op, op.operand(i).expect("in range"))?;
            let m = map(i).ok_or_else(|| self.err(op, "a missing indexing map"))?;
            let loop_shaped = self.broadcast_to_loops(op, input, &m, &out)?;
            let arg: Value = block
                .argument(i)
                .map_err(|e| self.err(op, e.to_string()))?
                .into();
            scalars.insert(key(arg), loop_shaped);
        }
        let mut inner = block.first_operation();
        while let Some(o) = inner {
            let name = op_name(&o);
            if name == "linalg.yield" {
                let y = o
                    .operand(0)
                    .map_err(|_| self.err(&o, "an empty linalg.yield"))?;
                let v = self.body_value(&o, &scalars, y)?;
                let ty = out.with_element(&v.1.element);
                let v = if v.1.shape == ty.shape {
                    v.0
                } else {
                    // A 0-d value (a body of constants) fills the result.
                    self.expand(v, &vec![1; ty.shape.len()], &ty)
                };
                self.define(op, v, ty);
                return Ok(());
            }
            let element = o
                .result(0)
                .map(|r| Value::from(r).r#type().to_string())
                .map_err(|_| self.err(&o, format!("'{name}' without a result")))?;
            let mut operands = Vec::new();
            for v in o.operands() {
                operands.push(self.body_value(&o, &scalars, v)?);
            }
            // Constants are 0-d tensors: an op of constants alone is 0-d too.
            let result_ty = if operands.iter().any(|(_, t)| !t.shape.is_empty()) {
                out.with_element(&element)
            } else {
                Ty {
                    shape: Vec::new(),
                    element,
                }
            };
            let result: Value = o.result(0).expect("one result").into();
            let v = if name == "arith.constant" {
                let attr = o.attribute("value").map_err(|_| self.err(&o, "no value"))?;
                let zero_d = Ty {
                    shape: Vec::new(),
                    element: result_ty.element.clone(),
                };
                let dense = splat_text(self.mlir, &attr.to_string(), &zero_d)
                    .ok_or_else(|| self.err(&o, "a body constant that is not a number"))?;
                let n = self.fresh();
                let _ = writeln!(
                    self.body,
                    "    {n} = \"arith.constant\"() <{{value = {dense}}}> : () -> {}",
                    zero_d.text()
                );
                (n, zero_d)
            } else if name == "arith.cmpf" || name == "arith.cmpi" {
                let predicate = o
                    .attribute("predicate")
                    .map(|a| a.to_string())
                    .map_err(|_| self.err(&o, "a comparison without a predicate"))?;
                let keyword = predicate_keyword(&name, &predicate);
                let same = o.operand(0).ok().map(key) == o.operand(1).ok().map(key);
                if keyword == Some("uno") && same {
                    let n = self.emit("aten.isnan", &operands[..1], "", &result_ty);
                    scalars.insert(key(o.result(0).expect("one result").into()), (n, result_ty));
                    inner = o.next_in_block();
                    continue;
                }
                let aten = keyword.and_then(comparison_aten).ok_or_else(|| {
                    self.err(
                        &o,
                        format!("'{name}' with predicate {predicate} has no aten counterpart"),
                    )
                })?;
                let n = self.emit(aten, &operands, "", &result_ty);
                (n, result_ty)
            } else if CASTS.contains(&name.as_str()) {
                let attrs = format!(" {{dtype = {}}}", result_ty.element);
                let n = self.emit("aten._to_copy", &operands, &attrs, &result_ty);
                (n, result_ty)
            } else if let Some((aten, attrs)) = pointwise_aten(&name)
                .filter(|_| name.starts_with("arith.") || name.starts_with("math."))
            {
                let n = self.emit(aten, &operands, attrs, &result_ty);
                (n, result_ty)
            } else {
                return Err(self.err(
                    &o,
                    format!(
                        "'{name}' in a linalg.generic body has no aten counterpart in the import"
                    ),
                ));
            };
            scalars.insert(key(result), v);
            inner = o.next_in_block();
        }
        Err(self.err(op, "'linalg.generic' body without linalg.yield"))
    }

    /// The joinery tensor standing for scalar `v` of a generic body.
    fn body_value(
        &self,
        at: &OperationRef,
        scalars: &HashMap<usize, (String, Ty)>,
        v: Value,
    ) -> Result<(String, Ty), Diagnostic> {
        scalars.get(&key(v)).cloned().ok_or_else(|| {
            self.err(at, format!("'{}' reads a value from outside the body or the destination element, which the import does not cover", op_name(at)))
        })
    }

    /// `input` read through `map` brought to the loop shape `out`: constant-0 subscripts
    /// dropped (their dims have extent 1), dims permuted to loop order, viewed with 1 for
    /// the loops it does not use, expanded.
    fn broadcast_to_loops(
        &mut self,
        op: &OperationRef,
        input: (String, Ty),
        map: &AffineMap,
        out: &Ty,
    ) -> Result<(String, Ty), Diagnostic> {
        let mut used: Vec<(usize, u64)> = Vec::new();
        for r in 0..map.result_count() {
            let e = map.result(r).map_err(|e| self.err(op, e.to_string()))?;
            if e.is_dim() {
                used.push((e.dim_position(), input.1.shape[r]));
            } else if !(e.is_constant() && e.constant_value() == 0 && input.1.shape[r] == 1) {
                return Err(self.err(op, "'linalg.generic' reads an input through a map that is not a projected permutation"));
            }
        }
        let element = input.1.element.clone();
        let squeezed = Ty {
            shape: used.iter().map(|&(_, e)| e).collect(),
            element: element.clone(),
        };
        let mut x = (self.view(input, &squeezed), squeezed);
        let mut order: Vec<usize> = (0..used.len()).collect();
        order.sort_by_key(|&i| used[i].0);
        if order.iter().enumerate().any(|(i, &o)| i != o) {
            let ty = Ty {
                shape: order.iter().map(|&i| used[i].1).collect(),
                element: element.clone(),
            };
            let attrs = format!(" {{dims = {}}}", int_list(&order));
            x = (self.emit("aten.permute", &[x], &attrs, &ty), ty);
        }
        let mut shape = vec![1u64; out.shape.len()];
        for &(d, e) in &used {
            if let Some(s) = shape.get_mut(d) {
                *s = e;
            }
        }
        let target = out.with_element(&element);
        let v = self.expand(x, &shape, &target);
        Ok((v, target))
    }

    /// A `linalg.generic` with reduction loops: one input read through the identity, the
    /// destination through the kept loops, a body `yield(add(in, acc))` (`sum`) or
    /// `yield(maximumf(in, acc))` (`amax`), in either operand order; the input may first be
    /// widened to the accumulator's float type (`arith.extf`).
    fn reduction<'c>(
        &mut self,
        op: &OperationRef,
        out: &Ty,
        reduced: &[bool],
        ins: usize,
        map: &dyn Fn(usize) -> Option<AffineMap<'c>>,
        block: BlockRef,
    ) -> Result<(), Diagnostic> {
        let unsupported = |s: &Self| {
            s.err(op, "'linalg.generic' with reduction loops other than one input summed or maximised into its destination")
        };
        if ins != 1 || !map(0).is_some_and(|m| m.is_identity()) {
            return Err(unsupported(self));
        }
        let out_map = map(1).ok_or_else(|| unsupported(self))?;
        let kept: Vec<usize> = (0..reduced.len()).filter(|&d| !reduced[d]).collect();
        let kept_ok = out_map.result_count() == kept.len()
            && (0..kept.len()).all(|r| {
                out_map
                    .result(r)
                    .is_ok_and(|e| e.is_dim() && e.dim_position() == kept[r])
            });
        let arg = |i: usize| block.argument(i).ok().map(|a| key(a.into()));
        let mut combine = block.first_operation().ok_or_else(|| unsupported(self))?;
        // A sum into a wider float accumulator (the export's f32 sums in f64) widens its
        // input first: `_to_copy` before the sum.
        let mut input = arg(0);
        let widened = op_name(&combine) == "arith.extf"
            && combine.operand(0).is_ok_and(|v| Some(key(v)) == input);
        if widened {
            input = combine.result(0).ok().map(|r| key(r.into()));
            combine = combine.next_in_block().ok_or_else(|| unsupported(self))?;
        }
        let yielded = combine.next_in_block().ok_or_else(|| unsupported(self))?;
        let operands: Vec<usize> = combine.operands().map(key).collect();
        let reads_both = operands.len() == 2
            && operands.contains(&input.unwrap_or(0))
            && operands.contains(&arg(1).unwrap_or(0));
        let yields_it = op_name(&yielded) == "linalg.yield"
            && yielded
                .operand(0)
                .is_ok_and(|v| Some(key(v)) == combine.result(0).ok().map(|r| key(r.into())));
        let combine_name = op_name(&combine);
        let (aten, neutral) = match combine_name.as_str() {
            "arith.addf" | "arith.addi" => ("aten.sum.dim_IntList", 0.0),
            "arith.maximumf" => ("aten.amax", f64::NEG_INFINITY),
            _ => return Err(unsupported(self)),
        };
        if !kept_ok || !reads_both || !yields_it {
            return Err(unsupported(self));
        }
        let mut x = self.tensor(op, op.operand(0).expect("input"))?;
        if widened {
            let target = x.1.with_element(&out.element);
            let attrs = format!(" {{dtype = {}}}", out.element);
            let n = self.emit("aten._to_copy", &[x], &attrs, &target);
            x = (n, target);
        }
        if x.1.element != out.element
            || (aten == "aten.sum.dim_IntList"
                && !matches!(out.element.as_str(), "f32" | "f64" | "i64"))
        {
            return Err(self.err(op, format!("a reduction of {} into {} is not imported (aten's sum promotes integers to i64)", x.1.element, out.element)));
        }
        let dims: Vec<usize> = (0..reduced.len()).filter(|&d| reduced[d]).collect();
        let attrs = format!(" {{dim = {}, keepdim = false}}", int_list(&dims));
        let r = self.emit(aten, &[x], &attrs, out);
        let init = op.operand(1).expect("destination");
        let v = if self.splat_of(init) == Some(neutral) {
            r
        } else {
            let c = self.tensor(op, init)?;
            let (combine_aten, combine_attrs) = if neutral == 0.0 {
                ("aten.add.Tensor", " {alpha = 1 : i64}")
            } else {
                ("aten.maximum", "")
            };
            self.emit(combine_aten, &[c, (r, out.clone())], combine_attrs, out)
        };
        self.define(op, v, out.clone());
        Ok(())
    }
}

/// The loop dims of map `i` of `maps` when every result is a loop dim.
fn map_dims(maps: ArrayAttribute, i: usize) -> Option<Vec<usize>> {
    let a = maps.element(i).ok()?;
    // SAFETY: `a` is an element of a linalg op's `indexing_maps`, an affine map attribute
    // (MLIR's verifier has checked it).
    let map = unsafe { AffineMap::from_raw(mlir_sys::mlirAffineMapAttrGetValue(a.to_raw())) };
    (0..map.result_count())
        .map(|r| {
            map.result(r)
                .ok()
                .filter(|e| e.is_dim())
                .map(|e| e.dim_position())
        })
        .collect()
}

/// The name of `op` (`linalg.matmul`).
fn op_name(op: &OperationRef) -> String {
    op.name().as_string_ref().as_str().unwrap_or("").to_string()
}

/// `[1, 0]`.
fn int_list<T: std::fmt::Display>(items: &[T]) -> String {
    let items: Vec<String> = items.iter().map(T::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// The text of a `dense<...>` splat of scalar attribute text `attr` (`1.0 : f32`) over
/// `ty`, built by MLIR so that its spelling is MLIR's.
fn splat_text(mlir: &melior::Context, attr: &str, ty: &Ty) -> Option<String> {
    let scalar = Attribute::parse(mlir, attr)?;
    let element = melior::ir::Type::parse(mlir, &ty.element)?;
    if scalar.r#type() != element {
        return None;
    }
    let tensor = RankedTensorType::new(&ty.shape, element, None);
    Some(DenseElementsAttribute::splat(tensor.into(), scalar).to_string())
}

/// The number held by a scalar integer or float attribute.
fn scalar_value(a: Attribute) -> Option<f64> {
    if let Ok(f) = melior::ir::attribute::FloatAttribute::try_from(a) {
        return Some(f.value());
    }
    IntegerAttribute::try_from(a).ok().map(|i| i.value() as f64)
}

/// The keyword of a comparison predicate attribute (printed `0 : i64` for `cmpf`'s enum
/// value in generic form, or already a keyword).
fn predicate_keyword(op: &str, printed: &str) -> Option<&'static str> {
    let n: i64 = printed.split(':').next()?.trim().parse().ok()?;
    let table: &[&'static str] = if op == "arith.cmpf" {
        &[
            "false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt", "uge", "ult",
            "ule", "une", "uno", "true",
        ]
    } else {
        &[
            "eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge",
        ]
    };
    table.get(usize::try_from(n).ok()?).copied()
}

/// ` {aot.desc = #aot.param<"w">}` from a dictionary of `aot.*` string entries (joinery
/// text), or empty.
fn dict_text(dict: DictionaryAttribute) -> String {
    let entries: Vec<String> = (0..dict.len())
        .filter_map(|i| {
            let (name, value) = dict.element(i).ok()?;
            let name = name.as_string_ref().as_str().ok()?.to_string();
            let text = StringAttribute::try_from(value).ok()?.value().to_string();
            name.starts_with("aot.").then(|| format!("{name} = {text}"))
        })
        .collect();
    if entries.is_empty() {
        String::new()
    } else {
        format!(" {{{}}}", entries.join(", "))
    }
}
