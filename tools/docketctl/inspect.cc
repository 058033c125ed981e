// show, history, list, tail: reading a data directory (opened read-only,
// so they run beside a writer).

#include <iostream>
#include <optional>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/authorization.h"
#include "engine/directory.h"
#include "engine/envelope.h"
#include "engine/evolve.h"
#include "engine/time_util.h"
#include "projections/case_history.h"
#include "projections/hash_chain.h"
#include "projections/keys.h"
#include "services/runtime/embedded_event_log.h"
#include "services/runtime/json_codec.h"
#include "tools/docketctl/case_table.h"
#include "tools/docketctl/docketctl.h"
#include "tools/docketctl/flags.h"
#include "tools/docketctl/runtime.h"

namespace docket::ctl {
namespace {

// --as=ID scopes a read to that principal, as the service scopes it: a
// case outside its scope reads as if it did not exist. Without --as the
// local operator, who holds the data directory, reads everything.
struct ReadScope {
  std::optional<Directory> directory;
  v1::Principal principal;
  bool Sees(const v1::CaseState& state) const {
    return !directory.has_value() || MayRead(*directory, principal, state);
  }
};

absl::StatusOr<ReadScope> ScopeOfReader(const Store& store) {
  ReadScope scope;
  const std::string id = absl::GetFlag(FLAGS_as);
  if (id.empty()) return scope;
  absl::StatusOr<v1::DirectoryState> state = store.ReadDirectory();
  if (!state.ok()) return state.status();
  scope.directory.emplace(*std::move(state));
  const v1::Principal* p = scope.directory->FindPrincipal(id);
  if (p == nullptr || p->revoked()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--as=", id, ": no such principal in the directory, or revoked"));
  }
  scope.principal = *p;
  return scope;
}

// Whether the reader may see case `id` (false for a case that does not exist
// when scoped).
absl::StatusOr<bool> SeesCase(const Store& store, const ReadScope& scope, const std::string& id) {
  if (!scope.directory.has_value()) return true;
  absl::StatusOr<v1::CaseState> state = store.ReadCase(id);
  if (!state.ok()) return state.status();
  return state->revision() > 0 && scope.Sees(*state);
}

}  // namespace

int Show(const Args& args) {
  if (args.size() != 1) {
    std::cerr << "docketctl: usage: show CASE_ID [--revision=N | --as_of=TIME]\n";
    return kUsage;
  }
  const int64_t revision = absl::GetFlag(FLAGS_revision);
  const std::string as_of_text = absl::GetFlag(FLAGS_as_of);
  if (revision < 0 || (revision > 0 && !as_of_text.empty())) {
    std::cerr << "docketctl: give at most one of --revision (>= 1) and --as_of\n";
    return kUsage;
  }
  absl::Time as_of = absl::InfiniteFuture();
  if (!as_of_text.empty()) {
    absl::StatusOr<absl::Time> parsed = ParseTimeFlag("as_of", as_of_text);
    if (!parsed.ok()) return Fail(parsed.status());
    as_of = *parsed;
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenForReading();
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<ReadScope> scope = ScopeOfReader(**store);
  if (!scope.ok()) return Fail(scope.status());
  absl::StatusOr<bool> sees = SeesCase(**store, *scope, args[0]);
  if (!sees.ok()) return Fail(sees.status());
  if (!*sees) {
    std::cerr << "docketctl: case " << args[0] << " does not exist\n";
    return kFailed;
  }
  // The state is reconstructed by folding history, so any past revision or
  // time can be shown exactly as it was.
  absl::StatusOr<v1::CaseState> state = CaseStateAt(**store, args[0], revision, as_of);
  if (!state.ok()) return Fail(state.status());
  if (state->revision() == 0) {
    std::cerr << "docketctl: case " << args[0]
              << (revision > 0 || !as_of_text.empty() ? " had no events then\n"
                                                      : " does not exist\n");
    return kFailed;
  }
  if (state->revision() < revision) {
    std::cerr << "docketctl: case " << args[0] << " has " << state->revision()
              << " revisions; there is no revision " << revision << "\n";
    return kFailed;
  }
  std::cout << ToJson(*state) << "\n";
  return kOk;
}

std::optional<HistoryFormat> HistoryFormatFlag() {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format == "stored") return HistoryFormat::kStored;
  // "table" is --format's default, which history prints as json.
  if (format == "json" || format == "table") return HistoryFormat::kJson;
  std::cerr << "docketctl: history --format must be json or stored\n";
  return std::nullopt;
}

void PrintHistoryLine(const v1::StoredEvent& stored, const v1::CaseEvent& e, HistoryFormat format) {
  if (format == HistoryFormat::kStored) {
    std::cout << ToJson(stored) << "\n";
    return;
  }
  std::cout << "{\"revision\":" << e.revision() << ",\"hash\":\"" << HexEncode(stored.hash())
            << "\",\"prevHash\":\"" << HexEncode(stored.prev_hash()) << "\",\"event\":" << ToJson(e)
            << "}\n";
}

int History(const Args& args) {
  if (args.size() != 1) {
    std::cerr << "docketctl: usage: history CASE_ID [--format=json|stored]\n";
    return kUsage;
  }
  const std::optional<HistoryFormat> format = HistoryFormatFlag();
  if (!format) return kUsage;
  absl::StatusOr<std::unique_ptr<Store>> store = OpenForReading();
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<ReadScope> scope = ScopeOfReader(**store);
  if (!scope.ok()) return Fail(scope.status());
  absl::StatusOr<bool> sees = SeesCase(**store, *scope, args[0]);
  if (!sees.ok()) return Fail(sees.status());
  if (!*sees) {
    std::cerr << "docketctl: case " << args[0] << " does not exist\n";
    return kFailed;
  }
  int64_t n = 0;
  absl::Status s =
      ForEachEvent(**store, args[0], [&](const v1::StoredEvent& stored, const v1::CaseEvent& e) {
        ++n;
        PrintHistoryLine(stored, e, *format);
        return true;
      });
  if (!s.ok()) return Fail(s);
  if (n == 0) {
    std::cerr << "docketctl: case " << args[0] << " does not exist\n";
    return kFailed;
  }
  return kOk;
}

int List(const Args& args) {
  if (!args.empty()) {
    std::cerr << "docketctl: list takes flags only\n";
    return kUsage;
  }
  v1::Stage stage = v1::STAGE_UNSPECIFIED;
  v1::Severity severity = v1::SEVERITY_UNSPECIFIED;
  const std::string status_flag = absl::GetFlag(FLAGS_status);
  const std::string severity_flag = absl::GetFlag(FLAGS_severity);
  if (!status_flag.empty() && !v1::Stage_Parse("STAGE_" + status_flag, &stage) &&
      !v1::Stage_Parse(status_flag, &stage)) {
    std::cerr << "docketctl: --status: unknown stage " << status_flag << "\n";
    return kUsage;
  }
  if (!severity_flag.empty() && !v1::Severity_Parse("SEVERITY_" + severity_flag, &severity) &&
      !v1::Severity_Parse(severity_flag, &severity)) {
    std::cerr << "docketctl: --severity: unknown severity " << severity_flag << "\n";
    return kUsage;
  }
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "table" && format != "json") {
    std::cerr << "docketctl: list --format must be table or json\n";
    return kUsage;
  }
  absl::Time now = InvocationClock()->Now();
  if (!absl::GetFlag(FLAGS_now).empty()) {
    absl::StatusOr<absl::Time> parsed = ParseTimeFlag("now", absl::GetFlag(FLAGS_now));
    if (!parsed.ok()) return Fail(parsed.status());
    now = *parsed;
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenForReading();
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<ReadScope> scope = ScopeOfReader(**store);
  if (!scope.ok()) return Fail(scope.status());

  // Streamed: memory stays bounded by one case whatever the number of cases.
  if (format != "json") PrintCaseTableHeader(std::cout);
  v1::CaseState c;
  std::unique_ptr<rocksdb::Iterator> it = (*store)->NewIterator(Cf::kCases);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!c.ParseFromArray(it->value().data(), it->value().size())) {
      return Fail(absl::DataLossError(
          absl::StrCat("case ", it->key().ToString(), ": stored state does not decode")));
    }
    if (c.case_id() == kDirectoryStream || !scope->Sees(c)) continue;
    if (stage != v1::STAGE_UNSPECIFIED && c.stage() != stage) continue;
    if (severity != v1::SEVERITY_UNSPECIFIED && c.severity() != severity) continue;
    if (absl::GetFlag(FLAGS_overdue) && !IsOverdue(c, now)) continue;
    if (format == "json") {
      std::cout << ToJson(c) << "\n";
    } else {
      PrintCaseTableRow(c, now, std::cout);
    }
  }
  if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading cases"));
  return kOk;
}

int Rejections(const Args& args) {
  if (args.size() > 1) {
    std::cerr << "docketctl: usage: rejections [CASE_ID]\n";
    return kUsage;
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenForReading();
  if (!store.ok()) return Fail(store.status());
  // One case's refusals in the order they were decided, or everyone's,
  // case by case.
  const std::string prefix = args.empty() ? "" : keys::CasePrefix(args[0]);
  absl::StatusOr<ReadScope> scope = ScopeOfReader(**store);
  if (!scope.ok()) return Fail(scope.status());
  std::unique_ptr<rocksdb::Iterator> it = (*store)->NewIterator(Cf::kRejections);
  std::string last_case;
  bool sees = true;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    v1::Rejection rejection;
    if (!rejection.ParseFromArray(it->value().data(), it->value().size())) {
      return Fail(absl::DataLossError("a recorded rejection does not decode"));
    }
    if (scope->directory.has_value() && rejection.case_id() != last_case) {
      last_case = rejection.case_id();
      absl::StatusOr<v1::CaseState> state = (*store)->ReadCase(last_case);
      if (!state.ok()) return Fail(state.status());
      sees = MayReadRejection(*scope->directory, scope->principal, *state);
    }
    if (!sees) continue;
    std::cout << ToJson(rejection) << "\n";
  }
  if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading rejections"));
  return kOk;
}

int Tail(const Args& args) {
  if (!args.empty()) {
    std::cerr << "docketctl: tail takes flags only\n";
    return kUsage;
  }
  if (!absl::GetFlag(FLAGS_brokers).empty()) return KafkaTail();
  const std::optional<uint64_t> from = TailFromFlag();
  if (!from) return kUsage;
  absl::StatusOr<std::unique_ptr<Store>> store = OpenForReading();
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<std::unique_ptr<EmbeddedEventLog>> log = EmbeddedEventLog::Open(store->get());
  if (!log.ok()) return Fail(log.status());
  absl::Status s = (*log)->Scan(*from, [](uint64_t, const v1::StoredEvent& stored) {
    v1::CaseEvent event;
    if (!event.ParseFromString(stored.event())) {
      return absl::DataLossError("a log event does not decode");
    }
    std::cout << ToJson(event) << "\n";
    return absl::OkStatus();
  });
  if (!s.ok()) return Fail(s);
  return kOk;
}

}  // namespace docket::ctl
