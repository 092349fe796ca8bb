#pragma once
// The balancer pass: makes the built-in balancer serve what the store's ELBv2 state says (each
// listener open with its rules, each target group that a listener or rule forwards to with its
// health check and targets) and records back what the balancer did: the port each listener
// listens on, each load balancer's state, each target's health, and the end of each drain.
// Repeatable: a pass after a restart, or after nothing changed, converges to the same balancer.
// Runs on the reconciler's control thread.
#include <map>
#include <string>
#include <vector>

#include "lb/balancer.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace ecsbox::scheduler {

struct LoadBalancingOptions {
    std::string host = "127.0.0.1";  // where listeners listen
    // Health check intervals and timeouts are multiplied by it (tests shorten them).
    double health_check_scale = 1.0;
};

class LoadBalancing {
public:
    LoadBalancing(store::Store& store, lb::Balancer& balancer, const util::Clock& clock, util::Logger& log,
                  LoadBalancingOptions options);

    // One pass over every load balancer and target group of every account and region.
    void step();

private:
    struct AppliedListener {
        std::string spec;        // what it was opened with, to see a change
        int requested_port = 0;  // the port its record asks for
        int port = 0;            // where it listens
        std::string elsewhere;   // why that is not the requested port, if it is not
    };
    void apply_target_groups(const std::vector<std::string>& used);
    void apply_listeners();
    void record_health(const std::vector<std::string>& used);
    int open_listener(const store::ListenerRecord& listener, lb::ListenerSpec spec, std::string& why_elsewhere);

    store::Store& m_store;
    lb::Balancer& m_balancer;
    const util::Clock& m_clock;
    util::Logger& m_log;
    LoadBalancingOptions m_options;
    std::map<std::string, std::string> m_groups;                   // applied settings, by ARN
    std::map<std::string, std::vector<lb::Backend>> m_targets;     // applied targets, by group ARN
    std::map<std::string, AppliedListener> m_listeners;            // by ARN
};

}  // namespace ecsbox::scheduler
