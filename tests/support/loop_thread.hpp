#pragma once
// An lb::EventLoop run on a thread of its own from start() until stop() (or destruction). What
// lives on the loop (proxies, target groups) is declared after it and is destroyed first, so
// its owner calls stop() before: nothing may run on the loop while it goes.
#include <thread>

#include "lb/event_loop.hpp"

namespace ecsbox::testing {

class LoopThread {
public:
    LoopThread() = default;
    LoopThread(const LoopThread&) = delete;
    LoopThread& operator=(const LoopThread&) = delete;
    ~LoopThread() { stop(); }

    lb::EventLoop& loop() { return m_loop; }
    void start() { m_thread = std::thread([this] { m_loop.run(); }); }
    void stop() {
        if (!m_thread.joinable()) return;
        m_loop.stop();
        m_thread.join();
    }

private:
    lb::EventLoop m_loop;
    std::thread m_thread;
};

}  // namespace ecsbox::testing
