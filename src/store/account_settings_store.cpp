#include "store/account_settings_store.hpp"

namespace ecsbox::store {

void AccountSettingsStore::put(const Scope& scope, const AccountSettingRecord& r) {
    auto guard = m_db.lock();
    m_db.prepare("INSERT INTO account_settings (account, region, principal_arn, name, value) "
                 "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account, region, principal_arn, name) "
                 "DO UPDATE SET value = excluded.value")
        ->bind_all(scope.account, scope.region, r.principal_arn, r.name, r.value)
        .run();
}

bool AccountSettingsStore::remove(const Scope& scope, const std::string& principal_arn, const std::string& name) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM account_settings WHERE account = ?1 AND region = ?2 AND principal_arn = ?3 AND name = ?4")
        ->bind_all(scope.account, scope.region, principal_arn, name)
        .run();
    return m_db.changes() > 0;
}

std::optional<AccountSettingRecord> AccountSettingsStore::find(const Scope& scope, const std::string& principal_arn,
                                                               const std::string& name) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT principal_arn, name, value FROM account_settings "
                              "WHERE account = ?1 AND region = ?2 AND principal_arn = ?3 AND name = ?4");
    query->bind_all(scope.account, scope.region, principal_arn, name);
    if (!query->step()) return std::nullopt;
    return AccountSettingRecord{query->text(0), query->text(1), query->text(2)};
}

std::vector<AccountSettingRecord> AccountSettingsStore::list(const Scope& scope, const std::string& principal_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT principal_arn, name, value FROM account_settings "
                              "WHERE account = ?1 AND region = ?2 AND principal_arn = ?3 ORDER BY name");
    query->bind_all(scope.account, scope.region, principal_arn);
    std::vector<AccountSettingRecord> rows;
    while (query->step()) rows.push_back({query->text(0), query->text(1), query->text(2)});
    return rows;
}

}  // namespace ecsbox::store
