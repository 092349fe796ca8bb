#pragma once
// A listener's rules as an Application Load Balancer applies them: conditions on the path
// (case-sensitive), host header, other headers and query string (case-insensitive), method and
// source address, with * and ? wildcards; a rule matches when all its conditions do and a
// condition when any of its values does; rules go by priority, then the default action. Actions
// forward to weighted target groups (smooth weighted round robin, so a 10% canary gets every
// tenth request), answer a fixed response, or redirect. Pure, apart from the choice's state.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lb/http_stream.hpp"

namespace ecsbox::lb {

struct Condition {
    std::string field;  // path-pattern, host-header, http-header, http-request-method, query-string, source-ip
    std::vector<std::string> values;
    std::string header_name;                                          // http-header
    std::vector<std::pair<std::optional<std::string>, std::string>> query;  // query-string: key (optional), value
};

struct WeightedGroup {
    std::string target_group;
    int weight = 1;
};

struct Action {
    enum class Type { forward, fixed_response, redirect };
    Type type = Type::forward;
    std::vector<WeightedGroup> groups;  // forward
    int status = 200;                   // fixed-response; redirect: 301 or 302
    std::string content_type = "text/plain", body;
    // redirect: each may use #{protocol}, #{host}, #{port}, #{path}, #{query}
    std::string protocol = "#{protocol}", host = "#{host}", port = "#{port}", path = "/#{path}", query = "#{query}";
};

struct Rule {
    int priority = 0;
    std::vector<Condition> conditions;
    Action action;
};

bool matches(const Condition& condition, const HttpHead& request, const std::string& peer);
// The index of the first rule (by priority) that matches, if any.
std::optional<std::size_t> select_rule(const std::vector<Rule>& rules, const HttpHead& request, const std::string& peer);
// The action of the first rule (by priority) that matches, else the default.
const Action& select_action(const std::vector<Rule>& rules, const Action& default_action, const HttpHead& request,
                            const std::string& peer);

// The Location of a redirect for the request.
std::string redirect_location(const Action& redirect, const HttpHead& request, int listener_port);
// The whole response the balancer writes for a fixed-response or redirect action.
std::string local_answer(const Action& action, const HttpHead& request, int listener_port, bool keep_alive);

// Picks among weighted target groups so that each gets its share in every window of requests.
class WeightedChoice {
public:
    // The index of the group to use, or nullopt when every weight is 0.
    std::optional<std::size_t> pick(const std::vector<WeightedGroup>& groups);

private:
    std::vector<long> m_current;
};

}  // namespace ecsbox::lb
