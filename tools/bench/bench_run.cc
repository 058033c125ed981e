#include "tools/bench/bench_run.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/business_calendar.h"
#include "engine/policy.h"
#include "rocksdb/db.h"
#include "services/runtime/catch_up.h"
#include "services/runtime/command_processor.h"
#include "services/runtime/embedded_runtime.h"
#include "tools/bench/api_phase.h"
#include "tools/bench/bench_org.h"
#include "tools/bench/kafka_phase.h"
#include "tools/bench/pg_peer.h"
#include "tools/bench/results.h"
#include "tools/bench/workload.h"
#include "tools/bench/workload_file.h"

namespace docket::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Runs `phase` in a child process; returns what it reported plus its peak
// RSS in MB as "<name>_peak_rss_mb".
Results InChild(const std::string& name, const std::function<Results()>& phase) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Results r = phase();
    std::string text;
    for (const auto& [k, v] : r) absl::StrAppend(&text, k, "=", absl::StrFormat("%.6f", v), "\n");
    (void)!write(fds[1], text.data(), text.size());
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof(buffer))) > 0;) text.append(buffer, n);
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  Results r;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, '=');
    double v = 0;
    if (absl::SimpleAtod(kv.second, &v)) r[kv.first] = v;
  }
  r[name + "_peak_rss_mb"] = usage.ru_maxrss / 1024.0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) r[name + "_failed"] = 1;
  return r;
}

// The embedded runtime, as docketctl opens it, with a drill clock: the
// workload's commands date from the past, each decided when it occurred
// (docketctl --clock).
std::unique_ptr<EmbeddedRuntime> OpenRuntime(const std::string& dir) {
  static DrillClock* const kClock = new DrillClock(absl::UnixEpoch());
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime =
      EmbeddedRuntime::Open(dir, DefaultPolicy(), DefaultBusinessCalendar(DefaultPolicy()), kClock);
  if (!runtime.ok()) std::_Exit(3);
  // Each phase runs on a fresh directory: the generated workload acts as
  // the examples' principals.
  if (!OrganiseLikeTheExamples((*runtime)->processor()).ok() ||
      !StoreTheWorkloadsPhoto((*runtime)->evidence()).ok()) {
    std::_Exit(3);
  }
  return *std::move(runtime);
}

std::vector<absl::StatusOr<v1::Command>> AsInput(std::vector<v1::Command>& commands) {
  std::vector<absl::StatusOr<v1::Command>> out;
  out.reserve(commands.size());
  for (v1::Command& c : commands) out.emplace_back(std::move(c));
  return out;
}

// Durable submit: everything in groups of 512, one fsync each.
Results Submit(const std::string& workload, const std::string& dir) {
  std::unique_ptr<EmbeddedRuntime> rt = OpenRuntime(dir);
  WorkloadReader reader(workload);
  double commands = 0, rejected = 0, events = 0;
  const auto start = Clock::now();
  for (auto group = reader.Next(512); !group.empty(); group = reader.Next(512)) {
    auto outcomes = rt->processor()->SubmitBatch(AsInput(group));
    if (!outcomes.ok()) std::_Exit(3);
    for (const auto& o : *outcomes) {
      ++commands;
      rejected += o.has_rejection();
      if (!o.duplicate()) events += o.events_size();
    }
  }
  const double s = Seconds(start);
  return {{"submit_commands", commands},
          {"submit_rejected", rejected},
          {"submit_events", events},
          {"submit_seconds", s},
          {"submit_commands_per_s", commands / s}};
}

// Latency at a fixed offered rate: a producer offers commands at `rate`/s;
// the engine loop commits whatever waits (group commit) and each command's
// latency runs from its offer to its durable outcome.
Results Latency(const std::string& workload, const std::string& dir, double rate, double seconds) {
  std::unique_ptr<EmbeddedRuntime> rt = OpenRuntime(dir);
  WorkloadReader reader(workload);
  std::vector<v1::Command> all = reader.Next(static_cast<size_t>(rate * seconds));
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<v1::Command, Clock::time_point>> queue;
  bool done = false;
  std::thread producer([&] {
    const auto start = Clock::now();
    for (size_t i = 0; i < all.size(); ++i) {
      std::this_thread::sleep_until(start + std::chrono::duration<double>(i / rate));
      std::lock_guard<std::mutex> lock(mu);
      queue.emplace_back(std::move(all[i]), Clock::now());
      cv.notify_one();
    }
    std::lock_guard<std::mutex> lock(mu);
    done = true;
    cv.notify_one();
  });
  std::vector<double> latencies_ms;
  while (true) {
    std::vector<std::pair<v1::Command, Clock::time_point>> group;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !queue.empty() || done; });
      if (queue.empty() && done) break;
      while (!queue.empty() && group.size() < 512) {
        group.push_back(std::move(queue.front()));
        queue.pop_front();
      }
    }
    std::vector<absl::StatusOr<v1::Command>> input;
    for (auto& [c, t] : group) input.emplace_back(c);
    if (!rt->processor()->SubmitBatch(input).ok()) std::_Exit(3);
    const auto now = Clock::now();
    for (auto& [c, t] : group) {
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - t).count());
    }
  }
  producer.join();
  return {{"submit_p50_ms", Percentile(latencies_ms, 0.50)},
          {"submit_p99_ms", Percentile(latencies_ms, 0.99)},
          {"latency_offered_per_s", rate},
          {"latency_commands", double(latencies_ms.size())}};
}

Results ReplayPhase(const std::string& dir) {
  std::unique_ptr<Store> store = *Store::Open(dir, Store::Mode::kReadWrite);
  const auto start = Clock::now();
  absl::StatusOr<int64_t> folded = Replay(store.get());
  if (!folded.ok()) std::_Exit(3);
  const double s = Seconds(start);
  return {{"replay_events", double(*folded)},
          {"replay_seconds", s},
          {"replay_events_per_s", *folded / s}};
}

// The machine's limit: the same number of records, of the sizes the log
// holds, put through RocksDB in 1,000-put WriteBatches (one final sync);
// and the rate of synced single writes.
Results Raw(const std::string& submit_dir, const std::string& dir) {
  std::vector<size_t> sizes;
  int64_t records = 0;
  {
    std::unique_ptr<Store> store = *Store::Open(submit_dir, Store::Mode::kReadOnly);
    std::unique_ptr<rocksdb::Iterator> it = store->NewIterator(Cf::kLog);
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++records) {
      if (sizes.size() < 100000) sizes.push_back(it->value().size());
    }
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) std::_Exit(3);
  std::unique_ptr<rocksdb::DB> db(raw);
  std::mt19937_64 rng(7);
  std::string value(1 << 16, '\0');
  for (char& c : value) c = static_cast<char>(rng());
  rocksdb::WriteOptions nosync, sync;
  sync.sync = true;
  const auto start = Clock::now();
  rocksdb::WriteBatch batch;
  for (int64_t i = 0; i < records; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "%015lld", static_cast<long long>(i));
    batch.Put(key, rocksdb::Slice(value.data(), std::min(sizes[i % sizes.size()], value.size())));
    if (batch.Count() == 1000) {
      db->Write(nosync, &batch).PermitUncheckedError();
      batch.Clear();
    }
  }
  db->Write(sync, &batch).PermitUncheckedError();
  const double s = Seconds(start);
  const int kSyncs = 300;
  const auto sync_start = Clock::now();
  for (int i = 0; i < kSyncs; ++i) {
    db->Put(sync, absl::StrCat("sync-", i), "x").PermitUncheckedError();
  }
  const double sync_s = Seconds(sync_start);
  return {{"raw_rocksdb_records", double(records)},
          {"raw_rocksdb_puts_per_s", records / s},
          {"fsyncs_per_s", kSyncs / sync_s}};
}

std::string Fmt(const Results& r, const std::string& key, const char* format = "%.0f") {
  auto it = r.find(key);
  return it == r.end() ? "n/a" : absl::StrFormat(format, it->second);
}

}  // namespace

int Run(const RunOptions& options) {
  namespace fs = std::filesystem;
  std::string work = options.work_dir;
  if (work.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    work = (fs::path(tmp ? tmp : "/tmp") / absl::StrCat("docket-bench-", getpid())).string();
  }
  fs::remove_all(work);
  fs::create_directories(work);
  const std::string workload = work + "/workload.bin";
  Results r;
  auto merge = [&](const Results& more) { r.insert(more.begin(), more.end()); };
  // Generated in a child too: the parent stays small, so the phases it
  // forks inherit nothing that would count in their peak RSS.
  merge(InChild("generate", [&] {
    WorkloadOptions w;
    w.cases = options.cases;
    w.seed = options.seed;
    const auto start = Clock::now();
    std::vector<v1::Command> commands = GenerateWorkload(w);
    WriteWorkload(workload, commands);
    std::cerr << "docket_bench: " << commands.size() << " commands for " << options.cases
              << " cases generated in " << absl::StrFormat("%.1f", Seconds(start)) << " s\n";
    return Results{{"generated_commands", double(commands.size())}};
  }));
  r.erase("generate_peak_rss_mb");  // The generator is not part of docket.
  std::set<std::string> phases = options.phases;
  if (phases.contains("replay") || phases.contains("raw")) phases.insert("submit");
  auto phase = [&](const std::string& name, const std::string& what,
                   const std::function<Results()>& measure) {
    if (!phases.empty() && !phases.contains(name)) return;
    std::cerr << "docket_bench: " << what << "...\n";
    merge(InChild(name, measure));
  };
  phase("submit", "submit", [&] { return Submit(workload, work + "/submit"); });
  phase("latency", "latency at 5,000/s",
        [&] { return Latency(workload, work + "/latency", 5000, options.quick ? 2 : 10); });
  phase("replay", "replay", [&] { return ReplayPhase(work + "/submit"); });
  phase("raw", "raw RocksDB", [&] { return Raw(work + "/submit", work + "/raw"); });
  phase("api", "API (64 keep-alive clients on loopback)",
        [&] { return ApiThroughput(workload, work + "/api", options.quick ? 20000 : 100000); });
  phase("api_latency", "API latency at 2,000/s",
        [&] { return ApiLatency(workload, work + "/api-latency", 2000, options.quick ? 2 : 10); });
  if (options.kafka) {
    phase("kafka", "Kafka path (docketd on the mock cluster)", [&] {
      return KafkaThroughput(workload, work + "/kafka", options.quick ? 20000 : 200000);
    });
    phase("kafka_latency", "Kafka latency at 5,000/s", [&] {
      return KafkaLatency(workload, work + "/kafka-latency", 5000, options.quick ? 2 : 10);
    });
  }
  if (options.postgres) {
    phase("postgres", "PostgreSQL peer",
          [&] { return PostgresPeer(workload, options.quick ? 20000 : 200000); });
  }
  fs::remove_all(work);

  auto ratio = [&](const std::string& a, const std::string& b, const std::string& key) {
    if (r.contains(a) && r.contains(b) && r[b] > 0) r[key] = r[a] / r[b];
  };
  ratio("replay_events_per_s", "raw_rocksdb_puts_per_s", "replay_vs_raw");
  ratio("submit_commands_per_s", "raw_rocksdb_puts_per_s", "submit_vs_raw");
  ratio("submit_commands_per_s", "postgres_commands_per_s", "submit_vs_postgres");
  ratio("kafka_commands_per_s", "submit_commands_per_s", "kafka_vs_submit");
  ratio("api_commands_per_s", "submit_commands_per_s", "api_vs_submit");
  // docket's own peak: the Kafka phases hold the mock brokers (every record
  // in memory) and the producer in the same process, so they do not count.
  double peak = 0;
  for (const auto& [k, v] : r) {
    if (absl::EndsWith(k, "_peak_rss_mb") && !absl::StartsWith(k, "kafka")) {
      peak = std::max(peak, v);
    }
  }
  r["peak_rss_mb"] = peak;

  std::cout << absl::StrFormat("docket_bench %s: %s cases, %s commands, %s events\n\n",
                               options.quick ? "--quick" : "full", absl::StrCat(options.cases),
                               Fmt(r, "submit_commands"), Fmt(r, "submit_events"));
  const std::vector<std::tuple<std::string, std::string, std::string>> rows = {
      {"submit (durable, group commit)", Fmt(r, "submit_commands_per_s") + " commands/s",
       Fmt(r, "submit_peak_rss_mb", "%.0f MB")},
      {"  latency at 5,000/s offered",
       "p50 " + Fmt(r, "submit_p50_ms", "%.2f") + " ms, p99 " + Fmt(r, "submit_p99_ms", "%.2f") +
           " ms",
       Fmt(r, "latency_peak_rss_mb", "%.0f MB")},
      {"replay (every projection)", Fmt(r, "replay_events_per_s") + " events/s",
       Fmt(r, "replay_peak_rss_mb", "%.0f MB")},
      {"raw RocksDB (same records)",
       Fmt(r, "raw_rocksdb_puts_per_s") + " puts/s, " + Fmt(r, "fsyncs_per_s") + " fsyncs/s",
       Fmt(r, "raw_peak_rss_mb", "%.0f MB")},
      {"PostgreSQL ticket desk", Fmt(r, "postgres_commands_per_s") + " commands/s",
       Fmt(r, "postgres_peak_rss_mb", "%.0f MB")},
      {"API (64 clients, one command each)", Fmt(r, "api_commands_per_s") + " commands/s",
       Fmt(r, "api_peak_rss_mb", "%.0f MB with clients")},
      {"  the one writer thread",
       Fmt(r, "api_writer_cpu_us_per_command", "%.1f") + " us CPU/command, busy " +
           Fmt(r, "api_writer_busy", "%.2f"),
       ""},
      {"  latency at 2,000/s offered",
       "p50 " + Fmt(r, "api_p50_ms", "%.2f") + " ms, p99 " + Fmt(r, "api_p99_ms", "%.2f") + " ms",
       Fmt(r, "api_latency_peak_rss_mb", "%.0f MB with clients")},
      {"Kafka (docketd, mock cluster)", Fmt(r, "kafka_commands_per_s") + " commands/s",
       Fmt(r, "kafka_peak_rss_mb", "%.0f MB with brokers")},
      {"  latency at 5,000/s offered",
       "p50 " + Fmt(r, "kafka_p50_ms", "%.2f") + " ms, p99 " + Fmt(r, "kafka_p99_ms", "%.2f") +
           " ms",
       Fmt(r, "kafka_latency_peak_rss_mb", "%.0f MB with brokers")},
      {"replay_vs_raw", Fmt(r, "replay_vs_raw", "%.3f"), ""},
      {"submit_vs_raw", Fmt(r, "submit_vs_raw", "%.3f"), ""},
      {"submit_vs_postgres", Fmt(r, "submit_vs_postgres", "%.2f"), ""},
      {"kafka_vs_submit", Fmt(r, "kafka_vs_submit", "%.2f"), ""},
      {"api_vs_submit", Fmt(r, "api_vs_submit", "%.2f"), ""},
  };
  for (const auto& [what, value, rss] : rows) {
    std::cout << absl::StrFormat("%-32s %-48s %s\n", what, value, rss);
  }
  bool failed = false;
  for (const auto& [k, v] : r) failed |= absl::EndsWith(k, "_failed");
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << "{";
    bool first = true;
    const char* keys[] = {"submit_commands_per_s",  "submit_p50_ms",
                          "submit_p99_ms",          "replay_events_per_s",
                          "raw_rocksdb_puts_per_s", "replay_vs_raw",
                          "submit_vs_raw",          "postgres_commands_per_s",
                          "submit_vs_postgres",     "kafka_commands_per_s",
                          "kafka_p99_ms",           "kafka_vs_submit",
                          "api_commands_per_s",     "api_p99_ms",
                          "api_vs_submit",          "api_writer_cpu_us_per_command",
                          "api_writer_busy",        "peak_rss_mb"};
    for (const char* key : keys) {
      out << (first ? "" : ",") << "\"" << key << "\":";
      first = false;
      auto it = r.find(key);
      if (it == r.end()) {
        out << "null";
      } else {
        out << absl::StrFormat("%.4f", it->second);
      }
    }
    out << "}\n";
  }
  return failed ? 1 : 0;
}

}  // namespace docket::bench
