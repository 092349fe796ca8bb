#pragma once
// Time as ecsbox sees it. Behind an interface so tests can hold time still or move it on.
// Implementations must be thread-safe: handlers on several threads read the same clock.
#include <chrono>

namespace ecsbox::util {

class Clock {
public:
    virtual ~Clock() = default;
    // Seconds since the Unix epoch, with millisecond precision: the AWS JSON timestamp format.
    virtual double now() const = 0;
};

class SystemClock final : public Clock {
public:
    double now() const override {
        using namespace std::chrono;
        const auto ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
        return static_cast<double>(ms) / 1000.0;
    }
};

}  // namespace ecsbox::util
