// seek plot: a training run's metrics.jsonl -> one SVG (or HTML with the SVG inline) a person
// can read: loss, learning rate, gradient norm, expert-load imbalance and heat strips.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/file.h"
#include "formats/atomic_write.h"
#include "train/metrics.h"
#include "train/plot_svg.h"

namespace seek::cli {

int cmd_plot(int argc, char** argv) {
  CLI::App app{"Draw a training run's metrics.jsonl as SVG or HTML", "seek plot"};
  std::string metrics, out, title;
  app.add_option("metrics", metrics, "metrics.jsonl written by `seek train`")->required();
  app.add_option("--out", out, "report.svg or report.html")->required();
  app.add_option("--title", title, "page title (default: the metrics path)");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  const bool html = ends_with(out, ".html") || ends_with(out, ".htm");
  if (!html && !ends_with(out, ".svg")) throw UsageError(str("--out ", out, ": expected a .svg or .html file name"));
  const auto rows = read_metrics(metrics);
  if (title.empty()) title = "seek training run: " + metrics;
  const std::string doc = html ? render_training_html(rows, title) : render_training_svg(rows, title);
  atomic_write(out, [&](const ByteSink& sink) { sink(doc.data(), doc.size()); });
  std::fprintf(stderr, "plot: %zu steps -> %s\n", rows.size(), out.c_str());
  return 0;
}

}  // namespace seek::cli
