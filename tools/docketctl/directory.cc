// init, directory and token: the local administrator's verbs (whoever can
// read the data directory owns it, as with a database's superuser socket).

#include "engine/directory.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/time_util.h"
#include "services/identity/bootstrap.h"
#include "services/identity/credentials.h"
#include "services/kafka/gateway.h"
#include "services/runtime/json_codec.h"
#include "tools/docketctl/docketctl.h"
#include "tools/docketctl/flags.h"
#include "tools/docketctl/line_reader.h"
#include "tools/docketctl/runtime.h"

namespace docket::ctl {
namespace {

// Prints each outcome; whether any was refused.
bool PrintOutcomes(const std::vector<v1::CommandOutcome>& outcomes) {
  bool rejected = false;
  for (const v1::CommandOutcome& outcome : outcomes) {
    rejected |= outcome.has_rejection();
    std::cout << ToJson(outcome) << "\n";
  }
  return rejected;
}

v1::Command DirectoryCommand(const std::string& id, const v1::Actor& actor) {
  v1::Command command;
  command.set_command_id(id);
  command.set_case_id(kDirectoryStream);
  *command.mutable_actor() = actor;
  return command;
}

// The administrator a verb acts as: --as, else the directory's first.
absl::StatusOr<v1::Actor> Administrator(const EmbeddedRuntime& runtime) {
  v1::Actor actor;
  actor.set_id(absl::GetFlag(FLAGS_as));
  if (!actor.id().empty()) return actor;
  absl::StatusOr<v1::DirectoryState> directory = runtime.store()->ReadDirectory();
  if (!directory.ok()) return directory.status();
  for (const v1::Principal& p : directory->principals()) {
    if (p.role() == v1::ROLE_ADMIN && !p.revoked()) {
      actor.set_id(p.id());
      return actor;
    }
  }
  return absl::FailedPreconditionError(
      "the directory has no administrator: run docketctl init --admin=ID first");
}

int Init(const Args& args) {
  const std::string admin = absl::GetFlag(FLAGS_admin);
  if (!args.empty() || admin.empty()) {
    std::cerr << "docketctl: usage: init --admin=ID [--password=PW]\n";
    return kUsage;
  }
  // docket itself bootstraps the directory: its own principal, then the
  // first administrator.
  absl::StatusOr<std::vector<v1::Command>> commands =
      BootstrapCommands(admin, absl::GetFlag(FLAGS_password));
  if (!commands.ok()) return Fail(commands.status());
  // On Kafka, signed with the engines' system key: docket's own commands.
  if (!absl::GetFlag(FLAGS_brokers).empty()) {
    return KafkaSubmitCommands({commands->begin(), commands->end()});
  }
  std::error_code ec;
  const bool made = !std::filesystem::exists(DataDir(), ec);
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = OpenRuntime(/*create=*/true);
  if (!runtime.ok()) return Fail(runtime.status());
  absl::StatusOr<v1::DirectoryState> directory = (*runtime)->store()->ReadDirectory();
  if (!directory.ok()) return Fail(directory.status());
  if (directory->revision() > 0) {
    std::cerr << "docketctl: " << DataDir() << " already has a directory (revision "
              << directory->revision() << "); change it with docketctl directory apply\n";
    return kUsage;
  }
  // All or nothing: a refused administrator (an id outside the grammar)
  // must not leave a directory bootstrapped without one, which init would
  // then refuse to set up again.
  CommandProcessor* processor = (*runtime)->processor();
  const absl::Time now = InvocationClock()->Now();
  std::vector<CommandProcessor::Timed> timed;
  for (const v1::Command& c : *commands) timed.push_back({c, now, /*internal=*/true});
  absl::StatusOr<std::vector<CommandProcessor::Decision>> decided = processor->Decide(timed);
  if (!decided.ok()) return Fail(decided.status());
  std::vector<v1::CommandOutcome> outcomes, refusals;
  for (const CommandProcessor::Decision& d : *decided) {
    outcomes.push_back(d.outcome);
    if (d.outcome.has_rejection()) refusals.push_back(d.outcome);
  }
  if (!refusals.empty()) {
    // Only the refusals: nothing was committed, and a directory this init
    // made is removed.
    processor->Abort();
    PrintOutcomes(refusals);
    runtime->reset();
    if (made) std::filesystem::remove_all(DataDir(), ec);
    std::cerr << "docketctl: " << DataDir() << " was not initialised\n";
    return kFailed;
  }
  if (absl::Status committed = processor->Commit(); !committed.ok()) return Fail(committed);
  PrintOutcomes(outcomes);
  std::cerr << "docketctl: initialised " << DataDir() << " with administrator " << admin << "\n";
  return kOk;
}

int DirectoryApply() {
  LineReader reader(STDIN_FILENO, kMaxCommandBytes);
  LineReader::Line line;
  std::vector<absl::StatusOr<v1::Command>> group;
  while (reader.Next(&line)) {
    if (line.blank()) continue;
    absl::StatusOr<v1::Command> command =
        line.too_long ? absl::StatusOr<v1::Command>(CommandTooLarge(line.length))
                      : ParseCommandJson(line.text);
    if (command.ok()) {
      if (command->case_id().empty()) command->set_case_id(kDirectoryStream);
      absl::Status hashed = HashPasswordAtTheEdge(&*command);
      if (!hashed.ok()) command = hashed;
    }
    group.push_back(std::move(command));
  }
  if (!absl::GetFlag(FLAGS_brokers).empty()) return KafkaSubmitCommands(std::move(group));
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = OpenRuntime();
  if (!runtime.ok()) return Fail(runtime.status());
  absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
      (*runtime)->processor()->SubmitBatch(group);
  if (!outcomes.ok()) return Fail(outcomes.status());
  return PrintOutcomes(*outcomes) ? kFailed : kOk;
}

int DirectoryList() {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenForReading();
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<v1::DirectoryState> directory = (*store)->ReadDirectory();
  if (!directory.ok()) return Fail(directory.status());
  const Directory view(*directory);
  if (absl::GetFlag(FLAGS_format) == "json") {
    for (const v1::Region& r : directory->regions()) std::cout << ToJson(r) << "\n";
    for (const v1::Branch& b : directory->branches()) std::cout << ToJson(b) << "\n";
    for (const v1::Principal& p : directory->principals()) std::cout << ToJson(p) << "\n";
    return kOk;
  }
  std::cout << "directory at revision " << directory->revision() << "\n\nregions:\n";
  for (const v1::Region& r : directory->regions()) {
    std::cout << "  " << r.id() << "  " << r.name() << "\n";
  }
  std::cout << "\nbranches:\n";
  for (const v1::Branch& b : directory->branches()) {
    std::cout << "  " << b.id() << "  " << b.name() << "  (region " << b.region_id() << ")\n";
  }
  std::cout << "\nprincipals:\n";
  for (const v1::Principal& p : directory->principals()) {
    std::vector<std::string> channels;
    for (int c : p.channels()) channels.push_back(v1::Channel_Name(static_cast<v1::Channel>(c)));
    std::cout << "  " << p.id() << "  " << p.name() << "  " << v1::Role_Name(p.role()) << " "
              << v1::Level_Name(p.level())
              << (p.branch_id().empty() ? "" : absl::StrCat(" branch ", p.branch_id()))
              << (p.region_id().empty() ? "" : absl::StrCat(" region ", p.region_id()))
              << (channels.empty() ? "" : absl::StrCat(" ", absl::StrJoin(channels, ",")))
              << (view.FindPassword(p.id()) != nullptr ? " password" : "")
              << (p.revoked() ? " REVOKED" : "") << "\n";
  }
  return kOk;
}

int TokenIssue(const std::string& principal_id) {
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = OpenRuntime();
  if (!runtime.ok()) return Fail(runtime.status());
  absl::StatusOr<v1::Actor> admin = Administrator(**runtime);
  if (!admin.ok()) return Fail(admin.status());
  absl::StatusOr<Token> token = NewToken();
  if (!token.ok()) return Fail(token.status());
  v1::Command command = DirectoryCommand(absl::StrCat("token-", token->token_id), *admin);
  v1::ApiToken* issued = command.mutable_directory()->mutable_issue_token()->mutable_token();
  issued->set_token_id(token->token_id);
  issued->set_principal_id(principal_id);
  issued->set_secret_sha256(SecretSha256(token->secret));
  const absl::Duration expires = absl::GetFlag(FLAGS_expires);
  if (expires < absl::ZeroDuration()) {
    std::cerr << "docketctl: --expires is how long the token is valid (e.g. 720h; 0: no "
                 "expiry), not "
              << absl::FormatDuration(expires) << "\n";
    return kUsage;
  }
  if (expires > absl::ZeroDuration()) {
    *issued->mutable_expires_at() = ToProto(InvocationClock()->Now() + expires);
  }
  absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
      (*runtime)->processor()->SubmitBatch({command});
  if (!outcomes.ok()) return Fail(outcomes.status());
  if ((*outcomes)[0].has_rejection()) {
    std::cerr << "docketctl: " << (*outcomes)[0].rejection().reason() << "\n";
    return kFailed;
  }
  // Shown once; the directory keeps only its hash.
  std::cout << token->text() << "\n";
  std::cerr << "docketctl: token " << token->token_id << " issued to " << principal_id
            << "; keep it: it is not shown again\n";
  return kOk;
}

int TokenRevoke(const std::string& token_id) {
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = OpenRuntime();
  if (!runtime.ok()) return Fail(runtime.status());
  absl::StatusOr<v1::Actor> admin = Administrator(**runtime);
  if (!admin.ok()) return Fail(admin.status());
  v1::Command command = DirectoryCommand(
      absl::StrCat("revoke-token-", token_id, "-", absl::ToUnixMillis(InvocationClock()->Now())),
      *admin);
  command.mutable_directory()->mutable_revoke_token()->set_token_id(token_id);
  absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
      (*runtime)->processor()->SubmitBatch({command});
  if (!outcomes.ok()) return Fail(outcomes.status());
  return PrintOutcomes(*outcomes) ? kFailed : kOk;
}

// A new gateway key for signing commands on docket.commands, written to
// --out; any key but the engines' own ("system") is registered in the
// directory by its fingerprint, bound to --principal when given.
int KeyNew(const std::string& key_id) {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    std::cerr << "docketctl: key new KEY_ID --out=FILE [--principal=ID]\n";
    return kUsage;
  }
  absl::StatusOr<kafka::KeyFile> key = kafka::NewKey(key_id);
  if (!key.ok()) return Fail(key.status());
  if (key_id != kafka::kSystemKeyId) {
    v1::Actor admin;
    admin.set_id(absl::GetFlag(FLAGS_as));
    std::unique_ptr<EmbeddedRuntime> runtime;
    if (absl::GetFlag(FLAGS_brokers).empty()) {
      absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> opened = OpenRuntime();
      if (!opened.ok()) return Fail(opened.status());
      runtime = *std::move(opened);
      if (admin.id().empty()) {
        absl::StatusOr<v1::Actor> first = Administrator(*runtime);
        if (!first.ok()) return Fail(first.status());
        admin = *first;
      }
    } else if (admin.id().empty()) {
      std::cerr << "docketctl: with --brokers, name the administrator with --as\n";
      return kUsage;
    }
    v1::Command command = DirectoryCommand(absl::StrCat("key-", key_id), admin);
    v1::GatewayKey* registered = command.mutable_directory()->mutable_register_gateway_key();
    registered->set_key_id(key_id);
    registered->set_secret_sha256(SecretSha256(key->secret));
    registered->set_principal_id(absl::GetFlag(FLAGS_principal));
    if (runtime == nullptr) {
      if (KafkaSubmitCommands({command}) != kOk) return kFailed;
    } else {
      absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
          runtime->processor()->SubmitBatch({command});
      if (!outcomes.ok()) return Fail(outcomes.status());
      if (PrintOutcomes(*outcomes)) return kFailed;
    }
  }
  absl::Status written = kafka::WriteKeyFile(out, *key);
  if (!written.ok()) return Fail(written);
  std::cerr << "docketctl: key " << key_id << " written to " << out
            << "; every docketd needs it in its --gateway_keys directory\n";
  return kOk;
}

}  // namespace

int KeyCommand(const Args& args) {
  if (args.size() == 2 && args[0] == "new") return KeyNew(args[1]);
  std::cerr << "docketctl: usage: key new KEY_ID --out=FILE [--principal=ID] [--as=ADMIN]\n";
  return kUsage;
}

int InitCommand(const Args& args) { return Init(args); }

int DirectoryCommandVerb(const Args& args) {
  if (args.size() == 1 && args[0] == "apply") return DirectoryApply();
  if (args.size() == 1 && args[0] == "list") return DirectoryList();
  std::cerr << "docketctl: usage: directory apply < changes.ndjson | directory list\n";
  return kUsage;
}

int TokenCommand(const Args& args) {
  if (args.size() == 2 && args[0] == "issue") return TokenIssue(args[1]);
  if (args.size() == 2 && args[0] == "revoke") return TokenRevoke(args[1]);
  std::cerr << "docketctl: usage: token issue PRINCIPAL_ID [--expires=720h] [--as=ADMIN] | "
               "token revoke TOKEN_ID\n";
  return kUsage;
}

}  // namespace docket::ctl
