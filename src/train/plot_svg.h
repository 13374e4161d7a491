// `seek plot`: a training run's metrics.jsonl drawn as one hand-written SVG page: loss curves
// (train, validation, MTP), learning rate, gradient norm, expert-load imbalance per MoE layer
// (max/mean over steps) and a heat strip of every expert's load per layer. Every chart has axes,
// ticks, labels and a legend.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seek {

// rows: metrics lines (metrics.h). Throws UsageError when there are none.
std::string render_training_svg(const std::vector<nlohmann::json>& rows, const std::string& title);
// The same SVG inside a minimal HTML page.
std::string render_training_html(const std::vector<nlohmann::json>& rows, const std::string& title);

}  // namespace seek
