#pragma once
// Where the Docker engine listens, from a DOCKER_HOST value: `unix:///path/to.sock` or
// `tcp://host:port` (what the docker CLI accepts, minus ssh:// and npipe://, which ecsbox does
// not speak). Pure functions; they never touch the network.
#include <string>
#include <string_view>

namespace ecsbox::docker {

inline constexpr std::string_view k_default_docker_host = "unix:///var/run/docker.sock";

struct Endpoint {
    std::string unix_path;  // set for a unix socket
    std::string host;       // set for tcp; IPv6 literals without brackets
    int port = 0;

    bool is_unix() const { return !unix_path.empty(); }
    // "http://localhost" for a socket (curl needs some host), "http://host:port" for tcp.
    std::string base_url() const;
    // Back to DOCKER_HOST form, for messages.
    std::string describe() const;
};

// An empty value means the default socket. Throws std::invalid_argument naming the value when
// it is not a unix or tcp address. `tcp://host` without a port means 2375, as for the CLI.
Endpoint parse_docker_host(std::string_view value);

}  // namespace ecsbox::docker
