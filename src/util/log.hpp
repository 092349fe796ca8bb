#pragma once
// A levelled line logger. Owned by the App and passed by reference; thread-safe (one line is
// written whole under a mutex). It never throws.
#include <mutex>
#include <ostream>
#include <string_view>

namespace ecsbox::util {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

class Logger {
public:
    Logger(std::ostream& out, LogLevel level) : m_out(out), m_level(level) {}

    bool enabled(LogLevel level) const { return level >= m_level; }
    void write(LogLevel level, std::string_view line);

    void debug(std::string_view line) { write(LogLevel::debug, line); }
    void info(std::string_view line) { write(LogLevel::info, line); }
    void warn(std::string_view line) { write(LogLevel::warn, line); }
    void error(std::string_view line) { write(LogLevel::error, line); }

private:
    std::mutex m_mutex;
    std::ostream& m_out;
    LogLevel m_level;
};

// "debug", "info", "warn" or "error" in any case sets `out` and returns true; anything else false.
bool parse_log_level(std::string_view text, LogLevel& out);

}  // namespace ecsbox::util
