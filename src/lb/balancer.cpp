#include "lb/balancer.hpp"

#include <cerrno>
#include <future>
#include <stdexcept>

namespace ecsbox::lb {

Balancer::Balancer(std::function<void()> health_changed)
    : m_health_changed(std::move(health_changed)), m_thread([this] { m_loop.run(); }) {}

Balancer::~Balancer() {
    m_loop.stop();
    m_thread.join();
}

template <class Work>
auto Balancer::on_loop(Work&& work) -> decltype(work()) {
    using Result = decltype(work());
    // Waiting on the loop from the loop would never end.
    if (std::this_thread::get_id() == m_thread.get_id())
        throw std::logic_error("lb::Balancer is configured from its own loop thread");
    std::packaged_task<Result()> task(std::forward<Work>(work));
    auto result = task.get_future();
    m_loop.post([&task] { task(); });
    return result.get();
}

void Balancer::put_target_group(const std::string& id, TargetGroupSettings settings) {
    on_loop([&] {
        auto it = m_groups.find(id);
        if (it != m_groups.end()) return it->second.targets->configure(std::move(settings));
        auto group = std::make_unique<TargetGroup>(m_loop, std::move(settings));
        group->on_removed([this](const Backend& backend) { target_left(backend); });
        if (m_health_changed) group->on_changed(m_health_changed);
        m_groups.emplace(id, Group{m_next_serial++, std::move(group)});
    });
}

void Balancer::remove_target_group(const std::string& id) {
    on_loop([&] {
        const auto it = m_groups.find(id);
        if (it == m_groups.end()) return;
        // Its probes may be running: freed after this batch of events.
        m_loop.post([doomed = std::shared_ptr<TargetGroup>(std::move(it->second.targets))] {});
        m_groups.erase(it);
    });
}

void Balancer::set_targets(const std::string& id, const std::vector<Backend>& targets) {
    on_loop([&] {
        if (const auto it = m_groups.find(id); it != m_groups.end()) it->second.targets->set_targets(targets);
    });
}

std::vector<TargetStatus> Balancer::target_health(const std::string& id) {
    return on_loop([&] {
        const auto it = m_groups.find(id);
        return it == m_groups.end() ? std::vector<TargetStatus>{} : it->second.targets->statuses();
    });
}

void Balancer::target_left(const Backend& backend) {
    for (const auto& [id, group] : m_groups)
        for (const auto& status : group.targets->statuses())
            if (status.backend == backend && status.state != TargetState::draining) return;  // still routed to
    m_http.close_connections_to(backend);
    m_tcp.close_connections_to(backend);
}

std::optional<HttpProxy::Route> Balancer::forward(const Action& action, WeightedChoice& choice) {
    const auto chosen = choice.pick(action.groups);
    if (!chosen) return std::nullopt;
    const auto it = m_groups.find(action.groups[*chosen].target_group);
    if (it == m_groups.end()) return std::nullopt;
    const auto backend = it->second.targets->pick();
    if (!backend) return std::nullopt;
    return HttpProxy::Route{*backend, "", it->second.serial};
}

HttpProxy::Route Balancer::route(Listener& listener, const HttpHead& request, const std::string& peer) {
    const auto rule = select_rule(listener.spec.rules, request, peer);
    const auto& action = rule ? listener.spec.rules[*rule].action : listener.spec.default_action;
    auto& choice = listener.choices[rule ? *rule : listener.spec.rules.size()];
    if (action.type != Action::Type::forward)
        return {std::nullopt, local_answer(action, request, listener.port, request.keep_alive), 0};
    return forward(action, choice).value_or(HttpProxy::Route{});
}

void Balancer::close(Listener& listener) {
    if (listener.spec.tcp)
        m_tcp.close_listener(listener.port);
    else
        m_http.close_listener(listener.port);
}

int Balancer::put_listener(const std::string& id, ListenerSpec spec) {
    int error = 0;  // errno is the loop thread's own: carried back by hand
    const int port = on_loop([&]() -> int {
        auto& slot = m_listeners[id];
        if (slot && slot->spec.host == spec.host && slot->spec.tcp == spec.tcp &&
            (spec.port == 0 || spec.port == slot->port) && slot->spec.idle_timeout == spec.idle_timeout) {
            slot->spec = std::move(spec);  // the same socket, new rules
            slot->choices.assign(slot->spec.rules.size() + 1, WeightedChoice());
            return slot->port;
        }
        if (slot) close(*slot);
        auto listener = std::make_unique<Listener>();
        listener->spec = std::move(spec);
        listener->choices.assign(listener->spec.rules.size() + 1, WeightedChoice());
        auto* raw = listener.get();
        // Requests and connections are counted in the group that was picked for them.
        const auto done = [this](const Backend& backend, std::uint64_t serial) {
            for (auto& [gid, group] : m_groups)
                if (group.serial == serial) return group.targets->done(backend);
        };
        if (raw->spec.tcp) {
            raw->port = m_tcp.listen(
                raw->spec.host, raw->spec.port,
                [this, raw]() -> std::optional<std::pair<Backend, std::uint64_t>> {
                    auto routed = forward(raw->spec.default_action, raw->choices.back());
                    if (!routed) return std::nullopt;
                    return std::pair{*routed->backend, routed->tag};
                },
                done, raw->spec.idle_timeout);
        } else {
            raw->port = m_http.listen(
                raw->spec.host, raw->spec.port,
                [this, raw](const HttpHead& request, const std::string& peer) { return route(*raw, request, peer); }, done,
                raw->spec.idle_timeout);
        }
        if (raw->port == 0) {
            error = errno;
            m_listeners.erase(id);
            return 0;
        }
        slot = std::move(listener);
        return slot->port;
    });
    if (port == 0) errno = error;
    return port;
}

void Balancer::remove_listener(const std::string& id) {
    on_loop([&] {
        const auto it = m_listeners.find(id);
        if (it == m_listeners.end()) return;
        close(*it->second);
        m_loop.post([doomed = std::shared_ptr<Listener>(std::move(it->second))] {});
        m_listeners.erase(it);
    });
}

}  // namespace ecsbox::lb
