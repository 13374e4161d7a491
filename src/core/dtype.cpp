// Type table: block sizes and byte sizes exactly as ggml defines them (QK_K = 256).
#include "core/dtype.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"

namespace seek {

namespace {

struct Entry {
  DType type;
  DTypeInfo info;
};

constexpr Entry kTypes[] = {
    {DType::F32, {"f32", 1, 4, false}},           {DType::F16, {"f16", 1, 2, false}},
    {DType::Q4_0, {"q4_0", 32, 18, true}},        {DType::Q4_1, {"q4_1", 32, 20, true}},
    {DType::Q5_0, {"q5_0", 32, 22, true}},        {DType::Q5_1, {"q5_1", 32, 24, true}},
    {DType::Q8_0, {"q8_0", 32, 34, true}},        {DType::Q8_1, {"q8_1", 32, 36, true}},
    {DType::Q2_K, {"q2_K", 256, 84, true}},       {DType::Q3_K, {"q3_K", 256, 110, true}},
    {DType::Q4_K, {"q4_K", 256, 144, true}},      {DType::Q5_K, {"q5_K", 256, 176, true}},
    {DType::Q6_K, {"q6_K", 256, 210, true}},      {DType::Q8_K, {"q8_K", 256, 292, true}},
    {DType::IQ2_XXS, {"iq2_xxs", 256, 66, true}}, {DType::IQ2_XS, {"iq2_xs", 256, 74, true}},
    {DType::IQ3_XXS, {"iq3_xxs", 256, 98, true}}, {DType::IQ1_S, {"iq1_s", 256, 50, true}},
    {DType::IQ4_NL, {"iq4_nl", 32, 18, true}},    {DType::IQ3_S, {"iq3_s", 256, 110, true}},
    {DType::IQ2_S, {"iq2_s", 256, 82, true}},     {DType::IQ4_XS, {"iq4_xs", 256, 136, true}},
    {DType::IQ1_M, {"iq1_m", 256, 56, true}},     {DType::TQ1_0, {"tq1_0", 256, 54, true}},
    {DType::TQ2_0, {"tq2_0", 256, 66, true}},     {DType::MXFP4, {"mxfp4", 32, 17, true}},
    {DType::NVFP4, {"nvfp4", 64, 36, true}},      {DType::Q1_0, {"q1_0", 128, 18, true}},
    {DType::Q2_0, {"q2_0", 64, 18, true}},        {DType::I8, {"i8", 1, 1, false}},
    {DType::I16, {"i16", 1, 2, false}},           {DType::I32, {"i32", 1, 4, false}},
    {DType::I64, {"i64", 1, 8, false}},           {DType::F64, {"f64", 1, 8, false}},
    {DType::BF16, {"bf16", 1, 2, false}},         {DType::F8_E4M3, {"f8_e4m3", 1, 1, false}},
};

const Entry* find(DType t) {
  for (const Entry& e : kTypes)
    if (e.type == t) return &e;
  return nullptr;
}

}  // namespace

const DTypeInfo& dtype_info(DType t) {
  const Entry* e = find(t);
  if (!e) throw FormatError(str("unknown tensor type id ", static_cast<int32_t>(t)));
  return e->info;
}

bool dtype_known(int32_t id) { return id != static_cast<int32_t>(DType::F8_E4M3) && find(static_cast<DType>(id)); }

bool dtype_computable(DType t) {
  switch (t) {
    case DType::F32:
    case DType::F16:
    case DType::BF16:
    case DType::Q4_0:
    case DType::Q4_1:
    case DType::Q5_0:
    case DType::Q5_1:
    case DType::Q8_0:
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::IQ4_NL:
    case DType::IQ4_XS:
    case DType::IQ2_XXS:
    case DType::IQ2_XS:
    case DType::IQ2_S:
    case DType::IQ3_XXS:
    case DType::IQ3_S:
    case DType::IQ1_S:
    case DType::IQ1_M:
    case DType::TQ1_0:
    case DType::TQ2_0:
    case DType::MXFP4:
    case DType::NVFP4:
    case DType::Q1_0:
    case DType::Q2_0:
    case DType::Q6_K:
    case DType::Q8_K:
    case DType::F8_E4M3: return true;
    default: return false;
  }
}

std::string dtype_name(DType t) {
  const Entry* e = find(t);
  return e ? e->info.name : str("type#", static_cast<int32_t>(t));
}

DType dtype_from_name(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const Entry& e : kTypes) {
    std::string n = e.info.name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    if (n == lower) return e.type;
  }
  throw UsageError(str("unknown type '", name, "' (expected one of f32, f16, bf16, q8_0, q4_0, q4_K, q6_K, ...)"));
}

size_t row_bytes(DType t, int64_t n) {
  const DTypeInfo& info = dtype_info(t);
  if (n < 0 || n % info.block_size != 0)
    throw FormatError(str("a row of ", n, " elements is not a whole number of ", info.name, " blocks of ",
                          info.block_size));
  return static_cast<size_t>(n / info.block_size) * static_cast<size_t>(info.type_size);
}

}  // namespace seek
