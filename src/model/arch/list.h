// Every architecture seek runs, one line each: SEEK_ARCH(name) names the function
// `const ArchDef& name_arch()` defined in model/arch/<name>/<name>.cpp.
SEEK_ARCH(deepseek2)
SEEK_ARCH(qwen2)
SEEK_ARCH(llama)
SEEK_ARCH(qwen3)
