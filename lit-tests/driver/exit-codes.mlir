// Bad input of every kind is an error diagnostic and exit status 1, never a crash.

// RUN: %python -c "print('garbage @@@ {{{ ### !!')" > %t.garbage
// RUN: %python %S/Inputs/exit-code.py joinery-opt %t.garbage | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: error:
// GARBAGE-NOT: internal error
// GARBAGE: exit code: 1

// RUN: %python -c "import sys; d = open(sys.argv[1]).read(); sys.stdout.write(d[:d.index('TRUNCATE' + ' HERE')])" %s > %t.truncated
// RUN: %python %S/Inputs/exit-code.py joinery-opt --allow-unregistered-dialect %t.truncated | FileCheck %s --check-prefix=TRUNCATED
// TRUNCATED: error:
// TRUNCATED-NOT: internal error
// TRUNCATED: exit code: 1

// RUN: %python -c "import sys; sys.stdout.buffer.write(bytes(range(256)) * 64)" > %t.binary
// RUN: %python %S/Inputs/exit-code.py joinery-opt %t.binary | FileCheck %s --check-prefix=BINARY
// BINARY: error: the input is not valid UTF-8 text
// BINARY: exit code: 1

// The other tools locate the first byte that is not UTF-8 alike (line 2, column 3).
// RUN: %python -c "import sys; sys.stdout.buffer.write(b'func.func @f() {\n  \xff\n}\n')" > %t.latin
// RUN: not joinery-translate --to-kernels %t.latin 2>&1 | FileCheck %s --check-prefix=LATIN
// RUN: not joinery-translate --to-kernels - < %t.latin 2>&1 | FileCheck %s --check-prefix=LATIN
// RUN: not joinery-run --interpret %t.latin --fn f --inputs %t --outputs %t 2>&1 | FileCheck %s --check-prefix=LATIN
// LATIN: :2:3: error: the input is not valid UTF-8 text

// One megabyte of unbalanced brackets.
// RUN: %python -c "print('\"x.y\"() {a = ' + '[' * 1000000 + '} : () -> ()')" > %t.open
// RUN: %python %S/Inputs/exit-code.py joinery-opt --allow-unregistered-dialect %t.open | FileCheck %s --check-prefix=OPEN
// OPEN: error:
// OPEN-NOT: internal error
// OPEN: exit code: 1

// One megabyte of balanced brackets: an error or a success, but no crash.
// RUN: %python -c "print('\"x.y\"() {a = ' + '[' * 500000 + ']' * 500000 + '} : () -> ()')" > %t.nested
// RUN: %python %S/Inputs/exit-code.py joinery-opt --allow-unregistered-dialect %t.nested | FileCheck %s --check-prefix=NESTED
// NESTED-NOT: internal error
// NESTED: exit code: {{[01]$}}

// A missing input file.
// RUN: %python %S/Inputs/exit-code.py joinery-opt %t.does-not-exist | FileCheck %s --check-prefix=MISSING
// MISSING: error: cannot open input file '{{.*}}does-not-exist'
// MISSING: exit code: 1

// An unknown flag is a usage error.
// RUN: %python %S/Inputs/exit-code.py joinery-opt --no-such-flag %s | FileCheck %s --check-prefix=USAGE
// USAGE: error: unexpected argument '--no-such-flag'
// USAGE: exit code: 1

// An unknown pass in a pipeline.
// RUN: %python %S/Inputs/exit-code.py joinery-opt -p 'builtin.module(no-such-pass)' %s | FileCheck %s --check-prefix=PIPELINE
// PIPELINE: error: 'no-such-pass' does not refer to a registered pass or pass pipeline
// PIPELINE: exit code: 1

// Valid input exits 0.
// RUN: %python %S/Inputs/exit-code.py joinery-opt --allow-unregistered-dialect %s | FileCheck %s --check-prefix=OK
// OK-NOT: error
// OK: exit code: 0

func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %b = "test.op"(%a) {attr = [1, 2, 3]} : (tensor<4xf32>) -> tensor<4xf32>
  // TRUNCATE HERE: the truncated input stops in the middle of this function.
  func.return %b : tensor<4xf32>
}
