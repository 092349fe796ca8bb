#include "config.hpp"

#include <cstdlib>

namespace ecsbox {

std::string default_data_dir() {
    if (const char* dir = std::getenv("ECSBOX_DATA_DIR"); dir && *dir) return dir;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/ecsbox";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/ecsbox";
    return "/var/lib/ecsbox";
}

bool is_loopback_host(const std::string& host) {
    return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

bool is_wildcard_host(const std::string& host) { return host == "0.0.0.0" || host == "::" || host.empty(); }

std::string registry_host(const Config& config) {
    const auto& host = config.host;
    const bool local = is_loopback_host(host) || is_wildcard_host(host);
    const std::string name = local ? "localhost" : host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return name + ":" + std::to_string(config.port);
}

}  // namespace ecsbox
