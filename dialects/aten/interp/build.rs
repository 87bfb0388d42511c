//! Generates the interpreter's kernel table from the aten catalogue (`../catalogue.txt`):
//! entry `i` is the kernel column of catalogue op `i`, a function of `src/ops.rs`, or
//! `None` for in-place ops (`-`). A kernel the catalogue names but `ops.rs` lacks is a
//! compile error; the table's length is checked against the aten crate's `OP_COUNT`.

#[allow(dead_code)]
#[path = "../catalogue_line.rs"]
mod catalogue_line;

use catalogue_line::{NO_KERNEL, catalogue_lines, split_line};
use std::fmt::Write;

fn main() {
    println!("cargo::rerun-if-changed=../catalogue.txt");
    println!("cargo::rerun-if-changed=../catalogue_line.rs");
    let text = std::fs::read_to_string("../catalogue.txt").expect("read ../catalogue.txt");
    let mut rows = String::new();
    for (lineno, line) in catalogue_lines(&text) {
        let line = split_line(line).unwrap_or_else(|e| panic!("catalogue.txt:{lineno}: {e}"));
        match line.kernel {
            NO_KERNEL => rows.push_str("    None,\n"),
            k => writeln!(rows, "    Some(crate::ops::{k}),").unwrap(),
        }
    }
    let out = format!(
        "/// The interpreter kernel of every catalogue op, in catalogue order (generated from\n\
         /// the catalogue's kernel column); `None` for in-place ops.\n\
         pub(crate) static KERNELS: [Option<crate::ops::Kernel>; joinery_aten::OP_COUNT] = [\n{rows}];\n"
    );
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("kernels.rs");
    std::fs::write(path, out).expect("write kernels.rs");
}
