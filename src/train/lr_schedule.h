// Learning-rate schedule: linear warmup from 0 to lr_max over `warmup` steps, then cosine decay
// to lr_min at step `total` (held at lr_min after), as tools/ref/train_ref.py lr_at.
#pragma once
#include <cstdint>

namespace seek {

struct LrSchedule {
  double lr_max = 3e-4, lr_min = 3e-5;
  int64_t warmup = 0, total = 1;
  double at(int64_t step) const;
};

}  // namespace seek
