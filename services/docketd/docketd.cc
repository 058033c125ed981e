// docketd: the engine daemon on Kafka.
//
//   docketd --listen=127.0.0.1:8080 [--data_dir=DIR] [--tick_every=1m]
//           [--tls_cert=FILE --tls_key=FILE]
//   docketd --brokers=HOST:PORT,... [--data_dir=DIR] [--instance=NAME]
//           [--group=docket-engine] [--kafka=key=value,...] [--batch=512]
//           [--tick_every=1m] [--policy=FILE] [--calendar_dir=DIR]
//           [--gateway_keys=DIR] [--require_signatures] [--listen=HOST:PORT]
//
// With --listen (and no --brokers): serves docket's HTTP API on the
// embedded log of the data directory it owns (docs/api.md), the deadline
// scanner inside; SIGTERM drains and exits 0. With --brokers: consumes
// docket.commands in a consumer group and answers each command on
// docket.events or docket.rejections, exactly once (services/kafka_engine.h).
// Its data directory holds the projections of the partitions it owns and
// is read by docketctl like an embedded one. The keys of --gateway_keys
// verify record signatures (services/kafka/gateway.h); its system.key, made
// on first start when missing, signs the scanner's commands: engines of one
// group share the directory of keys. SIGTERM or SIGINT: finishes the
// transaction in flight, leaves the group, exits 0. With --brokers and
// --listen: both, the API's commands published to docket.commands and
// answered from the topics (services/kafka/command_client.h). Exit 1 when
// the engine stops on an error, 2 on bad flags or an unusable data
// directory.

#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/api/commit_queue.h"
#include "services/api/server.h"
#include "services/kafka/command_client.h"
#include "services/kafka/engine.h"
#include "services/runtime/deadline_scanner.h"
#include "services/runtime/embedded_runtime.h"
#include "services/runtime/runtime_config.h"
#include "services/runtime/served_by.h"

ABSL_FLAG(std::string, brokers, "", "Kafka bootstrap servers, HOST:PORT,...");
ABSL_FLAG(std::vector<std::string>, kafka, {},
          "librdkafka settings, key=value,... (e.g. security.protocol=SSL); they win "
          "over docketd's defaults");
ABSL_FLAG(std::string, data_dir, "",
          "Data directory (default $DOCKET_DATA_DIR, else ./docket-data)");
ABSL_FLAG(std::string, group, "docket-engine", "Consumer group shared by all engines");
ABSL_FLAG(std::string, instance, "docketd",
          "This engine's name, stable across restarts (transactional.id docketd-NAME)");
ABSL_FLAG(int32_t, batch, 512, "Commands per transaction, at most");
ABSL_FLAG(absl::Duration, tick_every, absl::Minutes(1),
          "How often the deadline scanner runs (0 turns it off)");
ABSL_FLAG(std::string, policy, "", "Policy file (text format); default: the built-in policy");
ABSL_FLAG(std::string, calendar_dir, "", "Business-calendar year files; default: built in");
ABSL_FLAG(std::string, gateway_keys, "",
          "Directory of key files (KEY_ID.key) record signatures are verified with; "
          "system.key is made when missing (default: DATA_DIR/keys)");
ABSL_FLAG(std::string, listen, "",
          "Serve the HTTP API on HOST:PORT (port 0: any free port, printed)");
ABSL_FLAG(std::string, tls_cert, "", "TLS certificate (PEM) for --listen");
ABSL_FLAG(std::string, tls_key, "", "TLS private key (PEM) for --listen");
ABSL_FLAG(int64_t, max_body_bytes, 1 << 20, "Largest request body --listen accepts (413 above)");
ABSL_FLAG(absl::Duration, header_timeout, absl::Seconds(10),
          "--listen: close a connection that takes longer to send a request's headers");
ABSL_FLAG(int32_t, max_connections, 512,
          "--listen: connections open at once; more are answered 503");
ABSL_FLAG(int32_t, refusal_burst, 1000,
          "Refused commands a principal may have recorded at once (--listen); beyond, its "
          "commands are answered 429 until --refusals_per_minute refills the budget; 0: no "
          "budget");
ABSL_FLAG(int32_t, refusals_per_minute, 60,
          "Refused commands a principal may add each minute once its burst is spent (--listen)");
ABSL_FLAG(int32_t, command_burst, 20000,
          "Commands a principal may send at once (--listen), and the most one request holds "
          "(413 above); beyond, its commands are answered 429 until --commands_per_second "
          "refills the budget; 0: no budget");
ABSL_FLAG(double, commands_per_second, 2000,
          "Commands a principal may send each second once its burst is spent (--listen)");
ABSL_FLAG(int32_t, upload_burst_mb, 2048,
          "MiB of evidence a principal may upload at once (--listen); beyond, its uploads are "
          "answered 429 until --upload_mb_per_hour refills the budget; 0: no budget");
ABSL_FLAG(int32_t, upload_mb_per_hour, 512,
          "MiB of evidence a principal may add each hour once its burst is spent (--listen)");
ABSL_FLAG(std::string, console_dir, "tools/console/dist",
          "The web console's built files, served at / by --listen (none if missing)");
ABSL_FLAG(bool, require_signatures, true,
          "Refuse unsigned records on docket.commands (RULE_UNAUTHENTICATED); "
          "--norequire_signatures trusts the brokers' ACLs instead");

namespace {

std::atomic<bool> stop_requested{false};
void RequestStop(int) { stop_requested.store(true); }

int Fail(const absl::Status& status, int code) {
  std::cerr << "docketd: " << status << "\n";
  return code;
}

// --listen and the TLS and body flags; nullopt (said why) when malformed.
std::optional<docket::ServerOptions> ListenOptions() {
  docket::ServerOptions options;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &options.port) ||
      options.port < 0 || options.port > 65535) {
    std::cerr << "docketd: --listen is HOST:PORT, e.g. 127.0.0.1:8080\n";
    return std::nullopt;
  }
  options.host = listen.substr(0, colon);
  options.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key = absl::GetFlag(FLAGS_tls_key);
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    std::cerr << "docketd: give both --tls_cert and --tls_key, or neither\n";
    return std::nullopt;
  }
  options.max_body_bytes =
      static_cast<size_t>(std::max<int64_t>(1024, absl::GetFlag(FLAGS_max_body_bytes)));
  options.console_dir = absl::GetFlag(FLAGS_console_dir);
  options.header_timeout = std::max(absl::Seconds(1), absl::GetFlag(FLAGS_header_timeout));
  options.max_connections = std::max(1, absl::GetFlag(FLAGS_max_connections));
  options.refusal_burst = std::max(0, absl::GetFlag(FLAGS_refusal_burst));
  options.refusals_per_second = std::max(1, absl::GetFlag(FLAGS_refusals_per_minute)) / 60.0;
  options.command_burst = std::max(0, absl::GetFlag(FLAGS_command_burst));
  options.commands_per_second = std::max(0.001, absl::GetFlag(FLAGS_commands_per_second));
  options.upload_burst_bytes = std::max(0, absl::GetFlag(FLAGS_upload_burst_mb)) * double{1 << 20};
  options.upload_bytes_per_second =
      std::max(1, absl::GetFlag(FLAGS_upload_mb_per_hour)) * double{1 << 20} / 3600;
  return options;
}

// Serves the API on `runtime`'s data directory, its commands through
// `sink`, until SIGTERM (or until something else sets stop_requested).
int ServeWith(docket::EmbeddedRuntime* runtime, docket::CommandSink* sink,
              const docket::ServerOptions& options) {
  using namespace docket;
  ApiServer server(runtime, sink, options);
  absl::Status bound = server.Bind();
  if (!bound.ok()) return Fail(bound, 2);
  const std::string url = absl::StrCat(options.tls_cert.empty() ? "http" : "https", "://",
                                       options.host, ":", server.port());
  // docketctl --data_dir refuses a served directory at once, naming this URL.
  absl::Status marked = MarkServed(runtime->store()->dir(), url);
  if (!marked.ok()) return Fail(marked, 2);
  std::cout << "docketd: serving " << url << std::endl;
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  std::thread watcher([&server] {
    while (!stop_requested.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.Stop();  // Stops accepting; in-flight requests finish.
  });
  server.Run();
  stop_requested.store(true);
  watcher.join();
  UnmarkServed(runtime->store()->dir());
  std::cerr << "docketd: stopped\n";
  return 0;
}

// docketd --listen: the API on the embedded log until SIGTERM.
int Serve(docket::EmbeddedRuntime* runtime) {
  using namespace docket;
  std::optional<ServerOptions> options = ListenOptions();
  if (!options) return 2;
  DeadlineScanner scanner(runtime->store(), runtime->processor());
  CommitQueue queue(runtime->store(), runtime->processor(), &scanner, runtime->clock(),
                    absl::GetFlag(FLAGS_tick_every));
  return ServeWith(runtime, &queue, *options);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "docketd --brokers=HOST:PORT,... [--data_dir=DIR] [--instance=NAME]: docket's "
      "engine on Kafka");
  absl::ParseCommandLine(argc, argv);
  using namespace docket;

  absl::StatusOr<v1::Policy> policy = LoadPolicy(absl::GetFlag(FLAGS_policy));
  if (!policy.ok()) return Fail(policy.status(), 2);
  absl::StatusOr<std::unique_ptr<BusinessCalendar>> calendar =
      LoadCalendar(*policy, absl::GetFlag(FLAGS_calendar_dir), std::cerr);
  if (!calendar.ok()) return Fail(calendar.status(), 2);
  const std::string data_dir = ResolveDataDir(absl::GetFlag(FLAGS_data_dir));
  // One docketd a data directory: refused at once, naming the one that
  // serves it (RocksDB's lock refuses any second writer too, after waiting).
  if (std::optional<std::string> url = ServedBy(data_dir)) {
    std::cerr << "docketd: " << data_dir << " is served by docketd at " << *url
              << " already; one docketd serves a data directory\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<EmbeddedRuntime>> runtime =
      EmbeddedRuntime::Open(data_dir, *std::move(policy), *std::move(calendar), SystemClock::Get());
  if (!runtime.ok()) return Fail(runtime.status(), 2);
  if (!absl::GetFlag(FLAGS_listen).empty() && absl::GetFlag(FLAGS_brokers).empty()) {
    (*runtime)->processor()->set_attachments_need_upload(true);
    return Serve(runtime->get());
  }

  // The keys: the system key made once, readable by its owner only.
  const std::string keys_dir = absl::GetFlag(FLAGS_gateway_keys).empty()
                                   ? data_dir + "/keys"
                                   : absl::GetFlag(FLAGS_gateway_keys);
  std::error_code ec;
  std::filesystem::create_directories(keys_dir, ec);
  const std::string system_path = keys_dir + "/" + kafka::kSystemKeyId + ".key";
  if (!std::filesystem::exists(system_path)) {
    absl::StatusOr<kafka::KeyFile> made = kafka::NewKey(kafka::kSystemKeyId);
    if (!made.ok()) return Fail(made.status(), 2);
    absl::Status written = kafka::WriteKeyFile(system_path, *made);
    if (!written.ok() && !std::filesystem::exists(system_path)) return Fail(written, 2);
  }
  absl::StatusOr<kafka::KeyFile> system_key = kafka::ReadKeyFile(system_path);
  if (!system_key.ok()) return Fail(system_key.status(), 2);
  absl::StatusOr<kafka::Keyring> keyring = kafka::Keyring::Load(keys_dir);
  if (!keyring.ok()) return Fail(keyring.status(), 2);

  kafka::EngineOptions options;
  options.client.brokers = absl::GetFlag(FLAGS_brokers);
  options.client.settings = absl::GetFlag(FLAGS_kafka);
  options.group = absl::GetFlag(FLAGS_group);
  options.instance = absl::GetFlag(FLAGS_instance);
  options.batch = std::max(1, absl::GetFlag(FLAGS_batch));
  options.tick_every = absl::GetFlag(FLAGS_tick_every);
  options.log = &std::cerr;
  options.keyring = &*keyring;
  options.system_key = &*system_key;
  options.require_signatures = absl::GetFlag(FLAGS_require_signatures);
  if (options.client.brokers.empty()) {
    std::cerr << "docketd: give --listen=HOST:PORT (the embedded log) or --brokers (Kafka; "
                 "try kafka_mock for a local cluster)\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<kafka::Engine>> engine =
      kafka::Engine::Create(runtime->get(), std::move(options));
  if (!engine.ok()) return Fail(engine.status(), 2);

  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  if (absl::GetFlag(FLAGS_listen).empty()) {
    absl::Status ran = (*engine)->Run(stop_requested);
    engine->reset();
    if (!ran.ok()) return Fail(ran, 1);
    return 0;
  }
  // With --listen too: the engine on its thread, and the API, whose
  // commands go through the topics to whichever engine owns their case.
  std::optional<ServerOptions> listen = ListenOptions();
  if (!listen) return 2;
  kafka::ClientOptions client;
  client.brokers = absl::GetFlag(FLAGS_brokers);
  client.settings = absl::GetFlag(FLAGS_kafka);
  absl::StatusOr<std::unique_ptr<kafka::CommandClient>> commands =
      kafka::CommandClient::Create(client, &*system_key, absl::Seconds(30));
  if (!commands.ok()) return Fail(commands.status(), 2);
  // Uploads land here, so attachments are checked here before they are
  // published (CommandClient::set_evidence).
  (*commands)->set_evidence(&(*runtime)->evidence());
  absl::Status ran;
  std::thread engine_thread([&] {
    ran = (*engine)->Run(stop_requested);
    stop_requested.store(true);  // An engine that stops takes the API with it.
  });
  // Reads answer for the cases of the partitions this engine holds, and
  // say where the others live.
  listen->partition_elsewhere = [engine = engine->get()](const std::string& case_id) {
    return engine->PartitionElsewhere(case_id);
  };
  const int served = ServeWith(runtime->get(), commands->get(), *listen);
  stop_requested.store(true);
  engine_thread.join();
  commands->reset();
  engine->reset();
  if (!ran.ok()) return Fail(ran, 1);
  return served;
}
