// An error at an op whose location names a Python line shows that line too (read from
// the file when it exists, relative to the working directory as the path was written),
// and names "the backward of" it for an op of the backward; without the file, the note
// names the position alone.
// RUN: cd %S/Inputs && not joinery-opt %s --split-input-file 2>&1 | FileCheck %s
// RUN: cd %S && not joinery-opt %s --split-input-file 2>&1 | FileCheck %s --check-prefix=NOFILE

// CHECK: python-locations-error.mlir:[[#@LINE+4]]:3: error: aten.mm: operand shapes 2x3 and 4x5 are incompatible (3 != 4)
// CHECK: model.py:10:9: note: the op comes from this line
// CHECK: y = self.fc(x)
func.func @forward(%x: tensor<2x3xf32>, %w: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %0 = aten.mm %x, %w : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32> loc("model.py":10:9)
  func.return %0 : tensor<2x5xf32>
}

// -----

// CHECK: error: aten.mm: operand shapes 3x2 and 3x4 are incompatible (2 != 3)
// CHECK: model.py:10:9: note: the op is part of the backward of this line
// NOFILE: note: the op is part of the backward of model.py:10:9
func.func @backward(%g: tensor<3x2xf32>, %x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = aten.mm %g, %x : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<3x4xf32> loc(fused<"backward">["model.py":10:9])
  func.return %0 : tensor<3x4xf32>
}
