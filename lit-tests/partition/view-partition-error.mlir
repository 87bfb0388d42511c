// view-partition draws partitioned pairs: a module without an aot.joint_pair is an error
// saying what to run first.
// RUN: not joinery-opt %s --view-partition -o /dev/null 2>&1 | FileCheck %s

// CHECK: error: view-partition: no 'aot.joint_pair' here to draw (run aot-partition first)

module {
  func.func @joint(%x: tensor<2xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2xf32> {aot.desc = #aot.plain_out<0>}) {
    func.return %x : tensor<2xf32>
  }
}
