#include "util/sha256.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using ecsbox::util::hmac_sha256;
using ecsbox::util::Sha256;
using ecsbox::util::sha256_hex;
using ecsbox::util::to_hex;

namespace {

// Bytes that differ from one position to the next, so a misplaced block would change the digest.
std::string varied_bytes(std::size_t length) {
    std::string bytes(length, '\0');
    for (std::size_t i = 0; i < length; ++i) bytes[i] = static_cast<char>((i * 131 + (i >> 7)) & 0xff);
    return bytes;
}

std::string hash_in_pieces(const std::string& bytes, const std::vector<std::size_t>& cuts) {
    Sha256 hasher;
    std::size_t start = 0;
    for (const std::size_t cut : cuts) {
        hasher.update(std::string_view(bytes).substr(start, cut - start));
        start = cut;
    }
    hasher.update(std::string_view(bytes).substr(start));
    return to_hex(hasher.finish());
}

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-4 example messages", "[util][sha256]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                     "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu") ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("sha256 of one million 'a' matches the NIST long message", "[util][sha256]") {
    CHECK(sha256_hex(std::string(1'000'000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 pads correctly on both sides of the 56-byte length boundary", "[util][sha256]") {
    // 55 bytes still fit the length in the last block; 56 to 63 need one more block.
    CHECK(sha256_hex(std::string(55, 'a')) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    CHECK(sha256_hex(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    CHECK(sha256_hex(std::string(63, 'a')) == "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
    CHECK(sha256_hex(std::string(64, 'a')) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    CHECK(sha256_hex(std::string(65, 'a')) == "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
    CHECK(sha256_hex(std::string(119, 'a')) == "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
    CHECK(sha256_hex(std::string(120, 'a')) == "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
    CHECK(sha256_hex(std::string(128, 'a')) == "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e");
}

TEST_CASE("sha256 gives the same digest however the input is split", "[util][sha256]") {
    const std::string bytes = varied_bytes(1000);
    const std::string whole = sha256_hex(bytes);
    CHECK(hash_in_pieces(bytes, {1, 2, 3}) == whole);
    CHECK(hash_in_pieces(bytes, {63, 64, 65}) == whole);
    CHECK(hash_in_pieces(bytes, {55, 56, 200, 263, 999}) == whole);
    CHECK(hash_in_pieces(bytes, {0, 0, 128, 128, 1000}) == whole);  // empty pieces too
    CHECK(hash_in_pieces(bytes, {7, 200, 201, 330, 520, 700}) == whole);
}

TEST_CASE("sha256 gives the same digest for every two-cut split of a short message", "[util][sha256]") {
    const std::string bytes = varied_bytes(150);  // more than two blocks
    const std::string whole = sha256_hex(bytes);
    for (std::size_t first = 0; first <= bytes.size(); ++first) {
        for (std::size_t second = first; second <= bytes.size(); ++second) {
            INFO("cuts at " << first << " and " << second);
            REQUIRE(hash_in_pieces(bytes, {first, second}) == whole);
        }
    }
}

TEST_CASE("sha256 counts the bytes hashed", "[util][sha256]") {
    Sha256 hasher;
    CHECK(hasher.bytes_hashed() == 0);
    hasher.update("hello");
    hasher.update(std::string(100, 'x'));
    CHECK(hasher.bytes_hashed() == 105);
}

TEST_CASE("a copied sha256 continues independently of the original", "[util][sha256]") {
    Sha256 original;
    original.update("abcdefghbcdefghicdefghijdefghijk");  // half a block buffered
    Sha256 copy = original;
    copy.update("efghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu");
    original.update("c");
    CHECK(to_hex(copy.finish()) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    CHECK(to_hex(original.finish()) == sha256_hex("abcdefghbcdefghicdefghijdefghijkc"));
}

TEST_CASE("sha256 accepts a null pointer with zero length", "[util][sha256]") {
    Sha256 hasher;
    hasher.update(nullptr, 0);
    CHECK(to_hex(hasher.finish()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("hmac-sha256 matches RFC 4231 test cases 1, 2, 6 and 7", "[util][sha256][hmac]") {
    SECTION("1: a 20-byte key") {
        CHECK(to_hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")) ==
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }
    SECTION("2: a key shorter than the output") {
        CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
    SECTION("6: a key longer than the block is hashed first") {
        CHECK(to_hex(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")) ==
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }
    SECTION("7: a long key and a message longer than the block") {
        CHECK(to_hex(hmac_sha256(std::string(131, '\xaa'),
                                 "This is a test using a larger than block-size key and a larger than block-size "
                                 "data. The key needs to be hashed before being used by the HMAC algorithm.")) ==
              "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    }
}

TEST_CASE("to_hex writes lower-case digits in byte order", "[util][sha256]") {
    ecsbox::util::Sha256Digest digest{};
    digest[0] = 0xAB;
    digest[1] = 0x01;
    digest[31] = 0xF0;
    CHECK(to_hex(digest) == "ab01" + std::string(58, '0') + "f0");
}
