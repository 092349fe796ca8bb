#pragma once
// What ECR handlers work with: the store, the clock, the registry's token signer, the registry
// itself (every image and layer operation goes through it, so the API and /v2/ agree), the
// lifecycle previews in progress, and the host clients reach the built-in registry at.
// Handlers are plain functions (context, call, input) -> output; they never touch the blob
// store or Docker directly.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ecr/layer_parts.hpp"
#include "ecr/lifecycle_previews.hpp"
#include "protocol/dispatcher.hpp"
#include "registry/auth_token.hpp"
#include "registry/registry.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/ids.hpp"

namespace ecsbox::ecr {

using nlohmann::json;

struct EcrContext {
    store::Store& store;
    const util::Clock& clock;
    util::IdGenerator& ids;
    const registry::AuthTokens& auth_tokens;
    registry::Registry& registry;
    // "host:port" of the registry as clients should name it: repositoryUri is
    // "<registry_host>/<name>" and proxyEndpoint "http://<registry_host>".
    std::string registry_host;
    // Behind a pointer so the context stays movable.
    std::unique_ptr<LifecyclePreviews> lifecycle_previews = std::make_unique<LifecyclePreviews>();
    std::unique_ptr<LayerParts> layer_parts = std::make_unique<LayerParts>();
};

inline store::Scope scope_of(const protocol::CallContext& call) { return {call.account_id, call.region}; }

}  // namespace ecsbox::ecr
