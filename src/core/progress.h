// A progress bar on stderr: label, bar, done/total, rate and ETA, redrawn at most ~10 times a
// second; when stderr is not a terminal it prints a plain line every few seconds instead.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace seek {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::string unit = "");
  ~ProgressBar();  // finishes the line
  // Sets the amount done; `extra` is shown after the rate (e.g. "loss 3.21").
  void update(int64_t done, const std::string& extra = "");
  void finish(const std::string& extra = "");
  double elapsed_seconds() const;
  static void set_enabled(bool on);  // tests and --quiet turn it off

 private:
  void draw(bool final_line);
  std::string label_, unit_, extra_;
  int64_t total_, done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool tty_, finished_ = false;
};

// "1.2 k", "3.4 M": short human-readable counts and rates.
std::string human_count(double v);
std::string human_duration(double seconds);

}  // namespace seek
