#pragma once
// What ECS handlers work with: the store, the clock, and the few settings that shape answers.
// Handlers are plain functions (context, call, input) -> output; they never touch Docker.
#include <functional>
#include <nlohmann/json.hpp>

#include "protocol/dispatcher.hpp"
#include "scheduler/instances.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/ids.hpp"

namespace ecsbox::ecs {

using nlohmann::json;

struct EcsContext {
    store::Store& store;
    const util::Clock& clock;
    util::IdGenerator& ids;
    // How long a deleted task definition revision stays DELETE_IN_PROGRESS before it is gone.
    double task_definition_deletion_delay = 30.0;
    // How long a STOPPED task stays describable.
    double stopped_task_retention = 3600.0;
    // The container instances the local engine registers in each cluster.
    scheduler::LocalInstances local_instances{};
    // Tells the reconciler that desired state changed; handlers never act on Docker themselves.
    std::function<void()> desired_state_changed = [] {};
};

inline store::Scope scope_of(const protocol::CallContext& call) { return {call.account_id, call.region}; }

// The caller's identity: without IAM, every caller is the account's root user.
inline std::string root_principal(const protocol::CallContext& call) {
    return "arn:aws:iam::" + call.account_id + ":root";
}

}  // namespace ecsbox::ecs
