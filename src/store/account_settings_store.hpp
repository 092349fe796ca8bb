#pragma once
// ECS account settings: per principal (an IAM user or role ARN, or the account root for the
// account default), per region. Thread-safe through the Database lock.
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/scope.hpp"

namespace ecsbox::store {

struct AccountSettingRecord {
    std::string principal_arn;
    std::string name;
    std::string value;
};

class AccountSettingsStore {
public:
    explicit AccountSettingsStore(Database& db) : m_db(db) {}

    void put(const Scope& scope, const AccountSettingRecord& record);
    bool remove(const Scope& scope, const std::string& principal_arn, const std::string& name);
    std::optional<AccountSettingRecord> find(const Scope& scope, const std::string& principal_arn,
                                             const std::string& name);
    // Every setting of one principal, ordered by name.
    std::vector<AccountSettingRecord> list(const Scope& scope, const std::string& principal_arn);

private:
    Database& m_db;
};

}  // namespace ecsbox::store
