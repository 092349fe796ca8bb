#pragma once
// ECR as a test sees it: the real model, dispatcher, handlers, a store and a blob store in a temp
// dir, called through the wire format (HttpRequest in, status and JSON out) without a server.
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ecr/ecr_service.hpp"
#include "protocol/dispatcher.hpp"
#include "protocol/embedded_models.hpp"
#include "registry/auth_token.hpp"
#include "registry/blob_store.hpp"
#include "registry/registry.hpp"
#include "support/fake_clock.hpp"
#include "support/reply.hpp"
#include "support/temp_dir.hpp"

namespace ecsbox::testing {

// Parsed once per test binary: the model is immutable and parsing it is the slow part.
inline std::shared_ptr<const protocol::ServiceModel> ecr_model() {
    static const auto model =
        std::make_shared<const protocol::ServiceModel>(protocol::ServiceModel::parse(protocol::embedded_ecr_model()));
    return model;
}

class EcrHarness {
public:
    static constexpr const char* k_account = "123456789012";
    static constexpr const char* k_registry_host = "localhost:4566";

    EcrHarness() { open(); }

    // Closes and reopens the store on the same directory, as a restart does.
    void reopen() {
        m_dispatcher.reset();
        m_ecr.reset();
        m_registry.reset();
        m_blobs.reset();
        m_tokens.reset();
        m_store.reset();
        open();
    }

    Reply raw(protocol::HttpRequest request) const {
        Reply reply;
        reply.raw = m_dispatcher->dispatch(request);
        reply.status = reply.raw.status;
        reply.body = nlohmann::json::parse(reply.raw.body);
        return reply;
    }

    Reply call(const std::string& operation, const nlohmann::json& input = nlohmann::json::object(),
               const std::string& region = "us-east-1") const {
        protocol::HttpRequest request;
        request.method = "POST";
        request.path = "/";
        request.headers.emplace("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921." + operation);
        request.headers.emplace("Content-Type", "application/x-amz-json-1.1");
        request.headers.emplace("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/" + region +
                                                     "/ecr/aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
        request.body = input.dump();
        return raw(std::move(request));
    }

    // Calls an operation that must succeed, and returns its output.
    nlohmann::json ok(const std::string& operation, const nlohmann::json& input = nlohmann::json::object(),
                      const std::string& region = "us-east-1") const {
        auto reply = call(operation, input, region);
        if (reply.status != 200) throw std::runtime_error(operation + " failed: " + reply.raw.body);
        return reply.body;
    }

    FakeClock& clock() { return m_clock; }
    ecr::EcrContext& ecr() { return *m_ecr; }
    store::Store& store() { return *m_store; }
    registry::BlobStore& blobs() { return *m_blobs; }
    registry::Registry& registry() { return *m_registry; }
    const registry::AuthTokens& tokens() const { return *m_tokens; }

private:
    void open() {
        m_store = std::make_unique<store::Store>(m_dir.path());
        m_tokens = std::make_unique<registry::AuthTokens>(m_store->registry_secret());
        m_blobs = std::make_unique<registry::BlobStore>(m_dir.path() + "/registry");
        m_registry = std::make_unique<registry::Registry>(*m_store, *m_blobs, m_clock);
        m_ecr = std::make_unique<ecr::EcrContext>(
            ecr::EcrContext{*m_store, m_clock, m_ids, *m_tokens, *m_registry, k_registry_host});
        m_dispatcher = std::make_unique<protocol::Dispatcher>(protocol::DispatcherOptions{k_account, "us-east-1"},
                                                              m_ids, m_log);
        ecr::register_ecr_service(*m_dispatcher, ecr_model(), *m_ecr);
    }

    TempDir m_dir;
    FakeClock m_clock;
    util::IdGenerator m_ids{42};
    std::ostringstream m_log_sink;
    util::Logger m_log{m_log_sink, util::LogLevel::error};
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<registry::AuthTokens> m_tokens;
    std::unique_ptr<registry::BlobStore> m_blobs;
    std::unique_ptr<registry::Registry> m_registry;
    std::unique_ptr<ecr::EcrContext> m_ecr;
    std::unique_ptr<protocol::Dispatcher> m_dispatcher;
};

}  // namespace ecsbox::testing
