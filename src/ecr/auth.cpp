#include "ecr/auth.hpp"

#include "ecr/errors.hpp"
#include "util/base64.hpp"

namespace ecsbox::ecr {

json get_authorization_token(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    // One entry per registry asked for; every caller may only reach its own account's registry.
    const auto registry_ids = input.value("registryIds", json::array({call.account_id}));
    for (const auto& id : registry_ids)
        if (id.get<std::string>() != call.account_id)
            throw invalid_parameter("Invalid parameter at 'registryIds': ecsbox serves only the registry of account " +
                                    call.account_id + ", not " + id.get<std::string>() + ".");

    const double expires_at = ecr.clock.now() + k_authorization_token_lifetime;
    const auto token = ecr.auth_tokens.mint(call.account_id, call.region, expires_at);
    const json entry = {{"authorizationToken", util::base64_encode("AWS:" + token)},
                        {"expiresAt", expires_at},
                        {"proxyEndpoint", "http://" + ecr.registry_host}};
    json data = json::array();
    for (std::size_t i = 0; i < registry_ids.size(); ++i) data.push_back(entry);
    return {{"authorizationData", data}};
}

}  // namespace ecsbox::ecr
