#include "registry/reference.hpp"

#include <cstddef>

namespace ecsbox::registry {

namespace {

constexpr std::size_t k_min_repository_name = 2;
constexpr std::size_t k_max_repository_name = 256;
constexpr std::size_t k_max_tag = 128;
constexpr std::string_view k_digest_prefix = "sha256:";
constexpr std::size_t k_sha256_hex_digits = 64;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// `[a-z0-9]+(?:[<separators>][a-z0-9]+)*`: runs joined by single separators.
bool separated_lower_alnum_runs(std::string_view text, std::string_view separators) {
    bool after_separator = true;  // the text must start with a run
    for (const char c : text) {
        if (is_lower_alnum(c)) {
            after_separator = false;
        } else if (separators.find(c) != std::string_view::npos && !after_separator) {
            after_separator = true;
        } else {
            return false;
        }
    }
    return !after_separator;  // not empty, and does not end with a separator
}

// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`: runs of lower-case letters and digits joined by a
// separator ('.', '_', "__" or any number of '-'), so no component is empty and none starts or
// ends with a separator, and ".." never appears.
bool valid_path_component(std::string_view component) {
    std::size_t i = 0;
    const auto run = [&] {
        const std::size_t start = i;
        while (i < component.size() && is_lower_alnum(component[i])) ++i;
        return i > start;
    };
    if (!run()) return false;
    while (i < component.size()) {
        const char c = component[i];
        if (c == '.') {
            ++i;
        } else if (c == '_') {
            i += component.substr(i, 2) == "__" ? 2 : 1;
        } else if (c == '-') {
            while (i < component.size() && component[i] == '-') ++i;
        } else {
            return false;
        }
        if (!run()) return false;
    }
    return true;
}

}  // namespace

bool valid_repository_name(std::string_view name) {
    if (name.size() < k_min_repository_name || name.size() > k_max_repository_name) return false;
    // Every '/'-separated component must match on its own: "", "." and ".." never do, which is
    // what rules out "a//b", "/a", "a/" and "../x".
    for (std::size_t start = 0;;) {
        const std::size_t slash = name.find('/', start);
        if (!valid_path_component(name.substr(start, slash - start))) return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

bool valid_tag(std::string_view tag) {
    if (tag.empty() || tag.size() > k_max_tag) return false;
    if (!is_alnum(tag[0]) && tag[0] != '_') return false;
    for (const char c : tag.substr(1)) {
        if (!is_alnum(c) && c != '_' && c != '.' && c != '-') return false;
    }
    return true;
}

bool valid_digest(std::string_view digest) {
    if (digest.size() != k_digest_prefix.size() + k_sha256_hex_digits) return false;
    if (!digest.starts_with(k_digest_prefix)) return false;
    for (const char c : digest.substr(k_digest_prefix.size())) {
        if (!is_lower_hex(c)) return false;
    }
    return true;
}

// The OCI image spec's digest grammar:
//   algorithm ::= [a-z0-9]+ ([+._-] [a-z0-9]+)*      encoded ::= [a-zA-Z0-9=_-]+
bool looks_like_digest(std::string_view reference) {
    const std::size_t colon = reference.find(':');
    if (colon == std::string_view::npos) return false;
    if (!separated_lower_alnum_runs(reference.substr(0, colon), "+._-")) return false;
    const std::string_view encoded = reference.substr(colon + 1);
    if (encoded.empty()) return false;
    for (const char c : encoded) {
        if (!is_alnum(c) && c != '=' && c != '_' && c != '-') return false;
    }
    return true;
}

}  // namespace ecsbox::registry
