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

func.func @scalar$operand_types(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    %i = kernel.index {dim = 0 : i64} : () -> i64
    // expected-error@+1 {{'kernel.add' takes operands of its result type}}
    %c = kernel.add %a, %i : (f32, i64) -> f32
    "kernel.yield"(%c) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
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

func.func @scalar$float_op_on_int(%x: tensor<4xi64>) -> tensor<4xi64> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xi64>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: i64):
    // expected-error@+1 {{'kernel.exp' is not defined on i64}}
    %c = kernel.exp %a : (i64) -> i64
    "kernel.yield"(%c) : (i64) -> ()
  }) : (tensor<4xi64>, tensor<4xi64>) -> ()
  func.return %o : tensor<4xi64>
}

// -----

func.func @scalar$int_division(%x: tensor<4xi64>) -> tensor<4xi64> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xi64>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: i64):
    // expected-error@+1 {{'kernel.div' needs attribute 'site' (the op and position a zero divisor's error names)}}
    %c = kernel.div %a, %a : (i64, i64) -> i64
    "kernel.yield"(%c) : (i64) -> ()
  }) : (tensor<4xi64>, tensor<4xi64>) -> ()
  func.return %o : tensor<4xi64>
}

// -----

func.func @scalar$bool_arithmetic(%x: tensor<4xi1>) -> tensor<4xi1> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xi1>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: i1):
    // expected-error@+1 {{'kernel.add' is not defined on i1}}
    %c = kernel.add %a, %a : (i1, i1) -> i1
    "kernel.yield"(%c) : (i1) -> ()
  }) : (tensor<4xi1>, tensor<4xi1>) -> ()
  func.return %o : tensor<4xi1>
}

// -----

func.func @cmp$operand_types(%x: tensor<4xf32>) -> tensor<4xi1> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xi1>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    %i = kernel.index {dim = 0 : i64} : () -> i64
    // expected-error@+1 {{'kernel.cmp' compares two operands of one type}}
    %c = kernel.cmp %a, %i {predicate = "lt"} : (f32, i64) -> i1
    "kernel.yield"(%c) : (i1) -> ()
  }) : (tensor<4xf32>, tensor<4xi1>) -> ()
  func.return %o : tensor<4xi1>
}

// -----

func.func @cmp$result_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    // expected-error@+1 {{'kernel.cmp' yields an i1}}
    %c = kernel.cmp %a, %a {predicate = "lt"} : (f32, f32) -> f32
    "kernel.yield"(%c) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @select$condition_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    %i = kernel.index {dim = 0 : i64} : () -> i64
    // expected-error@+1 {{'kernel.select' selects by an i1 condition}}
    %c = kernel.select %i, %a, %a : (i64, f32, f32) -> f32
    "kernel.yield"(%c) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @select$branch_types(%x: tensor<4xf32>, %m: tensor<4xi1>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %m, %o) <{in_maps = [[0, 1], [0, 1]], name = "k", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32, %b: i1):
    %i = kernel.index {dim = 0 : i64} : () -> i64
    // expected-error@+1 {{'kernel.select' selects between two values of its result type}}
    %c = kernel.select %b, %a, %i : (i1, f32, i64) -> f32
    "kernel.yield"(%c) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xi1>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @index$result_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    // expected-error@+1 {{'kernel.index' yields an i64}}
    %i = kernel.index {dim = 0 : i64} : () -> f32
    "kernel.yield"(%i) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @index$dim_beyond_space(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    // expected-error@+1 {{'kernel.index' of dim 1 in a kernel over a 1-dimensional space}}
    %i = kernel.index {dim = 1 : i64} : () -> i64
    %f = kernel.cast %i : (i64) -> f32
    "kernel.yield"(%f) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @scalar$outside_a_body() {
  // expected-error@+1 {{'kernel.const' may appear only in a 'kernel.fused' body}}
  %c = kernel.const {value = 1.0 : f64} : () -> f32
  func.return
}

// -----

func.func @yield$outside_a_body() {
  // expected-error@+1 {{'kernel.yield' ends a 'kernel.fused' body and may appear nowhere else}}
  "kernel.yield"() : () -> ()
}

// -----

// Bodies are isolated from above: the outer names are not in scope.
func.func @fused$value_from_above(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    %c = kernel.add %a, %a : (f32, f32) -> f32
    "kernel.yield"(%c) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k2", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    // expected-error@+1 {{use of undefined value '%x'}}
    "kernel.yield"(%x) : (tensor<4xf32>) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$non_scalar_op_in_body(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    // expected-error@+1 {{'kernel.fused' bodies hold only scalar kernel ops, not 'kernel.alloc'}}
    %b = kernel.alloc : () -> tensor<4xf32>
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$sum_of_bool(%x: tensor<4xi1>) -> tensor<1xi1> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1xi1>
  kernel.fill %o {value = 0.0 : f64} : (tensor<1xi1>) -> ()
  // expected-error@+1 {{output #0 accumulates ("sum") into i1, which has no sum, max or product}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 0]], sources = [], space = [4]}> ({
  ^bb0(%a: i1):
    "kernel.yield"(%a) : (i1) -> ()
  }) : (tensor<4xi1>, tensor<1xi1>) -> ()
  func.return %o : tensor<1xi1>
}

// -----

func.func @fused$store_broadcast(%x: tensor<4xf32>) -> tensor<1xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1xf32>
  // expected-error@+1 {{stored output #0 has stride 0 along dim 0 of the space: it would write its elements 4 times (only "sum" and "max" outputs reduce)}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 0]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<1xf32>) -> ()
  func.return %o : tensor<1xf32>
}

// -----

func.func @fused$overlapping_map(%x: tensor<2x2xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{the map of output #0 sends different points of the space to one element}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 2, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1, 1]], sources = [], space = [2, 2]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<2x2xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$partial_sum_overlap(%x: tensor<4x4xf32>) -> tensor<8xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<8xf32>
  kernel.fill %o {value = 0.0 : f64} : (tensor<8xf32>) -> ()
  // expected-error@+1 {{the map of output #0 sends different points of the space to one element}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 4, 1, 0]], name = "k", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 1, 1, 0]], sources = [], space = [4, 4, 2]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4x4xf32>, tensor<8xf32>) -> ()
  func.return %o : tensor<8xf32>
}

// -----

func.func @fused$in_place(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  kernel.fill %o {value = 1.0 : f64} : (tensor<4xf32>) -> ()
  // expected-error@+1 {{output #0 of 'kernel.fused' is also its input #0; kernels do not write in place}}
  "kernel.fused"(%o, %o) <{in_maps = [[3, -1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$output_twice(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{output #1 of 'kernel.fused' is the buffer of an earlier output}}
  "kernel.fused"(%x, %o, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store", "store"], out_maps = [[0, 1], [0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a, %a) : (f32, f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$writes_an_argument(%x: tensor<4xf32>, %y: tensor<4xf32>) {
  // expected-error@+1 {{output #0 of 'kernel.fused' is written, so it must be a buffer made by 'kernel.alloc' (arguments are only read)}}
  "kernel.fused"(%x, %y) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return
}

// -----

func.func @fused$map_overflow(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{the map of input #0 overflows 64-bit index arithmetic}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 4611686018427387904]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$name_not_a_symbol(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{'kernel.fused' name "a b" is not a symbol (letters, digits, '_' and '$', not starting with a digit)}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "a b", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @fused$element_type(%x: tensor<4xf16>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  // expected-error@+1 {{input #0 of 'kernel.fused' has element type f16; kernels handle f32, f64, i64, i32 and i1}}
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf16>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @gemm$c_is_a(%a: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %c = kernel.alloc {output = 0 : i64} : () -> tensor<2x2xf32>
  kernel.fill %c {value = 1.0 : f64} : (tensor<2x2xf32>) -> ()
  // expected-error@+1 {{'kernel.gemm' writes c, which must be another buffer than a and b}}
  "kernel.gemm"(%c, %a, %c) <{a_map = [0, 0, 2, 1], accumulate = false, b_map = [0, 0, 2, 1], batch = 1 : i64, c_map = [0, 0, 2, 1], k = 2 : i64, m = 2 : i64, n = 2 : i64, sources = []}> : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> ()
  func.return %c : tensor<2x2xf32>
}

// -----

func.func @gemm$c_broadcast(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %c = kernel.alloc {output = 0 : i64} : () -> tensor<2x2xf32>
  // expected-error@+1 {{'kernel.gemm' c_map writes some element of c more than once}}
  "kernel.gemm"(%a, %b, %c) <{a_map = [0, 0, 2, 1], accumulate = false, b_map = [0, 0, 2, 1], batch = 1 : i64, c_map = [0, 0, 0, 1], k = 2 : i64, m = 2 : i64, n = 2 : i64, sources = []}> : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> ()
  func.return %c : tensor<2x2xf32>
}

// -----

// expected-error@+1 {{a tensor of shape 1099511627776x1099511627776 holds more than 2^63 bytes}}
func.func @alloc$too_large() -> tensor<1099511627776x1099511627776xf32> {
  // expected-error@+1 {{the result of 'kernel.alloc' is too large (more than 2^63 bytes)}}
  %c = kernel.alloc {output = 0 : i64} : () -> tensor<1099511627776x1099511627776xf32>
  func.return %c : tensor<1099511627776x1099511627776xf32>
}

// -----

func.func @alloc$output_not_returned() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kernel.alloc {output = 0 : i64} : () -> tensor<2xf32>
  // expected-error@+1 {{'kernel.alloc' with output = 0 must be result #0 of the function's return}}
  %b = kernel.alloc {output = 0 : i64} : () -> tensor<2xf32>
  kernel.fill %a {value = 0.0 : f64} : (tensor<2xf32>) -> ()
  kernel.fill %b {value = 0.0 : f64} : (tensor<2xf32>) -> ()
  func.return %a, %b : tensor<2xf32>, tensor<2xf32>
}

// -----

func.func @alloc$misaligned_offset() {
  // expected-error@+1 {{'kernel.alloc' offset 6 is not a multiple of the f64 element size (8 bytes)}}
  %a = kernel.alloc {offset = 6 : i64} : () -> tensor<2xf64>
  func.return
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

// -----

func.func @scalar$float_shift(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    // expected-error@+1 {{'kernel.shr' is not defined on f32}}
    %c = kernel.shr %a, %a : (f32, f32) -> f32
    "kernel.yield"(%c) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}

// -----

func.func @gather$float_index(%w: tensor<10x4xf32>, %i: tensor<3xf32>) -> tensor<3x4xf32> {
  %e = kernel.alloc {output = 0 : i64} : () -> tensor<3x4xf32>
  // expected-error@+1 {{index 0 of 'kernel.gather' must be an i64 or i32 buffer, not f32}}
  "kernel.gather"(%w, %i, %e) <{bounds = [10], dims = [0], index_maps = [[0, 1, 0]], index_strides = [4], out_map = [0, 4, 1], source = "aten.embedding", space = [3, 4], src_map = [0, 0, 1], wrap = false}> : (tensor<10x4xf32>, tensor<3xf32>, tensor<3x4xf32>) -> ()
  func.return %e : tensor<3x4xf32>
}

// -----

func.func @gather$bound_past_the_buffer(%w: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  %e = kernel.alloc {output = 0 : i64} : () -> tensor<3x4xf32>
  // expected-error@+1 {{src reaches elements 0..=43 of a buffer of 40 elements}}
  "kernel.gather"(%w, %i, %e) <{bounds = [11], dims = [0], index_maps = [[0, 1, 0]], index_strides = [4], out_map = [0, 4, 1], source = "aten.embedding", space = [3, 4], src_map = [0, 0, 1], wrap = false}> : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> ()
  func.return %e : tensor<3x4xf32>
}

// -----

func.func @gather$missing_wrap(%w: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  %e = kernel.alloc {output = 0 : i64} : () -> tensor<3x4xf32>
  // expected-error@+1 {{'kernel.gather' needs attribute 'wrap' (a bool)}}
  "kernel.gather"(%w, %i, %e) <{bounds = [10], dims = [0], index_maps = [[0, 1, 0]], index_strides = [4], out_map = [0, 4, 1], source = "aten.embedding", space = [3, 4], src_map = [0, 0, 1]}> : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> ()
  func.return %e : tensor<3x4xf32>
}

// -----

func.func @gather$out_written_twice(%w: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  %e = kernel.alloc {output = 0 : i64} : () -> tensor<3x4xf32>
  // expected-error@+1 {{'kernel.gather' out_map writes some element of out more than once}}
  "kernel.gather"(%w, %i, %e) <{bounds = [10], dims = [0], index_maps = [[0, 1, 0]], index_strides = [4], out_map = [0, 0, 1], source = "aten.embedding", space = [3, 4], src_map = [0, 0, 1], wrap = false}> : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> ()
  func.return %e : tensor<3x4xf32>
}

// -----

func.func @scatter$reduce_without_accumulate(%s: tensor<3xf32>, %i: tensor<3xi64>) -> tensor<5xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<5xf32>
  kernel.fill %o {value = 0.0 : f64} : (tensor<5xf32>) -> ()
  // expected-error@+1 {{'kernel.scatter' needs attribute 'reduce' (one of sum, prod, max, min, on an accumulating scatter)}}
  "kernel.scatter"(%s, %i, %o) <{accumulate = false, bounds = [5], dims = [0], index_maps = [[0, 1]], index_strides = [1], out_map = [0, 0], reduce = "max", source = "aten.scatter_reduce.two", space = [3], src_map = [0, 1], wrap = true}> : (tensor<3xf32>, tensor<3xi64>, tensor<5xf32>) -> ()
  func.return %o : tensor<5xf32>
}

// -----

func.func @scatter$unknown_reduce(%s: tensor<3xf32>, %i: tensor<3xi64>) -> tensor<5xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<5xf32>
  kernel.fill %o {value = 0.0 : f64} : (tensor<5xf32>) -> ()
  // expected-error@+1 {{'kernel.scatter' needs attribute 'reduce' (one of sum, prod, max, min, on an accumulating scatter)}}
  "kernel.scatter"(%s, %i, %o) <{accumulate = true, bounds = [5], dims = [0], index_maps = [[0, 1]], index_strides = [1], out_map = [0, 0], reduce = "mean", source = "aten.scatter_reduce.two", space = [3], src_map = [0, 1], wrap = true}> : (tensor<3xf32>, tensor<3xi64>, tensor<5xf32>) -> ()
  func.return %o : tensor<5xf32>
}

// -----

func.func @scatter$bool_accumulate(%s: tensor<3xi1>, %i: tensor<3xi64>) -> tensor<5xi1> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<5xi1>
  kernel.fill %o {value = 0.0 : f64} : (tensor<5xi1>) -> ()
  // expected-error@+1 {{'kernel.scatter' cannot accumulate i1 elements}}
  "kernel.scatter"(%s, %i, %o) <{accumulate = true, bounds = [5], dims = [0], index_maps = [[0, 1]], index_strides = [1], out_map = [0, 0], source = "aten.index_put", space = [3], src_map = [0, 1], wrap = true}> : (tensor<3xi1>, tensor<3xi64>, tensor<5xi1>) -> ()
  func.return %o : tensor<5xi1>
}

// -----

func.func @argsort$k_past_the_lane(%x: tensor<3x4xf32>) -> tensor<3x5xi64> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<3x5xi64>
  // expected-error@+1 {{'kernel.argsort' k = 5 exceeds the lane's 4 elements}}
  "kernel.argsort"(%x, %o) <{descending = false, k = 5 : i64, out_map = [0, 5, 1], source = "aten.topk", space = [3, 4], src_map = [0, 4, 1]}> : (tensor<3x4xf32>, tensor<3x5xi64>) -> ()
  func.return %o : tensor<3x5xi64>
}

// -----

func.func @cumsum$mixed_types(%x: tensor<4xi32>) -> tensor<4xi64> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xi64>
  // expected-error@+1 {{'kernel.cumsum' needs src and out of one type other than i1, not i32 and i64}}
  "kernel.cumsum"(%x, %o) <{out_map = [0, 1], source = "aten.cumsum", space = [4], src_map = [0, 1]}> : (tensor<4xi32>, tensor<4xi64>) -> ()
  func.return %o : tensor<4xi64>
}

// -----

func.func @fft$unknown_kind(%x: tensor<4xf32>) -> tensor<3x2xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<3x2xf32>
  // expected-error@+1 {{'kernel.fft' needs attribute 'kind' ("r2c", "c2r" or "c2c")}}
  "kernel.fft"(%x, %o) <{dims = [0], kind = "dct", normalization = 0 : i64, shape = [4], source = "aten._fft_r2c"}> : (tensor<4xf32>, tensor<3x2xf32>) -> ()
  func.return %o : tensor<3x2xf32>
}

// -----

func.func @fft$wrong_out_size(%x: tensor<4xf32>) -> tensor<4x2xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4x2xf32>
  // expected-error@+1 {{out of 'kernel.fft' holds 8 elements, the transform needs 6}}
  "kernel.fft"(%x, %o) <{dims = [0], kind = "r2c", normalization = 0 : i64, onesided = true, shape = [4], source = "aten._fft_r2c"}> : (tensor<4xf32>, tensor<4x2xf32>) -> ()
  func.return %o : tensor<4x2xf32>
}

// -----

func.func @fft$short_c2r_input(%x: tensor<2x2xf32>) -> tensor<8xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<8xf32>
  // expected-error@+1 {{'kernel.fft' of 8 real points needs 5 complex entries along dim 0}}
  "kernel.fft"(%x, %o) <{dims = [0], kind = "c2r", last_dim_size = 8 : i64, normalization = 0 : i64, shape = [2], source = "aten._fft_c2r"}> : (tensor<2x2xf32>, tensor<8xf32>) -> ()
  func.return %o : tensor<8xf32>
}

// -----

func.func @nonzero$short_out(%x: tensor<3x4xf32>) -> tensor<?x2xi64> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<11x2xi64>
  %n = kernel.alloc {offset = 0 : i64} : () -> tensor<i64>
  // expected-error@+1 {{out of 'kernel.nonzero' must be an i64 buffer of shape [12, 2], not [11, 2] of i64}}
  "kernel.nonzero"(%x, %o, %n) <{source = "aten.nonzero", space = [3, 4], src_map = [0, 4, 1]}> : (tensor<3x4xf32>, tensor<11x2xi64>, tensor<i64>) -> ()
  %r = kernel.rows %o, %n : (tensor<11x2xi64>, tensor<i64>) -> tensor<?x2xi64>
  func.return %r : tensor<?x2xi64>
}

// -----

func.func @rows$read_by_a_kernel(%x: tensor<3x4xf32>) -> tensor<12x2xi64> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<12x2xi64>
  %n = kernel.alloc {offset = 0 : i64} : () -> tensor<i64>
  %p = kernel.alloc {offset = 64 : i64} : () -> tensor<12x2xi64>
  "kernel.nonzero"(%x, %p, %n) <{source = "aten.nonzero", space = [3, 4], src_map = [0, 4, 1]}> : (tensor<3x4xf32>, tensor<12x2xi64>, tensor<i64>) -> ()
  // expected-error@+1 {{'kernel.rows' has a run-time extent, so only the function's return may use it}}
  %r = kernel.rows %p, %n : (tensor<12x2xi64>, tensor<i64>) -> tensor<?x2xi64>
  // expected-error@+1 {{src of 'kernel.cumsum' must be a statically shaped tensor buffer}}
  "kernel.cumsum"(%r, %o) <{out_map = [0, 2, 1], source = "aten.cumsum", space = [12, 2], src_map = [0, 2, 1]}> : (tensor<?x2xi64>, tensor<12x2xi64>) -> ()
  func.return %o : tensor<12x2xi64>
}

// -----

func.func @conv$unknown_pass(%x: tensor<1x2x5xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x3xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1x3x3xf32>
  // expected-error@+1 {{'kernel.conv' needs attribute 'pass' ("forward", "backward_data" or "backward_weights")}}
  "kernel.conv"(%x, %w, %o) <{bias = false, dilation = [1], engine = "onednn", groups = 1 : i64, input = [1, 2, 5], output = [1, 3, 3], padding = [0], pass = "sideways", source = "aten.convolution", stride = [1], weight = [3, 2, 3]}> : (tensor<1x2x5xf32>, tensor<3x2x3xf32>, tensor<1x3x3xf32>) -> ()
  func.return %o : tensor<1x3x3xf32>
}

// -----

func.func @conv$unknown_engine(%x: tensor<1x2x5xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x3xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1x3x3xf32>
  // expected-error@+1 {{'kernel.conv' needs attribute 'engine' ("onednn" or "direct")}}
  "kernel.conv"(%x, %w, %o) <{bias = false, dilation = [1], engine = "cudnn", groups = 1 : i64, input = [1, 2, 5], output = [1, 3, 3], padding = [0], pass = "forward", source = "aten.convolution", stride = [1], weight = [3, 2, 3]}> : (tensor<1x2x5xf32>, tensor<3x2x3xf32>, tensor<1x3x3xf32>) -> ()
  func.return %o : tensor<1x3x3xf32>
}

// -----

func.func @conv$no_stride_per_dim(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1x3x3x3xf32>
  // expected-error@+1 {{'kernel.conv' needs input [1, 2, 5, 5], weight [3, 2, 3, 3] and output [1, 3, 3, 3] of one rank from 3 to 5 and a stride, padding and dilation per spatial dim}}
  "kernel.conv"(%x, %w, %o) <{bias = false, dilation = [1, 1], engine = "onednn", groups = 1 : i64, input = [1, 2, 5, 5], output = [1, 3, 3, 3], padding = [0, 0], pass = "forward", source = "aten.convolution", stride = [1], weight = [3, 2, 3, 3]}> : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<1x3x3x3xf32>) -> ()
  func.return %o : tensor<1x3x3x3xf32>
}

// -----

func.func @conv$bias_operand_missing(%x: tensor<1x2x5xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x3xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1x3x3xf32>
  // expected-error@+1 {{'kernel.conv' of pass "forward" (bias true) takes 4 buffers and has no results}}
  "kernel.conv"(%x, %w, %o) <{bias = true, dilation = [1], engine = "onednn", groups = 1 : i64, input = [1, 2, 5], output = [1, 3, 3], padding = [0], pass = "forward", source = "aten.convolution", stride = [1], weight = [3, 2, 3]}> : (tensor<1x2x5xf32>, tensor<3x2x3xf32>, tensor<1x3x3xf32>) -> ()
  func.return %o : tensor<1x3x3xf32>
}

// -----

func.func @conv$backward_data_bias(%gy: tensor<1x3x3xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x2x5xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1x2x5xf32>
  // expected-error@+1 {{'kernel.conv' of pass "backward_data" has no bias}}
  "kernel.conv"(%gy, %w, %o) <{bias = true, dilation = [1], engine = "onednn", groups = 1 : i64, input = [1, 2, 5], output = [1, 3, 3], padding = [0], pass = "backward_data", source = "aten.convolution_backward", stride = [1], weight = [3, 2, 3]}> : (tensor<1x3x3xf32>, tensor<3x2x3xf32>, tensor<1x2x5xf32>) -> ()
  func.return %o : tensor<1x2x5xf32>
}

// -----

func.func @conv$weight_gradient_without_room_for_the_bias(%x: tensor<1x2x5xf32>, %gy: tensor<1x3x3xf32>) -> tensor<3x2x3xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<3x2x3xf32>
  // expected-error@+1 {{operand #2 of 'kernel.conv' must be an f32 buffer of 21 elements ([21]), not 18 of f32}}
  "kernel.conv"(%x, %gy, %o) <{bias = true, dilation = [1], engine = "onednn", groups = 1 : i64, input = [1, 2, 5], output = [1, 3, 3], padding = [0], pass = "backward_weights", source = "aten.convolution_backward", stride = [1], weight = [3, 2, 3]}> : (tensor<1x2x5xf32>, tensor<1x3x3xf32>, tensor<3x2x3xf32>) -> ()
  func.return %o : tensor<3x2x3xf32>
}

// -----

func.func @conv$f64(%x: tensor<1x2x5xf64>, %w: tensor<3x2x3xf64>) -> tensor<1x3x3xf64> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1x3x3xf64>
  // expected-error@+1 {{operand #0 of 'kernel.conv' must be an f32 buffer of 10 elements ([1, 2, 5]), not 10 of f64}}
  "kernel.conv"(%x, %w, %o) <{bias = false, dilation = [1], engine = "onednn", groups = 1 : i64, input = [1, 2, 5], output = [1, 3, 3], padding = [0], pass = "forward", source = "aten.convolution", stride = [1], weight = [3, 2, 3]}> : (tensor<1x2x5xf64>, tensor<3x2x3xf64>, tensor<1x3x3xf64>) -> ()
  func.return %o : tensor<1x3x3xf64>
}

// -----

func.func @conv$writes_an_argument(%x: tensor<1x2x5xf32>, %w: tensor<3x2x3xf32>, %o: tensor<1x3x3xf32>) -> tensor<1x3x3xf32> {
  // expected-error@+1 {{operand #2 of 'kernel.conv' is written, so it must be a buffer made by 'kernel.alloc' (arguments are only read)}}
  "kernel.conv"(%x, %w, %o) <{bias = false, dilation = [1], engine = "onednn", groups = 1 : i64, input = [1, 2, 5], output = [1, 3, 3], padding = [0], pass = "forward", source = "aten.convolution", stride = [1], weight = [3, 2, 3]}> : (tensor<1x2x5xf32>, tensor<3x2x3xf32>, tensor<1x3x3xf32>) -> ()
  func.return %o : tensor<1x3x3xf32>
}
