// The engine loop against a real RocksDB data directory: idempotent
// submission, rejections that change nothing, replay that rebuilds the same
// bytes, catch-up after an interrupted replay, and an audit that notices
// tampering.

#include "services/runtime/command_processor.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/policy.h"
#include "engine/refusal.h"
#include "engine/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/keys.h"
#include "services/audit/auditor.h"
#include "services/runtime/catch_up.h"
#include "services/runtime/embedded_runtime.h"
#include "services/runtime/json_codec.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"
#include "tools/bench/bench_org.h"

namespace docket {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class Runtime {
 public:
  // A drill clock from `start`, by default before the examples (November
  // 2026): each is decided when it occurred. The examples' photos are in
  // the evidence store, as attachments need.
  explicit Runtime(const std::string& dir,
                   absl::Time start = absl::FromCivil(absl::CivilSecond(2026, 10, 1, 0, 0, 0),
                                                      absl::UTCTimeZone()))
      : clock_(start) {
    absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> opened = EmbeddedRuntime::Open(
        dir, DefaultPolicy(), std::make_unique<AlwaysOpenCalendar>(), &clock_);
    EXPECT_TRUE(opened.ok()) << opened.status();
    runtime_ = *std::move(opened);
    // The examples act as the principals of examples/org.ndjson.
    absl::StatusOr<v1::DirectoryState> directory = runtime_->store()->ReadDirectory();
    EXPECT_TRUE(directory.ok()) << directory.status();
    if (directory.ok() && directory->revision() == 0) {
      absl::Status organised = bench::OrganiseLikeTheExamples(runtime_->processor());
      EXPECT_TRUE(organised.ok()) << organised;
    }
    for (const char* photo : {"acrylic_sign_crack.png", "laptop_screen_crack.png"}) {
      EXPECT_TRUE(runtime_->evidence()
                      .Put(testing::Runfile(absl::StrCat("examples/evidence/", photo)),
                           v1::EVIDENCE_KIND_PHOTO, "")
                      .ok());
    }
  }

  std::vector<v1::CommandOutcome> Submit(const std::vector<std::string>& lines) {
    std::vector<absl::StatusOr<v1::Command>> commands;
    for (const std::string& line : lines) commands.push_back(ParseCommandJson(line));
    absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
        runtime_->processor()->SubmitBatch(commands);
    EXPECT_TRUE(outcomes.ok()) << outcomes.status();
    return outcomes.ok() ? *outcomes : std::vector<v1::CommandOutcome>();
  }

  Store* store() { return runtime_->store(); }
  EmbeddedEventLog* log() { return runtime_->log(); }
  CommandProcessor& processor() { return *runtime_->processor(); }
  DrillClock& clock() { return clock_; }

 private:
  DrillClock clock_;
  std::unique_ptr<EmbeddedRuntime> runtime_;
};

std::vector<std::string> Examples() { return testing::ReadLines(testing::SeedCasesPath()); }

std::vector<std::string> Slice(const std::vector<std::string>& v, size_t from, size_t to) {
  return std::vector<std::string>(v.begin() + from, v.begin() + std::min(to, v.size()));
}

int Accepted(const std::vector<v1::CommandOutcome>& outcomes) {
  int n = 0;
  for (const auto& o : outcomes) n += !o.has_rejection();
  return n;
}

// One command per batch, as docketd's queue commits them under light load:
// every index and counter is updated across batch boundaries (due times
// moved, stages left), and the projections are byte for byte what the
// audit's fold of the log derives.
TEST(CommandProcessorTest, OneCommandPerBatchBuildsTheSameProjections) {
  const std::string dir = testing::FreshDir("one-per-batch");
  Runtime rt(dir);
  rt.processor().RetainCommittedStates(4096);  // As docketd's CommitQueue.
  int accepted = 0;
  for (const std::string& line : Examples()) accepted += Accepted(rt.Submit({line}));
  EXPECT_EQ(accepted, 72);
  absl::StatusOr<AuditReport> audit = Audit(*rt.store(), EvidenceStore(dir));
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_TRUE(audit->ok()) << audit->problems[0];
  EXPECT_EQ(audit->events, 72);
}

// docketd's writer keeps the states it committed for the next batches
// (RetainCommittedStates): they decide and write exactly what a processor
// that reads every state again from the store would, whether it keeps them
// all, drops them when it holds more than two, or keeps none.
TEST(CommandProcessorTest, KeepingCommittedStatesWritesTheSameBytes) {
  std::vector<absl::StatusOr<std::map<std::string, std::string>>> dumps;
  for (size_t retained : {size_t{4096}, size_t{2}, size_t{0}}) {
    const std::string dir = testing::FreshDir(absl::StrCat("retained-", retained));
    {
      Runtime rt(dir);
      rt.processor().RetainCommittedStates(retained);
      int accepted = 0;
      for (const std::string& line : Examples()) accepted += Accepted(rt.Submit({line}));
      EXPECT_EQ(accepted, 72);
    }
    dumps.push_back(testing::DumpDataDir(dir));
    ASSERT_TRUE(dumps.back().ok()) << dumps.back().status();
  }
  EXPECT_EQ(*dumps[0], *dumps[2]);
  EXPECT_EQ(*dumps[1], *dumps[2]);
}

TEST(CommandProcessorTest, ExamplesAreAcceptedInBatchesAndAuditedFromTheBytes) {
  const std::string dir = testing::FreshDir("examples");
  Runtime rt(dir);
  const std::vector<std::string> lines = Examples();
  ASSERT_EQ(lines.size(), 72u);
  int accepted = 0;
  for (size_t i = 0; i < lines.size(); i += 10) {
    accepted += Accepted(rt.Submit(Slice(lines, i, i + 10)));
  }
  EXPECT_EQ(accepted, 72);
  absl::StatusOr<AuditReport> audit = Audit(*rt.store(), EvidenceStore(dir));
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_TRUE(audit->ok()) << audit->problems[0];
  EXPECT_EQ(audit->evidence_checked, 2);
  EXPECT_EQ(audit->cases, 9);
  EXPECT_EQ(audit->events, 72);
  EXPECT_EQ(audit->directory_events, 35);  // Its bootstrap and examples/org.ndjson.
  EXPECT_EQ(audit->log_entries, 72 + 35);
}

TEST(CommandProcessorTest, RepeatedCommandReturnsTheOriginalOutcomeAndAppendsNothing) {
  Runtime rt(testing::FreshDir("repeat"));
  const std::vector<std::string> lines = Examples();
  const auto first = rt.Submit(Slice(lines, 0, 3));
  const uint64_t end = rt.log()->next_position();
  rt.clock().Advance(absl::Hours(1));
  const auto again = rt.Submit(Slice(lines, 0, 3));
  EXPECT_EQ(rt.log()->next_position(), end);
  ASSERT_EQ(again.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(again[i].duplicate());
    ASSERT_EQ(again[i].events_size(), first[i].events_size());
    // The very same events, decided at the first submission.
    EXPECT_EQ(again[i].events(0).SerializeAsString(), first[i].events(0).SerializeAsString());
  }
}

TEST(CommandProcessorTest, SameCommandTwiceInOneBatchIsOneOutcomeTwice) {
  Runtime rt(testing::FreshDir("batch-repeat"));
  const std::vector<std::string> lines = Examples();
  const auto outcomes = rt.Submit({lines[0], lines[0]});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_FALSE(outcomes[0].duplicate());
  EXPECT_TRUE(outcomes[1].duplicate());
  EXPECT_EQ(rt.log()->next_position(), 35u + 2u);  // After the directory's 35 events.
}

// What lets the Kafka engine answer a repeated command again.
TEST(CommandProcessorTest, ADuplicateCarriesTheStoredBytesOfItsOriginalEvents) {
  Runtime rt(testing::FreshDir("original-events"));
  const std::vector<std::string> lines = Examples();
  auto decide = [&](const std::vector<std::string>& batch) {
    std::vector<CommandProcessor::Timed> timed;
    for (const std::string& line : batch) {
      absl::StatusOr<v1::Command> command = ParseCommandJson(line);
      const absl::Time now = rt.clock().DecisionTime(ToTime(command->occurred_at()));
      timed.push_back({std::move(command), now});
    }
    absl::StatusOr<std::vector<CommandProcessor::Decision>> decided = rt.processor().Decide(timed);
    EXPECT_TRUE(decided.ok()) << decided.status();
    return decided.ok() ? *std::move(decided) : std::vector<CommandProcessor::Decision>();
  };
  // Within one batch, the repeat carries what the first appends.
  const std::vector<CommandProcessor::Decision> batch = decide({lines[0], lines[1], lines[0]});
  ASSERT_EQ(batch.size(), 3u);
  ASSERT_EQ(batch[0].event_count, 1u);
  const std::vector<std::string> appended = {rt.processor().PendingEvents()[batch[0].first_event]};
  EXPECT_TRUE(batch[0].original_events.empty());
  EXPECT_TRUE(batch[2].outcome.duplicate());
  EXPECT_EQ(batch[2].event_count, 0u);
  EXPECT_EQ(batch[2].original_events, appended);
  ASSERT_TRUE(rt.processor().Commit().ok());

  // Once committed, it reads them back from history, byte for byte; a
  // reused id with other content is rejected and carries nothing.
  std::string altered = lines[1];
  altered.replace(altered.find("listened"), 8, "laughed!");
  const std::vector<CommandProcessor::Decision> later = decide({lines[0], altered});
  ASSERT_EQ(later.size(), 2u);
  EXPECT_TRUE(later[0].outcome.duplicate());
  EXPECT_EQ(later[0].original_events, appended);
  EXPECT_TRUE(later[1].outcome.has_rejection());
  EXPECT_TRUE(later[1].original_events.empty());
  rt.processor().Abort();
}

TEST(CommandProcessorTest, ReusedCommandIdWithOtherContentIsRejected) {
  const std::string dir = testing::FreshDir("reuse");
  Runtime rt(dir);
  const std::vector<std::string> lines = Examples();
  rt.Submit(Slice(lines, 0, 2));
  std::string altered = lines[1];
  altered.replace(altered.find("listened"), 8, "laughed!");
  const auto outcomes = rt.Submit({altered});
  ASSERT_TRUE(outcomes[0].has_rejection());
  EXPECT_EQ(outcomes[0].rejection().rule(), v1::RULE_DUPLICATE_COMMAND_ID);
  EXPECT_EQ(outcomes[0].rejection().code(), "ALREADY_EXISTS");
}

TEST(CommandProcessorTest, RejectionsChangeNoCaseAndAreRecordedForGood) {
  const std::string dir = testing::FreshDir("reject");
  auto rt = std::make_unique<Runtime>(dir);
  const std::vector<std::string> lines = Examples();
  rt->Submit(Slice(lines, 0, 5));
  rt.reset();
  const auto before = testing::DumpCaseData(dir);
  ASSERT_TRUE(before.ok());
  // Reopened at the time the fifth example occurred.
  rt = std::make_unique<Runtime>(
      dir, absl::FromCivil(absl::CivilSecond(2026, 11, 2, 3, 0, 0), absl::UTCTimeZone()));
  const auto outcomes = rt->Submit({
      R"({"commandId":"x1","caseId":"C-2026-0001","actor":{"id":"E-100"},"archive":{}})",
      R"({"commandId":"x2","caseId":"C-NOPE","actor":{"id":"E-100"},"acknowledge":{}})",
      R"({"commandId":"x3","caseId":"C-2026-0001","expectedRevision":"1","actor":{"id":"E-100"},"accept":{}})",
      "not json at all",
      R"({"commandId":"x4","mystery":1})",
  });
  ASSERT_EQ(outcomes.size(), 5u);
  EXPECT_EQ(outcomes[0].rejection().rule(), v1::RULE_ARCHIVE_PRECONDITIONS);
  EXPECT_EQ(outcomes[1].rejection().rule(), v1::RULE_UNKNOWN_CASE);
  EXPECT_EQ(outcomes[2].rejection().rule(), v1::RULE_EXPECTED_REVISION);
  EXPECT_EQ(outcomes[2].rejection().code(), "ABORTED");
  EXPECT_EQ(outcomes[3].rejection().rule(), v1::RULE_UNDECODABLE);
  EXPECT_EQ(outcomes[4].rejection().rule(), v1::RULE_UNDECODABLE);
  const auto after_refusals = testing::DumpCaseData(dir);
  ASSERT_TRUE(after_refusals.ok());
  EXPECT_EQ(*before, *after_refusals) << "a refusal changed a case";
  // x1 again, after the case has moved on: still its first refusal.
  rt->Submit(Slice(Examples(), 5, 20));
  const auto again = rt->Submit(
      {R"({"commandId":"x1","caseId":"C-2026-0001","actor":{"id":"E-100"},"archive":{}})"});
  EXPECT_TRUE(again[0].duplicate());
  EXPECT_EQ(again[0].rejection().SerializeAsString(), outcomes[0].rejection().SerializeAsString());
  rt.reset();
  const auto after = testing::DumpDataDir(dir);
  ASSERT_TRUE(after.ok());
  // The three refusals with an id are recorded, the undecodable ones not.
  int recorded = 0;
  for (const auto& [key, value] : *after) {
    recorded += key.rfind(absl::StrCat(static_cast<int>(Cf::kRejections), "/"), 0) == 0;
  }
  EXPECT_EQ(recorded, 3);
}

// docket's own ids (the scanner's deadline:..., docketd's session:... and
// logout:...) are refused from anyone else, and the refusal is not
// recorded: nobody can occupy the id and so block docket's own command.
TEST(CommandProcessorTest, NobodyOccupiesDocketsOwnCommandIds) {
  const std::string dir = testing::FreshDir("reserved");
  Runtime rt(dir);
  const std::string issue =
      R"("caseId":"@directory","directory":{"issueToken":{"token":{"tokenId":"0123456789abcdef",)"
      R"("principalId":"E-100","secretSha256":")" +
      std::string(43, 'A') + R"(="}}}})";  // 32 bytes, base64.
  for (const char* squat : {"session:0123456789abcdef", "logout:0123456789abcdef"}) {
    const auto refused = rt.Submit(
        {absl::StrCat(R"({"commandId":")", squat, R"(","actor":{"id":"admin"},)", issue)});
    ASSERT_TRUE(refused[0].has_rejection()) << squat;
    EXPECT_EQ(refused[0].rejection().rule(), v1::RULE_MALFORMED_COMMAND);
    EXPECT_THAT(refused[0].rejection().reason(), HasSubstr("reserved"));
  }
  const auto squatted = rt.Submit(
      {R"({"commandId":"deadline:C-2026-0001:FIRST_RESPONSE:breach","caseId":"C-2026-0001",)"
       R"("actor":{"id":"E-100"},"acknowledge":{}})"});
  ASSERT_TRUE(squatted[0].has_rejection());
  // docket itself sends the id: decided, not a duplicate of the refusal.
  absl::StatusOr<v1::Command> own =
      ParseCommandJson(absl::StrCat(R"({"commandId":"session:0123456789abcdef",)", issue));
  ASSERT_TRUE(own.ok()) << own.status();
  absl::StatusOr<std::vector<v1::CommandOutcome>> decided =
      rt.processor().SubmitBatchAt({*own}, rt.clock().Now());
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_FALSE((*decided)[0].has_rejection()) << (*decided)[0].rejection().reason();
  EXPECT_FALSE((*decided)[0].duplicate());
}

TEST(CommandProcessorTest, ReplayRebuildsTheSameBytes) {
  const std::string dir = testing::FreshDir("replay");
  auto rt = std::make_unique<Runtime>(dir);
  const std::vector<std::string> lines = Examples();
  for (size_t i = 0; i < lines.size(); i += 7) rt->Submit(Slice(lines, i, i + 7));
  rt.reset();
  const auto before = testing::DumpDataDir(dir);
  ASSERT_TRUE(before.ok());
  {
    std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
    absl::StatusOr<int64_t> folded = Replay(store.get(), /*batch_size=*/5);
    ASSERT_TRUE(folded.ok()) << folded.status();
    EXPECT_EQ(*folded, 72 + 35);  // The directory's events too.
  }
  const auto after = testing::DumpDataDir(dir);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*before, *after);
}

TEST(CommandProcessorTest, AnInterruptedReplayIsFinishedOnTheNextOpen) {
  const std::string dir = testing::FreshDir("interrupted");
  auto rt = std::make_unique<Runtime>(dir);
  rt->Submit(Examples());
  rt.reset();
  const auto before = testing::DumpDataDir(dir);
  {
    // A replay that cleared the projections and then died.
    std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
    ASSERT_TRUE(store->ClearProjections().ok());
  }
  rt = std::make_unique<Runtime>(dir);  // Catches up on open.
  rt.reset();
  EXPECT_EQ(*before, *testing::DumpDataDir(dir));
}

// A directory whose projections another version of the fold built (here:
// before Deadline.met_late, its states without it) is named by the audit,
// and folded again, once, by the next writer: its states are this fold's
// and the audit is clean.
TEST(CommandProcessorTest, ADirectoryFoldedByAnotherVersionIsFoldedAgain) {
  const std::string dir = testing::FreshDir("older-fold");
  auto rt = std::make_unique<Runtime>(dir);
  rt->Submit(Examples());
  rt.reset();
  const auto current = testing::DumpDataDir(dir);
  ASSERT_TRUE(current.ok());
  {
    // As the older fold left it: no met_late in any state, no version.
    std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
    rocksdb::WriteBatch older;
    int unjudged = 0;
    std::unique_ptr<rocksdb::Iterator> it = store->NewIterator(Cf::kCases);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      v1::CaseState state;
      ASSERT_TRUE(state.ParseFromArray(it->value().data(), it->value().size()));
      for (v1::Deadline& d : *state.mutable_deadlines()) {
        unjudged += d.met_late();
        d.clear_met_late();
      }
      older.Put(store->cf(Cf::kCases), it->key(), state.SerializeAsString());
    }
    ASSERT_GT(unjudged, 0) << "the examples meet some clock late";
    v1::DataDirMeta meta = *store->ReadMeta();
    meta.clear_fold_version();
    older.Put(store->cf(Cf::kMeta), kMetaKey, meta.SerializeAsString());
    ASSERT_TRUE(store->Write(&older, true).ok());
    absl::StatusOr<AuditReport> audit = Audit(*store, EvidenceStore(dir));
    ASSERT_TRUE(audit.ok()) << audit.status();
    EXPECT_THAT(audit->problems, Contains(HasSubstr("folded by fold version 0")));
    EXPECT_THAT(audit->problems, Contains(HasSubstr("stored state differs")));
  }
  rt = std::make_unique<Runtime>(dir);
  absl::StatusOr<AuditReport> audit = Audit(*rt->store(), EvidenceStore(dir));
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_THAT(audit->problems, IsEmpty());
  rt.reset();
  EXPECT_EQ(*current, *testing::DumpDataDir(dir));
}

TEST(CommandProcessorTest, AuditFindsAlteredEventBytes) {
  const std::string dir = testing::FreshDir("tamper");
  auto rt = std::make_unique<Runtime>(dir);
  rt->Submit(Slice(Examples(), 0, 12));
  {
    // Rewrite the claim in C-2026-0001's first event, keeping its hash.
    v1::StoredEvent stored;
    std::string bytes = **rt->store()->Get(Cf::kHistory, keys::History("C-2026-0001", 1));
    ASSERT_TRUE(stored.ParseFromString(bytes));
    v1::CaseEvent event;
    ASSERT_TRUE(event.ParseFromString(stored.event()));
    event.mutable_case_opened()->mutable_intake()->set_claim_fen(999999);
    stored.set_event(event.SerializeAsString());
    rocksdb::WriteBatch batch;
    batch.Put(rt->store()->cf(Cf::kHistory), keys::History("C-2026-0001", 1),
              stored.SerializeAsString());
    ASSERT_TRUE(rt->store()->Write(&batch, true).ok());
  }
  absl::StatusOr<AuditReport> audit = Audit(*rt->store(), EvidenceStore(dir));
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->ok());
  bool named = false;
  for (const std::string& p : audit->problems) {
    named |= absl::StrContains(p, "case C-2026-0001 revision 1") && absl::StrContains(p, "altered");
  }
  EXPECT_TRUE(named) << audit->problems[0];
}

}  // namespace
}  // namespace docket
