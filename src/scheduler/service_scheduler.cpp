#include "scheduler/service_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "scheduler/deployments.hpp"
#include "scheduler/instances.hpp"
#include "scheduler/placement.hpp"
#include "scheduler/service_targets.hpp"
#include "scheduler/task_factory.hpp"
#include "store/arns.hpp"

namespace ecsbox::scheduler {

using nlohmann::json;

namespace {

// A task that has served this long proves its deployment can start tasks: the back-off and the
// circuit breaker's failure count start over. Shorter-lived tasks that then fail count as
// failures to start, as a crash loop should.
constexpr double k_proven_seconds = 5;
// At most this many tasks start in one step (one transaction), so however large the desired
// count, a step stays short and the next one carries on.
constexpr std::int64_t k_launch_batch = 1000;
// The same placement failure is reported again only after this long, as ECS does.
constexpr double k_placement_event_quiet = 300;
constexpr const char* k_troubleshooting = "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";

std::string task_id_of(const std::string& task_arn) { return task_arn.substr(task_arn.rfind('/') + 1); }

bool is_stopped(const store::TaskRecord& task) { return task.last_status == "STOPPED"; }

// A stop the service's own tasks caused: they failed to start, exited, or failed health checks.
bool is_failure(const store::TaskRecord& task) {
    const auto code = task.stop_code.value_or("");
    return code == "TaskFailedToStart" || code == "EssentialContainerExited" ||
           task.stopped_reason.value_or("").rfind("Task failed", 0) == 0;
}

std::string placement_event_detail(const Placement& placement) {
    if (placement.failures.empty()) return "Reason: No Container Instances were found in your cluster.";
    const auto& closest = placement.failures.front();
    const auto instance = "(container-instance " + closest.arn.substr(closest.arn.rfind('/') + 1) + ")";
    if (closest.reason == "RESOURCE:MEMORY") return "The closest matching " + instance + " has insufficient memory available.";
    if (closest.reason == "RESOURCE:CPU") return "The closest matching " + instance + " has insufficient CPU units available.";
    return "The closest matching " + instance + " encountered error \"" + closest.reason +
           " placement constraint unsatisfied.\".";
}

// A task's health across its target groups: unhealthy if any finds it so, healthy if all do.
struct ElbHealth {
    std::string state = "healthy";
    std::string target_group, reason;  // of the unhealthy one

    void merge(const std::string& other, const std::string& group, const std::string& why) {
        if (state == "unhealthy") return;
        if (other == "unhealthy") {
            state = other;
            target_group = group;
            reason = why.empty() ? "Health checks failed" : why;
        } else if (other != "healthy") {
            state = "initial";
        }
    }
};

class ServiceStep {
public:
    ServiceStep(ServiceSchedulerDeps& deps, store::ServiceRecord service)
        : m_deps(deps), m_service(std::move(service)), m_body(json::parse(m_service.body)), m_now(deps.clock.now()) {}

    bool run() {
        m_deployments = m_deps.store.services().deployments(m_service.arn);
        for (auto& instance : m_deps.store.container_instances().list(m_service.cluster_arn, std::nullopt, std::nullopt,
                                                                      100000))
            m_instances.emplace(instance.arn, std::move(instance));
        load_tasks();
        account_stopped_tasks();
        sync_targets();
        if (m_service.status == "DRAINING") {
            drain();
        } else if (auto* primary = this->primary()) {
            prove(*primary);
            trip_circuit_breaker();
            stop_if_requested();
            primary = this->primary();
            stop_unhealthy();
            if (m_service.scheduling_strategy == "DAEMON")
                schedule_daemon(*primary);
            else
                schedule_replica(*primary);
            report_activity(*primary);
            retire_drained_deployments(*primary);
            complete_if_done(*primary);
        }
        return m_changed;
    }

private:
    // A replica service in its steady state has thousands of settled tasks and nothing to do
    // with them, so it counts them (m_settled) and reads only the others. Any rule that would
    // act on a settled task (scale-in, replacement) reads every task first.
    void load_tasks() {
        const auto* primary = this->primary();
        // Behind a load balancer, each task's target health matters: every task is read.
        if (m_service.status == "DRAINING" || !primary || m_service.scheduling_strategy != "REPLICA" || balanced()) {
            load_every_task();
            return;
        }
        m_settled = m_deps.store.tasks().settled_of_service(m_service.cluster_arn, m_service.name,
                                                            m_now - k_proven_seconds,
                                                            m_now - m_deps.unchecked_healthy_after);
        if (settled_count([&](const auto& s) { return !kept(s, *primary); }) > 0) {
            load_every_task();
            return;
        }
        m_tasks = m_deps.store.tasks().of_service(m_service.cluster_arn, m_service.name, true);
    }

    void load_every_task() {
        m_settled.clear();
        m_tasks = m_deps.store.tasks().of_service(m_service.cluster_arn, m_service.name);
    }

    std::int64_t settled_total() const {
        return settled_count([](const auto&) { return true; });
    }

    template <class Predicate>
    std::int64_t settled_count(Predicate&& matches) const {
        std::int64_t n = 0;
        for (const auto& s : m_settled)
            if (matches(s)) n += s.count;
        return n;
    }

    // Settled tasks the primary deployment keeps: its own, on an ACTIVE instance.
    bool kept(const store::SettledTally& settled, const store::DeploymentRecord& primary) const {
        const auto it = m_instances.find(settled.container_instance_arn.value_or(""));
        return settled.started_by == primary.id && it != m_instances.end() && it->second.status == "ACTIVE";
    }

    static TaskHealth health(const store::TaskRecord& task) { return health_of(task); }
    // A task that serves: running, healthy by its container checks, and behind a load
    // balancer healthy in each of its target groups.
    bool healthy(const store::TaskRecord& task) const {
        if (!is_healthy(task)) return false;
        if (!balanced()) return true;
        const auto it = m_elb.find(task.arn);
        return it != m_elb.end() && it->second.state == "healthy";
    }

    // Whether any deployment of the service registers its tasks with load balancers.
    bool balanced() const {
        if (!m_body.value("loadBalancers", json::array()).empty()) return true;
        for (const auto& d : m_deployments)
            if (!load_balancers_of(d.id).empty()) return true;
        return false;
    }

    json load_balancers_of(const std::optional<std::string>& deployment_id) const {
        for (const auto& d : m_deployments)
            if (deployment_id && d.id == *deployment_id)
                return json::parse(d.body).value("launch", json::object()).value("loadBalancers", json::array());
        return m_body.value("loadBalancers", json::array());
    }

    // The targets a task stands for, from its document (read only for balanced services).
    std::vector<ServiceTarget> targets_of(const store::TaskRecord& task) {
        std::vector<ServiceTarget> targets;
        const auto entries = load_balancers_of(task.started_by);
        if (entries.empty()) return targets;
        const auto full = m_deps.store.tasks().find(task.arn);
        if (!full) return targets;
        const auto document = json::parse(full->body);
        std::string ec2_instance_id;
        if (const auto it = m_instances.find(task.container_instance_arn.value_or("")); it != m_instances.end())
            ec2_instance_id = json::parse(it->second.body).value("ec2InstanceId", "");
        for (const auto& entry : entries) {
            const auto arn = entry.value("targetGroupArn", "");
            const auto group = m_deps.store.target_groups().find(arn);
            if (!group) continue;
            const auto type = json::parse(group->body).value("TargetType", "instance");
            if (auto target = target_of(document, entry, type, ec2_instance_id)) targets.push_back(std::move(*target));
        }
        return targets;
    }

    const std::vector<store::TargetRecord>& rows_of(const std::string& target_group_arn) {
        auto it = m_target_rows.find(target_group_arn);
        if (it == m_target_rows.end())
            it = m_target_rows.emplace(target_group_arn, m_deps.store.target_groups().targets(target_group_arn)).first;
        return it->second;
    }

    const store::TargetRecord* row_of(const ServiceTarget& target) {
        for (const auto& row : rows_of(target.target_group_arn))
            if (row.id == target.id && row.port == target.port) return &row;
        return nullptr;
    }

    // ECS registers a service task with its target groups once it runs, and counts it as
    // serving once every one finds it healthy. A task asked to stop has been deregistered
    // (stop()); it stops once its targets have drained.
    void sync_targets() {
        m_elb.clear();
        m_target_rows.clear();
        if (!balanced()) return;
        for (const auto& task : m_tasks) {
            const auto targets = targets_of(task);
            if (is_stopped(task) || (task.desired_status == "STOPPED" && !task.stop_after)) {
                // A task that died, or was stopped by other means than its service, leaves its
                // target groups at once: nothing of it is left to drain.
                for (const auto& target : targets)
                    if (const auto* row = row_of(target); row && row->registered) {
                        m_deps.store.target_groups().deregister_target(target.target_group_arn, target.id,
                                                                       target.port, m_now);
                        m_changed = true;
                    }
                m_target_rows.clear();
                continue;
            }
            ElbHealth health;
            bool draining = false;
            for (const auto& target : targets) {
                const auto* row = row_of(target);
                if (task.desired_status == "RUNNING" && task.last_status == "RUNNING" && (!row || !row->registered)) {
                    store::TargetRecord record;
                    record.target_group_arn = target.target_group_arn;
                    record.id = target.id;
                    record.port = target.port;
                    record.registered_at = m_now;
                    m_deps.store.target_groups().register_target(record);
                    m_target_rows.erase(target.target_group_arn);
                    m_changed = true;
                    health.merge("initial", target.target_group_arn, "");
                    continue;
                }
                if (!row) continue;
                draining |= !row->registered;
                health.merge(row->state, target.target_group_arn, row->description);
            }
            if (!targets.empty()) m_elb[task.arn] = health;
            // Its targets are gone: nothing is left to drain.
            if (task.desired_status == "STOPPED" && task.stop_after && !draining) {
                m_deps.store.tasks().release_stop(task.arn);
                m_changed = true;
            }
        }
    }

    std::string prefix() const { return "(service " + m_service.name + ")"; }

    void event(const std::string& message) {
        m_deps.store.services().add_event(m_service.arn, {m_deps.ids.uuid(), m_now, prefix() + " " + message});
        m_changed = true;
    }

    store::DeploymentRecord* primary() {
        for (auto& d : m_deployments)
            if (d.status == "PRIMARY") return &d;
        return nullptr;
    }

    store::DeploymentRecord* deployment(const std::optional<std::string>& id) {
        for (auto& d : m_deployments)
            if (id && d.id == *id) return &d;
        return nullptr;
    }

    // Updates a deployment's bookkeeping document and writes the deployment.
    template <class F>
    void edit(store::DeploymentRecord& d, F&& change) {
        json body = json::parse(d.body);
        change(body);
        d.body = body.dump();
        d.updated_at = m_now;
        m_deps.store.services().put_deployment(d);
        m_changed = true;
    }

    const store::ContainerInstanceRecord* instance_of(const store::TaskRecord& task) const {
        const auto it = m_instances.find(task.container_instance_arn.value_or(""));
        return it == m_instances.end() ? nullptr : &it->second;
    }

    bool on_active_instance(const store::TaskRecord& task) const {
        const auto* instance = instance_of(task);
        return instance && instance->status == "ACTIVE";
    }

    // What counts towards minimumHealthyPercent: a healthy task, or, when its essential
    // containers have no health checks, one that has been RUNNING for a while (40 s on ECS).
    bool counts_as_healthy(const store::TaskRecord& task) {
        if (!healthy(task)) return false;
        return health(task).checked || balanced() ||
               m_now - health(task).started_at >= m_deps.unchecked_healthy_after;
    }

    std::string scaling_reason(const store::DeploymentRecord& primary) const {
        return "Scaling activity initiated by (deployment " + primary.id + ")";
    }

    void stop(store::TaskRecord& task, const std::string& reason) {
        // Behind a load balancer it is deregistered first and keeps serving what it has in
        // flight, for at most its groups' deregistration delay.
        std::optional<double> stop_after;
        if (balanced() && task.desired_status == "RUNNING") {
            for (const auto& target : targets_of(task)) {
                if (!m_deps.store.target_groups().deregister_target(target.target_group_arn, target.id, target.port, m_now))
                    continue;
                const auto group = m_deps.store.target_groups().find(target.target_group_arn);
                const auto delay = group ? std::stod(json::parse(group->attributes)
                                                         .value("deregistration_delay.timeout_seconds", "300"))
                                         : 0.0;
                stop_after = std::max(stop_after.value_or(m_now), m_now + delay);
            }
            m_target_rows.clear();
        }
        if (!m_deps.store.tasks().request_stop(task.arn, "ServiceSchedulerInitiated", reason, stop_after)) return;
        task.desired_status = "STOPPED";
        task.stop_code = "ServiceSchedulerInitiated";
        task.stopped_reason = reason;
        m_stopped.push_back(task_id_of(task.arn));
        m_changed = true;
    }

    // Counts each newly STOPPED task once: a failure counts against its deployment (failedTasks,
    // the circuit breaker, the back-off) while that deployment is the primary one.
    void account_stopped_tasks() {
        for (const auto& task : m_tasks) {
            if (!is_stopped(task) || task.service_accounted) continue;
            m_deps.store.tasks().mark_service_accounted(task.arn);
            m_changed = true;
            auto* d = deployment(task.started_by);
            if (!d || d->status != "PRIMARY" || !is_failure(task)) continue;
            ++d->failed_tasks;
            const bool monitoring = d->rollout_state == "IN_PROGRESS";
            edit(*d, [&](json& body) {
                const auto failures = body.value("consecutiveFailures", std::int64_t{0}) + 1;
                body["consecutiveFailures"] = failures;
                body["retryAt"] = m_now + launch_backoff_seconds(failures);
                if (monitoring) body["breakerFailures"] = body.value("breakerFailures", std::int64_t{0}) + 1;
            });
        }
    }

    // A task of the primary deployment that has served for a while resets the back-off and, as
    // resetOnHealthyTask asks (by default), the circuit breaker's count.
    void prove(store::DeploymentRecord& primary) {
        std::int64_t proven = 0;
        for (const auto& s : m_settled)
            if (s.started_by == primary.id) proven += s.running_since;
        for (const auto& task : m_tasks)
            if (task.started_by == primary.id && healthy(task) && m_now - health(task).started_at >= k_proven_seconds) ++proven;
        const json body = json::parse(primary.body);
        if (proven <= body.value("provenTasks", std::int64_t{0})) {
            if (proven < body.value("provenTasks", std::int64_t{0}))
                edit(primary, [&](json& b) { b["provenTasks"] = proven; });
            return;
        }
        const auto breaker = m_body["deploymentConfiguration"].value("deploymentCircuitBreaker", json::object());
        edit(primary, [&](json& b) {
            b["provenTasks"] = proven;
            b["consecutiveFailures"] = 0;
            b.erase("retryAt");
            b.erase("throttleReported");
            if (breaker.value("resetOnHealthyTask", true)) b["breakerFailures"] = 0;
        });
    }

    void trip_circuit_breaker() {
        auto* primary = this->primary();
        const auto breaker = m_body["deploymentConfiguration"].value("deploymentCircuitBreaker", json::object());
        if (!primary || primary->rollout_state != "IN_PROGRESS" || !breaker.value("enable", false)) return;
        const auto failures = json::parse(primary->body).value("breakerFailures", std::int64_t{0});
        if (failures < circuit_breaker_threshold(m_service.desired_count, breaker)) return;
        primary->rollout_state = "FAILED";
        primary->rollout_state_reason = "ECS deployment circuit breaker: tasks failed to start.";
        primary->finished_at = m_now;
        edit(*primary, [](json&) {});
        event("deployment " + primary->id + " deployment failed: tasks failed to start.");
        if (breaker.value("rollback", false))
            roll_back(*primary, "Service deployment rolled back because the circuit breaker threshold was exceeded.");
    }

    // StopServiceDeployment asked for the primary deployment to be rolled back.
    void stop_if_requested() {
        auto* primary = this->primary();
        if (!primary || primary->rollout_state != "IN_PROGRESS" || !json::parse(primary->body).contains("stopRequested"))
            return;
        primary->rollout_state = "FAILED";
        primary->rollout_state_reason = "ECS deployment " + primary->id + " stopped by request.";
        primary->finished_at = m_now;
        edit(*primary, [](json& b) { b.erase("stopRequested"); });
        roll_back(*primary, "Service deployment rolled back by a StopServiceDeployment request.");
    }

    // A new primary deployment of the last one that completed, as the circuit breaker's rollback does.
    void roll_back(store::DeploymentRecord& failed, const std::string& reason) {
        std::optional<store::DeploymentRecord> target;
        for (auto& d : m_deps.store.services().deployments(m_service.arn, true))
            if (d.id != failed.id && d.rollout_state == "COMPLETED") {
                target = d;
                break;
            }
        if (!target) return;  // nothing ever completed: the failed deployment stays, launching nothing
        const json target_body = json::parse(target->body);
        for (const char* member : k_launch_members) {
            if (target_body["launch"].contains(member))
                m_body[member] = target_body["launch"][member];
            else
                m_body.erase(member);
        }
        m_body["taskDefinition"] = target->task_definition_arn;
        m_service.body = m_body.dump();
        m_service.updated_at = m_now;
        m_deps.store.services().update(m_service);

        auto rollback = new_deployment(m_service, target->task_definition_arn, m_deps.ids, m_now);
        const json rollback_info = {{"reason", reason},
                                    {"startedAt", m_now},
                                    {"serviceRevisionArn", revision_arn_of(m_service, *target)}};
        edit(failed, [&](json& b) {
            b["rollback"] = rollback_info;
            b["rolledBackBy"] = rollback.id;
        });
        start_deployment(m_deps.store, rollback);
        failed.status = "ACTIVE";
        event("rolling back to deployment " + target->id + ".");
        m_deployments = m_deps.store.services().deployments(m_service.arn);
        if (!m_settled.empty()) load_every_task();  // the settled tasks are now to be replaced
    }

    // ECS replaces tasks that fail their container health checks once the grace period is over.
    void stop_unhealthy() {
        const auto grace = m_body.value("healthCheckGracePeriodSeconds", 0);
        for (auto& task : m_tasks) {
            if (!is_live(task) || health(task).status != "UNHEALTHY") continue;
            if (m_now - health(task).started_at < grace) continue;
            event("(task " + task_id_of(task.arn) + ") failed container health checks.");
            stop(task, "Task failed container health checks");
        }
        for (auto& task : m_tasks) {
            const auto it = m_elb.find(task.arn);
            if (!is_live(task) || task.desired_status != "RUNNING" || it == m_elb.end() || it->second.state != "unhealthy")
                continue;
            if (m_now - health(task).started_at < grace) continue;
            event("(task " + task_id_of(task.arn) + ") is unhealthy in target-group " + it->second.target_group +
                  " due to (reason " + it->second.reason + ").");
            stop(task, "Task failed ELB health checks in (target-group " + it->second.target_group + ")");
        }
    }

    // Stops `count` of `tasks` the way ECS scales in: tasks not yet running first, then from the
    // instance with the most of the service's tasks, the newest first.
    void scale_in(std::vector<store::TaskRecord*> tasks, std::size_t count, const std::string& reason) {
        std::map<std::string, std::size_t> per_instance;
        for (const auto& task : m_tasks)
            if (is_live(task)) ++per_instance[task.container_instance_arn.value_or("")];
        for (const auto& s : m_settled) per_instance[s.container_instance_arn.value_or("")] += static_cast<std::size_t>(s.count);
        while (count-- > 0 && !tasks.empty()) {
            const auto best = std::min_element(tasks.begin(), tasks.end(), [&](const auto* a, const auto* b) {
                const bool a_running = a->last_status == "RUNNING", b_running = b->last_status == "RUNNING";
                if (a_running != b_running) return !a_running;
                const auto a_load = per_instance[a->container_instance_arn.value_or("")];
                const auto b_load = per_instance[b->container_instance_arn.value_or("")];
                if (a_load != b_load) return a_load > b_load;
                if (a->created_at != b->created_at) return a->created_at > b->created_at;
                return a->arn > b->arn;
            });
            --per_instance[(*best)->container_instance_arn.value_or("")];
            stop(**best, reason);
            tasks.erase(best);
        }
    }

    bool may_launch(store::DeploymentRecord& primary) {
        if (primary.rollout_state == "FAILED") return false;  // the breaker stopped it, with no rollback
        const json body = json::parse(primary.body);
        if (m_now >= body.value("retryAt", 0.0)) return true;
        if (!body.value("throttleReported", false)) {
            event("is unable to consistently start tasks successfully. " + std::string(k_troubleshooting));
            edit(primary, [](json& b) { b["throttleReported"] = true; });
        }
        return false;
    }

    void schedule_replica(store::DeploymentRecord& primary) {
        const auto desired = m_service.desired_count;
        const auto& config = m_body["deploymentConfiguration"];
        const auto max_total = desired * config.value("maximumPercent", 200) / 100;
        const auto min_healthy = (desired * config.value("minimumHealthyPercent", 100) + 99) / 100;

        std::vector<store::TaskRecord*> keep, retire;
        auto partition = [&] {
            keep.clear();
            retire.clear();
            for (auto& task : m_tasks) {
                if (!is_live(task)) continue;
                (task.started_by == primary.id && on_active_instance(task) ? keep : retire).push_back(&task);
            }
        };
        partition();
        const auto settled = settled_total();  // all kept (load_tasks)
        const auto reason = scaling_reason(primary);
        if (static_cast<std::int64_t>(keep.size()) + settled > desired) {
            if (settled > 0) {
                load_every_task();  // scale-in chooses among every task
                partition();
            }
            scale_in(keep, keep.size() - static_cast<std::size_t>(desired), reason);
            std::erase_if(keep, [](const auto* t) { return !is_live(*t); });
        }

        // Old tasks go as the minimum healthy percent allows: those that do not serve at once,
        // serving ones while enough others count as healthy.
        std::int64_t counted = 0;
        for (const auto& s : m_settled) counted += s.checked_or_running_since;
        for (const auto& task : m_tasks) counted += counts_as_healthy(task) ? 1 : 0;
        std::vector<store::TaskRecord*> serving;
        for (auto* task : retire) {
            if (healthy(*task))
                serving.push_back(task);
            else
                stop(*task, reason);
        }
        if (counted > min_healthy)
            scale_in(serving, static_cast<std::size_t>(std::min<std::int64_t>(counted - min_healthy, serving.size())),
                     reason);

        if (!may_launch(primary)) return;
        auto wanted = desired - static_cast<std::int64_t>(keep.size()) - settled_total();
        const bool replacing = std::any_of(m_tasks.begin(), m_tasks.end(), [&](const auto& task) {
            return !is_stopped(task) && (task.started_by != primary.id || !on_active_instance(task));
        });
        if (replacing) {
            // Every task not yet STOPPED holds its place until it is gone, so the maximum
            // percent is never exceeded.
            const auto occupying =
                std::count_if(m_tasks.begin(), m_tasks.end(), [](const auto& t) { return !is_stopped(t); }) + settled_total();
            wanted = std::min<std::int64_t>(wanted, max_total - occupying);
        }
        if (wanted > 0) launch(primary, static_cast<std::size_t>(std::min(wanted, k_launch_batch)), std::nullopt);
    }

    // One task per ACTIVE container instance that the service's constraints admit.
    void schedule_daemon(store::DeploymentRecord& primary) {
        const auto reason = scaling_reason(primary);
        const json launch_config = json::parse(primary.body)["launch"];
        const auto definition = m_deps.store.task_definitions().find_by_arn(primary.task_definition_arn);
        if (!definition) return;
        auto rules = read_placement(launch_config.value("placementConstraints", json::array()), json::array(),
                                    json::parse(definition->body), effective_launch_type(launch_config));
        if (!rules) return;
        ensure_runnable_instances();
        std::vector<const store::ContainerInstanceRecord*> eligible;
        for (const auto& [arn, instance] : m_instances)
            if (instance.status == "ACTIVE" && is_local(instance) &&
                !placement_refusal(*rules, instance_facts(m_deps.store, instance), "service:" + m_service.name))
                eligible.push_back(&instance);
        const auto desired = static_cast<std::int64_t>(eligible.size());
        if (m_service.desired_count != desired) {
            m_service.desired_count = desired;
            m_service.updated_at = m_now;
            m_deps.store.services().update(m_service);
            m_changed = true;
        }
        const auto min_percent = m_body["deploymentConfiguration"].value("minimumHealthyPercent", 0);
        std::int64_t may_stop_healthy = -(desired * min_percent + 99) / 100;
        for (const auto& task : m_tasks) may_stop_healthy += counts_as_healthy(task) ? 1 : 0;

        std::map<std::string, std::vector<store::TaskRecord*>> on_instance;
        for (auto& task : m_tasks) {
            if (!is_live(task)) continue;
            const auto it = std::find_if(eligible.begin(), eligible.end(),
                                         [&](const auto* i) { return i->arn == task.container_instance_arn; });
            if (it == eligible.end())
                stop(task, reason);
            else
                on_instance[(*it)->arn].push_back(&task);
        }
        const bool launching = may_launch(primary);
        for (const auto* instance : eligible) {
            auto& tasks = on_instance[instance->arn];
            std::vector<store::TaskRecord*> current, old;
            for (auto* t : tasks) (t->started_by == primary.id ? current : old).push_back(t);
            std::sort(current.begin(), current.end(), [this](const auto* a, const auto* b) {
                if (healthy(*a) != healthy(*b)) return healthy(*a);
                return a->created_at < b->created_at;
            });
            for (std::size_t i = 1; i < current.size(); ++i) stop(*current[i], reason);
            const bool serving = !current.empty() && counts_as_healthy(*current.front());
            for (auto* t : old) {
                if (serving || !healthy(*t)) {
                    stop(*t, reason);
                } else if (current.empty() && may_stop_healthy > 0) {
                    --may_stop_healthy;
                    stop(*t, reason);
                }
            }
            // A new task goes on only once the instance is free of the old one's reservation.
            const bool occupied = std::any_of(m_tasks.begin(), m_tasks.end(), [&](const auto& t) {
                return !is_stopped(t) && t.container_instance_arn == instance->arn;
            });
            if (launching && current.empty() && !occupied) launch(primary, 1, instance->arn);
        }
    }

    // The cluster has the local engine's instances once a service runs in it, as for RunTask.
    void ensure_runnable_instances() {
        auto local = ensure_local_instances(m_deps.store, m_deps.clock, m_deps.ids, m_service.scope,
                                            m_service.cluster_arn, m_deps.local_instances);
        if (!local) return;
        for (auto& instance : *local) m_instances.emplace(instance.arn, std::move(instance));
    }

    store::TagList task_tags(const store::TaskDefinitionRecord& definition) {
        store::TagList tags;
        const auto propagate = m_body.value("propagateTags", "NONE");
        if (propagate == "SERVICE") tags = m_deps.store.tags().list(m_service.arn);
        if (propagate == "TASK_DEFINITION") tags = m_deps.store.tags().list(definition.arn);
        if (m_body.value("enableECSManagedTags", false)) {
            tags.emplace_back("aws:ecs:serviceName", m_service.name);
            tags.emplace_back("aws:ecs:clusterName", store::cluster_name_of(m_service.cluster_arn));
        }
        return tags;
    }

    // Starts up to `count` tasks of the primary deployment, placed by its rules (on `only` when set).
    void launch(store::DeploymentRecord& primary, std::size_t count, const std::optional<std::string>& only) {
        const auto definition = m_deps.store.task_definitions().find_by_arn(primary.task_definition_arn);
        if (!definition) {
            m_deps.log.warn("service " + m_service.arn + ": task definition " + primary.task_definition_arn + " is gone");
            return;
        }
        const json launch = json::parse(primary.body)["launch"];
        TaskLaunch task_launch;
        task_launch.scope = m_service.scope;
        task_launch.cluster_arn = m_service.cluster_arn;
        task_launch.definition = *definition;
        task_launch.task_definition = json::parse(definition->body);
        task_launch.launch_type = effective_launch_type(launch);
        task_launch.group = "service:" + m_service.name;
        task_launch.started_by = primary.id;
        task_launch.service_name = m_service.name;
        task_launch.enable_execute_command = m_body.value("enableExecuteCommand", false);
        const auto version = launch.value("platformVersion", std::string("LATEST"));
        if (version != "LATEST") task_launch.platform_version = version;

        const json default_strategy = json::array({{{"type", "spread"}, {"field", "attribute:ecs.availability-zone"}},
                                                   {{"type", "spread"}, {"field", "instanceId"}}});
        // A service that names no strategy is spread over zones, then instances.
        auto strategy = launch.value("placementStrategy", json::array());
        if (strategy.empty() && task_launch.launch_type != "FARGATE") strategy = default_strategy;
        auto rules = read_placement(launch.value("placementConstraints", json::array()), only ? json::array() : strategy,
                                    task_launch.task_definition, task_launch.launch_type);
        if (!rules) {
            m_deps.log.warn("service " + m_service.arn + ": " + rules.error().message);
            return;
        }
        ensure_runnable_instances();
        std::vector<Candidate> candidates;
        const auto loads = m_deps.store.tasks().loads_in(m_service.cluster_arn);
        for (const auto& [arn, instance] : m_instances) {
            if (instance.status != "ACTIVE" || !is_local(instance) || (only && *only != arn)) continue;
            const auto load = loads.find(arn);
            candidates.push_back(candidate_of(m_deps.store, instance, load == loads.end() ? store::InstanceLoad{} : load->second));
        }

        const auto need = launch_reservation(task_launch);
        const auto tags = task_tags(*definition);
        for (std::size_t i = 0; i < count; ++i) {
            const auto placement = place_task(*rules, candidates, need, task_launch.group, m_deps.ids);
            if (!placement.chosen) {
                report_unplaceable(primary, placement);
                break;
            }
            auto task = make_task(task_launch, candidates[*placement.chosen].instance.arn, m_deps.ids, m_now);
            m_deps.store.tasks().insert(m_service.scope, task);
            if (!tags.empty()) m_deps.store.tags().put(task.arn, tags);
            m_started.push_back(task_id_of(task.arn));
            m_tasks.push_back(std::move(task));
            m_changed = true;
        }
    }

    void report_unplaceable(store::DeploymentRecord& primary, const Placement& placement) {
        const auto message = "was unable to place a task because no container instance met all of its requirements. " +
                             placement_event_detail(placement) + " " + k_troubleshooting;
        const json body = json::parse(primary.body);
        if (body.value("placementEvent", "") == message && m_now - body.value("placementEventAt", 0.0) < k_placement_event_quiet)
            return;
        event(message);
        edit(primary, [&](json& b) {
            b["placementEvent"] = message;
            b["placementEventAt"] = m_now;
        });
    }

    void report_activity(store::DeploymentRecord& primary) {
        auto list = [](const std::vector<std::string>& ids) {
            std::string text;
            for (const auto& id : ids) text += " (task " + id + ")";
            return text;
        };
        if (!m_stopped.empty())
            event("has stopped " + std::to_string(m_stopped.size()) + " running tasks:" + list(m_stopped) + ".");
        if (!m_started.empty())
            event("has started " + std::to_string(m_started.size()) + " tasks:" + list(m_started) + ".");
        if ((!m_stopped.empty() || !m_started.empty()) && json::parse(primary.body).value("steadyReported", false))
            edit(primary, [](json& b) { b["steadyReported"] = false; });
    }

    // A deployment that is no longer the primary one leaves deployments[] once its last task is gone.
    void retire_drained_deployments(const store::DeploymentRecord& primary) {
        for (auto& d : m_deployments) {
            if (d.id == primary.id || d.status == "INACTIVE") continue;
            const bool has_tasks = std::any_of(m_tasks.begin(), m_tasks.end(),
                                               [&](const auto& t) { return t.started_by == d.id && !is_stopped(t); }) ||
                                   settled_count([&](const auto& s) { return s.started_by == d.id; }) > 0;
            if (has_tasks) continue;
            d.status = "INACTIVE";
            if (d.rollout_state == "IN_PROGRESS") d.finished_at = m_now;
            edit(d, [](json&) {});
        }
    }

    void complete_if_done(store::DeploymentRecord& primary) {
        const auto unfinished =
            std::count_if(m_deployments.begin(), m_deployments.end(), [](const auto& d) { return d.status != "INACTIVE"; });
        if (primary.rollout_state == "FAILED" || unfinished != 1) return;
        if (settled_count([&](const auto& s) { return !kept(s, primary); }) > 0) return;  // still moving
        std::int64_t serving = settled_total();
        for (const auto& task : m_tasks) {
            if (is_stopped(task)) continue;
            if (!is_live(task) || task.started_by != primary.id || !on_active_instance(task)) return;  // still moving
            if (!healthy(task)) return;
            ++serving;
        }
        if (serving != m_service.desired_count) return;
        if (primary.rollout_state == "IN_PROGRESS") {
            primary.rollout_state = "COMPLETED";
            primary.rollout_state_reason = "ECS deployment " + primary.id + " completed.";
            primary.finished_at = m_now;
            edit(primary, [](json&) {});
            event("(deployment " + primary.id + ") deployment completed.");
        }
        if (!json::parse(primary.body).value("steadyReported", false)) {
            event("has reached a steady state.");
            edit(primary, [](json& b) { b["steadyReported"] = true; });
        }
    }

    // A deleted service stops its tasks; once they are all gone it becomes INACTIVE.
    void drain() {
        const auto* primary = this->primary();
        const auto reason = primary ? scaling_reason(*primary) : std::string("Service is being deleted");
        for (auto& task : m_tasks)
            if (is_live(task)) stop(task, reason);
        if (!m_stopped.empty())
            event("has stopped " + std::to_string(m_stopped.size()) + " running tasks.");
        if (std::any_of(m_tasks.begin(), m_tasks.end(), [](const auto& t) { return !is_stopped(t); })) return;
        for (auto& d : m_deployments) {
            d.status = "INACTIVE";
            edit(d, [](json&) {});
        }
        m_service.status = "INACTIVE";
        m_service.inactive_at = m_now;
        m_service.updated_at = m_now;
        m_deps.store.services().update(m_service);
        m_changed = true;
    }

    ServiceSchedulerDeps& m_deps;
    store::ServiceRecord m_service;
    json m_body;
    double m_now;
    std::vector<store::TaskRecord> m_tasks;        // every task, or the unsettled ones (load_tasks)
    std::vector<store::SettledTally> m_settled;    // the settled ones, when m_tasks leaves them out
    std::vector<store::DeploymentRecord> m_deployments;  // not INACTIVE, newest first
    std::map<std::string, store::ContainerInstanceRecord> m_instances;
    std::vector<std::string> m_started, m_stopped;  // task ids, for the step's events
    std::map<std::string, ElbHealth> m_elb;         // by task ARN, for balanced services
    std::map<std::string, std::vector<store::TargetRecord>> m_target_rows;  // by group, read once a step
    bool m_changed = false;
};

}  // namespace

bool step_service(ServiceSchedulerDeps& deps, const std::string& service_arn) {
    auto tx = deps.store.transaction();
    auto service = deps.store.services().find(service_arn);
    if (!service || service->status == "INACTIVE") return false;
    const bool changed = ServiceStep(deps, std::move(*service)).run();
    tx.commit();
    return changed;
}

double launch_backoff_seconds(std::int64_t consecutive_failures) {
    if (consecutive_failures < 3) return 0;
    return std::min(300.0, 5.0 * std::pow(2.0, static_cast<double>(std::min<std::int64_t>(consecutive_failures - 3, 10))));
}

}  // namespace ecsbox::scheduler
