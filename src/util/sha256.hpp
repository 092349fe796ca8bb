#pragma once
// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104). The hasher is incremental and copyable, so a
// registry upload can hash as its bytes stream in and keep the state between requests.
// Not thread-safe per object; free functions are pure.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ecsbox::util {

using Sha256Digest = std::array<std::uint8_t, 32>;

class Sha256 {
public:
    Sha256();
    void update(std::string_view bytes);
    void update(const void* data, std::size_t size);
    // The digest of everything given so far. The hasher must not be updated afterwards.
    Sha256Digest finish();
    std::uint64_t bytes_hashed() const { return m_length; }

private:
    void compress(const std::uint8_t* block);

    std::array<std::uint32_t, 8> m_state;
    std::array<std::uint8_t, 64> m_buffer{};
    std::size_t m_buffered = 0;
    std::uint64_t m_length = 0;
};

std::string to_hex(const Sha256Digest& digest);  // lower case
std::string sha256_hex(std::string_view bytes);
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);

}  // namespace ecsbox::util
