#include "registry/manifest.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include <nlohmann/json.hpp>

#include "registry/reference.hpp"

namespace ecsbox::registry {

using nlohmann::json;

namespace {

// No manifest nests deeper than a handful of levels (index > descriptor > platform > features);
// the bound stops a body of four million '[' from building four million JSON values.
constexpr int k_max_manifest_depth = 32;

constexpr std::array<std::string_view, 2> k_schema1_types = {
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
};

constexpr std::array<std::string_view, 4> k_manifest_types = {
    media_type::docker_manifest,
    media_type::docker_manifest_list,
    media_type::oci_manifest,
    media_type::oci_index,
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "Type/Subtype; charset=utf-8" -> "type/subtype": media types compare case-insensitively and
// their parameters never change which manifest format is meant.
std::string bare_media_type(std::string_view value) { return lower(trim(value.substr(0, value.find(';')))); }

bool is_one_of(std::string_view type, const auto& types) {
    return std::find(types.begin(), types.end(), type) != types.end();
}

bool is_image_type(std::string_view type) {
    return type == media_type::docker_manifest || type == media_type::oci_manifest;
}

bool is_docker_type(std::string_view type) {
    return type == media_type::docker_manifest || type == media_type::docker_manifest_list;
}

[[noreturn]] void refuse_schema1(std::string_view type) {
    throw ManifestError("manifest media type " + std::string(type) +
                        " (Docker image manifest v2 schema 1) is not supported; push with schema 2 or OCI");
}

json parse_json(std::string_view bytes) {
    const json::parser_callback_t depth_guard = [](int depth, json::parse_event_t event, json&) {
        if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
            depth >= k_max_manifest_depth)
            throw ManifestError("manifest nests deeper than " + std::to_string(k_max_manifest_depth) + " levels");
        return true;
    };
    try {
        return json::parse(bytes.begin(), bytes.end(), depth_guard);
    } catch (const json::parse_error& e) {
        throw ManifestError(std::string("manifest is not valid JSON: ") + e.what());
    }
}

void check_schema_version(const json& body) {
    const auto it = body.find("schemaVersion");
    if (it == body.end()) throw ManifestError("schemaVersion is required");
    if (!it->is_number_integer()) throw ManifestError("schemaVersion must be the integer 2");
    if (*it == 1)
        throw ManifestError(
            "schemaVersion 1 (Docker image manifest v2 schema 1) is not supported; push with "
            "schema 2 or OCI");
    if (*it != 2) throw ManifestError("schemaVersion " + it->dump() + " is not supported; expected 2");
}

std::string body_media_type(const json& body) {
    const auto it = body.find("mediaType");
    if (it == body.end()) return "";
    if (!it->is_string() || it->get_ref<const std::string&>().empty())
        throw ManifestError("mediaType must be a non-empty string");
    return it->get<std::string>();
}

// Schema 1 is recognised before anything else so its refusal names the format rather than
// whichever schema-2 field it happens to lack.
void refuse_schema1_types(const json& body, std::string_view content_type) {
    const std::string header = bare_media_type(content_type);
    if (is_one_of(header, k_schema1_types)) refuse_schema1(header);
    const std::string declared = body_media_type(body);
    if (is_one_of(declared, k_schema1_types)) refuse_schema1(declared);
}

// Which of the four formats the body is. The Content-Type is the client's claim and the body's
// mediaType is what gets stored, so when both speak they must say the same thing. A Content-Type
// that names no manifest format at all (application/json, octet-stream) is treated as silence.
std::string resolve_media_type(const json& body, std::string_view content_type) {
    const std::string header = bare_media_type(content_type);
    const std::string declared = body_media_type(body);
    if (!declared.empty() && !is_one_of(declared, k_manifest_types))
        throw ManifestError("manifest media type " + declared + " is not supported");
    const bool header_names_manifest = is_one_of(header, k_manifest_types);
    if (!declared.empty() && header_names_manifest && header != declared)
        throw ManifestError("Content-Type " + header + " does not match the manifest's mediaType " + declared);
    if (!declared.empty()) return declared;
    if (header_names_manifest) {
        // The OCI specs let mediaType be omitted; the Docker formats always carry it.
        if (is_docker_type(header)) throw ManifestError("mediaType is required in a " + header + " manifest");
        return header;
    }
    const bool has_manifests = body.contains("manifests"), has_config = body.contains("config");
    if (has_manifests && has_config)
        throw ManifestError("manifest has both config and manifests and no mediaType to tell which it is");
    if (has_manifests) return std::string(media_type::oci_index);
    if (has_config) return std::string(media_type::oci_manifest);
    throw ManifestError("manifest has no mediaType and neither config nor manifests");
}

std::string checked_digest(const json& value, const std::string& where) {
    if (!value.is_string()) throw ManifestError(where + " must be a string");
    const auto& digest = value.get_ref<const std::string&>();
    const auto colon = digest.find(':');
    if (colon != std::string::npos && colon > 0 && digest.compare(0, colon, "sha256") != 0)
        throw ManifestError(where + " uses " + digest.substr(0, colon) + "; ecsbox accepts only sha256 digests");
    if (!valid_digest(digest))
        throw ManifestError(where + " is not a sha256 digest (sha256: and 64 lower-case hex digits)");
    return digest;
}

std::uint64_t check_size(const json& value, const std::string& where) {
    if (value.is_number_unsigned()) {
        const auto size = value.get<std::uint64_t>();
        // OCI sizes are int64; anything above cannot describe a real blob.
        if (size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            throw ManifestError(where + " is too large");
        return size;
    }
    if (value.is_number_integer()) throw ManifestError(where + " must not be negative");
    throw ManifestError(where + " must be a non-negative integer");
}

const json& member(const json& object, const char* key, const std::string& where) {
    const auto it = object.find(key);
    if (it == object.end()) throw ManifestError(where + "." + key + " is required");
    return *it;
}

Descriptor parse_descriptor(const json& value, const std::string& where) {
    if (!value.is_object()) throw ManifestError(where + " must be an object");
    Descriptor out;
    const auto& type = member(value, "mediaType", where);
    if (!type.is_string() || type.get_ref<const std::string&>().empty())
        throw ManifestError(where + ".mediaType must be a non-empty string");
    out.media_type = type.get<std::string>();
    out.digest = checked_digest(member(value, "digest", where), where + ".digest");
    out.size = check_size(member(value, "size", where), where + ".size");
    return out;
}

void check_platform(const json& descriptor, const std::string& where) {
    const auto it = descriptor.find("platform");
    if (it == descriptor.end()) return;
    if (!it->is_object()) throw ManifestError(where + ".platform must be an object");
    for (const char* key : {"architecture", "os"}) {
        const auto field = it->find(key);
        if (field == it->end() || !field->is_string())
            throw ManifestError(where + ".platform." + key + " must be a string");
    }
}

const json& array_member(const json& body, const char* key) {
    const auto it = body.find(key);
    if (it == body.end()) throw ManifestError(std::string(key) + " is required");
    if (!it->is_array()) throw ManifestError(std::string(key) + " must be an array");
    return *it;
}

void parse_image_parts(const json& body, Manifest& out) {
    if (!body.contains("config")) throw ManifestError("config is required");
    out.config = parse_descriptor(body["config"], "config");
    const json& layers = array_member(body, "layers");
    // Empty layers are legal: a FROM scratch image with no files, or an OCI artifact.
    for (std::size_t i = 0; i < layers.size(); ++i)
        out.layers.push_back(parse_descriptor(layers[i], "layers[" + std::to_string(i) + "]"));
}

void parse_index_parts(const json& body, Manifest& out) {
    const json& manifests = array_member(body, "manifests");
    for (std::size_t i = 0; i < manifests.size(); ++i) {
        const std::string where = "manifests[" + std::to_string(i) + "]";
        out.manifests.push_back(parse_descriptor(manifests[i], where));
        check_platform(manifests[i], where);
    }
}

std::string artifact_media_type(const json& body, const Manifest& manifest) {
    if (const auto it = body.find("artifactType"); it != body.end()) {
        if (!it->is_string() || it->get_ref<const std::string&>().empty())
            throw ManifestError("artifactType must be a non-empty string");
        return it->get<std::string>();
    }
    return manifest.config ? manifest.config->media_type : "";
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
    return b > std::numeric_limits<std::uint64_t>::max() - a ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

std::string_view media_range_of(std::string_view entry) { return trim(entry.substr(0, entry.find(';'))); }

bool media_range_matches(std::string_view range, std::string_view type) {
    const std::string r = lower(range), t = lower(type);
    if (r == "*/*" || r == t) return true;
    // "application/*" takes every application/... type.
    return r.size() > 2 && r.ends_with("/*") && t.starts_with(r.substr(0, r.size() - 1));
}

}  // namespace

std::vector<std::string> Manifest::blob_digests() const {
    std::vector<std::string> out;
    const auto add = [&out](const std::string& digest) {
        if (std::find(out.begin(), out.end(), digest) == out.end()) out.push_back(digest);
    };
    if (config) add(config->digest);
    for (const auto& layer : layers) add(layer.digest);
    return out;
}

std::uint64_t Manifest::image_size() const {
    std::uint64_t total = 0;
    if (config) total = config->size;
    for (const auto& layer : layers) total = saturating_add(total, layer.size);
    return total;
}

Manifest parse_manifest(std::string_view bytes, std::string_view content_type) {
    if (bytes.size() > k_max_manifest_bytes)
        throw ManifestError("manifest is " + std::to_string(bytes.size()) + " bytes; the limit is " +
                            std::to_string(k_max_manifest_bytes));
    const json body = parse_json(bytes);
    if (!body.is_object()) throw ManifestError("manifest must be a JSON object");
    refuse_schema1_types(body, content_type);
    check_schema_version(body);
    Manifest out;
    out.media_type = resolve_media_type(body, content_type);
    if (is_image_type(out.media_type))
        parse_image_parts(body, out);
    else
        parse_index_parts(body, out);
    if (body.contains("subject")) out.subject = parse_descriptor(body["subject"], "subject");
    out.artifact_media_type = artifact_media_type(body, out);
    return out;
}

bool accepts_media_type(std::string_view accept, std::string_view type) {
    if (trim(accept).empty()) return true;
    while (!accept.empty()) {
        const auto comma = accept.find(',');
        if (media_range_matches(media_range_of(accept.substr(0, comma)), type)) return true;
        if (comma == std::string_view::npos) break;
        accept.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace ecsbox::registry
