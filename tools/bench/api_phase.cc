#include "tools/bench/api_phase.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
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
#include "absl/status/statusor.h"
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
    if (organised.ok()) organised = StoreTheWorkloadsPhoto(runtime_->evidence());
    if (!organised.ok()) Die(std::string(organised.message()));
    IssueTokens(commands);
    scanner_ = std::make_unique<DeadlineScanner>(runtime_->store(), runtime_->processor());
    queue_ = std::make_unique<CommitQueue>(runtime_->store(), runtime_->processor(), scanner_.get(),
                                           kClock, absl::ZeroDuration());
    ServerOptions options;
    options.port = 0;
    options.console_dir.clear();
    // What the server carries, not what one principal is allowed: the
    // workload's few principals send tens of thousands of commands each,
    // past the default budgets of commands and of refusals (api::Budget;
    // the full workload has thousands of refused steps per principal).
    options.command_burst = 0;
    options.refusal_burst = 0;
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

// What the load's requests took, all lanes together.
struct LoadResult {
  std::vector<double> latencies_ms;
  int64_t rejected = 0;
  int64_t failed = 0;
};

// An answer read whole from the front of a connection's input.
struct Answer {
  int status = 0;
  std::string body;
  bool close = false;
};

// Takes the first answer out of `in` once all of it has come; nullopt
// while it has not. An answer docketd would not send (no Content-Length,
// which frames all of its answers) is an error.
absl::StatusOr<std::optional<Answer>> TakeAnswer(std::string* in) {
  const size_t head_end = in->find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  Answer answer;
  std::optional<size_t> length;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(*in).substr(0, head_end), "\r\n")) {
    if (absl::StartsWith(line, "HTTP/1.1 ") && line.size() >= 12) {
      (void)absl::SimpleAtoi(line.substr(9, 3), &answer.status);
    } else if (absl::StartsWithIgnoreCase(line, "content-length:")) {
      size_t n;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(15)), &n)) length = n;
    } else if (absl::StartsWithIgnoreCase(line, "connection:")) {
      answer.close = absl::StrContains(absl::AsciiStrToLower(line), "close");
    }
  }
  if (!length) return absl::DataLossError("an answer without a Content-Length");
  if (in->size() < head_end + 4 + *length) return std::nullopt;
  answer.body = in->substr(head_end + 4, *length);
  in->erase(0, head_end + 4 + *length);
  return answer;
}

// The load: every lane's requests, in order, each on its lane's own
// keep-alive connection to docketd on loopback, one request in flight per
// connection, each sent at its offer time or at once when the last was
// answered late. One thread drives all the connections through epoll, as
// wrk does, so that the load generator costs the two cores it shares with
// the server as little as it can and the phase measures the server.
class LoadGenerator {
 public:
  LoadGenerator(int port, const std::vector<std::vector<Request>>& lanes) : port_(port) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) Die(absl::StrCat("epoll_create1: ", strerror(errno)));
    size_t requests = 0;
    for (const std::vector<Request>& lane : lanes) {
      if (!lane.empty()) conns_.push_back(Conn{&lane});
      requests += lane.size();
    }
    result_.latencies_ms.reserve(requests);
  }

  ~LoadGenerator() {
    for (Conn& c : conns_) Close(c);
    ::close(epoll_);
  }

  // Sends everything, from `start`; what each request took, or why not.
  LoadResult Run(Clock::time_point start) {
    start_ = start;
    size_t done = 0;
    std::vector<epoll_event> ready(conns_.size());
    while (done < conns_.size()) {
      // Each idle connection sends its next request once it is offered;
      // the wait lasts until the earliest of those still to come.
      std::optional<Clock::time_point> next_offer;
      const Clock::time_point now = Clock::now();
      for (Conn& c : conns_) {
        if (c.in_flight || c.next >= c.lane->size()) continue;
        const Clock::time_point offered = OfferTime(c);
        if (offered <= now) {
          SendNext(c, /*again=*/false);
          if (!c.in_flight) done += Finished(c);
        } else if (!next_offer || offered < *next_offer) {
          next_offer = offered;
        }
      }
      if (done == conns_.size()) break;
      int timeout_ms = -1;
      if (next_offer) {
        timeout_ms = static_cast<int>(
            std::chrono::ceil<std::chrono::milliseconds>(*next_offer - Clock::now()).count());
        timeout_ms = std::max(0, timeout_ms);
      }
      const int n = epoll_wait(epoll_, ready.data(), static_cast<int>(ready.size()), timeout_ms);
      if (n < 0 && errno != EINTR) Die(absl::StrCat("epoll_wait: ", strerror(errno)));
      for (int i = 0; i < n; ++i) {
        Conn& c = conns_[ready[i].data.u64];
        if (c.fd < 0) continue;  // Closed since it was reported.
        if (!c.in_flight) {
          // Idle, and readable: the server closed it (its keep-alive
          // wait). Let go of it now, not at the next send: the next
          // request goes on a new connection, and the closed one is not
          // reported again and again meanwhile.
          Close(c);
          continue;
        }
        Read(c);
        if (!c.in_flight) done += Finished(c);
      }
    }
    return std::move(result_);
  }

 private:
  struct Conn {
    const std::vector<Request>* lane;
    size_t next = 0;  // The request to send next, or in flight.
    int fd = -1;
    std::string in;
    bool in_flight = false;
    bool reused = false;        // The request went on a kept-alive connection.
    bool answered_any = false;  // Bytes of its answer came.
    bool finished = false;
    Clock::time_point offered;
  };

  Clock::time_point OfferTime(const Conn& c) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>((*c.lane)[c.next].offer_s));
  }

  // Whether `c` has had all its requests answered (said once, when it has).
  bool Finished(Conn& c) {
    if (c.next < c.lane->size() || c.finished) return false;
    Close(c);
    c.finished = true;
    return true;
  }

  // Sends `c`'s next request; `again`: the same request once more, on a
  // new connection.
  void SendNext(Conn& c, bool again) {
    if (!again) c.offered = std::max(OfferTime(c), start_);
    c.reused = c.fd >= 0;
    c.answered_any = false;
    if (c.fd < 0 && !Connect(c)) return Fail(c, "cannot connect");
    const std::string& http = (*c.lane)[c.next].http;
    // Whole: the connection has nothing else to send, and a request is far
    // smaller than a socket's buffer.
    for (size_t sent = 0; sent < http.size();) {
      const ssize_t n = ::send(c.fd, http.data() + sent, http.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Lost(c, "send");
      sent += n;
    }
    c.in_flight = true;
  }

  void Read(Conn& c) {
    char buffer[16384];
    bool ended = false;  // The server closed the connection (or it broke).
    for (;;) {
      const ssize_t n = ::recv(c.fd, buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) {
        ended = true;
        break;
      }
      c.answered_any = true;
      c.in.append(buffer, n);
    }
    // An answer that came whole counts, even when the close came with it
    // (the last answer of a connection, Connection: close).
    absl::StatusOr<std::optional<Answer>> answer = TakeAnswer(&c.in);
    if (!answer.ok()) return Fail(c, std::string(answer.status().message()));
    if (!answer->has_value()) {
      if (ended) Lost(c, "the answer");
      return;
    }
    Record(c, **answer);
    if ((*answer)->close || ended) Close(c);
  }

  void Record(Conn& c, const Answer& answer) {
    c.in_flight = false;
    ++c.next;
    // A command refused by a rule (the workload has some) is answered with
    // the status of its code and the Rejection, which names the rule:
    // decided, like an acceptance. What was not decided names none.
    const bool refused = answer.status >= 400 && answer.status != 401 &&
                         absl::StrContains(answer.body, "\"rule\"") &&
                         !absl::StrContains(answer.body, "RULE_UNSPECIFIED");
    if (answer.status != 200 && !refused) {
      if (result_.failed++ == 0) {
        std::cerr << "docket_bench: api: " << answer.status << " " << answer.body << " after "
                  << std::chrono::duration<double>(Clock::now() - start_).count() << " s, request "
                  << c.next << " of " << c.lane->size() << " of its lane\n";
      }
      return;
    }
    result_.rejected += refused;
    result_.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - c.offered).count());
  }

  // The connection failed before the answer came. A kept-alive one the
  // server closed meanwhile (its idle wait) fails before any byte of it:
  // the request is sent again once on a new one, which is safe, a
  // command's id being its idempotency key.
  void Lost(Conn& c, const char* during) {
    const bool retry = c.reused && !c.answered_any;
    Close(c);
    if (retry) return SendNext(c, /*again=*/true);
    Fail(c, absl::StrCat("connection lost during ", during));
  }

  void Fail(Conn& c, const std::string& why) {
    Close(c);
    Record(c, Answer{0, why, true});
  }

  bool Connect(Conn& c) {
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return false;
    int yes = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(&c - conns_.data());
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
      Close(c);
      return false;
    }
    c.in.clear();
    return true;
  }

  void Close(Conn& c) {
    if (c.fd < 0) return;
    // Out of the set first: a duplicate of the descriptor (the connection
    // guard's look at the process's sockets) would keep it registered.
    epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
  }

  const int port_;
  int epoll_ = -1;
  std::vector<Conn> conns_;
  Clock::time_point start_;
  LoadResult result_;
};

// Runs every lane; returns what they took, and the seconds taken.
std::pair<LoadResult, double> RunLanes(const Service& service,
                                       const std::vector<std::vector<Request>>& lanes) {
  LoadGenerator load(service.port(), lanes);
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  LoadResult all = load.Run(start);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
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
