#include "ecr/registry_settings.hpp"

namespace ecsbox::ecr {

json describe_registry(EcrContext&, const protocol::CallContext& call, const json&) {
    return {{"registryId", call.account_id}, {"replicationConfiguration", {{"rules", json::array()}}}};
}

}  // namespace ecsbox::ecr
