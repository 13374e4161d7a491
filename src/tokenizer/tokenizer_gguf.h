// Writing a tokenizer as GGUF `tokenizer.ggml.*` keys (reading is Tokenizer::from_gguf).
#pragma once
#include "tokenizer/tokenizer.h"

namespace seek {

class GGUFWriter;

// Sets tokenizer.ggml.{model, pre, tokens, token_type, merges, bos/eos/padding ids,
// add_bos_token} and tokenizer.chat_template. Byte-level BPE with a GGUF `pre` preset only.
void gguf_set_tokenizer(GGUFWriter& w, const Tokenizer& tok);

}  // namespace seek
