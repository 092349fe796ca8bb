#include "util/rfc3339.hpp"

#include <catch2/catch.hpp>

using ecsbox::util::format_rfc3339;
using ecsbox::util::parse_docker_time;
using ecsbox::util::parse_rfc3339;

TEST_CASE("rfc3339 reads UTC date-times as epoch seconds", "[docker][rfc3339]") {
    CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0.0);
    CHECK(parse_rfc3339("2026-01-01T00:00:00Z") == 1767225600.0);
    CHECK(parse_rfc3339("2000-02-29T12:34:56Z") == 951827696.0);
    CHECK(parse_rfc3339("1969-12-31T23:59:59Z") == -1.0);
}

TEST_CASE("rfc3339 keeps fractions to the millisecond, rounding the rest", "[docker][rfc3339]") {
    CHECK(parse_rfc3339("2026-01-01T00:00:00.5Z") == 1767225600.5);
    CHECK(parse_rfc3339("2026-01-01T00:00:00.123Z") == Approx(1767225600.123).margin(1e-6));
    // Docker writes nanoseconds (Go's RFC3339Nano).
    CHECK(parse_rfc3339("2026-01-01T00:00:00.123456789Z") == Approx(1767225600.123).margin(1e-6));
    CHECK(parse_rfc3339("2026-01-01T00:00:00.9996Z") == 1767225601.0);
}

TEST_CASE("rfc3339 applies numeric offsets", "[docker][rfc3339]") {
    CHECK(parse_rfc3339("2026-01-01T01:00:00+01:00") == 1767225600.0);
    CHECK(parse_rfc3339("2025-12-31T19:30:00-04:30") == 1767225600.0);
    CHECK(parse_rfc3339("2026-01-01T00:00:00.250+00:00") == 1767225600.25);
}

TEST_CASE("rfc3339 accepts lower-case separators as RFC 3339 allows", "[docker][rfc3339]") {
    CHECK(parse_rfc3339("2026-01-01t00:00:00z") == 1767225600.0);
    CHECK(parse_rfc3339("2026-01-01 00:00:00Z") == 1767225600.0);
}

TEST_CASE("rfc3339 refuses what is not a date-time", "[docker][rfc3339]") {
    for (const char* text : {"", "2026", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00Z",
                             "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-01-32T00:00:00Z",
                             "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:00.Z",
                             "2026-01-01T00:00:00+0100", "2026-01-01T00:00:00Zjunk", "26-01-01T00:00:00Z",
                             "2026-01-01X00:00:00Z"}) {
        INFO(text);
        CHECK_FALSE(parse_rfc3339(text).has_value());
    }
}

TEST_CASE("docker times treat Go's zero time and the empty string as absent", "[docker][rfc3339]") {
    CHECK_FALSE(parse_docker_time("0001-01-01T00:00:00Z").has_value());
    CHECK_FALSE(parse_docker_time("").has_value());
    CHECK_FALSE(parse_docker_time("garbage").has_value());
    CHECK(parse_docker_time("2026-01-01T00:00:00.000000001Z") == 1767225600.0);
}

TEST_CASE("rfc3339 writes UTC with milliseconds, and reads back what it wrote", "[docker][rfc3339]") {
    CHECK(format_rfc3339(0) == "1970-01-01T00:00:00.000Z");
    CHECK(format_rfc3339(1767323045.678) == "2026-01-02T03:04:05.678Z");
    CHECK(parse_rfc3339(format_rfc3339(1767323045.678)) == Approx(1767323045.678));
}
