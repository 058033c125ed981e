#include "tools/bench/api_phase.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <thread>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

// A command to send: its JSON, its principal's token, when it is offered.
struct Request {
  std::string json;
  const std::string* token;
  double offer_s;  // Seconds after the start; 0: at once.
};

// The commands dealt to the clients by case, in order.
std::vector<std::vector<Request>> Deal(const Service& service,
                                       const std::vector<v1::Command>& commands, double rate) {
  std::vector<std::vector<Request>> lanes(kClients);
  for (size_t i = 0; i < commands.size(); ++i) {
    const v1::Command& c = commands[i];
    lanes[absl::Hash<std::string>()(c.case_id()) % kClients].push_back(
        {ToJson(c), &service.TokenOf(c.actor().id()), rate > 0 ? i / rate : 0});
  }
  return lanes;
}

struct LaneResult {
  std::vector<double> latencies_ms;
  int64_t rejected = 0;
  int64_t failed = 0;
};

// One client: one keep-alive connection, its lane's commands in order.
LaneResult Send(int port, const std::vector<Request>& lane, Clock::time_point start) {
  LaneResult out;
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(30, 0);
  out.latencies_ms.reserve(lane.size());
  for (const Request& r : lane) {
    const auto offered = start + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(r.offer_s));
    std::this_thread::sleep_until(offered);
    httplib::Headers headers = {{"Authorization", "Bearer " + *r.token}};
    httplib::Result res = client.Post("/v1/commands", headers, r.json, "application/json");
    const auto answered = Clock::now();
    if (!res || res->status != 200) {
      if (out.failed++ == 0) {
        std::cerr << "docket_bench: api: "
                  << (res ? absl::StrCat(res->status, " ", res->body)
                          : httplib::to_string(res.error()))
                  << " after " << std::chrono::duration<double>(Clock::now() - start).count()
                  << " s, request " << (&r - lane.data()) << " of " << lane.size() << "\n";
      }
      continue;
    }
    out.rejected += absl::StrContains(res->body, "\"rejection\"");
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
    clients.emplace_back([&, i] { results[i] = Send(service.port(), lanes[i], start); });
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
            << " groups (largest " << stats.largest_group << ") in " << seconds << " s\n";
  return {{"api_commands", double(result.latencies_ms.size())},
          {"api_rejected", double(result.rejected)},
          {"api_seconds", seconds},
          {"api_commands_per_s", result.latencies_ms.size() / seconds},
          {"api_commit_groups", double(stats.groups)}};
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
