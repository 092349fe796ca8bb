#include "config.hpp"

#include <cstdlib>

namespace ecsbox {

std::string default_data_dir() {
    if (const char* dir = std::getenv("ECSBOX_DATA_DIR"); dir && *dir) return dir;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/ecsbox";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/ecsbox";
    return "/var/lib/ecsbox";
}

}  // namespace ecsbox
