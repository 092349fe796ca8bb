#include "scheduler/reconciler.hpp"

#include "scheduler/labels.hpp"

#include <algorithm>
#include <thread>
#include <unistd.h>

namespace ecsbox::scheduler {

namespace {

constexpr auto k_probe_period = std::chrono::seconds(30);
constexpr auto k_orphan_period = std::chrono::seconds(10);
constexpr auto k_events_retry = std::chrono::seconds(1);
constexpr std::size_t k_settled_per_poll = 500;

std::int64_t host_cpu_units() { return static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency())) * 1024; }

std::int64_t host_memory_mib() {
    return static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

}  // namespace

Reconciler::Reconciler(store::Store& store, docker::DockerClient& docker, const util::Clock& clock,
                       util::IdGenerator& ids, util::Logger& log, ReconcilerOptions options)
    : m_deps{store, docker, clock, log, options.container_endpoint, options.resolve_image},
      m_service_deps{store, clock, ids, log, options.local_instances, options.unchecked_healthy_after},
      m_options(std::move(options)) {
    if (m_options.balancer) m_load_balancing.emplace(store, *m_options.balancer, clock, log, m_options.load_balancing);
}

Reconciler::~Reconciler() { stop(); }

bool Reconciler::probe_engine() {
    store::EngineRecord engine;
    engine.name = "local";
    engine.runtime = m_options.runtime;
    engine.updated_at = m_deps.clock.now();
    const auto previous = m_deps.store.container_instances().engine("local");
    bool connected = false;
    try {
        const auto info = m_deps.docker.info();
        engine.cpu_units = static_cast<std::int64_t>(info.cpus) * 1024;
        engine.memory_mib = info.memory_bytes / (1024 * 1024);
        engine.docker_version = info.server_version;
        connected = true;
    } catch (const docker::DockerError& e) {
        // Without the engine, keep what it last said (or the host's own size) so that tasks
        // can still be accepted; they wait in PENDING until it returns.
        if (previous) {
            engine = *previous;
        } else {
            engine.cpu_units = host_cpu_units();
            engine.memory_mib = host_memory_mib();
        }
        engine.updated_at = m_deps.clock.now();
        if (!m_reported_down) m_deps.log.warn(std::string("container engine unreachable: ") + e.what());
        m_reported_down = true;
    }
    engine.connected = connected;
    m_deps.store.container_instances().put_engine(engine);
    if (connected && m_reported_down) m_deps.log.info("container engine answers again");
    if (connected) m_reported_down = false;
    return connected;
}

void Reconciler::start() {
    // The API needs the engine's size to place tasks from its first request. Asking the engine
    // takes a round trip (or a timeout when it is down), so until the control thread has asked,
    // the host's own size stands in for it.
    if (!m_deps.store.container_instances().engine("local")) {
        m_deps.store.container_instances().put_engine({"local", m_options.runtime, host_cpu_units(), host_memory_mib(),
                                                       "", false, m_deps.clock.now()});
    }
    m_control = std::thread([this] { control_loop(); });
    m_events = std::thread([this] { events_loop(); });
    for (std::size_t i = 0; i < m_options.workers; ++i) m_workers.emplace_back([this] { worker_loop(); });
}

void Reconciler::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping.exchange(true)) return;
    }
    m_wake.notify_all();
    m_work.notify_all();
    if (m_control.joinable()) m_control.join();
    if (m_events.joinable()) m_events.join();
    for (auto& worker : m_workers)
        if (worker.joinable()) worker.join();
}

void Reconciler::wake() {
    {
        std::lock_guard lock(m_mutex);
        m_woken = m_desired_changed = true;
    }
    m_wake.notify_one();
}

void Reconciler::balancer_changed() {
    {
        std::lock_guard lock(m_mutex);
        m_woken = m_balancer_due = true;
    }
    m_wake.notify_one();
}

void Reconciler::reconcile_load_balancers() {
    if (!m_load_balancing) return;
    try {
        m_load_balancing->step();
    } catch (const std::exception& e) {
        m_deps.log.error(std::string("load balancers: ") + e.what());
    }
}

void Reconciler::nudge(const std::string& task_arn, bool service_task) {
    {
        std::lock_guard lock(m_mutex);
        m_woken = true;
        m_services_due |= service_task;
        if (!task_arn.empty()) m_named.insert(task_arn);
    }
    m_wake.notify_one();
}

void Reconciler::run_step(const std::string& task_arn) {
    try {
        const auto before = m_deps.store.tasks().version_of(task_arn);
        const bool moving = step_task(m_deps, task_arn);
        // Its service reacts to what the task became (running, healthy, stopped) at once.
        bool changed = false;
        if (before && before->second) {
            const auto after = m_deps.store.tasks().version_of(task_arn);
            changed = after && after->first != before->first;
        }
        if (moving || changed) nudge(moving ? task_arn : "", changed);  // still moving: look again at once
    } catch (const docker::DockerError& e) {
        if (!e.unreachable()) m_deps.log.warn("task " + task_arn + ": " + e.what());
        // An unreachable engine is noticed by the next probe; the task waits where it is.
    } catch (const std::exception& e) {
        m_deps.log.error("task " + task_arn + ": " + e.what());
    }
}

void Reconciler::reconcile_services() {
    // A step that changed something may enable another (a rollback, a drained deployment), so
    // look again, a few times at most: the poll catches whatever is left.
    for (int round = 0; round < 3; ++round) {
        bool changed = false;
        for (const auto& service : m_deps.store.services().unfinished()) {
            try {
                changed |= step_service(m_service_deps, service.arn);
            } catch (const std::exception& e) {
                m_deps.log.error("service " + service.arn + ": " + e.what());
            }
        }
        if (!changed) return;
    }
}

void Reconciler::reconcile_once() {
    reconcile_services();
    reconcile_load_balancers();
    for (const auto& task : m_deps.store.tasks().unfinished()) run_step(task.arn);
}

void Reconciler::remove_orphans() {
    // Only this installation's containers: other ecsbox instances may share the engine.
    const auto own = std::string(labels::k_installation) + "=" + m_deps.store.installation_id();
    std::vector<docker::ContainerSummary> orphans;
    for (auto& container : m_deps.docker.list_containers(own)) {
        const auto arn = container.labels.count(labels::k_task_arn) ? container.labels.at(labels::k_task_arn) : "";
        const auto task = m_deps.store.tasks().find(arn);
        if (task && task->last_status != "STOPPED") continue;
        m_deps.log.info("removing container " + container.name + " of " + (task ? "stopped" : "unknown") + " task " + arn);
        orphans.push_back(std::move(container));
    }
    // A forced removal waits for the container to die; several at once keep a reset quick.
    constexpr std::size_t k_parallel = 8;
    for (std::size_t from = 0; from < orphans.size(); from += k_parallel) {
        std::vector<std::thread> removals;
        std::mutex errors_mutex;
        std::string error;
        for (auto i = from; i < std::min(orphans.size(), from + k_parallel); ++i)
            removals.emplace_back([&, i] {
                try {
                    m_deps.docker.remove_container(orphans[i].id);
                } catch (const std::exception& e) {
                    std::lock_guard lock(errors_mutex);
                    error = e.what();
                }
            });
        for (auto& removal : removals) removal.join();
        if (!error.empty()) throw docker::DockerError(500, error);
    }
}

std::optional<std::string> Reconciler::reset() {
    // One transaction forgets everything, so a kill half-way leaves either all or nothing; the
    // containers of the forgotten tasks are then orphans.
    m_deps.store.reset();
    std::optional<std::string> left;
    try {
        remove_orphans();
    } catch (const std::exception& e) {
        left = e.what();
    }
    wake();
    return left;
}

void Reconciler::control_loop() {
    auto next_full_pass = std::chrono::steady_clock::now();
    auto next_service_pass = next_full_pass;
    std::string settled_cursor;  // the last settled task re-checked; "" to start over
    auto next_probe = std::chrono::steady_clock::now() + k_probe_period;
    auto next_orphan_sweep = std::chrono::steady_clock::now();
    while (!m_stopping) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_probe || !m_engine_connected) {
            const bool was = m_engine_connected;
            m_engine_connected = probe_engine();
            next_probe = now + k_probe_period;
            if (m_engine_connected && !was) next_orphan_sweep = now;  // converge at once when it returns
        }
        if (m_engine_connected && now >= next_orphan_sweep) {
            try {
                remove_orphans();
            } catch (const std::exception& e) {
                m_deps.log.warn(std::string("orphan sweep: ") + e.what());
            }
            next_orphan_sweep = now + k_orphan_period;
        }
        // Every pass looks at the tasks on their way somewhere (new, starting, asked to stop)
        // and those a container event named; settled RUNNING tasks cost nothing per event.
        // Services are stepped after a handler changed desired state, when one of their tasks
        // changed, and every poll interval; a service step reads all of its service's tasks, so
        // between those it waits twice its last duration: big services take a bounded share.
        // Every poll interval also re-checks a slice of the settled tasks, the safety net for a
        // missed event, so each is looked at every few seconds however many there are.
        bool timer = false, services = false, balancer = false;
        std::set<std::string> named;
        {
            std::lock_guard lock(m_mutex);
            timer = now >= next_full_pass;
            services = timer || m_desired_changed || (m_services_due && now >= next_service_pass);
            // A target's health decides whether its service task serves: the balancer's news is
            // recorded first, then the services see it.
            balancer = timer || m_desired_changed || m_balancer_due;
            services |= m_balancer_due;
            m_desired_changed = m_balancer_due = false;
            if (services) m_services_due = false;
            named.swap(m_named);
        }
        if (timer) next_full_pass = now + m_options.poll;
        if (balancer) reconcile_load_balancers();
        if (services) {
            reconcile_services();
            // What the services registered or deregistered reaches the balancer at once.
            reconcile_load_balancers();
            const auto end = std::chrono::steady_clock::now();
            next_service_pass = end + std::max<std::chrono::steady_clock::duration>(2 * (end - now),
                                                                                   std::chrono::milliseconds(5));
        }
        if (m_engine_connected) {
            auto arns = m_deps.store.tasks().moving_arns();
            arns.insert(arns.end(), named.begin(), named.end());
            if (timer) {
                auto settled = m_deps.store.tasks().settled_arns(settled_cursor, k_settled_per_poll);
                settled_cursor = settled.size() < k_settled_per_poll ? std::string() : settled.back();
                arns.insert(arns.end(), settled.begin(), settled.end());
            }
            std::lock_guard lock(m_mutex);
            for (auto& arn : arns)
                if (m_busy.insert(arn).second) m_queue.push_back(std::move(arn));
            if (!m_queue.empty()) m_work.notify_all();
        }
        std::unique_lock lock(m_mutex);
        // Due services that had to wait are stepped when their turn comes.
        const auto until = m_services_due ? std::min(next_full_pass, next_service_pass) : next_full_pass;
        m_wake.wait_until(lock, until, [this] { return m_woken || m_stopping.load(); });
        m_woken = false;
    }
}

void Reconciler::worker_loop() {
    while (true) {
        std::string arn;
        {
            std::unique_lock lock(m_mutex);
            m_work.wait(lock, [this] { return !m_queue.empty() || m_stopping.load(); });
            if (m_stopping) return;
            arn = std::move(m_queue.front());
            m_queue.pop_front();
        }
        run_step(arn);
        std::lock_guard lock(m_mutex);
        m_busy.erase(arn);
    }
}

void Reconciler::events_loop() {
    while (!m_stopping) {
        try {
            m_deps.docker.watch_events(labels::k_task_arn, m_stopping, [this](const docker::ContainerEvent& event) {
                const auto arn = event.labels.find(labels::k_task_arn);
                nudge(arn == event.labels.end() ? "" : arn->second, false);
            });
        } catch (const std::exception&) {
            // The engine is down or restarting; the control loop notices and reports it.
        }
        std::unique_lock lock(m_mutex);
        m_wake.wait_for(lock, k_events_retry, [this] { return m_stopping.load(); });
    }
}

}  // namespace ecsbox::scheduler
