// ApiError and its JSON body.
#include "server/api_error.h"

#include <nlohmann/json.hpp>

namespace seek {

ApiError::ApiError(int status_, const std::string& message, std::string type_, std::string param_, std::string code_)
    : Error(message), status(status_), type(std::move(type_)), param(std::move(param_)), code(std::move(code_)) {}

std::string error_body(const std::string& message, const std::string& type, const std::string& param,
                       const std::string& code) {
  nlohmann::json e = {{"message", message},
                      {"type", type},
                      {"param", param.empty() ? nlohmann::json(nullptr) : nlohmann::json(param)},
                      {"code", code.empty() ? nlohmann::json(nullptr) : nlohmann::json(code)}};
  return nlohmann::json{{"error", e}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string error_body(const ApiError& e) { return error_body(e.what(), e.type, e.param, e.code); }

}  // namespace seek
