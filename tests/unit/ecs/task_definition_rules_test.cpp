#include <catch2/catch.hpp>

#include "ecs/task_definition_rules.hpp"

using namespace ecsbox::ecs;

TEST_CASE("task cpu is read in units or vCPUs", "[ecs][task-definition-rules]") {
    CHECK(parse_task_cpu("1024") == 1024);
    CHECK(parse_task_cpu("1 vCPU") == 1024);
    CHECK(parse_task_cpu("0.25 vcpu") == 256);
    CHECK(parse_task_cpu(".5vCPU") == 512);
    CHECK_FALSE(parse_task_cpu(""));
    CHECK_FALSE(parse_task_cpu("vCPU"));
    CHECK_FALSE(parse_task_cpu("1 GB"));
    CHECK_FALSE(parse_task_cpu("1.5"));
    CHECK_FALSE(parse_task_cpu("99999999999999999999"));
}

TEST_CASE("task memory is read in MiB or GB", "[ecs][task-definition-rules]") {
    CHECK(parse_task_memory("512") == 512);
    CHECK(parse_task_memory("2 GB") == 2048);
    CHECK(parse_task_memory("0.5GB") == 512);
    CHECK_FALSE(parse_task_memory("2 TB"));
}

TEST_CASE("Fargate sizes follow the published cpu and memory table", "[ecs][task-definition-rules]") {
    CHECK(is_valid_fargate_size(256, 512));
    CHECK(is_valid_fargate_size(256, 2048));
    CHECK_FALSE(is_valid_fargate_size(256, 1536));
    CHECK_FALSE(is_valid_fargate_size(256, 3072));
    CHECK(is_valid_fargate_size(512, 4096));
    CHECK_FALSE(is_valid_fargate_size(512, 512));
    CHECK(is_valid_fargate_size(4096, 30720));
    CHECK_FALSE(is_valid_fargate_size(4096, 31744));
    CHECK(is_valid_fargate_size(8192, 20480));
    CHECK_FALSE(is_valid_fargate_size(8192, 17408));  // 8 vCPU steps in 4 GB
    CHECK(is_valid_fargate_size(16384, 122880));
    CHECK_FALSE(is_valid_fargate_size(300, 1024));
}
