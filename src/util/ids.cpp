#include "util/ids.hpp"

#include <string_view>

namespace ecsbox::util {

namespace {
constexpr char k_hex[] = "0123456789abcdef";

std::uint64_t seed_from_device() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}
}  // namespace

IdGenerator::IdGenerator() : m_engine(seed_from_device()) {}
IdGenerator::IdGenerator(std::uint64_t seed) : m_engine(seed) {}

std::uint64_t IdGenerator::next() {
    std::lock_guard lock(m_mutex);
    return m_engine();
}

std::string IdGenerator::hex(std::size_t length) {
    std::string out;
    out.reserve(length);
    while (out.size() < length) {
        auto bits = next();
        for (int i = 0; i < 16 && out.size() < length; ++i, bits >>= 4) out.push_back(k_hex[bits & 0xf]);
    }
    return out;
}

std::string IdGenerator::uuid() {
    std::string digits = hex(32);
    digits[12] = '4';                                  // version 4
    const auto nibble = static_cast<int>(std::string_view(k_hex).find(digits[16]));
    digits[16] = k_hex[8 + (nibble & 3)];  // variant 10xx
    return digits.substr(0, 8) + '-' + digits.substr(8, 4) + '-' + digits.substr(12, 4) + '-' +
           digits.substr(16, 4) + '-' + digits.substr(20);
}

}  // namespace ecsbox::util
