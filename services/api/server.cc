#include "services/api/server.h"

#include <httplib.h>

#include <algorithm>
#include <iostream>
#include <optional>
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
#include "services/identity/credentials.h"
#include "services/runtime/json_codec.h"

namespace docket {
namespace {

using httplib::Request;
using httplib::Response;

// docs/api.md, "Errors": the HTTP status of a rejection's code.
int HttpStatus(absl::string_view code) {
  if (code == "INVALID_ARGUMENT") return 400;
  if (code == "UNAUTHENTICATED") return 401;
  if (code == "PERMISSION_DENIED") return 403;
  if (code == "NOT_FOUND") return 404;
  if (code == "ABORTED" || code == "ALREADY_EXISTS" || code == "FAILED_PRECONDITION") return 409;
  if (code == "RESOURCE_EXHAUSTED") return 429;
  if (code == "UNAVAILABLE") return 503;
  if (code == "DEADLINE_EXCEEDED") return 504;
  return 500;
}

v1::Rejection MakeRejection(v1::Rule rule, absl::StatusCode code, const std::string& reason) {
  v1::Rejection r;
  r.set_rule(rule);
  r.set_code(absl::StatusCodeToString(code));
  r.set_reason(reason);
  return r;
}

void SendJson(Response& res, const google::protobuf::Message& message, int status = 200) {
  res.status = status;
  res.set_content(ToJson(message) + "\n", "application/json");
}

void SendRejection(Response& res, const v1::Rejection& rejection) {
  SendJson(res, rejection, HttpStatus(rejection.code()));
}

void Unauthenticated(Response& res, const std::string& why) {
  SendRejection(res,
                MakeRejection(v1::RULE_UNAUTHENTICATED, absl::StatusCode::kUnauthenticated, why));
  res.set_header("WWW-Authenticate", "Bearer");
}

void NotFound(Response& res, const std::string& case_id) {
  // The same answer for a case out of scope as for one that does not exist.
  v1::Rejection r = MakeRejection(v1::RULE_UNKNOWN_CASE, absl::StatusCode::kNotFound,
                                  absl::StrCat("case ", SafeText(case_id, 64), " does not exist"));
  r.set_case_id(IsValidCaseId(case_id) ? case_id : "");
  SendRejection(res, r);
}

void BadRequest(Response& res, const std::string& why) {
  SendRejection(res,
                MakeRejection(v1::RULE_MALFORMED_COMMAND, absl::StatusCode::kInvalidArgument, why));
}

void Forbidden(Response& res, const std::string& why) {
  SendRejection(res, MakeRejection(v1::RULE_PERMISSION, absl::StatusCode::kPermissionDenied, why));
}

// Who is asking, as the directory knows them now.
struct Caller {
  v1::Principal principal;
  std::string token_id;
};

// An enum value by its full name ("STAGE_RESOLVING") or short name
// ("RESOLVING"); nullopt when neither names one.
std::optional<int> EnumValue(const google::protobuf::EnumDescriptor* type, const std::string& text,
                             const std::string& prefix) {
  const std::string upper = absl::AsciiStrToUpper(text);
  for (const std::string& name : {upper, prefix + upper}) {
    if (const auto* v = type->FindValueByName(name)) return v->number();
  }
  return std::nullopt;
}

std::optional<absl::Time> NextDue(const v1::CaseState& s) {
  std::optional<absl::Time> next;
  for (const v1::Deadline& d : s.deadlines()) {
    if (d.met()) continue;
    const absl::Time due = ToTime(d.due_at());
    if (!next || due < *next) next = due;
  }
  return next;
}

// The position of the log's last entry (0 when empty), from the store.
uint64_t LastLogPosition(const Store& store) {
  std::unique_ptr<rocksdb::Iterator> it = store.NewIterator(Cf::kLog);
  it->SeekToLast();
  return it->Valid() && it->key().size() == 8
             ? keys::ReadBigEndian64(absl::string_view(it->key().data(), it->key().size()))
             : 0;
}

// The name of an event's body, e.g. "acknowledged".
std::string EventKind(const v1::CaseEvent& event) {
  const google::protobuf::FieldDescriptor* body = event.GetReflection()->GetOneofFieldDescriptor(
      event, v1::CaseEvent::descriptor()->FindOneofByName("body"));
  return body != nullptr ? body->name() : "event";
}

std::string Param(const Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

}  // namespace

ApiServer::ApiServer(EmbeddedRuntime* runtime, CommitQueue* queue, ServerOptions options)
    : runtime_(runtime), queue_(queue), options_(std::move(options)) {
  if (!options_.tls_cert.empty()) {
    http_ =
        std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  http_->set_payload_max_length(options_.max_body_bytes);
  const int64_t read_s = absl::ToInt64Seconds(options_.read_timeout);
  http_->set_read_timeout(read_s, 0);
  http_->set_write_timeout(read_s, 0);
  http_->set_keep_alive_max_count(1000);
  // Idle keep-alive connections hold a worker: many workers, short idling.
  http_->set_keep_alive_timeout(2);
  http_->new_task_queue = [] { return new httplib::ThreadPool(64); };
  Routes();
}

ApiServer::~ApiServer() = default;

absl::Status ApiServer::Bind() {
  if (!options_.tls_cert.empty() && !http_->is_valid()) {
    return absl::InvalidArgumentError("the TLS certificate or key cannot be read");
  }
  port_ = options_.port == 0
              ? http_->bind_to_any_port(options_.host.c_str())
              : (http_->bind_to_port(options_.host.c_str(), options_.port) ? options_.port : -1);
  if (port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.host, ":", options_.port));
  }
  return absl::OkStatus();
}

void ApiServer::Run() { http_->listen_after_bind(); }

void ApiServer::Stop() {
  stopping_.store(true);
  http_->stop();
}

void ApiServer::Routes() {
  Store* store = runtime_->store();
  const Clock* clock = runtime_->clock();

  // The directory as committed now.
  auto directory = [store]() -> absl::StatusOr<Directory> {
    absl::StatusOr<v1::DirectoryState> state = store->ReadDirectory();
    if (!state.ok()) return state.status();
    return Directory(*std::move(state));
  };

  // Bearer authentication: an API or session token the directory holds,
  // live, whose secret matches, of a principal not revoked. Sends 401 and
  // returns nullopt otherwise.
  auto authenticate = [directory, clock](const Request& req, Response& res,
                                         Directory* dir_out) -> std::optional<Caller> {
    const std::string header = req.get_header_value("Authorization");
    if (!absl::StartsWith(header, "Bearer ")) {
      Unauthenticated(res, "send Authorization: Bearer TOKEN");
      return std::nullopt;
    }
    std::optional<Token> token = ParseToken(absl::string_view(header).substr(7));
    absl::StatusOr<Directory> dir = directory();
    if (!dir.ok()) {
      SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, dir.status().code(),
                                       std::string(dir.status().message())));
      return std::nullopt;
    }
    const v1::ApiToken* known = token ? dir->FindToken(token->token_id) : nullptr;
    if (known == nullptr || known->revoked() ||
        (known->has_expires_at() && ToTime(known->expires_at()) <= clock->Now()) ||
        !SecretMatches(token->secret, known->secret_sha256())) {
      Unauthenticated(res, "the token is unknown, expired or revoked");
      return std::nullopt;
    }
    const v1::Principal* p = dir->FindPrincipal(known->principal_id());
    if (p == nullptr || p->revoked()) {
      Unauthenticated(res, "the token's principal was revoked");
      return std::nullopt;
    }
    Caller caller{*p, known->token_id()};
    if (dir_out != nullptr) *dir_out = *std::move(dir);
    return caller;
  };

  // Request log: who did what, never a token or a password.
  http_->set_logger([this](const Request& req, const Response& res) {
    std::cerr << "docketd: " << req.method << " " << req.path << " " << res.status << " "
              << (res.has_header("X-Docket-Principal") ? res.get_header_value("X-Docket-Principal")
                                                       : "-")
              << "\n";
    std::lock_guard<std::mutex> lock(metrics_mu_);
    const std::string route =
        req.matches.empty() ? std::string("unmatched") : std::string(req.method) + " " + req.path;
    ++requests_[{absl::StartsWith(req.path, "/v1/cases/") ? req.method + " /v1/cases/{id}" : route,
                 res.status}];
  });

  http_->Get("/healthz",
             [](const Request&, Response& res) { res.set_content("ok\n", "text/plain"); });
  http_->Get("/readyz", [](const Request&, Response& res) {
    // Open means caught up: EmbeddedRuntime::Open folds what the log holds.
    res.set_content("ready\n", "text/plain");
  });

  // POST /v1/sessions: a person's password for a session token.
  http_->Post("/v1/sessions", [this, directory, clock](const Request& req, Response& res) {
    v1::CreateSessionRequest ask;
    google::protobuf::util::JsonParseOptions strict;
    if (!google::protobuf::util::JsonStringToMessage(req.body, &ask, strict).ok()) {
      BadRequest(res, "the body is not a CreateSessionRequest");
      return;
    }
    absl::StatusOr<Directory> dir = directory();
    if (!dir.ok())
      return SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, dir.status().code(), ""));
    const v1::Principal* p = dir->FindPrincipal(ask.principal_id());
    const v1::PasswordHash* hash = dir->FindPassword(ask.principal_id());
    // One answer for an unknown person and a wrong password.
    if (p == nullptr || p->revoked() || hash == nullptr ||
        !PasswordMatches(ask.password(), *hash)) {
      Unauthenticated(res, "unknown principal or wrong password");
      return;
    }
    absl::StatusOr<Token> token = NewToken();
    if (!token.ok())
      return SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, token.status().code(), ""));
    const absl::Time expires = clock->Now() + options_.session_lifetime;
    v1::Command issue;
    issue.set_command_id(absl::StrCat("session-", token->token_id));
    issue.set_case_id(kDirectoryStream);
    v1::ApiToken* t = issue.mutable_directory()->mutable_issue_token()->mutable_token();
    t->set_token_id(token->token_id);
    t->set_principal_id(p->id());
    t->set_secret_sha256(SecretSha256(token->secret));
    *t->mutable_expires_at() = ToProto(expires);
    absl::StatusOr<std::vector<v1::CommandOutcome>> issued = queue_->Submit({issue}, true);
    if (!issued.ok() || (*issued)[0].has_rejection()) {
      SendRejection(res, issued.ok() ? (*issued)[0].rejection()
                                     : MakeRejection(v1::RULE_UNSPECIFIED, issued.status().code(),
                                                     std::string(issued.status().message())));
      return;
    }
    v1::Session session;
    session.set_token(token->text());
    *session.mutable_expires_at() = ToProto(expires);
    *session.mutable_principal() = *p;
    res.set_header("X-Docket-Principal", p->id());
    SendJson(res, session, 201);
  });

  http_->Delete("/v1/sessions/current", [this, authenticate](const Request& req, Response& res) {
    std::optional<Caller> caller = authenticate(req, res, nullptr);
    if (!caller) return;
    v1::Command revoke;
    revoke.set_command_id(absl::StrCat("logout-", caller->token_id));
    revoke.set_case_id(kDirectoryStream);
    revoke.mutable_directory()->mutable_revoke_token()->set_token_id(caller->token_id);
    absl::StatusOr<std::vector<v1::CommandOutcome>> done = queue_->Submit({revoke}, true);
    res.status = done.ok() ? 204 : 503;
  });

  http_->Get("/v1/me", [this, authenticate](const Request& req, Response& res) {
    Directory dir(v1::DirectoryState{});
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    v1::Me me;
    *me.mutable_principal() = caller->principal;
    me.set_all_branches(dir.SeesAllBranches(caller->principal));
    for (const std::string& b : dir.BranchesInScope(caller->principal)) me.add_branch_ids(b);
    const google::protobuf::OneofDescriptor* body =
        v1::Command::descriptor()->FindOneofByName("body");
    for (int i = 0; i < body->field_count(); ++i) {
      if (Permits(runtime_->policy(), caller->principal.role(), body->field(i)->name())) {
        me.add_commands(body->field(i)->name());
      }
    }
    res.set_header("X-Docket-Principal", caller->principal.id());
    SendJson(res, me);
  });

  http_->Get("/v1/directory", [authenticate](const Request& req, Response& res) {
    Directory dir(v1::DirectoryState{});
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    v1::DirectoryView view;
    *view.mutable_regions() = dir.state().regions();
    *view.mutable_branches() = dir.state().branches();
    *view.mutable_principals() = dir.state().principals();
    SendJson(res, view);
  });

  // POST /v1/commands: one Command (JSON), or NDJSON committed as one group.
  http_->Post("/v1/commands", [this, authenticate](const Request& req, Response& res) {
    std::optional<Caller> caller = authenticate(req, res, nullptr);
    if (!caller) return;
    res.set_header("X-Docket-Principal", caller->principal.id());
    const bool ndjson =
        absl::StartsWith(req.get_header_value("Content-Type"), "application/x-ndjson");
    std::vector<absl::string_view> lines;
    if (ndjson) {
      lines = absl::StrSplit(req.body, '\n', absl::SkipWhitespace());
    } else {
      lines.push_back(req.body);
    }
    std::vector<absl::StatusOr<v1::Command>> commands;
    bool single_malformed = false;
    for (absl::string_view line : lines) {
      absl::StatusOr<v1::Command> command = ParseCommandJson(line);
      single_malformed = !ndjson && !command.ok();
      // The token says who acts: a command names that principal, or no one.
      if (command.ok() && command->actor().id().empty()) {
        command->mutable_actor()->set_id(caller->principal.id());
      } else if (command.ok() && command->actor().id() != caller->principal.id()) {
        command = Refuse(v1::RULE_UNAUTHENTICATED, absl::StatusCode::kUnauthenticated,
                         absl::StrCat("command ", command->command_id(), " acts as ",
                                      SafeText(command->actor().id(), 64), "; this token is ",
                                      caller->principal.id(), "'s"));
      }
      commands.push_back(std::move(command));
    }
    if (commands.empty()) return BadRequest(res, "no command in the body");
    absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes = queue_->Submit(std::move(commands));
    if (!outcomes.ok()) {
      SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, outcomes.status().code(),
                                       std::string(outcomes.status().message())));
      return;
    }
    if (!ndjson) {
      const v1::CommandOutcome& o = (*outcomes)[0];
      // Input that is no command is the request's fault (400); a refusal
      // by the process is an outcome like an acceptance (200).
      const bool unauthenticated = o.rejection().rule() == v1::RULE_UNAUTHENTICATED;
      SendJson(res, o, single_malformed ? 400 : unauthenticated ? 401 : 200);
      return;
    }
    std::string body;
    for (const v1::CommandOutcome& o : *outcomes) absl::StrAppend(&body, ToJson(o), "\n");
    res.set_content(body, "application/x-ndjson");
  });

  // GET /v1/cases/{id}[?revision=N|as_of=TIME]
  http_->Get(R"(/v1/cases/([^/]+))", [store, authenticate](const Request& req, Response& res) {
    Directory dir(v1::DirectoryState{});
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    const std::string id = req.matches[1];
    absl::StatusOr<v1::CaseState> now = store->ReadCase(id);
    if (!now.ok() || now->revision() == 0 || !MayRead(dir, caller->principal, *now)) {
      return NotFound(res, id);
    }
    int64_t revision = 0;
    std::optional<absl::Time> as_of;
    if (!Param(req, "revision").empty() && !absl::SimpleAtoi(Param(req, "revision"), &revision)) {
      return BadRequest(res, "revision is a number");
    }
    if (!Param(req, "as_of").empty()) {
      absl::Time t;
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, Param(req, "as_of"), &t, &err)) {
        return BadRequest(res, "as_of is an RFC 3339 time");
      }
      as_of = t;
    }
    if (revision <= 0 && !as_of) return SendJson(res, *now);
    v1::CaseState then;
    for (int64_t r = 1; r <= now->revision() && (revision <= 0 || r <= revision); ++r) {
      absl::StatusOr<std::optional<std::string>> bytes =
          store->Get(Cf::kHistory, keys::History(id, r));
      v1::StoredEvent stored;
      v1::CaseEvent event;
      if (!bytes.ok() || !bytes->has_value() || !stored.ParseFromString(**bytes) ||
          !event.ParseFromString(stored.event())) {
        return SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, absl::StatusCode::kDataLoss,
                                                "history does not decode"));
      }
      if (as_of && ToTime(event.recorded_at()) > *as_of) break;
      then = Evolve(std::move(then), event);
    }
    if (then.revision() == 0) return NotFound(res, id);
    SendJson(res, then);
  });

  // GET /v1/cases/{id}/history: each event with its hash link checked.
  http_->Get(R"(/v1/cases/([^/]+)/history)", [store, authenticate](const Request& req,
                                                                   Response& res) {
    Directory dir(v1::DirectoryState{});
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    const std::string id = req.matches[1];
    absl::StatusOr<v1::CaseState> state = store->ReadCase(id);
    if (!state.ok() || state->revision() == 0 || !MayRead(dir, caller->principal, *state)) {
      return NotFound(res, id);
    }
    v1::CaseHistory history;
    history.set_case_id(id);
    std::string prev;
    for (int64_t r = 1; r <= state->revision(); ++r) {
      absl::StatusOr<std::optional<std::string>> bytes =
          store->Get(Cf::kHistory, keys::History(id, r));
      v1::StoredEvent stored;
      if (!bytes.ok() || !bytes->has_value() || !stored.ParseFromString(**bytes)) {
        return SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, absl::StatusCode::kDataLoss,
                                                "history does not decode"));
      }
      v1::HistoryEntry* e = history.add_entries();
      e->set_revision(r);
      e->set_hash_hex(HexEncode(stored.hash()));
      e->set_prev_hash_hex(HexEncode(stored.prev_hash()));
      e->set_link_verified(VerifyLink(stored, prev, absl::StrCat("revision ", r)).ok());
      e->mutable_event()->ParseFromString(stored.event());
      e->set_event_bytes(stored.event());
      prev = stored.hash();
    }
    SendJson(res, history);
  });

  // GET /v1/cases: the cases in scope, filtered, by next due time.
  http_->Get("/v1/cases", [store, clock, authenticate](const Request& req, Response& res) {
    Directory dir(v1::DirectoryState{});
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    std::optional<int> stage, severity, category, channel, kind;
    struct Filter {
      const char* name;
      const google::protobuf::EnumDescriptor* type;
      const char* prefix;
      std::optional<int>* out;
    };
    for (const Filter& f : std::initializer_list<Filter>{
             {"status", v1::Stage_descriptor(), "STAGE_", &stage},
             {"severity", v1::Severity_descriptor(), "SEVERITY_", &severity},
             {"category", v1::Category_descriptor(), "CATEGORY_", &category},
             {"channel", v1::Channel_descriptor(), "CHANNEL_", &channel},
             {"kind", v1::CaseKind_descriptor(), "CASE_KIND_", &kind}}) {
      const std::string text = Param(req, f.name);
      if (text.empty()) continue;
      *f.out = EnumValue(f.type, text, f.prefix);
      if (!*f.out) return BadRequest(res, absl::StrCat(f.name, " names no ", f.type->name()));
    }
    const std::string branch = Param(req, "branch");
    const bool overdue = Param(req, "overdue") == "true";
    const bool mine = Param(req, "mine") == "true";
    const std::string q = absl::AsciiStrToLower(Param(req, "q"));
    int64_t page_size = 50, offset = 0;
    if ((!Param(req, "page_size").empty() &&
         !absl::SimpleAtoi(Param(req, "page_size"), &page_size)) ||
        (!Param(req, "page_token").empty() &&
         !absl::SimpleAtoi(Param(req, "page_token"), &offset)) ||
        page_size < 1 || offset < 0) {
      return BadRequest(res, "page_size is 1..500 and page_token a token from a previous page");
    }
    page_size = std::min<int64_t>(page_size, 500);
    const absl::Time now = clock->Now();
    std::vector<std::pair<absl::Time, v1::CaseState>> matched;
    std::unique_ptr<rocksdb::Iterator> it = store->NewIterator(Cf::kCases);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      v1::CaseState s;
      if (!s.ParseFromArray(it->value().data(), it->value().size())) continue;
      if (s.case_id() == kDirectoryStream || !MayRead(dir, caller->principal, s)) continue;
      if ((stage && s.stage() != *stage) || (severity && s.severity() != *severity) ||
          (category && s.intake().category() != *category) ||
          (channel && s.intake().channel() != *channel) || (kind && s.intake().kind() != *kind) ||
          (!branch.empty() && s.intake().handling_branch() != branch) ||
          (mine && s.handler_id() != caller->principal.id())) {
        continue;
      }
      const std::optional<absl::Time> due = NextDue(s);
      if (overdue && !(due && *due < now)) continue;
      if (!q.empty()) {
        const std::string hay = absl::AsciiStrToLower(absl::StrCat(
            s.case_id(), " ", s.intake().customer().id(), " ", s.intake().customer().name(), " ",
            s.intake().shipment().waybill(), " ", s.intake().description()));
        if (!absl::StrContains(hay, q)) continue;
      }
      matched.emplace_back(due.value_or(absl::InfiniteFuture()), std::move(s));
    }
    std::stable_sort(matched.begin(), matched.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second.case_id() < b.second.case_id();
    });
    v1::CaseList list;
    list.set_total(static_cast<int64_t>(matched.size()));
    for (int64_t i = offset; i < static_cast<int64_t>(matched.size()) && i < offset + page_size;
         ++i) {
      *list.add_cases() = std::move(matched[i].second);
    }
    if (offset + page_size < static_cast<int64_t>(matched.size())) {
      list.set_next_page_token(absl::StrCat(offset + page_size));
    }
    SendJson(res, list);
  });

  // POST /v1/cases/{id}/preview: the outcome a command would have, not committed.
  http_->Post(R"(/v1/cases/([^/]+)/preview)", [this, store, authenticate](const Request& req,
                                                                          Response& res) {
    Directory dir(v1::DirectoryState{});
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    const std::string id = req.matches[1];
    absl::StatusOr<v1::CaseState> state = store->ReadCase(id);
    if (!state.ok() || state->revision() == 0 || !MayRead(dir, caller->principal, *state)) {
      return NotFound(res, id);
    }
    absl::StatusOr<v1::Command> command = ParseCommandJson(req.body);
    if (!command.ok()) return BadRequest(res, std::string(command.status().message()));
    if (command->case_id().empty()) command->set_case_id(id);
    if (command->command_id().empty()) command->set_command_id("preview");
    if (command->case_id() != id) return BadRequest(res, "the command names another case");
    if (!command->actor().id().empty() && command->actor().id() != caller->principal.id()) {
      return Unauthenticated(res, "a preview acts as the token's principal");
    }
    command->mutable_actor()->set_id(caller->principal.id());
    absl::StatusOr<v1::CommandOutcome> outcome = queue_->Preview(*std::move(command));
    if (!outcome.ok()) {
      return SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, outcome.status().code(),
                                              std::string(outcome.status().message())));
    }
    SendJson(res, *outcome);
  });

  // GET /v1/events?from=N (or Last-Event-ID: N): the log as server-sent
  // events, only the cases this principal may read; live from now without
  // either.
  http_->Get("/v1/events", [this, store, authenticate](const Request& req, Response& res) {
    Directory dir(v1::DirectoryState{});
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    uint64_t from = LastLogPosition(*store) + 1;
    const std::string last_id = req.get_header_value("Last-Event-ID");
    uint64_t n = 0;
    if (!last_id.empty()) {
      if (!absl::SimpleAtoi(last_id, &n)) return BadRequest(res, "Last-Event-ID is a position");
      from = n + 1;
    } else if (!Param(req, "from").empty()) {
      if (!absl::SimpleAtoi(Param(req, "from"), &n) || n < 1) {
        return BadRequest(res, "from is a log position (1 or more)");
      }
      from = n;
    }
    res.set_header("Cache-Control", "no-cache");
    auto next = std::make_shared<uint64_t>(from);
    auto visible = std::make_shared<std::map<std::string, bool>>();
    auto idle_since = std::make_shared<absl::Time>(absl::Now());
    auto reader = std::make_shared<Caller>(*caller);
    auto directory = std::make_shared<Directory>(std::move(dir));
    res.set_chunked_content_provider(
        "text/event-stream", [this, store, next, visible, idle_since, reader, directory](
                                 size_t, httplib::DataSink& sink) {
          if (stopping_.load()) return false;
          std::string out;
          std::unique_ptr<rocksdb::Iterator> it = store->NewIterator(Cf::kLog);
          int sent = 0;
          for (it->Seek(keys::Log(*next)); it->Valid() && sent < 256; it->Next(), ++sent) {
            const uint64_t position =
                keys::ReadBigEndian64(absl::string_view(it->key().data(), it->key().size()));
            *next = position + 1;
            v1::StoredEvent stored;
            v1::CaseEvent event;
            if (!stored.ParseFromArray(it->value().data(), it->value().size()) ||
                !event.ParseFromString(stored.event()) || event.case_id() == kDirectoryStream) {
              continue;
            }
            auto [seen, fresh] = visible->try_emplace(event.case_id(), false);
            if (fresh) {
              absl::StatusOr<v1::CaseState> s = store->ReadCase(event.case_id());
              seen->second = s.ok() && MayRead(*directory, reader->principal, *s);
            }
            if (!seen->second) continue;
            absl::StrAppend(&out, "id: ", position, "\nevent: ", EventKind(event),
                            "\ndata: ", ToJson(event), "\n\n");
          }
          if (out.empty() && absl::Now() - *idle_since > absl::Seconds(15)) {
            out = ": keep-alive\n\n";
          }
          if (!out.empty()) {
            *idle_since = absl::Now();
            if (!sink.write(out.data(), out.size())) return false;
          } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
          }
          return true;
        });
  });

  // GET /v1/rejections[?case_id=]: refused commands, for supervisors and auditors.
  http_->Get("/v1/rejections", [store, authenticate](const Request& req, Response& res) {
    Directory dir(v1::DirectoryState{});
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    const v1::Role role = caller->principal.role();
    if (role != v1::ROLE_SUPERVISOR && role != v1::ROLE_AUDITOR) {
      return Forbidden(res, "refused commands are read by supervisors and auditors");
    }
    const std::string case_id = Param(req, "case_id");
    const std::string prefix = case_id.empty() ? "" : keys::CasePrefix(case_id);
    v1::RejectionList list;
    std::unique_ptr<rocksdb::Iterator> it = store->NewIterator(Cf::kRejections);
    std::string last_case;
    bool visible = false;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      v1::Rejection r;
      if (!r.ParseFromArray(it->value().data(), it->value().size())) continue;
      if (r.case_id() != last_case) {
        last_case = r.case_id();
        absl::StatusOr<v1::CaseState> s = store->ReadCase(r.case_id());
        // A refused intake has no case: its intake's branch is unknown here,
        // so only those who see all branches see it.
        visible = s.ok() && s->revision() > 0 ? MayRead(dir, caller->principal, *s)
                                              : dir.SeesAllBranches(caller->principal);
      }
      if (visible) *list.add_rejections() = std::move(r);
    }
    SendJson(res, list);
  });

  // GET /metrics: Prometheus text, for supervisors, auditors, administrators.
  http_->Get("/metrics", [this, store, authenticate](const Request& req, Response& res) {
    std::optional<Caller> caller = authenticate(req, res, nullptr);
    if (!caller) return;
    const v1::Role role = caller->principal.role();
    if (role != v1::ROLE_SUPERVISOR && role != v1::ROLE_AUDITOR && role != v1::ROLE_ADMIN) {
      return Forbidden(res, "metrics are read by supervisors, auditors and administrators");
    }
    const CommitQueue::Stats s = queue_->stats();
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
        "# TYPE docket_http_requests_total counter\n");
    std::lock_guard<std::mutex> lock(metrics_mu_);
    for (const auto& [key, n] : requests_) {
      absl::StrAppend(&out, "docket_http_requests_total{route=\"", key.first, "\",status=\"",
                      key.second, "\"} ", n, "\n");
    }
    res.set_content(out, "text/plain; version=0.0.4");
  });

  // Anything else: a Rejection, never an HTML page.
  http_->set_error_handler([](const Request& req, Response& res) {
    if (!res.body.empty()) return;
    const std::string why =
        res.status == 404   ? absl::StrCat("no route ", req.method, " ", SafeText(req.path, 200))
        : res.status == 413 ? "the body is over the limit"
        : res.status == 405 ? "method not allowed"
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
