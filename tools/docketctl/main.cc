// docketctl: the command-line client of docket's embedded runtime.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/envelope.h"
#include "engine/input_grammar.h"
#include "services/runtime/embedded_runtime.h"
#include "tools/docketctl/docketctl.h"
#include "tools/docketctl/flags.h"

ABSL_FLAG(std::string, data_dir, "",
          "Data directory (RocksDB). Default: $DOCKET_DATA_DIR, else ./docket-data.");
ABSL_FLAG(std::string, policy, "",
          "Policy file (text-format docket.v1.Policy). Default: the built-in "
          "engine/default_policy.textproto.");
ABSL_FLAG(std::string, calendar_dir, "",
          "Directory of business-calendar year files (text-format "
          "docket.v1.CalendarYear, *.textproto). Default: the built-in years, "
          "engine/calendars/.");
ABSL_FLAG(int32_t, batch, 512,
          "submit: most commands committed together with one fsync (group commit).");
ABSL_FLAG(std::string, as_of, "", "show: the state as docket knew it at this RFC 3339 time.");
ABSL_FLAG(int64_t, revision, 0, "show: the state at this revision.");
ABSL_FLAG(std::string, status, "", "list: only cases at this stage, e.g. RESOLVING.");
ABSL_FLAG(std::string, severity, "", "list: only cases of this severity, e.g. MAJOR.");
ABSL_FLAG(bool, overdue, false, "list: only cases with an open deadline past due.");
ABSL_FLAG(std::string, clock, "",
          "A simulated clock for the whole invocation (tests, drills), announced on stderr: "
          "starts at this RFC 3339 time and moves forward with the commands submitted, each "
          "decided when it says it occurred. Default: the system clock.");
ABSL_FLAG(std::string, now, "", "list --overdue, tick: this RFC 3339 time instead of the clock.");
ABSL_FLAG(std::string, by, "category",
          "report: comma-separated dimensions: day,category,channel,severity,branch,kind,"
          "warning; or handler alone (the per-handler assessment).");
ABSL_FLAG(std::string, format, "table",
          "list, report: table, csv (report) or json; history: json or stored.");
ABSL_FLAG(std::string, from, "beginning",
          "tail: first log position to print: beginning or a number. report: the first day "
          "counted (2026-11-01, or an RFC 3339 time: its day in China Standard Time).");
ABSL_FLAG(std::string, to, "",
          "report: the last day counted, included (2026-11-30, or an RFC 3339 time: its "
          "day in China Standard Time). Default: the latest.");
ABSL_FLAG(absl::Duration, every, absl::ZeroDuration(),
          "tick: scan again at this interval (e.g. 1m) until SIGTERM.");
ABSL_FLAG(std::string, server, "",
          "A running docketd, e.g. http://127.0.0.1:8080: submit, show, history, list, "
          "rejections and report go through its API (docs/api.md) instead of a data directory.");
ABSL_FLAG(std::string, token, "", "with --server: the bearer token (default $DOCKET_TOKEN).");
ABSL_FLAG(std::string, brokers, "",
          "submit, tail: talk to docketd over Kafka at these bootstrap servers "
          "(HOST:PORT,...) instead of using a data directory.");
ABSL_FLAG(std::string, key_file, "",
          "with --brokers: the gateway key file (KEY_ID HEX_SECRET) that signs the commands "
          "published; key new: where to write the new key.");
ABSL_FLAG(std::vector<std::string>, kafka, {},
          "with --brokers: librdkafka settings, key=value,... (TLS, SASL).");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30),
          "submit --brokers: how long to wait for the outcomes.");
ABSL_FLAG(bool, follow, false, "tail --brokers: keep waiting for new events.");
ABSL_FLAG(std::string, kind, "EVIDENCE_KIND_PHOTO", "attach: the evidence kind.");
ABSL_FLAG(std::string, media_type, "",
          "attach: media type; default guessed from the file extension.");
ABSL_FLAG(std::string, command_id, "",
          "attach: command id; default derived from the case and the file's "
          "hash, so repeating an attach is harmless.");
ABSL_FLAG(std::string, admin, "", "init: the id of the first administrator.");
ABSL_FLAG(std::string, out, "", "key new: the key file to write (it must not exist).");
ABSL_FLAG(std::string, principal, "",
          "key new: the only principal the key may sign for (default: any, a trusted gateway).");
ABSL_FLAG(std::string, password, "",
          "init: the first administrator's password (hashed before it is stored).");
ABSL_FLAG(std::string, as, "",
          "token, directory: the administrator to act as (default: the directory's first); "
          "list, show, history, rejections: read as this principal, within its scope.");
ABSL_FLAG(absl::Duration, expires, absl::ZeroDuration(),
          "token issue: how long the token is valid (e.g. 720h; default: no expiry).");
ABSL_FLAG(std::string, actor_id, "", "attach: actor id (required).");
ABSL_FLAG(std::string, actor_role, "ROLE_HANDLER", "attach: actor role.");
ABSL_FLAG(std::string, actor_level, "LEVEL_BRANCH", "attach: actor level.");
ABSL_FLAG(std::string, actor_branch, "", "attach: actor branch.");

namespace {

constexpr char kUsageText[] = R"(docket's command-line client (embedded runtime).

usage: docketctl [--data_dir=DIR] COMMAND [ARGS] [FLAGS]

commands:
  submit              read commands (canonical proto3 JSON, one per line) from
                      stdin; print one outcome per command (JSON) on stdout
  attach CASE FILE    copy a photo or document into the evidence store and
                      attach it to CASE (--actor_id, --kind, --media_type)
  put-evidence FILE...  copy files into the evidence store and print each
                      one's Evidence (uri cas://SHA256, size, media type) for
                      commands that attach it
  show CASE           the case's state as JSON [--revision=N | --as_of=TIME]
  history CASE        the case's events with their hash chain, one per line
                      [--format=stored: the StoredEvent bytes, base64]
  list                case table [--status=STAGE] [--severity=S] [--overdue]
                      [--format=table|json]
  report              statistics [--by=day,category,channel,severity,branch,
                      kind,warning | --by=handler] [--format=table|csv|json]
  verify              audit: hash chains, revisions, log == history, evidence
                      files, and a fresh fold equal to every projection
  replay              rebuild every projection from the log
  init --admin=ID     a new data directory, its directory bootstrapped with
                      docket's own principal and a first administrator
                      [--password=PW]
  directory apply     directory commands (regions, branches, principals,
                      passwords, tokens, gateway keys) from stdin, one per
                      line (examples/org.ndjson); passwords are hashed here
  directory list      the organisation, without credentials [--format=json]
  token issue ID      a new API token for principal ID, printed once
                      [--expires=720h]; token revoke TOKEN_ID
  key new KEY_ID      a gateway key for signing commands on Kafka, written to
                      --out and registered in the directory [--principal=ID];
                      "system" is the engines' own key, never registered
  compact             write everything to table files and compact them
  backup TARGET       a consistent copy of the data directory and its
                      evidence at TARGET (new), while it stays in use
  restore SOURCE      the backup at SOURCE into --data_dir (new or empty),
                      then verify it
  rejections [CASE]   the refused commands on record, with their rules (one
                      case's, or all)
  tail                the event log as JSON lines [--from=beginning|N]
  tick                the deadline scanner: record the warnings, breaches
                      (with escalation) and appeal cases due [--now=TIME]
                      [--every=1m to keep scanning until SIGTERM]

exit codes: 0 ok; 1 a command was rejected or a check failed; 2 usage or I/O error.
Try: docketctl --data_dir=/tmp/d submit < examples/seed_cases.ndjson
)";

// Whether every flag on the command line is one of docketctl's (or
// absl's), with a value its type takes; else says which is not. absl's
// parser exits 1 for either, where the CLI contract says 2 (usage).
bool FlagsParse(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    arg.remove_prefix(arg[1] == '-' ? 2 : 1);
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    std::optional<absl::string_view> value;
    if (eq != absl::string_view::npos) value = arg.substr(eq + 1);
    // absl's own (help, version, flag files), which its parser handles.
    static const char* const kAbsl[] = {"help",     "helpfull",  "helpshort",  "helppackage",
                                        "helpon",   "helpmatch", "version",    "only_check_args",
                                        "flagfile", "fromenv",   "tryfromenv", "undefok"};
    if (std::find(std::begin(kAbsl), std::end(kAbsl), name) != std::end(kAbsl)) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no")) {
      // --noFLAG: a boolean's false, without a value.
      absl::CommandLineFlag* negated = absl::FindCommandLineFlag(name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>() && !value) continue;
    }
    if (flag == nullptr || flag->IsRetired()) {
      std::cerr << "docketctl: unknown flag --" << name << " (docketctl --help lists them)\n";
      return false;
    }
    if (!value) {
      if (flag->IsOfType<bool>()) continue;
      if (i + 1 == argc) {
        std::cerr << "docketctl: --" << name << " needs a value\n";
        return false;
      }
      value = argv[++i];
    }
    std::string error;
    if (!flag->ParseFrom(*value, &error)) {
      std::cerr << "docketctl: --" << name << "=" << *value << ": " << error << "\n";
      return false;
    }
  }
  return true;
}

// `code`, unless what was printed could not all be written (a full disk;
// a closed pipe ends docketctl by SIGPIPE first): then an I/O error, said
// on stderr.
int OutputWritten(int code) {
  std::cout.flush();
  if (std::cout.good()) return code;
  std::cerr << "docketctl: the output could not be written in full\n";
  return docket::ctl::kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsageText);
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "docketctl");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  absl::SetFlagsUsageConfig(config);
  if (!FlagsParse(argc, argv)) return docket::ctl::kUsage;
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << kUsageText;
    return docket::ctl::kUsage;
  }
  const std::string command = positional[1];
  docket::ctl::Args args(positional.begin() + 2, positional.end());
  using Fn = int (*)(const docket::ctl::Args&);
  static const std::map<std::string, Fn> kCommands = {
      {"submit", docket::ctl::Submit},
      {"attach", docket::ctl::Attach},
      {"put-evidence", docket::ctl::PutEvidence},
      {"show", docket::ctl::Show},
      {"history", docket::ctl::History},
      {"list", docket::ctl::List},
      {"report", docket::ctl::Report},
      {"verify", docket::ctl::Verify},
      {"replay", docket::ctl::Replay},
      {"compact", docket::ctl::Compact},
      {"backup", docket::ctl::BackupCommand},
      {"restore", docket::ctl::RestoreCommand},
      {"tail", docket::ctl::Tail},
      {"tick", docket::ctl::Tick},
      {"rejections", docket::ctl::Rejections},
      {"init", docket::ctl::InitCommand},
      {"directory", docket::ctl::DirectoryCommandVerb},
      {"token", docket::ctl::TokenCommand},
      {"key", docket::ctl::KeyCommand},
  };
  // A case id that cannot be one is a usage error, never echoed raw (its
  // bytes may be anything a shell passes: invalid UTF-8, terminal escapes).
  static const std::set<std::string> kCaseVerbs = {"show", "history", "rejections", "attach"};
  if (kCaseVerbs.contains(command) && !args.empty() && !docket::IsValidCaseId(args[0]) &&
      args[0] != docket::kDirectoryStream) {
    std::cerr << "docketctl: " << command << ": '" << docket::SafeText(args[0], 64)
              << "' is no case id (up to " << docket::kMaxCaseIdLength
              << " ASCII letters, digits and - _ .)\n";
    return docket::ctl::kUsage;
  }
  if (!absl::GetFlag(FLAGS_server).empty()) {
    return OutputWritten(docket::ctl::ServerCommand(command, args));
  }
  auto it = kCommands.find(command);
  if (it == kCommands.end()) {
    std::cerr << "docketctl: unknown command '" << command << "'\n\n" << kUsageText;
    return docket::ctl::kUsage;
  }
  return OutputWritten(it->second(args));
}

namespace docket::ctl {

std::string DataDir() { return ResolveDataDir(absl::GetFlag(FLAGS_data_dir)); }

const Clock* InvocationClock() {
  static const Clock* const kClock = []() -> const Clock* {
    const std::string start = absl::GetFlag(FLAGS_clock);
    if (start.empty()) return SystemClock::Get();
    absl::StatusOr<absl::Time> parsed = ParseTimeFlag("clock", start);
    if (!parsed.ok()) {
      std::cerr << "docketctl: " << parsed.status().message() << "\n";
      std::exit(kUsage);
    }
    std::cerr << "docketctl: simulated clock from " << absl::FormatTime(*parsed)
              << " (--clock), moving with the commands\n";
    return new DrillClock(*parsed);
  }();
  return kClock;
}

absl::StatusOr<absl::Time> ParseTimeFlag(const std::string& name, const std::string& value) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, value, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, "=", value, ": not an RFC 3339 time (", error, ")"));
  }
  return t;
}

std::optional<uint64_t> TailFromFlag() {
  uint64_t from = 1;
  const std::string from_flag = absl::GetFlag(FLAGS_from);
  if (from_flag != "beginning" && (!absl::SimpleAtoi(from_flag, &from) || from == 0)) {
    std::cerr << "docketctl: --from must be 'beginning' or a log position >= 1\n";
    return std::nullopt;
  }
  return from;
}

int Fail(const absl::Status& status) {
  std::cerr << "docketctl: " << status.message() << "\n";
  return absl::IsDataLoss(status) ? kFailed : kUsage;
}

}  // namespace docket::ctl
