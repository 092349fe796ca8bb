#include "scheduler/cluster_query.hpp"

#include <catch2/catch.hpp>

using ecsbox::scheduler::ClusterQuery;
using ecsbox::scheduler::ClusterQueryError;
using ecsbox::scheduler::InstanceFacts;

namespace {

InstanceFacts instance() {
    InstanceFacts facts;
    facts.attributes = {{"ecs.availability-zone", "us-east-1a"},
                        {"ecs.os-type", "linux"},
                        {"stack", "prod"},
                        {"gpu", std::nullopt}};
    facts.agent_connected = true;
    facts.agent_version = "1.80.0";
    facts.registered_at = "2026-05-01T10:00:00Z";
    facts.running_tasks_count = 3;
    facts.task_groups = {"service:web", "family:batch"};
    return facts;
}

bool matches(const char* expression) { return ClusterQuery::parse(expression).matches(instance()); }

}  // namespace

TEST_CASE("cluster queries compare attributes", "[scheduler][cluster_query]") {
    CHECK(matches("attribute:stack == prod"));
    CHECK(matches("attribute:stack equals prod"));
    CHECK_FALSE(matches("attribute:stack == dev"));
    CHECK(matches("attribute:stack != dev"));
    CHECK(matches("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]"));
    CHECK_FALSE(matches("attribute:ecs.availability-zone not_in [us-east-1a]"));
    CHECK(matches("attribute:ecs.availability-zone =~ us-east-.*"));
    CHECK(matches("attribute:ecs.availability-zone !~ eu-.*"));
}

TEST_CASE("cluster queries see attributes without values, and missing ones", "[scheduler][cluster_query]") {
    CHECK(matches("attribute:gpu exists"));
    CHECK_FALSE(matches("attribute:tpu exists"));
    CHECK(matches("attribute:tpu !exists"));
    CHECK_FALSE(matches("attribute:tpu == x"));
    CHECK(matches("attribute:tpu != x"));  // no value of it is x
}

TEST_CASE("cluster queries ask about the agent, counts, dates and task groups", "[scheduler][cluster_query]") {
    CHECK(matches("agentConnected == true"));
    CHECK(matches("runningTasksCount > 2"));
    CHECK(matches("runningTasksCount <= 3"));
    CHECK_FALSE(matches("runningTasksCount > 10"));  // numbers compare as numbers, not text
    CHECK(matches("registeredAt >= 2026-01-01"));
    CHECK(matches("registeredAt < 2027-01-01T00:00:00Z"));
    CHECK(matches("task:group == service:web"));
    CHECK_FALSE(matches("task:group == service:api"));
    CHECK(matches("not(task:group == service:api)"));
    CHECK_FALSE(matches("task:group != service:web"));
}

TEST_CASE("cluster queries combine with and, or, not and parentheses", "[scheduler][cluster_query]") {
    CHECK(matches("attribute:stack == prod and agentConnected == true"));
    CHECK(matches("attribute:stack == dev or attribute:ecs.os-type == linux"));
    CHECK_FALSE(matches("attribute:stack == dev || attribute:ecs.os-type == windows"));
    CHECK(matches("(attribute:stack == dev or attribute:stack == prod) && runningTasksCount < 5"));
    CHECK(matches("! attribute:stack == dev"));
    // and binds tighter than or
    CHECK(matches("attribute:stack == prod or attribute:stack == dev and agentConnected == false"));
}

TEST_CASE("malformed cluster queries say what is wrong", "[scheduler][cluster_query]") {
    CHECK_THROWS_AS(ClusterQuery::parse(""), ClusterQueryError);
    CHECK_THROWS_WITH(ClusterQuery::parse("color == red"), Catch::Contains("not a subject"));
    CHECK_THROWS_WITH(ClusterQuery::parse("attribute:stack ~~ prod"), Catch::Contains("not an operator"));
    CHECK_THROWS_WITH(ClusterQuery::parse("attribute:stack =="), Catch::Contains("ends"));
    CHECK_THROWS_WITH(ClusterQuery::parse("attribute:stack in prod"), Catch::Contains("list"));
    CHECK_THROWS_WITH(ClusterQuery::parse("(attribute:stack exists"), Catch::Contains("ends"));
    CHECK_THROWS_WITH(ClusterQuery::parse("attribute:stack exists agentConnected"), Catch::Contains("unexpected"));
    CHECK_THROWS_WITH(ClusterQuery::parse("attribute:stack =~ ("), Catch::Contains("value"));
    CHECK_THROWS_WITH(ClusterQuery::parse("attribute:stack =~ *abc"), Catch::Contains("not a valid pattern"));
}
