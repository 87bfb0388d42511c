/* Misuses of the C ABI from C: each call must return an error (and say why), never abort.
 * Prints `<call>: <rc> <joinery_last_error()>` per call; exits 0 when it got to the end. */
#include <stdio.h>
#include "joinery.h"

static void report(const char *call, long rc) {
  printf("%s: %ld %s\n", call, rc, joinery_last_error());
}

int main(void) {
  JoineryLibrary *lib = joinery_library_open("no-such-joinery-library.so");
  report("open", lib == NULL ? -1 : 0);
  /* The NULL a failed open returned, passed on. */
  JoineryModule *m = joinery_module_get(lib, "f");
  report("module_get", m == NULL ? -1 : 0);
  JoineryDiffFn *d = joinery_diff_get(lib, "f");
  report("diff_get", d == NULL ? -1 : 0);
  size_t n_in = 0, n_out = 0;
  report("arity", joinery_module_arity(m, &n_in, &n_out));
  DLManagedTensor *out[1] = {NULL};
  report("call", joinery_module_call(m, NULL, 0, out, 1));
  JoinerySaved *saved = NULL;
  report("forward", joinery_diff_forward(d, NULL, 0, out, 1, &saved));
  report("backward", joinery_diff_backward(d, saved, NULL, 0, out, 1));
  /* A pointer joinery never handed out. */
  long not_a_handle = 0;
  report("free_garbage", joinery_module_free((JoineryModule *)&not_a_handle));
  report("close_null", joinery_library_close(lib));
  return 0;
}
