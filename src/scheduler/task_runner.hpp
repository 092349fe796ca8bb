#pragma once
// One reconciliation step for one task: compare the task's desired state and document with
// what Docker has (containers found by their labels, never by remembered ids), act — pull,
// create, start in dependency order, stop, remove — and record what was observed. Every step
// is safe to repeat and to interrupt: a crash at any point converges on the next step.
// Not thread-safe for the same task: the Reconciler never runs two steps of one task at once.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "docker/docker_client.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace ecsbox::scheduler {

// Where the engine gets a task's image: the reference to pull and create from, and the
// credentials for its registry ("" for none).
struct ImageSource {
    std::string reference;
    std::string registry_auth;
};
using ImageResolver = std::function<ImageSource(const std::string& image, const store::Scope& task_scope)>;

struct TaskRunnerDeps {
    store::Store& store;
    docker::DockerClient& docker;
    const util::Clock& clock;
    util::Logger& log;
    // ecsbox's address as containers reach it, or "" while unknown (see TaskFacts::endpoint).
    std::function<std::string()> container_endpoint = [] { return std::string(); };
    // Images of ecsbox's own registry are pulled from it with a token; others as they are named.
    ImageResolver resolve_image = [](const std::string& image, const store::Scope&) { return ImageSource{image, ""}; };
};

// Advances the task as far as it can go now. Returns true when the task needs another step
// soon (it is still moving), false when it waits on the outside world or is finished.
bool step_task(TaskRunnerDeps& deps, const std::string& task_arn);

// The task's definition as registered ("arn:...:task-definition/family:revision"), if it still exists.
std::optional<nlohmann::json> load_task_definition(store::Store& store, const store::TaskRecord& task);

}  // namespace ecsbox::scheduler
