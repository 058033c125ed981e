// A log that refuses corruption: single bytes flipped in every kind of file
// of a data directory (write-ahead log, table files, MANIFEST, CURRENT,
// OPTIONS, IDENTITY, ACKNOWLEDGED, evidence), one flip at a time, in a copy.
// Each flip must be harmless (the data reads back exactly as before) or
// detected (opening or verify fails); none may lose data silently.
//
// Before: RocksDB's default recovery read a bad write-ahead-log record as
// the end of the log; one flipped byte silently deleted all 69 events of a
// seeded directory, and verify said OK.

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

namespace fs = std::filesystem;
using testing::RunProcess;
using testing::RunResult;

RunResult Ctl(const std::string& dir, std::vector<std::string> args,
              const std::string& input = "") {
  args.insert(args.begin(), {testing::DocketctlPath(), "--data_dir=" + dir});
  return RunProcess(args, input);
}

// What the data directory holds, as docket reads it: every family, and the
// evidence files' bytes.
std::map<std::string, std::string> Contents(const std::string& dir) {
  std::map<std::string, std::string> out;
  absl::StatusOr<std::map<std::string, std::string>> dump = testing::DumpDataDir(dir);
  if (!dump.ok()) return {{"!", std::string(dump.status().message())}};
  out = *std::move(dump);
  if (fs::exists(dir + "/evidence")) {
    for (const auto& e : fs::recursive_directory_iterator(dir + "/evidence")) {
      if (e.is_regular_file())
        out["evidence/" + e.path().filename().string()] = testing::ReadFileOrDie(e.path().string());
    }
  }
  return out;
}

// Which kind of file a data directory's file is, for the report.
std::string KindOf(const fs::path& path) {
  const std::string name = path.filename().string();
  if (absl::StartsWith(path.string(), "evidence/")) return "evidence";
  if (absl::EndsWith(name, ".log")) return "wal";
  if (absl::EndsWith(name, ".sst")) return "sst";
  if (absl::StartsWith(name, "MANIFEST")) return "manifest";
  if (absl::StartsWith(name, "OPTIONS")) return "options";
  return name;  // CURRENT, IDENTITY, ACKNOWLEDGED.
}

struct Tally {
  std::map<std::string, int> harmless, detected;
  std::vector<std::string> silent;
};

// Flips single bytes of every file of `seeded`, each in a fresh copy, and
// classifies the outcome.
void FlipEveryFile(const std::string& seeded, const std::string& name, Tally* tally) {
  const std::map<std::string, std::string> expected = Contents(seeded);
  ASSERT_EQ(expected.count("!"), 0u) << expected.at("!");
  std::mt19937 rng(7);
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(seeded)) {
    const std::string file = e.path().filename().string();
    // LOCK is empty; LOG files are RocksDB's diagnostics, never read.
    if (!e.is_regular_file() || e.file_size() == 0 || file == "LOCK" ||
        absl::StartsWith(file, "LOG")) {
      continue;
    }
    files.push_back(fs::relative(e.path(), seeded));
  }
  int trial = 0;
  for (const fs::path& relative : files) {
    const uintmax_t size = fs::file_size(fs::path(seeded) / relative);
    std::vector<uintmax_t> offsets = {0, size / 2, size - 1,
                                      std::uniform_int_distribution<uintmax_t>(0, size - 1)(rng)};
    for (uintmax_t offset : offsets) {
      const std::string copy = testing::FreshDir(absl::StrCat(name, "-flip-", trial++));
      fs::copy(seeded, copy, fs::copy_options::recursive);
      {
        std::fstream f(fs::path(copy) / relative, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(offset);
        char byte = 0;
        f.get(byte);
        f.seekp(offset);
        f.put(static_cast<char>(byte ^ (1 << (offset % 8))));
      }
      const std::string where = absl::StrCat(relative.string(), " byte ", offset);
      // Read: verify. Write: a writer opens the directory and commits a
      // command (a rejection, recorded); verify again.
      RunResult verified = Ctl(copy, {"verify"});
      RunResult written = Ctl(copy, {"submit"},
                              R"({"commandId":"probe-1","caseId":"C-PROBE","actor":{"id":"E-101"},)"
                              R"("acknowledge":{}})"
                              "\n");
      RunResult reverified = Ctl(copy, {"verify"});
      const bool read_ok = verified.exit_code == 0;
      const bool wrote_ok = written.exit_code == 1 && reverified.exit_code == 0;
      if (!read_ok && written.exit_code == 2) {
        ++tally->detected[KindOf(relative)];
        continue;
      }
      std::map<std::string, std::string> actual = Contents(copy);
      if (read_ok || wrote_ok) {
        // Whatever docket accepted to read or write must be the data as it
        // was (plus the probe's recorded refusal).
        for (auto it = actual.begin(); it != actual.end();) {
          it = absl::StrContains(it->first, "probe-1") ? actual.erase(it) : std::next(it);
        }
        if (actual == expected) {
          ++tally->harmless[KindOf(relative)];
        } else {
          tally->silent.push_back(absl::StrCat(where, ": verify ", verified.exit_code, ", write ",
                                               written.exit_code, ", data differs"));
        }
      } else {
        ++tally->detected[KindOf(relative)];
      }
    }
  }
}

std::string Summary(const std::map<std::string, int>& counts) {
  std::vector<std::string> parts;
  for (const auto& [kind, n] : counts) parts.push_back(absl::StrCat(kind, "=", n));
  return absl::StrJoin(parts, " ");
}

TEST(CorruptionTest, EveryFlippedByteIsHarmlessOrDetectedNeverSilent) {
  const std::string examples = testing::ReadFileOrDie(testing::SeedCasesPath());
  // One directory whose events are all in the write-ahead log; one whose
  // events were compacted into table files, with more in the log after.
  const std::string in_wal = testing::DirWithExampleEvidence("in-wal");
  ASSERT_EQ(Ctl(in_wal, {testing::kExamplesClock, "submit"}, examples).exit_code, 0);
  const std::string in_sst = testing::DirWithExampleEvidence("in-sst");
  const size_t half = examples.find("C-2026-0004-001");
  const size_t cut = examples.rfind('\n', half) + 1;
  ASSERT_EQ(Ctl(in_sst, {testing::kExamplesClock, "submit"}, examples.substr(0, cut)).exit_code, 0);
  ASSERT_EQ(Ctl(in_sst, {"compact"}).exit_code, 0);
  ASSERT_EQ(Ctl(in_sst, {testing::kExamplesClock, "submit"}, examples.substr(cut)).exit_code, 0);

  Tally tally;
  FlipEveryFile(in_wal, "wal", &tally);
  FlipEveryFile(in_sst, "sst", &tally);
  RecordProperty("harmless", Summary(tally.harmless));
  RecordProperty("detected", Summary(tally.detected));
  EXPECT_TRUE(tally.silent.empty()) << "data lost silently:\n" << absl::StrJoin(tally.silent, "\n");
  // The flips reached every kind of file, and a damaged log was caught.
  for (const char* kind : {"wal", "sst", "manifest", "CURRENT", "evidence", "ACKNOWLEDGED"}) {
    EXPECT_GT(tally.harmless[kind] + tally.detected[kind], 0) << kind;
  }
  EXPECT_GT(tally.detected["wal"], 0);
  EXPECT_GT(tally.detected["evidence"], 0);
}

// What recovery may drop: a torn tail, the start of a write that a crash
// cut short, never acknowledged. The directory opens and reads as before.
TEST(CorruptionTest, ATornTailIsDroppedAndNothingElse) {
  const std::string dir = testing::DirWithExampleEvidence("torn");
  ASSERT_EQ(Ctl(dir, {testing::kExamplesClock, "submit"},
                testing::ReadFileOrDie(testing::SeedCasesPath()))
                .exit_code,
            0);
  const std::map<std::string, std::string> expected = Contents(dir);
  int torn = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!absl::EndsWith(e.path().string(), ".log") || e.file_size() == 0) continue;
    // A record header promising more bytes than follow.
    std::ofstream(e.path(), std::ios::app | std::ios::binary)
        << std::string("\x12\x34\x56\x78\xff\x7f\x01", 7);
    ++torn;
  }
  ASSERT_GT(torn, 0);
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
  EXPECT_EQ(Contents(dir), expected);
  RunResult written = Ctl(dir, {"submit"},
                          R"({"commandId":"after-tear","caseId":"C-NONE","actor":{"id":"E-101"},)"
                          R"("acknowledge":{}})"
                          "\n");
  EXPECT_EQ(written.exit_code, 1) << written.err;  // Opened; the command refused by a rule.
  EXPECT_EQ(Ctl(dir, {"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace docket
