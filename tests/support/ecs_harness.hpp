#pragma once
// ECS as a test sees it: the real model, dispatcher, handlers and a store in a temp dir, called
// through the wire format (HttpRequest in, status and JSON out) without a server or Docker.
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ecs/ecs_service.hpp"
#include "protocol/dispatcher.hpp"
#include "protocol/embedded_models.hpp"
#include "support/fake_clock.hpp"
#include "support/reply.hpp"
#include "support/temp_dir.hpp"

namespace ecsbox::testing {

// The ECS model is parsed once per test binary: it is immutable and parsing it is the slow part.
inline std::shared_ptr<const protocol::ServiceModel> ecs_model() {
    static const auto model =
        std::make_shared<const protocol::ServiceModel>(protocol::ServiceModel::parse(protocol::embedded_ecs_model()));
    return model;
}

inline std::string authorization_for(const std::string& region) {
    return "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/" + region +
           "/ecs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
}

class EcsHarness {
public:
    EcsHarness() { open(); }

    // Closes and reopens the store on the same directory, as a restart does.
    void reopen() {
        m_dispatcher.reset();
        m_ecs.reset();
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
        request.headers.emplace("X-Amz-Target", "AmazonEC2ContainerServiceV20141113." + operation);
        request.headers.emplace("Content-Type", "application/x-amz-json-1.1");
        request.headers.emplace("Authorization", authorization_for(region));
        request.body = input.dump();
        return raw(std::move(request));
    }

    // Calls an operation that must succeed, and returns its output.
    nlohmann::json ok(const std::string& operation, const nlohmann::json& input = nlohmann::json::object()) const {
        auto reply = call(operation, input);
        if (reply.status != 200)
            throw std::runtime_error(operation + " failed: " + reply.raw.body);
        return reply.body;
    }

    FakeClock& clock() { return m_clock; }
    util::IdGenerator& ids() { return m_ids; }
    ecs::EcsContext& ecs() { return *m_ecs; }
    store::Store& store() { return *m_store; }
    const std::string& data_dir() const { return m_dir.path(); }

private:
    void open() {
        m_store = std::make_unique<store::Store>(m_dir.path());
        m_ecs = std::make_unique<ecs::EcsContext>(ecs::EcsContext{*m_store, m_clock, m_ids, 30.0});
        m_dispatcher = std::make_unique<protocol::Dispatcher>(protocol::DispatcherOptions{"123456789012", "us-east-1"},
                                                              m_ids, m_log);
        ecs::register_ecs_service(*m_dispatcher, ecs_model(), *m_ecs);
    }

    TempDir m_dir;
    FakeClock m_clock;
    util::IdGenerator m_ids{42};
    std::ostringstream m_log_sink;
    util::Logger m_log{m_log_sink, util::LogLevel::error};
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<ecs::EcsContext> m_ecs;
    std::unique_ptr<protocol::Dispatcher> m_dispatcher;
};

}  // namespace ecsbox::testing
