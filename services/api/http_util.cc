#include "services/api/http_util.h"

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/authorization.h"
#include "engine/envelope.h"
#include "engine/evolve.h"
#include "engine/input_grammar.h"
#include "engine/time_util.h"
#include "projections/keys.h"
#include "services/identity/credentials.h"
#include "services/runtime/json_codec.h"

namespace docket::api {

// docs/api.md, "Errors": the HTTP status of a rejection's code.
int HttpStatus(absl::string_view code) {
  if (code == "INVALID_ARGUMENT") return 400;
  if (code == "UNAUTHENTICATED") return 401;
  if (code == "PERMISSION_DENIED") return 403;
  if (code == "NOT_FOUND") return 404;
  if (code == "ABORTED" || code == "ALREADY_EXISTS" || code == "FAILED_PRECONDITION") return 409;
  if (code == "RESOURCE_EXHAUSTED") return 429;
  if (code == "UNAVAILABLE") return 503;
  if (code == "DEADLINE_EXCEEDED") return 504;
  if (code == "UNIMPLEMENTED") return 501;
  return 500;
}

v1::Rejection MakeRejection(v1::Rule rule, absl::StatusCode code, const std::string& reason) {
  v1::Rejection r;
  r.set_rule(rule);
  r.set_code(absl::StatusCodeToString(code));
  // Valid UTF-8 whatever went into it (a report's ?by=%ff did not, and
  // the JSON printer dropped the byte and logged an error each time).
  r.set_reason(SafeText(reason, 4096));
  return r;
}

void SendJson(Response& res, const google::protobuf::Message& message, int status) {
  res.status = status;
  res.set_content(ToJson(message) + "\n", "application/json");
}

void SendRejection(Response& res, const v1::Rejection& rejection) {
  SendJson(res, rejection, HttpStatus(rejection.code()));
}

void Unauthenticated(Response& res, const std::string& why) {
  SendRejection(res,
                MakeRejection(v1::RULE_UNAUTHENTICATED, absl::StatusCode::kUnauthenticated, why));
  res.set_header("WWW-Authenticate", "Bearer");
}

void NotFound(Response& res, const std::string& case_id) {
  // The same answer for a case out of scope as for one that does not exist.
  v1::Rejection r = MakeRejection(v1::RULE_UNKNOWN_CASE, absl::StatusCode::kNotFound,
                                  absl::StrCat("case ", SafeText(case_id, 64), " does not exist"));
  r.set_case_id(IsValidCaseId(case_id) ? case_id : "");
  SendRejection(res, r);
}

void BadRequest(Response& res, const std::string& why) {
  SendRejection(res,
                MakeRejection(v1::RULE_MALFORMED_COMMAND, absl::StatusCode::kInvalidArgument, why));
}

void Forbidden(Response& res, const std::string& why) {
  SendRejection(res, MakeRejection(v1::RULE_PERMISSION, absl::StatusCode::kPermissionDenied, why));
}

// An enum value by its full name ("STAGE_RESOLVING") or short name
// ("RESOLVING"); nullopt when neither names one.
std::optional<int> EnumValue(const google::protobuf::EnumDescriptor* type, const std::string& text,
                             const std::string& prefix) {
  const std::string upper = absl::AsciiStrToUpper(text);
  for (const std::string& name : {upper, prefix + upper}) {
    if (const auto* v = type->FindValueByName(name)) return v->number();
  }
  return std::nullopt;
}

std::optional<absl::Time> NextDue(const v1::CaseState& s) {
  if (IsClosed(s)) return std::nullopt;  // Archived, merged, referred: nothing is owed.
  std::optional<absl::Time> next;
  for (const v1::Deadline& d : s.deadlines()) {
    if (d.met()) continue;
    const absl::Time due = ToTime(d.due_at());
    if (!next || due < *next) next = due;
  }
  return next;
}

// The position of the log's last entry (0 when empty), from the store.
uint64_t LastLogPosition(const Store& store) {
  std::unique_ptr<rocksdb::Iterator> it = store.NewIterator(Cf::kLog);
  it->SeekToLast();
  return it->Valid() && it->key().size() == 8
             ? keys::ReadBigEndian64(absl::string_view(it->key().data(), it->key().size()))
             : 0;
}

// The name of an event's body, e.g. "acknowledged".
std::string EventKind(const v1::CaseEvent& event) {
  const google::protobuf::FieldDescriptor* body = event.GetReflection()->GetOneofFieldDescriptor(
      event, v1::CaseEvent::descriptor()->FindOneofByName("body"));
  return body != nullptr ? body->name() : "event";
}

std::string Param(const Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

void SendError(Response& res, const absl::Status& status) {
  SendRejection(res,
                MakeRejection(v1::RULE_UNSPECIFIED, status.code(), std::string(status.message())));
}

absl::StatusOr<std::shared_ptr<const Directory>> Authenticator::CurrentDirectory() const {
  // Nothing written since the cache was filled: it is current. Otherwise
  // the stored bytes are read (a memtable or block-cache hit) and compared;
  // they are parsed and indexed only when they changed. The sequence is
  // taken before the bytes, so the bytes are never older than it.
  const uint64_t sequence = store_->LatestSequence();
  {
    absl::MutexLock lock(&cache_->mu);
    if (cache_->directory != nullptr && cache_->sequence == sequence) return cache_->directory;
  }
  absl::StatusOr<std::optional<std::string>> bytes = store_->Get(Cf::kDirectory, kDirectoryKey);
  if (!bytes.ok()) return bytes.status();
  std::string current = bytes->value_or("");
  {
    absl::MutexLock lock(&cache_->mu);
    if (cache_->directory != nullptr && cache_->bytes == current) {
      cache_->sequence = std::max(cache_->sequence, sequence);
      return cache_->directory;
    }
  }
  v1::DirectoryState state;
  if (!state.ParseFromString(current)) {
    return absl::DataLossError("the stored directory does not decode");
  }
  auto parsed = std::make_shared<const Directory>(std::move(state));
  absl::MutexLock lock(&cache_->mu);
  // A thread that read later bytes may have filled the cache meanwhile.
  if (sequence >= cache_->sequence) {
    cache_->sequence = sequence;
    cache_->bytes = std::move(current);
    cache_->directory = parsed;
  }
  return parsed;
}

absl::StatusOr<Caller> Authenticator::Check(absl::string_view authorization,
                                            std::shared_ptr<const Directory>* dir_out) const {
  // The scheme's name is case-insensitive (RFC 9110).
  if (authorization.size() < 7 || !absl::EqualsIgnoreCase(authorization.substr(0, 7), "Bearer ")) {
    return absl::UnauthenticatedError("send Authorization: Bearer TOKEN");
  }
  std::optional<Token> token = ParseToken(absl::StripAsciiWhitespace(authorization.substr(7)));
  absl::StatusOr<std::shared_ptr<const Directory>> dir = CurrentDirectory();
  if (!dir.ok()) return dir.status();
  const v1::ApiToken* known = token ? (*dir)->FindToken(token->token_id) : nullptr;
  if (known == nullptr || known->revoked() ||
      (known->has_expires_at() && ToTime(known->expires_at()) <= clock_->Now()) ||
      !SecretMatches(token->secret, known->secret_sha256())) {
    return absl::UnauthenticatedError("the token is unknown, expired or revoked");
  }
  const v1::Principal* p = (*dir)->FindPrincipal(known->principal_id());
  if (p == nullptr || p->revoked()) {
    return absl::UnauthenticatedError("the token's principal was revoked");
  }
  Caller caller{*p, known->token_id(), known->session()};
  if (dir_out != nullptr) *dir_out = *std::move(dir);
  return caller;
}

std::optional<Caller> Authenticator::operator()(const Request& req, Response& res,
                                                std::shared_ptr<const Directory>* dir_out) const {
  absl::StatusOr<Caller> caller = Check(req.get_header_value("Authorization"), dir_out);
  if (caller.ok()) {
    // For the request log: who did it (the answer carries it too).
    res.set_header("X-Docket-Principal", caller->principal.id());
    return *std::move(caller);
  }
  if (caller.status().code() == absl::StatusCode::kUnauthenticated) {
    Unauthenticated(res, std::string(caller.status().message()));
  } else {
    SendError(res, caller.status());
  }
  return std::nullopt;
}

std::optional<std::pair<Caller, v1::CaseState>> Authenticator::ReadableCase(
    const Request& req, Response& res, const std::string& id) const {
  std::shared_ptr<const Directory> dir;
  std::optional<Caller> caller = (*this)(req, res, &dir);
  if (!caller) return std::nullopt;
  if (std::optional<int32_t> partition = elsewhere_ ? elsewhere_(id) : std::nullopt) {
    const bool none = *partition < 0;
    v1::Rejection r = MakeRejection(
        v1::RULE_WRONG_PARTITION,
        none ? absl::StatusCode::kUnavailable : absl::StatusCode::kFailedPrecondition,
        none ? std::string("this instance holds no partition of docket.commands now (starting, "
                           "restoring, or its group rebalancing); retry shortly")
             : absl::StrCat("case ", SafeText(id, 64), " lives in partition ", *partition,
                            " of docket.commands, which this instance does not hold now; read it "
                            "from the instance that owns that partition"));
    r.set_case_id(IsValidCaseId(id) ? id : "");
    SendRejection(res, r);
    if (none) {
      res.set_header("Retry-After", "1");
    } else {
      res.status = 421;  // Misdirected Request (RFC 9110): another server answers for it.
    }
    return std::nullopt;
  }
  absl::StatusOr<v1::CaseState> state = store_->ReadCase(id);
  if (!state.ok() || state->revision() == 0 || !MayRead(*dir, caller->principal, *state)) {
    NotFound(res, id);
    return std::nullopt;
  }
  return std::make_pair(*std::move(caller), *std::move(state));
}

httplib::Ranges& RangesOf(const Request& req) { return const_cast<httplib::Ranges&>(req.ranges); }

void CloseAfter(Response& res) {
  auto body = std::make_shared<std::string>(std::move(res.body));
  if (body->empty()) *body = "\n";
  std::string type = res.get_header_value("Content-Type");
  if (type.empty()) type = "application/json";
  res.body.clear();
  res.headers.erase("Content-Type");
  res.set_header("Connection", "close");
  res.set_content_provider(body->size(), type,
                           [body](size_t offset, size_t length, httplib::DataSink& sink) {
                             sink.write(body->data() + offset, length);
                             return false;  // Written: now the library closes the connection.
                           });
}

BodyRead ReadBody(const Request& req, const httplib::ContentReader& reader, size_t max_bytes,
                  size_t drain_bytes, v1::Rule over_rule, absl::string_view what,
                  const std::function<bool(const char*, size_t)>& keep, Response& res) {
  uint64_t declared = 0;
  if (!absl::SimpleAtoi(req.get_header_value("Content-Length"), &declared)) declared = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(10) +
                              absl::Seconds(std::min<uint64_t>(declared, max_bytes) >> 18);
  size_t kept = 0, discarded = 0;
  bool over = false, slow = false, not_kept = false;
  const bool read = reader([&](const char* data, size_t n) {
    if (absl::Now() > deadline) {
      slow = true;
      return false;
    }
    if (over || kept + n > max_bytes) {
      over = true;  // Past the limit nothing is kept.
      discarded += n;
      return discarded <= drain_bytes;
    }
    if (!keep(data, n)) {
      not_kept = true;
      return false;
    }
    kept += n;
    return true;
  });
  // The library refuses a declared Content-Length over its own limit
  // before reading: that is over the limit too.
  if (over || (!read && declared > max_bytes)) {
    TooLarge(res, over_rule, absl::StrCat("the ", what, " is over ", max_bytes, " bytes"));
    // Read to its end: the connection may go on. Cut short: it may not.
    if (!(over && read)) CloseAfter(res);
    return BodyRead::kAnswered;
  }
  if (slow) {
    SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, absl::StatusCode::kDeadlineExceeded,
                                     absl::StrCat("the ", what, " came too slowly")));
    res.status = 408;
    CloseAfter(res);
    return BodyRead::kAnswered;
  }
  if (not_kept) return BodyRead::kNotKept;
  if (!read) {
    BadRequest(res, "the body could not be read");
    CloseAfter(res);
    return BodyRead::kAnswered;
  }
  return BodyRead::kWhole;
}

// How much of a command's body past its limit is read and dropped before
// the connection is closed instead.
constexpr size_t kDrainBytes = 8 << 20;

httplib::Server::HandlerWithContentReader WithBodyLimit(
    size_t max_bytes, std::function<void(const Request&, Response&)> handler) {
  return [max_bytes, handler = std::move(handler)](const Request& req, Response& res,
                                                   const httplib::ContentReader& reader) {
    std::string body;
    const BodyRead read = ReadBody(
        req, reader, max_bytes, kDrainBytes, v1::RULE_COMMAND_TOO_LARGE, "body",
        [&body](const char* data, size_t n) {
          body.append(data, n);
          return true;
        },
        res);
    if (read != BodyRead::kWhole) return;
    Request filled = req;
    filled.body = std::move(body);
    handler(filled, res);
  };
}

void TooLarge(Response& res, v1::Rule rule, const std::string& why) {
  SendRejection(res, MakeRejection(rule, absl::StatusCode::kResourceExhausted, why));
  res.status = 413;
}

void OverBudget(Response& res, const std::string& principal, absl::string_view what,
                absl::Duration wait) {
  const int64_t seconds =
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1))));
  res.set_header("Retry-After", absl::StrCat(seconds));
  SendRejection(res,
                MakeRejection(v1::RULE_UNSPECIFIED, absl::StatusCode::kResourceExhausted,
                              absl::StrCat(principal, " ", what, "; retry in ", seconds, " s")));
}

}  // namespace docket::api
