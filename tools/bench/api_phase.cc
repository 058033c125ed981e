#include "tools/bench/api_phase.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "engine/business_calendar.h"
#include "engine/envelope.h"
#include "engine/policy.h"
#include "services/api/commit_queue.h"
#include "services/api/server.h"
#include "services/identity/credentials.h"
#include "services/runtime/clock.h"
#include "services/runtime/deadline_scanner.h"
#include "services/runtime/embedded_runtime.h"
#include "services/runtime/json_codec.h"
#include "tools/bench/bench_org.h"
#include "tools/bench/workload_file.h"

namespace docket::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kClients = 64;

// Each command decided at the time it occurred (the generated workload
// dates from the past); clients run side by side, so there is no one "now".
class AtOccurrenceClock final : public docket::Clock {
 public:
  absl::Time Now() const override { return absl::UnixEpoch(); }
  absl::Time DecisionTime(std::optional<absl::Time> occurred) const override {
    return occurred.value_or(absl::UnixEpoch());
  }
};

[[noreturn]] void Die(const std::string& why) {
  std::cerr << "docket_bench: api: " << why << "\n";
  std::_Exit(3);
}

// The runtime, API server and commit queue of docketd --listen, serving
// `dir` on a free loopback port, with a token for each principal that
// `commands` act as.
class Service {
 public:
  Service(const std::string& dir, const std::vector<v1::Command>& commands) {
    static const AtOccurrenceClock* const kClock = new AtOccurrenceClock;
    absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime = EmbeddedRuntime::Open(
        dir, DefaultPolicy(), DefaultBusinessCalendar(DefaultPolicy()), kClock);
    if (!runtime.ok()) Die(std::string(runtime.status().message()));
    runtime_ = *std::move(runtime);
    absl::Status organised = OrganiseLikeTheExamples(runtime_->processor());
    if (!organised.ok()) Die(std::string(organised.message()));
    IssueTokens(commands);
    scanner_ = std::make_unique<DeadlineScanner>(runtime_->store(), runtime_->processor());
    queue_ = std::make_unique<CommitQueue>(runtime_->processor(), scanner_.get(), kClock,
                                           absl::ZeroDuration());
    ServerOptions options;
    options.port = 0;
    options.console_dir.clear();
    // What the server carries, not what one principal is allowed: the
    // workload's few principals send tens of thousands of commands each,
    // past the default budget of commands (api::Budget).
    options.command_burst = 0;
    server_ = std::make_unique<ApiServer>(runtime_.get(), queue_.get(), options);
    absl::Status bound = server_->Bind();
    if (!bound.ok()) Die(std::string(bound.message()));
    serving_ = std::thread([this] { server_->Run(); });
  }

  ~Service() {
    server_->Stop();
    serving_.join();
  }

  int port() const { return server_->port(); }
  const std::string& TokenOf(const std::string& principal) const { return tokens_.at(principal); }
  const CommitQueue& queue() const { return *queue_; }

 private:
  void IssueTokens(const std::vector<v1::Command>& commands) {
    std::vector<absl::StatusOr<v1::Command>> issue;
    for (const v1::Command& c : commands) {
      const std::string& id = c.actor().id();
      if (tokens_.contains(id)) continue;
      absl::StatusOr<Token> token = NewToken();
      if (!token.ok()) Die(std::string(token.status().message()));
      tokens_[id] = token->text();
      v1::Command command;
      command.set_command_id(absl::StrCat("bench-token-", token->token_id));
      command.set_case_id(kDirectoryStream);
      command.mutable_actor()->set_id("admin");
      v1::ApiToken* issued = command.mutable_directory()->mutable_issue_token()->mutable_token();
      issued->set_token_id(token->token_id);
      issued->set_principal_id(id);
      issued->set_secret_sha256(SecretSha256(token->secret));
      issue.push_back(std::move(command));
    }
    absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
        runtime_->processor()->SubmitBatch(issue);
    if (!outcomes.ok()) Die(std::string(outcomes.status().message()));
    for (const v1::CommandOutcome& o : *outcomes) {
      if (o.has_rejection()) Die(absl::StrCat("token refused: ", o.rejection().reason()));
    }
  }

  std::unique_ptr<EmbeddedRuntime> runtime_;
  std::unique_ptr<DeadlineScanner> scanner_;
  std::unique_ptr<CommitQueue> queue_;
  std::unique_ptr<ApiServer> server_;
  std::thread serving_;
  std::map<std::string, std::string> tokens_;
};

// A command to send: the whole HTTP request, when it is offered.
struct Request {
  std::string http;
  double offer_s;  // Seconds after the start; 0: at once.
};

// The commands dealt to the clients by case, in order, each as the request
// that carries it with its principal's token.
std::vector<std::vector<Request>> Deal(const Service& service,
                                       const std::vector<v1::Command>& commands, double rate) {
  std::vector<std::vector<Request>> lanes(kClients);
  for (size_t i = 0; i < commands.size(); ++i) {
    const v1::Command& c = commands[i];
    const std::string json = ToJson(c);
    lanes[absl::Hash<std::string>()(c.case_id()) % kClients].push_back(
        {absl::StrCat("POST /v1/commands HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ",
                      service.TokenOf(c.actor().id()),
                      "\r\nContent-Type: application/json\r\nContent-Length: ", json.size(),
                      "\r\n\r\n", json),
         rate > 0 ? i / rate : 0});
  }
  return lanes;
}

// A keep-alive HTTP/1.1 client on loopback that sends prepared requests and
// reads answers framed by Content-Length: the load generator costs the
// two cores it shares with the server as little as it can (as wrk would),
// so that the phase measures the server.
class LoopbackClient {
 public:
  explicit LoopbackClient(int port) : port_(port) {}
  ~LoopbackClient() { Close(); }

  // The status and body of the answer to `request`; status 0 and the
  // reason in the body when there is none.
  std::pair<int, std::string> Exchange(const std::string& request) {
    // A kept-alive connection the server has closed meanwhile (its idle
    // wait) fails before any answer: sent again once on a new one, which
    // is safe, a command's id being its idempotency key.
    const bool reused = fd_ >= 0;
    std::pair<int, std::string> answer = ExchangeOnce(request);
    if (answer.first == 0 && reused && !answered_any_) answer = ExchangeOnce(request);
    return answer;
  }

 private:
  std::pair<int, std::string> ExchangeOnce(const std::string& request) {
    answered_any_ = false;
    if (fd_ < 0 && !Connect()) return {0, "cannot connect"};
    for (size_t sent = 0; sent < request.size();) {
      const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return Fail("send");
      sent += n;
    }
    size_t head_end;
    while ((head_end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return Fail("the answer's headers");
    }
    const absl::string_view head(in_.data(), head_end);
    int status = 0;
    std::optional<size_t> length;
    bool close = false;
    for (absl::string_view line : absl::StrSplit(head, "\r\n")) {
      if (absl::StartsWith(line, "HTTP/1.1 ") && line.size() >= 12) {
        (void)absl::SimpleAtoi(line.substr(9, 3), &status);
      } else if (absl::StartsWithIgnoreCase(line, "content-length:")) {
        size_t n;
        if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(15)), &n)) length = n;
      } else if (absl::StartsWithIgnoreCase(line, "connection:")) {
        close = absl::StrContains(absl::AsciiStrToLower(line), "close");
      }
    }
    // Framed by Content-Length only, as docketd frames its answers.
    if (!length) return Fail("an answer without a Content-Length");
    while (in_.size() < head_end + 4 + *length) {
      if (!Fill()) return Fail("the answer's body");
    }
    std::string body = in_.substr(head_end + 4, *length);
    in_.erase(0, head_end + 4 + *length);
    if (close) Close();
    return {status, std::move(body)};
  }

  bool Connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    int yes = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      Close();
      return false;
    }
    in_.clear();
    return true;
  }

  bool Fill() {
    char buffer[16384];
    ssize_t n;
    do {
      n = ::recv(fd_, buffer, sizeof(buffer), 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    answered_any_ = true;
    in_.append(buffer, n);
    return true;
  }

  std::pair<int, std::string> Fail(const char* what) {
    std::string why = absl::StrCat("connection lost during ", what);
    Close();
    return {0, why};
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  const int port_;
  int fd_ = -1;
  std::string in_;
  bool answered_any_ = false;  // Bytes of an answer came on this attempt.
};

struct LaneResult {
  std::vector<double> latencies_ms;
  int64_t rejected = 0;
  int64_t failed = 0;
};

// One client: one keep-alive connection, its lane's commands in order.
LaneResult Send(int port, const std::vector<Request>& lane, Clock::time_point start) {
  LaneResult out;
  LoopbackClient client(port);
  out.latencies_ms.reserve(lane.size());
  for (const Request& r : lane) {
    const auto offered = start + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(r.offer_s));
    std::this_thread::sleep_until(offered);
    auto [status, body] = client.Exchange(r.http);
    const auto answered = Clock::now();
    // A command refused by a rule (the workload has some) is answered with
    // the status of its code and the Rejection, which names the rule:
    // decided, like an acceptance. What was not decided names none.
    const bool refused = status >= 400 && status != 401 && absl::StrContains(body, "\"rule\"") &&
                         !absl::StrContains(body, "RULE_UNSPECIFIED");
    if (status != 200 && !refused) {
      if (out.failed++ == 0) {
        std::cerr << "docket_bench: api: " << status << " " << body << " after "
                  << std::chrono::duration<double>(Clock::now() - start).count() << " s, request "
                  << (&r - lane.data()) << " of " << lane.size() << "\n";
      }
      continue;
    }
    out.rejected += refused;
    out.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(answered - std::max(offered, start)).count());
  }
  return out;
}

// Runs every lane on its own thread; returns them all, and the seconds taken.
std::pair<LaneResult, double> RunLanes(const Service& service,
                                       const std::vector<std::vector<Request>>& lanes) {
  std::vector<LaneResult> results(lanes.size());
  std::vector<std::thread> clients;
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  for (size_t i = 0; i < lanes.size(); ++i) {
    clients.emplace_back([&, i] {
      pthread_setname_np(pthread_self(), "bench-client");
      results[i] = Send(service.port(), lanes[i], start);
    });
  }
  for (std::thread& t : clients) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  LaneResult all;
  for (LaneResult& r : results) {
    all.latencies_ms.insert(all.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    all.rejected += r.rejected;
    all.failed += r.failed;
  }
  if (all.failed > 0) Die(absl::StrCat(all.failed, " requests failed"));
  return {std::move(all), seconds};
}

}  // namespace

Results ApiThroughput(const std::string& workload, const std::string& dir, size_t commands) {
  std::vector<v1::Command> all = WorkloadReader(workload).Next(commands);
  Service service(dir, all);
  auto [result, seconds] = RunLanes(service, Deal(service, all, 0));
  const CommitQueue::Stats stats = service.queue().stats();
  std::cerr << "docket_bench: api: " << stats.commands << " commands in " << stats.groups
            << " groups (largest " << stats.largest_group << ") in " << seconds
            << " s; a group decided in "
            << 1e3 * stats.decide_seconds.sum / std::max<int64_t>(1, stats.decide_seconds.count)
            << " ms, committed in "
            << 1e3 * stats.commit_seconds.sum / std::max<int64_t>(1, stats.commit_seconds.count)
            << " ms on average\n";
  return {{"api_commands", double(result.latencies_ms.size())},
          {"api_rejected", double(result.rejected)},
          {"api_seconds", seconds},
          {"api_commands_per_s", result.latencies_ms.size() / seconds},
          {"api_commit_groups", double(stats.groups)},
          // What a command costs the single writer's thread, and the share
          // of the phase that thread was on a core: how near its bound is.
          {"api_writer_cpu_us_per_command",
           1e6 * stats.writer_cpu_seconds / std::max<int64_t>(1, stats.commands)},
          {"api_writer_busy", stats.writer_cpu_seconds / seconds}};
}

Results ApiLatency(const std::string& workload, const std::string& dir, double rate,
                   double seconds) {
  std::vector<v1::Command> all = WorkloadReader(workload).Next(static_cast<size_t>(rate * seconds));
  Service service(dir, all);
  auto [result, taken] = RunLanes(service, Deal(service, all, rate));
  return {{"api_p50_ms", Percentile(result.latencies_ms, 0.50)},
          {"api_p99_ms", Percentile(result.latencies_ms, 0.99)},
          {"api_latency_commands", double(result.latencies_ms.size())}};
}

}  // namespace docket::bench
