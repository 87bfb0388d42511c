// joinery-run refuses flag values that cannot be meant, with the reason and exit 2
// (a learning rate is refused alike as `--lr -0.5` and `--lr=-0.5`).
// RUN: not joinery-run train %repo/examples/mlp_joint.mlir --steps 0 2>&1 | FileCheck %s --check-prefix=STEPS
// RUN: not joinery-run train %repo/examples/mlp_joint.mlir --lr nan 2>&1 | FileCheck %s --check-prefix=NAN
// RUN: not joinery-run train %repo/examples/mlp_joint.mlir --lr inf 2>&1 | FileCheck %s --check-prefix=INF
// RUN: not joinery-run train %repo/examples/mlp_joint.mlir --lr -0.5 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: not joinery-run train %repo/examples/mlp_joint.mlir --lr=-0.5 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: not joinery-run train %repo/examples/mlp_joint.mlir --threads 0 2>&1 | FileCheck %s --check-prefix=THREADS
// RUN: not joinery-run bench %repo/examples/mlp_joint.mlir --threads 100000 2>&1 | FileCheck %s --check-prefix=MANY
// RUN: not joinery-run bench %repo/examples/mlp_joint.mlir --iters 0 2>&1 | FileCheck %s --check-prefix=ITERS
// RUN: env JOINERY_NUM_THREADS=lots not joinery-run train %repo/examples/mlp_joint.mlir 2>&1 | FileCheck %s --check-prefix=ENV
// RUN: env JOINERY_NUM_THREADS=100000 not joinery-run train %repo/examples/mlp_joint.mlir 2>&1 | FileCheck %s --check-prefix=ENVMANY

// STEPS: error: invalid value '0' for '--steps <STEPS>': expected a whole number of at least 1, got '0'
// NAN: error: invalid value 'nan' for '--lr <LR>': expected a finite learning rate of at least 0, got 'nan'
// INF: error: invalid value 'inf' for '--lr <LR>': expected a finite learning rate of at least 0, got 'inf'
// NEG: error: invalid value '-0.5' for '--lr <LR>': expected a finite learning rate of at least 0, got '-0.5'
// THREADS: error: invalid value '0' for '--threads <THREADS>': expected a whole number from 1 to 1024, got '0'
// MANY: error: invalid value '100000' for '--threads <THREADS>': expected a whole number from 1 to 1024, got '100000'
// ITERS: error: invalid value '0' for '--iters <ITERS>': expected a whole number of at least 1, got '0'
// ENV: error: JOINERY_NUM_THREADS must be a whole number from 1 to 1024, got 'lots'
// ENVMANY: error: JOINERY_NUM_THREADS must be a whole number from 1 to 1024, got '100000'
