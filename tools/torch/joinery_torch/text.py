"""Literal syntax of the joinery text format (MLIR's)."""

from __future__ import annotations

import math
import struct


def string_literal(s: str) -> str:
    """A double-quoted string literal; quotes, backslashes and control bytes escaped."""
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif b < 0x20 or b >= 0x7F:
            out.append(f"\\{b:02X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def float_literal(x: float) -> str:
    """An f64 float attribute: the shortest decimal that round-trips, always with a ``.``;
    infinities and NaN as hex bits, as MLIR writes them."""
    if not math.isfinite(x):
        bits = struct.unpack("<Q", struct.pack("<d", x))[0]
        return f"0x{bits:016X} : f64"
    r = repr(float(x))
    if "." not in r:
        mantissa, e, exponent = r.partition("e")
        r = mantissa + ".0" + e + exponent
    return f"{r} : f64"


def element_literal(x, kind: str) -> str:
    """One element of a ``dense<...>`` literal of element type ``kind`` (``f32``, ``i64``,
    ``i1``...): floats round-trip with a ``.`` and non-finite ones are hex bits of the
    element's width, as MLIR prints them."""
    if kind == "i1":
        return "true" if x else "false"
    if not kind.startswith(("f", "bf")):
        return str(int(x))
    if not math.isfinite(x):
        fmt, width = {"f64": ("<d", 16), "f32": ("<f", 8)}.get(kind, ("<e", 4))
        if kind == "bf16":
            bits = struct.unpack("<I", struct.pack("<f", x))[0] >> 16
        else:
            bits = int.from_bytes(struct.pack(fmt, x), "little")
        return f"0x{bits:0{width}X}"
    return float_literal(x).removesuffix(" : f64")


def int_literal(x: int) -> str:
    """An i64 integer attribute."""
    return f"{int(x)} : i64"
