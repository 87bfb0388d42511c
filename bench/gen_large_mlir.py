#!/usr/bin/env python3
"""Writes a generic-form function with N ops (default 200,000; about 8 MB) for timing
the parser and printer, e.g. against `mlir-opt --allow-unregistered-dialect`.

Usage: gen_large_mlir.py [N] > big.mlir
"""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
out = sys.stdout
out.write("func.func @big(%arg0: f32, %arg1: f32) -> f32 {\n")
a, b = "%arg0", "%arg1"
for i in range(n - 1):
    if i % 2:
        out.write(f'  %{i} = "t.add"({a}, {b}) : (f32, f32) -> f32\n')
    else:
        attr = f" {{k = {i % 7} : i64}}" if i % 10 == 0 else ""
        out.write(f'  %{i} = "t.neg"({a}){attr} : (f32) -> f32\n')
    a, b = f"%{i}", a
out.write(f"  func.return {a} : f32\n}}\n")
