// submit and attach: the commands that write.

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "projections/hash_chain.h"
#include "services/runtime/evidence_store.h"
#include "services/runtime/json_codec.h"
#include "services/runtime/runtime_config.h"
#include "services/runtime/served_by.h"
#include "tools/docketctl/docketctl.h"
#include "tools/docketctl/flags.h"
#include "tools/docketctl/line_reader.h"
#include "tools/docketctl/runtime.h"

namespace docket::ctl {

absl::StatusOr<std::unique_ptr<Store>> OpenForReading() {
  return Store::Open(DataDir(), Store::Mode::kReadOnly);
}

absl::Status Writable(bool create) {
  // A directory docketd serves is written through docketd only.
  if (std::optional<std::string> url = ServedBy(DataDir())) {
    return absl::FailedPreconditionError(
        absl::StrCat(DataDir(), " is served by docketd at ", *url,
                     ": send cases' commands with docketctl --server=", *url,
                     " --token=TOKEN; stop docketd (SIGTERM) to administer the directory"));
  }
  // Only init makes a data directory: a mistyped --data_dir is not a new,
  // empty one that nobody may administer.
  if (std::error_code ec; !create && !std::filesystem::exists(DataDir(), ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        DataDir(), " does not exist; make a data directory with docketctl --data_dir=", DataDir(),
        " init --admin=ID"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> OpenRuntime(bool create) {
  if (absl::Status writable = Writable(create); !writable.ok()) return writable;
  absl::StatusOr<v1::Policy> policy = LoadPolicy(absl::GetFlag(FLAGS_policy));
  if (!policy.ok()) return policy.status();
  std::ostringstream warnings;
  absl::StatusOr<std::unique_ptr<BusinessCalendar>> calendar =
      LoadCalendar(*policy, absl::GetFlag(FLAGS_calendar_dir), warnings);
  if (!calendar.ok()) return calendar.status();
  if (!warnings.str().empty()) std::cerr << "docketctl: " << warnings.str();
  return EmbeddedRuntime::Open(DataDir(), *std::move(policy), *std::move(calendar),
                               InvocationClock());
}

namespace {

// Commits one group and prints its outcomes; false on an I/O error.
bool Commit(EmbeddedRuntime& runtime, std::vector<absl::StatusOr<v1::Command>>& group,
            bool* any_rejected, int* exit_code) {
  if (group.empty()) return true;
  absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
      runtime.processor()->SubmitBatch(group);
  group.clear();
  if (!outcomes.ok()) {
    *exit_code = Fail(outcomes.status());
    return false;
  }
  for (const v1::CommandOutcome& outcome : *outcomes) {
    *any_rejected |= outcome.has_rejection();
    std::cout << ToJson(outcome) << "\n";
  }
  std::cout.flush();
  // Outcomes nobody received: stop deciding more (main says why).
  if (!std::cout.good()) {
    *exit_code = kUsage;
    return false;
  }
  return true;
}

}  // namespace

int Submit(const Args& args) {
  if (!args.empty()) {
    std::cerr << "docketctl: submit reads commands from stdin and takes no arguments\n";
    return kUsage;
  }
  if (!absl::GetFlag(FLAGS_brokers).empty()) return KafkaSubmit();
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = OpenRuntime();
  if (!runtime.ok()) return Fail(runtime.status());
  const size_t batch = std::max(1, absl::GetFlag(FLAGS_batch));

  LineReader reader(STDIN_FILENO, kMaxCommandBytes);
  LineReader::Line line;
  std::vector<absl::StatusOr<v1::Command>> group;
  bool any_rejected = false;
  int exit_code = kOk;
  while (reader.Next(&line)) {
    if (line.too_long) {
      group.push_back(CommandTooLarge(line.length));
    } else if (!line.blank()) {
      group.push_back(ParseCommandJson(line.text));
    }
    // Group commit: everything already waiting shares one fsync.
    if (group.size() >= batch || !reader.Ready()) {
      if (!Commit(**runtime, group, &any_rejected, &exit_code)) return exit_code;
    }
  }
  if (!Commit(**runtime, group, &any_rejected, &exit_code)) return exit_code;
  return any_rejected ? kFailed : kOk;
}

int PutEvidence(const Args& args) {
  if (args.empty()) {
    std::cerr << "docketctl: usage: put-evidence FILE... [--kind=...] [--media_type=...]\n";
    return kUsage;
  }
  v1::EvidenceKind kind;
  if (!v1::EvidenceKind_Parse(absl::GetFlag(FLAGS_kind), &kind)) {
    std::cerr << "docketctl: --kind must name an EvidenceKind, e.g. EVIDENCE_KIND_PHOTO\n";
    return kUsage;
  }
  // The store lives beside the database; opening the runtime also refuses a
  // directory that is not docket's, and reads the policy's size limit. It
  // may make one: an engine's on Kafka, whose directory comes through the
  // topics, not init, and holds the photos first (docs/kafka.md).
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = OpenRuntime(/*create=*/true);
  if (!runtime.ok()) return Fail(runtime.status());
  for (const std::string& path : args) {
    absl::StatusOr<v1::Evidence> stored =
        (*runtime)->evidence().Put(path, kind, absl::GetFlag(FLAGS_media_type));
    if (!stored.ok()) return Fail(stored.status());
    std::cout << ToJson(*stored) << "\n";
  }
  return kOk;
}

int Attach(const Args& args) {
  if (args.size() != 2) {
    std::cerr << "docketctl: usage: attach CASE_ID FILE --actor_id=ID\n";
    return kUsage;
  }
  v1::Command command;
  command.set_case_id(args[0]);
  v1::Actor* actor = command.mutable_actor();
  actor->set_id(absl::GetFlag(FLAGS_actor_id));
  actor->set_branch(absl::GetFlag(FLAGS_actor_branch));
  v1::Role role;
  v1::Level level;
  v1::EvidenceKind kind;
  if (actor->id().empty() || !v1::Role_Parse(absl::GetFlag(FLAGS_actor_role), &role) ||
      !v1::Level_Parse(absl::GetFlag(FLAGS_actor_level), &level) ||
      !v1::EvidenceKind_Parse(absl::GetFlag(FLAGS_kind), &kind)) {
    std::cerr << "docketctl: attach needs --actor_id and valid --actor_role, "
                 "--actor_level and --kind (e.g. EVIDENCE_KIND_PHOTO)\n";
    return kUsage;
  }
  actor->set_role(role);
  actor->set_level(level);

  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = OpenRuntime();
  if (!runtime.ok()) return Fail(runtime.status());
  absl::StatusOr<v1::Evidence> stored =
      (*runtime)->evidence().Put(args[1], kind, absl::GetFlag(FLAGS_media_type));
  if (!stored.ok()) return Fail(stored.status());
  // The operator holds the file: the actor it attaches as stored it.
  absl::Status recorded = (*runtime)->evidence().RecordUploader(stored->sha256_hex(), actor->id());
  if (!recorded.ok()) return Fail(recorded);
  stored->set_captured_by(actor->id());
  *command.mutable_attach_evidence()->mutable_evidence() = *stored;
  const std::string id = absl::GetFlag(FLAGS_command_id);
  command.set_command_id(
      id.empty() ? absl::StrCat("attach-", args[0], "-", stored->sha256_hex().substr(0, 16)) : id);
  std::vector<absl::StatusOr<v1::Command>> group = {command};
  bool rejected = false;
  int exit_code = kOk;
  if (!Commit(**runtime, group, &rejected, &exit_code)) return exit_code;
  return rejected ? kFailed : kOk;
}

}  // namespace docket::ctl
