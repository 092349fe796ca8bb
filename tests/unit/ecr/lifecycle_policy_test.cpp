#include "ecr/lifecycle_policy.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace ecsbox::ecr;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

constexpr double k_day = 86400;
constexpr double k_now = 1'700'000'000;

json expire() { return {{"type", "expire"}}; }

json rule(int priority, json selection) {
    return {{"rulePriority", priority},
            {"description", "rule " + std::to_string(priority)},
            {"selection", std::move(selection)},
            {"action", expire()}};
}

json keep_newest(const char* list, std::vector<std::string> tags, int count) {
    return {{"tagStatus", "tagged"}, {list, tags}, {"countType", "imageCountMoreThan"}, {"countNumber", count}};
}

json older_than(json selection, int days) {
    selection["countType"] = "sinceImagePushed";
    selection["countUnit"] = "days";
    selection["countNumber"] = days;
    return selection;
}

std::string policy_text(std::vector<json> rules) { return json{{"rules", rules}}.dump(); }

LifecyclePolicy policy_of(std::vector<json> rules) { return parse_lifecycle_policy(policy_text(std::move(rules))); }

LifecycleImage image(std::string name, std::vector<std::string> tags, double days_ago) {
    return {std::move(name), std::move(tags), k_now - days_ago * k_day};
}

std::vector<std::string> expired_names(const LifecyclePolicy& policy, const std::vector<LifecycleImage>& images) {
    std::vector<std::string> out;
    for (const auto& e : evaluate_lifecycle_policy(policy, images, k_now)) out.push_back(e.digest);
    return out;
}

using Names = std::vector<std::string>;

// The text with one selection field replaced (or removed, for null) in a valid single rule.
std::string with_selection(const char* key, const json& value) {
    json selection = older_than({{"tagStatus", "untagged"}}, 14);
    if (value.is_null())
        selection.erase(key);
    else
        selection[key] = value;
    return policy_text({rule(1, selection)});
}

}  // namespace

TEST_CASE("the documented untagged-by-age policy parses", "[lifecycle_policy]") {
    const auto policy = parse_lifecycle_policy(R"({
        "rules": [{
            "rulePriority": 1,
            "description": "Expire images older than 14 days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
            "action": {"type": "expire"}
        }]
    })");
    REQUIRE(policy.rules.size() == 1);
    const auto& r = policy.rules[0];
    CHECK(r.priority == 1);
    CHECK(r.description == "Expire images older than 14 days");
    CHECK(r.tag_status == "untagged");
    CHECK(r.count_type == "sinceImagePushed");
    CHECK(r.count_unit == "days");
    CHECK(r.count_number == 14);
}

TEST_CASE("rules come back sorted by priority, with their tag lists", "[lifecycle_policy]") {
    const auto policy = policy_of({
        rule(20, {{"tagStatus", "any"}, {"countType", "imageCountMoreThan"}, {"countNumber", 100}}),
        rule(3, keep_newest("tagPatternList", {"prod*", "*-rc*"}, 5)),
        rule(7, keep_newest("tagPrefixList", {"beta"}, 2)),
    });
    REQUIRE(policy.rules.size() == 3);
    CHECK(policy.rules[0].priority == 3);
    CHECK(policy.rules[0].tag_patterns == Names{"prod*", "*-rc*"});
    CHECK(policy.rules[1].priority == 7);
    CHECK(policy.rules[1].tag_prefixes == Names{"beta"});
    CHECK_FALSE(policy.rules[1].count_unit);
    CHECK(policy.rules[2].tag_status == "any");
}

TEST_CASE("a policy that is not JSON or has no rules is refused", "[lifecycle_policy]") {
    CHECK_THROWS_AS(parse_lifecycle_policy("{"), LifecyclePolicyError);
    CHECK_THROWS_WITH(parse_lifecycle_policy("{"),
                      Contains("Lifecycle policy validation failure") && Contains("not valid JSON"));
    CHECK_THROWS_WITH(parse_lifecycle_policy("[]"), Contains("must be a JSON object"));
    CHECK_THROWS_WITH(parse_lifecycle_policy("{}"), Contains("rules is required"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(R"({"rules": {}})"), Contains("rules must be a list"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(R"({"rules": []})"), Contains("at least one rule"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(R"({"rules": [1]})"), Contains("rules[0] must be an object"));
}

TEST_CASE("unknown fields are refused at every level", "[lifecycle_policy]") {
    const json good = rule(1, older_than({{"tagStatus", "untagged"}}, 14));
    CHECK_THROWS_WITH(parse_lifecycle_policy(json{{"rules", json::array({good})}, {"version", 1}}.dump()),
                      Contains("policy.version is not a recognised field"));
    json r = good;
    r["priority"] = 1;
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})),
                      Contains("rules[0].priority is not a recognised field"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countNumer", 3)),
                      Contains("rules[0].selection.countNumer is not a recognised field"));
    r = good;
    r["action"]["when"] = "now";
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})),
                      Contains("rules[0].action.when is not a recognised field"));
}

TEST_CASE("rulePriority is a unique positive integer", "[lifecycle_policy]") {
    json r = rule(1, older_than({{"tagStatus", "untagged"}}, 14));
    r.erase("rulePriority");
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})), Contains("rules[0].rulePriority is required"));
    for (const json& bad : {json(0), json(-3)}) {
        r["rulePriority"] = bad;
        CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})),
                          Contains("rulePriority must be a positive integer"));
    }
    r["rulePriority"] = "1";
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})), Contains("rulePriority must be an integer"));
    r["rulePriority"] = 1.5;
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})), Contains("rulePriority must be an integer"));
    r["rulePriority"] = 4'000'000'000LL;
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})), Contains("rulePriority must be at most"));

    CHECK_THROWS_WITH(
        policy_of({rule(2, keep_newest("tagPrefixList", {"a"}, 1)), rule(2, keep_newest("tagPrefixList", {"b"}, 1))}),
        Contains("rulePriority 2 is used by more than one rule"));
}

TEST_CASE("description, selection and action have their types", "[lifecycle_policy]") {
    json r = rule(1, older_than({{"tagStatus", "untagged"}}, 14));
    r["description"] = 5;
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})), Contains("rules[0].description must be a string"));
    r = rule(1, older_than({{"tagStatus", "untagged"}}, 14));
    r.erase("selection");
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})), Contains("rules[0].selection is required"));
    r = rule(1, older_than({{"tagStatus", "untagged"}}, 14));
    r.erase("action");
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})), Contains("rules[0].action is required"));
    r["action"] = json::object();
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})), Contains("rules[0].action.type is required"));
    r["action"] = {{"type", "delete"}};
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})), Contains("action.type must be expire"));
}

TEST_CASE("tagStatus decides which tag lists are allowed", "[lifecycle_policy]") {
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("tagStatus", json())),
                      Contains("rules[0].selection.tagStatus is required"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("tagStatus", "TAGGED")),
                      Contains("tagStatus must be tagged, untagged or any"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("tagPrefixList", Names{"prod"})),
                      Contains("only allowed with tagStatus tagged"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("tagPatternList", Names{"prod*"})),
                      Contains("only allowed with tagStatus tagged"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("tagStatus", "tagged")),
                      Contains("tagStatus tagged requires tagPrefixList or tagPatternList"));

    json both = keep_newest("tagPrefixList", {"prod"}, 1);
    both["tagPatternList"] = Names{"prod*"};
    CHECK_THROWS_WITH(policy_of({rule(1, both)}), Contains("cannot both be given"));
    CHECK_THROWS_WITH(policy_of({rule(1, keep_newest("tagPrefixList", {}, 1))}),
                      Contains("tagPrefixList must not be empty"));
    CHECK_THROWS_WITH(policy_of({rule(1, keep_newest("tagPrefixList", {""}, 1))}),
                      Contains("tagPrefixList[0] must be a non-empty string"));
    json not_a_list = keep_newest("tagPrefixList", {"x"}, 1);
    not_a_list["tagPrefixList"] = "prod";
    CHECK_THROWS_WITH(policy_of({rule(1, not_a_list)}), Contains("tagPrefixList must be a list of strings"));
}

TEST_CASE("a tag pattern has at most four wildcards", "[lifecycle_policy]") {
    CHECK_NOTHROW(policy_of({rule(1, keep_newest("tagPatternList", {"*test*1*2*3", "test*1*2*3*"}, 1))}));
    CHECK_THROWS_WITH(policy_of({rule(1, keep_newest("tagPatternList", {"test*1*2*3*4*5*6"}, 1))}),
                      Contains("\"test*1*2*3*4*5*6\" has more than 4 wildcards"));
}

TEST_CASE("tagStatus any must be the last rule", "[lifecycle_policy]") {
    const json any = {{"tagStatus", "any"}, {"countType", "imageCountMoreThan"}, {"countNumber", 10}};
    CHECK_NOTHROW(policy_of({rule(1, keep_newest("tagPrefixList", {"prod"}, 1)), rule(2, any)}));
    CHECK_THROWS_WITH(policy_of({rule(1, any), rule(2, keep_newest("tagPrefixList", {"prod"}, 1))}),
                      Contains("rulePriority 1 has tagStatus any, so it must have the highest rulePriority"));
}

TEST_CASE("a second untagged rule, or a repeated tag list, is refused", "[lifecycle_policy]") {
    const json untagged = {{"tagStatus", "untagged"}, {"countType", "imageCountMoreThan"}, {"countNumber", 1}};
    CHECK_THROWS_WITH(policy_of({rule(1, untagged), rule(2, older_than({{"tagStatus", "untagged"}}, 3))}),
                      Contains("only one rule may select untagged images"));
    CHECK_THROWS_WITH(policy_of({rule(1, keep_newest("tagPrefixList", {"a", "b"}, 1)),
                                 rule(2, older_than({{"tagStatus", "tagged"}, {"tagPrefixList", {"b", "a"}}}, 3))}),
                      Contains("rulePriority 2 selects the same tags"));
    CHECK_NOTHROW(
        policy_of({rule(1, keep_newest("tagPrefixList", {"a"}, 1)), rule(2, keep_newest("tagPatternList", {"a"}, 1))}));
}

TEST_CASE("countType, countUnit and countNumber go together as documented", "[lifecycle_policy]") {
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countType", json())),
                      Contains("selection.countType is required"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countType", "imageCountLessThan")),
                      Contains("countType must be imageCountMoreThan or sinceImagePushed"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countUnit", json())),
                      Contains("countUnit is required with countType sinceImagePushed"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countUnit", "hours")), Contains("countUnit must be days"));
    json count = {
        {"tagStatus", "untagged"}, {"countType", "imageCountMoreThan"}, {"countUnit", "days"}, {"countNumber", 1}};
    CHECK_THROWS_WITH(policy_of({rule(1, count)}),
                      Contains("countUnit is not allowed with countType imageCountMoreThan"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countNumber", json())),
                      Contains("selection.countNumber is required"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countNumber", 0)),
                      Contains("countNumber must be a positive integer"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countNumber", -5)),
                      Contains("countNumber must be a positive integer"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countNumber", 2.5)),
                      Contains("countNumber must be an integer"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countNumber", "7")),
                      Contains("countNumber must be an integer"));
}

TEST_CASE("archive storage features are refused as unsupported, not ignored", "[lifecycle_policy]") {
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countType", "sinceImagePulled")),
                      Contains("countType sinceImagePulled is not supported by ecsbox"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("countType", "sinceImageTransitioned")),
                      Contains("countType sinceImageTransitioned is not supported by ecsbox"));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("storageClass", "archive")),
                      Contains("storageClass \"archive\" is not supported by ecsbox"));
    CHECK_NOTHROW(parse_lifecycle_policy(with_selection("storageClass", "standard")));
    CHECK_THROWS_WITH(parse_lifecycle_policy(with_selection("storageClass", "glacier")),
                      Contains("storageClass must be standard or archive"));

    json r = rule(1, older_than({{"tagStatus", "untagged"}}, 14));
    r["action"] = {{"type", "transition"}, {"targetStorageClass", "archive"}};
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})),
                      Contains("action.type transition is not supported by ecsbox"));
    r["action"] = {{"type", "expire"}, {"targetStorageClass", "archive"}};
    CHECK_THROWS_WITH(parse_lifecycle_policy(policy_text({r})),
                      Contains("action.targetStorageClass is not supported by ecsbox"));
}

TEST_CASE("untagged images beyond the newest one expire (documented count example)", "[lifecycle_policy]") {
    const auto policy =
        policy_of({rule(1, {{"tagStatus", "untagged"}, {"countType", "imageCountMoreThan"}, {"countNumber", 1}})});
    const std::vector<LifecycleImage> images = {image("u-old", {}, 9), image("u-new", {}, 1), image("u-mid", {}, 5),
                                                image("tagged", {"v1"}, 30)};
    CHECK(expired_names(policy, images) == Names{"u-old", "u-mid"});
}

TEST_CASE("images pushed more than countNumber days ago expire (documented age example)", "[lifecycle_policy]") {
    const auto policy = policy_of({rule(1, older_than({{"tagStatus", "tagged"}, {"tagPatternList", {"prod*"}}}, 14))});
    const std::vector<LifecycleImage> images = {image("prod-old", {"prod-1"}, 20), image("prod-recent", {"prod-2"}, 3),
                                                image("dev-old", {"dev-1"}, 20), image("prod-exactly-14", {"prod"}, 14),
                                                image("untagged-old", {}, 40)};
    CHECK(expired_names(policy, images) == Names{"prod-old"});
}

TEST_CASE("priority example A: a higher rule keeps what a lower rule would take", "[lifecycle_policy]") {
    // Rule 1 keeps one prod image, rule 2 one beta image. Rule 2 would take A and B, but both
    // carry prod tags, so they are rule 1's to decide: only A expires.
    const std::vector<LifecycleImage> images = {image("A", {"beta-1", "prod-1"}, 10),
                                                image("B", {"beta-2", "prod-2"}, 9), image("C", {"beta-3"}, 8)};
    const auto policy = policy_of(
        {rule(1, keep_newest("tagPrefixList", {"prod"}, 1)), rule(2, keep_newest("tagPrefixList", {"beta"}, 1))});
    const auto expired = evaluate_lifecycle_policy(policy, images, k_now);
    REQUIRE(expired.size() == 1);
    CHECK(expired[0].digest == "A");
    CHECK(expired[0].rule_priority == 1);
    CHECK(expired[0].tags == Names{"beta-1", "prod-1"});
}

TEST_CASE("priority example B: the same rules swapped expire A and B", "[lifecycle_policy]") {
    const std::vector<LifecycleImage> images = {image("A", {"beta-1", "prod-1"}, 10),
                                                image("B", {"beta-2", "prod-2"}, 9), image("C", {"beta-3"}, 8)};
    const auto policy = policy_of(
        {rule(1, keep_newest("tagPrefixList", {"beta"}, 1)), rule(2, keep_newest("tagPrefixList", {"prod"}, 1))});
    const auto expired = evaluate_lifecycle_policy(policy, images, k_now);
    CHECK(expired_names(policy, images) == Names{"A", "B"});
    for (const auto& e : expired) CHECK(e.rule_priority == 1);
}

TEST_CASE("several prefixes select only images that match all of them (documented example)", "[lifecycle_policy]") {
    const std::vector<LifecycleImage> images = {
        image("A", {"alpha-1"}, 12), image("B", {"beta-1"}, 11), image("C", {"alpha-2", "beta-2"}, 10),
        image("D", {"alpha-3"}, 4),  image("E", {"beta-3"}, 3),  image("F", {"alpha-4", "beta-4"}, 2)};
    const auto policy =
        policy_of({rule(1, older_than({{"tagStatus", "tagged"}, {"tagPrefixList", {"alpha", "beta"}}}, 5))});
    CHECK(expired_names(policy, images) == Names{"C"});
}

TEST_CASE("tags are not exclusive: extra tags do not stop a match (documented example)", "[lifecycle_policy]") {
    const std::vector<LifecycleImage> images = {image("A", {"alpha-1", "beta-1", "gamma-1"}, 10),
                                                image("B", {"alpha-2", "beta-2"}, 9),
                                                image("C", {"alpha-3", "beta-3", "gamma-2"}, 8)};
    const auto policy = policy_of({rule(1, keep_newest("tagPrefixList", {"alpha", "beta"}, 1))});
    CHECK(expired_names(policy, images) == Names{"A", "B"});
}

TEST_CASE("tag patterns match with wildcards anywhere, all patterns required", "[lifecycle_policy]") {
    const std::vector<LifecycleImage> images = {image("rc", {"v1.2-rc1"}, 30), image("release", {"v1.2"}, 30),
                                                image("both", {"v1.3-rc2", "stable"}, 30),
                                                image("exact", {"stable"}, 30)};
    CHECK(expired_names(policy_of({rule(1, older_than({{"tagStatus", "tagged"}, {"tagPatternList", {"v*-rc*"}}}, 1))}),
                        images) == Names{"both", "rc"});
    CHECK(expired_names(policy_of({rule(1, older_than({{"tagStatus", "tagged"}, {"tagPatternList", {"stable"}}}, 1))}),
                        images) == Names{"both", "exact"});
    CHECK(expired_names(
              policy_of({rule(1, older_than({{"tagStatus", "tagged"}, {"tagPatternList", {"*rc*", "sta*"}}}, 1))}),
              images) == Names{"both"});
}

TEST_CASE("an any rule cannot take images a tagged rule before it keeps", "[lifecycle_policy]") {
    // The pattern from the docs' evaluation rules: keep the latest image forever, age out the rest.
    const std::vector<LifecycleImage> images = {image("latest", {"latest"}, 400), image("old", {"v1"}, 400),
                                                image("old-untagged", {}, 500), image("new", {"v2"}, 10)};
    const auto policy = policy_of(
        {rule(1, keep_newest("tagPrefixList", {"latest"}, 1)), rule(2, older_than({{"tagStatus", "any"}}, 365))});
    const auto expired = evaluate_lifecycle_policy(policy, images, k_now);
    CHECK(expired_names(policy, images) == Names{"old-untagged", "old"});
    for (const auto& e : expired) CHECK(e.rule_priority == 2);
}

TEST_CASE("results are ordered by rule priority, then oldest first", "[lifecycle_policy]") {
    const std::vector<LifecycleImage> images = {image("u1", {}, 3), image("p1", {"prod-1"}, 5), image("u2", {}, 7),
                                                image("p2", {"prod-2"}, 9), image("p3", {"prod-3"}, 1)};
    const auto policy =
        policy_of({rule(5, {{"tagStatus", "untagged"}, {"countType", "imageCountMoreThan"}, {"countNumber", 1}}),
                   rule(2, keep_newest("tagPrefixList", {"prod"}, 1))});
    CHECK(expired_names(policy, images) == Names{"p2", "p1", "u2"});
}

TEST_CASE("an empty repository or a lenient policy expires nothing", "[lifecycle_policy]") {
    const auto policy = policy_of({rule(1, older_than({{"tagStatus", "any"}}, 30))});
    CHECK(evaluate_lifecycle_policy(policy, {}, k_now).empty());
    CHECK(evaluate_lifecycle_policy(policy, {image("fresh", {"v1"}, 2)}, k_now).empty());
}
