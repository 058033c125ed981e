// The routes behind a case's facts: evidence uploaded and fetched, and the
// auditor's check of the whole data directory (docs/api.md).

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "docket/v1/api.pb.h"
#include "engine/authorization.h"
#include "engine/input_grammar.h"
#include "engine/time_util.h"
#include "projections/store.h"
#include "services/api/http_util.h"
#include "services/api/server.h"
#include "services/audit/auditor.h"
#include "services/runtime/evidence_store.h"

namespace docket {
namespace {

// Whether a single range (as cpp-httplib parsed it; -1 is an open end)
// overlaps a file of `size` bytes.
bool Satisfiable(const httplib::Range& range, int64_t size) {
  const auto [first, last] = range;
  if (first < 0) return last > 0 && size > 0;  // The last `last` bytes.
  return first < size && (last < 0 || last >= first);
}

using api::BadRequest;
using api::Caller;
using api::EnumValue;
using api::Forbidden;
using api::MakeRejection;
using api::Param;
using api::SendError;
using api::SendJson;
using api::SendRejection;
using httplib::Request;
using httplib::Response;

// A media type as a client may state it: type/subtype, printable, short.
// A file's name as an upload may give it: the strict grammar of every
// text docket keeps (valid UTF-8, no control or bidirectional characters),
// short, no path.
bool IsValidFileName(absl::string_view name) {
  if (name.size() > 200 || absl::StrContains(name, '/') || absl::StrContains(name, '\\')) {
    return false;
  }
  v1::Evidence probe;
  probe.set_description(std::string(name));
  return CheckInputGrammar(probe).ok() && SafeText(name, 200) == name;
}

}  // namespace

void ApiServer::AuditRoutes(const api::Authenticator& authenticate) {
  const EmbeddedRuntime* runtime = runtime_;

  // POST /v1/evidence?kind=&name=: the bytes, streamed to a file and
  // stored by content; the Evidence to attach with an attach_evidence
  // command. The caller and its role were checked from the headers before
  // any of the body was read (ApiServer::Routes' pre-routing).
  http_->Post("/v1/evidence", [this, runtime, authenticate](const Request& req, Response& res,
                                                            const httplib::ContentReader& reader) {
    // Who uploads (the pre-routing checked the role may).
    std::optional<Caller> caller = authenticate(req, res, nullptr);
    if (!caller) return api::CloseAfter(res);
    // What it may still upload: the file's declared length is reserved
    // before any byte is read, and what was stored is taken after.
    const size_t max_bytes = static_cast<size_t>(runtime->policy().evidence().max_bytes());
    const std::string& who = caller->principal.id();
    // The pre-routing let through only a Content-Length of digits (at
    // most 18), never a chunked body; a file over the limit is refused
    // when read, so no more than the limit is reserved.
    int64_t reserved = static_cast<int64_t>(max_bytes);
    if (int64_t declared; req.has_header("Content-Length") &&
                          absl::SimpleAtoi(req.get_header_value("Content-Length"), &declared)) {
      reserved = std::min(reserved, declared);
    }
    api::Budget::Reservation upload = uploads_.Reserve(who, reserved);
    if (!upload.admitted()) {
      api::OverBudget(res, who, "has uploaded its budget of evidence lately", upload.wait());
      return api::CloseAfter(res);
    }
    v1::EvidenceKind kind = v1::EVIDENCE_KIND_PHOTO;
    if (!Param(req, "kind").empty()) {
      std::optional<int> value =
          EnumValue(v1::EvidenceKind_descriptor(), Param(req, "kind"), "EVIDENCE_KIND_");
      if (!value || *value == 0) {
        BadRequest(res, "kind is an EvidenceKind");
        return api::CloseAfter(res);
      }
      kind = static_cast<v1::EvidenceKind>(*value);
    }
    std::string media_type(req.get_header_value("Content-Type"));
    media_type =
        std::string(absl::StripAsciiWhitespace(media_type.substr(0, media_type.find(';'))));
    if (!IsValidMediaType(media_type)) {
      BadRequest(res, "Content-Type names the file's media type, e.g. image/jpeg");
      return api::CloseAfter(res);
    }
    const std::string name = Param(req, "name");
    if (!name.empty() && !IsValidFileName(name)) {
      BadRequest(res,
                 "name is a file name: valid UTF-8, at most 200 bytes, no path, no control "
                 "or bidirectional characters");
      return api::CloseAfter(res);
    }
    // Streamed to a temporary file beside the store, never held whole.
    std::string tmp =
        (std::filesystem::path(runtime->store()->dir()) / "evidence" / "upload-XXXXXX").string();
    std::filesystem::create_directories(std::filesystem::path(tmp).parent_path());
    const int fd = mkstemp(tmp.data());
    if (fd < 0) {
      SendError(res, absl::UnavailableError("cannot store the upload"));
      return api::CloseAfter(res);
    }
    size_t size = 0;
    // A file over the limit is not drained: the connection is closed.
    const api::BodyRead read = api::ReadBody(
        req, reader, max_bytes, /*drain_bytes=*/0, v1::RULE_EVIDENCE, "file",
        [fd, &size](const char* data, size_t n) {
          for (size_t done = 0; done < n;) {
            const ssize_t w = write(fd, data + done, n - done);
            if (w <= 0) return false;
            done += static_cast<size_t>(w);
          }
          size += n;
          return true;
        },
        res);
    close(fd);
    absl::Cleanup remove_tmp = [&tmp] { std::filesystem::remove(tmp); };
    if (read == api::BodyRead::kAnswered) return;
    if (read == api::BodyRead::kNotKept) {
      SendError(res, absl::UnavailableError("cannot store the upload"));
      return api::CloseAfter(res);
    }
    if (size == 0) return BadRequest(res, "the body is the file, and it is empty");
    // Its messages name the upload, never the server's file.
    absl::StatusOr<v1::Evidence> stored =
        runtime->evidence().Put(tmp, kind, media_type, name.empty() ? "the upload" : name);
    if (absl::IsInvalidArgument(stored.status())) {
      // No photo of its type, or no media type: the file's fault, a rule's.
      return SendRejection(res, MakeRejection(v1::RULE_EVIDENCE, stored.status().code(),
                                              std::string(stored.status().message())));
    }
    if (!stored.ok()) return SendError(res, stored.status());
    upload.Keep(static_cast<int64_t>(size));
    // Its uploader may attach it; others only once they upload it too.
    absl::Status recorded =
        runtime->evidence().RecordUploader(stored->sha256_hex(), caller->principal.id());
    if (!recorded.ok()) return SendError(res, recorded);
    stored->set_description(name);
    stored->set_captured_by(caller->principal.id());
    SendJson(res, *stored, 201);
  });

  // GET /v1/evidence/{sha256}?case_id=C: the bytes, to whoever may read a
  // case that attached them.
  http_->Get(R"(/v1/evidence/([^/]+))", [runtime, authenticate](const Request& req, Response& res) {
    const std::string sha = req.matches[1];
    const std::string case_id = Param(req, "case_id");
    if (case_id.empty()) {
      // Without the case, the caller is only told to name it.
      if (!authenticate(req, res, nullptr)) return;
      return BadRequest(res, "name the case that attached the file: ?case_id=");
    }
    std::optional<std::pair<Caller, v1::CaseState>> readable =
        authenticate.ReadableCase(req, res, case_id);
    if (!readable) return;
    const v1::Evidence* found = nullptr;
    for (const v1::Evidence& e : readable->second.evidence()) {
      if (e.sha256_hex() == sha && e.uri() == absl::StrCat("cas://", sha)) found = &e;
    }
    if (!IsSha256Hex(sha) || found == nullptr) {
      return SendRejection(res, MakeRejection(v1::RULE_EVIDENCE, absl::StatusCode::kNotFound,
                                              absl::StrCat("case ", case_id, " attached no file ",
                                                           SafeText(sha, 64))));
    }
    // One range at most, inside the file: one request for a large file
    // 670 times over was 45 GB. More than one range is ignored: the file
    // once, 200.
    httplib::Ranges& ranges = api::RangesOf(req);
    if (ranges.size() > 1) ranges.clear();
    if (ranges.size() == 1 && !Satisfiable(ranges.front(), found->size_bytes())) {
      ranges.clear();
      res.status = 416;
      res.set_header("Content-Range", absl::StrCat("bytes */", found->size_bytes()));
      return;
    }
    // A range that ends past the file ends at its last byte (the library
    // would announce the bytes asked for and cut the connection short); a
    // suffix longer than the file is the whole file (RFC 9110, 14.1.2).
    if (ranges.size() == 1 && ranges.front().second >= found->size_bytes()) {
      const ssize_t last = static_cast<ssize_t>(found->size_bytes()) - 1;
      ranges.front() = {ranges.front().first < 0 ? 0 : ranges.front().first, last};
    }
    absl::Status intact = runtime->evidence().Check(*found);
    if (!intact.ok()) return SendError(res, intact);
    const std::string path = runtime->evidence().PathFor(sha);
    const std::string media_type =
        IsValidMediaType(found->media_type()) ? found->media_type() : "application/octet-stream";
    // Served as data, never as a page of this origin.
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
    // Kept by no cache: a logout or a revocation ends access to it.
    res.set_header("Cache-Control", "no-store");
    res.set_header("ETag", absl::StrCat("\"", sha, "\""));
    res.set_content_provider(found->size_bytes(), media_type,
                             [path](size_t offset, size_t length, httplib::DataSink& sink) {
                               FILE* f = fopen(path.c_str(), "rb");
                               if (f == nullptr) return false;
                               std::string chunk(std::min<size_t>(length, 1 << 16), '\0');
                               const bool ok =
                                   fseek(f, static_cast<long>(offset), SEEK_SET) == 0 &&
                                   fread(chunk.data(), 1, chunk.size(), f) == chunk.size();
                               fclose(f);
                               return ok && sink.write(chunk.data(), chunk.size());
                             });
  });

  // GET /v1/audit: verify, for auditors, on a consistent read-only view of
  // the data directory; one at a time.
  http_->Get("/v1/audit", [this, runtime, authenticate](const Request& req, Response& res) {
    std::optional<Caller> caller = authenticate(req, res, nullptr);
    if (!caller) return;
    if (caller->principal.role() != v1::ROLE_AUDITOR) {
      return Forbidden(res, "the audit of the whole directory is for auditors");
    }
    std::unique_lock<std::mutex> one(audit_mu_, std::try_to_lock);
    if (!one.owns_lock()) {
      res.set_header("Retry-After", "5");
      return SendError(res, absl::ResourceExhaustedError("an audit is running; try again"));
    }
    absl::StatusOr<std::unique_ptr<Store>> view =
        Store::Open(runtime->store()->dir(), Store::Mode::kReadOnly);
    if (!view.ok()) return SendError(res, view.status());
    // The view read the write-ahead log as it stood, synced or not: the
    // audit answers once all of it is durable, so it never reports what a
    // crash could take back.
    runtime->store()->AwaitDurable();
    const absl::Time started = runtime->clock()->Now();
    absl::StatusOr<AuditReport> report = Audit(**view, runtime->evidence());
    if (!report.ok()) return SendError(res, report.status());
    v1::AuditSummary summary = ToSummary(*report);
    *summary.mutable_checked_at() = ToProto(started);
    SendJson(res, summary);
  });
}

}  // namespace docket
