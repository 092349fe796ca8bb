#pragma once
// The names the distribution spec and ECR accept: repository names, tags, digests, and the
// <reference> of a manifest URL (a tag or a digest). Pure functions.
#include <string>
#include <string_view>

namespace ecsbox::registry {

// ECR's repository name grammar: lower-case path components of [a-z0-9] joined by '.', '_' or
// '-', separated by '/'; 2 to 256 characters. Rejects every path trick ("..", "//", leading '/').
bool valid_repository_name(std::string_view name);
// [A-Za-z0-9_][A-Za-z0-9._-]{0,127}
bool valid_tag(std::string_view tag);
// "sha256:" followed by 64 lower-case hex digits: the only algorithm ecsbox stores.
bool valid_digest(std::string_view digest);
// Looks like "<algorithm>:<hex>" at all (so a bad digest can be told from a tag).
bool looks_like_digest(std::string_view reference);

}  // namespace ecsbox::registry
