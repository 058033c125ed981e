#include "services/api/server.h"

#include <fcntl.h>
#include <httplib.h>
#include <linux/filter.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "docket/v1/api.pb.h"
#include "engine/authorization.h"
#include "engine/directory.h"
#include "engine/envelope.h"
#include "engine/evolve.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/time_util.h"
#include "google/protobuf/util/json_util.h"
#include "projections/hash_chain.h"
#include "projections/keys.h"
#include "services/api/command_front.h"
#include "services/api/http_util.h"
#include "services/identity/credentials.h"
#include "services/runtime/json_codec.h"

namespace docket {
namespace {

// The HTTP library's worker threads: each serves one connection at a time.
constexpr int kWorkers = 64;

// The methods each route answers, by path, for 405 and its Allow header;
// empty for a path no route serves.
std::string AllowedMethods(const std::string& path) {
  static const auto* const kRoutes = new std::vector<std::pair<std::regex, std::string>>{
      {std::regex("/v1/commands"), "POST"},
      {std::regex("/v1/sessions"), "POST"},
      {std::regex("/v1/sessions/current"), "DELETE"},
      {std::regex("/v1/(me|directory|cases|events|report|rejections|audit)"), "GET"},
      {std::regex("/v1/cases/[^/]+(/history|/actions)?"), "GET"},
      {std::regex("/v1/cases/[^/]+/preview"), "POST"},
      {std::regex("/v1/evidence"), "POST"},
      {std::regex("/v1/evidence/[^/]+"), "GET"},
      {std::regex("/(healthz|readyz|metrics)"), "GET"},
  };
  for (const auto& [pattern, methods] : *kRoutes) {
    if (std::regex_match(path, pattern)) return methods;
  }
  return "";
}

// The route of a request for /metrics, with ids and hashes as placeholders
// so that the label set stays small.
std::string RouteLabel(const httplib::Request& req) {
  // The front serves it without the library's routing.
  if (req.method == "POST" && req.path == "/v1/commands") return "POST /v1/commands";
  if (req.matches.empty()) return "unmatched";
  if (absl::StartsWith(req.path, "/v1/cases/")) return req.method + " /v1/cases/{id}";
  if (absl::StartsWith(req.path, "/v1/evidence/")) return req.method + " /v1/evidence/{sha256}";
  if (!absl::StartsWith(req.path, "/v1/") && req.path != "/healthz" && req.path != "/readyz" &&
      req.path != "/metrics") {
    return req.method + " console";
  }
  return req.method + " " + req.path;
}

// A histogram in Prometheus text: cumulative buckets, sum and count.
void AppendHistogram(const std::string& name, const CommandSink::Histogram& h, std::string* out) {
  absl::StrAppend(out, "# TYPE ", name, " histogram\n");
  int64_t cumulative = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    absl::StrAppend(out, name, "_bucket{le=\"",
                    i < h.bounds.size() ? absl::StrCat(h.bounds[i]) : std::string("+Inf"), "\"} ",
                    cumulative, "\n");
  }
  absl::StrAppend(out, name, "_sum ", h.sum, "\n", name, "_count ", h.count, "\n");
}

// cpp-httplib 0.11 serves only the connections its own loop accepts: its
// Server::process_and_close_socket, which reads and answers a connection's
// requests until it closes, is private. The front accepts every connection
// and hands the library those it does not serve; an explicit instantiation
// may name a private member ([temp.explicit]), which is how the front
// reaches it. Tied to the library's version: Debian's 0.11 (third_party/system.BUILD).
using ServeSocket = bool (httplib::Server::*)(int);
ServeSocket LibraryServes();
template <ServeSocket kServe>
struct NameLibraryServes {
  friend ServeSocket LibraryServes() { return kServe; }
};
template struct NameLibraryServes<&httplib::Server::process_and_close_socket>;

// A socket that listens at host:port (0: any free port) with the system's
// backlog, non-blocking for the front; the port bound.
absl::StatusOr<std::pair<int, int>> Listen(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", host));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
      if (const int bound = api::ConnectionGuard::LocalPort(fd); bound > 0) {
        return std::make_pair(fd, bound);
      }
    }
    close(fd);
  }
  return absl::UnavailableError(
      absl::StrCat("cannot listen on ", host, ":", port, ": ", strerror(errno)));
}

// Drops every packet that reaches `sock` (a classic BPF program of one
// instruction: accept 0 bytes): a listening socket no connection reaches.
bool TakeNoConnection(int sock) {
  sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
  sock_fprog program{1, &drop};
  return setsockopt(sock, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program)) == 0;
}

}  // namespace

using api::Authenticator;
using api::BadRequest;
using api::Caller;
using api::Forbidden;
using api::LastLogPosition;
using api::MakeRejection;
using api::SendError;
using api::SendJson;
using api::SendRejection;
using api::Unauthenticated;
using api::WithBodyLimit;
using httplib::Request;
using httplib::Response;

ApiServer::ApiServer(EmbeddedRuntime* runtime, CommandSink* queue, ServerOptions options)
    : runtime_(runtime),
      queue_(queue),
      options_(std::move(options)),
      refusals_(options_.refusal_burst, options_.refusals_per_second),
      uploads_(options_.upload_burst_bytes, options_.upload_bytes_per_second),
      commands_(options_.command_burst, options_.commands_per_second, api::Budget::Admit::kWhole) {
  if (!options_.tls_cert.empty()) {
    http_ =
        std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  // Each route that reads a body bounds it itself (WithBodyLimit); this is
  // the largest of them, an evidence upload.
  http_->set_payload_max_length(LargestBody());
  const int64_t read_s = absl::ToInt64Seconds(options_.read_timeout);
  http_->set_read_timeout(read_s, 0);
  http_->set_write_timeout(read_s, 0);
  http_->set_keep_alive_max_count(1000);
  // Small answers go out at once, not after the client's delayed ACK.
  http_->set_tcp_nodelay(true);
  // Idle keep-alive connections hold a worker: many workers, short idling.
  http_->set_keep_alive_timeout(2);
  http_->new_task_queue = [this] {
    auto* workers = new httplib::ThreadPool(kWorkers);
    workers_.store(workers);
    // Once the library can serve what the front hands it.
    if (front_ != nullptr) front_->Start();
    return workers;
  };
  Routes();
}

ApiServer::~ApiServer() = default;

bool ApiServer::HashBounded(const std::function<void()>& hash) {
  {
    std::unique_lock<std::mutex> lock(hashes_mu_);
    if (hashes_running_ >= kConcurrentHashes && hashes_waiting_ >= kQueuedHashes) return false;
    ++hashes_waiting_;
    hashes_free_.wait(lock, [&] { return hashes_running_ < kConcurrentHashes; });
    --hashes_waiting_;
    ++hashes_running_;
  }
  hash();
  {
    std::lock_guard<std::mutex> lock(hashes_mu_);
    --hashes_running_;
  }
  hashes_free_.notify_one();
  return true;
}

uint64_t ApiServer::LargestBody() const {
  return std::max<uint64_t>(options_.max_body_bytes,
                            static_cast<uint64_t>(runtime_->policy().evidence().max_bytes()));
}

absl::Status ApiServer::Bind() {
  if (!options_.tls_cert.empty() && !http_->is_valid()) {
    return absl::InvalidArgumentError("the TLS certificate or key cannot be read");
  }
  api::ConnectionGuard::Options guard;
  guard.header_timeout = options_.header_timeout;
  guard.workers = kWorkers;
  guard.max_connections = options_.max_connections;
  guard.tls = !options_.tls_cert.empty();
  if (options_.tls_cert.empty() && queue_->AnswersLater()) {
    // The front listens; the library, on a loopback port no connection
    // reaches, serves what the front hands it.
    absl::StatusOr<std::pair<int, int>> listening = Listen(options_.host, options_.port);
    if (!listening.ok()) return listening.status();
    port_ = listening->second;
    bool filtered = false;
    http_->set_socket_options([&filtered](int sock) { filtered = TakeNoConnection(sock); });
    if (http_->bind_to_any_port("127.0.0.1") <= 0 || !filtered) {
      // Unfiltered, local processes would reach the library past the
      // front and the guard, which watches the front's port.
      close(listening->first);
      return absl::UnavailableError(
          absl::StrCat("cannot set up the HTTP library's loopback port: ", strerror(errno)));
    }
    guard_ = std::make_unique<api::ConnectionGuard>(listening->first, guard);
    api::CommandFront::Options front;
    front.max_body_bytes = options_.max_body_bytes;
    front.write_timeout = options_.read_timeout;
    api::CommandFront::Hooks hooks;
    hooks.serve = [this](std::shared_ptr<api::Exchange> exchange) {
      ServeCommands(std::move(exchange));
    };
    hooks.log = [this](const Request& req, const Response& res) { LogRequest(req, res); };
    hooks.hand_off = [this](int fd) { HandOff(fd); };
    hooks.guard = guard_.get();
    absl::StatusOr<std::unique_ptr<api::CommandFront>> created =
        api::CommandFront::Create(listening->first, front, std::move(hooks));
    if (!created.ok()) {
      close(listening->first);
      return created.status();
    }
    front_ = *std::move(created);
    return absl::OkStatus();
  }
  // The library listens with a backlog of 5: a burst of clients connecting
  // at once would see resets. The listening socket is kept to listen again
  // with the system's backlog (SOMAXCONN).
  int listening = -1;
  http_->set_socket_options([&listening](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listening = sock;
  });
  port_ = options_.port == 0
              ? http_->bind_to_any_port(options_.host.c_str())
              : (http_->bind_to_port(options_.host.c_str(), options_.port) ? options_.port : -1);
  if (port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.host, ":", options_.port));
  }
  if (listening >= 0 && ::listen(listening, SOMAXCONN) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.host, ":", port_, ": ", strerror(errno)));
  }
  if (listening >= 0) guard_ = std::make_unique<api::ConnectionGuard>(listening, guard);
  return absl::OkStatus();
}

void ApiServer::HandOff(int fd) {
  // Blocking, with the timeouts the library's loop gives the sockets it
  // accepts itself.
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const timeval timeout{static_cast<time_t>(absl::ToInt64Seconds(options_.read_timeout)), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  workers_.load()->enqueue([this, fd] { (http_.get()->*LibraryServes())(fd); });
}

void ApiServer::LogRequest(const Request& req, const Response& res) {
  if (guard_ != nullptr) {
    guard_->Answered(api::ConnectionGuard::PeerName(req.remote_addr, req.remote_port));
  }
  // One write per line: lines of concurrent requests never interleave.
  std::cerr << absl::StrCat(
      "docketd: ", SafeText(req.method, 16), " ", SafeText(req.path, 200), " ", res.status, " ",
      res.has_header("X-Docket-Principal") ? res.get_header_value("X-Docket-Principal") : "-",
      "\n");
  std::lock_guard<std::mutex> lock(metrics_mu_);
  ++requests_[{RouteLabel(req), res.status}];
}

void ApiServer::Run() {
  if (stopping_.load()) return;  // Stopped before it served.
  http_->listen_after_bind();
}

std::optional<std::string> ApiServer::OpenStream(const std::string& principal) {
  std::lock_guard<std::mutex> lock(streams_mu_);
  if (streams_ >= kMaxEventStreams) return "too many event streams; retry later";
  int& mine = streams_by_principal_[principal];
  if (mine >= kMaxStreamsPerPrincipal) {
    return absl::StrCat(principal, " has ", kMaxStreamsPerPrincipal,
                        " event streams open already; close one first");
  }
  ++mine;
  ++streams_;
  return std::nullopt;
}

void ApiServer::CloseStream(const std::string& principal) {
  std::lock_guard<std::mutex> lock(streams_mu_);
  --streams_;
  if (--streams_by_principal_[principal] <= 0) streams_by_principal_.erase(principal);
}

void ApiServer::Stop() {
  stopping_.store(true);
  // The front's requests in flight answered, nothing more handed off; then
  // the library's.
  if (front_ != nullptr) front_->Stop();
  http_->stop();
}

bool ApiServer::AwaitDirectory(const v1::CommandOutcome& outcome, absl::Duration timeout) const {
  if (outcome.events_size() == 0) return true;
  const int64_t revision = outcome.events(outcome.events_size() - 1).revision();
  const absl::Time give_up = absl::Now() + timeout;
  for (;;) {
    absl::StatusOr<v1::DirectoryState> directory = runtime_->store()->ReadDirectory();
    if (directory.ok() && directory->revision() >= revision) return true;
    if (absl::Now() >= give_up || stopping_.load()) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

void ApiServer::ConsoleRoutes() {
  const std::string dir = options_.console_dir;
  if (dir.empty() || !std::filesystem::exists(std::filesystem::path(dir) / "index.html")) return;
  // The console's own pages: this origin's scripts and styles only, never
  // framed.
  auto harden = [](Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' blob: data:; style-src 'self' "
                   "'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; "
                   "base-uri 'none'; form-action 'self'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
  };
  http_->set_mount_point("/", dir);
  http_->set_file_extension_and_mimetype_mapping("html", "text/html; charset=utf-8");
  const std::filesystem::path root = std::filesystem::weakly_canonical(dir);
  http_->set_file_request_handler([harden, root](const Request& req, Response& res) {
    // A link inside the console's folder never serves what lies outside it.
    std::error_code ec;
    const std::filesystem::path real =
        std::filesystem::canonical(root / std::filesystem::path(req.path).relative_path(), ec);
    const auto [end, unused] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    if (ec || end != root.end()) {
      res.body.clear();
      res.headers.erase("Content-Type");
      res.status = 404;
      return;
    }
    harden(res);
    // The library answers 206 to any Range, with the whole file and no
    // Content-Range (a cache would keep it as a part); the console's files
    // are served whole (ranges are cleared before routing), so 200.
    res.status = 200;
    // Hashed assets never change; index.html always may.
    res.set_header("Cache-Control", absl::StartsWith(req.path, "/assets/")
                                        ? "public, max-age=31536000, immutable"
                                        : "no-cache");
  });
  // A page of the console's router (e.g. /cases/C-1, reloaded): index.html.
  const std::string index = (std::filesystem::path(dir) / "index.html").string();
  http_->Get(R"(/(?![Vv]1(/|$)|(healthz|readyz|metrics)/?$|assets/|/)[^.]*)",
             [index, harden](const Request&, Response& res) {
               std::ifstream in(index, std::ios::binary);
               std::stringstream html;
               html << in.rdbuf();
               if (!in) {
                 res.status = 404;
                 return;
               }
               harden(res);
               res.set_header("Cache-Control", "no-cache");
               res.set_content(html.str(), "text/html; charset=utf-8");
             });
}

void ApiServer::Routes() {
  Store* store = runtime_->store();
  const Clock* clock = runtime_->clock();
  const Authenticator authenticate(store, clock, options_.partition_elsewhere);
  authenticate_ = std::make_unique<Authenticator>(authenticate);

  // Before any route reads a body: paths no route could serve, bodies sent
  // where none is taken, bodies without a length, and uploads by those who
  // may not upload are answered from the headers alone, and the connection
  // closed, so no body is buffered and none is read as the next request.
  http_->set_pre_routing_handler([this, authenticate](const Request& req, Response& res) {
    using Handled = httplib::Server::HandlerResponse;
    // Ranges are served by the evidence download alone (one, inside the
    // file; see its route). Any other answer, refusals included, is sent
    // whole: the library would cut a case list to the bytes asked, or send
    // it hundreds of times over for as many ranges.
    if (!absl::StartsWith(req.path, "/v1/evidence/")) api::RangesOf(req).clear();
    if (guard_ != nullptr &&
        !guard_->HeadersRead(api::ConnectionGuard::PeerName(req.remote_addr, req.remote_port))) {
      // The guard shut this connection down (too slow, or over the bound)
      // while its headers were read: nothing of the request is done.
      res.status = 503;
      api::CloseAfter(res);
      return Handled::Handled;
    }
    const auto refuse = [&res](int status, absl::StatusCode code, const std::string& why) {
      const v1::Rule rule = code == absl::StatusCode::kUnauthenticated ? v1::RULE_UNAUTHENTICATED
                            : code == absl::StatusCode::kPermissionDenied
                                ? v1::RULE_PERMISSION
                                : v1::RULE_MALFORMED_COMMAND;
      SendRejection(res, MakeRejection(rule, code, why));
      res.status = status;
      api::CloseAfter(res);
      return Handled::Handled;
    };
    for (char c : req.path) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return refuse(400, absl::StatusCode::kInvalidArgument, "the path holds a control byte");
      }
    }
    if (req.get_header_value_count("Content-Length") > 1) {
      return refuse(400, absl::StatusCode::kInvalidArgument, "more than one Content-Length");
    }
    // One credential: a proxy in front that read the other would not agree
    // with docketd on who asks.
    if (req.get_header_value_count("Authorization") > 1) {
      return refuse(400, absl::StatusCode::kInvalidArgument, "more than one Authorization");
    }
    // A body's length is said one way, plainly, or the request is refused
    // and the connection closed: a front end and docketd that read it
    // differently would take its rest as another request (smuggling).
    const bool has_length = req.has_header("Content-Length");
    const std::string length = req.get_header_value("Content-Length");
    const bool encoded = req.has_header("Transfer-Encoding");
    if (has_length && (length.empty() || length.size() > 18 ||
                       !std::all_of(length.begin(), length.end(), absl::ascii_isdigit))) {
      return refuse(400, absl::StatusCode::kInvalidArgument,
                    "Content-Length is not a number of bytes");
    }
    if (encoded) {
      if (has_length) {
        return refuse(400, absl::StatusCode::kInvalidArgument,
                      "both Content-Length and Transfer-Encoding: the body's length is ambiguous");
      }
      if (req.get_header_value_count("Transfer-Encoding") > 1 ||
          !absl::EqualsIgnoreCase(
              absl::StripAsciiWhitespace(req.get_header_value("Transfer-Encoding")), "chunked")) {
        return refuse(501, absl::StatusCode::kUnimplemented,
                      "an unknown Transfer-Encoding: send the body with its Content-Length");
      }
      // Nor chunked: the library reads a chunk's size line whole, however
      // long, before any route sees a byte (a stranger grew the server by
      // 400 MB from one request of one endless size line).
      return refuse(411, absl::StatusCode::kInvalidArgument,
                    "send the body with its Content-Length: chunked bodies are not taken");
    }
    // Past the largest body any route takes, the library would read and
    // drop the whole declared length itself, however slowly it came (5 GB
    // from one connection): refused from the headers.
    if (uint64_t declared = 0, largest = LargestBody();
        has_length && absl::SimpleAtoi(length, &declared) && declared > largest) {
      return refuse(413, absl::StatusCode::kResourceExhausted,
                    absl::StrCat("the body is over the limit of ", largest, " bytes"));
    }
    const std::string allow = AllowedMethods(req.path);
    const bool takes_body = (req.method == "POST" && absl::StrContains(allow, "POST")) ||
                            (req.method == "DELETE" && absl::StrContains(allow, "DELETE"));
    // The library reads a body for these methods, to the connection's end
    // when no length is given: none is read where no route takes one.
    const bool library_reads = req.method == "POST" || req.method == "PUT" ||
                               req.method == "PATCH" || req.method == "DELETE" ||
                               req.method == "PRI";
    const bool has_body = !length.empty() && length != "0";
    // A DELETE names what it ends; a body would be some other request's.
    if (req.method == "DELETE" && has_body) {
      return refuse(400, absl::StatusCode::kInvalidArgument, "a DELETE takes no body");
    }
    if (takes_body && req.method == "POST" && length.empty()) {
      return refuse(411, absl::StatusCode::kInvalidArgument,
                    "a POST states its body's Content-Length");
    }
    if ((has_body || library_reads) && !takes_body) {
      if (!allow.empty() && !absl::StrContains(allow, req.method)) {
        res.set_header("Allow", allow);
        return refuse(405, absl::StatusCode::kInvalidArgument,
                      absl::StrCat(SafeText(req.method, 16), " is not allowed here; use ", allow));
      }
      if (allow.empty() && absl::StartsWith(req.path, "/v1/")) {
        return refuse(
            404, absl::StatusCode::kNotFound,
            absl::StrCat("no route ", SafeText(req.method, 16), " ", SafeText(req.path, 200)));
      }
      return refuse(400, absl::StatusCode::kInvalidArgument, "this route takes no body");
    }
    if (req.method == "POST" && req.path == "/v1/evidence") {
      // The uploader is known, and may upload, before the file is read.
      absl::StatusOr<Caller> caller =
          authenticate.Check(req.get_header_value("Authorization"), nullptr);
      if (!caller.ok()) {
        return refuse(401, absl::StatusCode::kUnauthenticated,
                      std::string(caller.status().message()));
      }
      if (!Permits(runtime_->policy(), caller->principal.role(), "attach_evidence")) {
        return refuse(
            403, absl::StatusCode::kPermissionDenied,
            absl::StrCat(v1::Role_Name(caller->principal.role()), " may not attach evidence"));
      }
    }
    return Handled::Unhandled;
  });

  // Request log: who did what, never a token or a password.
  http_->set_logger([this](const Request& req, const Response& res) { LogRequest(req, res); });

  http_->Get("/healthz",
             [](const Request&, Response& res) { res.set_content("ok\n", "text/plain"); });
  http_->Get("/readyz", [](const Request&, Response& res) {
    // Open means caught up: EmbeddedRuntime::Open folds what the log holds.
    res.set_content("ready\n", "text/plain");
  });

  // POST /v1/sessions: a person's password for a session token.
  http_->Post(
      "/v1/sessions",
      WithBodyLimit(4096, [this, authenticate, clock](const Request& req, Response& res) {
        v1::CreateSessionRequest ask;
        google::protobuf::util::JsonParseOptions strict;
        if (!google::protobuf::util::JsonStringToMessage(req.body, &ask, strict).ok()) {
          BadRequest(res, "the body is not a CreateSessionRequest");
          return;
        }
        if (!IsValidKey(ask.principal_id())) {
          return BadRequest(res, "principalId is an id of the directory");
        }
        absl::StatusOr<std::shared_ptr<const Directory>> dir = authenticate.CurrentDirectory();
        if (!dir.ok())
          return SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, dir.status().code(), ""));
        const v1::Principal* p = (*dir)->FindPrincipal(ask.principal_id());
        const v1::PasswordHash* hash = (*dir)->FindPassword(ask.principal_id());
        // Guessing is slowed: after kMaxFailedLogins failures in a row a
        // principal's logins wait kLoginLockout, whatever the password.
        const absl::Time now = clock->Now();
        {
          std::lock_guard<std::mutex> lock(logins_mu_);
          auto it = failed_logins_.find(ask.principal_id());
          if (it != failed_logins_.end() && it->second.first >= kMaxFailedLogins &&
              now - it->second.second < kLoginLockout) {
            res.set_header("Retry-After", absl::StrCat(absl::ToInt64Seconds(kLoginLockout)));
            return SendRejection(
                res, MakeRejection(v1::RULE_UNAUTHENTICATED, absl::StatusCode::kResourceExhausted,
                                   "too many failed logins; wait and retry"));
          }
        }
        // One answer, in about the same time, for an unknown person and a
        // wrong password: the hash is computed either way.
        static const v1::PasswordHash* const kNobody =
            new v1::PasswordHash(*HashPassword("nobody-at-all", PasswordSalt("nobody", "nobody")));
        bool matches = false;
        if (!HashBounded([&] {
              matches = PasswordMatches(ask.password(), hash != nullptr ? *hash : *kNobody);
            })) {
          res.set_header("Retry-After", "1");
          return SendRejection(res,
                               MakeRejection(v1::RULE_UNSPECIFIED, absl::StatusCode::kUnavailable,
                                             "too many sign-ins at once; retry in a second"));
        }
        if (p == nullptr || p->revoked() || hash == nullptr || !matches) {
          std::lock_guard<std::mutex> lock(logins_mu_);
          if (failed_logins_.size() >= 10000) {
            // Bounded: what no longer locks anything goes first.
            std::erase_if(failed_logins_, [&](const auto& entry) {
              return now - entry.second.second > kLoginLockout;
            });
          }
          if (failed_logins_.size() < 10000 || failed_logins_.count(ask.principal_id()) > 0) {
            auto& [count, last] = failed_logins_[ask.principal_id()];
            ++count;
            last = now;
          }
          Unauthenticated(res, "unknown principal or wrong password");
          return;
        }
        {
          std::lock_guard<std::mutex> lock(logins_mu_);
          failed_logins_.erase(ask.principal_id());
        }
        absl::StatusOr<Token> token = NewToken();
        if (!token.ok())
          return SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, token.status().code(), ""));
        const absl::Time expires = clock->Now() + options_.session_lifetime;
        v1::Command issue;
        issue.set_command_id(absl::StrCat("session:", token->token_id));
        issue.set_case_id(kDirectoryStream);
        v1::ApiToken* t = issue.mutable_directory()->mutable_issue_token()->mutable_token();
        t->set_token_id(token->token_id);
        t->set_principal_id(p->id());
        t->set_secret_sha256(SecretSha256(token->secret));
        *t->mutable_expires_at() = ToProto(expires);
        t->set_session(true);
        t->set_password_salt(hash->salt());
        absl::StatusOr<std::vector<v1::CommandOutcome>> issued = queue_->Submit({issue}, true);
        if (!issued.ok() || (*issued)[0].has_rejection()) {
          SendRejection(res, issued.ok()
                                 ? (*issued)[0].rejection()
                                 : MakeRejection(v1::RULE_UNSPECIFIED, issued.status().code(),
                                                 std::string(issued.status().message())));
          return;
        }
        // On Kafka: usable here as soon as it is answered (and soon after
        // on every instance, which all follow the directory); a token that
        // would not work here yet is not handed out.
        if (!AwaitDirectory((*issued)[0], absl::Seconds(10))) {
          return SendError(
              res, absl::UnavailableError("the session is not yet in effect on this instance; "
                                          "sign in again"));
        }
        v1::Session session;
        session.set_token(token->text());
        *session.mutable_expires_at() = ToProto(expires);
        *session.mutable_principal() = *p;
        res.set_header("X-Docket-Principal", p->id());
        SendJson(res, session, 201);
      }));

  http_->Delete(
      "/v1/sessions/current",
      WithBodyLimit(4096, [this, authenticate](const Request& req, Response& res) {
        std::optional<Caller> caller = authenticate(req, res, nullptr);
        if (!caller) return;
        // A token an administrator issued stays until revoked or expired
        // (ApiToken.session): signing out is a session's.
        if (!caller->session) {
          return SendRejection(
              res, MakeRejection(v1::RULE_PERMISSION, absl::StatusCode::kFailedPrecondition,
                                 absl::StrCat("token ", caller->token_id,
                                              " was issued by an administrator, not opened by a "
                                              "sign-in: an administrator revokes it")));
        }
        v1::Command revoke;
        revoke.set_command_id(absl::StrCat("logout:", caller->token_id));
        revoke.set_case_id(kDirectoryStream);
        revoke.mutable_directory()->mutable_revoke_token()->set_token_id(caller->token_id);
        absl::StatusOr<std::vector<v1::CommandOutcome>> done = queue_->Submit({revoke}, true);
        if (!done.ok()) return SendError(res, done.status());
        // A logout that did not take is never answered as one.
        if ((*done)[0].has_rejection()) return SendRejection(res, (*done)[0].rejection());
        if (!AwaitDirectory((*done)[0], absl::Seconds(10))) {
          return SendError(
              res, absl::UnavailableError("the logout is recorded but not yet in effect on this "
                                          "instance; send it again"));
        }
        res.status = 204;
      }));

  http_->Get("/v1/me", [this, authenticate](const Request& req, Response& res) {
    std::shared_ptr<const Directory> dir;
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    v1::Me me;
    *me.mutable_principal() = caller->principal;
    me.set_all_branches(dir->SeesAllBranches(caller->principal));
    for (const std::string& b : dir->BranchesInScope(caller->principal)) me.add_branch_ids(b);
    const google::protobuf::OneofDescriptor* body =
        v1::Command::descriptor()->FindOneofByName("body");
    for (int i = 0; i < body->field_count(); ++i) {
      if (Permits(runtime_->policy(), caller->principal.role(), body->field(i)->name())) {
        me.add_commands(body->field(i)->name());
      }
    }
    SendJson(res, me);
  });

  http_->Get("/v1/directory", [authenticate](const Request& req, Response& res) {
    std::shared_ptr<const Directory> dir;
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    v1::DirectoryView view;
    *view.mutable_regions() = dir->state().regions();
    *view.mutable_branches() = dir->state().branches();
    *view.mutable_principals() = dir->state().principals();
    SendJson(res, view);
  });

  // GET /metrics: Prometheus text, for administrators, auditors and
  // supervisors who see every branch: its counts are the whole service's
  // (cases by stage, refusals by rule), which a branch's supervisor reads
  // only for its own branches, in the report.
  http_->Get("/metrics", [this, store, authenticate](const Request& req, Response& res) {
    std::shared_ptr<const Directory> dir;
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    const v1::Role role = caller->principal.role();
    const bool operates = role == v1::ROLE_ADMIN || role == v1::ROLE_AUDITOR ||
                          (role == v1::ROLE_SUPERVISOR && dir->SeesAllBranches(caller->principal));
    if (!operates) {
      return Forbidden(res,
                       "metrics count every branch: they are read by administrators, auditors and "
                       "supervisors who see every branch");
    }
    const CommandSink::Stats s = queue_->stats();
    std::string out = absl::StrCat(
        "# TYPE docket_commands_total counter\n", "docket_commands_total{outcome=\"accepted\"} ",
        s.accepted, "\n", "docket_commands_total{outcome=\"rejected\"} ", s.rejected, "\n",
        "# TYPE docket_commit_groups_total counter\n", "docket_commit_groups_total ", s.groups,
        "\n", "# TYPE docket_commit_group_commands_total counter\n",
        "docket_commit_group_commands_total ", s.commands, "\n",
        "# TYPE docket_commit_group_largest gauge\n", "docket_commit_group_largest ",
        s.largest_group, "\n", "# TYPE docket_deadline_scans_total counter\n",
        "docket_deadline_scans_total ", s.scans, "\n", "# TYPE docket_log_position gauge\n",
        "docket_log_position ", LastLogPosition(*store), "\n",
        "# TYPE docket_writer_cpu_seconds_total counter\n", "docket_writer_cpu_seconds_total ",
        s.writer_cpu_seconds, "\n", "# TYPE docket_http_requests_total counter\n");
    for (const auto& [rule, n] : s.rejected_by_rule) {
      absl::StrAppend(&out, "docket_rejections_total{rule=\"", rule, "\"} ", n, "\n");
    }
    AppendHistogram("docket_decide_seconds", s.decide_seconds, &out);
    AppendHistogram("docket_commit_seconds", s.commit_seconds, &out);
    AppendHistogram("docket_commit_group_size", s.group_size, &out);
    if (s.last_scan != absl::InfinitePast()) {
      absl::StrAppend(&out, "# TYPE docket_deadline_scan_age_seconds gauge\n",
                      "docket_deadline_scan_age_seconds ",
                      absl::ToDoubleSeconds(runtime_->clock()->Now() - s.last_scan), "\n");
    }
    // Cases by stage, from the by_status index.
    absl::StrAppend(&out, "# TYPE docket_cases gauge\n");
    std::map<std::string, int64_t> by_stage;
    std::unique_ptr<rocksdb::Iterator> it = store->NewIterator(Cf::kByStatus);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      ++by_stage[std::string(key.substr(0, key.find('\0')))];
    }
    for (const auto& [stage, n] : by_stage) {
      absl::StrAppend(&out, "docket_cases{stage=\"", stage, "\"} ", n, "\n");
    }
    if (front_ != nullptr) {
      const api::CommandFront::Stats front = front_->stats();
      absl::StrAppend(&out, "# TYPE docket_http_front_requests_total counter\n",
                      "docket_http_front_requests_total ", front.served,
                      "\n# TYPE docket_http_front_handed_off_total counter\n",
                      "docket_http_front_handed_off_total ", front.handed_off, "\n");
    }
    if (guard_ != nullptr) {
      const api::ConnectionGuard::Stats connections = guard_->stats();
      absl::StrAppend(&out, "docket_http_connections ", connections.open,
                      "\ndocket_http_slow_headers_total ", connections.slow_headers,
                      "\ndocket_http_large_headers_total ", connections.large_headers,
                      "\ndocket_http_over_capacity_total ", connections.over_capacity, "\n");
    }
    std::lock_guard<std::mutex> lock(metrics_mu_);
    for (const auto& [key, n] : requests_) {
      absl::StrAppend(&out, "docket_http_requests_total{route=\"", key.first, "\",status=\"",
                      key.second, "\"} ", n, "\n");
    }
    res.set_content(out, "text/plain; version=0.0.4");
  });

  CaseRoutes(authenticate);
  AuditRoutes(authenticate);
  ConsoleRoutes();

  // Anything else: a Rejection, never an HTML page.
  http_->set_error_handler([](const Request& req, Response& res) {
    // A refusal is sent whole, whoever wrote it: the library would cut it
    // to the ranges asked (a Range header it could not parse, which it
    // refuses as 416, or one sent to the evidence download).
    api::RangesOf(req).clear();
    if (!res.body.empty() || res.content_provider_) return;  // Answered already.
    if (res.status == 404 || res.status == 400) {
      // A route that exists, asked with another method (a body-less PUT is
      // refused before routing, as 400).
      const std::string allow = AllowedMethods(req.path);
      if (!allow.empty() && !absl::StrContains(allow, req.method)) {
        res.status = 405;
        res.set_header("Allow", allow);
      }
    }
    const std::string why =
        res.status == 404   ? absl::StrCat("no route ", req.method, " ", SafeText(req.path, 200))
        : res.status == 413 ? "the body is over the limit"
        : res.status == 416 ? "the Range header is not one range of bytes this server reads"
        : res.status == 405
            ? absl::StrCat(req.method, " is not allowed here; use ", res.get_header_value("Allow"))
            : "bad request";
    v1::Rejection r = MakeRejection(v1::RULE_MALFORMED_COMMAND,
                                    res.status == 404   ? absl::StatusCode::kNotFound
                                    : res.status == 413 ? absl::StatusCode::kResourceExhausted
                                                        : absl::StatusCode::kInvalidArgument,
                                    why);
    res.set_content(ToJson(r) + "\n", "application/json");
  });
}

}  // namespace docket
