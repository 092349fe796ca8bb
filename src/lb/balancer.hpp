#pragma once
// The built-in load balancer as the rest of ecsbox drives it: target groups (health-checked
// targets) and listeners (HTTP with ALB rules, or TCP), served on a loop thread of its own and
// configured from any other thread: each call waits until the loop has applied it. A target
// that leaves a group at the end of its drain has its remaining connections closed, unless
// another group still routes to it.
#include <chrono>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lb/event_loop.hpp"
#include "lb/http_proxy.hpp"
#include "lb/rules.hpp"
#include "lb/target_group.hpp"
#include "lb/tcp_proxy.hpp"

namespace ecsbox::lb {

struct ListenerSpec {
    std::string host = "127.0.0.1";
    int port = 0;  // 0: any free port
    bool tcp = false;
    std::vector<Rule> rules;  // HTTP only
    Action default_action;    // TCP listeners forward by its groups
    std::chrono::milliseconds idle_timeout{60000};
};

class Balancer {
public:
    // `health_changed` is called on the loop thread whenever a target's health changes or a
    // drained target leaves; it must not call back into the balancer.
    explicit Balancer(std::function<void()> health_changed = {});  // throws std::system_error
    ~Balancer();
    Balancer(const Balancer&) = delete;
    Balancer& operator=(const Balancer&) = delete;

    // Creates the group, or changes its settings and keeps its targets.
    void put_target_group(const std::string& id, TargetGroupSettings settings);
    void remove_target_group(const std::string& id);
    void set_targets(const std::string& id, const std::vector<Backend>& targets);
    std::vector<TargetStatus> target_health(const std::string& id);

    // Opens the listener, or changes its rules in place (reopening it when its address
    // changes); the port it listens on, or 0 with errno set when it cannot listen.
    int put_listener(const std::string& id, ListenerSpec spec);
    void remove_listener(const std::string& id);

private:
    struct Group {
        std::uint64_t serial;
        std::unique_ptr<TargetGroup> targets;
    };
    struct Listener {
        ListenerSpec spec;
        int port = 0;
        std::vector<WeightedChoice> choices;  // one per rule, then the default action's
    };

    // Runs `work` on the loop thread and waits for it; std::logic_error from the loop thread.
    template <class Work>
    auto on_loop(Work&& work) -> decltype(work());
    HttpProxy::Route route(Listener& listener, const HttpHead& request, const std::string& peer);
    std::optional<HttpProxy::Route> forward(const Action& action, WeightedChoice& choice);
    void target_left(const Backend& backend);
    void close(Listener& listener);

    std::function<void()> m_health_changed;
    // In this order so that the proxies go before the groups their connections report to.
    EventLoop m_loop;
    std::map<std::string, Group> m_groups;
    std::uint64_t m_next_serial = 1;
    HttpProxy m_http{m_loop};
    TcpProxy m_tcp{m_loop};
    std::map<std::string, std::unique_ptr<Listener>> m_listeners;
    std::thread m_thread;
};

}  // namespace ecsbox::lb
