#include "protocol/service_model.hpp"

#include "protocol/pattern.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace ecsbox::protocol {

using nlohmann::json;

namespace {

ShapeType parse_type(const std::string& type, const std::string& shape_name) {
    static const std::pair<std::string_view, ShapeType> k_types[] = {
        {"structure", ShapeType::structure}, {"list", ShapeType::list},       {"map", ShapeType::map},
        {"string", ShapeType::string},       {"integer", ShapeType::integer}, {"long", ShapeType::long_},
        {"float", ShapeType::float_},        {"double", ShapeType::double_},  {"boolean", ShapeType::boolean},
        {"timestamp", ShapeType::timestamp}, {"blob", ShapeType::blob},
    };
    for (const auto& [name, value] : k_types)
        if (name == type) return value;
    throw std::runtime_error("service model: shape " + shape_name + " has unknown type " + type);
}

// Documentation is most of a botocore file; dropping it while parsing keeps start-up fast and
// the resident model small.
json parse_without_documentation(std::string_view text) {
    json::parser_callback_t drop_docs = [](int, json::parse_event_t event, json& parsed) {
        return !(event == json::parse_event_t::key && parsed == "documentation");
    };
    return json::parse(text.begin(), text.end(), drop_docs);
}

}  // namespace

const Member* Shape::find_member(std::string_view member_name) const {
    for (const auto& m : members)
        if (m.name == member_name) return &m;
    return nullptr;
}

ServiceModel ServiceModel::parse(std::string_view service_json) {
    const json doc = parse_without_documentation(service_json);
    ServiceModel model;
    const auto& meta = doc.at("metadata");
    model.m_target_prefix = meta.value("targetPrefix", "");
    model.m_signing_name = meta.value("signingName", meta.value("endpointPrefix", ""));
    model.m_service_id = meta.value("serviceId", "");
    model.m_api_version = meta.value("apiVersion", "");
    model.m_protocol = meta.value("protocol", "json");
    model.m_json_version = meta.value("jsonVersion", "1.1");
    model.m_xml_namespace = meta.value("xmlNamespace", "");

    const auto& shapes = doc.at("shapes");
    model.m_shapes.reserve(shapes.size());
    for (const auto& [name, _] : shapes.items()) {
        model.m_shape_ids.emplace(name, static_cast<ShapeId>(model.m_shapes.size()));
        model.m_shapes.emplace_back().name = name;
    }
    const auto ref = [&](const json& target, const std::string& owner) -> ShapeId {
        const auto name = target.at("shape").get<std::string>();
        const auto it = model.m_shape_ids.find(name);
        if (it == model.m_shape_ids.end())
            throw std::runtime_error("service model: " + owner + " refers to unknown shape " + name);
        return it->second;
    };
    for (const auto& [name, def] : shapes.items()) {
        Shape& shape = model.m_shapes[model.m_shape_ids.at(name)];
        shape.type = parse_type(def.at("type").get<std::string>(), name);
        shape.document = def.value("document", false);
        if (const auto it = def.find("members"); it != def.end())
            for (const auto& [member_name, member_def] : it->items())
                shape.members.push_back({member_name, ref(member_def, name), member_def.value("locationName", ""),
                                         member_def.value("flattened", false)});
        if (const auto it = def.find("required"); it != def.end()) shape.required = it->get<std::vector<std::string>>();
        if (const auto it = def.find("member"); it != def.end()) {
            shape.member = ref(*it, name);
            shape.member_name = it->value("locationName", shape.member_name);
        }
        if (const auto it = def.find("key"); it != def.end()) {
            shape.key = ref(*it, name);
            shape.key_name = it->value("locationName", shape.key_name);
        }
        if (const auto it = def.find("value"); it != def.end()) {
            shape.value = ref(*it, name);
            shape.value_name = it->value("locationName", shape.value_name);
        }
        shape.flattened = def.value("flattened", false);
        if (const auto it = def.find("enum"); it != def.end()) shape.enum_values = it->get<std::vector<std::string>>();
        if (const auto it = def.find("min"); it != def.end()) shape.min = it->get<double>();
        if (const auto it = def.find("max"); it != def.end()) shape.max = it->get<double>();
        if (const auto it = def.find("pattern"); it != def.end()) {
            shape.pattern = it->get<std::string>();
            try {
                shape.matcher = std::make_shared<const std::regex>(compile_model_pattern(shape.pattern));
            } catch (const std::regex_error&) {
                throw std::runtime_error("service model: shape " + name + " has a pattern ecsbox cannot compile: " +
                                         shape.pattern);
            }
        }
        shape.exception = def.value("exception", false);
        shape.fault = def.value("fault", false);
        if (const auto it = def.find("error"); it != def.end()) {
            shape.http_status = it->value("httpStatusCode", 400);
            shape.error_code = it->value("code", "");
        }
        if (shape.fault && def.find("error") == def.end()) shape.http_status = 500;
    }

    for (const auto& [name, def] : doc.at("operations").items()) {
        Operation op;
        op.name = name;
        if (const auto it = def.find("input"); it != def.end()) op.input = ref(*it, name);
        if (const auto it = def.find("output"); it != def.end()) {
            op.output = ref(*it, name);
            op.result_wrapper = it->value("resultWrapper", "");
        }
        if (const auto it = def.find("errors"); it != def.end())
            for (const auto& e : *it) op.errors.push_back(e.at("shape").get<std::string>());
        model.m_operations.push_back(std::move(op));
    }
    std::sort(model.m_operations.begin(), model.m_operations.end(),
              [](const Operation& a, const Operation& b) { return a.name < b.name; });
    for (std::size_t i = 0; i < model.m_operations.size(); ++i)
        model.m_operation_index.emplace(model.m_operations[i].name, i);
    return model;
}

const Operation* ServiceModel::find_operation(std::string_view name) const {
    const auto it = m_operation_index.find(std::string(name));
    return it == m_operation_index.end() ? nullptr : &m_operations[it->second];
}

std::optional<ShapeId> ServiceModel::find_shape(std::string_view name) const {
    const auto it = m_shape_ids.find(std::string(name));
    if (it == m_shape_ids.end()) return std::nullopt;
    return it->second;
}

}  // namespace ecsbox::protocol
