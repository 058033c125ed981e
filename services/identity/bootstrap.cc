#include "services/identity/bootstrap.h"

#include "engine/directory.h"
#include "services/identity/credentials.h"

namespace docket {
namespace {

v1::Command DirectoryCommand(const std::string& id) {
  v1::Command command;
  command.set_command_id(id);
  command.set_case_id(kDirectoryStream);
  *command.mutable_actor() = SystemActor();
  return command;
}

}  // namespace

absl::Status HashPasswordAtTheEdge(v1::Command* command) {
  if (!command->has_directory() || !command->directory().has_set_password()) {
    return absl::OkStatus();
  }
  v1::SetPassword* set = command->mutable_directory()->mutable_set_password();
  if (set->password().empty()) return absl::OkStatus();
  absl::StatusOr<v1::PasswordHash> hash =
      HashPassword(set->password(), PasswordSalt(command->command_id(), set->principal_id()));
  if (!hash.ok()) return hash.status();
  *set->mutable_hash() = *std::move(hash);
  set->clear_password();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Command>> BootstrapCommands(const std::string& admin,
                                                           const std::string& password) {
  std::vector<v1::Command> commands;
  v1::Command system = DirectoryCommand("init-system");
  v1::Principal* docket = system.mutable_directory()->mutable_grant();
  docket->set_id(kSystemPrincipal);
  docket->set_name("docket");
  docket->set_kind(v1::PRINCIPAL_KIND_SYSTEM);
  docket->set_role(v1::ROLE_SYSTEM);
  docket->set_level(v1::LEVEL_HEADQUARTERS);
  commands.push_back(system);
  v1::Command first = DirectoryCommand("init-admin");
  v1::Principal* principal = first.mutable_directory()->mutable_grant();
  principal->set_id(admin);
  principal->set_name(admin);
  principal->set_kind(v1::PRINCIPAL_KIND_PERSON);
  principal->set_role(v1::ROLE_ADMIN);
  principal->set_level(v1::LEVEL_HEADQUARTERS);
  commands.push_back(first);
  if (!password.empty()) {
    v1::Command set = DirectoryCommand("init-admin-password");
    set.mutable_directory()->mutable_set_password()->set_principal_id(admin);
    set.mutable_directory()->mutable_set_password()->set_password(password);
    absl::Status hashed = HashPasswordAtTheEdge(&set);
    if (!hashed.ok()) return hashed;
    commands.push_back(set);
  }
  return commands;
}

}  // namespace docket
