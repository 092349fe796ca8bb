#include "registry/engine_pull.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "registry/repository_uri.hpp"
#include "util/base64.hpp"

namespace ecsbox::registry {

std::optional<EnginePull> engine_pull(std::string_view image, const std::string& registry_host,
                                      const store::Scope& task_scope, const AuthTokens& tokens, double now) {
    const auto local = resolve_registry_image(image, registry_host, task_scope);
    if (!local) return std::nullopt;
    const auto token = tokens.mint(local->scope.account, local->scope.region, now + k_engine_pull_token_seconds);
    const nlohmann::json credentials = {{"username", "AWS"}, {"password", token}, {"serveraddress", registry_host}};
    auto encoded = util::base64_encode(credentials.dump());
    std::replace(encoded.begin(), encoded.end(), '+', '-');  // the engine reads base64url
    std::replace(encoded.begin(), encoded.end(), '/', '_');
    return EnginePull{local->reference, encoded};
}

}  // namespace ecsbox::registry
