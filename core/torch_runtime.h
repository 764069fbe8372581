// libtorch runtime setup shared by every codec and trainer.
#pragma once

namespace nicodec {

// Sets libtorch's intra-op thread count: `threads` if > 0, else $NICODEC_THREADS if set, else all cores.
// Debian's libtorch starts with one thread; call this once at program start. Returns the count in effect.
int setup_torch_threads(int threads = 0);

}  // namespace nicodec
