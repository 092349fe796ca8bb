#include "scheduler/load_balancing.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

namespace ecsbox::scheduler {

using nlohmann::json;

namespace {

// ELB keeps an idle TCP flow for 350 seconds.
constexpr std::chrono::seconds k_tcp_idle_timeout{350};

std::chrono::milliseconds scaled_seconds(const json& seconds, double scale) {
    return std::chrono::milliseconds(std::max<long>(1, static_cast<long>(seconds.get<double>() * 1000 * scale)));
}

lb::TargetGroupSettings settings_of(const store::TargetGroupRecord& group, double scale) {
    const auto body = json::parse(group.body);
    const auto attributes = json::parse(group.attributes);
    lb::TargetGroupSettings settings;
    auto& health = settings.health;
    health.tcp = body.value("HealthCheckProtocol", "HTTP") == "TCP";
    health.path = body.value("HealthCheckPath", "/");
    health.matcher = body.value("Matcher", json::object()).value("HttpCode", "200");
    const auto port = body.value("HealthCheckPort", "traffic-port");
    health.port = port == "traffic-port" ? 0 : std::stoi(port);
    health.interval = scaled_seconds(body.value("HealthCheckIntervalSeconds", json(30)), scale);
    health.timeout = scaled_seconds(body.value("HealthCheckTimeoutSeconds", json(5)), scale);
    health.healthy_threshold = body.value("HealthyThresholdCount", 5);
    health.unhealthy_threshold = body.value("UnhealthyThresholdCount", 2);
    settings.least_outstanding_requests =
        attributes.value("load_balancing.algorithm.type", "round_robin") == "least_outstanding_requests";
    settings.deregistration_delay =
        std::chrono::seconds(std::stol(attributes.value("deregistration_delay.timeout_seconds", "300")));
    return settings;
}

std::string key_of(const lb::TargetGroupSettings& settings) {
    const auto& health = settings.health;
    return json{health.tcp,
                health.path,
                health.matcher,
                health.port,
                health.interval.count(),
                health.timeout.count(),
                health.healthy_threshold,
                health.unhealthy_threshold,
                settings.least_outstanding_requests,
                settings.deregistration_delay.count()}
        .dump();
}

// Where the balancer reaches a target: an ip target at its address; an instance target (a
// local container instance, so this machine) on the loopback address, where Docker publishes
// host ports.
lb::Backend backend_of(const store::TargetRecord& target, const std::string& target_type) {
    return {target_type == "ip" ? target.id : "127.0.0.1", target.port};
}

lb::Condition condition_of(const json& condition) {
    lb::Condition out;
    out.field = condition.value("Field", "");
    for (const auto& [name, config] : condition.items()) {
        if (!config.is_object()) continue;
        if (out.field == "query-string") {
            for (const auto& pair : config.value("Values", json::array())) {
                std::optional<std::string> key;
                if (pair.contains("Key")) key = pair["Key"].get<std::string>();
                out.query.emplace_back(key, pair.value("Value", ""));
            }
        } else {
            out.values = config.value("Values", std::vector<std::string>());
            out.header_name = config.value("HttpHeaderName", "");
        }
    }
    return out;
}

lb::Action action_of(const json& actions) {
    lb::Action out;
    if (actions.empty()) return out;
    const auto& action = actions.back();  // the one that ends the request
    const auto type = action.value("Type", "forward");
    if (type == "fixed-response") {
        const auto& config = action["FixedResponseConfig"];
        out.type = lb::Action::Type::fixed_response;
        out.status = std::stoi(config.value("StatusCode", "200"));
        out.content_type = config.value("ContentType", "text/plain");
        out.body = config.value("MessageBody", "");
    } else if (type == "redirect") {
        const auto& config = action["RedirectConfig"];
        out.type = lb::Action::Type::redirect;
        out.status = config.value("StatusCode", "HTTP_301") == "HTTP_302" ? 302 : 301;
        out.protocol = config.value("Protocol", "#{protocol}");
        out.host = config.value("Host", "#{host}");
        out.port = config.value("Port", "#{port}");
        out.path = config.value("Path", "/#{path}");
        out.query = config.value("Query", "#{query}");
    } else {
        for (const auto& group : action["ForwardConfig"].value("TargetGroups", json::array()))
            out.groups.push_back({group.value("TargetGroupArn", ""), group.value("Weight", 1)});
    }
    return out;
}

}  // namespace

LoadBalancing::LoadBalancing(store::Store& store, lb::Balancer& balancer, const util::Clock& clock, util::Logger& log,
                             LoadBalancingOptions options)
    : m_store(store), m_balancer(balancer), m_clock(clock), m_log(log), m_options(std::move(options)) {}

void LoadBalancing::step() {
    // The groups a listener or rule forwards to: only they serve and are health checked, as in ELB.
    std::set<std::string> used;
    for (const auto& listener : m_store.load_balancers().all_listeners())
        for (const auto& rule : m_store.load_balancers().rules(listener.arn))
            used.insert(rule.target_groups.begin(), rule.target_groups.end());
    const std::vector<std::string> groups(used.begin(), used.end());
    // Groups first, so that a listener never routes to a group the balancer lacks.
    apply_target_groups(groups);
    apply_listeners();
    record_health(groups);
}

void LoadBalancing::apply_target_groups(const std::vector<std::string>& used) {
    for (const auto& arn : used) {
        const auto group = m_store.target_groups().find(arn);
        if (!group) continue;
        const auto settings = settings_of(*group, m_options.health_check_scale);
        const auto key = key_of(settings);
        if (m_groups[arn] != key) {
            m_balancer.put_target_group(arn, settings);
            m_groups[arn] = key;
        }
        const auto type = json::parse(group->body).value("TargetType", "instance");
        std::vector<lb::Backend> backends;
        for (const auto& target : m_store.target_groups().targets(arn)) {
            if (!target.registered) continue;
            const auto backend = backend_of(target, type);
            if (std::find(backends.begin(), backends.end(), backend) == backends.end()) backends.push_back(backend);
        }
        auto& applied = m_targets[arn];
        if (applied != backends) {
            m_balancer.set_targets(arn, backends);
            applied = backends;
        }
    }
    for (auto it = m_groups.begin(); it != m_groups.end();) {
        if (std::find(used.begin(), used.end(), it->first) != used.end()) {
            ++it;
            continue;
        }
        m_balancer.remove_target_group(it->first);
        m_targets.erase(it->first);
        it = m_groups.erase(it);
    }
}

int LoadBalancing::open_listener(const store::ListenerRecord& listener, lb::ListenerSpec spec,
                                 std::string& why_elsewhere) {
    // The port asked for, else the one it fell back to before (so it stays put across
    // restarts), else any free one.
    std::vector<int> ports{listener.port};
    if (listener.local_port != 0 && listener.local_port != listener.port) ports.push_back(listener.local_port);
    ports.push_back(0);
    std::string first_error;
    for (const int port : ports) {
        spec.port = port;
        errno = 0;
        if (const int open = m_balancer.put_listener(listener.arn, spec); open != 0) {
            if (port != listener.port)
                why_elsewhere = "listener port " + std::to_string(listener.port) + " is unavailable (" + first_error +
                                "), so it listens on " + spec.host + ":" + std::to_string(open);
            return open;
        }
        if (first_error.empty()) first_error = errno ? std::strerror(errno) : "cannot listen";
    }
    why_elsewhere = "listener port " + std::to_string(listener.port) + " cannot be opened: " + first_error;
    return 0;
}

void LoadBalancing::apply_listeners() {
    std::set<std::string> present;
    for (const auto& load_balancer : m_store.load_balancers().list_all()) {
        const auto attributes = json::parse(load_balancer.attributes);
        std::string reasons;
        bool failed = false;
        for (const auto& listener : m_store.load_balancers().listeners(load_balancer.arn)) {
            present.insert(listener.arn);
            const auto body = json::parse(listener.body);
            lb::ListenerSpec spec;
            spec.host = m_options.host;
            spec.tcp = body.value("Protocol", "HTTP") == "TCP";
            spec.idle_timeout = spec.tcp ? std::chrono::milliseconds(k_tcp_idle_timeout)
                                         : std::chrono::milliseconds(
                                               std::stol(attributes.value("idle_timeout.timeout_seconds", "60")) * 1000);
            const auto rules = m_store.load_balancers().rules(listener.arn);
            json shape = {listener.port, listener.body, spec.idle_timeout.count()};
            for (const auto& rule : rules) {
                const auto rule_body = json::parse(rule.body);
                shape.push_back({rule.priority.value_or(0), rule.body});
                if (!rule.priority) {
                    spec.default_action = action_of(rule_body["Actions"]);
                    continue;
                }
                lb::Rule converted{*rule.priority, {}, action_of(rule_body["Actions"])};
                for (const auto& condition : rule_body["Conditions"]) converted.conditions.push_back(condition_of(condition));
                spec.rules.push_back(std::move(converted));
            }
            const auto key = shape.dump();
            auto applied = m_listeners.find(listener.arn);
            std::string why;
            int port = 0;
            if (applied != m_listeners.end() && applied->second.spec == key) {
                port = applied->second.port;
                why = applied->second.elsewhere;
            } else if (applied != m_listeners.end() && applied->second.requested_port == listener.port) {
                spec.port = applied->second.port;  // same address: the rules change in place
                port = m_balancer.put_listener(listener.arn, spec);
                why = applied->second.elsewhere;
            } else {
                port = open_listener(listener, spec, why);
                if (port != 0) m_log.info("load balancer " + load_balancer.name + ": " +
                                          (spec.tcp ? "TCP" : "HTTP") + " listener on " + spec.host + ":" +
                                          std::to_string(port) + (why.empty() ? "" : " (" + why + ")"));
            }
            if (port == 0) {
                failed = true;
                m_listeners.erase(listener.arn);
                m_log.warn("load balancer " + load_balancer.name + ": " + why);
            } else {
                m_listeners[listener.arn] = {key, listener.port, port, why};
            }
            if (!why.empty()) reasons += (reasons.empty() ? "" : "; ") + why;
            if (listener.local_port != port) m_store.load_balancers().set_local_port(listener.arn, port);
        }
        const auto state = failed ? "failed" : reasons.empty() ? "active" : "active_impaired";
        if (load_balancer.state != state || load_balancer.state_reason != reasons)
            m_store.load_balancers().set_state(load_balancer.arn, state, reasons);
    }
    for (auto it = m_listeners.begin(); it != m_listeners.end();) {
        if (present.count(it->first)) {
            ++it;
            continue;
        }
        m_balancer.remove_listener(it->first);
        it = m_listeners.erase(it);
    }
}

void LoadBalancing::record_health(const std::vector<std::string>& used) {
    for (const auto& group : m_store.target_groups().list_all()) {
        const bool serving = std::find(used.begin(), used.end(), group.arn) != used.end();
        const auto type = json::parse(group.body).value("TargetType", "instance");
        const auto statuses = serving ? m_balancer.target_health(group.arn) : std::vector<lb::TargetStatus>{};
        const auto delay = std::stod(json::parse(group.attributes).value("deregistration_delay.timeout_seconds", "300"));
        for (auto target : m_store.target_groups().targets(group.arn)) {
            if (!target.registered) {
                // ELB shows a deregistered target draining for the whole delay, even when it had
                // nothing in flight and left the balancer at once.
                if (!serving || m_clock.now() >= target.deregistered_at.value_or(0) + delay)
                    m_store.target_groups().forget_target(group.arn, target.id, target.port);
                continue;
            }
            const auto backend = backend_of(target, type);
            const auto status = std::find_if(statuses.begin(), statuses.end(),
                                             [&](const lb::TargetStatus& s) { return s.backend == backend; });
            if (status == statuses.end()) continue;  // a group nothing uses: it waits, unused
            const std::string state = lb::state_name(status->state);
            if (target.state == state && target.reason == status->reason) continue;
            target.state = state;
            target.reason = status->reason;
            target.description = status->description;
            m_store.target_groups().set_health(target);
        }
    }
}

}  // namespace ecsbox::scheduler
