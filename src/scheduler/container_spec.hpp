#pragma once
// Turns an ECS container definition (with the task's overrides) into the Engine API's
// container configuration: image, command, environment, ECS's labels, port publishing, limits,
// volumes, health check, logging. Pure: no Docker calls, so every mapping is unit-testable.
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ecsbox::scheduler {

// A definition ecsbox cannot turn into a container; the message is the task's stoppedReason.
class SpecError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct TaskFacts {
    std::string installation_id;
    std::string task_arn;
    std::string task_id;
    std::string cluster_arn;
    std::string family;
    std::int64_t revision = 0;
    const nlohmann::json& task_definition;
    const nlohmann::json& overrides;  // the task's `overrides`
    std::string region;
    // ecsbox's address as containers reach it ("http://172.17.0.1:4566"); "" when unknown, and
    // then containers get no metadata endpoint or AWS_ENDPOINT_URL.
    std::string endpoint;
};

// The metadata path segment of a container: its Docker name. Parses back what
// docker_container_name made; nullopt for anything else.
struct ContainerKey {
    std::string task_id;
    std::string container_name;
};
std::optional<ContainerKey> parse_docker_container_name(const std::string& docker_name);

// The Docker name of a task's container; deterministic, so a create retried after a crash
// finds the container it made instead of making a second one.
std::string docker_container_name(const std::string& task_id, const std::string& container_name);
// The Docker name of a task volume; shared-scope volumes keep their own name.
std::string docker_volume_name(const TaskFacts& task, const nlohmann::json& volume);

// Named volumes the task needs created before its containers (name -> Engine create options).
// Task-scoped ones are the task's own and go with it; shared ones outlive it.
std::vector<std::pair<std::string, nlohmann::json>> task_volumes(const TaskFacts& task);
std::vector<std::string> task_scoped_volumes(const TaskFacts& task);

// Throws SpecError for what cannot run locally (unresolvable secrets, unreadable env files).
nlohmann::json container_config(const TaskFacts& task, const nlohmann::json& container_definition);

// ECS's default stop timeout when a container does not set one.
constexpr int k_default_stop_timeout = 30;

}  // namespace ecsbox::scheduler
