// Writes a seed corpus of valid inputs for each fuzz target: make_seeds <folder>.
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "codecs/video/motion_field.h"
#include "core/container.h"
#include "core/file_io.h"
#include "entropy/adaptive_model.h"
#include "entropy/binarization.h"
#include "entropy/cdf_tables.h"
#include "entropy/distributions.h"
#include "quant/model_file.h"

using namespace nicodec;
using namespace nicodec::entropy;
namespace fs = std::filesystem;

static void put16(std::vector<uint8_t>& b, size_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <output folder>\n");
    return 2;
  }
  const fs::path root = argv[1];
  std::mt19937 rng(1);
  auto save = [&](const std::string& target, int k, const std::vector<uint8_t>& b) {
    fs::create_directories(root / target);
    write_file_atomic((root / target / ("seed" + std::to_string(k))).string(), b);
  };
  const auto scales = make_scale_table();
  const CdfTables tables = make_parametric_tables(Family::kGaussian, scales);
  for (int k = 0; k < 8; ++k) {
    const size_t n = 1 + rng() % (k < 4 ? 16 : 400);
    // container
    Container c;
    c.codec = static_cast<CodecKind>(k % 4);
    c.model = "model" + std::to_string(k);
    c.set_param("w", rng() % 4096);
    c.add_section("s", std::vector<uint8_t>(n, static_cast<uint8_t>(k)));
    save("fuzz_container", k, write_container(c));
    // static rANS: same index rule as the fuzzer
    const uint8_t seed = static_cast<uint8_t>(rng());
    std::vector<int32_t> v(n);
    std::vector<uint16_t> idx(n);
    for (size_t i = 0; i < n; ++i) {
      idx[i] = static_cast<uint16_t>((i * 7 + seed) % scales.size());
      v[i] = static_cast<int32_t>(std::lround(std::normal_distribution<double>(0, scales[idx[i]])(rng)));
    }
    std::vector<uint8_t> b;
    put16(b, n);
    b.push_back(seed);
    auto s = encode_with_indexes(v.data(), idx.data(), n, tables);
    b.insert(b.end(), s.begin(), s.end());
    save("fuzz_rans_static", k, b);
    // adaptive rANS
    const uint32_t alphabet = 1 + rng() % 1024;
    std::vector<uint32_t> sym(n);
    for (auto& x : sym) x = rng() % alphabet;
    b.clear();
    put16(b, n);
    put16(b, alphabet - 1);
    s = encode_adaptive(sym.data(), n, alphabet);
    b.insert(b.end(), s.begin(), s.end());
    save("fuzz_rans_adaptive", k, b);
    // CABAC, same op sequence as the fuzzer
    CabacEncoder enc;
    BinContext ctx[4];
    SignedIntContexts sctx;
    for (size_t i = 0; i < n; ++i) {
      switch (i % 7) {
        case 0: enc.encode(ctx[i % 4], rng() & 1); break;
        case 1: enc.encode_bypass(static_cast<uint32_t>(rng()), static_cast<int>(i % 33)); break;
        case 2: encode_truncated_unary(enc, rng() % 13, 12, ctx, 4); break;
        case 3: encode_exp_golomb(enc, rng() % 5000, static_cast<int>(i % 8)); break;
        case 4: encode_signed(enc, static_cast<int32_t>(rng() % 41) - 20, sctx); break;
        case 5: encode_fixed_length(enc, static_cast<uint32_t>(rng()) & (i % 33 == 32 ? ~0u : ((1u << (i % 33)) - 1)), static_cast<int>(i % 33)); break;
        case 6: enc.encode_terminate(0); break;
      }
    }
    b.clear();
    put16(b, n);
    s = enc.finish();
    b.insert(b.end(), s.begin(), s.end());
    save("fuzz_cabac", k, b);
    // model file: a few small float and quantized tensors
    {
      quant::ModelFile m;
      m.metadata["architecture"] = "seed";
      std::vector<float> w(16 * (k + 1));
      for (auto& x : w) x = static_cast<float>(static_cast<int>(rng() % 200) - 100) / 100.0f;
      m.add_float("b", {static_cast<int64_t>(w.size())}, w.data());
      m.add_quantized("w", {16, k + 1}, w.data(), quant::all_formats()[static_cast<size_t>(k) % 7]);
      save("fuzz_model_file", k, m.to_safetensors());
    }
    // round trip: raw words
    b.clear();
    put16(b, rng() % 65536);
    for (size_t i = 0; i < 4 * n; ++i) b.push_back(static_cast<uint8_t>(rng()));
    save("fuzz_roundtrip", k, b);
    // motion field: a small frame with smooth random motion
    {
      const int w = 8 + static_cast<int>(rng() % 200), h = 8 + static_cast<int>(rng() % 120);
      auto f = codecs::video::MotionField::zero(w, h, codecs::video::kBlockSizes[k % 2]);
      for (size_t i = 0; i < f.mv.size(); ++i) f.mv[i] = static_cast<int16_t>(static_cast<int>(rng() % 9) - 4 + (k - 4) * 8);
      b = {static_cast<uint8_t>(w - 1), static_cast<uint8_t>(h - 1)};
      s = codecs::video::encode_motion(f);
      b.insert(b.end(), s.begin(), s.end());
      save("fuzz_motion", k, b);
    }
  }
  std::printf("seeds written to %s\n", root.string().c_str());
  return 0;
}
