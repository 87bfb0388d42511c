"""f32 .npy files without numpy, for lit tests of joinery-run.

    npy.py write FILE.npy D0xD1 v0 v1 ...   writes an f32 array of that shape
    npy.py close A.npy B.npy                prints `close` when every element of A is within
                                            1e-5 relative plus 1e-6 absolute of B's, else
                                            `differ` and the first pair that differs
    npy.py header FILE.npy                  prints the array's dtype and shape (`<i8 (3, 2)`)
"""
import ast
import struct
import sys


def write(path, shape, values):
    dims = tuple(int(d) for d in shape.split("x") if d)
    header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': {dims}, }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack(f"<{len(values)}f", *map(float, values)))


def header_of(data):
    (n,) = struct.unpack("<H", data[8:10])
    return n, ast.literal_eval(data[10:10 + n].decode())


def read(path):
    data = open(path, "rb").read()
    n, header = header_of(data)
    assert header["descr"] == "<f4", header
    body = data[10 + n:]
    return struct.unpack(f"<{len(body) // 4}f", body)


if sys.argv[1] == "write":
    write(sys.argv[2], sys.argv[3], sys.argv[4:])
elif sys.argv[1] == "header":
    _, header = header_of(open(sys.argv[2], "rb").read())
    print(header["descr"], header["shape"])
else:
    a, b = read(sys.argv[2]), read(sys.argv[3])
    bad = [(x, y) for x, y in zip(a, b) if abs(x - y) > 1e-6 + 1e-5 * abs(y)]
    print("close" if len(a) == len(b) and not bad else f"differ {bad[:1]}")
