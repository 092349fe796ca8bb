#include "util/log.hpp"

#include <chrono>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace ecsbox::util {

namespace {
constexpr std::string_view k_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
}

void Logger::write(LogLevel level, std::string_view line) {
    if (!enabled(level)) return;
    const auto now = std::chrono::system_clock::now();
    const auto secs = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    std::lock_guard lock(m_mutex);
    m_out << stamp << ' ' << k_names[static_cast<int>(level)] << ' ' << line << '\n';
    m_out.flush();
}

bool parse_log_level(std::string_view text, LogLevel& out) {
    for (int i = 0; i < 4; ++i) {
        std::string_view name = k_names[i];
        if (text.size() != name.size()) continue;
        bool same = true;
        for (std::size_t c = 0; c < name.size(); ++c)
            if (std::toupper(static_cast<unsigned char>(text[c])) != name[c]) same = false;
        if (same) {
            out = static_cast<LogLevel>(i);
            return true;
        }
    }
    return false;
}

}  // namespace ecsbox::util
