#pragma once
// The reconciler: makes Docker match the desired state in the store. A control thread wakes
// when handlers change desired state, when Docker reports a container event, when a service's
// task changes, and every poll interval as a safety net; it steps every unfinished service
// itself (the service pass) and hands each unfinished task to a small worker pool (never two
// workers on one task). It also keeps the engine's facts (CPU, memory, connectivity) current
// in the store and removes containers that belong to no live task. Owns its threads; start()
// and stop() are called by the App, wake() from any thread.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "scheduler/load_balancing.hpp"
#include "scheduler/service_scheduler.hpp"
#include "scheduler/task_runner.hpp"

namespace ecsbox::scheduler {

struct ReconcilerOptions {
    std::string runtime = "docker";  // recorded with the engine's facts
    std::size_t workers = 4;
    LocalInstances local_instances{};  // what services place their tasks on
    double unchecked_healthy_after = 40;  // see ServiceSchedulerDeps
    std::chrono::milliseconds poll{1000};
    std::function<std::string()> container_endpoint = [] { return std::string(); };
    ImageResolver resolve_image = [](const std::string& image, const store::Scope&) { return ImageSource{image, ""}; };
    lb::Balancer* balancer = nullptr;  // none: load balancers are recorded but not served
    LoadBalancingOptions load_balancing{};
};

class Reconciler {
public:
    Reconciler(store::Store& store, docker::DockerClient& docker, const util::Clock& clock, util::IdGenerator& ids,
               util::Logger& log, ReconcilerOptions options);
    Reconciler(const Reconciler&) = delete;
    Reconciler& operator=(const Reconciler&) = delete;
    ~Reconciler();

    // Records stand-in engine facts if there are none yet (so the API can place tasks at once),
    // then starts the threads; the control thread asks the engine itself straight away.
    void start();
    void stop();
    // A handler changed desired state: the tasks on their way and the services are looked at
    // at once. From any thread.
    void wake();
    // The balancer saw a target's health change: it is recorded at once. From any thread.
    void balancer_changed();

    // One synchronous pass over every unfinished service, then every unfinished task, on the
    // calling thread (tests, start-up).
    void reconcile_once();
    // One balancer pass (LoadBalancing::step), on the calling thread; nothing without a balancer.
    void reconcile_load_balancers();
    // Steps every unfinished service until none changes (bounded), on the calling thread.
    void reconcile_services();
    // Reads the engine's facts into the store; false when the engine does not answer.
    bool probe_engine();
    // Removes this installation's containers whose task is unknown or STOPPED.
    void remove_orphans();
    // Forgets every resource (store::Store::reset) and removes the containers of every task;
    // returns why containers were left for the next orphan sweep, if they were.
    std::optional<std::string> reset();

private:
    void control_loop();
    void worker_loop();
    void events_loop();
    void run_step(const std::string& task_arn);
    // Wakes the control thread for a partial pass: the task (if any) is looked at, and with
    // `service_task` the services too.
    void nudge(const std::string& task_arn, bool service_task);

    TaskRunnerDeps m_deps;
    ServiceSchedulerDeps m_service_deps;
    ReconcilerOptions m_options;
    std::optional<LoadBalancing> m_load_balancing;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_work;
    bool m_woken = false;
    bool m_desired_changed = true;  // a handler changed desired state: step the services
    bool m_services_due = false;   // a service's task changed
    bool m_balancer_due = false;   // the balancer's health changed
    std::set<std::string> m_named;  // tasks a container event or a step named
    std::deque<std::string> m_queue;
    std::set<std::string> m_busy;  // queued or running
    std::atomic<bool> m_stopping{false};
    bool m_engine_connected = false;
    bool m_reported_down = false;  // so an absent engine is logged once, not every second

    std::thread m_control;
    std::thread m_events;
    std::vector<std::thread> m_workers;
};

}  // namespace ecsbox::scheduler
