// ProgressBar drawing.
#include "core/progress.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>

namespace seek {

namespace {
std::atomic<bool> g_enabled{true};
}

void ProgressBar::set_enabled(bool on) { g_enabled = on; }

std::string human_count(double v) {
  const char* units[] = {"", " k", " M", " G", " T"};
  int u = 0;
  while (std::fabs(v) >= 1000.0 && u < 4) {
    v /= 1000.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.2f%s", v, units[u]);
  return buf;
}

std::string human_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  char buf[32];
  long t = static_cast<long>(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  return buf;
}

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(isatty(STDERR_FILENO) != 0) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

ProgressBar::~ProgressBar() {
  if (!finished_) finish();
}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(int64_t done, const std::string& extra) {
  done_ = done;
  extra_ = extra;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since < (tty_ ? 0.1 : 5.0) && done < total_) return;
  last_draw_ = now;
  draw(false);
}

void ProgressBar::finish(const std::string& extra) {
  if (finished_) return;
  finished_ = true;
  if (!extra.empty()) extra_ = extra;
  draw(true);
}

void ProgressBar::draw(bool final_line) {
  if (!g_enabled) return;
  const double el = elapsed_seconds();
  const double rate = el > 0 ? static_cast<double>(done_) / el : 0.0;
  const double frac = total_ > 0 ? std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)) : 0.0;
  const double eta = rate > 0 && total_ > 0 ? static_cast<double>(total_ - done_) / rate : NAN;
  constexpr int kWidth = 24;
  std::string bar(kWidth, ' ');
  for (int i = 0; i < static_cast<int>(frac * kWidth); ++i) bar[i] = '#';
  std::fprintf(stderr, "%s%s [%s] %3.0f%% %s/%s%s | %s%s/s | %s %s%s%s", tty_ ? "\r" : "", label_.c_str(), bar.c_str(),
               frac * 100, human_count(static_cast<double>(done_)).c_str(),
               human_count(static_cast<double>(total_)).c_str(), unit_.empty() ? "" : (" " + unit_).c_str(),
               human_count(rate).c_str(), unit_.c_str(), final_line ? "took" : "ETA",
               human_duration(final_line ? el : eta).c_str(), extra_.empty() ? "" : " | ", extra_.c_str());
  if (!tty_ || final_line) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace seek
