#pragma once
// The Docker Registry HTTP API v2 (OCI distribution spec) under /v2/, transport-neutral: the
// HTTP server adapts its library to RegistryRequest (with a streaming body) and writes
// RegistryResponse (streaming blobs from disk), so a 200 MB layer never sits in memory.
// Authentication is ECR's: HTTP Basic with user "AWS" and a GetAuthorizationToken password,
// which also names the account and region whose repositories the caller sees.
// Thread-safe: handle() may run on many connections at once.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/auth_token.hpp"
#include "registry/registry.hpp"
#include "util/clock.hpp"

namespace ecsbox::registry {

struct RegistryRequest {
    std::string method;  // GET HEAD PUT PATCH POST DELETE
    std::string path;    // starts with /v2/
    std::map<std::string, std::string> query;
    std::function<std::optional<std::string>(std::string_view name)> header;  // case-insensitive
    // Streams the body to `sink` chunk by chunk; false when the client went away or the sink
    // refused a chunk. Absent for requests without a body.
    std::function<bool(const std::function<bool(std::string_view)>& sink)> read_body;
};

struct RegistryResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type;
    std::string body;
    // A blob to stream instead of `body`: `length` bytes from `offset`.
    std::optional<BlobReader> blob;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

// The query parameter of a presigned blob URL (GetDownloadUrlForLayer): a registry token that
// lets a GET of that blob in without an Authorization header.
inline constexpr std::string_view k_download_token_parameter = "X-Ecsbox-Token";

struct RegistryAccess {
    bool anonymous = false;  // requests without credentials see the default scope
    std::string default_account;
    std::string default_region;
};

class RegistryRoutes {
public:
    RegistryRoutes(Registry& registry, const AuthTokens& tokens, const util::Clock& clock, RegistryAccess access)
        : m_registry(registry), m_tokens(tokens), m_clock(clock), m_access(std::move(access)) {}

    RegistryResponse handle(const RegistryRequest& request) const;

private:
    RegistryResponse answer(const RegistryRequest& request) const;

    Registry& m_registry;
    const AuthTokens& m_tokens;
    const util::Clock& m_clock;
    RegistryAccess m_access;
};

}  // namespace ecsbox::registry
