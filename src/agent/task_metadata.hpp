#pragma once
// The task metadata endpoint v4 that the ECS agent serves to containers, answered from the
// store (what ECS knows of the task) and the engine (labels, addresses, live stats). A
// container finds it through ECS_CONTAINER_METADATA_URI_V4 = <endpoint>/v4/<its Docker name>;
// see scheduler::container_config. Read-only; thread-safe (the store and the engine client are).
#include <nlohmann/json.hpp>
#include <string>

#include "docker/docker_client.hpp"
#include "store/store.hpp"

namespace ecsbox::agent {

struct MetadataAnswer {
    int status = 200;
    nlohmann::json body;
};

class TaskMetadata {
public:
    TaskMetadata(store::Store& store, docker::DockerClient& docker) : m_store(store), m_docker(docker) {}

    // GET /v4/<docker_name><path>, where path is "", "/task", "/stats" or "/task/stats".
    MetadataAnswer get(const std::string& docker_name, const std::string& path) const;

private:
    store::Store& m_store;
    docker::DockerClient& m_docker;
};

}  // namespace ecsbox::agent
