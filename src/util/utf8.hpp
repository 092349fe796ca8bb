#pragma once
// AWS string limits count characters (code points), not bytes. Input is already valid UTF-8:
// the JSON parser rejects anything else before a length is ever measured.
#include <cstddef>
#include <string_view>

namespace ecsbox::util {

inline std::size_t utf8_length(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text)
        if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;  // skip continuation bytes
    return n;
}

}  // namespace ecsbox::util
