#include "lb/target_group.hpp"

#include <algorithm>
#include <limits>

namespace ecsbox::lb {

const char* state_name(TargetState state) {
    switch (state) {
        case TargetState::initial: return "initial";
        case TargetState::healthy: return "healthy";
        case TargetState::unhealthy: return "unhealthy";
        case TargetState::draining: return "draining";
    }
    return "unavailable";
}

TargetGroup::TargetGroup(EventLoop& loop, TargetGroupSettings settings) : m_loop(loop), m_settings(std::move(settings)) {}

TargetGroup::~TargetGroup() {
    for (auto& target : m_targets) {
        m_loop.cancel(target->next_check);
        m_loop.cancel(target->drain_timer);
    }
}

TargetGroup::Target* TargetGroup::find(const Backend& backend) {
    for (auto& target : m_targets)
        if (target->status.backend == backend) return target.get();
    return nullptr;
}

void TargetGroup::configure(TargetGroupSettings settings) { m_settings = std::move(settings); }

void TargetGroup::set_targets(const std::vector<Backend>& targets) {
    for (const auto& backend : targets) {
        if (auto* existing = find(backend)) {
            if (existing->status.state == TargetState::draining) {  // registered again
                m_loop.cancel(existing->drain_timer);
                existing->drain_timer = 0;
                existing->status = {backend, TargetState::initial, "Elb.InitialHealthChecking", "Initial health checks in progress",
                                    existing->status.outstanding};
                existing->successes = existing->failures = 0;
                schedule_check(*existing, std::chrono::milliseconds(0));
            }
            continue;
        }
        auto target = std::make_unique<Target>();
        target->status = {backend, TargetState::initial, "Elb.InitialHealthChecking", "Initial health checks in progress", 0};
        auto& added = *target;
        m_targets.push_back(std::move(target));
        schedule_check(added, std::chrono::milliseconds(0));
    }
    // A drain with nothing in flight removes the target at once, so the loop cannot walk the
    // list it shortens.
    std::vector<Backend> leaving;
    for (const auto& target : m_targets)
        if (target->status.state != TargetState::draining &&
            std::find(targets.begin(), targets.end(), target->status.backend) == targets.end())
            leaving.push_back(target->status.backend);
    for (const auto& backend : leaving)
        if (auto* target = find(backend)) drain(*target);
}

void TargetGroup::drain(Target& target) {
    m_loop.cancel(target.next_check);
    target.next_check = 0;
    target.probe.reset();
    target.status.state = TargetState::draining;
    target.status.reason = "Target.DeregistrationInProgress";
    target.status.description = "Target deregistration is in progress";
    if (target.status.outstanding == 0) return remove(target.status.backend);
    const auto backend = target.status.backend;
    target.drain_timer = m_loop.after(m_settings.deregistration_delay, [this, backend] { remove(backend); });
}

void TargetGroup::remove(const Backend& backend) {
    for (auto it = m_targets.begin(); it != m_targets.end(); ++it) {
        if ((*it)->status.backend != backend) continue;
        m_loop.cancel((*it)->next_check);
        m_loop.cancel((*it)->drain_timer);
        // Its probe may be the caller: freed after this batch of events.
        m_loop.post([doomed = std::shared_ptr<Target>(std::move(*it))] {});
        m_targets.erase(it);
        if (m_on_removed) m_on_removed(backend);
        if (m_on_changed) m_on_changed();
        return;
    }
}

void TargetGroup::schedule_check(Target& target, std::chrono::milliseconds delay) {
    m_loop.cancel(target.next_check);
    const auto backend = target.status.backend;
    target.next_check = m_loop.after(delay, [this, backend] {
        if (auto* t = find(backend)) {
            t->next_check = 0;
            check(*t);
        }
    });
}

void TargetGroup::check(Target& target) {
    const auto& health = m_settings.health;
    HealthProbe::Check probe{target.status.backend.host, health.port ? health.port : target.status.backend.port,
                             health.tcp, health.path, health.matcher, health.timeout};
    const auto backend = target.status.backend;
    target.probe = std::make_unique<HealthProbe>(m_loop, probe, [this, backend](const ProbeResult& result) {
        record(backend, result);
    });
}

void TargetGroup::record(const Backend& backend, const ProbeResult& result) {
    auto* target = find(backend);
    if (!target || target->status.state == TargetState::draining) return;
    // The probe that called is done: freed after this batch of events.
    m_loop.post([doomed = std::shared_ptr<HealthProbe>(std::move(target->probe))] {});
    const auto& health = m_settings.health;
    auto& status = target->status;
    const auto before = std::make_pair(status.state, status.reason);
    if (result.healthy) {
        target->failures = 0;
        if (++target->successes >= health.healthy_threshold && status.state != TargetState::healthy) {
            status.state = TargetState::healthy;
            status.reason.clear();
            status.description.clear();
        }
    } else {
        target->successes = 0;
        if (++target->failures >= health.unhealthy_threshold || status.state == TargetState::unhealthy) {
            status.state = TargetState::unhealthy;
            status.reason = result.reason;
            status.description = result.description;
        }
    }
    schedule_check(*target, health.interval);
    if (m_on_changed && before != std::make_pair(status.state, status.reason)) m_on_changed();
}

std::optional<Backend> TargetGroup::pick() {
    std::vector<Target*> eligible;
    for (auto& target : m_targets)
        if (target->status.state == TargetState::healthy) eligible.push_back(target.get());
    if (eligible.empty()) {
        // Fail open only when every registered target is unhealthy.
        for (auto& target : m_targets) {
            if (target->status.state == TargetState::draining) continue;
            if (target->status.state != TargetState::unhealthy) return std::nullopt;
            eligible.push_back(target.get());
        }
    }
    if (eligible.empty()) return std::nullopt;
    Target* chosen = nullptr;
    if (m_settings.least_outstanding_requests) {
        std::size_t fewest = std::numeric_limits<std::size_t>::max();
        for (std::size_t i = 0; i < eligible.size(); ++i) {
            auto* candidate = eligible[(m_cursor + i) % eligible.size()];
            if (candidate->status.outstanding < fewest) {
                fewest = candidate->status.outstanding;
                chosen = candidate;
            }
        }
    } else {
        chosen = eligible[m_cursor % eligible.size()];
    }
    ++m_cursor;
    ++chosen->status.outstanding;
    return chosen->status.backend;
}

void TargetGroup::done(const Backend& backend) {
    auto* target = find(backend);
    if (!target || target->status.outstanding == 0) return;
    if (--target->status.outstanding == 0 && target->status.state == TargetState::draining) remove(backend);
}

std::vector<TargetStatus> TargetGroup::statuses() const {
    std::vector<TargetStatus> out;
    for (const auto& target : m_targets) out.push_back(target->status);
    return out;
}

}  // namespace ecsbox::lb
