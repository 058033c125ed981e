#include "services/runtime/embedded_runtime.h"

#include <cstdlib>
#include <filesystem>

#include "services/runtime/catch_up.h"

namespace docket {

absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> EmbeddedRuntime::Open(
    const std::string& dir, v1::Policy policy, std::unique_ptr<const Calendar> calendar,
    const Clock* clock) {
  std::unique_ptr<EmbeddedRuntime> runtime(new EmbeddedRuntime());
  runtime->policy_ = std::move(policy);
  runtime->calendar_ = std::move(calendar);
  runtime->clock_ = clock;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir, Store::Mode::kReadWrite);
  if (!store.ok()) return store.status();
  runtime->store_ = *std::move(store);
  // Projections another version of the fold built (a directory written
  // before met_late, say) are folded again, once, from the log: the audit
  // would find every state that differs, and readers would show them.
  absl::StatusOr<v1::DataDirMeta> meta = runtime->store_->ReadMeta();
  if (!meta.ok()) return meta.status();
  if (meta->fold_version() != kFoldVersion) {
    absl::StatusOr<int64_t> replayed = Replay(runtime->store_.get());
    if (!replayed.ok()) return replayed.status();
  }
  absl::StatusOr<std::unique_ptr<EmbeddedEventLog>> log =
      EmbeddedEventLog::Open(runtime->store_.get());
  if (!log.ok()) return log.status();
  runtime->log_ = *std::move(log);
  absl::StatusOr<int64_t> caught_up = CatchUp(runtime->store_.get(), runtime->log_.get());
  if (!caught_up.ok()) return caught_up.status();
  runtime->processor_ = std::make_unique<CommandProcessor>(
      runtime->store_.get(), runtime->log_.get(), runtime->policy_, clock, *runtime->calendar_);
  runtime->evidence_ = std::make_unique<EvidenceStore>(dir, runtime->policy_.evidence().max_bytes(),
                                                       runtime->store_.get());
  runtime->processor_->set_evidence_store(runtime->evidence_.get());
  return runtime;
}

EmbeddedRuntime::~EmbeddedRuntime() = default;

std::string ResolveDataDir(const std::string& flag) {
  std::string dir = flag;
  if (dir.empty()) {
    const char* env = std::getenv("DOCKET_DATA_DIR");
    dir = env != nullptr && *env != '\0' ? env : "docket-data";
  }
  // Under `bazel run` the process starts in the runfiles tree; relative
  // paths mean the caller's directory.
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (cwd != nullptr && std::filesystem::path(dir).is_relative()) {
    dir = (std::filesystem::path(cwd) / dir).string();
  }
  return dir;
}

}  // namespace docket
