#include "ecr/tags.hpp"

#include <cctype>
#include <set>

#include "ecr/arns.hpp"
#include "ecr/errors.hpp"
#include "util/utf8.hpp"

namespace ecsbox::ecr {

namespace {

constexpr std::size_t k_max_tags = 50;
constexpr std::size_t k_max_key = 128;
constexpr std::size_t k_max_value = 256;

bool has_reserved_prefix(const std::string& text) {
    return text.size() >= 4 && std::tolower(static_cast<unsigned char>(text[0])) == 'a' &&
           std::tolower(static_cast<unsigned char>(text[1])) == 'w' &&
           std::tolower(static_cast<unsigned char>(text[2])) == 's' && text[3] == ':';
}

// The repository a resourceArn names. A malformed ARN is the caller's mistake; a well-formed one
// of another registry or region names a repository that does not exist here.
store::EcrRepositoryRecord require_tagged_repository(EcrContext& ecr, const protocol::CallContext& call,
                                                     const std::string& resource_arn) {
    const auto arn = parse_repository_arn(resource_arn);
    if (!arn)
        throw invalid_parameter("Invalid parameter at 'resourceArn' failed to satisfy constraint: "
                                "'Invalid ARN': " + resource_arn);
    const auto scope = scope_of(call);
    auto record = arn->scope.account == scope.account && arn->scope.region == scope.region
                      ? ecr.store.ecr_repositories().find(scope, arn->name)
                      : std::nullopt;
    if (!record) throw repository_not_found(arn->name, arn->scope.account);
    return *record;
}

}  // namespace

store::TagList tags_from_request(const json& tags) {
    store::TagList list;
    std::set<std::string> keys;
    for (const auto& tag : tags) {
        const auto key = tag.value("Key", std::string());
        const auto value = tag.value("Value", std::string());
        if (key.empty() || util::utf8_length(key) > k_max_key)
            throw invalid_tag_parameter("Tag keys must be between 1 and 128 characters long.");
        if (util::utf8_length(value) > k_max_value)
            throw invalid_tag_parameter("Tag values can be at most 256 characters long.");
        if (has_reserved_prefix(key))
            throw invalid_tag_parameter("Tag keys may not begin with the reserved prefix 'aws:': " + key);
        if (!keys.insert(key).second) throw invalid_tag_parameter("Duplicate tag key: " + key);
        list.emplace_back(key, value);
    }
    return list;
}

json tags_to_json(const store::TagList& tags) {
    json out = json::array();
    for (const auto& [key, value] : tags) out.push_back({{"Key", key}, {"Value", value}});
    return out;
}

void add_tags(EcrContext& ecr, const std::string& repository_arn, const store::TagList& tags) {
    auto tx = ecr.store.transaction();
    ecr.store.tags().put(repository_arn, tags);
    if (ecr.store.tags().count(repository_arn) > k_max_tags) throw too_many_tags();
    tx.commit();
}

json tag_resource(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto arn = input.at("resourceArn").get<std::string>();
    const auto tags = tags_from_request(input.at("tags"));
    auto tx = ecr.store.transaction();
    const auto repository = require_tagged_repository(ecr, call, arn);
    add_tags(ecr, repository.arn, tags);
    tx.commit();
    return json::object();
}

json untag_resource(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto arn = input.at("resourceArn").get<std::string>();
    const auto keys = input.at("tagKeys").get<std::vector<std::string>>();
    for (const auto& key : keys)
        if (key.empty() || util::utf8_length(key) > k_max_key)
            throw invalid_tag_parameter("Tag keys must be between 1 and 128 characters long.");
    auto tx = ecr.store.transaction();
    const auto repository = require_tagged_repository(ecr, call, arn);
    ecr.store.tags().remove(repository.arn, keys);
    tx.commit();
    return json::object();
}

json list_tags_for_resource(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto repository = require_tagged_repository(ecr, call, input.at("resourceArn").get<std::string>());
    return {{"tags", tags_to_json(ecr.store.tags().list(repository.arn))}};
}

}  // namespace ecsbox::ecr
