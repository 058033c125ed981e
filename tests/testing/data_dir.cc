#include "tests/testing/data_dir.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "projections/store.h"
#include "tests/testing/binaries.h"
#include "tests/testing/subprocess.h"

namespace docket::testing {

std::string FreshDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::filesystem::path dir = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") / name;
  std::filesystem::remove_all(dir);
  return dir.string();
}

absl::StatusOr<std::map<std::string, std::string>> DumpDataDir(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir, Store::Mode::kReadOnly);
  if (!store.ok()) return store.status();
  std::map<std::string, std::string> out;
  for (int i = 0; i < kCfCount; ++i) {
    std::unique_ptr<rocksdb::Iterator> it = (*store)->NewIterator(static_cast<Cf>(i));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out[absl::StrCat(i, "/", it->key().ToString())] = it->value().ToString();
    }
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> DumpCaseData(const std::string& dir) {
  absl::StatusOr<std::map<std::string, std::string>> dump = DumpDataDir(dir);
  if (!dump.ok()) return dump;
  for (Cf outcomes : {Cf::kCommands, Cf::kRejections, Cf::kUploads}) {
    const std::string prefix = absl::StrCat(static_cast<int>(outcomes), "/");
    for (auto it = dump->lower_bound(prefix);
         it != dump->end() && it->first.rfind(prefix, 0) == 0;) {
      it = dump->erase(it);
    }
  }
  return dump;
}

std::string WriteFile(const std::string& name, const std::string& content) {
  const std::string path = FreshDir(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    std::abort();
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string ReplicatedExamples(const std::string& tag, int replicas) {
  const std::vector<std::string> examples = ReadLines(SeedCasesPath());
  // Line by line across the copies, so the stream stays in time order.
  std::string out;
  for (const std::string& line : examples) {
    for (int r = 0; r < replicas; ++r) {
      const std::string prefix = absl::StrCat("\"", tag, r, "-C-2026-");
      absl::StrAppend(&out, absl::StrReplaceAll(line, {{"\"C-2026-", prefix}}), "\n");
    }
  }
  return out;
}

void Organise(const std::string& dir) {
  // Under the examples' drill clock: two directories organised alike hold
  // the same bytes.
  const RunResult init =
      RunProcess({DocketctlPath(), "--data_dir=" + dir, kExamplesClock, "init", "--admin=admin"});
  const RunResult org =
      RunProcess({DocketctlPath(), "--data_dir=" + dir, kExamplesClock, "directory", "apply"},
                 ReadFileOrDie(OrgPath()));
  if (init.exit_code != 0 || org.exit_code != 0) {
    std::cerr << "init or directory apply failed: " << init.err << org.err << org.out << "\n";
    std::abort();
  }
}

std::string OrganisedDir(const std::string& name) {
  const std::string dir = FreshDir(name);
  Organise(dir);
  return dir;
}

std::string DirWithExampleEvidence(const std::string& name) {
  const std::string dir = OrganisedDir(name);
  const RunResult stored = RunProcess({DocketctlPath(), "--data_dir=" + dir, "put-evidence",
                                       Runfile("examples/evidence/acrylic_sign_crack.png"),
                                       Runfile("examples/evidence/laptop_screen_crack.png")});
  if (stored.exit_code != 0) {
    std::cerr << "put-evidence failed: " << stored.err << "\n";
    std::abort();
  }
  return dir;
}

}  // namespace docket::testing
