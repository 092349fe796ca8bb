#pragma once
// How the Docker engine pulls an image of ecsbox's own registry for a task: from the address the
// engine reaches ecsbox at, signed in as `docker login` would be (user AWS, a fresh token as the
// password), in the engine's X-Registry-Auth form. Pure apart from minting the token.
#include <optional>
#include <string>
#include <string_view>

#include "registry/auth_token.hpp"
#include "store/scope.hpp"

namespace ecsbox::registry {

struct EnginePull {
    std::string reference;      // what the engine pulls and creates containers from
    std::string registry_auth;  // base64url JSON credentials (X-Registry-Auth)
};

// How long the engine's credentials for one pull stay valid.
constexpr double k_engine_pull_token_seconds = 3600;

// nullopt for images of any other registry, which the engine pulls as they are named.
std::optional<EnginePull> engine_pull(std::string_view image, const std::string& registry_host,
                                      const store::Scope& task_scope, const AuthTokens& tokens, double now);

}  // namespace ecsbox::registry
