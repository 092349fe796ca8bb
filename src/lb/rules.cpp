#include "lb/rules.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <stdexcept>

#include "util/percent_encoding.hpp"
#include "util/wildcard.hpp"

namespace ecsbox::lb {

namespace {

std::pair<std::string, std::string> split_target(const std::string& target) {
    const auto q = target.find('?');
    if (q == std::string::npos) return {target, ""};
    return {target.substr(0, q), target.substr(q + 1)};
}

std::string host_without_port(const HttpHead& request) {
    const auto* host = request.header("Host");
    if (!host) return "";
    if (!host->empty() && host->front() == '[') return host->substr(0, host->find(']') + 1);  // [v6]:port
    return host->substr(0, host->find(':'));
}

// ALB's patterns: * any run of characters, ? exactly one.
bool wildcard_match(const std::string& pattern, const std::string& text, bool ignore_case) {
    return util::wildcard_match(pattern, text, {.question_mark = true, .ignore_case = ignore_case});
}

// A query string's key or value as written when it is not a valid escape.
std::string decoded(const std::string& text) { return util::percent_decode(text).value_or(text); }

bool in_cidr(const std::string& cidr, const std::string& address) {
    const auto slash = cidr.find('/');
    const auto network = cidr.substr(0, slash);
    const bool v6 = network.find(':') != std::string::npos;
    unsigned char want[16] = {}, have[16] = {};
    if (::inet_pton(v6 ? AF_INET6 : AF_INET, network.c_str(), want) != 1) return false;
    if (::inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), have) != 1) return false;
    const int total = v6 ? 128 : 32;
    int bits = total;
    if (slash != std::string::npos) {
        try {
            bits = std::clamp(std::stoi(cidr.substr(slash + 1)), 0, total);
        } catch (const std::logic_error&) {
            return false;
        }
    }
    for (int i = 0; i < bits; ++i) {
        const unsigned char mask = static_cast<unsigned char>(0x80 >> (i % 8));
        if ((want[i / 8] & mask) != (have[i / 8] & mask)) return false;
    }
    return true;
}

std::string substitute(std::string text, const std::string& protocol, const std::string& host, const std::string& port,
                       const std::string& path, const std::string& query) {
    const std::pair<const char*, const std::string*> keys[] = {
        {"#{protocol}", &protocol}, {"#{host}", &host}, {"#{port}", &port}, {"#{path}", &path}, {"#{query}", &query}};
    for (const auto& [key, value] : keys)
        for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + value->size()))
            text.replace(at, std::strlen(key), *value);
    return text;
}

const char* reason_of(int status) {
    switch (status) {
        case 200: return "OK";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error";
    }
}

}  // namespace

bool matches(const Condition& condition, const HttpHead& request, const std::string& peer) {
    const auto any = [&](const std::string& text, bool ignore_case) {
        return std::any_of(condition.values.begin(), condition.values.end(),
                           [&](const auto& value) { return wildcard_match(value, text, ignore_case); });
    };
    const auto& field = condition.field;
    if (field == "path-pattern") return any(split_target(request.target).first, false);
    if (field == "host-header") return any(host_without_port(request), true);
    if (field == "http-request-method")
        return std::find(condition.values.begin(), condition.values.end(), request.method) != condition.values.end();
    if (field == "http-header") {
        for (const auto& [name, value] : request.headers)
            if (wildcard_match(condition.header_name, name, true) && any(value, true)) return true;
        return false;
    }
    if (field == "source-ip")
        return std::any_of(condition.values.begin(), condition.values.end(), [&](const auto& cidr) { return in_cidr(cidr, peer); });
    if (field == "query-string") {
        const auto query = split_target(request.target).second;
        std::size_t from = 0;
        while (from <= query.size()) {
            const auto amp = query.find('&', from);
            const auto pair = query.substr(from, amp == std::string::npos ? std::string::npos : amp - from);
            const auto eq = pair.find('=');
            const auto key = decoded(pair.substr(0, eq));
            const auto value = eq == std::string::npos ? std::string() : decoded(pair.substr(eq + 1));
            for (const auto& [want_key, want_value] : condition.query)
                if ((!want_key || wildcard_match(*want_key, key, true)) && wildcard_match(want_value, value, true))
                    return true;
            if (amp == std::string::npos) break;
            from = amp + 1;
        }
        return false;
    }
    return false;
}

std::optional<std::size_t> select_rule(const std::vector<Rule>& rules, const HttpHead& request, const std::string& peer) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        if (best && rules[*best].priority <= rules[i].priority) continue;
        if (std::all_of(rules[i].conditions.begin(), rules[i].conditions.end(),
                        [&](const auto& c) { return matches(c, request, peer); }))
            best = i;
    }
    return best;
}

const Action& select_action(const std::vector<Rule>& rules, const Action& default_action, const HttpHead& request,
                            const std::string& peer) {
    const auto rule = select_rule(rules, request, peer);
    return rule ? rules[*rule].action : default_action;
}

std::string redirect_location(const Action& redirect, const HttpHead& request, int listener_port) {
    const auto [path, query] = split_target(request.target);
    const std::string original_path = path.empty() ? "" : path.substr(1);  // #{path} has no leading slash
    const auto protocol = substitute(redirect.protocol, "http", "", "", "", "");
    const auto to_protocol = protocol == "HTTPS" || protocol == "https" ? std::string("https") : std::string("http");
    const auto host = substitute(redirect.host, "http", host_without_port(request), "", "", "");
    const auto port = substitute(redirect.port, "http", "", std::to_string(listener_port), "", "");
    const auto to_path = substitute(redirect.path, "http", host, port, original_path, query);
    const auto to_query = substitute(redirect.query, "http", host, port, original_path, query);
    const bool default_port = (to_protocol == "http" && port == "80") || (to_protocol == "https" && port == "443");
    const auto location =
        to_protocol + "://" + host + (default_port ? "" : ":" + port) + to_path + (to_query.empty() ? "" : "?" + to_query);
    // The parser lets a few control bytes through in the target and header values; a Location
    // header carries none, so they go percent-encoded.
    std::string safe;
    for (const unsigned char c : location) {
        if (c > 0x20 && c != 0x7f) {
            safe += static_cast<char>(c);
            continue;
        }
        static constexpr char k_hex[] = "0123456789ABCDEF";
        safe += '%';
        safe += k_hex[c >> 4];
        safe += k_hex[c & 15];
    }
    return safe;
}

std::string local_answer(const Action& action, const HttpHead& request, int listener_port, bool keep_alive) {
    const auto status_line = "HTTP/1.1 " + std::to_string(action.status) + " " + reason_of(action.status) + "\r\n";
    const std::string connection = std::string("Connection: ") + (keep_alive ? "keep-alive" : "close") + "\r\n";
    if (action.type == Action::Type::redirect)
        return status_line + "Server: awselb/2.0\r\nLocation: " + redirect_location(action, request, listener_port) +
               "\r\nContent-Length: 0\r\n" + connection + "\r\n";
    return status_line + "Server: awselb/2.0\r\nContent-Type: " + action.content_type +
           "\r\nContent-Length: " + std::to_string(action.body.size()) + "\r\n" + connection + "\r\n" + action.body;
}

std::optional<std::size_t> WeightedChoice::pick(const std::vector<WeightedGroup>& groups) {
    if (m_current.size() != groups.size()) m_current.assign(groups.size(), 0);
    long total = 0;
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (groups[i].weight <= 0) continue;
        m_current[i] += groups[i].weight;
        total += groups[i].weight;
        if (!best || m_current[i] > m_current[*best]) best = i;
    }
    if (best) m_current[*best] -= total;
    return best;
}

}  // namespace ecsbox::lb
