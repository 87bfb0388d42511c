//! Literal text in both directions: string escapes, integers, and floats that print so
//! they re-parse to the same bits (shared by the grammar and the printer).

use joinery_ir::FloatKind;
use std::borrow::Cow;
use std::fmt::Write;

/// Decodes the escapes of a string literal body: `\n`, `\t`, `\"`, `\\` and `\XX` (hex).
pub(crate) fn unescape(raw: &str) -> Result<Cow<'_, str>, String> {
    if !raw.contains('\\') {
        return Ok(Cow::Borrowed(raw));
    }
    let mut bytes = Vec::with_capacity(raw.len());
    let mut it = raw.bytes();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'"') => bytes.push(b'"'),
            Some(b'\\') => bytes.push(b'\\'),
            Some(h) if h.is_ascii_hexdigit() => match it.next() {
                Some(l) if l.is_ascii_hexdigit() => bytes.push(hex_val(h) << 4 | hex_val(l)),
                _ => return Err("expected two hex digits after '\\' in string".into()),
            },
            _ => return Err("unknown escape sequence in string".into()),
        }
    }
    String::from_utf8(bytes)
        .map(Cow::Owned)
        .map_err(|_| "string literal is not valid UTF-8".into())
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// Writes `s` as a quoted string literal, escaping as MLIR does (non-printable bytes as `\XX`).
pub(crate) fn write_escaped(out: &mut String, s: &str) {
    out.push('"');
    for b in s.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:02X}");
            }
        }
    }
    out.push('"');
}

/// Whether `s` can be written without quotes as a bare identifier (or keyword).
pub(crate) fn is_bare_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'))
}

/// Whether `s` can follow a `%` or `^` sigil.
pub(crate) fn is_suffix_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    if b[0].is_ascii_digit() {
        return b.iter().all(u8::is_ascii_digit);
    }
    b.iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'$' | b'.' | b'_' | b'-'))
}

/// Whether `s` can follow `@` without quotes.
pub(crate) fn is_symbol_id(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(c) if c.is_ascii_alphabetic() || matches!(c, b'_' | b'$' | b'.'))
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'$' | b'.' | b'_' | b'-'))
}

/// Parses a decimal or `0x` integer literal as an unsigned magnitude.
pub(crate) fn parse_uint(text: &str) -> Option<u64> {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// The bytes of a `"0x..."` hex string body (two digits a byte).
pub(crate) fn hex_bytes(raw: &str) -> Option<Vec<u8>> {
    let hex = raw.strip_prefix("0x")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Applies a sign to a magnitude; `None` when it does not fit in an `i64`.
pub(crate) fn signed(neg: bool, magnitude: u64, hex: bool) -> Option<i64> {
    if neg {
        0i64.checked_sub_unsigned(magnitude)
    } else if hex {
        Some(magnitude as i64)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Rounds `v` to the nearest value of the float kind (ties to even), as MLIR's APFloat does.
pub(crate) fn round_to(kind: FloatKind, v: f64) -> f64 {
    match kind {
        FloatKind::F64 => v,
        FloatKind::F32 => v as f32 as f64,
        FloatKind::BF16 => f32::from_bits(f32_to_bf16(v as f32) << 16) as f64,
        FloatKind::F16 => FloatKind::F16
            .from_bits(u64::from(f32_to_f16(v as f32)))
            .unwrap_or(f64::NAN),
    }
}

fn to_bits(kind: FloatKind, v: f64) -> u64 {
    match kind {
        FloatKind::F64 => v.to_bits(),
        FloatKind::F32 => (v as f32).to_bits() as u64,
        FloatKind::BF16 => f32_to_bf16(v as f32) as u64,
        FloatKind::F16 => f32_to_f16(v as f32) as u64,
    }
}

fn f32_to_bf16(x: f32) -> u32 {
    let bits = x.to_bits();
    if x.is_nan() {
        return (bits >> 16) | 0x40;
    }
    let round = 0x7fff + ((bits >> 16) & 1);
    (bits.wrapping_add(round)) >> 16
}

fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;
    if exp == 0xff {
        let nan = if man != 0 {
            0x200 | (man >> 13) as u16
        } else {
            0
        };
        return sign | 0x7c00 | nan;
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let rest = m & ((1 << shift) - 1);
        let mut out = m >> shift;
        if rest > half || (rest == half && out & 1 == 1) {
            out += 1;
        }
        return sign | out as u16;
    }
    let mut out = ((e as u32) << 10) | (man >> 13);
    let rest = man & 0x1fff;
    if rest > 0x1000 || (rest == 0x1000 && out & 1 == 1) {
        out += 1;
    }
    sign | out as u16
}

/// Writes a float of the given kind so it re-parses to the same bits: the shortest decimal
/// that round-trips, always with a `.`; NaN and infinities as hex bits, as MLIR prints them.
pub(crate) fn write_float(out: &mut String, kind: FloatKind, v: f64) {
    if !v.is_finite() {
        let digits = (kind.bits() / 4) as usize;
        let _ = write!(out, "0x{:0digits$X}", to_bits(kind, v));
        return;
    }
    let start = out.len();
    let _ = match kind {
        FloatKind::F32 => write!(out, "{:?}", v as f32),
        _ => write!(out, "{v:?}"),
    };
    let text = &out[start..];
    if !text.contains('.') {
        match text.find('e') {
            Some(e) => out.insert_str(start + e, ".0"),
            None => out.push_str(".0"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(kind: FloatKind, v: f64) -> String {
        let mut s = String::new();
        write_float(&mut s, kind, v);
        s
    }

    #[test]
    fn floats_print_with_a_dot_and_specials_as_hex() {
        assert_eq!(float(FloatKind::F64, 1e-7), "1.0e-7");
        assert_eq!(float(FloatKind::F64, 3.0), "3.0");
        assert_eq!(float(FloatKind::F32, round_to(FloatKind::F32, 0.1)), "0.1");
        assert_eq!(float(FloatKind::F32, f64::NAN), "0x7FC00000");
        assert_eq!(float(FloatKind::F64, f64::INFINITY), "0x7FF0000000000000");
        assert_eq!(float(FloatKind::F16, f64::NEG_INFINITY), "0xFC00");
        assert_eq!(float(FloatKind::BF16, f64::NAN), "0x7FC0");
    }

    #[test]
    fn narrow_floats_round_to_nearest_even() {
        assert_eq!(round_to(FloatKind::F16, 1.0 + 1.0 / 4096.0), 1.0);
        assert_eq!(round_to(FloatKind::F16, 65520.0), f64::INFINITY);
        assert_eq!(
            round_to(FloatKind::F16, 5.960464477539063e-8),
            5.960464477539063e-8
        );
        assert_eq!(round_to(FloatKind::BF16, 1.00390625), 1.0);
        assert_eq!(FloatKind::F16.from_bits(0x3c00), Some(1.0));
        assert_eq!(FloatKind::F32.from_bits(1 << 40), None);
    }

    #[test]
    fn escapes_round_trip() {
        let s = "a\"b\\c\n\u{e9}";
        let mut out = String::new();
        write_escaped(&mut out, s);
        assert_eq!(out, r#""a\"b\\c\0A\C3\A9""#);
        assert_eq!(unescape(&out[1..out.len() - 1]).unwrap(), s);
        assert!(unescape(r"\q").is_err());
        assert!(unescape(r"\FF").is_err());
    }
}
