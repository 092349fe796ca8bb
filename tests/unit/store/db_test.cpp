#include "store/db.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

using ecsbox::store::Database;
using ecsbox::store::StoreError;
using ecsbox::store::Transaction;
using ecsbox::testing::TempDir;

namespace {

std::vector<std::int64_t> values(Database& db) {
    auto guard = db.lock();
    auto query = db.prepare("SELECT v FROM t ORDER BY v");
    std::vector<std::int64_t> out;
    while (query->step()) out.push_back(query->int64(0));
    return out;
}

void insert(Database& db, std::int64_t v) {
    auto guard = db.lock();
    db.prepare("INSERT INTO t (v) VALUES (?1)")->bind_all(v).run();
}

std::string type_of_bound(Database& db, auto&& value) {
    auto guard = db.lock();
    auto query = db.prepare("SELECT typeof(?1)");
    query->bind(1, value);
    REQUIRE(query->step());
    return query->text(0);
}

std::size_t open_descriptors() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

}  // namespace

TEST_CASE("a database opens in WAL mode with foreign keys enforced", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    auto guard = db.lock();
    {
        auto query = db.prepare("PRAGMA journal_mode");
        REQUIRE(query->step());
        CHECK(query->text(0) == "wal");
    }
    {
        auto query = db.prepare("PRAGMA foreign_keys");
        REQUIRE(query->step());
        CHECK(query->int64(0) == 1);
    }
    CHECK(std::filesystem::exists(dir.path() + "/t.db"));
}

TEST_CASE("statements bind text, integers, reals and NULL with their SQL types", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    CHECK(type_of_bound(db, std::string("x")) == "text");
    CHECK(type_of_bound(db, std::string_view("x")) == "text");
    CHECK(type_of_bound(db, "x") == "text");
    CHECK(type_of_bound(db, std::string()) == "text");
    CHECK(type_of_bound(db, 7) == "integer");
    CHECK(type_of_bound(db, std::int64_t{7}) == "integer");
    CHECK(type_of_bound(db, 2.5) == "real");
    CHECK(type_of_bound(db, std::nullopt) == "null");
    CHECK(type_of_bound(db, std::optional<std::string>()) == "null");
    CHECK(type_of_bound(db, std::optional<std::string>("y")) == "text");
    CHECK(type_of_bound(db, std::optional<std::int64_t>()) == "null");
    CHECK(type_of_bound(db, std::optional<std::int64_t>(3)) == "integer");
    CHECK(type_of_bound(db, std::optional<double>()) == "null");
    CHECK(type_of_bound(db, std::optional<double>(0.5)) == "real");
}

TEST_CASE("an empty string_view binds as empty text, not NULL", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    CHECK(type_of_bound(db, std::string_view()) == "text");
}

TEST_CASE("bound values read back unchanged, including binary text and extreme numbers", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE r (s TEXT, i INTEGER, d REAL, n TEXT, o REAL)");
    const std::string binary("a\0b\xff\xc3\xa9", 6);
    auto guard = db.lock();
    db.prepare("INSERT INTO r VALUES (?1, ?2, ?3, ?4, ?5)")
        ->bind_all(binary, std::int64_t{-9223372036854775807LL - 1}, 1234.5678, std::optional<std::string>(),
                   std::optional<double>(0.25))
        .run();
    auto query = db.prepare("SELECT s, i, d, n, o FROM r");
    REQUIRE(query->step());
    CHECK(query->text(0) == binary);
    CHECK(query->int64(1) == -9223372036854775807LL - 1);
    CHECK(query->real(2) == 1234.5678);
    CHECK(query->is_null(3));
    CHECK_FALSE(query->is_null(4));
    CHECK(query->optional_text(3) == std::nullopt);
    CHECK(query->text(3) == "");
    CHECK(query->optional_real(4) == std::optional<double>(0.25));
    CHECK(query->optional_text(0) == std::optional<std::string>(binary));
    CHECK_FALSE(query->step());
}

TEST_CASE("optional_real is empty for NULL", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    auto guard = db.lock();
    auto query = db.prepare("SELECT NULL");
    REQUIRE(query->step());
    CHECK(query->optional_real(0) == std::nullopt);
}

TEST_CASE("a cached statement left mid-result is reset and reusable with new bindings", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE t (v INTEGER)");
    for (int v = 1; v <= 5; ++v) insert(db, v);
    const std::string sql = "SELECT v FROM t WHERE v > ?1 ORDER BY v";
    auto first_above = [&](std::int64_t floor) -> std::optional<std::int64_t> {
        auto guard = db.lock();
        auto query = db.prepare(sql);
        query->bind_all(floor);
        if (!query->step()) return std::nullopt;
        return query->int64(0);  // early return with more rows pending
    };
    CHECK(first_above(0) == std::optional<std::int64_t>(1));
    CHECK(first_above(3) == std::optional<std::int64_t>(4));
    CHECK(first_above(5) == std::nullopt);
    CHECK(first_above(1) == std::optional<std::int64_t>(2));
}

TEST_CASE("a reused statement forgets the previous use's bindings", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    auto guard = db.lock();
    {
        auto query = db.prepare("SELECT ?1");
        query->bind_all(std::string("old"));
        REQUIRE(query->step());
        CHECK(query->text(0) == "old");
    }
    auto query = db.prepare("SELECT ?1");
    REQUIRE(query->step());
    CHECK(query->is_null(0));
}

TEST_CASE("a statement abandoned mid-result holds no read snapshot", "[store][db]") {
    TempDir dir;
    const std::string path = dir.path() + "/t.db";
    Database reader(path);
    Database writer(path);
    writer.exec("CREATE TABLE t (v INTEGER)");
    insert(writer, 1);
    insert(writer, 2);
    {
        auto guard = reader.lock();
        auto query = reader.prepare("SELECT v FROM t ORDER BY v");
        REQUIRE(query->step());  // one row read, one pending, then the Query goes away
    }
    insert(writer, 3);
    CHECK(values(reader) == std::vector<std::int64_t>{1, 2, 3});
}

TEST_CASE("changes reports the rows touched by the last statement", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2), (3);");
    auto guard = db.lock();
    db.prepare("UPDATE t SET v = v + 10 WHERE v >= ?1")->bind_all(2).run();
    CHECK(db.changes() == 2);
    db.prepare("DELETE FROM t WHERE v = ?1")->bind_all(99).run();
    CHECK(db.changes() == 0);
}

TEST_CASE("a committed transaction keeps its writes", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE t (v INTEGER)");
    {
        Transaction tx(db);
        insert(db, 1);
        insert(db, 2);
        tx.commit();
    }
    CHECK(values(db) == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("a transaction destroyed without commit rolls back its writes", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE t (v INTEGER)");
    insert(db, 1);
    {
        Transaction tx(db);
        insert(db, 2);
    }
    CHECK(values(db) == std::vector<std::int64_t>{1});
}

TEST_CASE("an exception leaving a transaction rolls it back", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE t (v INTEGER)");
    CHECK_THROWS_AS(
        [&] {
            Transaction tx(db);
            insert(db, 1);
            throw std::runtime_error("boom");
        }(),
        std::runtime_error);
    CHECK(values(db).empty());
    // The connection is usable and not stuck inside a transaction afterwards.
    insert(db, 5);
    Database other(dir.path() + "/t.db");
    CHECK(values(other) == std::vector<std::int64_t>{5});
}

TEST_CASE("an inner transaction rolled back undoes only its own writes", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE t (v INTEGER)");
    {
        Transaction outer(db);
        insert(db, 1);
        {
            Transaction inner(db);
            insert(db, 2);
        }
        insert(db, 3);
        outer.commit();
    }
    CHECK(values(db) == std::vector<std::int64_t>{1, 3});
}

TEST_CASE("an inner commit is undone when the outer transaction rolls back", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE t (v INTEGER)");
    {
        Transaction outer(db);
        insert(db, 1);
        {
            Transaction inner(db);
            insert(db, 2);
            inner.commit();
        }
    }
    CHECK(values(db).empty());
}

TEST_CASE("three nested transactions commit and roll back level by level", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE t (v INTEGER)");
    {
        Transaction a(db);
        insert(db, 1);
        {
            Transaction b(db);
            insert(db, 2);
            {
                Transaction c(db);
                insert(db, 3);
                c.commit();
            }
            {
                Transaction c(db);
                insert(db, 4);
            }
            b.commit();
        }
        {
            Transaction b(db);
            insert(db, 5);
        }
        a.commit();
    }
    CHECK(values(db) == std::vector<std::int64_t>{1, 2, 3});
}

TEST_CASE("writes inside an open transaction are invisible to other connections until commit", "[store][db]") {
    TempDir dir;
    const std::string path = dir.path() + "/t.db";
    Database db(path);
    Database other(path);
    db.exec("CREATE TABLE t (v INTEGER)");
    Transaction tx(db);
    insert(db, 1);
    CHECK(values(other).empty());
    tx.commit();
    CHECK(values(other) == std::vector<std::int64_t>{1});
}

TEST_CASE("a transaction keeps other threads out of the connection until it ends", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE t (v INTEGER)");
    std::atomic<bool> started{false};
    std::atomic<bool> other_done{false};
    std::thread other;
    {
        Transaction tx(db);
        insert(db, 1);
        other = std::thread([&] {
            started = true;
            insert(db, 2);
            other_done = true;
        });
        while (!started) std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        CHECK_FALSE(other_done);
        // Rolled back: had the other thread's insert joined this transaction, it would vanish too.
    }
    other.join();
    CHECK(values(db) == std::vector<std::int64_t>{2});
}

TEST_CASE("malformed SQL throws StoreError naming the problem", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    CHECK_THROWS_AS(db.exec("SELEC 1"), StoreError);
    CHECK_THROWS_WITH(db.exec("SELECT * FROM missing_table"), Catch::Contains("no such table"));
    auto guard = db.lock();
    CHECK_THROWS_AS(db.prepare("SELECT * FROM missing_table"), StoreError);
    CHECK_THROWS_WITH(db.prepare("SELEC 1"), Catch::Contains("syntax error"));
}

TEST_CASE("a constraint violation while stepping throws StoreError", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    db.exec("CREATE TABLE u (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    auto guard = db.lock();
    db.prepare("INSERT INTO u VALUES (?1, ?2)")->bind_all("a", "1").run();
    CHECK_THROWS_WITH(db.prepare("INSERT INTO u VALUES (?1, ?2)")->bind_all("a", "2").run(),
                      Catch::Contains("UNIQUE"));
    CHECK_THROWS_AS(db.prepare("INSERT INTO u VALUES (?1, ?2)")->bind_all("b", std::nullopt).run(), StoreError);
    // The statement is usable again after the failure.
    db.prepare("INSERT INTO u VALUES (?1, ?2)")->bind_all("c", "3").run();
    CHECK(db.changes() == 1);
}

TEST_CASE("binding an index the statement does not have throws StoreError", "[store][db]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    auto guard = db.lock();
    CHECK_THROWS_AS(db.prepare("SELECT ?1")->bind(2, 1), StoreError);
}

TEST_CASE("opening a database in a directory that does not exist throws StoreError", "[store][db]") {
    TempDir dir;
    CHECK_THROWS_AS(Database(dir.path() + "/missing/t.db"), StoreError);
    CHECK_THROWS_WITH(Database(dir.path() + "/missing/t.db"), Catch::Contains("missing/t.db"));
}

TEST_CASE("opening a database beneath a regular file throws StoreError", "[store][db]") {
    TempDir dir;
    std::ofstream(dir.path() + "/file") << "not a directory";
    CHECK_THROWS_AS(Database(dir.path() + "/file/t.db"), StoreError);
}

TEST_CASE("opening a file that is not a database throws StoreError", "[store][db]") {
    TempDir dir;
    std::ofstream(dir.path() + "/junk.db") << std::string(8192, 'x');
    CHECK_THROWS_AS(Database(dir.path() + "/junk.db"), StoreError);
}

TEST_CASE("a database that fails to open leaves no file descriptor behind", "[store][db]") {
    TempDir dir;
    std::ofstream(dir.path() + "/junk.db") << std::string(8192, 'x');
    // Warm up whatever the library opens once.
    CHECK_THROWS_AS(Database(dir.path() + "/junk.db"), StoreError);
    const std::size_t before = open_descriptors();
    for (int i = 0; i < 10; ++i) CHECK_THROWS_AS(Database(dir.path() + "/junk.db"), StoreError);
    CHECK(open_descriptors() == before);
}
