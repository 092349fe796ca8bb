#pragma once
// RFC 3339 timestamps as the Docker engine writes them (Go's RFC3339Nano: up to nine fraction
// digits, "Z" or a numeric offset) turned into epoch seconds. Pure functions.
#include <optional>
#include <string>
#include <string_view>

namespace ecsbox::util {

// Epoch seconds rounded to the millisecond; nullopt when `text` is not an RFC 3339 date-time.
std::optional<double> parse_rfc3339(std::string_view text);

// As parse_rfc3339, but Go's zero time ("0001-01-01T00:00:00Z"), which the engine reports for
// "never started" or "never finished", and an empty string are absent too.
std::optional<double> parse_docker_time(std::string_view text);

// "2026-01-02T03:04:05.678Z": UTC with milliseconds, as the ECS agent writes its timestamps.
std::string format_rfc3339(double epoch_seconds);

}  // namespace ecsbox::util
