// The routes on cases: commands, a case (now or as it was), the case list,
// history, preview, live events and rejections (docs/api.md).

#include <algorithm>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "docket/v1/api.pb.h"
#include "engine/actions.h"
#include "engine/authorization.h"
#include "engine/envelope.h"
#include "engine/evolve.h"
#include "engine/input_grammar.h"
#include "engine/refusal.h"
#include "engine/time_util.h"
#include "projections/case_history.h"
#include "projections/hash_chain.h"
#include "projections/keys.h"
#include "services/api/command_front.h"
#include "services/api/http_util.h"
#include "services/api/server.h"
#include "services/audit/handler_report.h"
#include "services/audit/report.h"
#include "services/identity/bootstrap.h"
#include "services/identity/credentials.h"
#include "services/runtime/json_codec.h"

namespace docket {

namespace {

// Whether `actor` may approve `state`'s proposal now: the option the
// engine's AvailableActions gives approve_compensation.
bool MayApprove(const Directory& directory, const v1::Actor& actor, const v1::CaseState& state,
                const v1::Policy& policy, absl::Time now, const Calendar& calendar) {
  const v1::CaseActions actions = AvailableActions(directory, actor, state, policy, now, calendar);
  for (const v1::ActionOption& option : actions.actions()) {
    if (option.command() == "approve_compensation") return option.allowed();
  }
  return false;
}

}  // namespace

using api::Authenticator;
using api::BadRequest;
using api::Caller;
using api::EnumValue;
using api::EventKind;
using api::Forbidden;
using api::LastLogPosition;
using api::MakeRejection;
using api::NextDue;
using api::NotFound;
using api::Param;
using api::SendError;
using api::SendJson;
using api::SendRejection;
using api::Unauthenticated;
using api::WithBodyLimit;
using httplib::Request;
using httplib::Response;

// What POST /v1/commands read before the commit: who sends, the commands,
// and the budgets they were let in on (kept or refunded by the answer).
struct ApiServer::PendingCommands {
  Caller caller;
  bool ndjson = false;
  int64_t reserved = 0;
  std::vector<absl::StatusOr<v1::Command>> commands;
  api::Budget::Reservation sent;
  api::Budget::Reservation refused;
};

std::unique_ptr<ApiServer::PendingCommands> ApiServer::ReadCommands(const Request& req,
                                                                    Response& res) {
  std::optional<Caller> caller = (*authenticate_)(req, res, nullptr);
  if (!caller) return nullptr;
  const bool ndjson =
      absl::StartsWith(req.get_header_value("Content-Type"), "application/x-ndjson");
  std::vector<absl::string_view> lines;
  if (ndjson) {
    lines = absl::StrSplit(req.body, '\n', absl::SkipWhitespace());
  } else {
    lines.push_back(req.body);
  }
  if (lines.empty()) {
    BadRequest(res, "no command in the body");
    return nullptr;
  }
  const std::string& who = caller->principal.id();
  const int64_t reserved = static_cast<int64_t>(lines.size());
  // Each command takes the writer's time, repeats too: the request
  // goes on only if this principal's budget of commands holds them
  // all, and each may be refused and recorded: only if its budget
  // of refusals is not spent.
  if (static_cast<double>(reserved) > commands_.LargestRequest()) {
    // How many it may hold, for a client to send groups that fit.
    res.set_header(api::kMostCommandsHeader,
                   absl::StrCat(static_cast<int64_t>(commands_.LargestRequest())));
    api::TooLarge(res, v1::RULE_COMMAND_TOO_LARGE,
                  absl::StrCat("a request holds at most ", commands_.LargestRequest(),
                               " commands; this one ", reserved, ": send them in smaller groups"));
    return nullptr;
  }
  api::Budget::Reservation sent = commands_.Reserve(who, reserved);
  if (!sent.admitted()) {
    api::OverBudget(res, who, "has sent too many commands lately", sent.wait());
    return nullptr;
  }
  api::Budget::Reservation refused = refusals_.Reserve(who, reserved);
  if (!refused.admitted()) {
    api::OverBudget(res, who, "has had too many commands refused lately", refused.wait());
    return nullptr;
  }
  std::vector<absl::StatusOr<v1::Command>> commands;
  for (absl::string_view line : lines) {
    absl::StatusOr<v1::Command> command = ParseCommandJson(line);
    if (command.ok() && command->body_case() == v1::Command::BODY_NOT_SET) {
      command = Refuse(v1::RULE_MALFORMED_COMMAND, absl::StatusCode::kInvalidArgument,
                       absl::StrCat("command ", command->command_id(), " names no step"));
    }
    // The token says who acts: a command names that principal, or no one.
    if (command.ok() && command->actor().id().empty()) {
      command->mutable_actor()->set_id(caller->principal.id());
    } else if (command.ok() && command->actor().id() != caller->principal.id()) {
      command = Refuse(v1::RULE_UNAUTHENTICATED, absl::StatusCode::kUnauthenticated,
                       absl::StrCat("command ", command->command_id(), " acts as ",
                                    SafeText(command->actor().id(), 64), "; this token is ",
                                    caller->principal.id(), "'s"));
    }
    // A password an administrator sets is hashed here, at the edge:
    // the log never holds it (as docketctl directory apply). Only
    // an administrator's: the hash's memory and time are not
    // spent for a command the engine refuses anyway.
    // Anyone else's is dropped here, never forwarded (on Kafka the
    // command would sit in docket.commands): the engine refuses
    // the command for its sender's role, without it.
    if (command.ok() && !command->directory().set_password().password().empty()) {
      if (caller->principal.role() != v1::ROLE_ADMIN) {
        command->mutable_directory()->mutable_set_password()->clear_password();
      } else {
        absl::Status hashed;
        if (!HashBounded([&] { hashed = HashPasswordAtTheEdge(&*command); })) {
          res.set_header("Retry-After", "1");
          SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, absl::StatusCode::kUnavailable,
                                           "too many passwords being hashed at once; retry in a "
                                           "second"));
          return nullptr;
        }
        if (!hashed.ok()) command = hashed;
      }
    }
    commands.push_back(std::move(command));
  }
  return std::unique_ptr<PendingCommands>(new PendingCommands{*std::move(caller), ndjson, reserved,
                                                              std::move(commands), std::move(sent),
                                                              std::move(refused)});
}

void ApiServer::AnswerCommands(PendingCommands& pending,
                               absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes,
                               Response& res) {
  if (outcomes.ok()) {
    pending.sent.Keep(pending.reserved);
    int64_t recorded = 0;
    for (const v1::CommandOutcome& o : *outcomes) {
      recorded += RecordsRefusal(o, /*internal=*/false);
    }
    pending.refused.Keep(recorded);
  }
  if (!outcomes.ok()) {
    SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, outcomes.status().code(),
                                     std::string(outcomes.status().message())));
    return;
  }
  // A case out of the caller's scope is refused as such (403, DESIGN.md),
  // without the branch that handles it, which the caller may not read
  // (the refusal is recorded as it was decided).
  for (v1::CommandOutcome& o : *outcomes) {
    if (o.rejection().rule() != v1::RULE_SCOPE) continue;
    o.mutable_rejection()->set_reason(absl::StrCat("case ", o.rejection().case_id(),
                                                   " is outside the scope of ",
                                                   pending.caller.principal.id()));
  }
  if (!pending.ndjson) {
    // One command: its outcome when accepted; when refused, the
    // Rejection with the HTTP status of its code (400 for input that is
    // no command, 401 acting as another, 403 out of scope or role, 404
    // no such case, 409 out of order, a revision race or an id reused).
    const v1::CommandOutcome& o = (*outcomes)[0];
    if (o.has_rejection()) {
      if (o.rejection().rule() == v1::RULE_UNAUTHENTICATED) {
        res.set_header("WWW-Authenticate", "Bearer");
      }
      SendRejection(res, o.rejection());
      return;
    }
    SendJson(res, o, 200);
    return;
  }
  std::string body;
  for (const v1::CommandOutcome& o : *outcomes) absl::StrAppend(&body, ToJson(o), "\n");
  res.set_content(body, "application/x-ndjson");
}

void ApiServer::ServeCommandsHere(const Request& req, Response& res) {
  std::unique_ptr<PendingCommands> pending = ReadCommands(req, res);
  if (pending == nullptr) return;
  absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes =
      queue_->Submit(std::move(pending->commands));
  AnswerCommands(*pending, std::move(outcomes), res);
}

void ApiServer::ServeCommands(std::shared_ptr<api::Exchange> exchange) {
  // A password is hashed at the edge (ReadCommands): a quarter second of a
  // core, and a wait for one of two slots. That is a worker's, not the
  // front's one thread: so is any body that may set one ("password", or a
  // name spelled with \u escapes).
  if (absl::StrContains(exchange->req.body, "password") ||
      absl::StrContains(exchange->req.body, "\\u")) {
    workers_.load()->enqueue([this, exchange] {
      ServeCommandsHere(exchange->req, exchange->res);  // Its budgets settled before the answer.
      exchange->done();
    });
    return;
  }
  std::shared_ptr<PendingCommands> pending = ReadCommands(exchange->req, exchange->res);
  if (pending == nullptr) return exchange->done();
  std::vector<absl::StatusOr<v1::Command>> commands = std::move(pending->commands);
  queue_->SubmitAsync(
      std::move(commands),
      [this, pending, exchange](absl::StatusOr<std::vector<v1::CommandOutcome>> outcomes) mutable {
        // Answered on the front's thread, not the one that made the group
        // durable, which has the next group's sync to do.
        api::Exchange* answering = exchange.get();
        answering->finish = [this, pending = std::move(pending), outcomes = std::move(outcomes),
                             answering]() mutable {
          AnswerCommands(*pending, std::move(outcomes), answering->res);
          pending.reset();  // Its budgets settled here, before the answer.
        };
        answering->done();
      });
}

void ApiServer::CaseRoutes(const api::Authenticator& authenticate) {
  Store* store = runtime_->store();
  const Clock* clock = runtime_->clock();

  // POST /v1/commands: one Command (JSON), or NDJSON committed as one group.
  http_->Post("/v1/commands",
              WithBodyLimit(options_.max_body_bytes, [this](const Request& req, Response& res) {
                ServeCommandsHere(req, res);
              }));

  // GET /v1/cases/{id}[?revision=N|as_of=TIME]
  http_->Get(R"(/v1/cases/([^/]+))", [store, authenticate](const Request& req, Response& res) {
    const std::string id = req.matches[1];
    std::optional<std::pair<Caller, v1::CaseState>> readable =
        authenticate.ReadableCase(req, res, id);
    if (!readable) return;
    const v1::CaseState& now = readable->second;
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
    const bool revision_given = !Param(req, "revision").empty();
    if (revision < 0 || (revision_given && revision == 0) || (revision_given && as_of)) {
      return BadRequest(res, "give at most one of revision (1 or more) and as_of");
    }
    if (revision > now.revision()) {
      // The caller reads the case: how far it goes is no secret.
      return SendRejection(
          res, MakeRejection(v1::RULE_UNKNOWN_CASE, absl::StatusCode::kNotFound,
                             absl::StrCat("case ", id, " has ", now.revision(),
                                          " revisions; there is no revision ", revision)));
    }
    if (revision == 0 && !as_of) return SendJson(res, now);
    // As it was: folded from history, as docketctl show does.
    absl::StatusOr<v1::CaseState> then =
        CaseStateAt(*store, id, revision, as_of.value_or(absl::InfiniteFuture()));
    if (!then.ok()) return SendError(res, then.status());
    if (then->revision() == 0) return NotFound(res, id);
    SendJson(res, *then);
  });

  // GET /v1/cases/{id}/history: each event with its hash link checked.
  http_->Get(
      R"(/v1/cases/([^/]+)/history)", [store, authenticate](const Request& req, Response& res) {
        const std::string id = req.matches[1];
        if (!authenticate.ReadableCase(req, res, id)) return;
        v1::CaseHistory history;
        history.set_case_id(id);
        std::string prev;
        absl::Status read = ForEachEvent(
            *store, id, [&](const v1::StoredEvent& stored, const v1::CaseEvent& event) {
              v1::HistoryEntry* e = history.add_entries();
              e->set_revision(event.revision());
              e->set_hash_hex(HexEncode(stored.hash()));
              e->set_prev_hash_hex(HexEncode(stored.prev_hash()));
              e->set_link_verified(
                  VerifyLink(stored, prev, absl::StrCat("revision ", event.revision())).ok());
              *e->mutable_event() = event;
              e->set_event_bytes(stored.event());
              prev = stored.hash();
              return true;
            });
        if (!read.ok()) return SendError(res, read);
        SendJson(res, history);
      });

  // GET /v1/cases/{id}/actions: what the caller may send now, and why not
  // the rest, as the engine's AvailableActions decides them.
  http_->Get(R"(/v1/cases/([^/]+)/actions)", [this, clock, authenticate](const Request& req,
                                                                         Response& res) {
    const std::string id = req.matches[1];
    std::optional<std::pair<Caller, v1::CaseState>> readable =
        authenticate.ReadableCase(req, res, id);
    if (!readable) return;
    absl::StatusOr<std::shared_ptr<const Directory>> directory = authenticate.CurrentDirectory();
    if (!directory.ok()) return SendError(res, directory.status());
    v1::Command asks;
    asks.mutable_actor()->set_id(readable->first.principal.id());
    absl::StatusOr<v1::Actor> actor = ResolveActor(**directory, asks, /*internal=*/false);
    if (!actor.ok()) return Unauthenticated(res, std::string(actor.status().message()));
    SendJson(res, AvailableActions(**directory, *actor, readable->second, runtime_->policy(),
                                   clock->Now(), runtime_->calendar()));
  });

  // GET /v1/cases: the cases in scope, filtered, by next due time.
  http_->Get("/v1/cases", [this, store, clock, authenticate](const Request& req, Response& res) {
    std::shared_ptr<const Directory> dir;
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
    for (const char* flag : {"overdue", "mine"}) {
      const std::string value = Param(req, flag);
      if (!value.empty() && value != "true" && value != "false") {
        return BadRequest(res, absl::StrCat(flag, " is true or false"));
      }
    }
    if (!Param(req, "order_by").empty() && Param(req, "order_by") != "next_due") {
      return BadRequest(res, "order_by is next_due, the only order of the queue");
    }
    if (!Param(req, "awaiting").empty() && Param(req, "awaiting") != "me") {
      return BadRequest(res, "awaiting is me: the proposals awaiting the caller's approval");
    }
    const bool overdue = Param(req, "overdue") == "true";
    const bool mine = Param(req, "mine") == "true";
    // awaiting=me: the cases whose proposal the caller may approve now, as
    // the engine's AvailableActions decides it for the case's page.
    std::optional<v1::Actor> approver;
    if (Param(req, "awaiting") == "me") {
      v1::Command asks;
      asks.mutable_actor()->set_id(caller->principal.id());
      absl::StatusOr<v1::Actor> actor = ResolveActor(*dir, asks, /*internal=*/false);
      if (!actor.ok()) return Unauthenticated(res, std::string(actor.status().message()));
      approver = *std::move(actor);
    }
    const std::string q = absl::AsciiStrToLower(Param(req, "q"));
    int64_t page_size = 50, offset = 0;
    if ((!Param(req, "page_size").empty() &&
         !absl::SimpleAtoi(Param(req, "page_size"), &page_size)) ||
        (!Param(req, "page_token").empty() &&
         !absl::SimpleAtoi(Param(req, "page_token"), &offset)) ||
        page_size < 1 || offset < 0) {
      return BadRequest(res,
                        "page_size is 1 or more (a page holds at most 500) and page_token a "
                        "token from a previous page");
    }
    page_size = std::min<int64_t>(page_size, 500);
    const absl::Time now = clock->Now();
    std::vector<std::pair<absl::Time, v1::CaseState>> matched;
    std::unique_ptr<rocksdb::Iterator> it = store->NewIterator(Cf::kCases);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      v1::CaseState s;
      if (!s.ParseFromArray(it->value().data(), it->value().size())) continue;
      if (s.case_id() == kDirectoryStream || !MayRead(*dir, caller->principal, s)) continue;
      if ((stage && s.stage() != *stage) || (severity && s.severity() != *severity) ||
          (category && s.intake().category() != *category) ||
          (channel && s.intake().channel() != *channel) || (kind && s.intake().kind() != *kind) ||
          (!branch.empty() && s.intake().handling_branch() != branch) ||
          (mine && s.handler_id() != caller->principal.id())) {
        continue;
      }
      const std::optional<absl::Time> due = NextDue(s);
      if (overdue && !(due && *due < now)) continue;
      // Only a case with a proposal can await an approval: the others are
      // not asked.
      if (approver &&
          (s.proposer_id().empty() ||
           !MayApprove(*dir, *approver, s, runtime_->policy(), now, runtime_->calendar()))) {
        continue;
      }
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
    // A page token past the end is an empty page (and adds no overflow).
    const int64_t total = static_cast<int64_t>(matched.size());
    const int64_t from = std::min(offset, total);
    const int64_t to = std::min(total, from + page_size);
    list.set_total(total);
    for (int64_t i = from; i < to; ++i) *list.add_cases() = std::move(matched[i].second);
    if (to < total) list.set_next_page_token(absl::StrCat(to));
    SendJson(res, list);
  });

  // POST /v1/cases/{id}/preview: the outcome a command would have, not committed.
  http_->Post(
      R"(/v1/cases/([^/]+)/preview)",
      WithBodyLimit(
          options_.max_body_bytes, [this, authenticate](const Request& req, Response& res) {
            const std::string id = req.matches[1];
            std::optional<std::pair<Caller, v1::CaseState>> readable =
                authenticate.ReadableCase(req, res, id);
            if (!readable) return;
            const Caller& caller = readable->first;
            absl::StatusOr<v1::Command> command = ParseCommandJson(req.body);
            if (!command.ok()) return BadRequest(res, std::string(command.status().message()));
            if (command->case_id().empty()) command->set_case_id(id);
            // Without an id of its own, an id nobody can have taken: a fixed
            // default was one that anybody could occupy (a refused command
            // sent with it), and every preview after answered that it
            // repeats a command id.
            if (command->command_id().empty()) {
              absl::StatusOr<Token> fresh = NewToken();
              if (!fresh.ok()) return SendError(res, fresh.status());
              command->set_command_id(absl::StrCat("preview-", fresh->token_id));
            }
            if (command->case_id() != id) return BadRequest(res, "the command names another case");
            if (!command->actor().id().empty() && command->actor().id() != caller.principal.id()) {
              return Unauthenticated(res, "a preview acts as the token's principal");
            }
            command->mutable_actor()->set_id(caller.principal.id());
            // A preview is decided on the writer's thread too.
            const std::string& who = caller.principal.id();
            api::Budget::Reservation sent = commands_.Reserve(who, 1);
            if (!sent.admitted()) {
              return api::OverBudget(res, who, "has sent too many commands lately", sent.wait());
            }
            absl::StatusOr<v1::CommandOutcome> outcome = queue_->Preview(*std::move(command));
            if (!outcome.ok()) {
              return SendRejection(res, MakeRejection(v1::RULE_UNSPECIFIED, outcome.status().code(),
                                                      std::string(outcome.status().message())));
            }
            sent.Keep(1);
            SendJson(res, *outcome);
          }));

  // GET /v1/events?from=N (or Last-Event-ID: N): the log as server-sent
  // events, only the cases this principal may read; live from now without
  // either.
  http_->Get("/v1/events", [this, store, authenticate](const Request& req, Response& res) {
    std::shared_ptr<const Directory> dir;
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    uint64_t from = LastLogPosition(*store) + 1;
    const std::string last_id = req.get_header_value("Last-Event-ID");
    uint64_t n = 0;
    if (!last_id.empty()) {
      if (!absl::SimpleAtoi(last_id, &n) || n == UINT64_MAX) {
        return BadRequest(res, "Last-Event-ID is a log position");
      }
      from = n + 1;
    } else if (!Param(req, "from").empty()) {
      if (!absl::SimpleAtoi(Param(req, "from"), &n) || n < 1) {
        return BadRequest(res, "from is a log position (1 or more)");
      }
      from = n;
    }
    // Streams hold a worker each: a bounded number, so that they never
    // starve the other requests.
    const std::string principal = caller->principal.id();
    if (std::optional<std::string> refused = OpenStream(principal)) {
      res.set_header("Retry-After", "5");
      return SendRejection(
          res, MakeRejection(v1::RULE_UNSPECIFIED, absl::StatusCode::kUnavailable, *refused));
    }
    // follow=false: the events up to the log's end as it is now, then the
    // stream ends (docketctl tail without --follow).
    const std::string follow = Param(req, "follow");
    if (!follow.empty() && follow != "true" && follow != "false") {
      CloseStream(principal);
      return BadRequest(res, "follow is true or false");
    }
    const uint64_t last = follow == "false" ? LastLogPosition(*store) : UINT64_MAX;
    res.set_header("Cache-Control", "no-cache");
    auto next = std::make_shared<uint64_t>(from);
    auto checked_at = std::make_shared<absl::Time>(absl::Now());
    const std::string authorization = req.get_header_value("Authorization");
    auto visible = std::make_shared<std::map<std::string, bool>>();
    auto idle_since = std::make_shared<absl::Time>(absl::Now());
    auto reader = std::make_shared<Caller>(*caller);
    auto directory = std::make_shared<std::shared_ptr<const Directory>>(std::move(dir));
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, store, next, visible, idle_since, reader, directory, checked_at, authorization,
         authenticate, last](size_t, httplib::DataSink& sink) {
          if (stopping_.load()) return false;
          if (*next > last) {
            sink.done();
            return true;
          }
          // The token and the scope are checked again every second: a
          // logout, a revocation or a move ends or narrows the stream.
          if (absl::Now() - *checked_at > absl::Seconds(1)) {
            *checked_at = absl::Now();
            std::shared_ptr<const Directory> now;
            absl::StatusOr<Caller> still = authenticate.Check(authorization, &now);
            if (!still.ok()) return false;
            if (still->principal.SerializeAsString() != reader->principal.SerializeAsString()) {
              visible->clear();
            }
            *reader = *std::move(still);
            *directory = std::move(now);
          }
          std::string out;
          std::unique_ptr<rocksdb::Iterator> it = store->NewIterator(Cf::kLog);
          int sent = 0;
          for (it->Seek(keys::Log(*next)); it->Valid() && sent < 256; it->Next(), ++sent) {
            const uint64_t position =
                keys::ReadBigEndian64(absl::string_view(it->key().data(), it->key().size()));
            if (position > last) break;
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
              seen->second = s.ok() && MayRead(**directory, reader->principal, *s);
            }
            if (!seen->second) continue;
            absl::StrAppend(&out, "id: ", position, "\nevent: ", EventKind(event),
                            "\ndata: ", ToJson(event), "\n\n");
          }
          // A keep-alive comment every 5 s while nothing happens: also how
          // a stream learns, within seconds, that its client has gone (its
          // slot is then free again).
          if (out.empty() && absl::Now() - *idle_since > absl::Seconds(5)) {
            out = ": keep-alive\n\n";
          }
          if (!out.empty()) {
            *idle_since = absl::Now();
            if (!sink.write(out.data(), out.size())) return false;
          } else if (last != UINT64_MAX) {
            *next = last + 1;  // Nothing more in scope up to the end asked for.
          } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
          }
          return true;
        },
        [this, principal](bool) { CloseStream(principal); });
  });

  // GET /v1/report?by=...&from=&to=&format=json|csv: the statistics, for supervisors
  // and auditors, of the branches they see (a branch's supervisor its
  // branch's, a region's its region's, headquarters all).
  http_->Get("/v1/report", [store, authenticate](const Request& req, Response& res) {
    std::shared_ptr<const Directory> dir;
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    const v1::Role role = caller->principal.role();
    if (role != v1::ROLE_SUPERVISOR && role != v1::ROLE_AUDITOR) {
      return Forbidden(res, "reports are read by supervisors and auditors");
    }
    BranchFilter in_scope;
    if (!dir->SeesAllBranches(caller->principal)) {
      in_scope = [&dir, &caller](absl::string_view branch) {
        return dir->InScope(caller->principal, branch);
      };
    }
    const std::string by_text = Param(req, "by");
    std::vector<std::string> by;
    if (!by_text.empty()) by = absl::StrSplit(by_text, ',');
    const bool csv = Param(req, "format") == "csv";
    if (!csv && !Param(req, "format").empty() && Param(req, "format") != "json") {
      return BadRequest(res, "format is json or csv");
    }
    absl::StatusOr<ReportWindow> window = MakeReportWindow(Param(req, "from"), Param(req, "to"));
    if (!window.ok()) return BadRequest(res, std::string(window.status().message()));
    absl::StatusOr<ReportRows> report = BuildReport(*store, by, in_scope, *window);
    if (!report.ok()) {
      return report.status().code() == absl::StatusCode::kInvalidArgument
                 ? BadRequest(res, std::string(report.status().message()))
                 : SendError(res, report.status());
    }
    if (csv) {
      std::ostringstream out;
      WriteRows(*report, ReportFormat::kCsv, out);
      return res.set_content(out.str(), "text/csv");
    }
    v1::ReportTable table;
    for (const std::string& c : report->header) table.add_columns(c);
    for (const std::vector<std::string>& cells : report->rows) {
      v1::ReportRow* row = table.add_rows();
      for (const std::string& c : cells) row->add_cells(c);
    }
    SendJson(res, table);
  });

  // GET /v1/rejections[?case_id=&page_size=&page_token=]: refused commands,
  // for supervisors and auditors.
  http_->Get("/v1/rejections", [store, authenticate](const Request& req, Response& res) {
    std::shared_ptr<const Directory> dir;
    std::optional<Caller> caller = authenticate(req, res, &dir);
    if (!caller) return;
    const v1::Role role = caller->principal.role();
    if (role != v1::ROLE_SUPERVISOR && role != v1::ROLE_AUDITOR) {
      return Forbidden(res, "refused commands are read by supervisors and auditors");
    }
    const std::string case_id = Param(req, "case_id");
    const std::string prefix = case_id.empty() ? "" : keys::CasePrefix(case_id);
    // Pages in key order: a page token is the key to go on from, sealed
    // (it may be another branch's refusal: SealForThisProcess). A page
    // holds at most page_size rejections and looks at most kLookedAt
    // stored ones, so that a reader who may see few of very many is
    // answered promptly (a short page, or none, with a token to go on).
    constexpr int64_t kLookedAt = 5000;
    int64_t page_size = 100;
    std::string from = prefix;
    if (!Param(req, "page_size").empty() &&
        (!absl::SimpleAtoi(Param(req, "page_size"), &page_size) || page_size < 1)) {
      return BadRequest(res, "page_size is 1 or more (a page holds at most 500)");
    }
    page_size = std::min<int64_t>(page_size, 500);
    if (const std::string token = Param(req, "page_token"); !token.empty()) {
      std::optional<std::string> key = UnsealFromThisProcess(token);
      if (!key || !absl::StartsWith(*key, prefix)) {
        return BadRequest(res,
                          "page_token is a token from a previous page of this list, from this "
                          "server since it started");
      }
      from = *std::move(key);
    }
    v1::RejectionList list;
    // Whether the reader sees the refusals of `last_case` (the case of the
    // last refusal looked at), read once per case. A case the reader may
    // not see has no refusals to it (not even how many pages of them).
    // (None yet: a refusal recorded without a case, as the directory's
    // were before they named its stream, is read as a case of its own.)
    std::optional<std::string> last_case;
    bool visible = false;
    if (!case_id.empty()) {
      absl::StatusOr<v1::CaseState> state = store->ReadCase(case_id);
      if (!state.ok() || !MayReadRejection(*dir, caller->principal, *state)) {
        return SendJson(res, list);
      }
      last_case = case_id;
      visible = true;
    }
    std::unique_ptr<rocksdb::Iterator> it = store->NewIterator(Cf::kRejections);
    int64_t looked_at = 0;
    for (it->Seek(from); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (list.rejections_size() >= page_size || looked_at++ >= kLookedAt) {
        list.set_next_page_token(SealForThisProcess(it->key().ToString()));
        break;
      }
      v1::Rejection r;
      if (!r.ParseFromArray(it->value().data(), it->value().size())) continue;
      if (r.case_id() != last_case) {
        last_case = r.case_id();
        absl::StatusOr<v1::CaseState> s = store->ReadCase(r.case_id());
        visible = s.ok() && MayReadRejection(*dir, caller->principal, *s);
      }
      if (!visible) continue;
      // Its reason may speak of the other cases its command named (a
      // merge's survivor: "is STAGE_MERGED"): not to a reader who may not
      // read one of them, nor whether it exists.
      for (const std::string& other : r.named_cases()) {
        absl::StatusOr<v1::CaseState> s = store->ReadCase(other);
        if (s.ok() && s->revision() > 0 && MayRead(*dir, caller->principal, *s)) continue;
        r.set_reason(absl::StrCat("command ", r.command_id(),
                                  " was refused over a case it named "
                                  "outside the scope of ",
                                  caller->principal.id()));
        r.clear_named_cases();
        break;
      }
      *list.add_rejections() = std::move(r);
    }
    if (!it->status().ok()) {
      return SendError(res, absl::UnavailableError("the refusals cannot be read now; retry"));
    }
    SendJson(res, list);
  });
}

}  // namespace docket
