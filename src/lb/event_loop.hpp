#pragma once
// One epoll loop: non-blocking sockets watched for readiness, timers, and work posted from other
// threads. Everything registered runs on the loop's thread, so a connection's state needs no
// lock. Watching is by a handle, not the fd, so an event for a socket already closed (and its
// fd number reused) never reaches the new owner.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "lb/fd.hpp"

namespace ecsbox::lb {

class EventLoop {
public:
    using Handle = std::uint64_t;
    using Clock = std::chrono::steady_clock;

    EventLoop();  // throws std::system_error
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Calls `on_event` with the epoll events of `fd` (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP...).
    Handle watch(int fd, std::uint32_t events, std::function<void(std::uint32_t)> on_event);
    void change(Handle handle, std::uint32_t events);
    // Before the fd is closed.
    void unwatch(Handle handle);

    Handle after(Clock::duration delay, std::function<void()> fire);
    void cancel(Handle timer);

    // From any thread: runs `work` on the loop's thread soon.
    void post(std::function<void()> work);

    // Runs until stop(); on the thread that owns the loop. May run again after it returns.
    void run();
    void stop();  // from any thread

private:
    struct Watch {
        int fd;
        std::function<void(std::uint32_t)> on_event;
    };
    void drain_posted();
    int next_timeout_ms() const;
    void fire_due_timers();

    Fd m_epoll, m_wakeup;
    Handle m_next = 1;
    std::unordered_map<Handle, std::unique_ptr<Watch>> m_watches;
    // Unwatched during a batch of events: kept until the batch ends, since the callback that
    // unwatched may be one of them and still running.
    std::vector<std::unique_ptr<Watch>> m_retired;
    std::multimap<Clock::time_point, Handle> m_timer_order;
    std::unordered_map<Handle, std::pair<Clock::time_point, std::function<void()>>> m_timers;
    std::mutex m_posted_mutex;
    std::vector<std::function<void()>> m_posted;
    bool m_stopping = false;  // guarded by m_posted_mutex
};

}  // namespace ecsbox::lb
