// docketctl --server=URL --token=T: the case verbs against a running
// docketd (docs/api.md), so that operators need no data directory.

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "docket/v1/api.pb.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "google/protobuf/util/json_util.h"
#include "projections/hash_chain.h"
#include "services/audit/report.h"
#include "services/runtime/evidence_store.h"
#include "services/runtime/json_codec.h"
#include "tools/docketctl/case_table.h"
#include "tools/docketctl/docketctl.h"
#include "tools/docketctl/flags.h"
#include "tools/docketctl/line_reader.h"

namespace docket::ctl {
namespace {

constexpr size_t kGroup = 512;  // Commands per request, as --batch.
// submit waits as the server asks (Retry-After) at most this long at a
// time, and this many times for one group.
constexpr std::chrono::seconds kLongestWait(60);
constexpr int kMostTries = 20;

std::string Token() {
  std::string token = absl::GetFlag(FLAGS_token);
  if (token.empty()) {
    const char* env = std::getenv("DOCKET_TOKEN");
    if (env != nullptr) token = env;
  }
  return token;
}

// Percent-encodes all but RFC 3986's unreserved characters.
std::string UrlEncode(absl::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

std::string Query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    absl::StrAppend(&q, q.empty() ? "?" : "&", k, "=", UrlEncode(v));
  }
  return q;
}

// What a server that asked to be asked again later (429, 503) said: the
// seconds to wait (-1: it did not say) and its answer.
struct Retry {
  int after_s = -1;
  std::string said;
  // 413 for more commands in one request than the server takes: how many
  // it takes (its X-Docket-Most-Commands); 0 for any other answer.
  size_t most_commands = 0;
};

// The server's JSON answer as `message`; false, having said that `what`
// does not decode, when it is none.
bool Decode(const std::string& json, absl::string_view what, google::protobuf::Message* message) {
  if (google::protobuf::util::JsonStringToMessage(json, message).ok()) return true;
  std::cerr << "docketctl: the server's " << what << " does not decode\n";
  return false;
}

// What Call makes of the server's answer `r` (below).
std::optional<std::string> Answer(const httplib::Result& r, int* code, Retry* retry);

httplib::Headers Authorization() { return {{"Authorization", "Bearer " + Token()}}; }

// GET or POST against the server; the body on 2xx, else the error printed
// and nullopt with `*code` set. With `retry`, an answer that says when to
// ask again is not printed but handed back there, for the caller to wait.
std::optional<std::string> Call(httplib::Client& client, const std::string& method,
                                const std::string& path, const std::string& body,
                                const std::string& content_type, int* code,
                                Retry* retry = nullptr) {
  const httplib::Headers headers = Authorization();
  return Answer(method == "GET" ? client.Get(path.c_str(), headers)
                                : client.Post(path.c_str(), headers, body, content_type.c_str()),
                code, retry);
}

std::optional<std::string> Answer(const httplib::Result& r, int* code, Retry* retry) {
  if (retry != nullptr) *retry = Retry();
  if (!r) {
    std::cerr << "docketctl: " << absl::GetFlag(FLAGS_server) << ": "
              << httplib::to_string(r.error()) << "\n";
    *code = kUsage;
    return std::nullopt;
  }
  if (r->status / 100 == 2) return r->body;
  // Refused (unauthenticated, not permitted, not found, in conflict) or
  // to be retried: 1, as a rejected command; a malformed request: 2.
  const bool later = r->status == 429 || r->status == 503 || r->status == 504;
  const bool refused = r->status == 401 || r->status == 403 || r->status == 404 || r->status == 409;
  *code = refused || later ? kFailed : kUsage;
  // The refusal's reason, as --data_dir says it ("case C-1 does not
  // exist"), with the status; a body that is no Rejection as it came.
  v1::Rejection rejection;
  const std::string said =
      google::protobuf::util::JsonStringToMessage(r->body, &rejection).ok() &&
              !rejection.reason().empty()
          ? absl::StrCat("docketctl: ", rejection.reason(), " (HTTP ", r->status, ", ",
                         v1::Rule_Name(rejection.rule()), ")\n")
          : absl::StrCat("docketctl: ", r->status, " ", r->body);
  if (retry != nullptr && r->status == 413 &&
      absl::SimpleAtoi(r->get_header_value("X-Docket-Most-Commands"), &retry->most_commands) &&
      retry->most_commands > 0) {
    retry->said = said;
    return std::nullopt;  // The caller sends fewer at a time.
  }
  if (later && retry != nullptr &&
      absl::SimpleAtoi(r->get_header_value("Retry-After"), &retry->after_s) &&
      retry->after_s >= 0) {
    retry->said = said;
    return std::nullopt;  // The caller waits, or prints it.
  }
  std::cerr << said;
  // Busy, or this principal's budget of refusals spent: a failure to retry
  // later, not a mistake in the command line.
  if (r->has_header("Retry-After")) {
    std::cerr << "docketctl: the server asks to retry in " << r->get_header_value("Retry-After")
              << " s\n";
  }
  return std::nullopt;
}

// Outcomes the server answered to an NDJSON request, printed as submit
// prints them: kFailed when one is a refusal.
int PrintOutcomes(const std::string& ndjson) {
  std::cout << ndjson << std::flush;
  return absl::StrContains(ndjson, "\"rejection\"") ? kFailed : kOk;
}

int ServerSubmit(httplib::Client& client) {
  bool refused = false;
  std::vector<std::string> group;
  size_t group_size = kGroup;  // Fewer, once the server says it takes fewer.
  // Sends `lines` as one request; answered that a request holds fewer
  // commands (a server whose --command_burst is below kGroup), sends them
  // in requests of as many as it takes, and so every group after.
  std::function<int(const std::vector<std::string>&)> send =
      [&](const std::vector<std::string>& lines) -> int {
    std::string body;
    for (const std::string& line : lines) absl::StrAppend(&body, line, "\n");
    int code = kOk;
    Retry retry;
    std::optional<std::string> out =
        Call(client, "POST", "/v1/commands", body, "application/x-ndjson", &code, &retry);
    // Busy, or this principal's budget of commands spent for a moment: the
    // group was not decided, so it is sent again once the server says,
    // unless that is long (a budget of refusals spent, or a server that
    // stays busy).
    for (int tries = 0; !out && retry.after_s >= 0; ++tries) {
      if (retry.after_s > kLongestWait.count() || tries == kMostTries) {
        std::cerr << retry.said << "docketctl: the server asks to retry in " << retry.after_s
                  << " s; stopping\n";
        return code;
      }
      std::cerr << "docketctl: the server is busy, or this principal's budget spent; waiting "
                << retry.after_s << " s, as it asks\n";
      std::this_thread::sleep_for(std::chrono::seconds(std::max(1, retry.after_s)));
      out = Call(client, "POST", "/v1/commands", body, "application/x-ndjson", &code, &retry);
    }
    if (!out && retry.most_commands > 0 && retry.most_commands < lines.size()) {
      group_size = retry.most_commands;
      for (size_t at = 0; at < lines.size(); at += group_size) {
        const auto from = lines.begin() + static_cast<std::ptrdiff_t>(at);
        const auto to =
            lines.begin() + static_cast<std::ptrdiff_t>(std::min(lines.size(), at + group_size));
        if (int sent = send({from, to}); sent != kOk) return sent;
      }
      return kOk;
    }
    if (!out && retry.most_commands > 0) std::cerr << retry.said;
    if (!out) return code;
    refused |= PrintOutcomes(*out) == kFailed;
    return kOk;
  };
  const auto flush = [&]() -> int {
    if (group.empty()) return kOk;
    const int code = send(group);
    group.clear();
    return code;
  };
  // Read as `submit --data_dir` reads: blank lines skipped (as the API
  // skips them), a line over the limit of a command never held whole.
  LineReader reader(STDIN_FILENO, kMaxCommandBytes);
  LineReader::Line line;
  while (reader.Next(&line)) {
    if (line.blank()) continue;
    if (line.too_long) {
      // Refused as --data_dir refuses it, in its place among the outcomes:
      // the server would refuse the whole request that carried it.
      if (int code = flush(); code != kOk) return code;
      v1::CommandOutcome outcome;
      *outcome.mutable_rejection() =
          MakeRejection(v1::Command(), CommandTooLarge(line.length), absl::Now());
      std::cout << ToJson(outcome) << "\n" << std::flush;
      refused = true;
      continue;
    }
    group.push_back(std::move(line.text));
    if (group.size() >= group_size) {
      if (int code = flush(); code != kOk) return code;
    }
  }
  if (int code = flush(); code != kOk) return code;
  return refused ? kFailed : kOk;
}

// Every page of GET `path` with `params` (500 to a page, then each page's
// next_page_token), decoded as a `List` (`what` names it) and handed to
// `each`; kOk, or the code of the first failure. A server that gives the
// same token twice is not followed round.
template <typename List>
int EachPage(httplib::Client& client, const std::string& path,
             std::vector<std::pair<std::string, std::string>> params, absl::string_view what,
             const std::function<void(const List&)>& each) {
  params.push_back({"page_size", "500"});
  std::string page_token;
  do {
    std::vector<std::pair<std::string, std::string>> page = params;
    page.push_back({"page_token", page_token});
    int code = kOk;
    std::optional<std::string> out =
        Call(client, "GET", absl::StrCat(path, Query(page)), "", "", &code);
    if (!out) return code;
    List list;
    if (!Decode(*out, what, &list)) return kUsage;
    each(list);
    if (!list.next_page_token().empty() && list.next_page_token() == page_token) {
      std::cerr << "docketctl: the server gave the same page token twice\n";
      return kFailed;
    }
    page_token = list.next_page_token();
  } while (!page_token.empty());
  return kOk;
}

// list: every page of GET /v1/cases, printed once all came, in the order
// --data_dir lists them (by case id; the server's is by next due time).
int ServerList(httplib::Client& client) {
  const bool json = absl::GetFlag(FLAGS_format) == "json";
  const absl::Time now = absl::Now();
  std::vector<v1::CaseState> cases;
  const int code =
      EachPage<v1::CaseList>(client, "/v1/cases",
                             {{"status", absl::GetFlag(FLAGS_status)},
                              {"severity", absl::GetFlag(FLAGS_severity)},
                              {"overdue", absl::GetFlag(FLAGS_overdue) ? "true" : ""}},
                             "case list", [&](const v1::CaseList& list) {
                               cases.insert(cases.end(), list.cases().begin(), list.cases().end());
                             });
  if (code != kOk) return code;
  std::sort(cases.begin(), cases.end(), [](const v1::CaseState& a, const v1::CaseState& b) {
    return a.case_id() < b.case_id();
  });
  if (!json) PrintCaseTableHeader(std::cout);
  for (const v1::CaseState& c : cases) {
    if (json) {
      std::cout << ToJson(c) << "\n";
    } else {
      PrintCaseTableRow(c, now, std::cout);
    }
  }
  return kOk;
}

// rejections [CASE_ID]: every page of GET /v1/rejections, one Rejection a
// line, as `rejections` prints them from a data directory.
int ServerRejections(httplib::Client& client, const std::string& case_id) {
  return EachPage<v1::RejectionList>(client, "/v1/rejections", {{"case_id", case_id}},
                                     "rejection list", [](const v1::RejectionList& list) {
                                       for (const v1::Rejection& r : list.rejections())
                                         std::cout << ToJson(r) << "\n";
                                     });
}

// attach CASE FILE: the file uploaded (POST /v1/evidence, streamed), then
// attached by an attach_evidence command as the token's principal, its
// outcome printed as attach --data_dir prints it.
int ServerAttach(httplib::Client& client, const std::string& case_id, const std::string& path) {
  v1::EvidenceKind kind;
  if (!v1::EvidenceKind_Parse(absl::GetFlag(FLAGS_kind), &kind) ||
      kind == v1::EVIDENCE_KIND_UNSPECIFIED) {
    std::cerr << "docketctl: attach: --kind is an EvidenceKind (e.g. EVIDENCE_KIND_PHOTO)\n";
    return kUsage;
  }
  std::error_code error;
  const uint64_t size = std::filesystem::file_size(path, error);
  auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (error || !*file) {
    std::cerr << "docketctl: attach: cannot read " << SafeText(path, 200) << "\n";
    return kUsage;
  }
  std::string media_type = absl::GetFlag(FLAGS_media_type);
  if (media_type.empty()) media_type = GuessMediaType(path);
  // Whether the case takes evidence from this principal now, asked first
  // (GET /v1/cases/{id}/actions, the engine's own answer): a file the step
  // would refuse is not uploaded, and kept by the server, for nothing.
  int code = kOk;
  std::optional<std::string> actions = Call(
      client, "GET", absl::StrCat("/v1/cases/", UrlEncode(case_id), "/actions"), "", "", &code);
  if (!actions) return code;
  v1::CaseActions listed;
  if (!Decode(*actions, "actions", &listed)) return kUsage;
  for (const v1::ActionOption& option : listed.actions()) {
    if (option.command() == "attach_evidence" && !option.allowed()) {
      std::cerr << "docketctl: attach: nothing uploaded; " << SafeText(case_id, 80)
                << " takes no evidence from you now (" << v1::Rule_Name(option.rule())
                << "): " << option.reason() << "\n";
      return kFailed;
    }
  }
  const std::string upload =
      absl::StrCat("/v1/evidence", Query({{"kind", v1::EvidenceKind_Name(kind)},
                                          {"name", std::filesystem::path(path).filename()}}));
  std::optional<std::string> stored =
      Answer(client.Post(
                 upload.c_str(), Authorization(), size,
                 [file](size_t offset, size_t length, httplib::DataSink& sink) {
                   char chunk[1 << 16];
                   file->seekg(static_cast<std::streamoff>(offset));
                   file->read(chunk, static_cast<std::streamsize>(std::min(length, sizeof(chunk))));
                   if (file->gcount() <= 0) return false;  // Shorter than it was: not sent whole.
                   return sink.write(chunk, static_cast<size_t>(file->gcount()));
                 },
                 media_type.c_str()),
             &code, nullptr);
  if (!stored) return code;
  v1::Command command;
  if (!Decode(*stored, "answer to the upload",
              command.mutable_attach_evidence()->mutable_evidence())) {
    return kUsage;
  }
  command.set_case_id(case_id);
  // The token says who acts; --actor_id, if given, must be its principal.
  command.mutable_actor()->set_id(absl::GetFlag(FLAGS_actor_id));
  const std::string id = absl::GetFlag(FLAGS_command_id);
  command.set_command_id(
      id.empty() ? absl::StrCat("attach-", case_id, "-",
                                command.attach_evidence().evidence().sha256_hex().substr(0, 16))
                 : id);
  std::optional<std::string> outcome =
      Call(client, "POST", "/v1/commands", ToJson(command) + "\n", "application/x-ndjson", &code);
  if (!outcome) return code;
  return PrintOutcomes(*outcome);
}

// verify: the server's audit of its data directory (GET /v1/audit, for
// auditors), printed as verify --data_dir prints it.
int ServerVerify(httplib::Client& client) {
  // The server re-hashes every event and evidence file before it answers:
  // minutes on a large directory, not the minute other requests wait.
  client.set_read_timeout(3600, 0);
  int code = kOk;
  std::optional<std::string> json = Call(client, "GET", "/v1/audit", "", "", &code);
  if (!json) return code;
  v1::AuditSummary summary;
  if (!Decode(*json, "audit", &summary)) return kUsage;
  AuditReport report = FromSummary(summary);
  // A server that found problems and listed none still failed.
  if (!summary.ok() && report.problems.empty())
    report.problems.push_back("the server's audit failed");
  return PrintAudit(report);
}

}  // namespace

// tail: GET /v1/events as server-sent events; each event's data (its JSON)
// printed as a line. Without --follow the server ends the stream at the
// log's end as it was asked.
int ServerTail(httplib::Client& client) {
  const std::optional<uint64_t> from = TailFromFlag();
  if (!from) return kUsage;
  const bool follow = absl::GetFlag(FLAGS_follow);
  if (follow) client.set_read_timeout(3600, 0);  // The server sends a keep-alive every 15 s.
  std::string pending;
  int status = 0;
  httplib::Result r = client.Get(
      absl::StrCat("/v1/events",
                   Query({{"from", absl::StrCat(*from)}, {"follow", follow ? "true" : "false"}}))
          .c_str(),
      {{"Authorization", "Bearer " + Token()}},
      [&](const httplib::Response& response) {
        status = response.status;
        return true;
      },
      [&](const char* data, size_t n) {
        pending.append(data, n);
        if (status != 200) return true;  // The error's body, printed below.
        for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
          const std::string line = pending.substr(0, nl);
          pending.erase(0, nl + 1);
          if (absl::StartsWith(line, "data: ")) std::cout << line.substr(6) << "\n" << std::flush;
        }
        return true;
      });
  if (!r) {
    std::cerr << "docketctl: " << absl::GetFlag(FLAGS_server) << ": "
              << httplib::to_string(r.error()) << "\n";
    return kUsage;
  }
  if (status != 200) {
    std::cerr << "docketctl: " << status << " " << pending;
    return status == 404 ? kFailed : kUsage;
  }
  return kOk;
}

// A case's history from the server, printed as --data_dir prints it
// (json or stored), each link checked again here: hash = SHA-256(prev
// hash || event bytes), prev hash = the previous entry's hash; the event
// printed is the one those bytes hold.
int ServerHistory(httplib::Client& client, const std::string& id) {
  const std::optional<HistoryFormat> format = HistoryFormatFlag();
  if (!format) return kUsage;
  int code = kOk;
  std::optional<std::string> out =
      Call(client, "GET", absl::StrCat("/v1/cases/", UrlEncode(id), "/history"), "", "", &code);
  if (!out) return code;
  v1::CaseHistory history;
  if (!Decode(*out, "history", &history)) return kUsage;
  std::string prev;
  bool broken = false;
  for (const v1::HistoryEntry& entry : history.entries()) {
    v1::StoredEvent stored;
    stored.set_event(entry.event_bytes());
    stored.set_prev_hash(absl::HexStringToBytes(entry.prev_hash_hex()));
    stored.set_hash(absl::HexStringToBytes(entry.hash_hex()));
    if (!VerifyLink(stored, prev, absl::StrCat("revision ", entry.revision())).ok()) {
      std::cerr << "docketctl: revision " << entry.revision() << " of " << id
                << ": its hash link does not hold\n";
      broken = true;
    }
    prev = stored.hash();
    v1::CaseEvent event;
    if (!event.ParseFromString(stored.event())) {
      std::cerr << "docketctl: revision " << entry.revision() << " of " << id
                << ": its event bytes do not decode\n";
      return kFailed;
    }
    PrintHistoryLine(stored, event, *format);
  }
  return broken ? kFailed : kOk;
}

// The report from the server (its ReportTable), written as --data_dir
// writes it (table, csv or json lines), over the same window (--from,
// --to).
int ServerReport(httplib::Client& client) {
  absl::StatusOr<ReportFormat> format = ParseReportFormat(absl::GetFlag(FLAGS_format));
  if (!format.ok()) return Fail(format.status());
  int code = kOk;
  std::optional<std::string> json =
      Call(client, "GET",
           absl::StrCat("/v1/report", Query({{"by", absl::GetFlag(FLAGS_by)},
                                             {"from", ReportFrom()},
                                             {"to", absl::GetFlag(FLAGS_to)},
                                             {"format", "json"}})),
           "", "", &code);
  if (!json) return code;
  v1::ReportTable table;
  if (!Decode(*json, "report", &table)) return kUsage;
  ReportRows report;
  report.header.assign(table.columns().begin(), table.columns().end());
  for (const v1::ReportRow& row : table.rows()) {
    if (row.cells_size() != table.columns_size()) {
      std::cerr << "docketctl: the server's report has a row of another width than its header\n";
      return kUsage;
    }
    report.rows.emplace_back(row.cells().begin(), row.cells().end());
  }
  // The groups (--by's dimensions, or the handler) come first, as text.
  const std::vector<std::string> by =
      absl::StrSplit(absl::GetFlag(FLAGS_by), ',', absl::SkipEmpty());
  report.text_columns = std::max<size_t>(1, by.size());
  WriteRows(report, *format, std::cout);
  return kOk;
}

int ServerCommand(const std::string& verb, const Args& args) {
  if (Token().empty()) {
    std::cerr << "docketctl: --server needs --token=TOKEN (or $DOCKET_TOKEN)\n";
    return kUsage;
  }
  httplib::Client client(absl::GetFlag(FLAGS_server));
  client.set_read_timeout(60, 0);
  int code = kOk;
  std::optional<std::string> out;
  if (verb == "submit" && args.empty()) return ServerSubmit(client);
  if (verb == "list" && args.empty()) return ServerList(client);
  if (verb == "tail" && args.empty()) return ServerTail(client);
  if (verb == "history" && args.size() == 1) return ServerHistory(client, args[0]);
  if (verb == "show" && args.size() == 1) {
    const std::string path =
        absl::StrCat("/v1/cases/", UrlEncode(args[0]),
                     Query({{"revision", absl::GetFlag(FLAGS_revision) > 0
                                             ? absl::StrCat(absl::GetFlag(FLAGS_revision))
                                             : ""},
                            {"as_of", absl::GetFlag(FLAGS_as_of)}}));
    out = Call(client, "GET", path, "", "", &code);
  } else if (verb == "rejections" && args.size() <= 1) {
    return ServerRejections(client, args.empty() ? "" : args[0]);
  } else if (verb == "report" && args.empty()) {
    return ServerReport(client);
  } else if (verb == "attach" && args.size() == 2) {
    return ServerAttach(client, args[0], args[1]);
  } else if (verb == "verify" && args.empty()) {
    return ServerVerify(client);
  } else {
    std::cerr << "docketctl: with --server: submit, show, history, list, rejections, report, tail, "
                 "attach CASE FILE, verify (auditors); administration (init, directory, token, "
                 "backup, replay...) uses --data_dir\n";
    return kUsage;
  }
  if (!out) return code;
  std::cout << *out;
  return kOk;
}

}  // namespace docket::ctl
