#ifndef DOCKET_TESTS_TESTING_DATA_DIR_H_
#define DOCKET_TESTS_TESTING_DATA_DIR_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace docket::testing {

// A fresh, empty directory under the test's temporary directory.
std::string FreshDir(const std::string& name);

// Every key and value of every column family of the data directory at
// `dir`, opened read-only: "family/key" -> value. Equal dumps mean equal
// data directories, whatever RocksDB did to its files.
absl::StatusOr<std::map<std::string, std::string>> DumpDataDir(const std::string& dir);

// DumpDataDir without the records of commands' outcomes (families
// `commands` and `rejections`) and of who stored evidence (`uploads`):
// what a refused command must leave as it was.
absl::StatusOr<std::map<std::string, std::string>> DumpCaseData(const std::string& dir);

// Writes `content` to a fresh file `name` under the test's temporary
// directory; returns its path.
std::string WriteFile(const std::string& name, const std::string& content);

// The contents of the file at `path`; the test fails when it cannot be read.
std::string ReadFileOrDie(const std::string& path);

// The lines of the file at `path` (e.g. examples/seed_cases.ndjson in the
// runfiles).
std::vector<std::string> ReadLines(const std::string& path);

// A fresh data directory `name` whose directory is bootstrapped with the
// administrator "admin" (docketctl init) and holds the examples'
// organisation (docketctl directory apply < examples/org.ndjson). Returns
// its path.
std::string OrganisedDir(const std::string& name);
// The same for the data directory at `dir` (new or empty).
void Organise(const std::string& dir);

// OrganisedDir holding the examples' evidence (the two photos
// of examples/evidence, stored with docketctl put-evidence, which the test
// must have in its data). Returns its path.
std::string DirWithExampleEvidence(const std::string& name);

// The example commands (examples/seed_cases.ndjson in the runfiles)
// `replicas` times over, each copy's case ids prefixed with `tag` and the
// copy's number ("R3-C-2026-0001"), one command per line, the copies
// interleaved line by line so the stream stays in time order: a large
// stream of valid lifecycles.
std::string ReplicatedExamples(const std::string& tag, int replicas);

}  // namespace docket::testing

#endif  // DOCKET_TESTS_TESTING_DATA_DIR_H_
