/* A result whose leading extent is known only at run time, read from C: `nz` returns the
 * rows of `nonzero(x)` for a 2x3 f32 `x`, and the result's DLTensor carries its real row
 * count. Prints `shape <rows>x<cols>: <indices...>` per call; exits 0 when every call
 * succeeded. */
#include <stdio.h>
#include "joinery.h"

static int call(const JoineryModule *m, float *values) {
  int64_t shape[2] = {2, 3};
  DLTensor x = {values, {kDLCPU, 0}, 2, {kDLFloat, 32, 1}, shape, NULL, 0};
  DLManagedTensor *out[1] = {NULL};
  if (joinery_module_call(m, &x, 1, out, 1) != 0) {
    printf("call: %s\n", joinery_last_error());
    return 1;
  }
  const DLTensor *r = &out[0]->dl_tensor;
  printf("shape %lldx%lld:", (long long)r->shape[0], (long long)r->shape[1]);
  const int64_t *rows = r->data;
  for (int64_t i = 0; i < r->shape[0] * r->shape[1]; i++) printf(" %lld", (long long)rows[i]);
  printf("\n");
  out[0]->deleter(out[0]);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  JoineryLibrary *lib = joinery_library_open(argv[1]);
  const JoineryModule *m = joinery_module_get(lib, "nz");
  if (m == NULL) {
    printf("open: %s\n", joinery_last_error());
    return 1;
  }
  float some[6] = {0.0f, 1.5f, 0.0f, -1.0f, 0.0f, 2.0f};
  float none[6] = {0.0f};
  int failed = call(m, some) | call(m, none);
  joinery_module_free((JoineryModule *)m);
  joinery_library_close(lib);
  return failed;
}
