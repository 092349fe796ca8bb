#include "store/db.hpp"

namespace ecsbox::store {

namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    throw StoreError(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Statement& Statement::bind(int index, std::string_view value) {
    // An empty view may have no data pointer, which SQLite would store as NULL rather than ''.
    const char* data = value.data() ? value.data() : "";
    if (sqlite3_bind_text(m_stmt, index, data, static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK)
        fail(sqlite3_db_handle(m_stmt), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK) fail(sqlite3_db_handle(m_stmt), "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    if (sqlite3_bind_double(m_stmt, index, value) != SQLITE_OK) fail(sqlite3_db_handle(m_stmt), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
    if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK) fail(sqlite3_db_handle(m_stmt), "bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(sqlite3_db_handle(m_stmt), std::string("step ") + sqlite3_sql(m_stmt));
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::string Statement::text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column))) : std::string();
}

std::optional<std::string> Statement::optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
}

std::optional<double> Statement::optional_real(int column) const {
    if (is_null(column)) return std::nullopt;
    return real(column);
}

Database::Database(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        const std::string message = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close(m_db);
        throw StoreError("cannot open " + path + ": " + message);
    }
    sqlite3_busy_timeout(m_db, 5000);
    try {
        // WAL with synchronous=NORMAL survives a killed process without losing a committed
        // transaction; only a power cut may drop the last few.
        // A 32 MiB page cache holds the hot tables of thousands of tasks, which the schedulers
        // read on every pass, without a read from the file system per page.
        exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;");
    } catch (...) {
        sqlite3_close(m_db);  // the destructor does not run for a constructor that throws
        throw;
    }
}

Database::~Database() {
    m_statements.clear();  // statements must be finalized before the connection closes
    sqlite3_close(m_db);
}

void Database::exec(const std::string& sql) {
    auto guard = lock();
    char* error = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw StoreError(message + " (in: " + sql.substr(0, 80) + ")");
    }
}

Query Database::prepare(const std::string& sql) {
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v3(m_db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                               nullptr) != SQLITE_OK)
            fail(m_db, "prepare " + sql);
        it = m_statements.emplace(sql, std::make_unique<Statement>(stmt)).first;
    }
    return Query(*it->second);
}

Transaction::Transaction(Database& db) : m_db(db), m_lock(db.lock()) { m_db.exec("SAVEPOINT ecsbox"); }

Transaction::~Transaction() {
    if (m_done) return;
    try {
        m_db.exec("ROLLBACK TO ecsbox; RELEASE ecsbox");
    } catch (...) {
        // Nothing more can be done; SQLite rolls back the open transaction when the connection closes.
    }
}

void Transaction::commit() {
    m_db.exec("RELEASE ecsbox");
    m_done = true;
}

}  // namespace ecsbox::store
