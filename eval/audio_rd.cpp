#include "eval/audio_rd.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "core/crc32.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/media/audio_io.h"
#include "core/progress.h"
#include "eval/audio_metrics.h"
#include "eval/parallel.h"
#include "eval/rd_cache.h"
#include "eval/stoi.h"

namespace nicodec::eval {

namespace fs = std::filesystem;

int best_lag(const std::vector<float>& ref, const std::vector<float>& est, int max_lag) {
  const long n = static_cast<long>(std::min<size_t>({ref.size(), est.size(), 48000}));
  int best = 0;
  double best_c = -1e300;
  for (int lag = -max_lag; lag <= max_lag; ++lag) {  // est[i + lag] lines up with ref[i]
    double c = 0;
    for (long i = std::max<long>(0, -lag); i < n && i + lag < static_cast<long>(est.size()); ++i)
      c += static_cast<double>(ref[static_cast<size_t>(i)]) * est[static_cast<size_t>(i + lag)];
    if (c > best_c) best_c = c, best = lag;
  }
  return best;
}

namespace {

void measure(AudioRdRow& r, const Audio& ref, const Audio& dec_in) {
  const Audio dec = downmix_mono(dec_in.sample_rate == ref.sample_rate ? dec_in : resample(dec_in, ref.sample_rate));
  r.lag = best_lag(ref.samples, dec.samples, ref.sample_rate / 25);  // +-40 ms
  std::vector<float> a, b;
  for (size_t i = 0; i < ref.samples.size(); ++i) {
    const long j = static_cast<long>(i) + r.lag;
    if (j < 0 || j >= static_cast<long>(dec.samples.size())) continue;
    a.push_back(ref.samples[i]);
    b.push_back(dec.samples[static_cast<size_t>(j)]);
  }
  if (a.size() < static_cast<size_t>(ref.sample_rate) / 10) throw Error("decoded audio is too short");
  r.mel = mel_distance(a.data(), b.data(), a.size(), ref.sample_rate);
  r.si_sdr = si_sdr(a.data(), b.data(), a.size());
  r.stoi = r.estoi = std::nan("");
  if (r.category == "speech") {
    Audio x{ref.sample_rate, 1, a}, y{ref.sample_rate, 1, b};
    r.stoi = stoi(x, y);
    r.estoi = estoi(x, y);
  }
}

// Cached value: bytes lag mel si_sdr stoi estoi enc_s dec_s (keyed by the clip's content CRC and the codec's
// identity; failed rows are never cached, so they are rerun).
bool from_cache(const std::string& value, AudioRdRow& r) {
  std::istringstream in(value);
  std::string stoi_s, estoi_s;
  if (!(in >> r.bytes >> r.lag >> r.mel >> r.si_sdr >> stoi_s >> estoi_s >> r.encode_seconds >> r.decode_seconds)) return false;
  r.stoi = stoi_s == "nan" ? std::nan("") : std::stod(stoi_s);
  r.estoi = estoi_s == "nan" ? std::nan("") : std::stod(estoi_s);
  r.kbps = 8.0 * static_cast<double>(r.bytes) / r.seconds / 1000.0;
  return true;
}

std::string to_cache(const AudioRdRow& r) {
  std::ostringstream o;
  o.precision(17);
  o << r.bytes << " " << r.lag << " " << r.mel << " " << r.si_sdr << " " << (std::isnan(r.stoi) ? "nan" : std::to_string(r.stoi))
    << " " << (std::isnan(r.estoi) ? "nan" : std::to_string(r.estoi)) << " " << r.encode_seconds << " " << r.decode_seconds;
  return o.str();
}

std::string fmt(double v, const char* f) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

std::vector<AudioRdRow> run_audio_rd(const AudioRdOptions& opt) {
  std::vector<fs::path> clips;
  for (const auto& f : media_files(opt.audio_dir, {".wav", ".flac"}, "data/build_audio_sets.sh builds data/sets/audio-eval"))
    clips.emplace_back(f);
  const auto codecs = installed(opt.codecs, find_audio_anchor);
  const fs::path work = fs::path(opt.out_dir) / "work";
  fs::create_directories(work);
  const std::string log = (work / "tools.log").string();
  RdCache cache((fs::path(opt.out_dir) / "audio-cache.tsv").string());
  struct Clip {
    std::string stem, in;
    Audio ref;
    char crc[16];
  };
  std::vector<Clip> prepared;
  for (const auto& clip : clips) {
    Clip c;
    const auto bytes = read_file(clip.string());
    std::snprintf(c.crc, sizeof c.crc, "%08x", crc32(bytes.data(), bytes.size()));
    c.ref = downmix_mono(read_audio(clip.string()));
    c.stem = clip.stem().string();
    // The tools read a 16-bit WAV of exactly what the metrics compare against.
    c.in = (work / (c.stem + ".in.wav")).string();
    write_audio(c.in, c.ref);
    prepared.push_back(std::move(c));
  }
  // Every (clip, codec, setting) is a row, in this order; cached rows are filled now, the rest by the workers.
  struct Job {
    const Clip* clip;
    const Anchor* a;
    double p;
    std::string key;
    size_t row;
  };
  std::vector<AudioRdRow> rows;
  std::vector<Job> todo;
  for (const auto& c : prepared)
    for (const Anchor* a : codecs)
      for (double p : a->params) {
        AudioRdRow r;
        r.clip = c.stem;
        r.category = c.stem.substr(0, c.stem.find('-'));
        r.codec = a->name;
        r.param = p;
        r.seconds = static_cast<double>(c.ref.samples.size()) / c.ref.sample_rate;
        const std::string key = c.crc + codec_identity(*a, p);
        const std::string* hit = cache.find(key);
        if (!(hit && from_cache(*hit, r))) todo.push_back({&c, a, p, key, rows.size()});
        rows.push_back(r);
      }
  Progress progress("audio RD: " + std::to_string(todo.size()) + " new points", todo.size(), opt.progress && !todo.empty());
  std::mutex mu;
  size_t finished = 0;
  for_each_point(todo.size(), opt.jobs, [&](size_t i) {
    const Job& j = todo[i];
    AudioRdRow r = rows[j.row];  // the row's labels; each job writes only its own row
    char tag[32];
    std::snprintf(tag, sizeof tag, ".%g.", j.p);
    const std::string out = (work / (j.clip->stem + "." + j.a->name + tag + j.a->extension)).string();
    const std::string dec = (work / (j.clip->stem + "." + j.a->name + tag + "dec.wav")).string();
    fs::remove(out);
    int status = 0;
    r.encode_seconds = timed_tool(fill(j.a->encode, j.p, j.clip->in, j.clip->in, out, dec), log, &status);
    if (status != 0 || !fs::exists(out)) {
      r.error = "encoder failed (see work/tools.log)";
    } else {
      r.bytes = fs::file_size(out);
      r.kbps = 8.0 * static_cast<double>(r.bytes) / r.seconds / 1000.0;
      try {
        r.decode_seconds = timed_tool(fill(j.a->decode, j.p, j.clip->in, j.clip->in, out, dec), log, &status);
        if (status != 0) throw Error("decoder failed (see work/tools.log)");
        measure(r, j.clip->ref, read_audio(dec));
      } catch (const Error& e) {
        r.error = e.what();
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    if (r.error.empty()) cache.add(j.key, to_cache(r));
    rows[j.row] = std::move(r);
    progress.update(++finished);
  });
  progress.finish();
  return rows;
}

void write_audio_csv(const std::vector<AudioRdRow>& rows, const std::string& path) {
  std::ofstream f(path);
  f << "clip,category,codec,param,seconds,bytes,kbps,mel,si_sdr,stoi,estoi,lag,encode_s,decode_s,error\n";
  for (const auto& r : rows)
    f << r.clip << "," << r.category << "," << r.codec << "," << r.param << "," << r.seconds << "," << r.bytes << ","
      << r.kbps << "," << r.mel << "," << r.si_sdr << "," << r.stoi << "," << r.estoi << "," << r.lag << "," << r.encode_seconds << "," << r.decode_seconds << ",\""
      << r.error << "\"\n";
  if (!f) throw Error("cannot write " + path);
}

std::string audio_markdown_report(const std::vector<AudioRdRow>& rows, const std::string& command) {
  std::ostringstream md;
  md << "Made by `" << command << "`. Means over the clips of each category; kbit/s counts the whole file "
        "(container headers included); mel = multi-scale log-mel distance (lower is better); dec xRT = audio seconds "
        "per second of decoding, the whole tool run (process start and model load included).\n";
  std::map<std::string, std::map<std::pair<std::string, double>, std::vector<const AudioRdRow*>>> by;
  for (const auto& r : rows) by[r.category][{r.codec, r.param}].push_back(&r);
  for (const auto& [cat, groups] : by) {
    md << "\n### " << cat << "\n\n| codec | setting | clips | kbit/s | mel | SI-SDR dB | STOI | ESTOI | dec xRT |\n"
       << "|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& [key, list] : groups) {
      double kbps = 0, mel = 0, sdr = 0, st = 0, est = 0, secs = 0, dsecs = 0;
      int n = 0;
      for (const auto* r : list)
        if (r->error.empty())
          ++n, kbps += r->kbps, mel += r->mel, sdr += r->si_sdr, st += r->stoi, est += r->estoi, secs += r->seconds,
              dsecs += r->decode_seconds;
      md << "| " << key.first << " | " << fmt(key.second, "%g") << " | " << n << "/" << list.size() << " | "
         << (n ? fmt(kbps / n, "%.2f") : "-") << " | " << (n ? fmt(mel / n, "%.3f") : "-") << " | "
         << (n ? fmt(sdr / n, "%.2f") : "-") << " | " << (n ? fmt(st / n, "%.3f") : "-") << " | "
         << (n ? fmt(est / n, "%.3f") : "-") << " | " << (n && dsecs > 0 ? fmt(secs / dsecs, "%.0f") : "-") << " |\n";
    }
  }
  return md.str();
}

std::vector<std::pair<std::string, PlotSpec>> audio_plots(const std::vector<AudioRdRow>& rows) {
  // category -> codec -> param -> (sum kbps, sum mel, sum stoi, n)
  struct Acc {
    double kbps = 0, mel = 0, stoi = 0;
    int n = 0;
  };
  std::map<std::string, std::map<std::string, std::map<double, Acc>>> by;
  for (const auto& r : rows) {
    if (!r.error.empty()) continue;
    Acc& a = by[r.category][r.codec][r.param];
    a.kbps += r.kbps, a.mel += r.mel, a.stoi += r.stoi, ++a.n;
  }
  std::vector<std::pair<std::string, PlotSpec>> out;
  for (const auto& [cat, codecs] : by)
    for (bool stoi_plot : {false, true}) {
      if (stoi_plot && cat != "speech") continue;
      PlotSpec spec{cat + ": " + (stoi_plot ? "STOI" : "mel distance") + " vs rate", "kbit/s (log)",
                    stoi_plot ? "STOI (higher is better)" : "log-mel distance (lower is better)", {}};
      for (const auto& [codec, params] : codecs) {
        PlotSeries s{codec, {}};
        for (const auto& [p, a] : params) s.points.emplace_back(a.kbps / a.n, (stoi_plot ? a.stoi : a.mel) / a.n);
        std::sort(s.points.begin(), s.points.end());
        spec.series.push_back(std::move(s));
      }
      out.emplace_back(cat + (stoi_plot ? "-stoi" : "-mel"), std::move(spec));
    }
  return out;
}

}  // namespace nicodec::eval
