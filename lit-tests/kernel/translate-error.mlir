// What the LLVM translation and the runtime plans reject beyond each op's verifier: every
// input is an error naming its op, never a crash or a wrong answer.
// RUN: not joinery-translate %S/Inputs/translate-error-duplicate-name.mlir --to-llvm 2>&1 | FileCheck %s --check-prefix=DUP
// RUN: not joinery-translate %S/Inputs/translate-error-reserved-name.mlir --to-llvm 2>&1 | FileCheck %s --check-prefix=RESERVED
// RUN: not joinery-translate %S/Inputs/translate-error-read-before-write.mlir --to-llvm 2>&1 | FileCheck %s --check-prefix=UNWRITTEN
// RUN: not joinery-translate %S/Inputs/translate-error-arena-overlap.mlir --to-llvm 2>&1 | FileCheck %s --check-prefix=OVERLAP
// RUN: not joinery-translate %S/Inputs/translate-error-result-not-output.mlir --to-llvm 2>&1 | FileCheck %s --check-prefix=RESULT
// RUN: not joinery-translate %S/Inputs/translate-error-foreign-op.mlir --to-llvm 2>&1 | FileCheck %s --check-prefix=FOREIGN
// RUN: not joinery-translate %S/Inputs/translate-error-rng-arguments.mlir --to-llvm 2>&1 | FileCheck %s --check-prefix=RNG

// The runtime finds kernels by name.
// DUP: translate-error-duplicate-name.mlir:8:3: error: two kernels are named "k"; kernel names are symbols and must be unique in the module
// DUP: :4:3: note: the first one

// A kernel named like a C math function other kernels call.
// RESERVED: translate-error-reserved-name.mlir:3:3: error: kernel name "expf" is a symbol the generated code uses; rename the kernel

// A sum into an arena slot no fill initialised (it holds an earlier buffer's bytes).
// UNWRITTEN: translate-error-read-before-write.mlir:4:3: error: 'kernel.fused' reads a buffer before anything writes it
// UNWRITTEN: :2:3: note: the buffer

// A hand-written plan putting two live buffers on the same bytes.
// OVERLAP: translate-error-arena-overlap.mlir:3:3: error: this buffer (arena bytes 8..24) overlaps another one alive at the same time (bytes 0..16)
// OVERLAP: :2:3: note: the other buffer

// The runtime hands back the buffer it made for result #0, so the function must return it.
// RESULT: translate-error-result-not-output.mlir:7:3: error: result #0 of an L3 function must be the buffer of `kernel.alloc {output = 0}`

// A planned L3 function is translated as it is: an aten op left in it would be skipped.
// FOREIGN: translate-error-foreign-op.mlir:3:3: error: the native backend cannot run 'aten.relu' in an L3 function

// Random ops read their seed and first stream from the last two arguments, which the
// runtime supplies: a function marked so must have them.
// RNG: translate-error-rng-arguments.mlir:1:1: error: @f: its random state must be its last two inputs, 0-d i64 tensors
