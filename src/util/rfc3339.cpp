#include "util/rfc3339.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>

namespace ecsbox::util {

namespace {

// Reads exactly `width` digits at `pos`, advancing it; -1 when they are not all digits.
int digits(std::string_view text, std::size_t& pos, std::size_t width) {
    if (pos + width > text.size()) return -1;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        const char c = text[pos + i];
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
    }
    pos += width;
    return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : k_days[m - 1];
}

}  // namespace

std::optional<double> parse_rfc3339(std::string_view text) {
    std::size_t pos = 0;
    const int year = digits(text, pos, 4);
    if (year < 0 || !expect(text, pos, '-')) return std::nullopt;
    const int month = digits(text, pos, 2);
    if (month < 1 || month > 12 || !expect(text, pos, '-')) return std::nullopt;
    const int day = digits(text, pos, 2);
    if (day < 1 || day > days_in_month(year, month)) return std::nullopt;
    if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) return std::nullopt;
    ++pos;
    const int hour = digits(text, pos, 2);
    if (hour < 0 || hour > 23 || !expect(text, pos, ':')) return std::nullopt;
    const int minute = digits(text, pos, 2);
    if (minute < 0 || minute > 59 || !expect(text, pos, ':')) return std::nullopt;
    const int second = digits(text, pos, 2);
    if (second < 0 || second > 60) return std::nullopt;  // 60: a leap second, folded into the next

    double fraction = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        double scale = 0.1;
        const std::size_t start = pos;
        for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, scale /= 10)
            fraction += (text[pos] - '0') * scale;
        if (pos == start) return std::nullopt;
    }

    int offset_seconds = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        const int oh = digits(text, pos, 2);
        if (oh < 0 || oh > 23 || !expect(text, pos, ':')) return std::nullopt;
        const int om = digits(text, pos, 2);
        if (om < 0 || om > 59) return std::nullopt;
        offset_seconds = sign * (oh * 3600 + om * 60);
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;

    const std::int64_t whole = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                               hour * 3600 + minute * 60 + second - offset_seconds;
    // Whole seconds and milliseconds are added separately so large epochs keep ms precision.
    return static_cast<double>(whole) + std::round(fraction * 1000) / 1000;
}

std::optional<double> parse_docker_time(std::string_view text) {
    if (text.empty() || text.substr(0, 10) == "0001-01-01") return std::nullopt;
    return parse_rfc3339(text);
}

std::string format_rfc3339(double epoch_seconds) {
    const auto ms_total = static_cast<std::int64_t>(std::llround(epoch_seconds * 1000));
    const std::time_t seconds = static_cast<std::time_t>(ms_total / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];  // room for any int the compiler cannot rule out
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms_total % 1000));
    return text;
}

}  // namespace ecsbox::util
