#pragma once
// Non-blocking TCP sockets for the balancer: a listener, an outgoing connection, the peer's
// address, by numeric addresses only. Errors are values (an empty Fd and errno) so the loop
// decides what they mean.
#include <string>

#include "lb/fd.hpp"

namespace ecsbox::lb {

// Listening on host:port (port 0 picks a free one), non-blocking; empty on failure (errno set).
Fd listen_tcp(const std::string& host, int port);
// The port a socket is bound to.
int local_port(int fd);
// A connection being made (EINPROGRESS); its writability says when it is up. Empty on failure.
Fd connect_tcp(const std::string& host, int port);
// The accepted connection, non-blocking and without Nagle's delay; empty when none is waiting.
Fd accept_tcp(int listener, std::string& peer_address);
// 0 once a connect_tcp connection is up, else the error that ended it.
int connect_error(int fd);

}  // namespace ecsbox::lb
