#include <gtest/gtest.h>

#include <ATen/Parallel.h>
#include <cstdlib>

#include "core/error.h"
#include "core/torch_runtime.h"

namespace nicodec {
namespace {

TEST(TorchRuntime, SetsTheRequestedThreadCount) {
  EXPECT_EQ(setup_torch_threads(2), 2);
  EXPECT_EQ(at::get_num_threads(), 2);
  EXPECT_EQ(setup_torch_threads(1), 1);
}

TEST(TorchRuntime, ReadsAndValidatesTheEnvironment) {
  ::setenv("NICODEC_THREADS", "3", 1);
  EXPECT_EQ(setup_torch_threads(), 3);
  ::setenv("NICODEC_THREADS", "many", 1);
  EXPECT_THROW(setup_torch_threads(), UsageError);
  ::unsetenv("NICODEC_THREADS");
  EXPECT_GE(setup_torch_threads(), 1);
}

}  // namespace
}  // namespace nicodec
