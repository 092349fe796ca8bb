#include "docker/docker_host.hpp"

#include <charconv>
#include <stdexcept>

namespace ecsbox::docker {

namespace {

[[noreturn]] void reject(std::string_view value, std::string_view why) {
    throw std::invalid_argument("DOCKER_HOST \"" + std::string(value) + "\": " + std::string(why));
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

Endpoint parse_tcp(std::string_view value, std::string_view rest) {
    // A trailing "/" (or a base path, which the engine API does not use) is ignored.
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
    Endpoint endpoint;
    std::string_view port_text;
    if (starts_with(rest, "[")) {
        const auto close = rest.find(']');
        if (close == std::string_view::npos) reject(value, "unterminated IPv6 address");
        endpoint.host = std::string(rest.substr(1, close - 1));
        rest = rest.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') reject(value, "expected ':' after the IPv6 address");
            port_text = rest.substr(1);
        }
    } else {
        const auto colon = rest.rfind(':');
        endpoint.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
    }
    if (endpoint.host.empty()) reject(value, "no host");
    endpoint.port = 2375;
    if (!port_text.empty()) {
        const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), endpoint.port);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || endpoint.port < 1 ||
            endpoint.port > 65535)
            reject(value, "invalid port");
    }
    return endpoint;
}

}  // namespace

std::string Endpoint::base_url() const {
    if (is_unix()) return "http://localhost";
    const bool ipv6 = host.find(':') != std::string::npos;
    return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Endpoint::describe() const {
    if (is_unix()) return "unix://" + unix_path;
    return "tcp" + base_url().substr(4);
}

Endpoint parse_docker_host(std::string_view value) {
    if (value.empty()) value = k_default_docker_host;
    if (starts_with(value, "unix://")) {
        Endpoint endpoint;
        endpoint.unix_path = std::string(value.substr(7));
        if (endpoint.unix_path.empty() || endpoint.unix_path[0] != '/') reject(value, "expected an absolute socket path");
        return endpoint;
    }
    if (starts_with(value, "tcp://")) return parse_tcp(value, value.substr(6));
    if (starts_with(value, "http://")) return parse_tcp(value, value.substr(7));
    reject(value, "only unix:// and tcp:// addresses are supported");
}

}  // namespace ecsbox::docker
