// libtorch runtime setup shared by every codec and trainer.
#pragma once

namespace nicodec {

// Sets libtorch's intra-op thread count: `threads` if > 0, else $NICODEC_THREADS if set, else all cores.
// Debian's libtorch starts with one thread; call this once at program start. Returns the count in effect.
// Also raises glibc's mmap threshold so that freed tensors of up to 256 MB stay in the heap for the next
// layer: by default every activation over 32 MB is a fresh mmap whose pages fault in on first touch (11 ms of
// a 20 ms int8 convolution at 128x192x384 went to that).
int setup_torch_threads(int threads = 0);

}  // namespace nicodec
