// Every verification rule of the kernel dialect, one failing chunk each.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics

func.func @fused$missing_space(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{'kernel.fused' needs attribute 'space' (an array of integers)}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = []}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$unknown_out_kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{'kernel.fused' needs attribute 'out_kinds' ("store", "sum" or "max" each)}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["min"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$map_rank(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{the map of input #0 has 2 strides for a 1-dimensional space}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$out_of_bounds(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{input #0 reaches elements 2..=5 of a buffer of 4 elements}}
  "kernel.fused"(%x, %o) <{in_maps = [[2, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$operand_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{'kernel.fused' has 2 operands, expected num_inputs (2) + one per out kind (1)}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1], [0, 1]], name = "k", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$body_arg_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{body argument #0 must be a scalar f32}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f64):
    %c = kernel.cast %a : (f64) -> f32
    "kernel.yield"(%c) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$yield_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    // expected-error@+1 {{'kernel.yield' yields 2 values, expected one per output (1)}}
    "kernel.yield"(%a, %a) : (f32, f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @gemm$not_f32(%a: tensor<2x2xf64>, %b: tensor<2x2xf64>) -> tensor<2x2xf64> {
  %c = kernel.alloc {output = 0 : i64} : () -> tensor<2x2xf64>
  // expected-error@+1 {{'kernel.gemm' operand a must be f32, not f64}}
  "kernel.gemm"(%a, %b, %c) <{a_map = [0, 0, 2, 1], accumulate = false, b_map = [0, 0, 2, 1], batch = 1 : i64, c_map = [0, 0, 2, 1], k = 2 : i64, m = 2 : i64, n = 2 : i64, sources = []}> : (tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>) -> ()
  func.return %c : tensor<2x2xf64>
}

// -----

func.func @gemm$out_of_bounds(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %c = kernel.alloc {output = 0 : i64} : () -> tensor<2x2xf32>
  // expected-error@+1 {{operand b reaches elements 0..=5 of a buffer of 4 elements}}
  "kernel.gemm"(%a, %b, %c) <{a_map = [0, 0, 2, 1], accumulate = false, b_map = [0, 0, 4, 1], batch = 1 : i64, c_map = [0, 0, 2, 1], k = 2 : i64, m = 2 : i64, n = 2 : i64, sources = []}> : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> ()
  func.return %c : tensor<2x2xf32>
}

// -----

func.func @gemm$missing_accumulate(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %c = kernel.alloc {output = 0 : i64} : () -> tensor<2x2xf32>
  // expected-error@+1 {{'kernel.gemm' needs attribute 'accumulate' (a bool)}}
  "kernel.gemm"(%a, %b, %c) <{a_map = [0, 0, 2, 1], b_map = [0, 0, 2, 1], batch = 1 : i64, c_map = [0, 0, 2, 1], k = 2 : i64, m = 2 : i64, n = 2 : i64, sources = []}> : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> ()
  func.return %c : tensor<2x2xf32>
}

// -----

func.func @alloc$both_places() -> tensor<2xf32> {
  // expected-error@+1 {{'kernel.alloc' is either a result ('output') or an arena slot ('offset'), not both}}
  %c = kernel.alloc {output = 0 : i64, offset = 0 : i64} : () -> tensor<2xf32>
  func.return %c : tensor<2xf32>
}

// -----

func.func @alloc$dynamic() -> tensor<?xf32> {
  // expected-error@+1 {{the result of 'kernel.alloc' must be a statically shaped tensor buffer}}
  %c = kernel.alloc : () -> tensor<?xf32>
  func.return %c : tensor<?xf32>
}

// -----

func.func @fill$no_value(%x: tensor<2xf32>) {
  // expected-error@+1 {{'kernel.fill' needs attribute 'value' (a number)}}
  kernel.fill %x : (tensor<2xf32>) -> ()
  func.return
}

// -----

func.func @cmp$predicate(%x: tensor<2xf32>) -> tensor<2xi1> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<2xi1>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [2]}> ({
  ^bb0(%a: f32):
    // expected-error@+1 {{'kernel.cmp' needs attribute 'predicate' (one of eq, ne, lt, le, gt, ge)}}
    %c = kernel.cmp %a, %a {predicate = "ult"} : (f32, f32) -> i1
    "kernel.yield"(%c) : (i1) -> ()
  }) : (tensor<2xf32>, tensor<2xi1>) -> ()
  func.return %o : tensor<2xi1>
}

// -----

func.func @scalar$arity(%x: tensor<2xf32>) -> tensor<2xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<2xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [2]}> ({
  ^bb0(%a: f32):
    // expected-error@+1 {{'kernel.add' takes 2 operands and has one result}}
    %c = kernel.add %a : (f32) -> f32
    "kernel.yield"(%c) : (f32) -> ()
  }) : (tensor<2xf32>, tensor<2xf32>) -> ()
  func.return %o : tensor<2xf32>
}

// -----

func.func @fused$phases_do_not_split_operands(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
  // expected-error@+1 {{'phases' must split the 1 inputs and 1 outputs between at least two phases}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 8, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], outer = 1 : i64, phases = [[1, 1], [1, 0]], sources = [], space = [4, 8]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }, {
  ^bb0(%a: f32):
    "kernel.yield"() : () -> ()
  }) : (tensor<4x8xf32>, tensor<4x8xf32>) -> ()
  func.return %o : tensor<4x8xf32>
}

// -----

func.func @fused$outer_covers_every_dim(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
  // expected-error@+1 {{'outer' of a row kernel must leave both outer and inner dims: 1 <= 2 < 2}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 8, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], outer = 2 : i64, phases = [[1, 0], [0, 1]], sources = [], space = [4, 8]}> ({
  ^bb0(%a: f32):
    "kernel.yield"() : () -> ()
  }, {
  ^bb0:
    %c = kernel.const {value = 1.0 : f64} : () -> f32
    "kernel.yield"(%c) : (f32) -> ()
  }) : (tensor<4x8xf32>, tensor<4x8xf32>) -> ()
  func.return %o : tensor<4x8xf32>
}

// -----

func.func @fused$one_region_per_phase(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
  // expected-error@+1 {{'kernel.fused' has 1 regions, expected one per phase (2)}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 8, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], outer = 1 : i64, phases = [[1, 0], [0, 1]], sources = [], space = [4, 8]}> ({
  ^bb0(%a: f32):
    "kernel.yield"() : () -> ()
  }) : (tensor<4x8xf32>, tensor<4x8xf32>) -> ()
  func.return %o : tensor<4x8xf32>
}
