#ifndef DOCKET_SERVICES_API_HTTP_UTIL_H_
#define DOCKET_SERVICES_API_HTTP_UTIL_H_

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "docket/v1/directory.pb.h"
#include "docket/v1/events.pb.h"
#include "docket/v1/rejection.pb.h"
#include "docket/v1/state.pb.h"
#include "engine/directory.h"
#include "google/protobuf/message.h"
#include "projections/store.h"
#include "services/runtime/clock.h"

// What the API's routes share: answers in docs/api.md's shapes, and the
// authentication of a request.
namespace docket::api {

using httplib::Request;
using httplib::Response;

// docs/api.md, "Errors": the HTTP status of a rejection's code.
int HttpStatus(absl::string_view code);
v1::Rejection MakeRejection(v1::Rule rule, absl::StatusCode code, const std::string& reason);
void SendJson(Response& res, const google::protobuf::Message& message, int status = 200);
void SendRejection(Response& res, const v1::Rejection& rejection);
// An error that is no rule's (the store, shutting down): its status code.
void SendError(Response& res, const absl::Status& status);
void Unauthenticated(Response& res, const std::string& why);
// The same answer for a case out of scope as for one that does not exist.
void NotFound(Response& res, const std::string& case_id);
void BadRequest(Response& res, const std::string& why);
void Forbidden(Response& res, const std::string& why);

// A query parameter, empty when absent.
std::string Param(const Request& req, const char* name);
// An enum value by its full name ("STAGE_RESOLVING") or short name
// ("RESOLVING"); nullopt when neither names one.
std::optional<int> EnumValue(const google::protobuf::EnumDescriptor* type, const std::string& text,
                             const std::string& prefix);
// The earliest due time of a case's open clocks; none for a closed case.
std::optional<absl::Time> NextDue(const v1::CaseState& s);
// The position of the log's last entry (0 when empty), from the store.
uint64_t LastLogPosition(const Store& store);
// The name of an event's body, e.g. "acknowledged".
std::string EventKind(const v1::CaseEvent& event);

// The byte ranges cpp-httplib parsed from the request's Range header. The
// library cuts whatever is answered to them, every range asked, overlapping
// or not, many times over: a route that does not serve them clears them
// (RFC 9110 lets a server ignore Range). The request is the library's own
// object, not const; it only passes it as such.
httplib::Ranges& RangesOf(const Request& req);

// Answers 413 with the Rejection (`rule`, RESOURCE_EXHAUSTED, `why`): the
// request is larger than a route takes (a body, or the commands in it).
// The code alone says 429, a budget's answer; too large is the route's to
// say.
void TooLarge(Response& res, v1::Rule rule, const std::string& why);
// On a 413 for more commands in a request than the server takes: how many
// it takes (docs/api.md).
inline constexpr char kMostCommandsHeader[] = "X-Docket-Most-Commands";

// Answers 429 with Retry-After: `principal` has spent a budget
// (api::Budget) and may ask again after `wait`; `what` says which, e.g.
// "has had too many commands refused lately".
void OverBudget(Response& res, const std::string& principal, absl::string_view what,
                absl::Duration wait);

// Makes `res` (with a body) the last answer on its connection. The HTTP
// library keeps a connection whatever "Connection: close" says, and would
// read what is left of a body cut short as the next request; so the answer
// is written by a content provider that reports failure once it has
// written it all, which makes the library close the socket.
void CloseAfter(Response& res);

// Reads a request's body through `reader`, handing each piece to `keep`
// (false: it could not keep it), at most `max_bytes` of it; past the limit
// up to `drain_bytes` more are read and dropped, so that the connection
// stays in step and the client, still sending, gets its answer rather
// than a reset. A body that trickles in slower than 10 s plus 1 s per
// 256 KiB declared is cut off. kWhole: all of it was kept. kAnswered: `res`
// holds the answer (413 with `over_rule`, naming `what`, "body" or "file";
// 408; 400), and the connection is closed unless a body over the limit was
// read to its end. kNotKept: `keep` failed; the caller answers, and closes.
enum class BodyRead { kWhole, kAnswered, kNotKept };
BodyRead ReadBody(const Request& req, const httplib::ContentReader& reader, size_t max_bytes,
                  size_t drain_bytes, v1::Rule over_rule, absl::string_view what,
                  const std::function<bool(const char*, size_t)>& keep, Response& res);

// A POST handler that sees the whole body, read only up to `max_bytes`: a longer body answers 413
// as soon as it passes the limit, never buffered whole, and closes the connection. A body that
// trickles in slower than the limit allows (10 s, plus 1 s per 256 KiB declared) is cut off with
// 408.
httplib::Server::HandlerWithContentReader WithBodyLimit(
    size_t max_bytes, std::function<void(const Request&, Response&)> handler);

// Who is asking, as the directory knows them now.
struct Caller {
  v1::Principal principal;
  std::string token_id;
  bool session = false;  // A password sign-in's token, not one an administrator issued.
};

// Bearer authentication: an API or session token the directory holds,
// live, whose secret matches, of a principal not revoked.
class Authenticator {
 public:
  // `elsewhere` (may be unset): the partition of a case this instance does
  // not hold (Kafka mode), whose reads answer 421 rather than 404.
  Authenticator(const Store* store, const Clock* clock,
                std::function<std::optional<int32_t>(const std::string&)> elsewhere = nullptr)
      : store_(store),
        clock_(clock),
        elsewhere_(std::move(elsewhere)),
        cache_(std::make_shared<Cache>()) {}
  // The directory as committed now: parsed once per change and shared
  // (copies of an Authenticator share it), since every request reads it.
  absl::StatusOr<std::shared_ptr<const Directory>> CurrentDirectory() const;
  // The caller, with the directory it was resolved in (when `dir_out` is
  // not null), named in the answer's X-Docket-Principal (the request log's
  // "who"); or nullopt, having answered 401.
  std::optional<Caller> operator()(const Request& req, Response& res,
                                   std::shared_ptr<const Directory>* dir_out) const;
  // The same for an Authorization header's value: kUnauthenticated with the
  // reason, or the caller (a live stream re-checks its token with it).
  absl::StatusOr<Caller> Check(absl::string_view authorization,
                               std::shared_ptr<const Directory>* dir_out) const;
  // The caller and case `id`, when the caller may read the case; otherwise
  // nullopt, having answered 401, 404 as for a case that does not exist, or
  // 421 for a case another instance holds (its id alone says so: nothing
  // about the case leaks).
  std::optional<std::pair<Caller, v1::CaseState>> ReadableCase(const Request& req, Response& res,
                                                               const std::string& id) const;

 private:
  // The directory's stored bytes and their parse, while they are current,
  // and the store's sequence when they were read, or found the same: the
  // bytes are those of that write or a later one, so while the sequence
  // stays, they are current without reading them again.
  struct Cache {
    absl::Mutex mu;
    uint64_t sequence ABSL_GUARDED_BY(mu) = 0;
    std::string bytes ABSL_GUARDED_BY(mu);
    std::shared_ptr<const Directory> directory ABSL_GUARDED_BY(mu);
  };
  const Store* store_;
  const Clock* clock_;
  std::function<std::optional<int32_t>(const std::string&)> elsewhere_;
  std::shared_ptr<Cache> cache_;
};

}  // namespace docket::api

#endif  // DOCKET_SERVICES_API_HTTP_UTIL_H_
