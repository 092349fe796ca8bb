#pragma once
// Random identifiers (UUID v4, request ids). One generator is owned by the App and shared by
// every thread; it is thread-safe.
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace ecsbox::util {

class IdGenerator {
public:
    IdGenerator();
    explicit IdGenerator(std::uint64_t seed);  // deterministic, for tests

    std::string uuid();  // lower-case 8-4-4-4-12, version 4
    std::string hex(std::size_t length);

private:
    std::uint64_t next();
    std::mutex m_mutex;
    std::mt19937_64 m_engine;
};

}  // namespace ecsbox::util
