//! `--split-input-file`: cutting a buffer into chunks at `// -----` lines and joining the
//! chunks' outputs back, as MLIR's `splitAndProcessBuffer` does.

/// The line that separates chunks, in the input and in the joined output.
pub const SPLIT_MARKER: &str = "// -----";

/// One chunk of an input buffer.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Chunk {
    /// The chunk's text, preceded by one newline per line of the buffer before it, so
    /// that line numbers in diagnostics (and `expected-*@+N` offsets) are those of the
    /// whole buffer while byte offsets stay within the chunk's own text.
    pub text: String,
    /// 1-based line of the buffer where the chunk starts.
    pub first_line: usize,
}

/// Whether a line is a split marker: `// -----` alone on its line (whitespace around ok).
fn is_marker(line: &str) -> bool {
    line.trim() == SPLIT_MARKER
}

/// Splits `buffer` at marker lines. Without a marker the whole buffer is one chunk.
pub fn split_input(buffer: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut offset = 0usize;
    for (line_no, line) in (1usize..).zip(buffer.split_inclusive('\n')) {
        let next = offset + line.len();
        if is_marker(line) {
            chunks.push(make_chunk(&buffer[start..offset], start_line));
            start = next;
            start_line = line_no + 1;
        }
        offset = next;
    }
    chunks.push(make_chunk(&buffer[start..], start_line));
    chunks
}

fn make_chunk(text: &str, first_line: usize) -> Chunk {
    let mut padded = String::with_capacity(first_line - 1 + text.len());
    padded.extend(std::iter::repeat_n('\n', first_line - 1));
    padded.push_str(text);
    Chunk {
        text: padded,
        first_line,
    }
}

/// Joins the outputs of chunks with marker lines, as `mlir-opt --split-input-file` does.
pub fn join_outputs(outputs: &[String]) -> String {
    let mut joined = String::new();
    for (i, out) in outputs.iter().enumerate() {
        if i > 0 {
            joined.push_str(SPLIT_MARKER);
            joined.push('\n');
        }
        joined.push_str(out);
        if !out.is_empty() && !out.ends_with('\n') {
            joined.push('\n');
        }
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_marker_is_one_chunk() {
        let chunks = split_input("a\nb\n");
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].text, "a\nb\n");
        assert_eq!(chunks[0].first_line, 1);
    }

    #[test]
    fn chunks_keep_buffer_line_numbers() {
        let chunks = split_input("a\n// -----\nb\nc\n  // -----  \nd");
        let firsts: Vec<usize> = chunks.iter().map(|c| c.first_line).collect();
        assert_eq!(firsts, [1, 3, 6]);
        assert_eq!(chunks[1].text, "\n\nb\nc\n");
        assert_eq!(chunks[2].text, "\n\n\n\n\nd");
        assert_eq!(chunks[2].text.lines().nth(5), Some("d"));
    }

    #[test]
    fn marker_must_stand_alone() {
        let chunks = split_input("// ----- not a marker\n// -----// IR Dump //----- //\n");
        assert_eq!(chunks.len(), 1);
    }

    #[test]
    fn outputs_join_with_markers() {
        let joined = join_outputs(&["x\n".into(), String::new(), "y".into()]);
        assert_eq!(joined, "x\n// -----\n// -----\ny\n");
    }
}
