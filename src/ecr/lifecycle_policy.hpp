#pragma once
// ECR lifecycle policies: the policy text parsed and checked as ECR checks it, and its rules
// applied to a repository's images. Pure functions: the caller supplies images and the time,
// and deletes what evaluate() returns.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ecsbox::ecr {

class LifecyclePolicyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;  // what() is the message ECR's error carries
};

struct LifecycleRule {
    int priority = 0;
    std::string description;
    std::string tag_status;                    // tagged | untagged | any
    std::vector<std::string> tag_prefixes;     // tagPrefixList
    std::vector<std::string> tag_patterns;     // tagPatternList, '*' wildcards
    std::string count_type;                    // imageCountMoreThan | sinceImagePushed
    std::optional<std::string> count_unit;     // days, with sinceImagePushed
    long long count_number = 0;
};

struct LifecyclePolicy {
    std::vector<LifecycleRule> rules;  // ordered by priority, lowest first
};

// Throws LifecyclePolicyError naming the first problem.
LifecyclePolicy parse_lifecycle_policy(std::string_view text);

struct LifecycleImage {
    std::string digest;
    std::vector<std::string> tags;
    double pushed_at = 0;  // epoch seconds
};

struct LifecycleExpiration {
    std::string digest;
    std::vector<std::string> tags;
    double pushed_at = 0;
    int rule_priority = 0;  // the rule that expires it
};

// The images the policy expires at `now`, each by the first rule (in priority order) whose
// selection it falls under.
std::vector<LifecycleExpiration> evaluate_lifecycle_policy(const LifecyclePolicy& policy,
                                                           const std::vector<LifecycleImage>& images, double now);

}  // namespace ecsbox::ecr
