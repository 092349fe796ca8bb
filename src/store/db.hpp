#pragma once
// RAII over SQLite: a connection, its prepared statements (prepared once, cached, reset after
// each use) and savepoint-based transactions that nest. One connection is shared by all
// threads; every use holds the connection's recursive mutex (see Database::lock), which also
// makes SQLite's single writer explicit. Errors throw StoreError.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <sqlite3.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ecsbox::store {

class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Statement {
public:
    explicit Statement(sqlite3_stmt* stmt) : m_stmt(stmt) {}
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() { sqlite3_finalize(m_stmt); }

    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::nullopt_t);
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, std::nullopt);
    }

    // Binds all arguments in order from index 1.
    template <typename... Args>
    Statement& bind_all(const Args&... args) {
        int index = 0;
        (bind(++index, args), ...);
        return *this;
    }

    bool step();  // true while a row is available
    void run();   // steps to completion (for statements returning no rows)
    void reset();

    std::string text(int column) const;
    std::optional<std::string> optional_text(int column) const;
    std::int64_t int64(int column) const { return sqlite3_column_int64(m_stmt, column); }
    double real(int column) const { return sqlite3_column_double(m_stmt, column); }
    std::optional<double> optional_real(int column) const;
    bool is_null(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }

private:
    sqlite3_stmt* m_stmt;
};

class Database {
public:
    // Opens (creating if needed) the file and sets WAL mode. Throws StoreError.
    explicit Database(const std::string& path);
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    [[nodiscard]] std::unique_lock<std::recursive_mutex> lock() { return std::unique_lock(m_mutex); }

    void exec(const std::string& sql);
    // A cached statement, ready to bind; it is reset when the returned Query goes out of scope,
    // so no read snapshot outlives its use. The caller must hold lock() while using it.
    class Query prepare(const std::string& sql);
    std::int64_t changes() const { return sqlite3_changes64(m_db); }

private:
    friend class Statement;
    sqlite3* m_db = nullptr;
    std::recursive_mutex m_mutex;
    std::unordered_map<std::string, std::unique_ptr<Statement>> m_statements;
};

// One use of a cached statement; resets it on destruction.
class Query {
public:
    explicit Query(Statement& stmt) : m_stmt(&stmt) {}
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    ~Query() { m_stmt->reset(); }
    Statement* operator->() const { return m_stmt; }
    Statement& operator*() const { return *m_stmt; }

private:
    Statement* m_stmt;
};

// A savepoint: commits on commit(), rolls back if destroyed without it. Holds the lock.
class Transaction {
public:
    explicit Transaction(Database& db);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

private:
    Database& m_db;
    std::unique_lock<std::recursive_mutex> m_lock;
    bool m_done = false;
};

}  // namespace ecsbox::store
