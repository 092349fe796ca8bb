#include "ecr/lifecycle_policy.hpp"

#include <algorithm>
#include <climits>
#include <set>

#include <nlohmann/json.hpp>

#include "util/wildcard.hpp"

namespace ecsbox::ecr {

using nlohmann::json;

namespace {

// ECR's documented limit on '*' in one tagPatternList entry.
constexpr std::size_t k_max_pattern_wildcards = 4;
constexpr double k_seconds_per_day = 86400;

[[noreturn]] void fail(const std::string& detail) {
    throw LifecyclePolicyError(
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation "
        "failure: " +
        detail + "'");
}

[[noreturn]] void unsupported(const std::string& what) {
    fail(what + " is not supported by ecsbox (only expiring images is emulated)");
}

// ECR's schema is closed: a misspelt key ("countNumer") would otherwise silently change what
// the rule does.
void refuse_unknown_fields(const json& object, std::initializer_list<std::string_view> known,
                           const std::string& where) {
    for (const auto& item : object.items())
        if (std::find(known.begin(), known.end(), item.key()) == known.end())
            fail(where + "." + item.key() + " is not a recognised field");
}

const json& require_object(const json& parent, const char* key, const std::string& where) {
    const auto it = parent.find(key);
    if (it == parent.end()) fail(where + "." + key + " is required");
    if (!it->is_object()) fail(where + "." + key + " must be an object");
    return *it;
}

std::string require_string(const json& parent, const char* key, const std::string& where) {
    const auto it = parent.find(key);
    if (it == parent.end()) fail(where + "." + key + " is required");
    if (!it->is_string()) fail(where + "." + key + " must be a string");
    return it->get<std::string>();
}

long long positive_integer(const json& value, const std::string& where, long long max) {
    if (!value.is_number_integer()) fail(where + " must be an integer");
    if (value.is_number_unsigned() ? value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)
                                   : value.get<long long>() > max)
        fail(where + " must be at most " + std::to_string(max));
    const auto number = value.get<long long>();
    if (number < 1) fail(where + " must be a positive integer");
    return number;
}

std::vector<std::string> tag_list(const json& selection, const char* key, const std::string& where) {
    const json& list = selection[key];
    const std::string path = where + "." + key;
    if (!list.is_array()) fail(path + " must be a list of strings");
    if (list.empty()) fail(path + " must not be empty");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!list[i].is_string() || list[i].get_ref<const std::string&>().empty())
            fail(path + "[" + std::to_string(i) + "] must be a non-empty string");
        out.push_back(list[i].get<std::string>());
    }
    return out;
}

void check_pattern_wildcards(const std::vector<std::string>& patterns, const std::string& where) {
    for (const auto& pattern : patterns)
        if (static_cast<std::size_t>(std::count(pattern.begin(), pattern.end(), '*')) > k_max_pattern_wildcards)
            fail(where + ".tagPatternList entry \"" + pattern + "\" has more than " +
                 std::to_string(k_max_pattern_wildcards) + " wildcards (*)");
}

void parse_tag_selection(const json& selection, const std::string& where, LifecycleRule& rule) {
    rule.tag_status = require_string(selection, "tagStatus", where);
    const std::string& status = rule.tag_status;
    if (status != "tagged" && status != "untagged" && status != "any")
        fail(where + ".tagStatus must be tagged, untagged or any, not \"" + status + "\"");
    const bool prefixes = selection.contains("tagPrefixList"), patterns = selection.contains("tagPatternList");
    if (status != "tagged" && (prefixes || patterns))
        fail(where + ": tagPrefixList and tagPatternList are only allowed with tagStatus tagged");
    if (status != "tagged") return;
    if (prefixes && patterns) fail(where + ": tagPrefixList and tagPatternList cannot both be given");
    if (!prefixes && !patterns) fail(where + ": tagStatus tagged requires tagPrefixList or tagPatternList");
    if (prefixes) rule.tag_prefixes = tag_list(selection, "tagPrefixList", where);
    if (patterns) {
        rule.tag_patterns = tag_list(selection, "tagPatternList", where);
        check_pattern_wildcards(rule.tag_patterns, where);
    }
}

// Archive storage is an ECR feature ecsbox does not model; "standard", the default, is what
// every ecsbox image is in, so saying it changes nothing.
void check_storage_class(const json& selection, const std::string& where) {
    if (!selection.contains("storageClass")) return;
    const std::string storage_class = require_string(selection, "storageClass", where);
    if (storage_class == "archive") unsupported(where + ".storageClass \"archive\"");
    if (storage_class != "standard") fail(where + ".storageClass must be standard or archive");
}

void parse_count(const json& selection, const std::string& where, LifecycleRule& rule) {
    rule.count_type = require_string(selection, "countType", where);
    if (rule.count_type == "sinceImagePulled" || rule.count_type == "sinceImageTransitioned")
        unsupported(where + ".countType " + rule.count_type);
    if (rule.count_type != "imageCountMoreThan" && rule.count_type != "sinceImagePushed")
        fail(where + ".countType must be imageCountMoreThan or sinceImagePushed, not \"" + rule.count_type + "\"");
    const bool has_unit = selection.contains("countUnit");
    if (rule.count_type == "imageCountMoreThan" && has_unit)
        fail(where + ".countUnit is not allowed with countType imageCountMoreThan");
    if (rule.count_type == "sinceImagePushed") {
        if (!has_unit) fail(where + ".countUnit is required with countType sinceImagePushed");
        rule.count_unit = require_string(selection, "countUnit", where);
        if (*rule.count_unit != "days") fail(where + ".countUnit must be days, not \"" + *rule.count_unit + "\"");
    }
    if (!selection.contains("countNumber")) fail(where + ".countNumber is required");
    rule.count_number = positive_integer(selection["countNumber"], where + ".countNumber", LLONG_MAX);
}

void parse_selection(const json& selection, const std::string& where, LifecycleRule& rule) {
    refuse_unknown_fields(
        selection,
        {"tagStatus", "tagPrefixList", "tagPatternList", "storageClass", "countType", "countUnit", "countNumber"},
        where);
    parse_tag_selection(selection, where, rule);
    check_storage_class(selection, where);
    parse_count(selection, where, rule);
}

void check_action(const json& action, const std::string& where) {
    refuse_unknown_fields(action, {"type", "targetStorageClass"}, where);
    const std::string type = require_string(action, "type", where);
    if (type == "transition") unsupported(where + ".type transition");
    if (type != "expire") fail(where + ".type must be expire, not \"" + type + "\"");
    if (action.contains("targetStorageClass")) unsupported(where + ".targetStorageClass");
}

LifecycleRule parse_rule(const json& value, const std::string& where) {
    if (!value.is_object()) fail(where + " must be an object");
    refuse_unknown_fields(value, {"rulePriority", "description", "selection", "action"}, where);
    LifecycleRule rule;
    if (!value.contains("rulePriority")) fail(where + ".rulePriority is required");
    rule.priority = static_cast<int>(positive_integer(value["rulePriority"], where + ".rulePriority", INT_MAX));
    if (value.contains("description")) rule.description = require_string(value, "description", where);
    parse_selection(require_object(value, "selection", where), where + ".selection", rule);
    check_action(require_object(value, "action", where), where + ".action");
    return rule;
}

std::string describe(const LifecycleRule& rule) {
    return "the rule with rulePriority " + std::to_string(rule.priority);
}

// The checks that look across rules, on rules already sorted by priority.
void check_rule_set(const std::vector<LifecycleRule>& rules) {
    for (std::size_t i = 1; i < rules.size(); ++i)
        if (rules[i].priority == rules[i - 1].priority)
            fail("rulePriority " + std::to_string(rules[i].priority) + " is used by more than one rule");
    for (std::size_t i = 0; i + 1 < rules.size(); ++i)
        if (rules[i].tag_status == "any")
            fail(describe(rules[i]) + " has tagStatus any, so it must have the highest rulePriority");
    // Documented evaluation rules: a second untagged rule, or a second rule with the same tag
    // list, could never expire anything, since the first one already claims all its images.
    std::set<std::pair<std::set<std::string>, std::set<std::string>>> tag_lists;
    bool untagged_seen = false;
    for (const auto& rule : rules) {
        if (rule.tag_status == "untagged") {
            if (untagged_seen) fail("only one rule may select untagged images");
            untagged_seen = true;
        }
        if (rule.tag_status != "tagged") continue;
        const std::set<std::string> prefixes(rule.tag_prefixes.begin(), rule.tag_prefixes.end());
        const std::set<std::string> patterns(rule.tag_patterns.begin(), rule.tag_patterns.end());
        if (!tag_lists.emplace(prefixes, patterns).second)
            fail(describe(rule) + " selects the same tags as a rule before it; each rule needs its own tag list");
    }
}

// As documented: with several prefixes (or patterns) an image is selected only when every one
// of them matches at least one of its tags.
bool selects(const LifecycleRule& rule, const LifecycleImage& image) {
    if (rule.tag_status == "any") return true;
    if (rule.tag_status == "untagged") return image.tags.empty();
    const auto some_tag = [&image](auto&& matches) {
        return std::any_of(image.tags.begin(), image.tags.end(), matches);
    };
    for (const auto& prefix : rule.tag_prefixes)
        if (!some_tag([&prefix](const std::string& tag) { return tag.starts_with(prefix); })) return false;
    for (const auto& pattern : rule.tag_patterns)
        if (!some_tag([&pattern](const std::string& tag) { return util::wildcard_match(pattern, tag); })) return false;
    return !image.tags.empty();
}

bool newer_first(const LifecycleImage* a, const LifecycleImage* b) {
    if (a->pushed_at != b->pushed_at) return a->pushed_at > b->pushed_at;
    return a->digest < b->digest;
}

// What one rule would expire if it were alone: ECR evaluates every rule against every image it
// selects, before priorities decide which rule gets to act on which image.
std::set<const LifecycleImage*> marked_by(const LifecycleRule& rule, const std::vector<LifecycleImage>& images,
                                          double now) {
    std::vector<const LifecycleImage*> selected;
    for (const auto& image : images)
        if (selects(rule, image)) selected.push_back(&image);
    std::set<const LifecycleImage*> marked;
    if (rule.count_type == "imageCountMoreThan") {
        std::sort(selected.begin(), selected.end(), newer_first);
        for (std::size_t i = 0; i < selected.size(); ++i)
            if (static_cast<long long>(i) >= rule.count_number) marked.insert(selected[i]);
    } else {
        const double cutoff = now - static_cast<double>(rule.count_number) * k_seconds_per_day;
        for (const auto* image : selected)
            if (image->pushed_at < cutoff) marked.insert(image);
    }
    return marked;
}

}  // namespace

LifecyclePolicy parse_lifecycle_policy(std::string_view text) {
    json body;
    try {
        body = json::parse(text);
    } catch (const json::parse_error&) {
        fail("the policy text is not valid JSON");
    }
    if (!body.is_object()) fail("the policy must be a JSON object");
    refuse_unknown_fields(body, {"rules"}, "policy");
    const auto it = body.find("rules");
    if (it == body.end()) fail("rules is required");
    if (!it->is_array()) fail("rules must be a list");
    if (it->empty()) fail("rules must contain at least one rule");
    LifecyclePolicy policy;
    for (std::size_t i = 0; i < it->size(); ++i)
        policy.rules.push_back(parse_rule((*it)[i], "rules[" + std::to_string(i) + "]"));
    std::stable_sort(policy.rules.begin(), policy.rules.end(),
                     [](const LifecycleRule& a, const LifecycleRule& b) { return a.priority < b.priority; });
    check_rule_set(policy.rules);
    return policy;
}

std::vector<LifecycleExpiration> evaluate_lifecycle_policy(const LifecyclePolicy& policy,
                                                           const std::vector<LifecycleImage>& images, double now) {
    // A policy built by hand may not come sorted; priority order is what the semantics rest on.
    std::vector<const LifecycleRule*> rules;
    for (const auto& rule : policy.rules) rules.push_back(&rule);
    std::stable_sort(rules.begin(), rules.end(),
                     [](const LifecycleRule* a, const LifecycleRule* b) { return a->priority < b->priority; });
    std::vector<std::set<const LifecycleImage*>> marks;
    for (const auto* rule : rules) marks.push_back(marked_by(*rule, images, now));
    // An image belongs to the first rule whose tag selection it falls under: only that rule may
    // expire it, even when a later rule counted it among its own.
    std::vector<LifecycleExpiration> out;
    for (const auto& image : images) {
        for (std::size_t r = 0; r < rules.size(); ++r) {
            if (!selects(*rules[r], image)) continue;
            if (marks[r].contains(&image))
                out.push_back({image.digest, image.tags, image.pushed_at, rules[r]->priority});
            break;
        }
    }
    std::sort(out.begin(), out.end(), [](const LifecycleExpiration& a, const LifecycleExpiration& b) {
        if (a.rule_priority != b.rule_priority) return a.rule_priority < b.rule_priority;
        if (a.pushed_at != b.pushed_at) return a.pushed_at < b.pushed_at;
        return a.digest < b.digest;
    });
    return out;
}

}  // namespace ecsbox::ecr
