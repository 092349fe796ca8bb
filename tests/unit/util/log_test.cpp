#include "util/log.hpp"

#include <catch2/catch.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using ecsbox::util::Logger;
using ecsbox::util::LogLevel;
using ecsbox::util::parse_log_level;

namespace {
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}
}  // namespace

TEST_CASE("a logger writes lines at or above its level and drops the rest", "[util][log]") {
    std::ostringstream out;
    Logger log(out, LogLevel::warn);
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    const auto lines = lines_of(out.str());
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].substr(lines[0].find(' ') + 1) == "WARN w");
    CHECK(lines[1].substr(lines[1].find(' ') + 1) == "ERROR e");
}

TEST_CASE("enabled reports which levels a logger writes", "[util][log]") {
    std::ostringstream out;
    Logger log(out, LogLevel::info);
    CHECK_FALSE(log.enabled(LogLevel::debug));
    CHECK(log.enabled(LogLevel::info));
    CHECK(log.enabled(LogLevel::warn));
    CHECK(log.enabled(LogLevel::error));
    Logger verbose(out, LogLevel::debug);
    CHECK(verbose.enabled(LogLevel::debug));
}

TEST_CASE("a log line is a UTC millisecond timestamp, the level name and the text", "[util][log]") {
    std::ostringstream out;
    Logger log(out, LogLevel::debug);
    log.debug("hello world");
    log.info("x");
    const std::regex format(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (DEBUG hello world|INFO x)$)");
    const auto lines = lines_of(out.str());
    REQUIRE(lines.size() == 2);
    for (const auto& line : lines) {
        INFO(line);
        CHECK(std::regex_match(line, format));
    }
    CHECK(out.str().back() == '\n');
}

TEST_CASE("lines logged from several threads are never interleaved", "[util][log]") {
    std::ostringstream out;
    Logger log(out, LogLevel::info);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&log, t] {
            for (int i = 0; i < 200; ++i) log.info("thread " + std::to_string(t) + " line " + std::to_string(i));
        });
    for (auto& thread : threads) thread.join();
    const std::regex format(R"(^\S+ INFO thread [0-3] line \d+$)");
    const auto lines = lines_of(out.str());
    CHECK(lines.size() == 800);
    for (const auto& line : lines) REQUIRE(std::regex_match(line, format));
}

TEST_CASE("parse_log_level accepts the four level names in any case", "[util][log]") {
    LogLevel level = LogLevel::error;
    CHECK(parse_log_level("debug", level));
    CHECK(level == LogLevel::debug);
    CHECK(parse_log_level("info", level));
    CHECK(level == LogLevel::info);
    CHECK(parse_log_level("warn", level));
    CHECK(level == LogLevel::warn);
    CHECK(parse_log_level("error", level));
    CHECK(level == LogLevel::error);
    CHECK(parse_log_level("DEBUG", level));
    CHECK(level == LogLevel::debug);
    CHECK(parse_log_level("Warn", level));
    CHECK(level == LogLevel::warn);
}

TEST_CASE("parse_log_level rejects anything else and leaves the level untouched", "[util][log]") {
    LogLevel level = LogLevel::info;
    for (const char* text : {"", "warning", "err", "trace", "debug ", " info", "infoo", "fatal"}) {
        INFO('"' << text << '"');
        CHECK_FALSE(parse_log_level(text, level));
        CHECK(level == LogLevel::info);
    }
}
