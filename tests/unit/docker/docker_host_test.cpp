#include "docker/docker_host.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using ecsbox::docker::parse_docker_host;

TEST_CASE("an empty DOCKER_HOST means the default unix socket", "[docker][docker_host]") {
    const auto endpoint = parse_docker_host("");
    CHECK(endpoint.is_unix());
    CHECK(endpoint.unix_path == "/var/run/docker.sock");
    CHECK(endpoint.base_url() == "http://localhost");
    CHECK(endpoint.describe() == "unix:///var/run/docker.sock");
}

TEST_CASE("a unix address names its socket path", "[docker][docker_host]") {
    const auto endpoint = parse_docker_host("unix:///run/user/1000/docker.sock");
    CHECK(endpoint.is_unix());
    CHECK(endpoint.unix_path == "/run/user/1000/docker.sock");
}

TEST_CASE("a tcp address names host and port, 2375 when the port is absent", "[docker][docker_host]") {
    auto endpoint = parse_docker_host("tcp://127.0.0.1:2376");
    CHECK_FALSE(endpoint.is_unix());
    CHECK(endpoint.host == "127.0.0.1");
    CHECK(endpoint.port == 2376);
    CHECK(endpoint.base_url() == "http://127.0.0.1:2376");
    CHECK(endpoint.describe() == "tcp://127.0.0.1:2376");

    endpoint = parse_docker_host("tcp://docker.internal");
    CHECK(endpoint.host == "docker.internal");
    CHECK(endpoint.port == 2375);

    endpoint = parse_docker_host("tcp://dind:2375/");
    CHECK(endpoint.host == "dind");
    CHECK(endpoint.port == 2375);
}

TEST_CASE("a tcp address may be a bracketed IPv6 literal", "[docker][docker_host]") {
    auto endpoint = parse_docker_host("tcp://[::1]:2375");
    CHECK(endpoint.host == "::1");
    CHECK(endpoint.port == 2375);
    CHECK(endpoint.base_url() == "http://[::1]:2375");

    endpoint = parse_docker_host("tcp://[fd00::2]");
    CHECK(endpoint.host == "fd00::2");
    CHECK(endpoint.port == 2375);
}

TEST_CASE("addresses ecsbox cannot use are refused with the value in the message", "[docker][docker_host]") {
    for (const char* value : {"ssh://me@host", "npipe:////./pipe/docker_engine", "/var/run/docker.sock",
                              "unix://", "unix://relative.sock", "tcp://", "tcp://:2375", "tcp://host:0",
                              "tcp://host:65536", "tcp://host:http", "tcp://[::1", "tcp://[::1]x"}) {
        INFO(value);
        try {
            parse_docker_host(value);
            FAIL("accepted");
        } catch (const std::invalid_argument& e) {
            CHECK(std::string(e.what()).find(value) != std::string::npos);
        }
    }
}
