// --help lists every flag of the driver and every registered pass.
// RUN: joinery-opt --help | FileCheck %s

// CHECK: Usage: joinery-opt [OPTIONS] [INPUT]
// CHECK-DAG: -o, --output <FILE>
// CHECK-DAG: -p, --pass-pipeline <PIPELINE>
// CHECK-DAG: --split-input-file
// CHECK-DAG: --verify-diagnostics
// CHECK-DAG: --allow-unregistered-dialect
// CHECK-DAG: --verify-each[=<BOOL>]
// CHECK-DAG: --verify-roundtrip
// CHECK-DAG: --print-ir-before-all
// CHECK-DAG: --print-ir-after-all
// CHECK-DAG: --print-ir-before <PASS>
// CHECK-DAG: --print-ir-after <PASS>
// CHECK-DAG: --print-ir-after-change
// CHECK-DAG: --timing
// CHECK-DAG: --progress
// CHECK-DAG: --pass-statistics
// CHECK-DAG: --print-op-generic
// CHECK-DAG: --print-debuginfo
// CHECK-DAG: --dump-pass-pipeline
// CHECK-DAG: --list-passes
// CHECK-DAG: --show-dialects
// CHECK-DAG: -h, --help
// CHECK: Passes (run in flag order):
// CHECK-DAG: --canonicalize[=<OPTIONS>]{{[[:space:]]+}}Canonicalize operations
// CHECK-DAG: --cse[=<OPTIONS>]
// CHECK-DAG: --dce[=<OPTIONS>]
// CHECK-DAG: --inline[=<OPTIONS>]
// CHECK-DAG: --symbol-dce[=<OPTIONS>]
