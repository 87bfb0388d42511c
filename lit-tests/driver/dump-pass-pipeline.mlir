// --dump-pass-pipeline prints the scheduled pipeline (every option spelled out) as text
// that --pass-pipeline accepts, and feeding it back dumps the same text.
// RUN: joinery-opt %s -o /dev/null --dump-pass-pipeline --cse --canonicalize=max-iterations=3 --symbol-dce 2>&1 | FileCheck %s
// RUN: joinery-opt %s -o /dev/null --dump-pass-pipeline -p 'builtin.module(cse,canonicalize{disable-patterns= enable-patterns= max-iterations=3 max-num-rewrites=-1 test-convergence=false top-down=true},symbol-dce)' 2>&1 | FileCheck %s
// Nesting is kept.
// RUN: joinery-opt %s -o /dev/null --dump-pass-pipeline -p 'builtin.module(func.func(cse,dce),inline)' 2>&1 | FileCheck %s --check-prefix=NESTED

// CHECK: builtin.module(cse,canonicalize{disable-patterns= enable-patterns= max-iterations=3 max-num-rewrites=-1 test-convergence=false top-down=true},symbol-dce)
// NESTED: builtin.module(func.func(cse,dce),inline{remove-dead-callees=true})

func.func @f() {
  func.return
}
