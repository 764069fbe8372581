#include "core/torch_runtime.h"

#include <ATen/Parallel.h>
#include <malloc.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "core/error.h"

namespace nicodec {

int setup_torch_threads(int threads) {
  if (threads <= 0) {
    if (const char* env = std::getenv("NICODEC_THREADS")) {
      char* end = nullptr;
      long v = std::strtol(env, &end, 10);
      if (end == env || *end != '\0' || v < 1 || v > 1024)
        throw UsageError(std::string("NICODEC_THREADS='") + env + "' is not a thread count (1-1024)");
      threads = static_cast<int>(v);
    } else {
      threads = static_cast<int>(std::thread::hardware_concurrency());
      if (threads < 1) threads = 1;
    }
  }
  at::set_num_threads(threads);
  mallopt(M_MMAP_THRESHOLD, 256 << 20);  // setting it also stops glibc's own threshold from moving
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  return at::get_num_threads();
}

}  // namespace nicodec
