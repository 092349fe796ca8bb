#include "elbv2/attributes.hpp"

#include <regex>

#include "elbv2/errors.hpp"

namespace ecsbox::elbv2 {

namespace {

bool is_bool(const std::string& value) { return value == "true" || value == "false"; }

bool is_int_in(const std::string& value, long low, long high) {
    static const std::regex digits("[0-9]{1,9}");
    if (!std::regex_match(value, digits)) return false;
    const auto number = std::stol(value);
    return number >= low && number <= high;
}

// Values ELB checks by their form; the rest are free text (bucket names, prefixes).
void check_value(const std::string& key, const std::string& value) {
    auto refuse = [&](const std::string& expected) {
        throw validation_error("The value of attribute '" + key + "' must be " + expected + ", not '" + value + "'");
    };
    const auto ends_with = [&](const std::string& suffix) {
        return key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with(".enabled") && key != "load_balancing.cross_zone.enabled" && !is_bool(value)) refuse("true or false");
    if (key == "load_balancing.cross_zone.enabled" && !is_bool(value) && value != "use_load_balancer_configuration")
        refuse("true, false or use_load_balancer_configuration");
    if (key == "deregistration_delay.timeout_seconds" && !is_int_in(value, 0, 3600)) refuse("from 0 to 3600");
    if (key == "idle_timeout.timeout_seconds" && !is_int_in(value, 1, 4000)) refuse("from 1 to 4000");
    if (key == "stickiness.lb_cookie.duration_seconds" && !is_int_in(value, 1, 604800)) refuse("from 1 to 604800");
    if (key == "slow_start.duration_seconds" && !(value == "0" || is_int_in(value, 30, 900)))
        refuse("0 or from 30 to 900");
    if (key == "load_balancing.algorithm.type" && value != "round_robin" && value != "least_outstanding_requests")
        refuse("round_robin or least_outstanding_requests (ecsbox does not weigh targets by anomalies)");
    if (key == "stickiness.type" && value != "lb_cookie" && value != "source_ip" && value != "app_cookie")
        refuse("lb_cookie, app_cookie or source_ip");
}

}  // namespace

json load_balancer_attribute_defaults(const std::string& type) {
    json common = {{"access_logs.s3.enabled", "false"},
                   {"access_logs.s3.bucket", ""},
                   {"access_logs.s3.prefix", ""},
                   {"deletion_protection.enabled", "false"}};
    if (type == "network") {
        common["load_balancing.cross_zone.enabled"] = "false";
        common["dns_record.client_routing_policy"] = "any_availability_zone";
        return common;
    }
    common["idle_timeout.timeout_seconds"] = "60";
    common["client_keep_alive.seconds"] = "3600";
    common["routing.http.desync_mitigation_mode"] = "defensive";
    common["routing.http.drop_invalid_header_fields.enabled"] = "false";
    common["routing.http.preserve_host_header.enabled"] = "false";
    common["routing.http.x_amzn_tls_version_and_cipher_suite.enabled"] = "false";
    common["routing.http.xff_client_port.enabled"] = "false";
    common["routing.http.xff_header_processing.mode"] = "append";
    common["routing.http2.enabled"] = "true";
    common["waf.fail_open.enabled"] = "false";
    common["connection_logs.s3.enabled"] = "false";
    common["connection_logs.s3.bucket"] = "";
    common["connection_logs.s3.prefix"] = "";
    return common;
}

json target_group_attribute_defaults(const std::string& protocol, const std::string& target_type) {
    json values = {{"deregistration_delay.timeout_seconds", "300"},
                   {"stickiness.enabled", "false"},
                   {"load_balancing.cross_zone.enabled", "use_load_balancer_configuration"},
                   {"target_group_health.dns_failover.minimum_healthy_targets.count", "1"},
                   {"target_group_health.dns_failover.minimum_healthy_targets.percentage", "off"},
                   {"target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", "1"},
                   {"target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage", "off"}};
    if (protocol == "TCP") {
        values["stickiness.type"] = "source_ip";
        values["deregistration_delay.connection_termination.enabled"] = "false";
        values["preserve_client_ip.enabled"] = target_type == "instance" ? "true" : "false";
        values["proxy_protocol_v2.enabled"] = "false";
        values["target_health_state.unhealthy.connection_termination.enabled"] = "true";
        return values;
    }
    values["stickiness.type"] = "lb_cookie";
    values["stickiness.lb_cookie.duration_seconds"] = "86400";
    values["stickiness.app_cookie.cookie_name"] = "";
    values["stickiness.app_cookie.duration_seconds"] = "86400";
    values["load_balancing.algorithm.type"] = "round_robin";
    values["load_balancing.algorithm.anomaly_mitigation"] = "off";
    values["slow_start.duration_seconds"] = "0";
    return values;
}

json apply_attributes(const json& current, const json& defaults, const json& attributes) {
    json values = defaults;
    values.update(current);
    for (const auto& attribute : attributes) {
        const auto key = attribute.value("Key", "");
        const auto value = attribute.value("Value", "");
        if (!defaults.contains(key)) throw invalid_configuration("Attribute key '" + key + "' is not recognized");
        check_value(key, value);
        values[key] = value;
    }
    return values;
}

json attribute_list(const json& values) {
    json list = json::array();
    for (const auto& [key, value] : values.items()) list.push_back({{"Key", key}, {"Value", value}});
    return list;
}

}  // namespace ecsbox::elbv2
