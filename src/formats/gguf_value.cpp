// GGUFValue: type names, typed conversions (errors name the key) and constructors.
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "formats/gguf.h"

namespace seek {

const char* gguf_type_name(GGUFType t) {
  switch (t) {
    case GGUFType::U8: return "u8";
    case GGUFType::I8: return "i8";
    case GGUFType::U16: return "u16";
    case GGUFType::I16: return "i16";
    case GGUFType::U32: return "u32";
    case GGUFType::I32: return "i32";
    case GGUFType::F32: return "f32";
    case GGUFType::BOOL: return "bool";
    case GGUFType::STRING: return "string";
    case GGUFType::ARRAY: return "array";
    case GGUFType::U64: return "u64";
    case GGUFType::I64: return "i64";
    case GGUFType::F64: return "f64";
  }
  return "unknown";
}

bool GGUFValue::is_integer() const {
  switch (type) {
    case GGUFType::U8:
    case GGUFType::I8:
    case GGUFType::U16:
    case GGUFType::I16:
    case GGUFType::U32:
    case GGUFType::I32:
    case GGUFType::U64:
    case GGUFType::I64: return true;
    default: return false;
  }
}

namespace {

bool is_unsigned(GGUFType t) {
  return t == GGUFType::U8 || t == GGUFType::U16 || t == GGUFType::U32 || t == GGUFType::U64;
}

std::string type_desc(const GGUFValue& v) {
  if (v.type == GGUFType::ARRAY) return str("array of ", gguf_type_name(v.array_type));
  return gguf_type_name(v.type);
}

}  // namespace

int64_t GGUFValue::as_int(const std::string& what) const {
  if (type == GGUFType::BOOL) return i;
  if (!is_integer()) throw FormatError(str(what, ": expected an integer, got ", type_desc(*this)));
  if (is_unsigned(type)) {
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      throw FormatError(str(what, ": value ", u, " does not fit in int64"));
    return static_cast<int64_t>(u);
  }
  return i;
}

double GGUFValue::as_float(const std::string& what) const {
  if (is_float()) return f;
  if (is_integer()) return is_unsigned(type) ? static_cast<double>(u) : static_cast<double>(i);
  throw FormatError(str(what, ": expected a number, got ", type_desc(*this)));
}

bool GGUFValue::as_bool(const std::string& what) const {
  if (type == GGUFType::BOOL) return i != 0;
  if (is_integer()) return as_int(what) != 0;
  throw FormatError(str(what, ": expected a bool, got ", type_desc(*this)));
}

const std::string& GGUFValue::as_string(const std::string& what) const {
  if (type != GGUFType::STRING) throw FormatError(str(what, ": expected a string, got ", type_desc(*this)));
  return s;
}

std::vector<std::string> GGUFValue::as_strings(const std::string& what) const {
  if (type != GGUFType::ARRAY || array_type != GGUFType::STRING)
    throw FormatError(str(what, ": expected an array of string, got ", type_desc(*this)));
  std::vector<std::string> out;
  out.reserve(arr.size());
  for (const GGUFValue& v : arr) out.push_back(v.s);
  return out;
}

std::vector<int64_t> GGUFValue::as_ints(const std::string& what) const {
  if (type != GGUFType::ARRAY) throw FormatError(str(what, ": expected an array of integers, got ", type_desc(*this)));
  std::vector<int64_t> out;
  out.reserve(arr.size());
  for (size_t k = 0; k < arr.size(); ++k) out.push_back(arr[k].as_int(str(what, "[", k, "]")));
  return out;
}

std::vector<float> GGUFValue::as_floats(const std::string& what) const {
  if (type != GGUFType::ARRAY) throw FormatError(str(what, ": expected an array of numbers, got ", type_desc(*this)));
  std::vector<float> out;
  out.reserve(arr.size());
  for (size_t k = 0; k < arr.size(); ++k) out.push_back(static_cast<float>(arr[k].as_float(str(what, "[", k, "]"))));
  return out;
}

namespace {
GGUFValue scalar(GGUFType t, int64_t i, uint64_t u, double f) {
  GGUFValue x;
  x.type = t;
  x.i = i;
  x.u = u;
  x.f = f;
  return x;
}
template <class T, class Of>
GGUFValue array(GGUFType elem, const std::vector<T>& v, Of of) {
  std::vector<GGUFValue> items;
  items.reserve(v.size());
  for (const T& e : v) items.push_back(of(e));
  return GGUFValue::of_array(elem, std::move(items));
}
}  // namespace

GGUFValue GGUFValue::of_u32(uint32_t v) { return scalar(GGUFType::U32, 0, v, 0); }
GGUFValue GGUFValue::of_i32(int32_t v) { return scalar(GGUFType::I32, v, 0, 0); }
GGUFValue GGUFValue::of_u64(uint64_t v) { return scalar(GGUFType::U64, 0, v, 0); }
GGUFValue GGUFValue::of_i64(int64_t v) { return scalar(GGUFType::I64, v, 0, 0); }
GGUFValue GGUFValue::of_f32(float v) { return scalar(GGUFType::F32, 0, 0, v); }
GGUFValue GGUFValue::of_f64(double v) { return scalar(GGUFType::F64, 0, 0, v); }
GGUFValue GGUFValue::of_bool(bool v) { return scalar(GGUFType::BOOL, v ? 1 : 0, 0, 0); }
GGUFValue GGUFValue::of_string(std::string v) {
  GGUFValue x = scalar(GGUFType::STRING, 0, 0, 0);
  x.s = std::move(v);
  return x;
}
GGUFValue GGUFValue::of_strings(const std::vector<std::string>& v) {
  return array(GGUFType::STRING, v, [](const std::string& s) { return of_string(s); });
}
GGUFValue GGUFValue::of_i32s(const std::vector<int32_t>& v) { return array(GGUFType::I32, v, of_i32); }
GGUFValue GGUFValue::of_f32s(const std::vector<float>& v) { return array(GGUFType::F32, v, of_f32); }

GGUFValue GGUFValue::of_int(GGUFType t, int64_t v) {
  GGUFValue x;
  x.type = t;
  auto check = [&](int64_t lo, int64_t hi) {
    if (v < lo || v > hi) throw UsageError(str("value ", v, " does not fit GGUF type ", gguf_type_name(t)));
  };
  switch (t) {
    case GGUFType::U8: check(0, 255); break;
    case GGUFType::I8: check(-128, 127); break;
    case GGUFType::U16: check(0, 65535); break;
    case GGUFType::I16: check(-32768, 32767); break;
    case GGUFType::U32: check(0, 4294967295LL); break;
    case GGUFType::I32: check(INT32_MIN, INT32_MAX); break;
    case GGUFType::U64: check(0, INT64_MAX); break;
    case GGUFType::I64: break;
    default: throw UsageError(str("GGUFValue::of_int: ", gguf_type_name(t), " is not an integer type"));
  }
  if (is_unsigned(t)) x.u = static_cast<uint64_t>(v);
  else x.i = v;
  return x;
}

GGUFValue GGUFValue::of_array(GGUFType elem, std::vector<GGUFValue> items) {
  for (const GGUFValue& v : items)
    if (v.type != elem)
      throw UsageError(str("GGUF array of ", gguf_type_name(elem), " given an element of type ",
                           gguf_type_name(v.type)));
  GGUFValue x;
  x.type = GGUFType::ARRAY;
  x.array_type = elem;
  x.arr = std::move(items);
  return x;
}

bool GGUFValue::operator==(const GGUFValue& o) const {
  if (type != o.type) return false;
  switch (type) {
    case GGUFType::U8:
    case GGUFType::U16:
    case GGUFType::U32:
    case GGUFType::U64: return u == o.u;
    case GGUFType::I8:
    case GGUFType::I16:
    case GGUFType::I32:
    case GGUFType::I64: return i == o.i;
    case GGUFType::BOOL: return (i != 0) == (o.i != 0);
    case GGUFType::F32:
    case GGUFType::F64: return std::memcmp(&f, &o.f, sizeof f) == 0;
    case GGUFType::STRING: return s == o.s;
    case GGUFType::ARRAY: return array_type == o.array_type && arr == o.arr;
  }
  return false;
}

}  // namespace seek
