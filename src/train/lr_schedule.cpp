// Linear warmup then cosine decay (see lr_schedule.h).
#include "train/lr_schedule.h"

#include <cmath>

namespace seek {

double LrSchedule::at(int64_t step) const {
  if (warmup > 0 && step < warmup) return lr_max * double(step + 1) / double(warmup);
  if (step >= total) return lr_min;
  const double span = double(total - warmup);
  const double progress = span > 0 ? double(step - warmup) / span : 1.0;
  return lr_min + 0.5 * (lr_max - lr_min) * (1.0 + std::cos(M_PI * progress));
}

}  // namespace seek
