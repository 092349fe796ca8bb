#pragma once
// What RegisterTaskDefinition does to a request before storing it, as ECS does: checks the
// rules the model cannot express (container names, memory, Fargate sizes, network mode
// constraints), converts cpu/memory to plain units, fills the defaults ECS adds to every
// container, and derives `compatibilities` and `requiresAttributes`. Pure functions.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ecsbox::ecs {

// Task-level "cpu" ("1024", "1 vCPU", "0.5 vcpu") in CPU units; nullopt if unreadable.
std::optional<long> parse_task_cpu(const std::string& text);
// Task-level "memory" ("2048", "2 GB", "0.5GB") in MiB; nullopt if unreadable.
std::optional<long> parse_task_memory(const std::string& text);

bool is_valid_fargate_size(long cpu, long memory_mib);

// Throws ClientException for a definition ECS would refuse. Returns the definition as ECS
// stores it: the request's members (tags excluded) with normalised cpu/memory, container
// defaults, `compatibilities` and `requiresAttributes` filled in.
nlohmann::json normalize_task_definition(const nlohmann::json& request);

}  // namespace ecsbox::ecs
