#include "protocol/query_codec.hpp"

#include <cmath>
#include <pugixml.hpp>
#include <sstream>

#include "protocol/form.hpp"
#include "protocol/json_limits.hpp"
#include "util/rfc3339.hpp"

namespace ecsbox::protocol {

using nlohmann::json;

namespace {

using Params = std::map<std::string, std::string>;

constexpr const char* k_xml_content_type = "text/xml";

Params params_of(const HttpRequest& request) {
    auto params = parse_form(request.body);
    if (!params) throw AwsError("MalformedQueryString", "The request body is not valid form encoding.");
    return std::move(*params);
}

// True when some parameter is `prefix` itself or lies below it ("prefix." ...).
bool present(const Params& params, const std::string& prefix) {
    const auto it = params.lower_bound(prefix);
    if (it == params.end()) return false;
    return it->first == prefix || it->first.rfind(prefix + ".", 0) == 0;
}

class InputReader {
public:
    InputReader(const ServiceModel& model, const Params& params, const std::string& validation_code)
        : m_model(model), m_params(params), m_validation_code(validation_code) {}

    json structure(ShapeId id, const std::string& prefix, std::size_t depth = 0) const {
        // A recursive shape would otherwise let a long parameter name recurse without bound.
        if (depth > k_max_json_depth)
            throw AwsError(m_validation_code, "Parameter names are nested more than " +
                                                  std::to_string(k_max_json_depth) + " levels deep.");
        json out = json::object();
        for (const auto& member : m_model.shape(id).members) {
            const auto key = prefix + member.wire_name();
            if (!present(m_params, key)) continue;
            out[member.name] = value(member.shape, key, member.flattened, depth + 1);
        }
        return out;
    }

private:
    json value(ShapeId id, const std::string& key, bool flattened_member, std::size_t depth) const {
        const auto& shape = m_model.shape(id);
        switch (shape.type) {
            case ShapeType::structure:
                return structure(id, key + ".", depth);
            case ShapeType::list: {
                json out = json::array();
                const auto item = shape.flattened || flattened_member ? key + "." : key + "." + shape.member_name + ".";
                for (std::size_t n = 1; present(m_params, item + std::to_string(n)); ++n)
                    out.push_back(value(shape.member, item + std::to_string(n), false, depth + 1));
                return out;  // "L=" with nothing below it is an empty list
            }
            case ShapeType::map: {
                json out = json::object();
                const auto entry = shape.flattened || flattened_member ? key + "." : key + ".entry.";
                for (std::size_t n = 1; present(m_params, entry + std::to_string(n)); ++n) {
                    const auto at = entry + std::to_string(n) + ".";
                    const auto k = m_params.find(at + shape.key_name);
                    if (k == m_params.end()) throw invalid(at + shape.key_name, "");
                    out[k->second] = present(m_params, at + shape.value_name) ? value(shape.value, at + shape.value_name, false, depth + 1)
                                                                              : json();
                }
                return out;
            }
            default:
                return scalar(shape, key);
        }
    }

    json scalar(const Shape& shape, const std::string& key) const {
        const auto it = m_params.find(key);
        if (it == m_params.end()) throw invalid(key, "");
        const auto& text = it->second;
        try {
            std::size_t used = 0;
            switch (shape.type) {
                case ShapeType::integer:
                case ShapeType::long_: {
                    const auto n = std::stoll(text, &used);
                    if (used == text.size()) return n;
                    break;
                }
                case ShapeType::float_:
                case ShapeType::double_: {
                    const auto d = std::stod(text, &used);
                    if (used == text.size() && std::isfinite(d)) return d;
                    break;
                }
                case ShapeType::boolean:
                    if (text == "true") return true;
                    if (text == "false") return false;
                    break;
                case ShapeType::timestamp:
                    if (const auto t = util::parse_rfc3339(text)) return *t;
                    if (const auto d = std::stod(text, &used); used == text.size()) return d;
                    break;
                default:
                    return text;
            }
        } catch (const std::logic_error&) {
            // not a number: reported below
        }
        throw invalid(key, text);
    }

    AwsError invalid(const std::string& key, const std::string& text) const {
        return AwsError(m_validation_code, "Value '" + text + "' for parameter " + key + " is invalid.");
    }

    const ServiceModel& m_model;
    const Params& m_params;
    const std::string& m_validation_code;
};

std::string scalar_text(const Shape& shape, const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (shape.type == ShapeType::timestamp && value.is_number()) return util::format_rfc3339(value.get<double>());
    if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
    if (value.is_number_float()) {
        const auto d = value.get<double>();
        if (d == std::floor(d) && std::abs(d) < 1e15 && shape.type != ShapeType::float_ && shape.type != ShapeType::double_)
            return std::to_string(static_cast<long long>(d));
        std::ostringstream out;
        out.precision(17);
        out << d;
        return out.str();
    }
    return value.dump();
}

class XmlWriter {
public:
    explicit XmlWriter(const ServiceModel& model) : m_model(model) {}

    void members(pugi::xml_node node, ShapeId id, const json& value) const {
        const auto& shape = m_model.shape(id);
        for (const auto& member : shape.members) {
            const auto it = value.find(member.name);
            if (it == value.end() || it->is_null()) continue;
            const auto& member_shape = m_model.shape(member.shape);
            const bool flat = member.flattened || member_shape.flattened;
            if (flat && member_shape.type == ShapeType::list) {
                for (const auto& item : *it) write(node.append_child(member.wire_name().c_str()), member_shape.member, item);
            } else if (flat && member_shape.type == ShapeType::map) {
                entries(node, member.wire_name(), member_shape, *it);
            } else {
                write(node.append_child(member.wire_name().c_str()), member.shape, *it);
            }
        }
    }

private:
    void write(pugi::xml_node node, ShapeId id, const json& value) const {
        const auto& shape = m_model.shape(id);
        switch (shape.type) {
            case ShapeType::structure:
                if (value.is_object()) members(node, id, value);
                return;
            case ShapeType::list:
                for (const auto& item : value) write(node.append_child(shape.member_name.c_str()), shape.member, item);
                return;
            case ShapeType::map:
                entries(node, "entry", shape, value);
                return;
            default:
                node.text().set(scalar_text(shape, value).c_str());
        }
    }

    void entries(pugi::xml_node node, const std::string& entry_name, const Shape& map, const json& value) const {
        if (!value.is_object()) return;
        for (const auto& [k, v] : value.items()) {
            auto entry = node.append_child(entry_name.c_str());
            entry.append_child(map.key_name.c_str()).text().set(k.c_str());
            write(entry.append_child(map.value_name.c_str()), map.value, v);
        }
    }

    const ServiceModel& m_model;
};

HttpResponse xml_response(int status, const pugi::xml_document& doc, const std::string& request_id) {
    std::ostringstream body;
    doc.save(body, "", pugi::format_raw);
    HttpResponse response;
    response.status = status;
    response.headers.emplace("Content-Type", k_xml_content_type);
    response.headers.emplace("x-amzn-RequestId", request_id);
    response.body = body.str();
    return response;
}

void request_metadata(pugi::xml_node parent, const std::string& request_id) {
    parent.append_child("ResponseMetadata").append_child("RequestId").text().set(request_id.c_str());
}

}  // namespace

bool QueryCodec::looks_like(const HttpRequest& request) {
    const auto* type = request.header("Content-Type");
    return request.method == "POST" && type && type->rfind("application/x-www-form-urlencoded", 0) == 0;
}

std::string QueryCodec::version_of(const HttpRequest& request) {
    const auto params = parse_form(request.body);
    if (!params) return "";
    const auto it = params->find("Version");
    return it == params->end() ? "" : it->second;
}

std::string QueryCodec::operation_of(const HttpRequest& request) const {
    const auto params = params_of(request);
    const auto it = params.find("Action");
    if (it == params.end() || it->second.empty())
        throw AwsError("MissingAction", "The request must contain the parameter Action.");
    return it->second;
}

json QueryCodec::read_input(const ServiceModel& model, const Operation& operation, const HttpRequest& request) const {
    const auto params = params_of(request);
    const auto version = params.find("Version");
    if (version == params.end()) throw AwsError("MissingParameter", "The request must contain the parameter Version.");
    if (version->second != model.api_version())
        throw AwsError("NoSuchVersion", "The requested version (" + version->second + ") of service " +
                                            model.service_id() + " does not exist; ecsbox serves " + model.api_version() + ".");
    if (!operation.input) return json::object();
    return InputReader(model, params, m_validation_error_code).structure(*operation.input, "");
}

HttpResponse QueryCodec::write_output(const ServiceModel& model, const Operation& operation, const json& output,
                                      const std::string& request_id) const {
    pugi::xml_document doc;
    auto root = doc.append_child((operation.name + "Response").c_str());
    root.append_attribute("xmlns").set_value(model.xml_namespace().c_str());
    if (operation.output) {
        auto result = operation.result_wrapper.empty() ? root : root.append_child(operation.result_wrapper.c_str());
        XmlWriter(model).members(result, *operation.output, output);
    }
    request_metadata(root, request_id);
    return xml_response(200, doc, request_id);
}

HttpResponse QueryCodec::write_error(const ServiceModel* model, const AwsError& error,
                                     const std::string& request_id) const {
    // Handlers name errors by their shape; the wire uses the shape's code where it has one.
    auto code = error.code();
    if (model)
        if (const auto id = model->find_shape(code); id && !model->shape(*id).error_code.empty())
            code = model->shape(*id).error_code;
    pugi::xml_document doc;
    auto root = doc.append_child("ErrorResponse");
    if (model) root.append_attribute("xmlns").set_value(model->xml_namespace().c_str());
    auto e = root.append_child("Error");
    e.append_child("Type").text().set(error.http_status() >= 500 ? "Receiver" : "Sender");
    e.append_child("Code").text().set(code.c_str());
    e.append_child("Message").text().set(error.message().c_str());
    root.append_child("RequestId").text().set(request_id.c_str());
    return xml_response(error.http_status(), doc, request_id);
}

}  // namespace ecsbox::protocol
