#pragma once
// An AWS service model (botocore service-2.json) reduced to what the wire needs: operations,
// shapes with their constraints, and error shapes. Built once at start-up and immutable after,
// so it is shared by every thread without locking. Documentation strings are dropped while
// parsing: they are most of the file and nothing on the wire uses them.
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ecsbox::protocol {

using ShapeId = std::uint32_t;

enum class ShapeType { structure, list, map, string, integer, long_, float_, double_, boolean, timestamp, blob };

struct Member {
    std::string name;
    ShapeId shape = 0;
    std::string location_name;  // its name on an XML or query wire, when not `name`
    bool flattened = false;      // a list or map written without its wrapper (XML, query)

    const std::string& wire_name() const { return location_name.empty() ? name : location_name; }
};

struct Shape {
    std::string name;
    ShapeType type = ShapeType::structure;
    bool document = false;  // free-form JSON: never validated or reshaped
    std::vector<Member> members;
    std::vector<std::string> required;
    ShapeId member = 0, key = 0, value = 0;  // list element; map key and value
    // What list elements and map keys and values are called on an XML or query wire.
    std::string member_name = "member", key_name = "key", value_name = "value";
    bool flattened = false;
    std::vector<std::string> enum_values;
    std::optional<double> min, max;  // length for strings/lists/maps, value for numbers
    std::string pattern;                        // as the model writes it, for messages
    std::shared_ptr<const std::regex> matcher;  // compiled `pattern`, when there is one
    bool exception = false;
    bool fault = false;
    int http_status = 400;
    std::string error_code;  // the code an XML protocol writes for it, when not its name

    const Member* find_member(std::string_view member_name) const;
};

struct Operation {
    std::string name;
    std::optional<ShapeId> input, output;
    std::string result_wrapper;  // the query protocol's element around the output
    std::vector<std::string> errors;
};

class ServiceModel {
public:
    // Throws std::runtime_error if the text is not a usable botocore model.
    static ServiceModel parse(std::string_view service_json);

    const std::string& target_prefix() const { return m_target_prefix; }
    const std::string& signing_name() const { return m_signing_name; }
    const std::string& service_id() const { return m_service_id; }
    const std::string& api_version() const { return m_api_version; }
    const std::string& protocol() const { return m_protocol; }  // json | query
    const std::string& json_version() const { return m_json_version; }
    const std::string& xml_namespace() const { return m_xml_namespace; }

    const Operation* find_operation(std::string_view name) const;
    const std::vector<Operation>& operations() const { return m_operations; }  // sorted by name
    const Shape& shape(ShapeId id) const { return m_shapes[id]; }
    std::optional<ShapeId> find_shape(std::string_view name) const;

private:
    std::string m_target_prefix, m_signing_name, m_service_id, m_api_version, m_protocol, m_json_version,
        m_xml_namespace;
    std::vector<Shape> m_shapes;
    std::unordered_map<std::string, ShapeId> m_shape_ids;
    std::vector<Operation> m_operations;
    std::unordered_map<std::string, std::size_t> m_operation_index;
};

}  // namespace ecsbox::protocol
