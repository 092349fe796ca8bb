#pragma once
// One dispatched call's answer as a test reads it: status, parsed body, and the raw response.
#include <nlohmann/json.hpp>
#include <string>

#include "protocol/http_types.hpp"

namespace ecsbox::testing {

struct Reply {
    int status = 0;
    nlohmann::json body;
    protocol::HttpResponse raw;

    std::string error_code() const { return body.value("__type", ""); }
    std::string message() const { return body.value("message", ""); }
};

}  // namespace ecsbox::testing
