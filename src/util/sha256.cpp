#include "util/sha256.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ecsbox::util {

namespace {

constexpr std::size_t k_block_size = 64;

// FIPS 180-4 section 5.3.3: the first 32 bits of the fractional parts of the square roots of
// the first eight primes.
constexpr std::array<std::uint32_t, 8> k_initial_state = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

// FIPS 180-4 section 4.2.2: cube roots of the first 64 primes.
constexpr std::array<std::uint32_t, 64> k_round_constants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// Written out byte by byte so it is right on any host; GCC turns it into one load and a bswap.
inline std::uint32_t load_big_endian32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

inline void store_big_endian32(std::uint32_t value, std::uint8_t* out) {
    out[0] = static_cast<std::uint8_t>(value >> 24);
    out[1] = static_cast<std::uint8_t>(value >> 16);
    out[2] = static_cast<std::uint8_t>(value >> 8);
    out[3] = static_cast<std::uint8_t>(value);
}

inline void store_big_endian64(std::uint64_t value, std::uint8_t* out) {
    store_big_endian32(static_cast<std::uint32_t>(value >> 32), out);
    store_big_endian32(static_cast<std::uint32_t>(value), out + 4);
}

// FIPS 180-4 section 4.1.2.
inline std::uint32_t choose(std::uint32_t x, std::uint32_t y, std::uint32_t z) { return (x & y) ^ (~x & z); }
inline std::uint32_t majority(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
    return (x & y) ^ (x & z) ^ (y & z);
}
inline std::uint32_t big_sigma0(std::uint32_t x) { return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22); }
inline std::uint32_t big_sigma1(std::uint32_t x) { return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25); }
inline std::uint32_t small_sigma0(std::uint32_t x) { return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3); }
inline std::uint32_t small_sigma1(std::uint32_t x) { return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10); }

}  // namespace

Sha256::Sha256() : m_state(k_initial_state) {}

void Sha256::update(std::string_view bytes) { update(bytes.data(), bytes.size()); }

void Sha256::update(const void* data, std::size_t size) {
    if (size == 0) return;  // data may be null then, and memcpy must not see it
    const auto* in = static_cast<const std::uint8_t*>(data);
    m_length += size;

    if (m_buffered > 0) {
        const std::size_t take = std::min(k_block_size - m_buffered, size);
        std::memcpy(m_buffer.data() + m_buffered, in, take);
        m_buffered += take;
        in += take;
        size -= take;
        if (m_buffered < k_block_size) return;
        compress(m_buffer.data());
        m_buffered = 0;
    }
    // Whole blocks straight from the caller's memory: no copy for the bulk of a layer.
    for (; size >= k_block_size; in += k_block_size, size -= k_block_size) compress(in);
    if (size > 0) {
        std::memcpy(m_buffer.data(), in, size);
        m_buffered = size;
    }
}

Sha256Digest Sha256::finish() {
    // FIPS 180-4 section 5.1.1: a 1 bit, zeros up to 56 mod 64 bytes, then the length in bits.
    const std::uint64_t length_in_bits = m_length * 8;
    m_buffer[m_buffered++] = 0x80;
    if (m_buffered > k_block_size - 8) {
        std::memset(m_buffer.data() + m_buffered, 0, k_block_size - m_buffered);
        compress(m_buffer.data());
        m_buffered = 0;
    }
    std::memset(m_buffer.data() + m_buffered, 0, k_block_size - 8 - m_buffered);
    store_big_endian64(length_in_bits, m_buffer.data() + k_block_size - 8);
    compress(m_buffer.data());
    m_buffered = 0;

    Sha256Digest digest;
    for (std::size_t i = 0; i < m_state.size(); ++i) store_big_endian32(m_state[i], digest.data() + 4 * i);
    return digest;
}

void Sha256::compress(const std::uint8_t* block) {
    std::array<std::uint32_t, 64> schedule;
    for (std::size_t t = 0; t < 16; ++t) schedule[t] = load_big_endian32(block + 4 * t);
    for (std::size_t t = 16; t < 64; ++t) {
        schedule[t] = small_sigma1(schedule[t - 2]) + schedule[t - 7] + small_sigma0(schedule[t - 15]) +
                      schedule[t - 16];
    }

    auto [a, b, c, d, e, f, g, h] = m_state;
    // Unrolled so the rotation of the eight working variables becomes register renaming
    // instead of seven moves per round.
#pragma GCC unroll 64
    for (std::size_t t = 0; t < 64; ++t) {
        const std::uint32_t t1 = h + big_sigma1(e) + choose(e, f, g) + k_round_constants[t] + schedule[t];
        const std::uint32_t t2 = big_sigma0(a) + majority(a, b, c);
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    m_state[0] += a;
    m_state[1] += b;
    m_state[2] += c;
    m_state[3] += d;
    m_state[4] += e;
    m_state[5] += f;
    m_state[6] += g;
    m_state[7] += h;
}

std::string to_hex(const Sha256Digest& digest) {
    constexpr char k_digits[] = "0123456789abcdef";
    std::string out(digest.size() * 2, '0');
    for (std::size_t i = 0; i < digest.size(); ++i) {
        out[2 * i] = k_digits[digest[i] >> 4];
        out[2 * i + 1] = k_digits[digest[i] & 0xf];
    }
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 hasher;
    hasher.update(bytes);
    return to_hex(hasher.finish());
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view message) {
    // RFC 2104: a key longer than the block is replaced by its hash, a shorter one padded with zeros.
    std::array<std::uint8_t, k_block_size> block_key{};
    if (key.size() > k_block_size) {
        const Sha256Digest hashed_key = [&] {
            Sha256 hasher;
            hasher.update(key);
            return hasher.finish();
        }();
        std::memcpy(block_key.data(), hashed_key.data(), hashed_key.size());
    } else if (!key.empty()) {
        std::memcpy(block_key.data(), key.data(), key.size());
    }

    std::array<std::uint8_t, k_block_size> inner_pad;
    std::array<std::uint8_t, k_block_size> outer_pad;
    for (std::size_t i = 0; i < k_block_size; ++i) {
        inner_pad[i] = block_key[i] ^ 0x36;
        outer_pad[i] = block_key[i] ^ 0x5c;
    }

    Sha256 inner;
    inner.update(inner_pad.data(), inner_pad.size());
    inner.update(message);
    const Sha256Digest inner_digest = inner.finish();

    Sha256 outer;
    outer.update(outer_pad.data(), outer_pad.size());
    outer.update(inner_digest.data(), inner_digest.size());
    return outer.finish();
}

}  // namespace ecsbox::util
