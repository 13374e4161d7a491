// Line charts with "nice" ticks and a diverging heat strip, written as plain SVG elements.
#include "train/plot_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/error.h"

namespace seek {

namespace {

struct Series {
  std::string label, color;
  std::vector<double> x, y;
  bool dots = false;  // sparse points (validation) drawn as circles joined by a thin line
};

struct Chart {
  std::string title, xlabel, ylabel;
  std::vector<Series> series;
  bool log_y = false;
};

const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

std::string px(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

// Ticks at 1, 2 or 5 times a power of ten, about `target` of them, covering [lo, hi].
std::vector<double> nice_ticks(double& lo, double& hi, int target = 6) {
  if (!(hi > lo)) hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.1);
  const double raw = (hi - lo) / target, mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  std::vector<double> t;
  for (double v = lo; v <= hi + step * 0.5; v += step) t.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  return t;
}

void draw_chart(std::ostringstream& os, const Chart& c, double X, double Y, double W, double H) {
  const double l = X + 70, r = X + W - 150, t = Y + 30, b = Y + H - 45;  // plot area; legend on the right
  os << "<text x='" << px(X + W / 2 - 75) << "' y='" << px(Y + 18) << "' class='title'>" << esc(c.title) << "</text>\n";
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const Series& s : c.series)
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i]) || (c.log_y && s.y[i] <= 0)) continue;
      const double yv = c.log_y ? std::log10(s.y[i]) : s.y[i];
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]), y0 = std::min(y0, yv), y1 = std::max(y1, yv);
    }
  if (x0 > x1) {
    os << "<text x='" << px(l + 10) << "' y='" << px((t + b) / 2) << "' class='lab'>no data</text>\n";
    return;
  }
  std::vector<double> xt = nice_ticks(x0, x1), yt;
  if (c.log_y) {  // decades, plus 2x and 5x when the range is under two decades
    y0 = std::floor(y0), y1 = std::max(y0 + 1, std::ceil(y1));
    for (double e = y0; e <= y1 + 1e-9; ++e)
      for (double m : {1.0, 2.0, 5.0})
        if ((m == 1.0 || y1 - y0 <= 2) && e + std::log10(m) <= y1 + 1e-9) yt.push_back(e + std::log10(m));
  } else {
    yt = nice_ticks(y0, y1, 5);
  }
  auto sx = [&](double v) { return l + (v - x0) / (x1 - x0) * (r - l); };
  auto sy = [&](double v) { return b - (v - y0) / (y1 - y0) * (b - t); };
  os << "<rect x='" << px(l) << "' y='" << px(t) << "' width='" << px(r - l) << "' height='" << px(b - t)
     << "' class='frame'/>\n";
  for (double v : xt) {
    os << "<line x1='" << px(sx(v)) << "' y1='" << px(t) << "' x2='" << px(sx(v)) << "' y2='" << px(b)
       << "' class='grid'/>";
    os << "<text x='" << px(sx(v)) << "' y='" << px(b + 16) << "' class='tick' text-anchor='middle'>" << num(v)
       << "</text>\n";
  }
  for (double v : yt) {
    os << "<line x1='" << px(l) << "' y1='" << px(sy(v)) << "' x2='" << px(r) << "' y2='" << px(sy(v))
       << "' class='grid'/>";
    os << "<text x='" << px(l - 6) << "' y='" << px(sy(v) + 4) << "' class='tick' text-anchor='end'>"
       << num(c.log_y ? std::pow(10.0, v) : v) << "</text>\n";
  }
  os << "<text x='" << px((l + r) / 2) << "' y='" << px(b + 36) << "' class='lab' text-anchor='middle'>"
     << esc(c.xlabel) << "</text>\n";
  os << "<text transform='translate(" << px(X + 16) << "," << px((t + b) / 2)
     << ") rotate(-90)' class='lab' text-anchor='middle'>" << esc(c.ylabel) << "</text>\n";
  for (size_t k = 0; k < c.series.size(); ++k) {
    const Series& s = c.series[k];
    std::ostringstream pts;
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i]) || (c.log_y && s.y[i] <= 0)) continue;
      const double yv = c.log_y ? std::log10(s.y[i]) : s.y[i];
      pts << px(sx(s.x[i])) << "," << px(sy(yv)) << " ";
      if (s.dots)
        os << "<circle cx='" << px(sx(s.x[i])) << "' cy='" << px(sy(yv)) << "' r='3' fill='" << s.color << "'/>";
    }
    os << "<polyline fill='none' stroke='" << s.color << "' stroke-width='" << (s.dots ? 1 : 1.6) << "' points='"
       << pts.str() << "'/>\n";
    const double ly = t + 8 + 18 * static_cast<double>(k);
    os << "<line x1='" << px(r + 12) << "' y1='" << px(ly) << "' x2='" << px(r + 34) << "' y2='" << px(ly)
       << "' stroke='" << s.color << "' stroke-width='3'/><text x='" << px(r + 40) << "' y='" << px(ly + 4)
       << "' class='tick'>" << esc(s.label) << "</text>\n";
  }
}

// Blue (under-loaded) - white (mean load) - red (twice the mean or more).
std::string heat_color(double ratio) {
  const double u = std::clamp(ratio, 0.0, 2.0) - 1.0;  // [-1, 1]
  int R = 255, G = 255, B = 255;
  if (u < 0) R = G = static_cast<int>(255 * (1 + u)), B = 255 - static_cast<int>(80 * -u);
  else G = B = static_cast<int>(255 * (1 - u)), R = 255 - static_cast<int>(80 * u);
  char b[16];
  std::snprintf(b, sizeof b, "#%02x%02x%02x", R, G, B);
  return b;
}

// One strip per MoE layer: experts down, steps across (binned), colour = load / mean load.
double draw_heat(std::ostringstream& os, const std::vector<nlohmann::json>& rows, double X, double Y, double W) {
  std::vector<const nlohmann::json*> with;
  for (const auto& r : rows)
    if (r.contains("load") && r["load"].is_array() && !r["load"].empty()) with.push_back(&r);
  if (with.empty()) return 0;
  const size_t n_layers = (*with[0])["load"].size(), E = (*with[0])["load"][0].size();
  const size_t bins = std::min<size_t>(with.size(), 160);
  const double l = X + 70, r = X + W - 150, cell_h = std::max(2.0, std::min(8.0, 90.0 / static_cast<double>(E)));
  const double cw = (r - l) / static_cast<double>(bins), strip_h = cell_h * static_cast<double>(E);
  double y = Y + 30;
  os << "<text x='" << px(X + W / 2 - 75) << "' y='" << px(Y + 18)
     << "' class='title'>Expert load per MoE layer (tokens routed / mean over experts)</text>\n";
  for (size_t layer = 0; layer < n_layers; ++layer) {
    for (size_t bi = 0; bi < bins; ++bi) {
      const size_t a = bi * with.size() / bins, z = std::max(a + 1, (bi + 1) * with.size() / bins);
      std::vector<double> sum(E, 0);
      for (size_t i = a; i < z; ++i) {
        const auto& L = (*with[i])["load"];
        if (layer >= L.size() || L[layer].size() != E) continue;
        for (size_t e = 0; e < E; ++e) sum[e] += L[layer][e].get<double>();
      }
      double mean = 0;
      for (double v : sum) mean += v / static_cast<double>(E);
      for (size_t e = 0; e < E; ++e)
        os << "<rect x='" << px(l + cw * static_cast<double>(bi)) << "' y='" << px(y + cell_h * static_cast<double>(e))
           << "' width='" << px(cw + 0.3) << "' height='" << px(cell_h + 0.3) << "' fill='"
           << heat_color(mean > 0 ? sum[e] / mean : 1) << "'/>";
      os << "\n";
    }
    const bool mtp = layer + 1 == n_layers && n_layers > 1;
    os << "<text x='" << px(l - 6) << "' y='" << px(y + strip_h / 2 + 4) << "' class='tick' text-anchor='end'>"
       << (mtp ? "MTP" : "MoE " + std::to_string(layer)) << "</text>\n";
    os << "<rect x='" << px(l) << "' y='" << px(y) << "' width='" << px(r - l) << "' height='" << px(strip_h)
       << "' class='frame'/>\n";
    y += strip_h + 8;
  }
  const double s0 = (*with.front())["step"].get<double>(), s1 = (*with.back())["step"].get<double>();
  os << "<text x='" << px(l) << "' y='" << px(y + 12) << "' class='tick'>step " << num(s0) << "</text><text x='"
     << px(r) << "' y='" << px(y + 12) << "' class='tick' text-anchor='end'>step " << num(s1) << "</text>\n";
  os << "<text x='" << px((l + r) / 2) << "' y='" << px(y + 12)
     << "' class='lab' text-anchor='middle'>step (rows: experts 0.." << E - 1 << ")</text>\n";
  // Colour legend.
  for (int i = 0; i <= 20; ++i)
    os << "<rect x='" << px(r + 14) << "' y='" << px(Y + 30 + 6 * (20 - i)) << "' width='14' height='6.3' fill='"
       << heat_color(i / 10.0) << "'/>";
  os << "<text x='" << px(r + 34) << "' y='" << px(Y + 36) << "' class='tick'>2x mean+</text><text x='" << px(r + 34)
     << "' y='" << px(Y + 96) << "' class='tick'>mean</text><text x='" << px(r + 34) << "' y='" << px(Y + 156)
     << "' class='tick'>0</text>\n";
  return std::max(y + 24, Y + 170) - Y;
}

Series pick(const std::vector<nlohmann::json>& rows, const std::string& key, const std::string& label, int color,
            bool dots = false) {
  Series s{label, kPalette[color % 8], {}, {}, dots};
  for (const auto& r : rows)
    if (r.contains(key) && r[key].is_number()) {
      s.x.push_back(r["step"].get<double>());
      s.y.push_back(r[key].get<double>());
    }
  return s;
}

}  // namespace

std::string render_training_svg(const std::vector<nlohmann::json>& rows, const std::string& title) {
  if (rows.empty()) throw UsageError("plot: the metrics file has no steps");
  const double W = 960, H = 280;
  std::ostringstream body;
  double y = 40;
  Chart loss{"Loss", "optimizer step", "cross-entropy (nats)", {}, false};
  loss.series = {pick(rows, "loss", "train total", 0), pick(rows, "ce", "train next-token", 2),
                 pick(rows, "mtp", "train MTP (t+2)", 3), pick(rows, "val_loss", "validation", 1, true)};
  draw_chart(body, loss, 0, y, W, H);
  y += H;
  Chart lr{"Learning rate", "optimizer step", "lr", {pick(rows, "lr", "lr", 4)}, false};
  draw_chart(body, lr, 0, y, W / 2 + 60, H * 0.8);
  Chart gn{"Gradient norm (before clipping)",
           "optimizer step",
           "global L2 norm",
           {pick(rows, "grad_norm", "grad norm", 5)},
           true};
  draw_chart(body, gn, W / 2 - 10, y, W / 2 + 10, H * 0.8);
  y += H * 0.8;
  if (rows.back().contains("reward")) {  // a `seek rl` run: reward, accuracy, length, KL, clipping
    Chart rw{"Reward and accuracy (means over the step's completions)", "optimizer step", "mean", {}, false};
    rw.series = {pick(rows, "reward", "reward", 0), pick(rows, "accuracy", "accuracy", 2),
                 pick(rows, "format", "format", 3), pick(rows, "eval_accuracy", "held-out accuracy", 1, true)};
    draw_chart(body, rw, 0, y, W, H);
    y += H;
    Chart len{"Response length",
              "optimizer step",
              "tokens",
              {pick(rows, "response_length", "mean completion tokens", 6)},
              false};
    draw_chart(body, len, 0, y, W / 2 + 60, H * 0.8);
    Chart kl{"KL to the reference and clipped fraction",
             "optimizer step",
             "value",
             {pick(rows, "kl", "k3 KL", 7), pick(rows, "clip_frac", "clip fraction", 5)},
             false};
    draw_chart(body, kl, W / 2 - 10, y, W / 2 + 10, H * 0.8);
    y += H * 0.8;
  }
  const size_t n_layers = rows.back().contains("imbalance") ? rows.back()["imbalance"].size() : 0;
  if (n_layers > 0) {
    Chart imb{"Expert-load imbalance (max / mean load, 1 = balanced)", "optimizer step", "max / mean", {}, false};
    for (size_t l = 0; l < n_layers; ++l) {
      Series s{l + 1 == n_layers && n_layers > 1 ? "MTP layer" : "MoE layer " + std::to_string(l),
               kPalette[l % 8],
               {},
               {},
               false};
      for (const auto& r : rows)
        if (r.contains("imbalance") && r["imbalance"].size() > l) {
          s.x.push_back(r["step"].get<double>());
          s.y.push_back(r["imbalance"][l].get<double>());
        }
      imb.series.push_back(std::move(s));
    }
    draw_chart(body, imb, 0, y, W, H);
    y += H;
    y += draw_heat(body, rows, 0, y, W) + 10;
  }
  std::ostringstream os;
  os << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << px(y) << "' viewBox='0 0 " << W << " "
     << px(y)
     << "' "
        "font-family='sans-serif'>\n<style>.title{font-size:15px;font-weight:bold}.lab{font-size:12px}.tick{font-size:"
        "11px}"
        ".grid{stroke:#e4e4e4;stroke-width:1}.frame{fill:none;stroke:#444;stroke-width:1}</style>\n"
     << "<rect width='100%' height='100%' fill='white'/>\n<text x='20' y='26' style='font-size:18px;font-weight:bold'>"
     << esc(title) << "</text>\n"
     << body.str() << "</svg>\n";
  return os.str();
}

std::string render_training_html(const std::vector<nlohmann::json>& rows, const std::string& title) {
  return "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>" + esc(title) + "</title></head><body>\n" +
         render_training_svg(rows, title) + "</body></html>\n";
}

}  // namespace seek
