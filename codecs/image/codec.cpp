#include "codecs/image/codec.h"

#include <cmath>
#include <functional>
#include <optional>

#include "codecs/common/image_tensor.h"
#include "codecs/image/context_model.h"
#include "codecs/image/latent_refinement.h"
#include "codecs/image/resampling.h"
#include "core/error.h"
#include "entropy/cdf_tables.h"

namespace nicodec::codecs::image {

namespace {

constexpr int64_t kTile = 64;  // latents per tile side (1024 pixels): bounds memory on huge images
constexpr int64_t kHalo = 6;   // latents of context around a tile (the transforms see about +-4)

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// Runs fn over tiles of a latent grid (lh x lw); fn maps an input region of fi units per latent to an output
// of fo units per latent. Keeps only each tile's interior, so peak memory follows the tile, not the image.
torch::Tensor run_tiled(const std::function<torch::Tensor(const torch::Tensor&)>& fn, const torch::Tensor& x,
                        int64_t lh, int64_t lw, int64_t fi, int64_t fo, int64_t out_channels) {
  if (lh <= kTile && lw <= kTile) return fn(x);
  auto out = torch::empty({x.size(0), out_channels, lh * fo, lw * fo}, x.options());
  for (int64_t i0 = 0; i0 < lh; i0 += kTile)
    for (int64_t j0 = 0; j0 < lw; j0 += kTile) {
      const int64_t i1 = std::min(lh, i0 + kTile), j1 = std::min(lw, j0 + kTile);
      const int64_t r0 = std::max<int64_t>(0, i0 - kHalo), r1 = std::min(lh, i1 + kHalo);
      const int64_t c0 = std::max<int64_t>(0, j0 - kHalo), c1 = std::min(lw, j1 + kHalo);
      auto part = fn(x.narrow(2, r0 * fi, (r1 - r0) * fi).narrow(3, c0 * fi, (c1 - c0) * fi));
      out.narrow(2, i0 * fo, (i1 - i0) * fo).narrow(3, j0 * fo, (j1 - j0) * fo)
          .copy_(part.narrow(2, (i0 - r0) * fo, (i1 - i0) * fo).narrow(3, (j0 - c0) * fo, (j1 - j0) * fo));
    }
  return out;
}

std::vector<uint16_t> to_u16(const torch::Tensor& idx) {
  auto c = idx.to(torch::kInt).cpu().contiguous();
  std::vector<uint16_t> v(static_cast<size_t>(c.numel()));
  const int32_t* p = c.data_ptr<int32_t>();
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint16_t>(p[i]);
  return v;
}

torch::Tensor z_index_map(const std::vector<int32_t>& z_index, int64_t zh, int64_t zw) {
  auto t = torch::tensor(z_index, torch::kInt).view({1, -1, 1, 1});
  return t.expand({1, t.size(1), zh, zw}).contiguous();
}

// Forward adaptation of the hyper-latent prior: per channel, the scale table that codes this picture's symbols
// in the fewest bits. The trained per-channel scales fit the average picture and rate; at low rates most
// symbols are 0 and a narrower table saves most of z's cost, for 6 bits of side information per channel.
std::vector<int32_t> best_z_tables(const torch::Tensor& z_sym) {
  const auto& tables = gaussian_tables();
  const int64_t C = z_sym.size(1), n = z_sym.size(2) * z_sym.size(3);
  const int32_t* p = z_sym.data_ptr<int32_t>();
  std::vector<int32_t> best(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    double best_bits = 1e300;
    for (size_t t = 0; t < tables.size(); ++t) {
      double bits = 0;
      for (int64_t i = 0; i < n && bits < best_bits; ++i) bits += tables.cost_bits(t, p[c * n + i]);
      if (bits < best_bits) best_bits = bits, best[static_cast<size_t>(c)] = static_cast<int32_t>(t);
    }
  }
  return best;
}

// Table indexes (< 64) as 6-bit fields, least significant first.
std::vector<uint8_t> pack6(const std::vector<int32_t>& v) {
  std::vector<uint8_t> out((v.size() * 6 + 7) / 8, 0);
  for (size_t i = 0; i < v.size(); ++i)
    for (int b = 0; b < 6; ++b)
      if ((v[i] >> b) & 1) out[(i * 6 + b) / 8] |= static_cast<uint8_t>(1u << ((i * 6 + b) % 8));
  return out;
}

std::vector<int32_t> unpack6(const std::vector<uint8_t>& bytes, size_t n) {
  if (bytes.size() != (n * 6 + 7) / 8) throw FormatError("nicodec: section zs has the wrong size");
  std::vector<int32_t> v(n, 0);
  for (size_t i = 0; i < n; ++i)
    for (int b = 0; b < 6; ++b)
      if ((bytes[(i * 6 + b) / 8] >> ((i * 6 + b) % 8)) & 1) v[i] |= 1 << b;
  for (int32_t x : v)
    if (static_cast<size_t>(x) >= gaussian_tables().size()) throw FormatError("nicodec: section zs names a table that does not exist");
  return v;
}

}  // namespace

struct ImageCodec::Analysis {
  torch::Tensor x;   // the padded (coded) picture [1, 3, Hp, Wp] in [0, 1]
  torch::Tensor y0;  // g_a(x) before the gain, [1, M, H/16, W/16]
  int64_t width, height;            // of the coded picture
  int scale = 1;                    // the coded picture is the original downscaled by this
  int64_t full_width, full_height;  // of the original
};

namespace {

// Sum of squared differences of two pictures of the same size, for choosing between candidate files.
double squared_error(const Image& a, const Image& b) {
  double e = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) {
    const double d = static_cast<double>(a.rgb[i]) - static_cast<double>(b.rgb[i]);
    e += d * d;
  }
  return e;
}

bool valid_scale(int64_t s) { return s == 1 || s == 2 || s == 4; }

// The picture the sections describe: the original size (w, h) divided by the downscale factor, rounded up.
struct CodedSize {
  int64_t scale, width, height;
};
CodedSize coded_size(const Container& c) {
  const int64_t s = c.has_param("s") ? c.param("s") : 1;
  return {s, (c.param("w") + s - 1) / s, (c.param("h") + s - 1) / s};
}

}  // namespace

ImageCodec::ImageCodec(CodecModel model) : model_(std::move(model)) {
  model_.net->eval();
  // Coding never trains: refinement's gradients flow to the latents only.
  for (auto& p : model_.net->parameters()) p.set_requires_grad(false);
}

void ImageCodec::set_max_downscale(int s) {
  if (!valid_scale(s)) throw UsageError("the largest downscale factor must be 1, 2 or 4");
  max_downscale_ = s;
}

double ImageCodec::q_from_quality(double quality) const {
  if (!(quality >= 0 && quality <= 100)) throw UsageError("--quality must be between 0 and 100");
  return kQTrainedMin + quality / 100.0 * (q_max() - kQTrainedMin);
}

ImageCodec::Analysis ImageCodec::analyse(const Image& original, int scale) const {
  if (original.width < 1 || original.height < 1) throw UsageError("the image is empty");
  if (original.width > kMaxSide || original.height > kMaxSide ||
      static_cast<int64_t>(original.width) * original.height > kMaxPixels)
    throw UsageError("the image is " + std::to_string(original.width) + "x" + std::to_string(original.height) +
                     "; nicodec codes up to " + std::to_string(kMaxSide) + " pixels a side and 2^28 pixels in all");
  if (!valid_scale(scale)) throw UsageError("the downscale factor must be 1, 2 or 4");
  const Image small = scale > 1 ? downscale_box(original, scale) : Image{};
  const Image& img = scale > 1 ? small : original;
  torch::NoGradGuard ng;
  const int64_t H = img.height, W = img.width, Hp = round_up(H, 64), Wp = round_up(W, 64);
  auto x = image_to_tensor(img);
  if (Hp != H || Wp != W)  // replicate the edges: no artificial edge for the transform to spend bits on
    x = torch::nn::functional::pad(x, torch::nn::functional::PadFuncOptions({0, Wp - W, 0, Hp - H}).mode(torch::kReplicate));
  ImageModel net = model_.net;  // a non-const handle to the shared module
  Analysis a;
  a.x = x;
  a.y0 = run_tiled([&](const torch::Tensor& t) { return net->analysis(t); }, x, Hp / 16, Wp / 16, 16, 1,
                   net->config().M);
  a.width = W;
  a.height = H;
  a.scale = scale;
  a.full_width = original.width;
  a.full_height = original.height;
  return a;
}

std::vector<uint8_t> ImageCodec::code(const Analysis& a, int64_t q_code, int refine_steps) const {
  torch::NoGradGuard ng;
  ImageModel net = model_.net;  // a non-const handle to the shared module
  const double q = static_cast<double>(q_code) / 1000.0;
  auto y = a.y0 * net->gain(torch::full({1}, q), false);
  auto z_sym = torch::round(net->hyper_analysis(y)).clamp(-kZMax, kZMax).to(torch::kInt).contiguous();
  const auto hyper = model_.h_s.forward(z_sym);
  const auto anchors = anchor_mask(y.size(2), y.size(3));
  auto symbols = [&](const EntropyParameters& e) {
    return torch::round(y - e.means).clamp(-(1 << 30), 1 << 30).to(torch::kInt).contiguous();
  };
  // The parameters the file codes the current y with: the hyperprior's, the non-anchors' corrected by the
  // context from the anchors' symbols.
  auto coded_parameters = [&] {
    return model_.has_context ? with_context(hyper, symbols(hyper).masked_fill(anchors.logical_not(), 0)) : hyper;
  };
  if (refine_steps > 0 && a.width * a.height <= kMaxRefinePixels) {
    // Refinement holds the entropy parameters fixed, but the context's move with the anchors' symbols: refine in
    // rounds, each against the parameters of the latents so far.
    const int rounds = model_.has_context ? std::min(3, refine_steps) : 1;
    for (int r = 0; r < rounds; ++r) {
      const auto e = coded_parameters();
      RefinementTarget t{a.x, a.height, a.width, e.means, table_scales(e.index),
                         net->gain(torch::full({1}, q), true), net->config().lambda(q)};
      y = refine_latents(net, t, y, refine_steps * (r + 1) / rounds - refine_steps * r / rounds);
    }
  }
  const auto p = coded_parameters();
  const auto y_sym = symbols(p);

  const auto& tables = gaussian_tables();
  const auto z_tables = best_z_tables(z_sym);
  const auto z_idx = to_u16(z_index_map(z_tables, z_sym.size(2), z_sym.size(3)));
  Container c;
  c.codec = CodecKind::kImage;
  c.model = kModelId;
  c.model_version = model_.version;
  c.set_param("w", a.full_width);
  c.set_param("h", a.full_height);
  c.set_param("q", q_code);
  if (a.scale > 1) c.set_param("s", a.scale);  // absent: full size (every file before downscaling existed)
  c.add_section("zs", pack6(z_tables));
  c.add_section("z", entropy::encode_with_indexes(z_sym.data_ptr<int32_t>(), z_idx.data(), z_idx.size(), tables));
  // With the context, "y" holds the anchors and "y2" the rest, each in memory order; without, "y" holds all.
  auto add_y = [&](const std::string& name, const torch::Tensor& sym, const torch::Tensor& index) {
    const auto v = sym.contiguous();
    const auto idx = to_u16(index);
    c.add_section(name, entropy::encode_with_indexes(v.data_ptr<int32_t>(), idx.data(), idx.size(), tables));
  };
  if (model_.has_context) {
    add_y("y", y_sym.masked_select(anchors), p.index.masked_select(anchors));
    add_y("y2", y_sym.masked_select(anchors.logical_not()), p.index.masked_select(anchors.logical_not()));
  } else {
    add_y("y", y_sym, p.index);
  }
  return write_container(c);
}

std::vector<uint8_t> ImageCodec::encode(const Image& img, double q, int refine_steps, int scale) const {
  if (!(q >= q_min() && q <= q_max()))
    throw UsageError("rate level q=" + std::to_string(q) + " is outside [" + std::to_string(q_min()) + ", " +
                     std::to_string(q_max()) + "]");
  return code(analyse(img, scale), std::llround(q * 1000.0), refine_steps);
}

// The largest q whose file fits `budget` bits, for one analysis (one scale). Sets *lowest_bpp and returns false
// when even q_min does not fit.
bool ImageCodec::search_rate(const Analysis& a, double budget, RateSearch* r, double* lowest_bpp) const {
  const double pixels = static_cast<double>(a.full_width) * static_cast<double>(a.full_height);
  auto bits = [](const std::vector<uint8_t>& b) { return 8.0 * static_cast<double>(b.size()); };
  int64_t lo = std::llround(q_min() * 1000.0), hi = std::llround(q_max() * 1000.0);
  r->bytes = code(a, lo, 0);
  if (bits(r->bytes) > budget) {
    *lowest_bpp = bits(r->bytes) / pixels;
    return false;
  }
  r->q = static_cast<double>(lo) / 1000.0;
  r->scale = a.scale;
  auto top = code(a, hi, 0);
  if (bits(top) <= budget) {
    r->bytes = std::move(top);
    r->q = q_max();
    r->hit_max = true;
  } else {
    // Invariant: code(lo) fits, code(hi) does not. The rate grows with q (not strictly everywhere, so this finds
    // a q that fits with its neighbour above not fitting, the largest such one in practice).
    while (hi - lo > 1) {
      const int64_t mid = lo + (hi - lo) / 2;
      auto b = code(a, mid, 0);
      if (bits(b) <= budget) {
        lo = mid;
        r->bytes = std::move(b);
      } else {
        hi = mid;
      }
    }
    r->q = static_cast<double>(lo) / 1000.0;
  }
  r->bpp = bits(r->bytes) / pixels;
  return true;
}

RateSearch ImageCodec::encode_to_bpp(const Image& img, double bpp, int refine_steps, int max_downscale) const {
  if (!(bpp > 0) || !std::isfinite(bpp)) throw UsageError("--bpp must be a positive number");
  if (!valid_scale(max_downscale)) throw UsageError("the largest downscale factor must be 1, 2 or 4");
  const double pixels = static_cast<double>(img.width) * static_cast<double>(img.height);
  const double budget = bpp * pixels;  // bits
  // Full size first; a smaller picture is tried only while the current one lands at a low rate level, and
  // the candidate whose decoded picture is closest to the original wins.
  RateSearch best;
  std::optional<Analysis> best_a;
  double best_error = 0, lowest_bpp = 0;
  bool found = false;
  for (int s = 1; s <= max_downscale && (s == 1 || (std::min(img.width, img.height) >= 16 * s)); s *= 2) {
    Analysis a = analyse(img, s);
    RateSearch r;
    double lowest = 0;
    if (!search_rate(a, budget, &r, &lowest)) {
      lowest_bpp = s == 1 ? lowest : std::min(lowest_bpp, lowest);
      continue;
    }
    if (s > 1 && r.hit_max) break;  // the small picture cannot use the budget: the file must be within 5% of it
    const double error = max_downscale > 1 ? squared_error(decode(r.bytes), img) : 0;
    if (found && error >= best_error) break;  // the smaller picture lost
    best = std::move(r), best_a = std::move(a), best_error = error, found = true;
    if (best.q >= kDownscaleBelowQ) break;  // fine at this size: smaller only loses
  }
  if (!found)
    throw UsageError("--bpp " + std::to_string(bpp) + " is below what this model reaches on this " +
                     std::to_string(img.width) + "x" + std::to_string(img.height) + " image: the lowest rate is " +
                     std::to_string(lowest_bpp) + " bpp (headers included); ask for at least that");
  if (refine_steps > 0) refine_within_budget(img, *best_a, budget, refine_steps, &best);
  best.bpp = 8.0 * static_cast<double>(best.bytes.size()) / pixels;
  return best;
}

// Refinement changes the rate a little either way. A refined file that outgrows the budget is redone at the level
// whose unrefined file leaves room for that growth (a few percent: a small step down in q); the refined file is
// kept when it fits and decodes closer to the original than the unrefined one.
void ImageCodec::refine_within_budget(const Image& img, const Analysis& a, double budget, int steps,
                                      RateSearch* r) const {
  auto bits = [](const std::vector<uint8_t>& b) { return 8.0 * static_cast<double>(b.size()); };
  double q = r->q, unrefined_bits = bits(r->bytes);
  for (int attempt = 0; attempt <= kRefineRetries; ++attempt) {
    auto refined = code(a, std::llround(q * 1000.0), steps);
    if (bits(refined) <= budget) {
      if (q == r->q || squared_error(decode(refined), img) < squared_error(decode(r->bytes), img)) {
        r->bytes = std::move(refined);
        r->q = q;
      }
      return;
    }
    RateSearch lower;
    double lowest = 0;
    if (!search_rate(a, budget * unrefined_bits / bits(refined), &lower, &lowest) || lower.q >= q) return;
    q = lower.q;
    unrefined_bits = bits(lower.bytes);
  }
}

EntropyParameters ImageCodec::with_context(const EntropyParameters& p, const torch::Tensor& anchor_symbols) const {
  auto [mean_q, log_scale_q] = model_.context.forward(anchor_symbols, p.mean_q, p.log_scale_q);
  return model_.h_s.finish(mean_q, log_scale_q);
}

bool ImageCodec::uses_context(const Container& c) const {
  return model_.has_context && c.model_version == model_.version;
}

Container ImageCodec::inspect(const std::vector<uint8_t>& bytes) const {
  Container c = read_container(bytes);
  // A model with a context also reads the files of its base model (the same transforms without it).
  const bool base = model_.has_context && c.model_version == model_.context_base_version;
  c.expect(CodecKind::kImage, kModelId, base ? model_.context_base_version : model_.version);
  const int64_t w = c.param_in("w", 1, kMaxSide), h = c.param_in("h", 1, kMaxSide);
  if (w * h > kMaxPixels) throw FormatError("the file claims a " + std::to_string(w) + "x" + std::to_string(h) + " image, over the 2^28-pixel limit");
  c.param_in("q", std::llround(q_min() * 1000.0), std::llround(q_max() * 1000.0));
  if (c.has_param("s") && !valid_scale(c.param("s")))
    throw FormatError("nicodec: the file's downscale factor " + std::to_string(c.param("s")) + " is not 1, 2 or 4");
  c.section("zs");
  c.section("z");
  c.section("y");
  if (uses_context(c)) c.section("y2");
  return c;
}

DecodedLatents ImageCodec::decode_latents(const std::vector<uint8_t>& bytes) const {
  DecodedLatents d;
  d.header = inspect(bytes);
  const auto& cfg = model_.net->config();
  const CodedSize cs = coded_size(d.header);
  const int64_t Hp = round_up(cs.height, 64), Wp = round_up(cs.width, 64);
  const auto& tables = gaussian_tables();
  const int64_t zh = Hp / 64, zw = Wp / 64;
  const auto z_tables = unpack6(d.header.section("zs").data, static_cast<size_t>(cfg.Nz));
  const auto z_idx = to_u16(z_index_map(z_tables, zh, zw));
  auto z_sym = torch::empty({1, cfg.Nz, zh, zw}, torch::kInt);
  const auto& zs = d.header.section("z").data;
  entropy::decode_with_indexes(zs.data(), zs.size(), z_idx.data(), z_idx.size(), tables, z_sym.data_ptr<int32_t>());
  auto p = model_.h_s.forward(z_sym);
  // Decodes section `name` with the table indexes `index` (in memory order) into the positions `where` of y.
  d.y_symbols = torch::zeros({1, cfg.M, Hp / 16, Wp / 16}, torch::kInt);
  auto read_y = [&](const std::string& name, const torch::Tensor& index, const torch::Tensor& where) {
    const auto idx = to_u16(index);
    auto v = torch::empty({static_cast<int64_t>(idx.size())}, torch::kInt);
    const auto& ys = d.header.section(name).data;
    entropy::decode_with_indexes(ys.data(), ys.size(), idx.data(), idx.size(), tables, v.data_ptr<int32_t>());
    d.y_symbols.masked_scatter_(where, v);
  };
  if (uses_context(d.header)) {
    const auto anchors = anchor_mask(Hp / 16, Wp / 16).expand_as(d.y_symbols);
    read_y("y", p.index.masked_select(anchors), anchors);
    p = with_context(p, d.y_symbols);  // the non-anchors are still 0 here
    read_y("y2", p.index.masked_select(anchors.logical_not()), anchors.logical_not());
  } else {
    read_y("y", p.index, torch::ones_like(d.y_symbols, torch::kBool));
  }
  d.means = p.means;
  d.index = p.index;
  return d;
}

Image ImageCodec::decode(const std::vector<uint8_t>& bytes) const {
  const DecodedLatents d = decode_latents(bytes);
  torch::NoGradGuard ng;
  ImageModel net = model_.net;  // a non-const handle to the shared module
  const CodedSize cs = coded_size(d.header);
  const int64_t Hp = round_up(cs.height, 64), Wp = round_up(cs.width, 64);
  const int64_t W = d.header.param("w"), H = d.header.param("h");
  const double q = static_cast<double>(d.header.param("q")) / 1000.0;
  auto y_hat = (d.y_symbols.to(torch::kFloat) + d.means) * net->gain(torch::full({1}, q), true);
  const bool int8 = int8_synthesis();
  auto x_hat = run_tiled(
      [&](const torch::Tensor& t) { return int8 ? model_.g_s_int8.forward(net->g_s, t).clamp(0.0, 1.0) : net->synthesis(t); }, y_hat,
      Hp / 16, Wp / 16, 1, 16, 3);
  x_hat = x_hat.narrow(2, 0, cs.height).narrow(3, 0, cs.width);
  if (cs.scale > 1) x_hat = upscale_bicubic(x_hat, cs.scale);  // before rounding: one conversion to 8 bits
  return tensor_to_image(x_hat.narrow(2, 0, H).narrow(3, 0, W));
}

}  // namespace nicodec::codecs::image
