// Stop strings over a stream of text pieces: text that might still grow into a stop string is
// held back, so a streaming client never sees the start of a stop string it should not see.
#pragma once
#include <string>
#include <vector>

namespace seek {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);
  // Feeds a piece; returns the text now safe to emit. After a match, stopped() is true and the
  // returned text ends right before the stop string.
  std::string push(const std::string& piece);
  // The held-back text at the end of generation (no stop string matched).
  std::string flush();
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
};

}  // namespace seek
