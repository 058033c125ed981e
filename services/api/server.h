#ifndef DOCKET_SERVICES_API_SERVER_H_
#define DOCKET_SERVICES_API_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "docket/v1/outcome.pb.h"
#include "services/api/budget.h"
#include "services/api/command_sink.h"
#include "services/api/commit_queue.h"
#include "services/api/connection_guard.h"
#include "services/runtime/embedded_runtime.h"

namespace httplib {
class Server;
class ThreadPool;
struct Request;
struct Response;
}  // namespace httplib

namespace docket {
namespace api {
class Authenticator;
class CommandFront;
struct Exchange;
}  // namespace api

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                // 0: any free port (see ApiServer::port).
  std::string tls_cert, tls_key;  // Both, or neither (plain HTTP).
  size_t max_body_bytes = 1 << 20;
  absl::Duration session_lifetime = absl::Hours(12);
  absl::Duration read_timeout = absl::Seconds(5);  // A slow client lets go of its worker.
  // A connection that takes longer to send a request's headers is closed
  // (slowloris); beyond `max_connections` open, new ones are answered 503
  // (api::ConnectionGuard).
  absl::Duration header_timeout = absl::Seconds(10);
  int max_connections = 512;
  // Refused commands each principal may have recorded at once (0: no
  // budget), and how many more a second (api::Budget); beyond, its
  // commands are answered 429 undecided until the budget refills.
  // Default: 1,000, and one a second.
  double refusal_burst = 1000;
  double refusals_per_second = 1;
  // Commands each principal may send at once (0: no budget), and how many
  // more a second (api::Budget, whole: never a debt): each one is decided,
  // or looked up as a repeat, on the single writer's thread, so one
  // principal's flood would keep the writer from everyone else. A request
  // holds at most `command_burst` commands (413); beyond the budget its
  // commands and previews are answered 429 undecided. Default: 20,000, and
  // 2,000 a second.
  double command_burst = 20000;
  double commands_per_second = 2000;
  // Bytes of evidence each principal may upload at once (0: no budget),
  // and how many more a second (api::Budget); beyond, its uploads are
  // answered 429 before any byte is read. Default: 2 GiB, and 512 MiB an
  // hour.
  double upload_burst_bytes = double{2} * (1 << 30);
  double upload_bytes_per_second = double{512} * (1 << 20) / 3600;
  // The console's built files (index.html and its assets), served at "/";
  // empty or missing: no console.
  std::string console_dir;
  // Kafka mode: the partition a case lives in when this instance does not
  // hold it (its reads answer 421 and say so), -1 while it holds none (503,
  // retry); unset: every case is here.
  std::function<std::optional<int32_t>(const std::string& case_id)> partition_elsewhere;
};

// docketd's HTTP API on the embedded log (docs/api.md): every request
// authenticated by a token the directory knows, every command decided as
// its principal and committed through the one CommandSink, every read
// scoped (a case out of scope answers 404). Reads use the store's
// committed state.
//
// On plain HTTP with a queue that answers later (the embedded log), one
// thread serves POST /v1/commands for every connection (api::CommandFront)
// and hands the library each connection from its first other request on.
//
// Thread safety: the handlers run on the HTTP library's worker threads
// and the front's; they read the store (RocksDB: safe) and write only
// through the queue.
class ApiServer {
 public:
  // `runtime` holds the data directory the routes read; `queue` decides
  // the commands (the runtime's CommitQueue, or Kafka's engines).
  ApiServer(EmbeddedRuntime* runtime, CommandSink* queue, ServerOptions options);
  ~ApiServer();

  // Binds; the port is known after. Then Run serves until Stop.
  absl::Status Bind();
  int port() const { return port_; }
  void Run();
  // Stops accepting; in-flight requests finish.
  void Stop();

 private:
  void Routes();
  // POST /v1/commands in two halves around the commit, so that the front
  // waits for it on no thread. ReadCommands: the caller's commands,
  // authenticated and let in on its budgets; or null, `res` holding the
  // answer. AnswerCommands: the answer to their outcomes. ServeCommandsHere:
  // both, the commit waited for on this thread (the library's route).
  // ServeCommands: both, for the front, the commit answered later
  // (CommandSink::SubmitAsync).
  struct PendingCommands;
  std::unique_ptr<PendingCommands> ReadCommands(const httplib::Request& req,
                                                httplib::Response& res);
  void AnswerCommands(PendingCommands& pending,
                      absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes,
                      httplib::Response& res);
  void ServeCommandsHere(const httplib::Request& req, httplib::Response& res);
  void ServeCommands(std::shared_ptr<api::Exchange> exchange);
  // The request log line, the guard's Answered and the metrics' count of a
  // request answered, by the library or by the front.
  void LogRequest(const httplib::Request& req, const httplib::Response& res);
  // The library serves connection `fd`, accepted by the front, from here on.
  void HandOff(int fd);
  // The largest body any route takes: an evidence upload, or a command.
  uint64_t LargestBody() const;
  // services/api/case_routes.cc.
  void CaseRoutes(const api::Authenticator& authenticate);
  // services/api/audit_routes.cc: evidence and the audit.
  void AuditRoutes(const api::Authenticator& authenticate);
  // The console's files at "/", and index.html for its own paths.
  void ConsoleRoutes();
  // Waits, at most `timeout`, until this server's directory holds the
  // directory change `outcome` answered (at once on the embedded log; on
  // Kafka once the engine has folded it from the topics), so a session
  // issued or ended here takes effect here before it is answered.
  bool AwaitDirectory(const v1::CommandOutcome& outcome, absl::Duration timeout) const;

  EmbeddedRuntime* const runtime_;
  CommandSink* const queue_;
  const ServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<api::Authenticator> authenticate_;  // From the constructor on.
  std::unique_ptr<api::ConnectionGuard> guard_;       // From Bind on.
  // From Bind on, when the front serves; the library then listens on a
  // loopback port that takes no connection, its workers serving those the
  // front hands it (`workers_`, its pool, from Run on).
  std::unique_ptr<api::CommandFront> front_;
  std::atomic<httplib::ThreadPool*> workers_{nullptr};
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  static constexpr int kMaxEventStreams = 16;
  static constexpr int kMaxFailedLogins = 5;
  static constexpr absl::Duration kLoginLockout = absl::Minutes(5);
  // Password hashes (scrypt: 32 MB and about a quarter second of a core
  // each) run at most kConcurrentHashes at once, with at most
  // kQueuedHashes sign-ins waiting for one; beyond that a sign-in is
  // answered 503. Memory stays bounded whatever arrives at once.
  // HashBounded runs `hash` so; false, without running it, when that many
  // wait already.
  bool HashBounded(const std::function<void()>& hash);
  static constexpr int kConcurrentHashes = 2;
  static constexpr int kQueuedHashes = 16;
  std::mutex hashes_mu_;
  std::condition_variable hashes_free_;
  int hashes_running_ = 0;
  int hashes_waiting_ = 0;
  std::mutex logins_mu_;
  // Failed logins in a row by principal id, and the last one's time.
  std::map<std::string, std::pair<int, absl::Time>> failed_logins_;
  // Open event streams, in all and by principal: at most kMaxEventStreams,
  // kMaxStreamsPerPrincipal of them one principal's, so that one cannot
  // take them all. OpenStream: the refusal's reason when it may not open
  // one more, else counted; CloseStream: one of its streams ended.
  static constexpr int kMaxStreamsPerPrincipal = 8;
  std::optional<std::string> OpenStream(const std::string& principal);
  void CloseStream(const std::string& principal);
  std::mutex streams_mu_;
  int streams_ = 0;
  std::map<std::string, int> streams_by_principal_;
  std::mutex audit_mu_;  // One audit at a time.
  api::Budget refusals_;
  api::Budget uploads_;
  api::Budget commands_;

  // Requests by route and status, for /metrics.
  std::mutex metrics_mu_;
  std::map<std::pair<std::string, int>, int64_t> requests_;
};

}  // namespace docket

#endif  // DOCKET_SERVICES_API_SERVER_H_
