#pragma once
// What ELBv2 handlers work with: the store, the clock, ids, and where the built-in balancer
// listens. Handlers record load balancers, listeners, rules and targets; the reconciler opens
// the listeners and health-checks the targets. They never touch the balancer themselves.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "protocol/service_spec.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/ids.hpp"

namespace ecsbox::elbv2 {

using nlohmann::json;

struct Elbv2Context {
    store::Store& store;
    const util::Clock& clock;
    util::IdGenerator& ids;
    // The address every load balancer's listeners answer on, given as its DNSName.
    std::string dns_name = "127.0.0.1";
    // Tells the reconciler that desired state changed.
    std::function<void()> desired_state_changed = [] {};
};

inline store::Scope scope_of(const protocol::CallContext& call) { return {call.account_id, call.region}; }

}  // namespace ecsbox::elbv2
