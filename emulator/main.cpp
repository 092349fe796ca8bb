// ecsbox: a local Amazon ECS. `ecsbox serve` runs it; `ecsbox coverage` prints what it implements;
// `ecsbox reset` empties a running one.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <malloc.h>
#include <pthread.h>
#include <thread>

#include "app.hpp"
#include "coverage.hpp"
#include "reset_command.hpp"

namespace {

// Signals are taken synchronously by one thread, which asks the App to stop: no handler
// touches shared state.
std::thread stop_on_signal(ecsbox::App& app, sigset_t signals) {
    return std::thread([&app, signals] {
        int received = 0;
        sigwait(&signals, &received);
        app.stop();
    });
}

int serve(const ecsbox::Config& config) {
    // glibc gives each thread that allocates an arena of its own; with dozens of mostly idle
    // HTTP workers that is megabytes of resident memory for nothing.
    mallopt(M_ARENA_MAX, 2);
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts, so all inherit it

    ecsbox::util::Logger log(std::cerr, config.log_level);
    try {
        ecsbox::App app(config, log);
        auto waiter = stop_on_signal(app, signals);
        app.run();
        pthread_kill(waiter.native_handle(), SIGTERM);  // release the waiter if run() ended otherwise
        waiter.join();
    } catch (const ecsbox::StartupError& e) {
        std::cerr << "ecsbox: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"ecsbox: a local Amazon ECS and ECR for laptops and CI"};
    cli.set_version_flag("--version", "ecsbox " ECSBOX_VERSION);
    cli.require_subcommand(1);

    ecsbox::Config config;
    std::string log_level = "info";
    auto* serve_cmd = cli.add_subcommand("serve", "Serve the AWS APIs");
    serve_cmd->add_option("--host", config.host, "Address to listen on")->capture_default_str();
    serve_cmd->add_option("--port", config.port, "Port to listen on")->capture_default_str()->check(CLI::Range(1, 65535));
    serve_cmd->add_option("--data-dir", config.data_dir, "Where state is kept (default: " + ecsbox::default_data_dir() + ")");
    serve_cmd->add_option("--account-id", config.account_id, "The AWS account id in ARNs")
        ->capture_default_str()
        ->check([](const std::string& v) {
            return v.size() == 12 && v.find_first_not_of("0123456789") == std::string::npos
                       ? std::string()
                       : std::string("the account id must be 12 digits");
        });
    serve_cmd->add_option("--region", config.region, "Region for requests that do not sign one")->capture_default_str();
    serve_cmd->add_option("--runtime", config.runtime, "Where tasks run")
        ->capture_default_str()
        ->check(CLI::IsMember({"docker", "none"}));
    serve_cmd->add_option("--log-level", log_level, "debug, info, warn or error")
        ->capture_default_str()
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
    serve_cmd->add_option("--task-definition-deletion-delay", config.task_definition_deletion_delay,
                          "Seconds a deleted task definition stays DELETE_IN_PROGRESS")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);

    serve_cmd->add_flag("--registry-anonymous", config.registry_anonymous,
                        "Serve the registry (/v2/) without credentials, as the default account and region");
    serve_cmd->add_option("--lifecycle-policy-interval", config.lifecycle_policy_interval,
                          "Seconds between applications of ECR lifecycle policies")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);

    serve_cmd->add_option("--healthy-after-running", config.healthy_after_running,
                          "Seconds a RUNNING task without health checks waits before it counts towards "
                          "minimumHealthyPercent")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    serve_cmd->add_option("--health-check-scale", config.health_check_scale,
                          "Factor on target groups' health check intervals and timeouts (below 1: faster "
                          "than ELB allows)")
        ->capture_default_str()
        ->check(CLI::Range(0.001, 1000.0));
    auto* simulated = serve_cmd->add_option("--simulated-instances", config.simulated_instances,
                                            "With --runtime none: container instances per cluster, spread over three "
                                            "availability zones (0: the engine's own)")
                          ->check(CLI::Range(0, 10000));
    serve_cmd->add_option("--simulated-instance-cpu", config.simulated_instance_cpu, "CPU units of each simulated instance")
        ->capture_default_str()
        ->check(CLI::Range(128, 1024 * 1024))
        ->needs(simulated);
    serve_cmd->add_option("--simulated-instance-memory", config.simulated_instance_memory,
                          "Memory (MiB) of each simulated instance")
        ->capture_default_str()
        ->check(CLI::Range(128, 1024 * 1024 * 16))
        ->needs(simulated);

    cli.add_subcommand("coverage", "Print which AWS operations are implemented (markdown)");
    std::string reset_endpoint = "http://127.0.0.1:4566";
    auto* reset_cmd = cli.add_subcommand("reset", "Stop every task and forget every resource of a running ecsbox");
    reset_cmd->add_option("--endpoint", reset_endpoint, "The ecsbox to reset")->capture_default_str();

    CLI11_PARSE(cli, argc, argv);
    if (cli.got_subcommand("coverage")) {
        std::cout << ecsbox::coverage_markdown();
        return 0;
    }
    if (cli.got_subcommand("reset")) return ecsbox::reset_command(reset_endpoint, std::cout, std::cerr);
    ecsbox::util::parse_log_level(log_level, config.log_level);
    if (config.simulated_instances > 0 && config.runtime != "none") {
        std::cerr << "ecsbox: --simulated-instances needs --runtime none: the local engine runs as one instance\n";
        return 2;
    }
    return serve(config);
}
