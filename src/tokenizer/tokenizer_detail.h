// Helpers shared by the tokenizer loaders (not part of the public API).
#pragma once
#include <string>
#include <vector>

#include "tokenizer/vocab.h"

namespace seek::detail {

// The GGUF pre-tokenizer name whose patterns equal `patterns` (HF spellings included), or "".
std::string preset_name_for(const std::vector<std::string>& patterns);
// Sets vocab.eot from well-known end-of-turn token texts when it is unset.
void detect_eot(Vocab& vocab);

}  // namespace seek::detail
