#pragma once
// ECS handlers, the reconciler and a fake engine over one store, for tests of what tasks do.
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "scheduler/reconciler.hpp"
#include "support/service_harness.hpp"
#include "support/fake_docker.hpp"

namespace ecsbox::testing {

using json = nlohmann::json;

// ECS handlers, the reconciler and a fake engine over one store; the reconciler is driven
// step by step from the test thread, so every intermediate state can be looked at.
class TaskHarness {
public:
    explicit TaskHarness(std::string container_endpoint = "", scheduler::ImageResolver resolve_image = {})
        : m_docker(&m_ecs.clock()), m_endpoint(std::move(container_endpoint)), m_resolve_image(std::move(resolve_image)) {
        m_docker.add_image("app:1");
        m_docker.add_image("sidecar:1");
        m_reconciler = make_reconciler();
        m_reconciler->probe_engine();
        m_ecs.ok("CreateCluster");  // the `default` cluster, which work without a cluster goes to
    }

    // Runs reconciliation passes until nothing changes any more (or a bound is hit).
    void settle() {
        for (int i = 0; i < 20; ++i) {
            const auto before = snapshot();
            m_reconciler->reconcile_once();
            if (snapshot() == before) return;
        }
    }
    // One pass only, for looking at intermediate states.
    void step() { m_reconciler->reconcile_once(); }

    nlohmann::json register_definition(nlohmann::json definition) { return m_ecs.ok("RegisterTaskDefinition", definition)["taskDefinition"]; }
    json run(const std::string& family, json extra = json::object()) {
        extra["taskDefinition"] = family;
        const auto out = m_ecs.ok("RunTask", extra);
        REQUIRE(out["tasks"].size() >= 1);
        return out["tasks"][0];
    }
    json describe(const std::string& arn) { return m_ecs.ok("DescribeTasks", {{"tasks", {arn}}})["tasks"][0]; }
    std::string container_id(const json& task, const std::string& name) {
        return *m_docker.id_of("ecsbox-" + task["taskArn"].get<std::string>().substr(task["taskArn"].get<std::string>().rfind('/') + 1) + "-" + name);
    }

    // A restart: the store reopened and a new reconciler; the engine keeps its containers.
    void restart() {
        m_reconciler.reset();
        m_ecs.reopen();
        m_ecs.ecs().local_instances = m_local;
        m_reconciler = make_reconciler();
        m_reconciler->probe_engine();
    }

    // Registers `local.simulated` container instances per cluster in place of the engine's own,
    // as `--simulated-instances` does, for both the task API and the service scheduler.
    void simulate(scheduler::LocalInstances local) {
        m_local = local;
        m_ecs.ecs().local_instances = local;
        m_reconciler = make_reconciler();
        m_reconciler->probe_engine();
    }

    ServiceHarness& ecs() { return m_ecs; }
    FakeDocker& docker() { return m_docker; }
    ecsbox::scheduler::Reconciler& reconciler() { return *m_reconciler; }

private:
    std::unique_ptr<ecsbox::scheduler::Reconciler> make_reconciler() {
        scheduler::ReconcilerOptions options{.local_instances = m_local, .container_endpoint = [this] { return m_endpoint; }};
        if (m_resolve_image) options.resolve_image = m_resolve_image;
        return std::make_unique<scheduler::Reconciler>(m_ecs.store(), m_docker, m_ecs.clock(), m_ecs.ids(), m_log,
                                                       std::move(options));
    }
    std::string snapshot() {
        std::string out;
        for (const auto& t : m_ecs.store().tasks().unfinished()) out += t.arn + t.last_status + t.body;
        return out + std::to_string(m_docker.calls().size());
    }

    ServiceHarness m_ecs{"ecs"};
    FakeDocker m_docker;
    std::string m_endpoint;
    scheduler::ImageResolver m_resolve_image;
    scheduler::LocalInstances m_local;
    std::ostringstream m_log_sink;
    ecsbox::util::Logger m_log{m_log_sink, ecsbox::util::LogLevel::error};
    std::unique_ptr<ecsbox::scheduler::Reconciler> m_reconciler;
};

}  // namespace ecsbox::testing
