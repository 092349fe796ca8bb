#include "config.hpp"

#include <catch2/catch.hpp>

using ecsbox::Config;
using ecsbox::registry_host;

namespace {
Config listening_on(const std::string& host, int port) {
    Config config;
    config.host = host;
    config.port = port;
    return config;
}
}  // namespace

TEST_CASE("the registry is named localhost when ecsbox listens on loopback or everywhere", "[emulator][config]") {
    for (const char* host : {"127.0.0.1", "0.0.0.0", "localhost", "::1", "::"}) {
        INFO(host);
        CHECK(registry_host(listening_on(host, 4566)) == "localhost:4566");
    }
    CHECK(registry_host(listening_on("127.0.0.1", 5000)) == "localhost:5000");
}

TEST_CASE("the registry is named by any other listen address as given", "[emulator][config]") {
    CHECK(registry_host(listening_on("192.168.1.20", 4566)) == "192.168.1.20:4566");
    CHECK(registry_host(listening_on("ecsbox.internal", 80)) == "ecsbox.internal:80");
    CHECK(registry_host(listening_on("fd00::2", 4566)) == "[fd00::2]:4566");
}
