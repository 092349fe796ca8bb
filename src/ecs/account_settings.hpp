#pragma once
// ECS account settings: PutAccountSetting, PutAccountSettingDefault, DeleteAccountSetting,
// ListAccountSettings. The root user's setting is the account default; a user or role may
// override it; where neither is set, ECS's own default applies.
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

// The value that applies to `principal_arn` for setting `name`.
std::string effective_setting(EcsContext& ecs, const protocol::CallContext& call, const std::string& principal_arn,
                              const std::string& name);

json put_account_setting(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json put_account_setting_default(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json delete_account_setting(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json list_account_settings(EcsContext& ecs, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecs
