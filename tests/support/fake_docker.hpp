#pragma once
// An in-memory Docker engine for unit tests of the scheduler. It holds images, containers and
// their state, and delivers events to watch_events subscribers. What the real engine does on its
// own (a container exits, turns healthy, vanishes) the test makes happen; every call is recorded
// for assertions. Thread-safe: one mutex guards everything, and subscribers' callbacks run with
// it released, so they may call back in.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <set>
#include <utility>

#include "docker/docker_client.hpp"
#include "docker/image_reference.hpp"
#include "util/clock.hpp"

namespace ecsbox::testing {

class FakeDocker final : public docker::DockerClient {
public:
    using json = nlohmann::json;

    // `clock` (optional) stamps StartedAt/FinishedAt; the system clock otherwise.
    explicit FakeDocker(const util::Clock* clock = nullptr) : m_clock(clock) {}

    // --- What the engine has and how it behaves ----------------------------------------------

    void add_image(const std::string& reference, std::string id = "") {
        std::lock_guard lock(m_mutex);
        if (id.empty()) id = "sha256:" + hex_id(++m_next_image);
        m_images[normalize(reference)] = std::move(id);
    }
    // A pull of `reference` succeeds and makes the image present.
    void add_pullable(const std::string& reference) {
        std::lock_guard lock(m_mutex);
        m_pullable.insert(normalize(reference));
    }
    // The message a pull of anything else fails with.
    void set_pull_error(std::string message) {
        std::lock_guard lock(m_mutex);
        m_pull_error = std::move(message);
    }
    // Unreachable: every call throws DockerError(0, ...), ping() is false, watchers return.
    void set_reachable(bool reachable) {
        std::lock_guard lock(m_mutex);
        m_reachable = reachable;
        m_changed.notify_all();
    }
    // The next start_container fails with `message`, leaving the container "created".
    void fail_next_start(std::string message) {
        std::lock_guard lock(m_mutex);
        m_next_start_error = std::move(message);
    }
    // The exit code a container stopped by stop_container reports; 143 (SIGTERM) by default.
    void set_stop_exit_code(int code) {
        std::lock_guard lock(m_mutex);
        m_stop_exit_code = code;
    }
    void set_info(docker::EngineInfo info) {
        std::lock_guard lock(m_mutex);
        m_info = std::move(info);
    }

    // --- The world moving on its own ----------------------------------------------------------

    // A running container's main process ends with `code`.
    void exit(const std::string& id, int code, bool oom_killed = false) {
        std::lock_guard lock(m_mutex);
        Container& c = existing(id);
        if (!c.state.running) return;
        if (oom_killed) emit(c, "oom");
        finish(c, code, oom_killed);
    }
    // "starting" | "healthy" | "unhealthy"; emits "health_status: <health>".
    void set_health(const std::string& id, const std::string& health) {
        std::lock_guard lock(m_mutex);
        Container& c = existing(id);
        c.state.health = health;
        emit(c, "health_status: " + health);
    }
    // Someone ran `docker rm -f` behind ecsbox's back.
    void remove_externally(const std::string& id) {
        std::lock_guard lock(m_mutex);
        destroy(existing(id).state.id);
    }

    // --- What was asked -----------------------------------------------------------------------

    // One line per call, e.g. "pull nginx:latest", "create web-1", "start <id>", "stop <id> 30".
    std::vector<std::string> calls() const {
        std::lock_guard lock(m_mutex);
        return m_calls;
    }
    // The config create_container was given for `name` (the last one, if the name was reused).
    std::optional<json> created_config(const std::string& name) const {
        std::lock_guard lock(m_mutex);
        const auto it = m_created.find(name);
        return it == m_created.end() ? std::nullopt : std::optional<json>(it->second);
    }
    std::vector<std::string> created_names() const {
        std::lock_guard lock(m_mutex);
        return m_created_names;
    }
    // The timeouts stop_container was called with for `id`, in order.
    std::vector<int> stop_timeouts(const std::string& id) const {
        std::lock_guard lock(m_mutex);
        std::vector<int> out;
        for (const auto& [stopped, timeout] : m_stops)
            if (stopped == id) out.push_back(timeout);
        return out;
    }
    std::vector<std::string> pulls() const {
        std::lock_guard lock(m_mutex);
        return m_pulls;
    }
    // The X-Registry-Auth each pull carried, in order ("" for none).
    std::vector<std::string> pull_auths() const {
        std::lock_guard lock(m_mutex);
        return m_pull_auths;
    }
    std::set<std::string> volumes() const {
        std::lock_guard lock(m_mutex);
        return m_volumes;
    }
    std::optional<std::string> id_of(const std::string& name) const {
        std::lock_guard lock(m_mutex);
        const Container* c = find(name);
        return c ? std::optional<std::string>(c->state.id) : std::nullopt;
    }
    std::size_t running_count() const {
        std::lock_guard lock(m_mutex);
        std::size_t n = 0;
        for (const auto& [id, c] : m_containers) n += c.state.running ? 1 : 0;
        return n;
    }
    std::size_t container_count() const {
        std::lock_guard lock(m_mutex);
        return m_containers.size();
    }
    // Waits until `count` watch_events calls are subscribed (events before that are not seen,
    // as with the real engine). False on timeout.
    bool wait_for_watchers(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, timeout, [&] { return m_watchers >= count; });
    }

    // --- DockerClient --------------------------------------------------------------------------

    bool ping() override {
        std::lock_guard lock(m_mutex);
        m_calls.push_back("ping");
        return m_reachable;
    }

    docker::EngineInfo info() override {
        std::lock_guard lock(m_mutex);
        record("info");
        return m_info;
    }

    std::optional<docker::ImageInfo> inspect_image(const std::string& reference) override {
        std::lock_guard lock(m_mutex);
        record("inspect_image " + reference);
        const auto it = m_images.find(normalize(reference));
        if (it == m_images.end()) return std::nullopt;
        return docker::ImageInfo{.id = it->second, .repo_digests = {}};
    }

    void pull_image(const std::string& reference, const std::string& registry_auth) override {
        std::lock_guard lock(m_mutex);
        record("pull " + reference);
        m_pull_auths.push_back(registry_auth);
        m_pulls.push_back(reference);
        const std::string key = normalize(reference);
        if (!m_pullable.count(key)) throw docker::DockerError(500, m_pull_error);
        if (!m_images.count(key)) m_images[key] = "sha256:" + hex_id(++m_next_image);
    }

    std::string create_container(const std::string& name, const json& config) override {
        std::lock_guard lock(m_mutex);
        record("create " + name);
        const std::string image = config.value("Image", "");
        if (!m_images.count(normalize(image))) throw docker::DockerError(404, "No such image: " + image);
        if (!name.empty() && find(name))
            throw docker::DockerError(409, "Conflict. The container name \"/" + name + "\" is already in use");
        Container c;
        c.config = config;
        c.state.id = hex_id(++m_next_container);
        c.state.name = name.empty() ? "fake_" + std::to_string(m_next_container) : name;
        c.state.status = "created";
        c.state.image = image;
        c.state.image_id = m_images[normalize(image)];
        if (const auto labels = config.find("Labels"); labels != config.end() && labels->is_object())
            for (const auto& [key, value] : labels->items())
                if (value.is_string()) c.state.labels[key] = value.get<std::string>();
        c.state.network_mode = config.value("HostConfig", json::object()).value("NetworkMode", "bridge");
        if (c.state.network_mode == "bridge")
            c.state.ipv4_addresses = {"172.17.0." + std::to_string(1 + m_next_container)};
        m_created[name] = config;
        m_created_names.push_back(name);
        const std::string id = c.state.id;
        m_containers[id] = std::move(c);
        emit(m_containers[id], "create");
        return id;
    }

    void start_container(const std::string& id) override {
        std::lock_guard lock(m_mutex);
        record("start " + id);
        Container& c = existing(id);
        if (c.state.running) return;  // 304 Not Modified
        if (m_next_start_error) {
            c.state.error = *std::exchange(m_next_start_error, std::nullopt);
            c.state.exit_code = 128;
            throw docker::DockerError(500, c.state.error);
        }
        c.state.status = "running";
        c.state.running = true;
        c.state.exit_code = 0;
        c.state.error.clear();
        c.state.started_at = now();
        c.state.finished_at.reset();
        c.state.ports = publish(c.config);
        const json& healthcheck = c.config.value("Healthcheck", json::object());
        const json test = healthcheck.value("Test", json::array());
        c.state.health = test.empty() || test[0] == "NONE" ? "" : "starting";
        emit(c, "start");
    }

    void stop_container(const std::string& id, int timeout_seconds) override {
        std::lock_guard lock(m_mutex);
        record("stop " + id + " " + std::to_string(timeout_seconds));
        m_stops.emplace_back(id, timeout_seconds);
        Container& c = existing(id);
        if (!c.state.running) return;  // 304 Not Modified
        emit(c, "kill");
        finish(c, m_stop_exit_code, false);
        emit(c, "stop");
    }

    void remove_container(const std::string& id) override {
        std::lock_guard lock(m_mutex);
        record("remove " + id);
        if (const Container* c = find(id)) destroy(c->state.id);
    }

    std::optional<docker::ContainerState> inspect_container(const std::string& id) override {
        std::lock_guard lock(m_mutex);
        record("inspect_container " + id);
        const Container* c = find(id);
        return c ? std::optional<docker::ContainerState>(c->state) : std::nullopt;
    }

    std::vector<docker::ContainerSummary> list_containers(const std::string& label_filter) override {
        std::lock_guard lock(m_mutex);
        record("list_containers " + label_filter);
        const auto eq = label_filter.find('=');
        const auto key = label_filter.substr(0, eq);
        std::vector<docker::ContainerSummary> out;
        for (const auto& [id, c] : m_containers) {
            const auto label = c.state.labels.find(key);
            if (label == c.state.labels.end()) continue;
            if (eq != std::string::npos && label->second != label_filter.substr(eq + 1)) continue;
            out.push_back({.id = id, .name = c.state.name, .state = c.state.status, .labels = c.state.labels});
        }
        return out;
    }

    std::optional<json> container_stats(const std::string& id) override {
        std::lock_guard lock(m_mutex);
        record("container_stats " + id);
        const Container* c = find(id);
        if (!c) return std::nullopt;
        return json{{"id", c->state.id},
                    {"name", "/" + c->state.name},
                    {"memory_stats", {{"usage", c->state.running ? 4 << 20 : 0}}}};
    }

    std::string ensure_volume(const std::string& name, const json&) override {
        std::lock_guard lock(m_mutex);
        record("ensure_volume " + name);
        m_volumes.insert(name);
        return name;
    }

    void remove_volume(const std::string& name) override {
        std::lock_guard lock(m_mutex);
        record("remove_volume " + name);
        m_volumes.erase(name);
    }

    std::optional<std::string> network_gateway(const std::string& network) override {
        std::lock_guard lock(m_mutex);
        record("network_gateway " + network);
        if (network == "bridge") return "172.17.0.1";
        return std::nullopt;
    }

    void watch_events(const std::string& label_key, const std::atomic<bool>& stop,
                      const std::function<void(const docker::ContainerEvent&)>& on_event) override {
        std::size_t next = 0;
        {
            std::lock_guard lock(m_mutex);
            record("watch_events " + label_key);
            next = m_events.size();
            ++m_watchers;
            m_changed.notify_all();
        }
        const Unsubscribe unsubscribe{*this};
        while (true) {
            std::vector<docker::ContainerEvent> batch;
            {
                std::unique_lock lock(m_mutex);
                // `stop` is a plain atomic nobody notifies us of: look at it every 10 ms.
                m_changed.wait_for(lock, std::chrono::milliseconds(10),
                                   [&] { return !m_reachable || m_events.size() > next; });
                if (stop.load() || !m_reachable) return;
                for (; next < m_events.size(); ++next)
                    if (m_events[next].labels.count(label_key)) batch.push_back(m_events[next]);
            }
            for (const auto& event : batch) on_event(event);
        }
    }

private:
    struct Container {
        docker::ContainerState state;
        json config;
    };

    struct Unsubscribe {
        FakeDocker& fake;
        ~Unsubscribe() {
            std::lock_guard lock(fake.m_mutex);
            --fake.m_watchers;
            fake.m_changed.notify_all();
        }
    };

    // "nginx" and "nginx:latest" are the same image, as for the engine.
    static std::string normalize(const std::string& reference) {
        const auto ref = docker::parse_image_reference(reference);
        return ref.digest.empty() ? ref.repository + ":" + ref.pull_tag() : ref.repository + "@" + ref.digest;
    }

    static std::string hex_id(unsigned long long n) {
        char buffer[65];
        std::snprintf(buffer, sizeof buffer, "%064llx", n);
        return buffer;
    }

    double now() const { return m_clock ? m_clock->now() : m_system_clock.now(); }

    // The callers below hold m_mutex.

    void record(std::string call) {
        m_calls.push_back(std::move(call));
        if (!m_reachable) throw docker::DockerError(0, "fake Docker engine: unreachable");
    }

    const Container* find(const std::string& id_or_name) const {
        if (const auto it = m_containers.find(id_or_name); it != m_containers.end()) return &it->second;
        for (const auto& [id, c] : m_containers)
            if (c.state.name == id_or_name) return &c;
        return nullptr;
    }

    Container& existing(const std::string& id_or_name) {
        if (const Container* c = find(id_or_name)) return const_cast<Container&>(*c);
        throw docker::DockerError(404, "No such container: " + id_or_name);
    }

    // HostConfig.PortBindings, with a free host port from 49153 up where none is given.
    std::vector<docker::PortBinding> publish(const json& config) {
        std::vector<docker::PortBinding> out;
        const json& bindings = config.value("HostConfig", json::object()).value("PortBindings", json::object());
        for (const auto& [key, list] : bindings.items()) {
            const auto slash = key.find('/');
            const int container_port = std::stoi(key.substr(0, slash));
            const std::string protocol = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
            for (const json& binding : list.is_array() ? list : json::array({json::object()})) {
                const std::string requested = binding.value("HostPort", "");
                const int host_port = requested.empty() || requested == "0" ? m_next_port++ : std::stoi(requested);
                std::string host_ip = binding.value("HostIp", "");
                out.push_back({.container_port = container_port,
                               .protocol = protocol,
                               .host_ip = host_ip.empty() ? "0.0.0.0" : host_ip,
                               .host_port = host_port});
            }
        }
        return out;
    }

    void finish(Container& c, int code, bool oom_killed) {
        c.state.status = "exited";
        c.state.running = false;
        c.state.exit_code = code;
        c.state.oom_killed = oom_killed;
        c.state.finished_at = now();
        c.state.ports.clear();  // as the engine does: an exited container publishes nothing
        emit(c, "die", {{"exitCode", std::to_string(code)}});
    }

    void destroy(const std::string& id) {
        Container& c = m_containers.at(id);
        if (c.state.running) {
            emit(c, "kill");
            finish(c, 137, false);
        }
        emit(c, "destroy");
        m_containers.erase(id);
    }

    // Event attributes are the container's labels plus name and image, as the engine sends them.
    void emit(const Container& c, const std::string& action, std::map<std::string, std::string> extra = {}) {
        docker::ContainerEvent event{.id = c.state.id, .action = action, .labels = c.state.labels};
        event.labels["name"] = c.state.name;
        event.labels["image"] = c.state.image;
        event.labels.merge(extra);
        m_events.push_back(std::move(event));
        m_changed.notify_all();
    }

    const util::Clock* m_clock;
    util::SystemClock m_system_clock;

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_reachable = true;
    std::map<std::string, std::string> m_images;  // normalized reference -> id
    std::set<std::string> m_pullable;
    std::string m_pull_error = "pull access denied: repository does not exist or may require 'docker login'";
    std::optional<std::string> m_next_start_error;
    int m_stop_exit_code = 143;
    docker::EngineInfo m_info{.cpus = 2,
                              .memory_bytes = 4LL << 30,
                              .server_version = "20.10.24",
                              .api_version = "1.41",
                              .operating_system = "FakeOS"};
    std::map<std::string, Container> m_containers;  // by id
    std::vector<docker::ContainerEvent> m_events;
    std::size_t m_watchers = 0;
    int m_next_port = 49153;
    unsigned long long m_next_container = 0;
    unsigned long long m_next_image = 0;

    std::vector<std::string> m_calls;
    std::map<std::string, json> m_created;
    std::vector<std::string> m_created_names;
    std::vector<std::pair<std::string, int>> m_stops;
    std::vector<std::string> m_pulls;
    std::vector<std::string> m_pull_auths;
    std::set<std::string> m_volumes;
};

}  // namespace ecsbox::testing
