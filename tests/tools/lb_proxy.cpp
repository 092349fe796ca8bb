// For scripts/bench/lb until the ELBv2 API serves listeners: the balancer's HTTP proxy on one
// port, round robin over the backends given, on one loop thread.
//   lb_proxy PORT HOST:PORT...
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "lb/http_proxy.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: lb_proxy PORT HOST:PORT...\n");
        return 2;
    }
    std::vector<ecsbox::lb::Backend> backends;
    for (int i = 2; i < argc; ++i) {
        const std::string spec = argv[i];
        const auto colon = spec.rfind(':');
        backends.push_back({spec.substr(0, colon), std::stoi(spec.substr(colon + 1))});
    }
    ecsbox::lb::EventLoop loop;
    ecsbox::lb::HttpProxy proxy(loop);
    std::size_t next = 0;
    const int port = proxy.listen("127.0.0.1", std::stoi(argv[1]), [&](const ecsbox::lb::HttpHead&, const std::string&) {
        return ecsbox::lb::HttpProxy::Route{backends[next++ % backends.size()], "", 0};
    });
    if (port == 0) {
        std::perror("listen");
        return 1;
    }
    std::printf("%d\n", port);
    std::fflush(stdout);
    std::signal(SIGPIPE, SIG_IGN);
    loop.run();
}
