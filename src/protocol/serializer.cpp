#include "protocol/serializer.hpp"

#include <nlohmann/json.hpp>

namespace ecsbox::protocol {

using nlohmann::json;

void shape_output(const ServiceModel& model, ShapeId id, json& value) {
    const Shape& shape = model.shape(id);
    if (shape.document) return;
    switch (shape.type) {
        case ShapeType::structure: {
            if (!value.is_object()) return;
            for (auto it = value.begin(); it != value.end();) {
                const Member* member = shape.find_member(it.key());
                if (!member || it->is_null()) {
                    it = value.erase(it);
                    continue;
                }
                shape_output(model, member->shape, *it);
                ++it;
            }
            return;
        }
        case ShapeType::list:
            if (value.is_array())
                for (auto& element : value) shape_output(model, shape.member, element);
            return;
        case ShapeType::map:
            if (value.is_object())
                for (auto& [_, element] : value.items()) shape_output(model, shape.value, element);
            return;
        default: return;
    }
}

std::string to_wire(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string error_body(const std::string& code, const std::string& message) {
    return error_body(code, message, json::object());
}

std::string error_body(const std::string& code, const std::string& message, const json& members) {
    json body = members.is_object() ? members : json::object();
    body["__type"] = code;
    body["message"] = message;
    return to_wire(body);
}

}  // namespace ecsbox::protocol
