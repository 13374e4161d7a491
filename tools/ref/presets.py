# Tiny HF config.json presets for the fixtures (real HF key names; dims scaled down, structure as
# the released models: v3 = DeepSeek-V3/R1, v2 = DeepSeek-V2 236B, v2lite = DeepSeek-V2-Lite,
# qwen2 = R1-Distill-Qwen, qwen3 = DeepSeek-R1-0528-Qwen3-8B (q/k norm, YaRN factor 4),
# llama = R1-Distill-Llama (Llama-3 rope), llama2 = plain Llama-2 rope).
import copy

_DS_COMMON = {
    "vocab_size": 512, "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 4,
    "kv_lora_rank": 32, "qk_nope_head_dim": 16, "qk_rope_head_dim": 8, "v_head_dim": 16,
    "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": False,
    "hidden_act": "silu", "attention_bias": False, "attention_dropout": 0.0,
    "initializer_range": 0.006, "moe_layer_freq": 1, "ep_size": 1, "pretraining_tp": 1,
    "use_cache": True, "torch_dtype": "float32",
}

_YARN_V3 = {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,
            "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}
_YARN_V2 = {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,
            "beta_fast": 32, "beta_slow": 1, "mscale": 0.707, "mscale_all_dim": 0.707}

PRESETS = {
    # q compression, sigmoid + bias (noaux_tc), 4 groups keep 2, norm_topk_prob, scale 2.5,
    # YaRN, 1 MTP layer; dense FFN 160 wide so FP8 gets partial 128x128 blocks in two places
    "v3": dict(_DS_COMMON, **{
        "architectures": ["DeepseekV3ForCausalLM"], "model_type": "deepseek_v3",
        "num_hidden_layers": 3, "first_k_dense_replace": 1, "intermediate_size": 160,
        "moe_intermediate_size": 16, "q_lora_rank": 48, "n_routed_experts": 16,
        "n_shared_experts": 1, "num_experts_per_tok": 4, "scoring_func": "sigmoid",
        "topk_method": "noaux_tc", "n_group": 4, "topk_group": 2, "norm_topk_prob": True,
        "routed_scaling_factor": 2.5, "seq_aux": True, "aux_loss_alpha": 0.0001,
        "rope_scaling": _YARN_V3, "num_nextn_predict_layers": 1,
        "max_position_embeddings": 163840, "bos_token_id": 0, "eos_token_id": 1}),
    # softmax, group-limited greedy with max group score, unnormalised weights, scale 16,
    # no YaRN (a model trained at its native context)
    "v2": dict(_DS_COMMON, **{
        "architectures": ["DeepseekV2ForCausalLM"], "model_type": "deepseek_v2",
        "num_hidden_layers": 3, "first_k_dense_replace": 1, "intermediate_size": 128,
        "moe_intermediate_size": 24, "q_lora_rank": 48, "n_routed_experts": 12,
        "n_shared_experts": 2, "num_experts_per_tok": 3, "scoring_func": "softmax",
        "topk_method": "group_limited_greedy", "n_group": 4, "topk_group": 2,
        "norm_topk_prob": False, "routed_scaling_factor": 16.0, "aux_loss_alpha": 0.003,
        "seq_aux": True, "rope_scaling": None, "num_nextn_predict_layers": 0,
        "max_position_embeddings": 4096, "bos_token_id": 0, "eos_token_id": 1}),
    # no query compression (q_proj), softmax greedy, 1 group, YaRN with mscale 0.707
    "v2lite": dict(_DS_COMMON, **{
        "architectures": ["DeepseekV2ForCausalLM"], "model_type": "deepseek_v2",
        "num_hidden_layers": 3, "first_k_dense_replace": 1, "intermediate_size": 128,
        "moe_intermediate_size": 24, "q_lora_rank": None, "n_routed_experts": 8,
        "n_shared_experts": 2, "num_experts_per_tok": 3, "scoring_func": "softmax",
        "topk_method": "greedy", "n_group": 1, "topk_group": 1, "norm_topk_prob": False,
        "routed_scaling_factor": 1.0, "aux_loss_alpha": 0.001, "seq_aux": True,
        "rope_scaling": _YARN_V2, "num_nextn_predict_layers": 0,
        "max_position_embeddings": 163840, "bos_token_id": 0, "eos_token_id": 1}),
    "qwen2": {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 512,
        "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0, "max_position_embeddings": 4096, "tie_word_embeddings": False,
        "hidden_act": "silu", "use_sliding_window": False, "sliding_window": 4096,
        "max_window_layers": 2, "attention_dropout": 0.0, "initializer_range": 0.02,
        "use_cache": True, "torch_dtype": "float32", "bos_token_id": 0, "eos_token_id": 1},
    # per-head q/k RMSNorm, no biases, head_dim 32 so heads * head_dim (128) != hidden (64),
    # GQA 4/2, untied head, theta 1e6 and YaRN factor 4 over 32768 as DeepSeek-R1-0528-Qwen3-8B
    # (without that release's vLLM-only "attn_factor" key: HF ignores it, so the cos/sin scale
    # is HF's default attention_factor 1 + 0.1 ln 4, which is also what llama.cpp applies)
    "qwen3": {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 512,
        "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32,
        "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
        "rope_scaling": {"rope_type": "yarn", "factor": 4.0,
                         "original_max_position_embeddings": 32768},
        "max_position_embeddings": 131072, "tie_word_embeddings": False, "hidden_act": "silu",
        "attention_bias": False, "attention_dropout": 0.0, "use_sliding_window": False,
        "sliding_window": None, "max_window_layers": 2, "initializer_range": 0.02,
        "use_cache": True, "torch_dtype": "float32", "bos_token_id": 0, "eos_token_id": 1},
    "llama": {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 512,
        "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
        "rms_norm_eps": 1e-5, "rope_theta": 500000.0,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                         "high_freq_factor": 4.0, "original_max_position_embeddings": 8192},
        "max_position_embeddings": 131072, "tie_word_embeddings": False, "hidden_act": "silu",
        "attention_bias": False, "mlp_bias": False, "initializer_range": 0.02,
        "use_cache": True, "torch_dtype": "float32", "bos_token_id": 0, "eos_token_id": 1},
    "llama2": {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 512,
        "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 4, "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0, "rope_scaling": None, "max_position_embeddings": 4096,
        "tie_word_embeddings": False, "hidden_act": "silu", "attention_bias": False,
        "initializer_range": 0.02, "use_cache": True, "torch_dtype": "float32",
        "bos_token_id": 0, "eos_token_id": 1},
}


def preset(name):
    if name not in PRESETS:
        raise ValueError(f"preset: expected one of {sorted(PRESETS)}, got {name}")
    return copy.deepcopy(PRESETS[name])


def is_deepseek(cfg):
    return cfg["model_type"] in ("deepseek_v2", "deepseek_v3")
