#include "protocol/validator.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "protocol/aws_error.hpp"
#include "protocol/pattern.hpp"
#include "util/base64.hpp"
#include "util/utf8.hpp"

namespace ecsbox::protocol {

using nlohmann::json;

namespace {

constexpr std::size_t k_max_reported = 10;

std::string type_name(ShapeType type) {
    switch (type) {
        case ShapeType::structure: return "a structure";
        case ShapeType::map: return "a map";
        case ShapeType::list: return "a list";
        case ShapeType::string: return "a string";
        case ShapeType::integer: return "an integer";
        case ShapeType::long_: return "a long";
        case ShapeType::float_:
        case ShapeType::double_: return "a number";
        case ShapeType::boolean: return "a boolean";
        case ShapeType::timestamp: return "a timestamp (epoch seconds)";
        case ShapeType::blob: return "a base64 blob";
    }
    return "a value";
}

std::string json_kind(const json& v) {
    switch (v.type()) {
        case json::value_t::object: return "an object";
        case json::value_t::array: return "an array";
        case json::value_t::string: return "a string";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned: return "an integer";
        case json::value_t::number_float: return "a number";
        default: return "null";
    }
}

// How AWS quotes an offending value in a validation message; long values are cut short.
std::string render(const json& v) {
    std::string text = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 64) text = text.substr(0, 64) + "...";
    return v.is_string() ? "'" + text + "'" : text;
}

std::string format_number(double d) {
    if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
    return std::to_string(d);
}

class Validator {
public:
    Validator(const ServiceModel& model) : m_model(model) {}

    void check(ShapeId id, const json& v, const std::string& path) {
        const Shape& shape = m_model.shape(id);
        if (shape.document || v.is_null()) return;
        switch (shape.type) {
            case ShapeType::structure: return check_structure(shape, v, path);
            case ShapeType::list: return check_list(shape, v, path);
            case ShapeType::map: return check_map(shape, v, path);
            case ShapeType::string: return check_string(shape, v, path);
            case ShapeType::integer:
            case ShapeType::long_: return check_integer(shape, v, path);
            case ShapeType::float_:
            case ShapeType::double_:
                expect(v.is_number(), shape, v, path);
                return check_range(shape, v.get<double>(), v, path);
            case ShapeType::boolean: return expect(v.is_boolean(), shape, v, path);
            case ShapeType::timestamp: return expect(v.is_number(), shape, v, path);
            case ShapeType::blob:
                expect(v.is_string(), shape, v, path);
                if (!util::base64_decode(v.get_ref<const std::string&>()))
                    throw serialization_error("Invalid base64 value at '" + path + "'");
                return;
        }
    }

    const std::vector<std::string>& problems() const { return m_problems; }
    std::size_t problem_count() const { return m_count; }

private:
    void expect(bool ok, const Shape& shape, const json& v, const std::string& path) {
        if (!ok)
            throw serialization_error("Expected " + type_name(shape.type) + " at '" + (path.empty() ? "$" : path) +
                                      "' but found " + json_kind(v));
    }

    void problem(const json* v, const std::string& path, const std::string& constraint) {
        ++m_count;
        if (m_problems.size() < k_max_reported)
            m_problems.push_back("Value " + (v ? render(*v) : std::string("null")) + " at '" + path +
                                 "' failed to satisfy constraint: " + constraint);
    }

    static std::string join(const std::string& path, const std::string& member) {
        return path.empty() ? member : path + "." + member;
    }

    void check_structure(const Shape& shape, const json& v, const std::string& path) {
        expect(v.is_object(), shape, v, path);
        for (const auto& name : shape.required) {
            const auto it = v.find(name);
            if (it == v.end() || it->is_null()) problem(nullptr, join(path, name), "Member must not be null");
        }
        for (const auto& member : shape.members)
            if (const auto it = v.find(member.name); it != v.end()) check(member.shape, *it, join(path, member.name));
    }

    void check_size(const Shape& shape, double size, const json& v, const std::string& path) {
        if (shape.min && size < *shape.min)
            problem(&v, path, "Member must have length greater than or equal to " + format_number(*shape.min));
        if (shape.max && size > *shape.max)
            problem(&v, path, "Member must have length less than or equal to " + format_number(*shape.max));
    }

    void check_range(const Shape& shape, double value, const json& v, const std::string& path) {
        if (shape.min && value < *shape.min)
            problem(&v, path, "Member must have value greater than or equal to " + format_number(*shape.min));
        if (shape.max && value > *shape.max)
            problem(&v, path, "Member must have value less than or equal to " + format_number(*shape.max));
    }

    void check_list(const Shape& shape, const json& v, const std::string& path) {
        expect(v.is_array(), shape, v, path);
        check_size(shape, static_cast<double>(v.size()), v, path);
        for (std::size_t i = 0; i < v.size(); ++i)
            check(shape.member, v[i], path + "." + std::to_string(i + 1) + ".member");
    }

    void check_map(const Shape& shape, const json& v, const std::string& path) {
        expect(v.is_object(), shape, v, path);
        check_size(shape, static_cast<double>(v.size()), v, path);
        for (const auto& [key, value] : v.items()) {
            check(shape.key, json(key), path + ".key");
            check(shape.value, value, path + "." + key);
        }
    }

    void check_string(const Shape& shape, const json& v, const std::string& path) {
        expect(v.is_string(), shape, v, path);
        const auto& text = v.get_ref<const std::string&>();
        const auto before = m_count;
        check_size(shape, static_cast<double>(util::utf8_length(text)), v, path);
        if (shape.matcher && m_count == before && text.size() <= k_max_pattern_input &&
            !std::regex_match(text, *shape.matcher))
            problem(&v, path, "Member must satisfy regular expression pattern: " + shape.pattern);
        if (shape.enum_values.empty()) return;
        for (const auto& allowed : shape.enum_values)
            if (allowed == text) return;
        std::string set;
        for (const auto& allowed : shape.enum_values) set += (set.empty() ? "" : ", ") + allowed;
        problem(&v, path, "Member must satisfy enum value set: [" + set + "]");
    }

    void check_integer(const Shape& shape, const json& v, const std::string& path) {
        expect(v.is_number_integer() || v.is_number_unsigned(), shape, v, path);
        if (shape.type == ShapeType::integer) {
            const bool fits = v.is_number_unsigned() ? v.get<std::uint64_t>() <= 2147483647ull
                                                     : v.get<std::int64_t>() >= -2147483648ll &&
                                                           v.get<std::int64_t>() <= 2147483647ll;
            if (!fits) throw serialization_error("Integer value out of range at '" + path + "'");
        }
        check_range(shape, v.get<double>(), v, path);
    }

    const ServiceModel& m_model;
    std::vector<std::string> m_problems;
    std::size_t m_count = 0;
};

}  // namespace

void validate_input(const ServiceModel& model, ShapeId shape, const json& value,
                    const std::string& constraint_error_code) {
    Validator validator(model);
    validator.check(shape, value, "");
    const auto count = validator.problem_count();
    if (count == 0) return;
    std::string message = std::to_string(count) + (count == 1 ? " validation error detected: " : " validation errors detected: ");
    for (std::size_t i = 0; i < validator.problems().size(); ++i)
        message += (i ? "; " : "") + validator.problems()[i];
    throw AwsError(constraint_error_code, message);
}

}  // namespace ecsbox::protocol
