#pragma once
// Glob-style patterns as AWS uses them: '*' matches any run of characters (none included) and,
// where a service says so, '?' exactly one; every other character matches itself, optionally
// ignoring ASCII case. ECR tag filters use '*' alone; ALB listener rules use both. Pure.
#include <string_view>

namespace ecsbox::util {

struct WildcardSyntax {
    bool question_mark = false;  // '?' matches one character
    bool ignore_case = false;
};

bool wildcard_match(std::string_view pattern, std::string_view text, WildcardSyntax syntax = {});

}  // namespace ecsbox::util
