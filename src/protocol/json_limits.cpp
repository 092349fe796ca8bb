#include "protocol/json_limits.hpp"

namespace ecsbox::protocol {

std::size_t json_nesting_depth(std::string_view text) {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        switch (c) {
            case '"': in_string = true; break;
            case '{':
            case '[':
                if (++depth > deepest) deepest = depth;
                break;
            case '}':
            case ']':
                if (depth > 0) --depth;
                break;
            default: break;
        }
    }
    return deepest;
}

}  // namespace ecsbox::protocol
