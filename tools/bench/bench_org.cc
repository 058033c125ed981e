#include "tools/bench/bench_org.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "engine/envelope.h"
#include "services/identity/bootstrap.h"
#include "services/runtime/json_codec.h"
#include "tools/bench/workload.h"

namespace docket::bench {
namespace {

// examples/org.ndjson, embedded by the genrule :org_inc.
constexpr char kOrg[] =
#include "tools/bench/org.inc"
    ;

absl::Status Submit(CommandProcessor* processor, std::vector<absl::StatusOr<v1::Command>> group,
                    bool internal) {
  absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
      internal ? processor->SubmitBatchAt(group, absl::UnixEpoch()) : processor->SubmitBatch(group);
  if (!outcomes.ok()) return outcomes.status();
  for (const v1::CommandOutcome& o : *outcomes) {
    if (o.has_rejection()) {
      return absl::FailedPreconditionError(absl::StrCat("the bench's directory: ", o.command_id(),
                                                        " refused: ", o.rejection().reason()));
    }
  }
  return absl::OkStatus();
}

// examples/evidence/acrylic_sign_crack.png, embedded by the genrule
// :photo_inc.
constexpr char kPhoto[] =
#include "tools/bench/photo.inc"
    ;

}  // namespace

absl::Status StoreTheWorkloadsPhoto(const EvidenceStore& evidence) {
  const v1::Evidence photo = WorkloadPhoto();
  absl::StatusOr<v1::Evidence> stored =
      evidence.PutBytes(absl::string_view(kPhoto, sizeof(kPhoto) - 1), "acrylic_sign_crack.png",
                        v1::EVIDENCE_KIND_PHOTO, photo.media_type());
  if (!stored.ok()) return stored.status();
  if (stored->uri() != photo.uri() || stored->size_bytes() != photo.size_bytes()) {
    return absl::InternalError(
        absl::StrCat("the workload's photo is stored as ", stored->uri(), ", not ", photo.uri()));
  }
  return evidence.RecordUploader(photo.sha256_hex(), photo.captured_by());
}

absl::Status OrganiseLikeTheExamples(CommandProcessor* processor) {
  absl::StatusOr<std::vector<v1::Command>> bootstrap = BootstrapCommands("admin", "");
  if (!bootstrap.ok()) return bootstrap.status();
  absl::Status booted = Submit(processor, {bootstrap->begin(), bootstrap->end()}, true);
  if (!booted.ok()) return booted;
  std::vector<absl::StatusOr<v1::Command>> org;
  for (absl::string_view line : absl::StrSplit(kOrg, '\n', absl::SkipWhitespace())) {
    // As docketctl directory apply sends them: on the directory's stream.
    absl::StatusOr<v1::Command> command = ParseCommandJson(line);
    if (command.ok()) command->set_case_id(kDirectoryStream);
    org.push_back(std::move(command));
  }
  return Submit(processor, std::move(org), false);
}

}  // namespace docket::bench
