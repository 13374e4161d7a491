// OpenAI-style API errors: {"error": {"message", "type", "param", "code"}} with an HTTP status.
// Request parsing throws ApiError; handlers turn it (and any seek::Error) into the JSON body.
#pragma once
#include <string>

#include "core/error.h"

namespace seek {

struct ApiError : Error {
  ApiError(int status, const std::string& message, std::string type = "invalid_request_error", std::string param = "",
           std::string code = "");
  int status;
  std::string type;   // invalid_request_error, authentication_error, not_found_error, server_error
  std::string param;  // the request field at fault ("" = none)
  std::string code;   // machine-readable ("context_length_exceeded", "invalid_api_key", ...)
};

// The JSON body of an error response.
std::string error_body(const std::string& message, const std::string& type, const std::string& param = "",
                       const std::string& code = "");
std::string error_body(const ApiError& e);

}  // namespace seek
