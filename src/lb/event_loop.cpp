#include "lb/event_loop.hpp"

#include <cerrno>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <system_error>

namespace ecsbox::lb {

namespace {

constexpr EventLoop::Handle k_wakeup_handle = 0;

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

EventLoop::EventLoop() : m_epoll(::epoll_create1(EPOLL_CLOEXEC)), m_wakeup(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!m_epoll) fail("epoll_create1");
    if (!m_wakeup) fail("eventfd");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = k_wakeup_handle;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, m_wakeup.get(), &event) != 0) fail("epoll_ctl");
}

EventLoop::Handle EventLoop::watch(int fd, std::uint32_t events, std::function<void(std::uint32_t)> on_event) {
    const auto handle = m_next++;
    epoll_event event{};
    event.events = events;
    event.data.u64 = handle;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &event) != 0) fail("epoll_ctl add");
    m_watches.emplace(handle, std::make_unique<Watch>(Watch{fd, std::move(on_event)}));
    return handle;
}

void EventLoop::change(Handle handle, std::uint32_t events) {
    const auto it = m_watches.find(handle);
    if (it == m_watches.end()) return;
    epoll_event event{};
    event.events = events;
    event.data.u64 = handle;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_MOD, it->second->fd, &event) != 0) fail("epoll_ctl mod");
}

void EventLoop::unwatch(Handle handle) {
    const auto it = m_watches.find(handle);
    if (it == m_watches.end()) return;
    ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, it->second->fd, nullptr);
    m_retired.push_back(std::move(it->second));
    m_watches.erase(it);
}

EventLoop::Handle EventLoop::after(Clock::duration delay, std::function<void()> fire) {
    const auto handle = m_next++;
    const auto at = Clock::now() + delay;
    m_timer_order.emplace(at, handle);
    m_timers.emplace(handle, std::pair{at, std::move(fire)});
    return handle;
}

void EventLoop::cancel(Handle timer) {
    const auto it = m_timers.find(timer);
    if (it == m_timers.end()) return;
    auto [first, last] = m_timer_order.equal_range(it->second.first);
    for (; first != last; ++first)
        if (first->second == timer) {
            m_timer_order.erase(first);
            break;
        }
    m_timers.erase(it);
}

void EventLoop::post(std::function<void()> work) {
    {
        std::lock_guard lock(m_posted_mutex);
        m_posted.push_back(std::move(work));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(m_wakeup.get(), &one, sizeof one);
}

void EventLoop::stop() {
    {
        std::lock_guard lock(m_posted_mutex);
        m_stopping = true;
    }
    post([] {});
}

void EventLoop::drain_posted() {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto read_bytes = ::read(m_wakeup.get(), &count, sizeof count);
    std::vector<std::function<void()>> work;
    {
        std::lock_guard lock(m_posted_mutex);
        work.swap(m_posted);
    }
    for (auto& w : work) w();
}

int EventLoop::next_timeout_ms() const {
    if (m_timer_order.empty()) return -1;
    const auto wait = m_timer_order.begin()->first - Clock::now();
    if (wait <= Clock::duration::zero()) return 0;
    // Rounded up, so a timer never fires early and the loop never spins on a 0 ms wait.
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
}

void EventLoop::fire_due_timers() {
    const auto now = Clock::now();
    while (!m_timer_order.empty() && m_timer_order.begin()->first <= now) {
        const auto handle = m_timer_order.begin()->second;
        m_timer_order.erase(m_timer_order.begin());
        auto it = m_timers.find(handle);
        auto fire = std::move(it->second.second);
        m_timers.erase(it);
        fire();
    }
}

void EventLoop::run() {
    constexpr int k_batch = 256;
    epoll_event events[k_batch];
    while (true) {
        {
            std::lock_guard lock(m_posted_mutex);
            if (m_stopping) {
                m_stopping = false;  // so it can run again
                return;
            }
        }
        const int n = ::epoll_wait(m_epoll.get(), events, k_batch, next_timeout_ms());
        if (n < 0 && errno != EINTR) fail("epoll_wait");
        for (int i = 0; i < n; ++i) {
            const auto handle = events[i].data.u64;
            if (handle == k_wakeup_handle) {
                drain_posted();
                continue;
            }
            // A callback earlier in this batch may have unwatched it.
            const auto it = m_watches.find(handle);
            if (it == m_watches.end()) continue;
            it->second->on_event(events[i].events);
        }
        fire_due_timers();
        m_retired.clear();
    }
}

}  // namespace ecsbox::lb
