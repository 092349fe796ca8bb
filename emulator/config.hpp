#pragma once
// ecsbox's configuration, as the command line sets it.
#include <cstdint>
#include <string>

#include "util/log.hpp"

namespace ecsbox {

// JSON bodies above this size are refused as they are read. The largest AWS JSON request ecsbox
// takes is ECR's UploadLayerPart: a part of up to 20 MiB, base64 in the body.
constexpr std::size_t k_max_request_body = 32 * 1024 * 1024;

struct Config {
    std::string host = "127.0.0.1";
    int port = 4566;
    std::string data_dir;  // empty: default_data_dir()
    std::string account_id = "000000000000";
    std::string region = "us-east-1";
    std::string runtime = "docker";  // docker | none
    util::LogLevel log_level = util::LogLevel::info;
    double task_definition_deletion_delay = 30.0;
    // Let /v2/ requests without credentials see the default account and region's repositories.
    bool registry_anonymous = false;
    // Seconds between applications of ECR lifecycle policies (ECR itself takes up to a day).
    double lifecycle_policy_interval = 60.0;
    // With --runtime none: container instances registered per cluster in place of the engine's
    // own, each with this CPU (units) and memory (MiB).
    // Seconds a RUNNING task without container health checks waits before it counts towards a
    // deployment's minimumHealthyPercent (ECS: 40).
    double healthy_after_running = 40;
    // Target groups' health check intervals and timeouts are multiplied by it (tests shorten
    // ELB's 5-second minimum interval).
    double health_check_scale = 1.0;
    std::size_t simulated_instances = 0;
    std::int64_t simulated_instance_cpu = 2048;
    std::int64_t simulated_instance_memory = 4096;
};

// $ECSBOX_DATA_DIR, else $XDG_DATA_HOME/ecsbox, else ~/.local/share/ecsbox.
std::string default_data_dir();

// Listen addresses that reach this machine only, and those that reach every interface.
bool is_loopback_host(const std::string& host);
bool is_wildcard_host(const std::string& host);

// "host:port" that clients name the built-in registry by (repository URIs, docker login). A
// loopback or wildcard listen address becomes "localhost", which Docker trusts over plain HTTP
// without an insecure-registries entry.
std::string registry_host(const Config& config);

}  // namespace ecsbox
