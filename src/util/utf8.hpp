#pragma once
// AWS string limits count characters (code points), not bytes. Input is already valid UTF-8:
// the JSON parser rejects anything else, and forms are checked with is_utf8 as they are read.
#include <cstddef>
#include <string_view>

namespace ecsbox::util {

inline std::size_t utf8_length(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text)
        if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;  // skip continuation bytes
    return n;
}

// Well-formed UTF-8: no stray continuation bytes, no overlong forms, no surrogates, nothing
// above U+10FFFF.
inline bool is_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        char32_t point = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            point = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            point = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            point = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= text.size()) return false;  // cut short
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xc0) != 0x80) return false;
            point = (point << 6) | (next & 0x3f);
        }
        static constexpr char32_t k_smallest[] = {0, 0x80, 0x800, 0x10000};
        if (point < k_smallest[extra] || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return false;
        i += extra + 1;
    }
    return true;
}

}  // namespace ecsbox::util
