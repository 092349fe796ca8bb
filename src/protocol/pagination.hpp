#pragma once
// Opaque, stable pagination. A nextToken carries the sort key of the last item returned, so a
// page boundary never skips or repeats an item when others are added or removed in between.
// The token is base64 of a versioned JSON value: opaque to clients, cheap to check.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ecsbox::protocol {

struct PageRequest {
    std::size_t limit;
    std::optional<nlohmann::json> after;  // the sort key decoded from nextToken
};

struct PageLimits {
    std::size_t default_size;
    std::size_t max_size;
};

// What a service calls the page size and the token (ELBv2 and other query services:
// PageSize and Marker).
struct PageParameters {
    std::string size = "maxResults";
    std::string token = "nextToken";
};

// Reads the page size and token from a request. Throws AwsError(error_code) when the size is
// outside [1, max_size] or the token is not one ecsbox issued.
PageRequest read_page_request(const nlohmann::json& request, PageLimits limits, const std::string& error_code,
                              const PageParameters& names = {});

std::string encode_page_token(const nlohmann::json& sort_key);

}  // namespace ecsbox::protocol
