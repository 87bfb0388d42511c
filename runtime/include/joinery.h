/* joinery runtime C ABI: load a library written by `joinery-translate --to-shared-lib`,
 * call its functions and differentiable (forward/backward) pairs on DLPack tensors.
 * Link with libjoinery_runtime (cdylib or staticlib of the joinery-runtime crate).
 *
 * Every call returns 0 on success or -1 (a handle, or NULL); joinery_last_error() then
 * says why, naming the function (wrong argument shapes/dtypes name the argument and its
 * descriptor). No misuse aborts: NULL, freed or wrong-kind handles (a NULL from a failed
 * call passed on, a double free), NULL pointers, wrong tensor counts, shapes, dtypes,
 * devices or strides are errors, and a bug (a Rust panic) is reported as an internal
 * error; freeing NULL is a no-op. Inputs are borrowed
 * (CPU, compact row-major); results are DLManagedTensor* owned by the caller (call their
 * deleter); a `none` result is NULL. Results that are input mutations are also written
 * back into the argument's memory. A result whose leading extent is known only at run
 * time (`tensor<?x2xi64>` of `aten.nonzero`: one row per nonzero element) comes back with
 * its real shape: read `dl_tensor.shape[0]` of each call's result (0 rows is a valid
 * answer). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- DLPack (v0.8 / 1.0 unversioned ABI) ---- */
typedef enum { kDLCPU = 1 } DLDeviceType;
typedef enum { kDLInt = 0U, kDLUInt = 1U, kDLFloat = 2U, kDLBool = 6U } DLDataTypeCode;
typedef struct { int32_t device_type; int32_t device_id; } DLDevice;
typedef struct { uint8_t code; uint8_t bits; uint16_t lanes; } DLDataType;
typedef struct {
  void *data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t *shape;
  int64_t *strides; /* NULL: compact row-major */
  uint64_t byte_offset;
} DLTensor;
typedef struct DLManagedTensor {
  DLTensor dl_tensor;
  void *manager_ctx;
  void (*deleter)(struct DLManagedTensor *self);
} DLManagedTensor;

/* ---- joinery ---- */
typedef struct JoineryLibrary JoineryLibrary;
typedef struct CompiledModule JoineryModule;
typedef struct DifferentiableFn JoineryDiffFn;
typedef struct Saved JoinerySaved;

const char *joinery_last_error(void);

/* A relative `path` is relative to the current directory. */
JoineryLibrary *joinery_library_open(const char *path);
int joinery_library_close(JoineryLibrary *lib);

JoineryModule *joinery_module_get(const JoineryLibrary *lib, const char *name);
int joinery_module_free(JoineryModule *m);
int joinery_module_arity(const JoineryModule *m, size_t *num_inputs, size_t *num_outputs);
int joinery_module_call(const JoineryModule *m, const DLTensor *inputs, size_t n_in,
                        DLManagedTensor **outputs, size_t n_out);
/* Random ops: op k (from 0) of the next call draws from stream (seed, offset + k); each
   call advances offset by its number of random ops. A fresh module starts at (0, 0). */
int joinery_module_set_rng_state(const JoineryModule *m, uint64_t seed, uint64_t offset);
int joinery_module_rng_state(const JoineryModule *m, uint64_t *seed, uint64_t *offset);

/* A joint function compiled as forward + backward (`name` is the joint's name). */
JoineryDiffFn *joinery_diff_get(const JoineryLibrary *lib, const char *name);
int joinery_diff_free(JoineryDiffFn *d);
/* The random state of the next forward (the backward draws nothing). */
int joinery_diff_set_rng_state(const JoineryDiffFn *d, uint64_t seed, uint64_t offset);
int joinery_diff_forward(const JoineryDiffFn *d, const DLTensor *inputs, size_t n_in,
                         DLManagedTensor **outputs, size_t n_out, JoinerySaved **saved);
/* Consumes `saved` (on failure too). One gradient slot per primal (NULL where there is
   none). */
int joinery_diff_backward(const JoineryDiffFn *d, JoinerySaved *saved,
                          const DLTensor *tangents, size_t n_tangents,
                          DLManagedTensor **grads, size_t n_grads);
int joinery_saved_free(JoinerySaved *saved);

#ifdef __cplusplus
}
#endif
