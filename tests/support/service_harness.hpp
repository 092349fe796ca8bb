#pragma once
// The AWS services as a test sees them: the real models, dispatcher and handlers of every
// service ecsbox serves, over a store, blob store and registry in a temp dir, called through
// the wire format (HttpRequest in, status and JSON out) without a server or Docker.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ecr/ecr_context.hpp"
#include "ecs/ecs_context.hpp"
#include "elbv2/elbv2_context.hpp"
#include "protocol/dispatcher.hpp"
#include "protocol/embedded_models.hpp"
#include "registry/auth_token.hpp"
#include "registry/blob_store.hpp"
#include "registry/registry.hpp"
#include "services.hpp"
#include "support/fake_clock.hpp"
#include "support/query_wire.hpp"
#include "support/reply.hpp"
#include "support/temp_dir.hpp"

namespace ecsbox::testing {

// A model is parsed once per test binary: it is immutable and parsing it is the slow part.
inline std::shared_ptr<const protocol::ServiceModel> model_of(const std::string& name) {
    static std::map<std::string, std::shared_ptr<const protocol::ServiceModel>> models;
    auto& model = models[name];
    if (!model) model = std::make_shared<const protocol::ServiceModel>(protocol::ServiceModel::parse(protocol::embedded_model(name)));
    return model;
}
inline std::shared_ptr<const protocol::ServiceModel> ecs_model() { return model_of("ecs"); }
inline std::shared_ptr<const protocol::ServiceModel> ecr_model() { return model_of("ecr"); }

// A SigV4 Authorization header whose credential scope names the region and service.
inline std::string authorization_for(const std::string& region, const std::string& signing_name = "ecs") {
    return "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/" + region + "/" + signing_name +
           "/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
}

class ServiceHarness {
public:
    static constexpr const char* k_account = "123456789012";
    static constexpr const char* k_registry_host = "localhost:4566";

    // call() and ok() go to `service` (its model's name); call_on() to any.
    explicit ServiceHarness(std::string service = "ecs") : m_service(std::move(service)) { open(); }

    // Closes and reopens the store on the same directory, as a restart does.
    void reopen() {
        m_dispatcher.reset();
        m_elbv2.reset();
        m_ecr.reset();
        m_ecs.reset();
        m_registry.reset();
        m_blobs.reset();
        m_tokens.reset();
        m_store.reset();
        open();
    }

    // The answer, its body read as JSON (query services' XML by their model).
    Reply raw(protocol::HttpRequest request) const {
        Reply reply;
        reply.raw = m_dispatcher->dispatch(request);
        reply.status = reply.raw.status;
        const auto* type = reply.raw.headers.count("Content-Type") ? &reply.raw.headers.at("Content-Type") : nullptr;
        if (type && type->find("xml") != std::string::npos) {
            const auto action = query_action_of(request.body);
            reply.body = query_answer(*model_of(service_of_signing(request)), action, reply.raw.body);
        } else {
            reply.body = nlohmann::json::parse(reply.raw.body);
        }
        return reply;
    }

    // The request an AWS SDK sends for `operation` of `service`, in the service's protocol.
    static protocol::HttpRequest request_for(const std::string& service, const std::string& operation,
                                             const nlohmann::json& input, const std::string& region = "us-east-1") {
        const auto model = model_of(service);
        protocol::HttpRequest request;
        request.method = "POST";
        request.path = "/";
        request.headers.emplace("Authorization", authorization_for(region, model->signing_name()));
        if (model->protocol() == "query") {
            request.headers.emplace("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
            request.body = query_form(*model, operation, input);
            return request;
        }
        request.headers.emplace("X-Amz-Target", model->target_prefix() + "." + operation);
        request.headers.emplace("Content-Type", "application/x-amz-json-1.1");
        request.body = input.dump();
        return request;
    }

    Reply call_on(const std::string& service, const std::string& operation,
                  const nlohmann::json& input = nlohmann::json::object(), const std::string& region = "us-east-1") const {
        return raw(request_for(service, operation, input, region));
    }

    Reply call(const std::string& operation, const nlohmann::json& input = nlohmann::json::object(),
               const std::string& region = "us-east-1") const {
        return call_on(m_service, operation, input, region);
    }

    // Calls an operation that must succeed, and returns its output.
    nlohmann::json ok(const std::string& operation, const nlohmann::json& input = nlohmann::json::object(),
                      const std::string& region = "us-east-1") const {
        auto reply = call(operation, input, region);
        if (reply.status != 200) throw std::runtime_error(operation + " failed: " + reply.raw.body);
        return reply.body;
    }

    FakeClock& clock() { return m_clock; }
    elbv2::Elbv2Context& elbv2() { return *m_elbv2; }
    util::IdGenerator& ids() { return m_ids; }
    store::Store& store() { return *m_store; }
    ecs::EcsContext& ecs() { return *m_ecs; }
    ecr::EcrContext& ecr() { return *m_ecr; }
    registry::BlobStore& blobs() { return *m_blobs; }
    registry::Registry& registry() { return *m_registry; }
    const registry::AuthTokens& tokens() const { return *m_tokens; }
    const std::string& data_dir() const { return m_dir.path(); }

private:
    void open() {
        m_store = std::make_unique<store::Store>(m_dir.path());
        m_tokens = std::make_unique<registry::AuthTokens>(m_store->registry_secret());
        m_blobs = std::make_unique<registry::BlobStore>(m_dir.path() + "/registry");
        m_registry = std::make_unique<registry::Registry>(*m_store, *m_blobs, m_clock);
        m_ecs = std::make_unique<ecs::EcsContext>(ecs::EcsContext{*m_store, m_clock, m_ids, 30.0});
        m_ecr = std::make_unique<ecr::EcrContext>(
            ecr::EcrContext{*m_store, m_clock, m_ids, *m_tokens, *m_registry, k_registry_host});
        m_elbv2 = std::make_unique<elbv2::Elbv2Context>(elbv2::Elbv2Context{*m_store, m_clock, m_ids});
        m_dispatcher = std::make_unique<protocol::Dispatcher>(protocol::DispatcherOptions{k_account, "us-east-1"},
                                                              m_ids, m_log);
        for_each_service([this](const auto& spec) { m_dispatcher->add(spec, context_of(spec), model_of(std::string(spec.model))); });
    }

    ecs::EcsContext& context_of(const protocol::ServiceSpec<ecs::EcsContext>&) { return *m_ecs; }
    ecr::EcrContext& context_of(const protocol::ServiceSpec<ecr::EcrContext>&) { return *m_ecr; }
    elbv2::Elbv2Context& context_of(const protocol::ServiceSpec<elbv2::Elbv2Context>&) { return *m_elbv2; }

    // The Action of a query-protocol form.
    static std::string query_action_of(const std::string& form) {
        const auto at = form.find("Action=");
        if (at == std::string::npos) return "";
        const auto end = form.find('&', at);
        return form.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
    }
    // The model a request signed for a service's signing name is for.
    static std::string service_of_signing(const protocol::HttpRequest& request) {
        const auto* authorization = request.header("Authorization");
        for (const auto* name : {"ecs", "ecr", "elbv2"})
            if (authorization && authorization->find("/" + model_of(name)->signing_name() + "/") != std::string::npos)
                return name;
        return "elbv2";
    }

    std::string m_service;
    TempDir m_dir;
    FakeClock m_clock;
    util::IdGenerator m_ids{42};
    std::ostringstream m_log_sink;
    util::Logger m_log{m_log_sink, util::LogLevel::error};
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<registry::AuthTokens> m_tokens;
    std::unique_ptr<registry::BlobStore> m_blobs;
    std::unique_ptr<registry::Registry> m_registry;
    std::unique_ptr<ecs::EcsContext> m_ecs;
    std::unique_ptr<ecr::EcrContext> m_ecr;
    std::unique_ptr<elbv2::Elbv2Context> m_elbv2;
    std::unique_ptr<protocol::Dispatcher> m_dispatcher;
};

}  // namespace ecsbox::testing
