#pragma once
// `ecsbox reset --endpoint URL`: asks a running ecsbox to return to an empty state (POST
// /_ecsbox/reset), so test suites can isolate their cases from a shell.
#include <ostream>
#include <string>

namespace ecsbox {

// Prints the server's answer to `out` (errors to `err`); returns the process exit code.
int reset_command(const std::string& endpoint, std::ostream& out, std::ostream& err);

}  // namespace ecsbox
