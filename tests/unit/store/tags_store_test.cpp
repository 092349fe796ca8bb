#include "store/tags_store.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "store/db.hpp"
#include "store/schema.hpp"
#include "support/migrated_db.hpp"
#include "support/temp_dir.hpp"

using ecsbox::store::Database;
using ecsbox::store::TagList;
using ecsbox::store::TagsStore;
using ecsbox::testing::migrated;
using ecsbox::testing::TempDir;

namespace {

struct Fixture {
    TempDir dir;
    Database db{dir.path() + "/t.db"};
    TagsStore tags{migrated(db)};
};

const std::string k_arn = "arn:aws:ecs:us-east-1:000000000000:cluster/c";
const std::string k_other_arn = "arn:aws:ecs:us-east-1:000000000000:cluster/d";

}  // namespace

TEST_CASE("a resource without tags lists none and counts zero", "[store][tags]") {
    Fixture f;
    CHECK(f.tags.list(k_arn).empty());
    CHECK(f.tags.count(k_arn) == 0);
}

TEST_CASE("tags are listed in the order their keys were first set", "[store][tags]") {
    Fixture f;
    f.tags.put(k_arn, {{"zeta", "1"}, {"alpha", "2"}});
    f.tags.put(k_arn, {{"mid", "3"}});
    CHECK(f.tags.list(k_arn) == TagList{{"zeta", "1"}, {"alpha", "2"}, {"mid", "3"}});
    CHECK(f.tags.count(k_arn) == 3);
}

TEST_CASE("putting an existing key overwrites its value and keeps its position", "[store][tags]") {
    Fixture f;
    f.tags.put(k_arn, {{"a", "1"}, {"b", "2"}, {"c", "3"}});
    f.tags.put(k_arn, {{"b", "two"}, {"d", "4"}});
    CHECK(f.tags.list(k_arn) == TagList{{"a", "1"}, {"b", "two"}, {"c", "3"}, {"d", "4"}});
}

TEST_CASE("a key repeated within one put ends with the last value", "[store][tags]") {
    Fixture f;
    f.tags.put(k_arn, {{"a", "1"}, {"b", "2"}, {"a", "3"}});
    CHECK(f.tags.list(k_arn) == TagList{{"a", "3"}, {"b", "2"}});
}

TEST_CASE("empty tag values and keys that differ only in case are kept apart", "[store][tags]") {
    Fixture f;
    f.tags.put(k_arn, {{"Env", ""}, {"env", "prod"}});
    CHECK(f.tags.list(k_arn) == TagList{{"Env", ""}, {"env", "prod"}});
}

TEST_CASE("removing tags deletes only the named keys and ignores absent ones", "[store][tags]") {
    Fixture f;
    f.tags.put(k_arn, {{"a", "1"}, {"b", "2"}, {"c", "3"}});
    f.tags.remove(k_arn, {"b", "missing"});
    CHECK(f.tags.list(k_arn) == TagList{{"a", "1"}, {"c", "3"}});
    f.tags.remove(k_arn, {});
    CHECK(f.tags.count(k_arn) == 2);
}

TEST_CASE("a key removed and set again moves to the end", "[store][tags]") {
    Fixture f;
    f.tags.put(k_arn, {{"a", "1"}, {"b", "2"}, {"c", "3"}});
    f.tags.remove(k_arn, {"a", "c"});
    f.tags.put(k_arn, {{"a", "new"}});
    f.tags.put(k_arn, {{"c", "newer"}});
    CHECK(f.tags.list(k_arn) == TagList{{"b", "2"}, {"a", "new"}, {"c", "newer"}});
}

TEST_CASE("remove_all deletes every tag of one resource only", "[store][tags]") {
    Fixture f;
    f.tags.put(k_arn, {{"a", "1"}, {"b", "2"}});
    f.tags.put(k_other_arn, {{"a", "x"}});
    f.tags.remove_all(k_arn);
    CHECK(f.tags.list(k_arn).empty());
    CHECK(f.tags.count(k_arn) == 0);
    CHECK(f.tags.list(k_other_arn) == TagList{{"a", "x"}});
    f.tags.put(k_arn, {{"z", "9"}});
    CHECK(f.tags.list(k_arn) == TagList{{"z", "9"}});
}

TEST_CASE("tags of different resources are independent", "[store][tags]") {
    Fixture f;
    f.tags.put(k_arn, {{"a", "1"}, {"b", "2"}});
    f.tags.put(k_other_arn, {{"b", "other"}, {"a", "other"}});
    f.tags.remove(k_other_arn, {"a"});
    CHECK(f.tags.list(k_arn) == TagList{{"a", "1"}, {"b", "2"}});
    CHECK(f.tags.list(k_other_arn) == TagList{{"b", "other"}});
    CHECK(f.tags.count(k_other_arn) == 1);
}

TEST_CASE("a put that fails part way leaves the resource's tags as they were", "[store][tags]") {
    Fixture f;
    f.tags.put(k_arn, {{"a", "1"}});
    // A trigger makes the second insert fail, after the first has been written.
    f.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON tags WHEN NEW.key = 'bad' "
              "BEGIN SELECT RAISE(ABORT, 'refused'); END");
    CHECK_THROWS_AS(f.tags.put(k_arn, {{"a", "changed"}, {"b", "2"}, {"bad", "x"}}), ecsbox::store::StoreError);
    CHECK(f.tags.list(k_arn) == TagList{{"a", "1"}});
}

TEST_CASE("four threads putting 200 tags each on distinct resources lose none", "[store][tags][concurrency]") {
    Fixture f;
    constexpr int k_threads = 4;
    constexpr int k_per_thread = 200;
    auto arn = [](int t, int i) { return "arn:aws:ecs:us-east-1:000000000000:task/t" + std::to_string(t) + "-" +
                                         std::to_string(i); };
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t)
        threads.emplace_back([&f, &arn, t] {
            for (int i = 0; i < k_per_thread; ++i)
                f.tags.put(arn(t, i), {{"thread", std::to_string(t)}, {"index", std::to_string(i)}});
        });
    for (auto& thread : threads) thread.join();
    for (int t = 0; t < k_threads; ++t)
        for (int i = 0; i < k_per_thread; ++i)
            REQUIRE(f.tags.list(arn(t, i)) == TagList{{"thread", std::to_string(t)}, {"index", std::to_string(i)}});
    auto guard = f.db.lock();
    auto query = f.db.prepare("SELECT count(*) FROM tags");
    REQUIRE(query->step());
    CHECK(query->int64(0) == 2 * k_threads * k_per_thread);
}
