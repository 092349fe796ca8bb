#pragma once
// The AWS query protocol as an SDK speaks it, for tests: a JSON input written as the form an
// SDK posts (by the model's names, lists as member.N, maps as entry.N), and an XML answer read
// back into JSON by the output shape, or an ErrorResponse into {"__type", "message"} as the
// JSON protocols' errors read. Written apart from the codec, so a test catches the codec's
// mistakes instead of sharing them.
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <cctype>
#include <string>

#include "protocol/service_model.hpp"

namespace ecsbox::testing {

namespace query_wire_detail {

using protocol::ServiceModel;
using protocol::ShapeId;
using protocol::ShapeType;

// RFC 3986: everything but the unreserved characters escaped, as SDKs write forms.
inline std::string escape(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

inline std::string scalar(const nlohmann::json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    return value.dump();
}

inline void flatten(const ServiceModel& model, ShapeId id, const std::string& prefix, const nlohmann::json& value,
                    std::string& form) {
    const auto& shape = model.shape(id);
    auto add = [&](const std::string& name, const std::string& text) {
        form += "&" + escape(name) + "=" + escape(text);
    };
    switch (shape.type) {
        case ShapeType::structure:
            for (const auto& member : shape.members) {
                if (!value.contains(member.name)) continue;
                const auto& member_shape = model.shape(member.shape);
                auto name = (prefix.empty() ? "" : prefix + ".") + member.wire_name();
                if (member_shape.type == ShapeType::list && (member.flattened || member_shape.flattened)) {
                    const auto& items = value[member.name];
                    if (items.empty()) add(name, "");
                    for (std::size_t i = 0; i < items.size(); ++i)
                        flatten(model, member_shape.member, name + "." + std::to_string(i + 1), items[i], form);
                } else {
                    flatten(model, member.shape, name, value[member.name], form);
                }
            }
            return;
        case ShapeType::list:
            if (value.empty()) add(prefix, "");
            for (std::size_t i = 0; i < value.size(); ++i)
                flatten(model, shape.member, prefix + "." + shape.member_name + "." + std::to_string(i + 1), value[i], form);
            return;
        case ShapeType::map: {
            std::size_t i = 0;
            for (const auto& [key, item] : value.items()) {
                const auto entry = prefix + (shape.flattened ? "." : ".entry.") + std::to_string(++i);
                add(entry + "." + shape.key_name, key);
                flatten(model, shape.value, entry + "." + shape.value_name, item, form);
            }
            return;
        }
        default: add(prefix, scalar(value));
    }
}

inline nlohmann::json read(const ServiceModel& model, ShapeId id, const pugi::xml_node& node);

inline nlohmann::json read_members(const ServiceModel& model, ShapeId id, const pugi::xml_node& node) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& member : model.shape(id).members) {
        const auto& member_shape = model.shape(member.shape);
        if (member_shape.type == ShapeType::list && (member.flattened || member_shape.flattened)) {
            auto items = nlohmann::json::array();
            for (auto child : node.children(member.wire_name().c_str())) items.push_back(read(model, member_shape.member, child));
            if (!items.empty()) out[member.name] = items;
            continue;
        }
        const auto child = node.child(member.wire_name().c_str());
        if (child) out[member.name] = read(model, member.shape, child);
    }
    return out;
}

inline nlohmann::json read(const ServiceModel& model, ShapeId id, const pugi::xml_node& node) {
    const auto& shape = model.shape(id);
    const std::string text = node.text().get();
    switch (shape.type) {
        case ShapeType::structure: return read_members(model, id, node);
        case ShapeType::list: {
            auto items = nlohmann::json::array();
            for (auto child : node.children(shape.member_name.c_str())) items.push_back(read(model, shape.member, child));
            return items;
        }
        case ShapeType::map: {
            auto map = nlohmann::json::object();
            for (auto entry : node.children("entry"))
                map[entry.child(shape.key_name.c_str()).text().get()] =
                    read(model, shape.value, entry.child(shape.value_name.c_str()));
            return map;
        }
        case ShapeType::integer:
        case ShapeType::long_: return std::stoll(text);
        case ShapeType::float_:
        case ShapeType::double_: return std::stod(text);
        case ShapeType::boolean: return text == "true";
        default: return text;
    }
}

}  // namespace query_wire_detail

// The form body of `operation` with `input`, Action and Version first.
inline std::string query_form(const protocol::ServiceModel& model, const std::string& operation,
                              const nlohmann::json& input) {
    std::string form = "Action=" + operation + "&Version=" + model.api_version();
    const auto* op = model.find_operation(operation);
    if (op && op->input) query_wire_detail::flatten(model, *op->input, "", input, form);
    return form;
}

// The answer as JSON: the output members, or {"__type": code, "message": ...} for an error.
// Throws std::runtime_error when the body is not XML.
inline nlohmann::json query_answer(const protocol::ServiceModel& model, const std::string& operation,
                                   const std::string& body) {
    pugi::xml_document doc;
    if (!doc.load_string(body.c_str())) throw std::runtime_error("not XML: " + body);
    if (const auto error = doc.child("ErrorResponse")) {
        const auto e = error.child("Error");
        return {{"__type", e.child("Code").text().get()}, {"message", e.child("Message").text().get()},
                {"RequestId", error.child("RequestId").text().get()}};
    }
    const auto* op = model.find_operation(operation);
    const auto root = doc.child((operation + "Response").c_str());
    if (!root) throw std::runtime_error("no " + operation + "Response element: " + body);
    if (!op || !op->output) return nlohmann::json::object();
    const auto result = op->result_wrapper.empty() ? root : root.child(op->result_wrapper.c_str());
    return query_wire_detail::read_members(model, *op->output, result);
}

}  // namespace ecsbox::testing
