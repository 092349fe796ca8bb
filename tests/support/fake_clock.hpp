#pragma once
// A clock that stands still until the test moves it.
#include <atomic>

#include "util/clock.hpp"

namespace ecsbox::testing {

class FakeClock final : public util::Clock {
public:
    explicit FakeClock(double start = 1767225600.0) : m_now(start) {}  // 2026-01-01T00:00:00Z
    double now() const override { return m_now.load(); }
    void advance(double seconds) { m_now = m_now.load() + seconds; }

private:
    std::atomic<double> m_now;
};

}  // namespace ecsbox::testing
