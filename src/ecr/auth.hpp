#pragma once
// GetAuthorizationToken: the credentials `docker login` uses against the built-in registry.
// The token itself is made and checked by registry::AuthTokens; this only shapes ECR's answer.
#include "ecr/ecr_context.hpp"

namespace ecsbox::ecr {

// How long a token stays valid, as in ECR.
inline constexpr double k_authorization_token_lifetime = 12 * 3600.0;

json get_authorization_token(EcrContext& ecr, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecr
