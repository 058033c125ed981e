#include "services/audit/auditor.h"

#include <filesystem>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/deterministic_bytes.h"
#include "engine/directory.h"
#include "engine/evolve.h"
#include "engine/input_grammar.h"
#include "engine/time_util.h"
#include "projections/hash_chain.h"
#include "projections/int64_add_operator.h"
#include "projections/keys.h"
#include "projections/projector.h"

namespace docket {
namespace {

// One audit of a data directory, streaming.
class Auditor {
 public:
  Auditor(const Store& store, const EvidenceStore& evidence) : store_(store), evidence_(evidence) {}

  absl::StatusOr<AuditReport> Run() {
    absl::Status s = WalkHistory();
    if (s.ok()) s = CheckIndexCounts();
    if (s.ok()) s = CheckStats();
    if (s.ok()) s = WalkLog();
    if (s.ok()) s = CheckCommands();
    if (s.ok()) s = CheckUploads();
    if (!s.ok()) return s;
    return report_;
  }

 private:
  void Problem(std::string text) {
    if (report_.problems.size() < AuditReport::kMaxProblems) {
      report_.problems.push_back(std::move(text));
    } else {
      ++report_.more_problems;
    }
  }

  bool Exists(Cf cf, const std::string& key) {
    absl::StatusOr<std::optional<std::string>> v = store_.Get(cf, key);
    return v.ok() && v->has_value();
  }

  void FinishStream() {
    if (stream_ != kDirectoryStream) return FinishCase();
    absl::StatusOr<v1::DirectoryState> stored = store_.ReadDirectory();
    if (!stored.ok() || DeterministicBytes(*stored) != DeterministicBytes(directory_)) {
      Problem("the stored directory differs from a fresh fold of its history");
    }
  }

  void FinishCase() {
    if (fresh_.revision() == 0) return;
    ++report_.cases;
    const std::string& id = fresh_.case_id();
    absl::StatusOr<v1::CaseState> stored = store_.ReadCase(id);
    if (!stored.ok() || stored->SerializeAsString() != fresh_.SerializeAsString()) {
      Problem(absl::StrCat("case ", id, ": stored state differs from a fresh fold of its history"));
    }
    for (const std::string& key : DueKeys(fresh_)) {
      ++expected_[Cf::kDue];
      if (!Exists(Cf::kDue, key)) {
        Problem(absl::StrCat("case ", id, ": the due index lacks a deadline's next action"));
      }
    }
    ++expected_[Cf::kByStatus];
    if (!Exists(Cf::kByStatus, keys::ByStatus(fresh_.stage(), id))) {
      Problem(
          absl::StrCat("case ", id, ": by_status index lacks ", v1::Stage_Name(fresh_.stage())));
    }
    ++expected_[Cf::kByCustomer];
    if (!Exists(Cf::kByCustomer, keys::ByOwner(fresh_.intake().customer().id(), id))) {
      Problem(absl::StrCat("case ", id, ": by_customer index lacks it"));
    }
    if (!fresh_.intake().shipment().waybill().empty()) {
      ++expected_[Cf::kByWaybill];
      if (!Exists(Cf::kByWaybill, keys::ByOwner(fresh_.intake().shipment().waybill(), id))) {
        Problem(absl::StrCat("case ", id, ": by_waybill index lacks it"));
      }
    }
    // A directory no writer has opened since by_link was added has none
    // yet: its first writer fills it.
    if (!fresh_.intake().link().case_id().empty() && store_.HasFamily(Cf::kByLink)) {
      ++expected_[Cf::kByLink];
      if (!Exists(Cf::kByLink, keys::ByOwner(fresh_.intake().link().case_id(), id))) {
        Problem(absl::StrCat("case ", id, ": by_link index lacks it"));
      }
    }
    ++expected_[Cf::kCases];
  }

  absl::Status WalkHistory() {
    std::unique_ptr<rocksdb::Iterator> it = store_.NewIterator(Cf::kHistory);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      const size_t nul = key.find('\0');
      if (nul == absl::string_view::npos || key.size() != nul + 9) {
        Problem("history holds a key of the wrong shape");
        continue;
      }
      const std::string case_id(key.substr(0, nul));
      const int64_t revision = keys::ReadBigEndian64(key.substr(nul + 1));
      if (case_id != stream_) {
        FinishStream();
        stream_ = case_id;
        fresh_ = v1::CaseState();
        broken_ = false;
      }
      const bool directory = case_id == kDirectoryStream;
      ++(directory ? report_.directory_events : report_.events);
      if (broken_) continue;  // One problem per case is enough.
      const std::string where = absl::StrCat("case ", case_id, " revision ", revision);
      v1::StoredEvent stored;
      v1::CaseEvent event;
      if (!stored.ParseFromArray(it->value().data(), it->value().size()) ||
          !event.ParseFromString(stored.event())) {
        Problem(absl::StrCat(where, ": does not decode"));
        broken_ = true;
        continue;
      }
      const int64_t current = directory ? directory_.revision() : fresh_.revision();
      if (revision != current + 1) {
        Problem(absl::StrCat(where, ": expected revision ", current + 1));
        broken_ = true;
        continue;
      }
      if (event.case_id() != case_id || event.revision() != revision) {
        Problem(absl::StrCat(where, ": the event names case ", event.case_id(), " revision ",
                             event.revision()));
        broken_ = true;
        continue;
      }
      absl::Status link =
          VerifyLink(stored, directory ? directory_.hash_head() : fresh_.hash_head(), where);
      if (!link.ok()) {
        Problem(std::string(link.message()));
        broken_ = true;
        continue;
      }
      if (directory) {
        if (!event.has_directory_changed()) {
          Problem(absl::StrCat(where, ": not a directory change"));
          broken_ = true;
          continue;
        }
        ApplyDirectoryChange(event, &directory_);
        directory_.set_hash_head(stored.hash());
        continue;
      }
      // Not a copy of the whole state per event: that made verify quadratic
      // in a case's events.
      const v1::CaseState before = Projector::StatsBefore(fresh_);
      Apply(event, &fresh_);
      fresh_.set_hash_head(stored.hash());
      for (const auto& [k, delta] : Projector::StatsDeltas(event, before, fresh_)) {
        if (delta != 0) stats_[k] += delta;
      }
      if (event.has_evidence_attached()) {
        absl::Status checked = evidence_.Check(event.evidence_attached().evidence());
        if (checked.ok()) {
          ++report_.evidence_checked;
        } else if (absl::IsNotFound(checked)) {
          ++report_.evidence_external;
        } else {
          Problem(absl::StrCat(where, ": ", checked.message()));
        }
      }
    }
    FinishStream();
    return FromRocks(it->status(), "reading history");
  }

  absl::Status CheckIndexCounts() {
    for (Cf cf :
         {Cf::kCases, Cf::kDue, Cf::kByStatus, Cf::kByCustomer, Cf::kByWaybill, Cf::kByLink}) {
      int64_t n = 0;
      std::unique_ptr<rocksdb::Iterator> it = store_.NewIterator(cf);
      for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
      if (!it->status().ok()) return FromRocks(it->status(), "reading an index");
      if (n != expected_[cf]) {
        Problem(absl::StrCat("column family ", static_cast<int>(cf), " holds ", n,
                             " entries; the fold derives ", expected_[cf]));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckStats() {
    std::unique_ptr<rocksdb::Iterator> it = store_.NewIterator(Cf::kStats);
    int64_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++n;
      const std::string key = it->key().ToString();
      auto found = stats_.find(key);
      const int64_t value = Int64AddOperator::Decode(it->value());
      if (found == stats_.end() || found->second != value) {
        StatsKey k;
        DecodeStatsKey(key, &k);
        Problem(absl::StrCat("report counter ", k.day, "/", k.category, "/", k.metric, " is ",
                             value, "; the fold derives ",
                             found == stats_.end() ? 0 : found->second));
      }
    }
    if (n != static_cast<int64_t>(stats_.size())) {
      Problem(absl::StrCat("stats holds ", n, " counters; the fold derives ", stats_.size()));
    }
    return FromRocks(it->status(), "reading stats");
  }

  absl::Status WalkLog() {
    std::unique_ptr<rocksdb::Iterator> it = store_.NewIterator(Cf::kLog);
    uint64_t expected_position = 1;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++report_.log_entries;
      const uint64_t position =
          keys::ReadBigEndian64(absl::string_view(it->key().data(), it->key().size()));
      if (position != expected_position) {
        Problem(absl::StrCat("log position ", position, ": expected ", expected_position));
      }
      expected_position = position + 1;
      v1::StoredEvent stored;
      v1::CaseEvent event;
      if (!stored.ParseFromArray(it->value().data(), it->value().size()) ||
          !event.ParseFromString(stored.event())) {
        Problem(absl::StrCat("log position ", position, ": does not decode"));
        continue;
      }
      absl::StatusOr<std::optional<std::string>> in_history =
          store_.Get(Cf::kHistory, keys::History(event.case_id(), event.revision()));
      if (!in_history.ok() || !in_history->has_value() || **in_history != it->value().ToString()) {
        Problem(absl::StrCat("log position ", position, " (case ", event.case_id(), " revision ",
                             event.revision(), ") differs from history"));
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the log");
    if (report_.log_entries != report_.events + report_.directory_events) {
      Problem(absl::StrCat("the log holds ", report_.log_entries, " events; history holds ",
                           report_.events + report_.directory_events));
    }
    absl::StatusOr<v1::DataDirMeta> meta = store_.ReadMeta();
    if (!meta.ok()) return meta.status();
    if (meta->fold_version() != kFoldVersion) {
      Problem(absl::StrCat("the projections were folded by fold version ", meta->fold_version(),
                           ", not this docket's ", kFoldVersion,
                           ": run docketctl replay (any writer also does, once)"));
    }
    if (meta->applied_position() != expected_position - 1) {
      Problem(absl::StrCat("meta says position ", meta->applied_position(),
                           " is applied; the log ends at ", expected_position - 1));
    }
    return absl::OkStatus();
  }

  // Every recorded outcome is where it says: an accepted command's events
  // in history, a rejection in `rejections`, and nothing else there.
  absl::Status CheckCommands() {
    int64_t rejected = 0;
    std::unique_ptr<rocksdb::Iterator> it = store_.NewIterator(Cf::kCommands);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string id = it->key().ToString();
      v1::CommandRecord record;
      if (!record.ParseFromArray(it->value().data(), it->value().size())) {
        Problem(absl::StrCat("command ", id, ": its recorded outcome does not decode"));
        continue;
      }
      if (record.has_rejection()) {
        ++rejected;
        absl::StatusOr<std::optional<std::string>> kept = store_.Get(
            Cf::kRejections, keys::RejectionKey(record.case_id(), ToTime(record.decided_at()), id));
        if (!kept.ok() || !kept->has_value() || **kept != record.rejection().SerializeAsString()) {
          Problem(absl::StrCat("command ", id, ": its rejection is not among the rejections"));
        }
      } else if (!Exists(Cf::kHistory, keys::History(record.case_id(), record.last_revision()))) {
        Problem(absl::StrCat("command ", id, ": its recorded outcome is not in history"));
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading commands");
    int64_t kept = 0;
    std::unique_ptr<rocksdb::Iterator> r = store_.NewIterator(Cf::kRejections);
    for (r->SeekToFirst(); r->Valid(); r->Next()) ++kept;
    if (!r->status().ok()) return FromRocks(r->status(), "reading rejections");
    if (kept != rejected) {
      Problem(absl::StrCat("rejections holds ", kept, " refusals; the commands record ", rejected));
    }
    report_.rejections = rejected;
    return absl::OkStatus();
  }

  // Each uploader on record names a well-formed SHA-256 and a principal,
  // and the store holds that file.
  absl::Status CheckUploads() {
    std::unique_ptr<rocksdb::Iterator> it = store_.NewIterator(Cf::kUploads);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      const size_t nul = key.find('\0');
      const absl::string_view sha = key.substr(0, nul);
      if (nul == absl::string_view::npos || nul + 1 == key.size() || !IsSha256Hex(sha)) {
        Problem(absl::StrCat("uploads: a record is not <sha256>, <principal>: ",
                             absl::CHexEscape(key)));
        continue;
      }
      ++report_.uploads;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(evidence_.PathFor(std::string(sha)), ec)) {
        Problem(absl::StrCat("uploads: ", key.substr(nul + 1), " stored cas://", sha,
                             ", which the evidence store does not hold"));
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading uploads");
    return absl::OkStatus();
  }

  const Store& store_;
  const EvidenceStore& evidence_;
  AuditReport report_;
  std::string stream_;  // The stream being walked: a case, or the directory.
  v1::CaseState fresh_;
  v1::DirectoryState directory_;
  bool broken_ = false;
  std::map<Cf, int64_t> expected_;
  std::map<std::string, int64_t> stats_;
};

}  // namespace

v1::AuditSummary ToSummary(const AuditReport& report) {
  v1::AuditSummary summary;
  summary.set_ok(report.ok());
  summary.set_cases(report.cases);
  summary.set_events(report.events);
  summary.set_directory_events(report.directory_events);
  summary.set_rejections(report.rejections);
  summary.set_log_entries(report.log_entries);
  summary.set_evidence_checked(report.evidence_checked);
  summary.set_evidence_external(report.evidence_external);
  for (const std::string& problem : report.problems) summary.add_problems(problem);
  summary.set_more_problems(report.more_problems);
  return summary;
}

AuditReport FromSummary(const v1::AuditSummary& summary) {
  AuditReport report;
  report.cases = summary.cases();
  report.events = summary.events();
  report.directory_events = summary.directory_events();
  report.rejections = summary.rejections();
  report.log_entries = summary.log_entries();
  report.evidence_checked = summary.evidence_checked();
  report.evidence_external = summary.evidence_external();
  report.problems.assign(summary.problems().begin(), summary.problems().end());
  report.more_problems = summary.more_problems();
  return report;
}

absl::StatusOr<AuditReport> Audit(const Store& store, const EvidenceStore& evidence) {
  return Auditor(store, evidence).Run();
}

}  // namespace docket
