#include "scheduler/task_runner.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "scheduler/container_spec.hpp"
#include "scheduler/labels.hpp"
#include "util/sha256.hpp"

namespace ecsbox::scheduler {

using nlohmann::json;

namespace {

constexpr int k_default_start_timeout = 180;  // seconds a container may wait for its dependencies

bool is_one_of(const std::string& value, std::initializer_list<const char*> options) {
    return std::any_of(options.begin(), options.end(), [&](const char* o) { return value == o; });
}

class TaskStep {
public:
    TaskStep(TaskRunnerDeps& deps, store::TaskRecord record, json task_definition)
        : m_deps(deps), m_record(std::move(record)), m_task(json::parse(m_record.body)),
          m_definition(std::move(task_definition)),
          m_facts{.installation_id = deps.store.installation_id(),
                  .task_arn = m_record.arn,
                  .task_id = m_record.arn.substr(m_record.arn.rfind('/') + 1),
                  .cluster_arn = m_record.cluster_arn,
                  .family = m_record.family,
                  .revision = m_definition.value("revision", std::int64_t{0}),
                  .task_definition = m_definition,
                  .overrides = m_task["overrides"],
                  .region = m_record.scope.region,
                  .endpoint = deps.container_endpoint()} {}

    bool run() {
        // Accepting the task needs nothing from the engine, so it happens even while it is away.
        if (m_record.desired_status == "RUNNING" && m_record.last_status == "PROVISIONING") {
            save("PENDING");
            return true;
        }
        observe();
        // A task draining from its load balancer serves its last requests first.
        if (m_record.desired_status == "STOPPED" && m_record.last_status == "RUNNING" && m_record.stop_after &&
            m_deps.clock.now() < *m_record.stop_after && all_running())
            return false;
        if (m_record.desired_status == "STOPPED") return stop();
        if (is_one_of(m_record.last_status, {"PENDING", "ACTIVATING"})) return start();
        if (m_record.last_status == "RUNNING") watch_running();
        return false;
    }

private:
    const json& definition_of(const std::string& name) const {
        for (const auto& c : m_definition["containerDefinitions"])
            if (c["name"] == name) return c;
        throw std::logic_error("container " + name + " is not in " + m_record.task_definition_arn);
    }

    json& container(const std::string& name) {
        for (auto& c : m_task["containers"])
            if (c["name"] == name) return c;
        throw std::logic_error("container " + name + " is not in task " + m_record.arn);
    }

    ImageSource image_of(const json& def) const {
        return m_deps.resolve_image(def["image"].get<std::string>(), m_record.scope);
    }

    const docker::ContainerState* observed(const std::string& name) const {
        const auto it = m_observed.find(name);
        return it == m_observed.end() ? nullptr : &it->second;
    }

    // An awsvpc task's address, as ECS shows its elastic network interface: on the task's
    // attachment and each container's networkInterfaces. Target groups of type ip reach it there.
    void record_address(json& container, const std::string& address) {
        const auto digest = util::sha256_hex(m_record.arn);
        const auto attachment_id = digest.substr(0, 8) + "-" + digest.substr(8, 4) + "-" + digest.substr(12, 4) + "-" +
                                   digest.substr(16, 4) + "-" + digest.substr(20, 12);
        container["networkInterfaces"] = json::array({{{"attachmentId", attachment_id}, {"privateIpv4Address", address}}});
        auto& attachments = m_task["attachments"];
        if (!attachments.empty()) return;
        json details = json::array({{{"name", "networkInterfaceId"}, {"value", "eni-" + digest.substr(32, 17)}},
                                    {{"name", "privateIPv4Address"}, {"value", address}}});
        attachments.push_back({{"id", attachment_id}, {"type", "ElasticNetworkInterface"}, {"status", "ATTACHED"},
                               {"details", details}});
    }

    bool all_running() const {
        for (const auto& c : m_task["containers"])
            if (c.value("lastStatus", "") != "RUNNING") return false;
        return true;
    }

    // Reads every container of the task from Docker and copies what it sees into the document.
    void observe() {
        m_observed.clear();
        for (const auto& summary : m_deps.docker.list_containers(std::string(labels::k_task_arn) + "=" + m_record.arn)) {
            const auto name = summary.labels.count(labels::k_container_name) ? summary.labels.at(labels::k_container_name) : "";
            if (auto state = m_deps.docker.inspect_container(summary.id)) m_observed.emplace(name, std::move(*state));
        }
        for (auto& c : m_task["containers"]) {
            const auto* state = observed(c["name"]);
            if (!state) continue;
            c["runtimeId"] = state->id;
            if (state->running) c["lastStatus"] = "RUNNING";
            else if (state->finished_at && state->started_at) {
                c["lastStatus"] = "STOPPED";
                c["exitCode"] = state->exit_code;
            }
            if (state->oom_killed) c["reason"] = "OutOfMemoryError: Container killed due to memory usage";
            json bindings = json::array();
            for (const auto& p : state->ports)
                bindings.push_back({{"bindIP", p.host_ip}, {"containerPort", p.container_port},
                                    {"hostPort", p.host_port}, {"protocol", p.protocol}});
            if (!bindings.empty() || !c.contains("networkBindings")) c["networkBindings"] = bindings;
            c["healthStatus"] = state->health == "healthy" ? "HEALTHY" : state->health == "unhealthy" ? "UNHEALTHY" : "UNKNOWN";
            if (m_definition.value("networkMode", "") == "awsvpc" && !state->ipv4_addresses.empty())
                record_address(c, state->ipv4_addresses.front());
        }
        m_task["healthStatus"] = task_health();
    }

    // ECS's rule: UNHEALTHY if an essential container is, HEALTHY if every essential container
    // with a health check is, UNKNOWN otherwise.
    std::string task_health() const {
        bool any_check = false, all_healthy = true;
        for (const auto& def : m_definition["containerDefinitions"]) {
            if (!def.value("essential", true) || !def.contains("healthCheck")) continue;
            any_check = true;
            const auto* state = observed(def["name"]);
            if (state && state->health == "unhealthy") return "UNHEALTHY";
            if (!state || state->health != "healthy") all_healthy = false;
        }
        return any_check && all_healthy ? "HEALTHY" : "UNKNOWN";
    }

    void save(const std::string& last_status) {
        m_record.last_status = last_status;
        m_task["lastStatus"] = last_status;
        std::optional<double> stopped_at;
        if (m_task.contains("stoppedAt")) stopped_at = m_task["stoppedAt"].get<double>();
        std::optional<double> started_at;
        if (m_task.contains("startedAt")) started_at = m_task["startedAt"].get<double>();
        m_deps.store.tasks().record_progress(m_record.arn, last_status, m_task.dump(), stopped_at,
                                             m_task.value("healthStatus", "UNKNOWN"), started_at);
        m_deps.log.debug("task " + m_record.arn + " " + last_status);
    }

    // The task cannot run: ask for it to stop (unless someone already did) and go on stopping.
    bool fail(const std::string& stop_code, const std::string& reason, const std::string& container_name = "") {
        if (!container_name.empty()) container(container_name)["reason"] = reason;
        m_deps.log.info("task " + m_record.arn + " failed: " + reason);
        m_deps.store.tasks().request_stop(m_record.arn, stop_code, reason);
        m_record.desired_status = "STOPPED";
        return stop();
    }

    bool start() {
        const double now = m_deps.clock.now();
        // Images first: a task whose image cannot be had never creates a container.
        for (const auto& def : m_definition["containerDefinitions"]) {
            const auto name = def["name"].get<std::string>();
            if (observed(name)) continue;
            const auto source = image_of(def);
            auto info = m_deps.docker.inspect_image(source.reference);
            if (!info) {
                if (!m_task.contains("pullStartedAt")) {
                    m_task["pullStartedAt"] = now;
                    save(m_record.last_status);
                }
                try {
                    m_deps.docker.pull_image(source.reference, source.registry_auth);
                } catch (const docker::DockerError& e) {
                    if (e.unreachable()) throw;
                    return fail("TaskFailedToStart", "CannotPullContainerError: " + std::string(e.what()), name);
                }
                info = m_deps.docker.inspect_image(source.reference);
            }
            if (info) container(name)["imageDigest"] = info->repo_digests.empty() ? info->id : info->repo_digests.front().substr(info->repo_digests.front().find('@') + 1);
        }
        if (m_task.contains("pullStartedAt") && !m_task.contains("pullStoppedAt")) m_task["pullStoppedAt"] = m_deps.clock.now();

        // Then every container, created once; volumes before the containers that mount them.
        try {
            for (const auto& [volume, options] : task_volumes(m_facts)) m_deps.docker.ensure_volume(volume, options);
            for (const auto& def : m_definition["containerDefinitions"]) {
                const auto name = def["name"].get<std::string>();
                if (observed(name)) continue;
                // The container runs the image as the engine knows it (ecsbox's registry images
                // by their local address); ECS keeps reporting the image as the definition names it.
                json local = def;
                local["image"] = image_of(def).reference;
                const auto id = m_deps.docker.create_container(docker_container_name(m_facts.task_id, name),
                                                               container_config(m_facts, local));
                if (auto state = m_deps.docker.inspect_container(id)) m_observed.emplace(name, std::move(*state));
                container(name)["runtimeId"] = id;
            }
        } catch (const SpecError& e) {
            return fail("TaskFailedToStart", e.what());
        } catch (const docker::DockerError& e) {
            if (e.unreachable()) throw;
            return fail("TaskFailedToStart", "CannotCreateContainerError: " + std::string(e.what()));
        }

        // Then start, in dependency order, whatever may start now.
        bool started_any = false;
        for (const auto& def : m_definition["containerDefinitions"]) {
            const auto name = def["name"].get<std::string>();
            const auto* state = observed(name);
            if (!state || state->running || state->started_at) continue;
            const auto verdict = dependencies_met(def);
            if (verdict == Dependencies::never)
                return fail("TaskFailedToStart", "Container " + name + " cannot start: a dependency can no longer be met.", name);
            if (verdict == Dependencies::waiting) {
                const auto timeout = def.value("startTimeout", k_default_start_timeout);
                if (m_task.contains("pullStoppedAt") || m_task.contains("createdAt")) {
                    const double since = m_task.value("pullStoppedAt", m_task["createdAt"].get<double>());
                    if (now - since > timeout)
                        return fail("TaskFailedToStart", "Container " + name + " timed out waiting for its dependencies.", name);
                }
                continue;
            }
            try {
                m_deps.docker.start_container(state->id);
            } catch (const docker::DockerError& e) {
                if (e.unreachable()) throw;
                return fail("TaskFailedToStart", "CannotStartContainerError: " + std::string(e.what()), name);
            }
            started_any = true;
        }
        if (started_any) {
            observe();
            if (m_record.last_status == "PENDING") save("ACTIVATING");
        }
        if (essential_exited()) return fail("EssentialContainerExited", "Essential container in task exited");
        if (all_started()) {
            m_task["startedAt"] = m_deps.clock.now();
            if (m_record.launch_type == "FARGATE") m_task["connectivityAt"] = m_task["startedAt"];
            save("RUNNING");
            return false;
        }
        save(m_record.last_status);
        return true;  // dependencies still pending: look again soon
    }

    enum class Dependencies { met, waiting, never };

    Dependencies dependencies_met(const json& def) const {
        for (const auto& dep : def.value("dependsOn", json::array())) {
            const auto* state = observed(dep.value("containerName", ""));
            const auto condition = dep.value("condition", "START");
            const bool exited = state && !state->running && state->finished_at && state->started_at;
            if (condition == "START" && !(state && (state->running || state->started_at))) return Dependencies::waiting;
            if (condition == "COMPLETE" && !exited) return Dependencies::waiting;
            if (condition == "SUCCESS") {
                if (exited && state->exit_code != 0) return Dependencies::never;
                if (!exited) return Dependencies::waiting;
            }
            if (condition == "HEALTHY") {
                if (exited) return Dependencies::never;
                if (!state || state->health != "healthy") return Dependencies::waiting;
            }
        }
        return Dependencies::met;
    }

    bool all_started() const {
        for (const auto& def : m_definition["containerDefinitions"]) {
            const auto* state = observed(def["name"]);
            if (!state) return false;
            if (def.value("essential", true) ? !state->running : !(state->running || state->started_at)) return false;
        }
        return true;
    }

    // The name of an essential container that has stopped (or vanished), if any.
    std::optional<std::string> essential_exited() const {
        for (const auto& def : m_definition["containerDefinitions"]) {
            if (!def.value("essential", true)) continue;
            const auto* state = observed(def["name"]);
            if (!state || (!state->running && state->started_at)) return def["name"].get<std::string>();
        }
        return std::nullopt;
    }

    void watch_running() {
        if (const auto exited = essential_exited()) {
            const bool vanished = !observed(*exited);
            // The reason is the task's; ECS gives a container a reason of its own only for errors.
            fail("EssentialContainerExited",
                 vanished ? "Container " + *exited + " no longer exists on the Docker engine" : "Essential container in task exited");
            return;
        }
        if (m_task.dump() != m_record.body) save("RUNNING");  // health, bindings or exits changed
    }

    bool stop() {
        if (!is_one_of(m_record.last_status, {"DEACTIVATING", "STOPPING", "DEPROVISIONING"})) {
            if (is_one_of(m_record.last_status, {"ACTIVATING", "RUNNING"})) save("DEACTIVATING");
            m_task["stoppingAt"] = m_deps.clock.now();
            save("STOPPING");
        }
        // Dependents first: the reverse of the order they were defined (and started) in.
        const auto& defs = m_definition["containerDefinitions"];
        for (auto it = defs.rbegin(); it != defs.rend(); ++it) {
            const auto* state = observed((*it)["name"]);
            if (state && state->running)
                m_deps.docker.stop_container(state->id, it->value("stopTimeout", k_default_stop_timeout));
        }
        observe();
        for (auto& c : m_task["containers"])
            if (c["lastStatus"] != "STOPPED") c["lastStatus"] = "STOPPED";
        m_task["executionStoppedAt"] = m_deps.clock.now();
        save("DEPROVISIONING");
        for (const auto& [name, state] : m_observed) m_deps.docker.remove_container(state.id);
        for (const auto& volume : task_scoped_volumes(m_facts)) m_deps.docker.remove_volume(volume);
        m_task["stoppedAt"] = m_deps.clock.now();
        save("STOPPED");
        return false;
    }

    TaskRunnerDeps& m_deps;
    store::TaskRecord m_record;
    json m_task;
    json m_definition;
    TaskFacts m_facts;
    std::map<std::string, docker::ContainerState> m_observed;
};

}  // namespace

std::optional<json> load_task_definition(store::Store& store, const store::TaskRecord& task) {
    const auto& arn = task.task_definition_arn;
    const auto slash = arn.rfind('/'), colon = arn.rfind(':');
    if (slash == std::string::npos || colon == std::string::npos || colon < slash) return std::nullopt;
    const auto row = store.task_definitions().find(task.scope, arn.substr(slash + 1, colon - slash - 1),
                                                   std::stoll(arn.substr(colon + 1)));
    if (!row) return std::nullopt;
    return json::parse(row->body);
}

bool step_task(TaskRunnerDeps& deps, const std::string& task_arn) {
    auto record = deps.store.tasks().find(task_arn);
    if (!record || record->last_status == "STOPPED") return false;
    auto definition = load_task_definition(deps.store, *record);
    if (!definition) {
        // Deleted revisions keep their row until every task of theirs is gone; this is damage.
        deps.store.tasks().request_stop(task_arn, "TaskFailedToStart", "The task definition no longer exists.");
        record->desired_status = "STOPPED";
        definition = json{{"containerDefinitions", json::array()}};
    }
    TaskStep step(deps, std::move(*record), std::move(*definition));
    return step.run();
}

}  // namespace ecsbox::scheduler
