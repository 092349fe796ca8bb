#include "scheduler/cluster_query.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>

namespace ecsbox::scheduler {

namespace {

enum class Op { eq, ne, gt, ge, lt, le, exists, not_exists, in, not_in, matches, not_matches };

// Each operator's symbol and word forms.
const std::pair<std::string_view, Op> k_operators[] = {
    {"==", Op::eq},          {"equals", Op::eq},
    {"!=", Op::ne},          {"not_equals", Op::ne},
    {">", Op::gt},           {"greater_than", Op::gt},
    {">=", Op::ge},          {"greater_than_equal", Op::ge},
    {"<", Op::lt},           {"less_than", Op::lt},
    {"<=", Op::le},          {"less_than_equal", Op::le},
    {"exists", Op::exists},  {"!exists", Op::not_exists},  {"not_exists", Op::not_exists},
    {"in", Op::in},          {"!in", Op::not_in},          {"not_in", Op::not_in},
    {"=~", Op::matches},     {"matches", Op::matches},
    {"!~", Op::not_matches}, {"not_matches", Op::not_matches},
};

std::optional<Op> operator_of(std::string_view token) {
    for (const auto& [text, op] : k_operators)
        if (text == token) return op;
    return std::nullopt;
}

bool negated(Op op) { return op == Op::ne || op == Op::not_exists || op == Op::not_in || op == Op::not_matches; }

Op positive(Op op) {
    switch (op) {
        case Op::ne: return Op::eq;
        case Op::not_exists: return Op::exists;
        case Op::not_in: return Op::in;
        case Op::not_matches: return Op::matches;
        default: return op;
    }
}

std::optional<double> number(const std::string& text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// Numbers compare as numbers, everything else (versions, ISO dates) as text.
int compare(const std::string& a, const std::string& b) {
    const auto x = number(a), y = number(b);
    if (x && y) return *x < *y ? -1 : *x > *y ? 1 : 0;
    return a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0;
}

std::vector<std::string> tokenize(std::string_view text) {
    std::vector<std::string> tokens;
    std::string word;
    const auto flush = [&] {
        if (!word.empty()) tokens.push_back(std::move(word));
        word.clear();
    };
    for (const char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            flush();
        } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',') {
            flush();
            tokens.emplace_back(1, c);
        } else {
            word += c;
        }
    }
    flush();
    return tokens;
}

bool is_and(const std::string& t) { return t == "and" || t == "&&"; }
bool is_or(const std::string& t) { return t == "or" || t == "||"; }
bool is_not(const std::string& t) { return t == "not" || t == "!"; }

}  // namespace

struct ClusterQuery::Node {
    enum class Kind { all_of, any_of, negation, condition } kind = Kind::condition;
    std::vector<std::shared_ptr<const Node>> children;
    // A condition: subject, operator, and its argument(s).
    std::string subject;
    Op op = Op::eq;
    std::vector<std::string> values;
    std::optional<std::regex> pattern;

    bool evaluate(const InstanceFacts& facts) const {
        switch (kind) {
            case Kind::all_of:
                return std::all_of(children.begin(), children.end(), [&](const auto& c) { return c->evaluate(facts); });
            case Kind::any_of:
                return std::any_of(children.begin(), children.end(), [&](const auto& c) { return c->evaluate(facts); });
            case Kind::negation: return !children.front()->evaluate(facts);
            case Kind::condition: break;
        }
        // A negated operator holds exactly when its positive form holds for no value of the subject.
        const auto subject_values = values_of(facts);
        const bool any = std::any_of(subject_values.begin(), subject_values.end(),
                                     [&](const std::optional<std::string>& v) { return holds(positive(op), v); });
        return negated(op) ? !any : any;
    }

private:
    // Every value the subject has on the instance: none when it lacks the attribute, several for
    // task:group.
    std::vector<std::optional<std::string>> values_of(const InstanceFacts& facts) const {
        if (subject.starts_with("attribute:")) {
            const auto name = subject.substr(10);
            for (const auto& [n, v] : facts.attributes)
                if (n == name) return {v};
            return {};
        }
        if (subject == "task:group") return {facts.task_groups.begin(), facts.task_groups.end()};
        if (subject == "agentConnected") return {facts.agent_connected ? "true" : "false"};
        if (subject == "agentVersion") return {facts.agent_version};
        if (subject == "registeredAt") return {facts.registered_at};
        if (subject == "runningTasksCount") return {std::to_string(facts.running_tasks_count)};
        if (subject == "ec2InstanceId") return {facts.ec2_instance_id};
        return {};
    }

    bool holds(Op positive_op, const std::optional<std::string>& value) const {
        if (positive_op == Op::exists) return true;
        const auto text = value.value_or("");
        switch (positive_op) {
            case Op::eq: return text == values.front();
            case Op::gt: return compare(text, values.front()) > 0;
            case Op::ge: return compare(text, values.front()) >= 0;
            case Op::lt: return compare(text, values.front()) < 0;
            case Op::le: return compare(text, values.front()) <= 0;
            case Op::in: return std::find(values.begin(), values.end(), text) != values.end();
            case Op::matches: return std::regex_match(text, *pattern);
            default: return false;
        }
    }
};

namespace {

using Node = ClusterQuery::Node;

class Parser {
public:
    explicit Parser(std::vector<std::string> tokens) : m_tokens(std::move(tokens)) {}

    std::shared_ptr<const Node> parse() {
        if (m_tokens.empty()) throw ClusterQueryError("the expression is empty");
        auto root = disjunction();
        if (m_pos != m_tokens.size()) throw ClusterQueryError("unexpected '" + m_tokens[m_pos] + "'");
        return root;
    }

private:
    bool at_end() const { return m_pos >= m_tokens.size(); }
    const std::string& peek() const { return m_tokens[m_pos]; }
    std::string next(const char* expected) {
        if (at_end()) throw ClusterQueryError(std::string("the expression ends where ") + expected + " was expected");
        return m_tokens[m_pos++];
    }

    std::shared_ptr<const Node> disjunction() { return chain(Node::Kind::any_of, is_or, &Parser::conjunction); }
    std::shared_ptr<const Node> conjunction() { return chain(Node::Kind::all_of, is_and, &Parser::unary); }

    template <typename Separator>
    std::shared_ptr<const Node> chain(Node::Kind kind, Separator separator, std::shared_ptr<const Node> (Parser::*part)()) {
        auto first = (this->*part)();
        if (at_end() || !separator(peek())) return first;
        auto node = std::make_shared<Node>();
        node->kind = kind;
        node->children.push_back(std::move(first));
        while (!at_end() && separator(peek())) {
            ++m_pos;
            node->children.push_back((this->*part)());
        }
        return node;
    }

    std::shared_ptr<const Node> unary() {
        const auto token = next("a condition");
        if (is_not(token)) {
            auto node = std::make_shared<Node>();
            node->kind = Node::Kind::negation;
            node->children.push_back(unary());
            return node;
        }
        if (token == "(") {
            auto inner = disjunction();
            if (next("')'") != ")") throw ClusterQueryError("a '(' is not closed");
            return inner;
        }
        return condition(token);
    }

    std::shared_ptr<const Node> condition(const std::string& subject) {
        static constexpr std::string_view k_subjects[] = {"agentConnected", "agentVersion", "registeredAt",
                                                          "runningTasksCount", "ec2InstanceId", "task:group"};
        const bool known = (subject.starts_with("attribute:") && subject.size() > 10) ||
                           std::find(std::begin(k_subjects), std::end(k_subjects), subject) != std::end(k_subjects);
        if (!known) throw ClusterQueryError("'" + subject + "' is not a subject of the cluster query language");
        const auto op_token = next("an operator");
        const auto op = operator_of(op_token);
        if (!op) throw ClusterQueryError("'" + op_token + "' is not an operator");
        auto node = std::make_shared<Node>();
        node->subject = subject;
        node->op = *op;
        if (*op == Op::exists || *op == Op::not_exists) return node;
        if (*op == Op::in || *op == Op::not_in) {
            node->values = list();
            return node;
        }
        node->values.push_back(value());
        if (*op == Op::matches || *op == Op::not_matches) {
            try {
                node->pattern.emplace(node->values.front());
            } catch (const std::regex_error&) {
                throw ClusterQueryError("'" + node->values.front() + "' is not a valid pattern");
            }
        }
        return node;
    }

    std::string value() {
        auto token = next("a value");
        if (token == "(" || token == ")" || token == "[" || token == "]" || token == ",")
            throw ClusterQueryError("'" + token + "' where a value was expected");
        return token;
    }

    std::vector<std::string> list() {
        if (next("'['") != "[") throw ClusterQueryError("'in' takes a list: [value, ...]");
        std::vector<std::string> values{value()};
        while (true) {
            const auto token = next("']'");
            if (token == "]") return values;
            if (token != ",") throw ClusterQueryError("list values are separated by ','");
            values.push_back(value());
        }
    }

    std::vector<std::string> m_tokens;
    std::size_t m_pos = 0;
};

}  // namespace

ClusterQuery ClusterQuery::parse(std::string_view expression) { return ClusterQuery(Parser(tokenize(expression)).parse()); }

bool ClusterQuery::matches(const InstanceFacts& instance) const { return m_root->evaluate(instance); }

}  // namespace ecsbox::scheduler
