// --pass-statistics and --timing report on stderr after the run.
// RUN: joinery-opt %s --cse --dce --pass-statistics --timing -o /dev/null 2>&1 | FileCheck %s

// CHECK: ... Pass statistics report ...
// CHECK: CSE
// CHECK-NEXT: (S) 1 num-cse'd - Number of operations CSE'd
// CHECK: DCE
// CHECK-NEXT: (S) 1 num-erased - Number of dead ops erased
// CHECK: ... Execution time report ...
// CHECK: Total Execution Time: {{[0-9.]+}} seconds
// CHECK: ------Wall Time------  ----Name----
// CHECK-NEXT: {{[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]}} ({{ *[0-9.]+}}%)  Parser
// CHECK-NEXT: {{[0-9.]+}} ({{ *[0-9.]+}}%)  Verifier
// CHECK-NEXT: {{[0-9.]+}} ({{ *[0-9.]+}}%)  CSE
// CHECK-NEXT: {{[0-9.]+}} ({{ *[0-9.]+}}%)  DCE
// CHECK-NEXT: {{[0-9.]+}} ({{ *[0-9.]+}}%)  Output
// CHECK-NEXT: {{[0-9.]+}} ({{ *[0-9.]+}}%)  Rest
// CHECK-NEXT: {{[0-9.]+}} (100.0%)  Total

func.func @dup(%a: tensor<4xf32>) -> tensor<4xf32> {
  %n1 = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %n2 = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %unused = aten.add.Tensor %n1, %n2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %n2 : tensor<4xf32>
}
