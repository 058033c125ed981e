// docketd --listen end to end (docs/api.md), spoken to with curl, a client
// nobody here wrote: every request authenticated, reads scoped (404 outside
// scope), commands decided as the token's principal and committed in
// groups shared by concurrent connections, bad input answered with a
// Rejection and no change, SIGTERM drains and exits 0.

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/binaries.h"
#include "tests/testing/data_dir.h"
#include "tests/testing/subprocess.h"

namespace docket {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunProcess;
using testing::RunResult;
using ::testing::StartsWith;

// How many times `what` occurs in `text`.
int CountOf(absl::string_view text, absl::string_view what) {
  int n = 0;
  for (size_t at = text.find(what); at != absl::string_view::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// The reason of the Rejection in a body, or "".
std::string ReasonIn(const std::string& body) {
  std::smatch m;
  return std::regex_search(body, m, std::regex("\"reason\":\"([^\"]*)\"")) ? m[1].str()
                                                                           : std::string();
}

RunResult Ctl(const std::string& dir, std::vector<std::string> args, const std::string& in = "") {
  args.insert(args.begin(), {testing::DocketctlPath(), "--data_dir=" + dir});
  return RunProcess(args, in);
}

// The examples' directory and cases, passwords for two handlers, and
// docketd serving it on a free port.
class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::DirWithExampleEvidence("served");
    ASSERT_EQ(Ctl(dir_, {testing::kExamplesClock, "submit"},
                  testing::ReadFileOrDie(testing::SeedCasesPath()))
                  .exit_code,
              0);
    for (const char* who : {"E-101", "E-100", "E-410", "A-100", "S-GZ"}) {
      RunResult pw = Ctl(dir_, {"directory", "apply"},
                         absl::StrCat(R"({"commandId":"pw-)", who, R"(","actor":{"id":"admin"},)",
                                      R"("directory":{"setPassword":{"principalId":")", who,
                                      R"(","password":"docket-demo"}}})", "\n"));
      ASSERT_EQ(pw.exit_code, 0) << pw.out << pw.err;
    }
    // API tokens for the phone adapter and a headquarters supervisor.
    for (auto [who, token] :
         {std::pair{"adapter-phone", &adapter_token_}, std::pair{"E-300", &supervisor_token_},
          std::pair{"admin", &admin_token_}}) {
      RunResult issued = Ctl(dir_, {"token", "issue", who, "--as=admin"});
      ASSERT_EQ(issued.exit_code, 0) << issued.err;
      *token = std::string(absl::StripTrailingAsciiWhitespace(issued.out));
    }
    // A console of one page and one script.
    console_ = testing::FreshDir("console");
    std::filesystem::create_directories(console_ + "/assets");
    std::ofstream(console_ + "/index.html") << "<!doctype html><title>docket console</title>";
    std::ofstream(console_ + "/assets/app-1234.js") << "console.log('docket');";
    out_ = testing::FreshDir("docketd.out");
    err_ = testing::FreshDir("docketd.err");
    server_ = std::make_unique<testing::Child>(
        std::vector<std::string>{testing::DocketdPath(), "--data_dir=" + dir_,
                                 "--listen=127.0.0.1:0", "--tick_every=0",
                                 "--console_dir=" + console_},
        "/dev/null", out_, err_);
    url_ = testing::ServingUrl(out_, 10000);
    ASSERT_FALSE(url_.empty()) << "docketd did not start";
  }

  // Serves the same data directory again with `flags` added.
  void Restart(const std::vector<std::string>& flags) {
    server_->Kill(SIGTERM);
    ASSERT_EQ(server_->Wait(), 0);
    std::vector<std::string> argv = {testing::DocketdPath(), "--data_dir=" + dir_,
                                     "--listen=127.0.0.1:0", "--tick_every=0",
                                     "--console_dir=" + console_};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const std::string out = testing::FreshDir("docketd-restarted.out");
    server_ = std::make_unique<testing::Child>(argv, "/dev/null", out,
                                               testing::FreshDir("docketd-restarted.err"));
    url_ = testing::ServingUrl(out, 10000);
    ASSERT_FALSE(url_.empty()) << "docketd did not start";
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Kill(SIGTERM);
      EXPECT_EQ(server_->Wait(), 0) << "SIGTERM drains and exits 0";
    }
  }

  // curl ARGS... URL_PATH; returns "STATUS\nBODY".
  struct Reply {
    int status = 0;
    std::string body;
  };
  Reply Curl(const std::string& path, std::vector<std::string> args = {},
             const std::string& token = "") {
    std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-o", "-", "-w", "\n%{http_code}"};
    if (!token.empty()) argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(url_ + path);
    RunResult r = RunProcess(argv);
    Reply reply;
    const size_t nl = r.out.rfind('\n');
    if (nl == std::string::npos) return reply;
    reply.body = r.out.substr(0, nl);
    reply.status = std::atoi(r.out.c_str() + nl + 1);
    return reply;
  }

  std::string Login(const std::string& who, const std::string& password = "docket-demo") {
    Reply r =
        Curl("/v1/sessions",
             {"-X", "POST", "-d",
              absl::StrCat(R"({"principalId":")", who, R"(","password":")", password, "\"}")});
    std::smatch m;
    if (r.status != 201 || !std::regex_search(r.body, m, std::regex("\"token\":\"([^\"]+)\""))) {
      return "";
    }
    return m[1];
  }

  // Opens `case_id`, a delay complaint by phone handled at GZ, with its
  // intake backdated 23 hours (command `<command_id>`) as the adapter: its
  // report-upward warnings have fallen due since.
  Reply OpenLateComplaintADayAgo(const std::string& command_id, const std::string& case_id) {
    const std::string opened_at =
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() - absl::Hours(23), absl::UTCTimeZone());
    return Curl("/v1/commands",
                {"-d", absl::StrCat(R"({"commandId":")", command_id, R"(","caseId":")", case_id,
                                    R"(","occurredAt":")", opened_at, R"(",)",
                                    R"("openCase":{"intake":{"channel":"CHANNEL_PHONE",)",
                                    R"("category":"CATEGORY_LATE","customer":{"id":"K-M"},)",
                                    R"("handlingBranch":"GZ"}}})")},
                adapter_token_);
  }

  // NDJSON of commands `<prefix>-<i>`, from <= i < to, each opening
  // C-2026-0005 again: refused (and recorded), as it is open.
  static std::string OpenAgainLines(const std::string& prefix, int from, int to) {
    std::string lines;
    for (int i = from; i < to; ++i) {
      absl::StrAppend(&lines, R"({"commandId":")", prefix, "-", i,
                      R"(","caseId":"C-2026-0005","openCase":{}})", "\n");
    }
    return lines;
  }

  // POST /v1/commands of OpenAgainLines as `token`; the answer with its
  // headers (curl -D -).
  Reply PostOpenAgain(const std::string& prefix, int from, int to, const std::string& token) {
    return Curl(
        "/v1/commands",
        {"-X", "POST", "-D", "-", "-H", "Content-Type: application/x-ndjson", "--data-binary",
         "@" + testing::WriteFile(prefix + ".ndjson", OpenAgainLines(prefix, from, to))},
        token);
  }

  // curl -D - (headers and body) of a GET, with `args`.
  std::string Headers(const std::string& path, const std::string& token = "",
                      const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-D", "-", "-o", "/dev/null"};
    if (!token.empty()) argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(url_ + path);
    return RunProcess(argv).out;
  }

  std::string dir_, out_, err_, url_, console_, adapter_token_, supervisor_token_, admin_token_;
  std::unique_ptr<testing::Child> server_;
};

TEST_F(ApiTest, EveryRequestIsAuthenticated) {
  EXPECT_EQ(Curl("/healthz").status, 200);
  EXPECT_EQ(Curl("/readyz").status, 200);
  for (const char* path : {"/v1/me", "/v1/cases", "/v1/cases/C-2026-0005", "/v1/directory"}) {
    Reply none = Curl(path);
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_THAT(none.body, HasSubstr("RULE_UNAUTHENTICATED"));
    EXPECT_EQ(Curl(path, {}, "dkt_0123456789abcdef_" + std::string(43, 'A')).status, 401);
    EXPECT_EQ(Curl(path, {}, "garbage").status, 401);
  }
  // A wrong password and an unknown person get the same answer.
  EXPECT_EQ(Login("E-101", "wrong"), "");
  Reply wrong =
      Curl("/v1/sessions", {"-X", "POST", "-d", R"({"principalId":"E-101","password":"wrong"})"});
  Reply unknown =
      Curl("/v1/sessions", {"-X", "POST", "-d", R"({"principalId":"E-999","password":"wrong"})"});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);

  const std::string token = Login("E-101");
  ASSERT_FALSE(token.empty());
  Reply me = Curl("/v1/me", {}, token);
  EXPECT_EQ(me.status, 200);
  EXPECT_THAT(me.body, HasSubstr("\"ROLE_HANDLER\""));
  EXPECT_THAT(me.body, HasSubstr("\"branchIds\":[\"GZ\"]"));
  EXPECT_THAT(me.body, Not(HasSubstr("\"escalate\"")));  // Not a handler's step.

  // Logging out ends the session at once; a DELETE with a body is no
  // logout (it ended the session and kept the connection).
  const Reply with_body =
      Curl("/v1/sessions/current", {"-X", "DELETE", "--data-binary", "hello"}, token);
  EXPECT_EQ(with_body.status, 400) << with_body.body;
  EXPECT_EQ(Curl("/v1/me", {}, token).status, 200);
  EXPECT_EQ(Curl("/v1/sessions/current", {"-X", "DELETE"}, token).status, 204);
  EXPECT_EQ(Curl("/v1/me", {}, token).status, 401);
  // A token an administrator issued is no session: signing out does not
  // end it (it did), an administrator revokes it.
  const Reply issued = Curl("/v1/sessions/current", {"-X", "DELETE"}, adapter_token_);
  EXPECT_EQ(issued.status, 409) << issued.body;
  EXPECT_THAT(issued.body, HasSubstr("an administrator revokes it"));
  EXPECT_EQ(Curl("/v1/me", {}, adapter_token_).status, 200);
  // The log holds the session's token as its hash only.
  EXPECT_THAT(Ctl(dir_, {"tail", "--from=beginning"}).out,
              Not(HasSubstr(token.substr(4 + 16 + 1))));  // dkt_<16 hex>_<secret>
}

// What a stranger tried (a review of this API): chunked bodies past the
// limit, password guessing, an event stream outliving its logout.
TEST_F(ApiTest, AttacksFoundByAStrangerAreRefused) {
  // A chunked body is not taken at all (411): the library reads a chunk's
  // size line whole, however long, before any route sees it.
  for (const char* route : {"/v1/sessions", "/v1/commands"}) {
    Reply r = Curl(route, {"-X", "POST", "-H", "Transfer-Encoding: chunked", "--data-binary", "{}"},
                   adapter_token_);
    EXPECT_EQ(r.status, 411) << route << ": " << r.body;
  }
  // Five wrong passwords in a row lock the principal's logins for a while,
  // even with the right one.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Login("E-100", "guess"), "");
  Reply locked = Curl("/v1/sessions",
                      {"-X", "POST", "-d", R"({"principalId":"E-100","password":"docket-demo"})"});
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_FALSE(Login("E-101").empty());  // Others are not locked out.

  // A stream ends when its session does.
  const std::string token = Login("E-101");
  ASSERT_FALSE(token.empty());
  const std::string out = testing::FreshDir("stream.out");
  testing::Child stream({"/usr/bin/curl", "-s", "-N", "--max-time", "20", "-H",
                         "Authorization: Bearer " + token, url_ + "/v1/events?from=1"},
                        "/dev/null", out);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(Curl("/v1/sessions/current", {"-X", "DELETE"}, token).status, 204);
  const auto started = std::chrono::steady_clock::now();
  stream.Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10))
      << "the stream outlived its session";
  EXPECT_THAT(testing::ReadFileOrDie(out), HasSubstr("event: case_opened"));
}

// A connection to the server at `url`, with reads that give up after
// `read_timeout`; -1 when it cannot connect.
int Connect(const std::string& url, int read_timeout_s) {
  const int port = std::atoi(url.substr(url.rfind(':') + 1).c_str());
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  timeval timeout{read_timeout_s, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

// A slowloris client: a connection that begins a request's headers and
// never ends them; -1 when it cannot connect.
int OpenSlowHeaders(const std::string& url, int read_timeout_s,
                    const std::string& start = "GET /healthz HTTP/1.1\r\nX-Slow: ") {
  const int fd = Connect(url, read_timeout_s);
  if (fd >= 0) send(fd, start.data(), start.size(), MSG_NOSIGNAL);
  return fd;
}

// Sends one more byte of a slow client's headers; whether the server has
// closed the connection.
bool TrickleFindsClosed(int fd) {
  char b;
  return send(fd, "x", 1, MSG_NOSIGNAL) <= 0 || recv(fd, &b, 1, MSG_DONTWAIT) == 0;
}

// Slow clients trickled, a byte on each every `every`, until all are closed
// or `limit` has passed, `between` called after each round.
struct Trickled {
  double seconds = 0;  // Until all were closed, or the limit.
  int closed = 0;
};
Trickled TrickleUntilClosed(const std::vector<int>& fds, std::chrono::milliseconds every,
                            std::chrono::milliseconds limit,
                            const std::function<void()>& between = nullptr) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<bool> closed(fds.size(), false);
  Trickled out;
  while (std::chrono::steady_clock::now() - started < limit &&
         out.closed < static_cast<int>(fds.size())) {
    std::this_thread::sleep_for(every);
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!closed[i] && TrickleFindsClosed(fds[i])) {
        closed[i] = true;
        ++out.closed;
      }
    }
    if (between) between();
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

// Raw HTTP to the server: sends `head`, then `body` in 64 KiB pieces while
// the server keeps reading; returns all it answered until it closed (or 10 s).
std::string RawExchange(const std::string& url, const std::string& head, const std::string& body) {
  const int fd = Connect(url, 10);
  if (fd < 0) return "connect failed";
  send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  for (size_t at = 0; at < body.size(); at += 65536) {
    if (send(fd, body.data() + at, std::min<size_t>(65536, body.size() - at), MSG_NOSIGNAL) <= 0) {
      break;  // The server closed: it read no more.
    }
  }
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;) answer.append(buffer, n);
  close(fd);
  return answer;
}

// What the server sends on `fd` until it closes it; "(open)" appended when
// it is still open when the read times out.
std::string ReadUntilClosed(int fd) {
  std::string answer;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) answer.append(buffer, n);
  if (n < 0) answer += "(open)";
  return answer;
}

int Answers(const std::string& raw) {
  int n = 0;
  for (size_t at = 0; (at = raw.find("HTTP/1.1 ", at)) != std::string::npos; ++at) ++n;
  return n;
}

// One answer at a time from a connection: status, body; framed by its
// Content-Length, as docketd frames every answer but a stream's.
class AnswerReader {
 public:
  explicit AnswerReader(int fd) : fd_(fd) {}
  std::pair<int, std::string> Next() {
    for (;;) {
      const size_t head = in_.find("\r\n\r\n");
      if (head != std::string::npos) {
        std::smatch m;
        const std::string fields = in_.substr(0, head);
        if (std::regex_search(fields, m, std::regex("Content-Length: (\\d+)"))) {
          const size_t length = std::stoul(m[1]);
          if (in_.size() >= head + 4 + length) {
            const int status = std::atoi(in_.substr(9, 3).c_str());
            std::string body = in_.substr(head + 4, length);
            in_.erase(0, head + 4 + length);
            return {status, body};
          }
        }
      }
      char buffer[4096];
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return {0, in_};
      in_.append(buffer, n);
    }
  }

 private:
  int fd_;
  std::string in_;
};

// docketd's front serves POST /v1/commands without a thread per
// connection; a connection whose next request is anything else is the
// library's from then on, and both answer on it in order. Two commands
// sent in one write are answered in order; a command whose head comes in
// two pieces, apart, is served whole.
TEST_F(ApiTest, OneConnectionCarriesTheFrontsCommandsAndTheLibrarysRoutes) {
  const auto command = [&](const std::string& id) {
    const std::string body = absl::StrCat(
        R"({"commandId":")", id, R"(","caseId":"C-)", id,
        R"(","openCase":{"intake":{"channel":"CHANNEL_PHONE","category":"CATEGORY_LATE",)",
        R"("customer":{"id":"K"},"handlingBranch":"GZ"}}})");
    return absl::StrCat(
        "POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ", adapter_token_,
        "\r\nContent-Type: application/json\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
  };
  const int fd = Connect(url_, 10);
  ASSERT_GE(fd, 0);
  AnswerReader answers(fd);
  const std::string two = command("MIX-1") + command("MIX-2");
  ASSERT_EQ(send(fd, two.data(), two.size(), MSG_NOSIGNAL), static_cast<ssize_t>(two.size()));
  for (const char* id : {"MIX-1", "MIX-2"}) {
    auto [status, body] = answers.Next();
    EXPECT_EQ(status, 200) << body;
    EXPECT_THAT(body, HasSubstr(absl::StrCat("\"commandId\":\"", id, "\""))) << body;
  }
  const std::string third = command("MIX-3");
  const size_t cut = third.find("Content-Type");
  send(fd, third.data(), cut, MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  send(fd, third.data() + cut, third.size() - cut, MSG_NOSIGNAL);
  auto [third_status, third_body] = answers.Next();
  EXPECT_EQ(third_status, 200) << third_body;
  EXPECT_THAT(third_body, HasSubstr("\"commandId\":\"MIX-3\""));
  // Another route: the library answers it, and the command after it.
  const std::string health = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  send(fd, health.data(), health.size(), MSG_NOSIGNAL);
  EXPECT_EQ(answers.Next(), std::make_pair(200, std::string("ok\n")));
  const std::string fourth = command("MIX-4");
  send(fd, fourth.data(), fourth.size(), MSG_NOSIGNAL);
  auto [fourth_status, fourth_body] = answers.Next();
  EXPECT_EQ(fourth_status, 200) << fourth_body;
  EXPECT_THAT(fourth_body, HasSubstr("\"commandId\":\"MIX-4\""));
  close(fd);

  EXPECT_THAT(Curl("/v1/cases?q=C-MIX-&page_size=10", {}, supervisor_token_).body,
              HasSubstr("\"total\":\"4\""));
  const Reply metrics = Curl("/metrics", {}, supervisor_token_);
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(metrics.body, m, std::regex("docket_http_front_requests_total (\\d+)")))
      << metrics.body;
  EXPECT_GE(std::stoi(m[1]), 3);
  ASSERT_TRUE(
      std::regex_search(metrics.body, m, std::regex("docket_http_front_handed_off_total (\\d+)")));
  EXPECT_GE(std::stoi(m[1]), 1);
  // Each logged once, as the library's requests are.
  EXPECT_THAT(
      metrics.body,
      HasSubstr("docket_http_requests_total{route=\"POST /v1/commands\",status=\"200\"} 4"));
}

// What a second stranger found: bodies buffered where no route takes one,
// read to the connection's end without a length, read whole before the
// uploader was checked, and the rest of a body cut short answered as the
// next request; a logout blocked by occupying its command id.
TEST_F(ApiTest, BodiesAreReadOnlyWhereTakenAndNeverAsTheNextRequest) {
  const std::string big(8 << 20, 'A');
  // No route takes a body here: answered from the headers, connection closed.
  std::string raw = RawExchange(url_, "POST /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n", big);
  EXPECT_THAT(raw, HasSubstr("HTTP/1.1 404"));
  EXPECT_EQ(Answers(raw), 1);
  raw =
      RawExchange(url_, "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\n\r\n", big);
  EXPECT_THAT(raw, HasSubstr("HTTP/1.1 400"));
  EXPECT_EQ(Answers(raw), 1) << "the body was read as requests";
  // A body-taking route states its length.
  raw = RawExchange(url_, "POST /v1/commands HTTP/1.1\r\nHost: x\r\n\r\n", big);
  EXPECT_THAT(raw, HasSubstr("HTTP/1.1 411"));
  // An anonymous upload is refused before its 60 MiB are read.
  raw = RawExchange(url_,
                    "POST /v1/evidence HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                    "Content-Length: 62914560\r\n\r\n",
                    std::string(1 << 20, 'B'));
  EXPECT_THAT(raw, HasSubstr("HTTP/1.1 401"));
  // A declared length past the largest body any route takes is refused
  // from the headers (the library read 5 GB to drop it), whoever asks.
  std::string past = RawExchange(
      url_, "POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000000\r\n\r\n",
      std::string(1 << 16, 'x'));
  EXPECT_THAT(past, HasSubstr("HTTP/1.1 413"));
  // Said from the headers (the library's own 413 came once it had read
  // and dropped what was sent, and says no limit).
  EXPECT_TRUE(std::regex_search(past, std::regex("over the limit of [0-9]+ bytes"))) << past;
  // A request hidden in a body cut off at the limit is never answered.
  std::string smuggled(16384, 'x');
  const std::string hidden = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  smuggled.replace(8192, hidden.size(), hidden);
  raw = RawExchange(url_,
                    "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                    absl::StrCat(absl::Hex(smuggled.size()), "\r\n", smuggled, "\r\n0\r\n\r\n"));
  EXPECT_THAT(raw, HasSubstr("HTTP/1.1 411"));
  EXPECT_EQ(Answers(raw), 1) << raw;
  // The server still serves.
  EXPECT_EQ(Curl("/healthz").status, 200);

  // docketd's own command ids cannot be occupied: a logout always takes.
  const std::string victim = Login("E-100");
  const std::string attacker = Login("E-101");
  ASSERT_FALSE(victim.empty() || attacker.empty());
  const std::string token_id = victim.substr(4, 16);  // dkt_<16 hex>_<secret>
  Reply squat = Curl("/v1/commands",
                     {"-X", "POST", "-H", "Content-Type: application/json", "-d",
                      absl::StrCat(R"({"commandId":"logout:)", token_id,
                                   R"(","caseId":"C-2026-0005","acknowledge":{}})")},
                     attacker);
  EXPECT_THAT(squat.body, HasSubstr("reserved"));
  EXPECT_EQ(Curl("/v1/sessions/current", {"-X", "DELETE"}, victim).status, 204);
  EXPECT_EQ(Curl("/v1/me", {}, victim).status, 401);
}

TEST_F(ApiTest, ReadsAreScopedAndOutOfScopeIsNotFound) {
  const std::string gz = Login("E-101");      // Handler at GZ.
  const std::string zhuhai = Login("E-100");  // Handler at ZHUHAI.
  ASSERT_FALSE(gz.empty() || zhuhai.empty());
  // C-2026-0001 is handled at ZHUHAI; C-2026-0005 at GZ.
  Reply own = Curl("/v1/cases/C-2026-0001", {}, zhuhai);
  EXPECT_EQ(own.status, 200);
  EXPECT_THAT(own.body, HasSubstr("\"caseId\":\"C-2026-0001\""));
  Reply other = Curl("/v1/cases/C-2026-0001", {}, gz);
  Reply missing = Curl("/v1/cases/C-NOWHERE", {}, gz);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(Curl("/v1/cases/C-2026-0001/history", {}, gz).status, 404);

  Reply list = Curl("/v1/cases?page_size=100", {}, gz);
  EXPECT_EQ(list.status, 200);
  EXPECT_THAT(list.body, HasSubstr("C-2026-0005"));
  EXPECT_THAT(list.body, Not(HasSubstr("\"C-2026-0001\"")));
  EXPECT_THAT(list.body, Not(HasSubstr("\"handlingBranch\":\"ZHUHAI\"")));
  Reply replied = Curl("/v1/cases?status=REPLIED", {}, gz);
  EXPECT_THAT(replied.body, HasSubstr("C-2026-0005"));
  EXPECT_EQ(Curl("/v1/cases?status=NO_SUCH", {}, gz).status, 400);

  // History: each link of the hash chain checked by the server.
  Reply history = Curl("/v1/cases/C-2026-0005/history", {}, gz);
  EXPECT_EQ(history.status, 200);
  EXPECT_THAT(history.body, HasSubstr("\"linkVerified\":true"));
  EXPECT_THAT(history.body, Not(HasSubstr("\"linkVerified\":false")));
  // As it was at revision 1: just opened.
  Reply first = Curl("/v1/cases/C-2026-0005?revision=1", {}, gz);
  EXPECT_THAT(first.body, HasSubstr("\"revision\":\"1\""));
  EXPECT_THAT(first.body, HasSubstr("STAGE_OPENED"));
  Reply beyond = Curl("/v1/cases/C-2026-0005?revision=999", {}, gz);
  EXPECT_EQ(beyond.status, 404);
  EXPECT_THAT(beyond.body, HasSubstr("there is no revision 999"));
  // Revisions count from 1: a 0 is no revision (it answered the case now).
  EXPECT_EQ(Curl("/v1/cases/C-2026-0005?revision=0", {}, gz).status, 400);
  // The queue's parameters say what they take.
  for (const char* bad : {"overdue=maybe", "mine=yes", "order_by=created"}) {
    EXPECT_EQ(Curl(absl::StrCat("/v1/cases?", bad), {}, gz).status, 400) << bad;
  }
  EXPECT_EQ(Curl("/v1/cases?overdue=false&mine=true&order_by=next_due", {}, gz).status, 200);
}

TEST_F(ApiTest, CommandsActAsTheTokensPrincipalOnly) {
  const std::string gz = Login("E-101");
  ASSERT_FALSE(gz.empty());
  const std::string follow_up =
      R"("recordFollowUp":{"method":"FOLLOW_UP_METHOD_PHONE","satisfaction":5}})";
  Reply done = Curl("/v1/commands",
                    {"-X", "POST", "-H", "Content-Type: application/json", "-d",
                     absl::StrCat(R"({"commandId":"api-1","caseId":"C-2026-0005",)", follow_up)},
                    gz);
  EXPECT_EQ(done.status, 200) << done.body;
  EXPECT_THAT(done.body, HasSubstr("\"followUpRecorded\""));
  EXPECT_THAT(done.body, HasSubstr("\"id\":\"E-101\""));
  // The same id again: the first outcome, marked as a duplicate.
  Reply again = Curl("/v1/commands",
                     {"-X", "POST", "-d",
                      absl::StrCat(R"({"commandId":"api-1","caseId":"C-2026-0005",)", follow_up)},
                     gz);
  EXPECT_THAT(again.body, HasSubstr("\"duplicate\":true"));

  const auto before = testing::DumpCaseData(dir_);
  // Acting as someone else, a case out of scope, garbage: refused, nothing changes.
  Reply as_other = Curl("/v1/commands",
                        {"-X", "POST", "-d",
                         R"({"commandId":"api-2","caseId":"C-2026-0005","actor":{"id":"E-300"},)"
                         R"("archive":{}})"},
                        gz);
  EXPECT_EQ(as_other.status, 401);
  Reply out_of_scope = Curl(
      "/v1/commands",
      {"-X", "POST", "-d", R"({"commandId":"api-3","caseId":"C-2026-0001","archive":{}})"}, gz);
  // Refused by the rules: the Rejection, with the status of its code. Out
  // of scope is 403 for a command (DESIGN.md), without the case's branch.
  EXPECT_EQ(out_of_scope.status, 403) << out_of_scope.body;
  EXPECT_THAT(out_of_scope.body, HasSubstr(R"("rule":"RULE_SCOPE")"));
  EXPECT_THAT(out_of_scope.body, HasSubstr(R"("commandId":"api-3")"));
  EXPECT_THAT(out_of_scope.body, Not(HasSubstr("ZHUHAI")));
  // Out of order: 409, FAILED_PRECONDITION; no such case: 404.
  Reply out_of_order = Curl("/v1/commands",
                            {"-X", "POST", "-d",
                             R"({"commandId":"api-5","caseId":"C-2026-0005",)"
                             R"("acknowledge":{"note":"again"}})"},
                            gz);
  EXPECT_EQ(out_of_order.status, 409) << out_of_order.body;
  EXPECT_THAT(out_of_order.body, HasSubstr(R"("code":"FAILED_PRECONDITION")"));
  EXPECT_EQ(
      Curl("/v1/commands",
           {"-X", "POST", "-d", R"({"commandId":"api-6","caseId":"C-NOWHERE","acknowledge":{}})"},
           gz)
          .status,
      404);
  // The same refused id again: the same refusal.
  EXPECT_EQ(Curl("/v1/commands",
                 {"-X", "POST", "-d",
                  R"({"commandId":"api-5","caseId":"C-2026-0005","acknowledge":{"note":"again"}})"},
                 gz)
                .status,
            409);
  EXPECT_EQ(
      Curl("/v1/commands", {"-X", "POST", "-d", R"({"commandId":"api-4","caseId":"C-1"})"}, gz)
          .status,
      400);  // No step.
  Reply garbage = Curl("/v1/commands", {"-X", "POST", "-d", "{not json"}, gz);
  EXPECT_EQ(garbage.status, 400);
  EXPECT_THAT(garbage.body, HasSubstr("RULE_UNDECODABLE"));
  // A field given twice (here by its two spellings): which case is meant is
  // not guessed.
  Reply twice = Curl("/v1/commands",
                     {"-X", "POST", "-d",
                      R"({"commandId":"api-7","caseId":"C-2026-0001","case_id":"C-2026-0005",)"
                      R"("acknowledge":{}})"},
                     gz);
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_THAT(twice.body, HasSubstr("RULE_UNDECODABLE"));
  EXPECT_THAT(twice.body, HasSubstr("name the same field in one object"));
  Reply too_large = Curl(
      "/v1/commands",
      {"-X", "POST", "-d", "@" + testing::WriteFile("large.json", std::string(2 << 20, 'x'))}, gz);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(Curl("/v1/nothing-here", {}, gz).status, 404);
  const auto after = testing::DumpCaseData(dir_);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_TRUE(*before == *after) << "a refused request changed a case";
}

TEST_F(ApiTest, APreviewCommitsNothingAndEventsStreamOnlyWhatIsInScope) {
  const std::string gz = Login("E-101");
  ASSERT_FALSE(gz.empty());
  const auto before = testing::DumpCaseData(dir_);
  Reply preview =
      Curl("/v1/cases/C-2026-0005/preview",
           {"-X", "POST", "-d",
            R"({"recordFollowUp":{"method":"FOLLOW_UP_METHOD_PHONE","satisfaction":5}})"},
           gz);
  EXPECT_EQ(preview.status, 200) << preview.body;
  EXPECT_THAT(preview.body, HasSubstr("\"followUpRecorded\""));
  Reply refused =
      Curl("/v1/cases/C-2026-0005/preview", {"-X", "POST", "-d", R"({"escalate":{}})"}, gz);
  EXPECT_THAT(refused.body, HasSubstr("RULE_PERMISSION"));  // Not a handler's step.
  EXPECT_EQ(
      Curl("/v1/cases/C-2026-0001/preview", {"-X", "POST", "-d", R"({"archive":{}})"}, gz).status,
      404);
  const auto after = testing::DumpCaseData(dir_);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_TRUE(*before == *after) << "a preview changed a case";

  // The log from the start, as server-sent events: GZ's cases only.
  Reply stream = Curl("/v1/events?from=1", {"-N", "--max-time", "2"}, gz);
  EXPECT_THAT(stream.body, HasSubstr("event: case_opened\n"));
  EXPECT_THAT(stream.body, HasSubstr("\"caseId\":\"C-2026-0005\""));
  EXPECT_THAT(stream.body, Not(HasSubstr("\"caseId\":\"C-2026-0001\"")));  // ZHUHAI's.
  EXPECT_THAT(stream.body, Not(HasSubstr("@directory")));
  // Resumed after the last event seen: nothing seen again.
  std::vector<std::string> ids;
  for (absl::string_view line : absl::StrSplit(stream.body, '\n')) {
    if (absl::ConsumePrefix(&line, "id: ")) ids.emplace_back(line);
  }
  ASSERT_FALSE(ids.empty());
  Reply resumed =
      Curl("/v1/events", {"-N", "--max-time", "1", "-H", "Last-Event-ID: " + ids.back()}, gz);
  EXPECT_THAT(resumed.body, Not(HasSubstr("id: " + ids.back() + "\n")));
  EXPECT_THAT(resumed.body, Not(HasSubstr("event: case_opened")));
}

TEST_F(ApiTest, ReportsAreScopedToTheBranchesTheReaderSees) {
  Reply table = Curl("/v1/report?by=category", {}, supervisor_token_);  // E-300, headquarters.
  EXPECT_EQ(table.status, 200) << table.body;
  EXPECT_THAT(table.body, HasSubstr("\"columns\":[\"category\",\"opened\""));
  EXPECT_THAT(table.body, HasSubstr("\"LOSS\""));
  Reply csv = Curl("/v1/report?by=handler&format=csv", {}, supervisor_token_);
  EXPECT_THAT(csv.body, HasSubstr("handler,handled,complaints"));
  EXPECT_THAT(csv.body, HasSubstr("\nE-101,"));
  EXPECT_EQ(Curl("/v1/report?by=planet", {}, supervisor_token_).status, 400);
  // A window of days (China Standard Time, both included): a monthly or
  // quarterly 考核; a time names its day.
  const Reply all_days = Curl("/v1/report?by=day&format=csv", {}, supervisor_token_);
  const Reply window =
      Curl("/v1/report?by=day&format=csv&from=2026-11-05&to=2026-11-12T23:59:59%2B08:00", {},
           supervisor_token_);
  ASSERT_EQ(window.status, 200) << window.body;
  int days = 0;
  for (absl::string_view line : absl::StrSplit(window.body, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "day,")) continue;
    ++days;
    EXPECT_GE(line.substr(0, 10), "2026-11-05") << line;
    EXPECT_LE(line.substr(0, 10), "2026-11-12") << line;
  }
  EXPECT_GT(days, 0);
  EXPECT_LT(CountOf(window.body, "\n"), CountOf(all_days.body, "\n"));
  for (const char* bad : {"from=garbage", "to=2026-13-01", "from=2026-11-12&to=2026-11-05"}) {
    const Reply refused = Curl(absl::StrCat("/v1/report?by=day&", bad), {}, supervisor_token_);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_THAT(refused.body, HasSubstr("RULE_")) << bad;
  }
  const std::string gz = Login("E-101");
  EXPECT_EQ(Curl("/v1/report?by=category", {}, gz).status, 403);  // A branch's handler.
  // A branch's supervisor reads the counters of the branch, no other's.
  const std::string gz_supervisor = Login("S-GZ");
  Reply branches = Curl("/v1/report?by=branch", {}, supervisor_token_);
  EXPECT_THAT(branches.body, HasSubstr("[\"ZHUHAI\""));
  Reply own = Curl("/v1/report?by=branch", {}, gz_supervisor);
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_THAT(own.body, HasSubstr("[\"GZ\""));
  EXPECT_THAT(own.body, Not(HasSubstr("ZHUHAI")));
  Reply handlers = Curl("/v1/report?by=handler&format=csv", {}, gz_supervisor);
  EXPECT_THAT(handlers.body, HasSubstr("\nE-101,"));
  EXPECT_THAT(handlers.body, Not(HasSubstr("\nE-100,")));  // ZHUHAI's handler.
}

// The queue's order: a closed case (C-2026-0009 was merged with deadlines
// unmet) owes nothing, so it is never overdue and comes after every case
// with a clock running.
TEST_F(ApiTest, ClosedCasesAreNeverDue) {
  Reply overdue = Curl("/v1/cases?overdue=true&page_size=100", {}, supervisor_token_);
  EXPECT_EQ(overdue.status, 200);
  EXPECT_THAT(overdue.body, Not(HasSubstr("\"C-2026-0009\"")));
  Reply all = Curl("/v1/cases?page_size=100", {}, supervisor_token_);
  const size_t merged = all.body.find("\"caseId\":\"C-2026-0009\"");
  ASSERT_NE(merged, std::string::npos);
  EXPECT_EQ(all.body.find("\"stage\":\"STAGE_OPENED\"", merged), std::string::npos)
      << "an open case listed after a closed one";
}

// docketctl --server gives what docketctl --data_dir gives, through the API.
TEST_F(ApiTest, DocketctlThroughTheServer) {
  const auto remote = [&](std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(),
                {testing::DocketctlPath(), "--server=" + url_, "--token=" + supervisor_token_});
    return RunProcess(args, in);
  };
  for (const char* id : {"C-2026-0004", "C-2026-0006"}) {
    RunResult local = Ctl(dir_, {"show", id});
    RunResult served = remote({"show", id});
    EXPECT_EQ(served.exit_code, 0) << served.err;
    EXPECT_EQ(served.out, local.out) << id;
  }
  EXPECT_EQ(remote({"show", "C-NOWHERE"}).exit_code, 1);
  // history, in both formats, and list, as --data_dir prints them (the
  // history's links checked again by docketctl).
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"history", "C-2026-0007"},
                                             {"history", "C-2026-0007", "--format=stored"},
                                             {"list", "--format=json"},
                                             {"list", "--severity=MAJOR", "--format=json"}}) {
    const RunResult local = Ctl(dir_, args);
    const RunResult served = remote(args);
    EXPECT_EQ(served.exit_code, 0) << served.err;
    EXPECT_EQ(served.out, local.out) << absl::StrJoin(args, " ");
    EXPECT_FALSE(served.out.empty()) << absl::StrJoin(args, " ");
  }
  // A refusal exits 1, as a rejected command; a request docketctl cannot
  // make, 2.
  const RunResult forbidden = RunProcess({testing::DocketctlPath(), "--server=" + url_,
                                          "--token=" + Login("E-101"), "report", "--by=category"});
  EXPECT_EQ(forbidden.exit_code, 1) << forbidden.err;
  EXPECT_THAT(forbidden.err, HasSubstr("403"));
  const RunResult unknown =
      RunProcess({testing::DocketctlPath(), "--server=" + url_, "--token=dkt_nobody_0000", "list"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.err;
  EXPECT_EQ(unknown.out, "") << "nothing printed before the refusal";
  EXPECT_EQ(remote({"report", "--by=planet"}).exit_code, 2);
  RunResult listed = remote({"list", "--format=json"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  const std::vector<std::string> examples = testing::ReadLines(testing::SeedCasesPath());
  const auto opened = std::count_if(examples.begin(), examples.end(), [](const std::string& l) {
    return l.find("\"openCase\"") != std::string::npos;
  });
  EXPECT_EQ(std::count(listed.out.begin(), listed.out.end(), '\n'), opened);
  // The report as --data_dir writes it, in every format and window.
  for (const std::vector<std::string>& flags :
       std::vector<std::vector<std::string>>{{"--by=severity"},
                                             {"--by=day,branch", "--format=csv"},
                                             {"--by=category", "--format=json"},
                                             {"--by=day", "--from=2026-11-05", "--to=2026-11-12"},
                                             {"--by=handler", "--from=2026-11-10"}}) {
    std::vector<std::string> args = {"report"};
    args.insert(args.end(), flags.begin(), flags.end());
    const RunResult local = Ctl(dir_, args);
    const RunResult served = remote(args);
    EXPECT_EQ(served.exit_code, 0) << served.err;
    EXPECT_EQ(served.out, local.out) << absl::StrJoin(flags, " ");
    EXPECT_THAT(served.out, HasSubstr("opened")) << absl::StrJoin(flags, " ");
  }
  const std::string follow_up =
      R"({"commandId":"remote-1","caseId":"C-2026-0005","recordFollowUp":{"method":"FOLLOW_UP_METHOD_PHONE","satisfaction":4}})";
  RunResult submitted = remote({"submit"}, follow_up + "\n");
  EXPECT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  EXPECT_THAT(submitted.out, HasSubstr("\"followUpRecorded\""));
  // Read as --data_dir reads: blank lines are no commands, and a line over
  // the limit of a command is refused in its place, never sent (the server
  // would refuse the whole request that carried it), the others decided.
  const std::string too_large =
      absl::StrCat(R"({"commandId":"remote-big","caseId":")", std::string(1 << 20, 'x'), R"("})");
  RunResult mixed = remote({"submit"}, absl::StrCat("\n \t\n", too_large, "\n", follow_up, "\n\n"));
  EXPECT_EQ(mixed.exit_code, 1) << mixed.err;
  const std::vector<std::string> outcomes = absl::StrSplit(mixed.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(outcomes.size(), 2u) << mixed.out << mixed.err;
  EXPECT_THAT(outcomes[0], HasSubstr("RULE_COMMAND_TOO_LARGE"));
  EXPECT_THAT(outcomes[0], HasSubstr("exceeds the limit of 1048576"));
  EXPECT_THAT(outcomes[1], HasSubstr("\"followUpRecorded\"")) << "remote-1 again, the same outcome";
  EXPECT_EQ(RunProcess({testing::DocketctlPath(), "--server=" + url_, "list"}).exit_code, 2)
      << "no token";

  // tail: the cases' events as the local log has them (a headquarters
  // supervisor sees every case; the directory's events are not cases').
  RunResult local_tail = Ctl(dir_, {"tail"});
  std::string expected;
  int events = 0;
  for (absl::string_view line : absl::StrSplit(local_tail.out, '\n', absl::SkipEmpty())) {
    if (absl::StrContains(line, "\"caseId\":\"@directory\"")) continue;
    absl::StrAppend(&expected, line, "\n");
    ++events;
  }
  RunResult served_tail = remote({"tail", "--from=beginning"});
  EXPECT_EQ(served_tail.exit_code, 0) << served_tail.err;
  EXPECT_GT(events, 50);
  EXPECT_EQ(served_tail.out, expected);

  // tail --follow: an event committed after it started arrives.
  const std::string followed = testing::FreshDir("tail.out");
  testing::Child follower(
      {testing::DocketctlPath(), "--server=" + url_, "--token=" + supervisor_token_, "tail",
       "--follow",
       absl::StrCat(
           "--from=",
           testing::ReadLines(testing::WriteFile("all.ndjson", Ctl(dir_, {"tail"}).out)).size() +
               1)},
      "/dev/null", followed);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  RunResult opened_now = RunProcess(
      {testing::DocketctlPath(), "--server=" + url_, "--token=" + adapter_token_, "submit"},
      R"({"commandId":"remote-2","caseId":"C-TAIL-1","openCase":{"intake":{"channel":)"
      R"("CHANNEL_PHONE","category":"CATEGORY_LATE","customer":{"id":"K-T"},)"
      R"("handlingBranch":"GZ"}}})"
      "\n");
  ASSERT_EQ(opened_now.exit_code, 0) << opened_now.out << opened_now.err;
  ASSERT_THAT(opened_now.out, HasSubstr("\"caseOpened\""));
  std::string seen;
  for (int i = 0; i < 50 && !absl::StrContains(seen, "remote-2"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen = testing::ReadFileOrDie(followed);
  }
  follower.Kill(SIGTERM);
  follower.Wait();
  EXPECT_THAT(seen, HasSubstr("\"commandId\":\"remote-2\""));
}

TEST_F(ApiTest, DocketctlAttachesAndVerifiesThroughTheServer) {
  const auto remote = [&](const std::string& token, std::vector<std::string> args) {
    args.insert(args.begin(), {testing::DocketctlPath(), "--server=" + url_, "--token=" + token});
    return RunProcess(args);
  };
  // verify: the server's audit, printed as --data_dir prints its own, for
  // auditors only.
  const std::string auditor = Login("A-100");
  const std::string huzhou = Login("E-410");  // Handler at HUZHOU, C-2026-0006's branch.
  ASSERT_FALSE(auditor.empty() || huzhou.empty());
  const RunResult local = Ctl(dir_, {"verify"});
  const RunResult served = remote(auditor, {"verify"});
  EXPECT_EQ(served.exit_code, 0) << served.err;
  EXPECT_THAT(served.out, HasSubstr("verify: OK: "));
  EXPECT_EQ(served.out, local.out);
  const RunResult not_auditor = remote(huzhou, {"verify"});
  EXPECT_EQ(not_auditor.exit_code, 1);
  EXPECT_THAT(not_auditor.err, HasSubstr("403"));

  // attach: the file uploaded and attached as the token's principal.
  const std::string photo =
      testing::WriteFile("remote.png", "\x89PNG\r\n\x1a\n attached through the server");
  const std::string sha = RunProcess({"/usr/bin/sha256sum", photo}).out.substr(0, 64);
  const RunResult attached = remote(huzhou, {"attach", "C-2026-0006", photo});
  EXPECT_EQ(attached.exit_code, 0) << attached.out << attached.err;
  EXPECT_THAT(attached.out, HasSubstr("\"evidenceAttached\""));
  EXPECT_THAT(attached.out, HasSubstr(absl::StrCat("cas://", sha)));
  EXPECT_THAT(attached.out, HasSubstr("\"mediaType\":\"image/png\""));
  EXPECT_THAT(Ctl(dir_, {"history", "C-2026-0006"}).out, HasSubstr(absl::StrCat("cas://", sha)));
  // Again: the same command id, its outcome again (a repeat); the bytes
  // readable in the case's scope.
  const RunResult again = remote(huzhou, {"attach", "C-2026-0006", photo});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("\"duplicate\":true"));
  EXPECT_EQ(absl::StrReplaceAll(again.out, {{"\"duplicate\":true,", ""}}), attached.out);
  EXPECT_EQ(Curl(absl::StrCat("/v1/evidence/", sha, "?case_id=C-2026-0006"), {}, huzhou).body,
            testing::ReadFileOrDie(photo));
  // Refused before anything is uploaded (exit 1): a case out of scope (not
  // found, as its reads answer), a case that takes no evidence now (the
  // archived C-2026-0001, ZHUHAI's), the engine's reason said; no such
  // file, an unknown kind (2, nothing sent).
  const RunResult out_of_scope =
      remote(Login("E-101"), {"attach", "C-2026-0006", photo, "--command_id=attach-from-gz"});
  EXPECT_EQ(out_of_scope.exit_code, 1) << out_of_scope.out << out_of_scope.err;
  EXPECT_THAT(out_of_scope.err, HasSubstr("404"));
  const std::string other = testing::WriteFile("other.png", "\x89PNG\r\n\x1a\n never uploaded");
  const std::string other_sha = RunProcess({"/usr/bin/sha256sum", other}).out.substr(0, 64);
  const std::string zhuhai = Login("E-100");
  const RunResult closed = remote(zhuhai, {"attach", "C-2026-0001", other});
  EXPECT_EQ(closed.exit_code, 1) << closed.out << closed.err;
  EXPECT_THAT(closed.err, HasSubstr("nothing uploaded"));
  EXPECT_THAT(closed.err, HasSubstr("RULE_CASE_CLOSED"));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir_) / "evidence" /
                                       other_sha.substr(0, 2) / other_sha));
  EXPECT_TRUE(
      std::filesystem::exists(std::filesystem::path(dir_) / "evidence" / sha.substr(0, 2) / sha));
  EXPECT_EQ(remote(huzhou, {"attach", "C-2026-0006", photo + ".missing"}).exit_code, 2);
  EXPECT_EQ(remote(huzhou, {"attach", "C-2026-0006", photo, "--kind=SELFIE"}).exit_code, 2);
  EXPECT_EQ(Ctl(dir_, {"verify"}).exit_code, 0);
}

// directory.proto: a password is hashed at the edge, by docketctl
// directory apply or by the API, never in the log (failed before: the API
// refused an administrator's password, "hashed before it reaches the log",
// and hashed none).
TEST_F(ApiTest, AnAdministratorSetsAPasswordThroughTheApi) {
  const std::string set =
      R"({"commandId":"api-pw-1","caseId":"@directory","directory":{"setPassword":)"
      R"({"principalId":"E-102","password":"N3w-pass-E102"}}})";
  EXPECT_EQ(Login("E-102", "N3w-pass-E102"), "");
  const Reply by_handler =
      Curl("/v1/commands",
           {"-X", "POST", "--data-binary", absl::StrReplaceAll(set, {{"api-pw-1", "api-pw-0"}})},
           Login("E-101"));
  EXPECT_EQ(by_handler.status, 403) << by_handler.body;
  const Reply by_admin = Curl("/v1/commands", {"-X", "POST", "--data-binary", set}, admin_token_);
  EXPECT_EQ(by_admin.status, 200) << by_admin.body;
  EXPECT_THAT(by_admin.body, Not(HasSubstr("N3w-pass-E102")));
  EXPECT_FALSE(Login("E-102", "N3w-pass-E102").empty());
  // The same command again: its outcome again, the same hash.
  const Reply again = Curl("/v1/commands", {"-X", "POST", "--data-binary", set}, admin_token_);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_THAT(again.body, HasSubstr("\"duplicate\":true"));
  // The password is nowhere in the data directory, log and projections.
  const RunResult found = RunProcess({"/bin/grep", "-r", "-l", "-a", "N3w-pass-E102", dir_});
  EXPECT_EQ(found.out, "");
  EXPECT_EQ(found.exit_code, 1) << "grep found nothing";
}

// DESIGN.md: the directory's changes are audited like a case's, and every
// refused attempt is on record: an auditor reads the refused directory
// commands under the directory's stream, which the refusal names (failed
// before: recorded without it, and no reader through the API saw them).
TEST_F(ApiTest, AuditorsReadTheRefusedDirectoryCommands) {
  const std::string grab =
      R"({"commandId":"grab-hq","caseId":"@directory","directory":{"grant":{"id":"E-100",)"
      R"("name":"x","kind":"PRINCIPAL_KIND_PERSON","role":"ROLE_SUPERVISOR",)"
      R"("level":"LEVEL_HEADQUARTERS"}}})";
  const Reply refused = Curl("/v1/commands", {"-X", "POST", "--data-binary", grab}, Login("E-100"));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("\"caseId\":\"@directory\""));
  const std::string auditor = Login("A-100");
  for (const std::string& path : {std::string("/v1/rejections?case_id=%40directory"),
                                  std::string("/v1/rejections?page_size=500")}) {
    const Reply read = Curl(path, {}, auditor);
    EXPECT_EQ(read.status, 200) << path;
    EXPECT_THAT(read.body, HasSubstr("\"commandId\":\"grab-hq\"")) << path;
  }
  // Not a branch's to read; docketctl lists them under the stream too.
  EXPECT_EQ(Curl("/v1/rejections?case_id=%40directory", {}, Login("S-GZ")).body, "{}\n");
  EXPECT_THAT(Ctl(dir_, {"rejections", "@directory"}).out, HasSubstr("grab-hq"));
}

TEST_F(ApiTest, ConcurrentConnectionsShareGroupCommits) {
  // 64 intakes from the phone adapter at once, over parallel connections.
  std::string config;
  for (int i = 0; i < 64; ++i) {
    absl::StrAppend(&config, "url = \"", url_, "/v1/commands\"\n", "request = \"POST\"\n",
                    "header = \"Authorization: Bearer ", adapter_token_, "\"\n", "data = \"",
                    absl::StrCat(R"({\"commandId\":\"par-)", i, R"(\",\"caseId\":\"C-PAR-)", i,
                                 R"(\",\"openCase\":{\"intake\":{\"channel\":\"CHANNEL_PHONE\",)",
                                 R"(\"category\":\"CATEGORY_LATE\",\"customer\":{\"id\":\"K)", i,
                                 R"(\"},\"handlingBranch\":\"GZ\"}}})"),
                    "\"\n", "output = \"/dev/null\"\n", "write-out = \"%{http_code}\\n\"\n",
                    i < 63 ? "next\n" : "");  // Each request its own options.
  }
  RunResult burst = RunProcess({"/usr/bin/curl", "-s", "--parallel", "--parallel-max", "64",
                                "--config", testing::WriteFile("burst.curl", config)});
  EXPECT_EQ(burst.out, [] {
    std::string all;
    for (int i = 0; i < 64; ++i) all += "200\n";
    return all;
  }()) << burst.err;

  // Every one is there, and groups were larger than one.
  Reply list = Curl("/v1/cases?q=C-PAR-&page_size=100", {}, supervisor_token_);
  EXPECT_THAT(list.body, HasSubstr("\"total\":\"64\""));
  Reply metrics = Curl("/metrics", {}, supervisor_token_);
  EXPECT_EQ(metrics.status, 200);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(metrics.body, m, std::regex("docket_commit_group_largest (\\d+)")))
      << metrics.body;
  EXPECT_GT(std::stoi(m[1]), 1) << metrics.body;
  // The groups' sizes, decide and commit times as histograms, each of the
  // 64 commands counted once.
  ASSERT_TRUE(std::regex_search(
      metrics.body, m, std::regex("docket_commit_group_size_bucket\\{le=\"\\+Inf\"\\} (\\d+)")));
  const int groups = std::stoi(m[1]);
  EXPECT_GE(groups, 1);
  EXPECT_LT(groups, 64) << "some commands shared a group";
  ASSERT_TRUE(
      std::regex_search(metrics.body, m, std::regex("docket_commit_group_size_sum (\\d+)")));
  EXPECT_GE(std::stoi(m[1]), 64);
  EXPECT_THAT(metrics.body, HasSubstr("docket_commit_seconds_bucket{le=\"0.001\"}"));
  EXPECT_THAT(metrics.body, HasSubstr("docket_decide_seconds_count "));
  // The writer's thread spent some CPU on those 64 commands, and not more
  // than the server has been up.
  ASSERT_TRUE(std::regex_search(metrics.body, m,
                                std::regex("docket_writer_cpu_seconds_total ([0-9.e-]+)")));
  EXPECT_GT(std::stod(m[1]), 0.0);
  EXPECT_LT(std::stod(m[1]), 60.0);
  // Cases by stage: the 64 intakes are open.
  ASSERT_TRUE(std::regex_search(metrics.body, m,
                                std::regex("docket_cases\\{stage=\"STAGE_OPENED\"\\} (\\d+)")));
  EXPECT_GE(std::stoi(m[1]), 64);
  EXPECT_EQ(Curl("/metrics", {}, adapter_token_).status, 403);  // Operators only.
  // What a refusal echoes is valid UTF-8: an invalid byte is U+FFFD.
  const Reply invalid = Curl("/v1/report?by=%ff", {}, supervisor_token_);
  EXPECT_EQ(invalid.status, 400);
  EXPECT_THAT(invalid.body, HasSubstr("unknown dimension '\xEF\xBF\xBD'")) << invalid.body;
  // A branch's supervisor reads its own branches in the report, not every
  // branch's counts here (a stranger counted other branches' cases).
  const std::string branch_supervisor = Login("S-GZ");
  ASSERT_FALSE(branch_supervisor.empty());
  EXPECT_EQ(Curl("/metrics", {}, branch_supervisor).status, 403);
  EXPECT_EQ(Curl("/metrics", {}, Login("A-100")).status, 200);

  server_->Kill(SIGTERM);
  EXPECT_EQ(server_->Wait(), 0);
  server_.reset();
  RunResult verified = Ctl(dir_, {"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

// DESIGN.md: a crash at any instant loses nothing acknowledged. Five
// SIGKILLs while 48 connections submit 300 commands each round; every
// command answered 200 is there after a restart, and the audit passes.
TEST_F(ApiTest, KillsUnderLoadLoseNothingAcknowledged) {
  std::mt19937 rng(7);
  std::vector<std::string> acknowledged;
  int unanswered = 0;  // Cut off by a kill: the kills land mid-load.
  for (int k = 0; k < 5; ++k) {
    // More than the server answers before the kill (at several thousand
    // commands a second), so that each kill lands mid-load.
    std::string config;
    for (int i = 0; i < 3000; ++i) {
      const std::string id = absl::StrCat("C-KILL-", k, "-", i);
      absl::StrAppend(&config, i > 0 ? "next\n" : "", "url = \"", url_, "/v1/commands?case=", id,
                      "\"\n", "request = \"POST\"\n", "header = \"Authorization: Bearer ",
                      adapter_token_, "\"\n", "data = \"",
                      absl::StrCat(R"({\"commandId\":\")", id, R"(\",\"caseId\":\")", id,
                                   R"(\",\"openCase\":{\"intake\":{\"channel\":\"CHANNEL_PHONE\",)",
                                   R"(\"category\":\"CATEGORY_LATE\",\"customer\":{\"id\":\"K\"},)",
                                   R"(\"handlingBranch\":\"GZ\"}}})"),
                      "\"\n", "output = \"/dev/null\"\n",
                      "write-out = \"%{http_code} %{url_effective}\\n\"\n");
    }
    const std::string answers = testing::FreshDir(absl::StrCat("answers-", k));
    testing::Child clients({"/usr/bin/curl", "-s", "--parallel", "--parallel-max", "48", "--config",
                            testing::WriteFile(absl::StrCat("kill-", k, ".curl"), config)},
                           "/dev/null", answers);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 500)(rng)));
    server_->Kill(SIGKILL);
    server_->Wait();
    clients.Wait();
    for (const std::string& line : testing::ReadLines(answers)) {
      if (line.rfind("200 ", 0) == 0) {
        acknowledged.push_back(line.substr(line.rfind('=') + 1));
      } else {
        ++unanswered;
      }
    }
    // Restarted on the same port; it recovers what was committed.
    server_ = std::make_unique<testing::Child>(
        std::vector<std::string>{testing::DocketdPath(), "--data_dir=" + dir_,
                                 "--listen=" + url_.substr(7), "--tick_every=0"},
        "/dev/null", testing::FreshDir(absl::StrCat("restart-", k, ".out")),
        testing::FreshDir(absl::StrCat("restart-", k, ".err")));
    for (int i = 0; i < 100 && Curl("/healthz").status != 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
  RecordProperty("unanswered", unanswered);
  EXPECT_GT(acknowledged.size(), 50u);
  EXPECT_GT(unanswered, 0);
  // Served after the restarts (a sample: a request each)...
  for (size_t i = 0; i < acknowledged.size(); i += std::max<size_t>(1, acknowledged.size() / 20)) {
    EXPECT_EQ(Curl("/v1/cases/" + acknowledged[i], {}, supervisor_token_).status, 200)
        << acknowledged[i] << " was lost";
  }
  server_->Kill(SIGTERM);
  EXPECT_EQ(server_->Wait(), 0);
  server_.reset();
  // ...and every one of them in the data directory, which verifies.
  RunResult listed = Ctl(dir_, {"list", "--format=json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  for (const std::string& id : acknowledged) {
    EXPECT_THAT(listed.out, HasSubstr(absl::StrCat("\"", id, "\""))) << id << " was lost";
  }
  RunResult verified = Ctl(dir_, {"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

// The actions route answers what AvailableActions (engine/actions_test)
// computes: allowed now for this principal, or why not; in scope only.
TEST_F(ApiTest, ActionsSayWhatThisPrincipalMaySendNowAndWhyNotTheRest) {
  const std::string gz = Login("E-101");
  ASSERT_FALSE(gz.empty());
  // C-2026-0005 (GZ) has had its reply: the follow-up is next.
  Reply actions = Curl("/v1/cases/C-2026-0005/actions", {}, gz);
  ASSERT_EQ(actions.status, 200) << actions.body;
  EXPECT_THAT(actions.body, HasSubstr("\"caseId\":\"C-2026-0005\""));
  EXPECT_THAT(actions.body, HasSubstr(R"({"command":"record_follow_up","allowed":true})"));
  std::smatch ack;
  ASSERT_TRUE(
      std::regex_search(actions.body, ack, std::regex(R"(\{"command":"acknowledge",[^}]*\})")));
  EXPECT_THAT(ack.str(), Not(HasSubstr("\"allowed\":true")));  // false: left out.
  EXPECT_THAT(ack.str(), HasSubstr("RULE_STEP_ORDER"));
  EXPECT_THAT(ack.str(), HasSubstr("FAILED_PRECONDITION"));
  // Deadline events are docket's own.
  EXPECT_THAT(actions.body,
              HasSubstr(R"("command":"record_deadline_breach","rule":"RULE_PERMISSION")"));

  // What the actions allow, the engine accepts.
  Reply followed =
      Curl("/v1/commands",
           {"-X", "POST", "-H", "Content-Type: application/json", "-d",
            R"({"commandId":"follow-5","caseId":"C-2026-0005","actor":{"id":"E-101"},)"
            R"("recordFollowUp":{"method":"FOLLOW_UP_METHOD_PHONE","satisfaction":5}})"},
           gz);
  EXPECT_EQ(followed.status, 200) << followed.body;

  // Out of scope, missing, unauthenticated: as for any read.
  EXPECT_EQ(Curl("/v1/cases/C-2026-0001/actions", {}, gz).status, 404);
  EXPECT_EQ(Curl("/v1/cases/C-NOWHERE/actions", {}, gz).status, 404);
  EXPECT_EQ(Curl("/v1/cases/C-2026-0005/actions").status, 401);
  // An auditor reads the case and may send nothing.
  const std::string auditor = Login("A-100");
  Reply audited = Curl("/v1/cases/C-2026-0005/actions", {}, auditor);
  EXPECT_EQ(audited.status, 200);
  EXPECT_THAT(audited.body, Not(HasSubstr("\"allowed\":true")));
}

TEST_F(ApiTest, EvidenceIsUploadedByContentAndReadInTheScopeOfItsCase) {
  const std::string zhuhai = Login("E-100");
  const std::string gz = Login("E-101");
  const std::string auditor = Login("A-100");
  ASSERT_FALSE(zhuhai.empty() || gz.empty() || auditor.empty());
  // Upload: stored by content, described, not yet attached to anything.
  const std::string photo = testing::WriteFile("photo.png", "\x89PNG\r\n\x1a\n docket test photo");
  Reply up =
      Curl("/v1/evidence?kind=PHOTO&name=photo.png",
           {"-X", "POST", "-H", "Content-Type: image/png", "--data-binary", "@" + photo}, gz);
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string sha =
      absl::StrSplit(RunProcess({"/usr/bin/sha256sum", photo}).out, ' ').begin()->data();
  EXPECT_THAT(up.body, HasSubstr(absl::StrCat("\"uri\":\"cas://", sha.substr(0, 64), "\"")));
  EXPECT_THAT(up.body, HasSubstr("\"mediaType\":\"image/png\""));
  EXPECT_THAT(up.body, HasSubstr("\"kind\":\"EVIDENCE_KIND_PHOTO\""));
  // Who may not attach may not upload; a media type is a media type.
  EXPECT_EQ(
      Curl("/v1/evidence",
           {"-X", "POST", "-H", "Content-Type: image/png", "--data-binary", "@" + photo}, auditor)
          .status,
      403);
  EXPECT_EQ(Curl("/v1/evidence",
                 {"-X", "POST", "-H", "Content-Type: <script>", "--data-binary", "@" + photo}, gz)
                .status,
            400);
  // A media type is one (not "../../x"), and a photo is an image of it: a
  // page of HTML was stored as a PHOTO, and counted as DAMAGE's photo.
  EXPECT_EQ(Curl("/v1/evidence",
                 {"-X", "POST", "-H", "Content-Type: ../../x", "--data-binary", "@" + photo}, gz)
                .status,
            400);
  const Reply page =
      Curl("/v1/evidence?kind=EVIDENCE_KIND_PHOTO",
           {"-X", "POST", "-H", "Content-Type: text/html", "--data-binary", "<html></html>"}, gz);
  EXPECT_EQ(page.status, 400);
  EXPECT_THAT(page.body, HasSubstr("the upload is no photo of text/html"));
  EXPECT_THAT(page.body, Not(HasSubstr(dir_))) << "the server's own files are not named";
  EXPECT_EQ(Curl("/v1/evidence", {"-X", "POST", "--data-binary", "@" + photo}).status, 401);

  // Download: the photo C-2026-0001 (ZHUHAI) attached, byte for byte.
  const std::string attached = "dab83750bfa0f03e0ebfac01ae179ee5f95e97f7dbd4d4fb778481b2c603c2aa";
  const std::string path = absl::StrCat("/v1/evidence/", attached, "?case_id=C-2026-0001");
  Reply got = Curl(path, {}, zhuhai);
  EXPECT_EQ(got.status, 200);
  const std::string saved = testing::WriteFile("downloaded.jpg", got.body);
  EXPECT_EQ(RunProcess({"/usr/bin/sha256sum", saved}).out.substr(0, 64), attached);
  const std::string headers = Headers(path, zhuhai);
  EXPECT_THAT(headers, HasSubstr("X-Content-Type-Options: nosniff"));
  EXPECT_THAT(headers, HasSubstr("Content-Security-Policy: sandbox"));
  // Out of scope, not attached to the case named, no case named: nothing.
  EXPECT_EQ(Curl(path, {}, gz).status, 404);
  const Reply unattached =
      Curl(absl::StrCat("/v1/evidence/", attached, "?case_id=C-2026-0005"), {}, gz);
  EXPECT_EQ(unattached.status, 404);
  EXPECT_THAT(unattached.body, HasSubstr("\"rule\":\"RULE_EVIDENCE\""))
      << "a refusal names its rule";
  EXPECT_EQ(
      Curl(absl::StrCat("/v1/evidence/", sha.substr(0, 64), "?case_id=C-2026-0001"), {}, zhuhai)
          .status,
      404);
  EXPECT_EQ(Curl(absl::StrCat("/v1/evidence/", attached), {}, zhuhai).status, 400);
  EXPECT_EQ(Curl(path).status, 401);
}

// A merge into a case outside the sender's scope is refused as a merge
// into a case that does not exist: a stranger asked GZ's preview to merge
// into Shanghai's, Huzhou's and Beijing's cases and read their waybills
// and stages in the refusals.
TEST_F(ApiTest, ALinkToACaseOutOfScopeTellsNothingOfIt) {
  const std::string gz = Login("E-101");
  ASSERT_FALSE(gz.empty());
  // A new GZ complaint, which may still be merged.
  const Reply opened = Curl(
      "/v1/commands",
      {"-X", "POST", "-d",
       R"({"commandId":"open-gz-dup","caseId":"C-2026-0301","openCase":{"intake":{)"
       R"("channel":"CHANNEL_PHONE","category":"CATEGORY_MISDELIVERY","customer":{"id":"CUST-X"},)"
       R"("shipment":{"waybill":"GZ-DUP-1"},"description":"again","handlingBranch":"GZ"}}})"},
      adapter_token_);
  ASSERT_EQ(opened.status, 200) << opened.body;
  const auto merge_into = [&](const std::string& survivor) {
    return Curl("/v1/cases/C-2026-0301/preview",
                {"-X", "POST", "-d",
                 absl::StrCat(R"({"merge":{"survivorCaseId":")", survivor, R"(","reason":"x"}})")},
                gz);
  };
  const Reply nowhere = merge_into("C-2026-9999");
  EXPECT_THAT(nowhere.body, HasSubstr("survivor C-2026-9999 does not exist")) << nowhere.body;
  for (const std::string elsewhere :
       {"C-2026-0001", "C-2026-0004", "C-2026-0006", "C-2026-0007", "C-2026-0008"}) {
    const Reply theirs = merge_into(elsewhere);
    EXPECT_EQ(absl::StrReplaceAll(ReasonIn(theirs.body), {{elsewhere, "C-2026-9999"}}),
              ReasonIn(nowhere.body))
        << theirs.body;
  }
  // A case in scope is checked as before, its refusal naming what it holds.
  const Reply own = merge_into("C-2026-0002");
  EXPECT_THAT(own.body, Not(HasSubstr("does not exist"))) << own.body;
  EXPECT_THAT(own.body, HasSubstr("survivor C-2026-0002")) << own.body;

  // Headquarters sees both: its refusal says what the ZHUHAI survivor is.
  // Recorded under the GZ case, it is read by GZ's supervisor without what it says of
  // ZHUHAI's case (an outside check read "survivor … is STAGE_ARCHIVED" of
  // a case it could not read).
  const std::string& hq = supervisor_token_;  // E-300, headquarters.
  const Reply refused =
      Curl("/v1/commands",
           {"-X", "POST", "-d",
            R"({"commandId":"hq-merge","caseId":"C-2026-0301","merge":{"survivorCaseId":)"
            R"("C-2026-0001","reason":"same parcel"}})"},
           hq);
  EXPECT_NE(refused.status, 200);
  EXPECT_THAT(refused.body, HasSubstr("C-2026-0001")) << refused.body;
  const Reply for_hq = Curl("/v1/rejections?case_id=C-2026-0301", {}, hq);
  EXPECT_THAT(for_hq.body, HasSubstr(ReasonIn(refused.body))) << for_hq.body;
  const Reply for_gz = Curl("/v1/rejections?case_id=C-2026-0301", {}, Login("S-GZ"));
  EXPECT_THAT(for_gz.body, HasSubstr("hq-merge")) << for_gz.body;
  EXPECT_THAT(for_gz.body, Not(HasSubstr(ReasonIn(refused.body)))) << for_gz.body;
  EXPECT_THAT(for_gz.body, Not(HasSubstr("STAGE_"))) << for_gz.body;
  EXPECT_THAT(for_gz.body, HasSubstr("outside the scope of S-GZ")) << for_gz.body;
}

// A download is one range at most, inside the file: a stranger asked for
// a 64 MiB file 670 times in one Range header and was sent 45 GB. More
// ranges are ignored (the file once); a range past the end is 416.
TEST_F(ApiTest, EvidenceIsServedInOneRangeAtMost) {
  const std::string zhuhai = Login("E-100");
  ASSERT_FALSE(zhuhai.empty());
  const std::string path =
      absl::StrCat("/v1/evidence/dab83750bfa0f03e0ebfac01ae179ee5f95e97f7dbd4d4fb778481b2c603c2aa",
                   "?case_id=C-2026-0001");
  const Reply whole = Curl(path, {}, zhuhai);
  ASSERT_EQ(whole.status, 200);
  const Reply head = Curl(path, {"-H", "Range: bytes=0-3"}, zhuhai);
  EXPECT_EQ(head.status, 206);
  EXPECT_EQ(head.body, whole.body.substr(0, 4));
  // A range that ends past the file ends at its last byte.
  const Reply rest = Curl(path, {"-H", "Range: bytes=2-999999"}, zhuhai);
  EXPECT_EQ(rest.status, 206);
  EXPECT_EQ(rest.body, whole.body.substr(2));
  const Reply tail = Curl(path, {"-H", "Range: bytes=-5"}, zhuhai);
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, whole.body.substr(whole.body.size() - 5));
  // A suffix longer than the file is the whole file (it was all but its
  // first byte).
  const Reply longer = Curl(path, {"-H", "Range: bytes=-99999999"}, zhuhai);
  EXPECT_EQ(longer.status, 206);
  EXPECT_EQ(longer.body, whole.body);
  std::string many = "bytes=0-" + std::to_string(whole.body.size() - 1);
  for (int i = 0; i < 100; ++i) many += ",0-" + std::to_string(whole.body.size() - 1);
  // Many ranges are ignored: the file, once.
  for (const std::string& range :
       {many, std::string("bytes=0-0,2-3"), std::string("bytes=0-,0-")}) {
    const Reply once = Curl(path, {"-H", "Range: " + range}, zhuhai);
    EXPECT_EQ(once.status, 200) << range.substr(0, 40);
    EXPECT_EQ(once.body, whole.body) << range.substr(0, 40);
  }
  // A range past the end is refused, with nothing of the file.
  for (const std::string& range :
       {absl::StrCat("bytes=", whole.body.size(), "-"), std::string("bytes=100000000-")}) {
    const Reply refused = Curl(path, {"-H", "Range: " + range}, zhuhai);
    EXPECT_EQ(refused.status, 416) << range;
    EXPECT_EQ(refused.body.find(whole.body.substr(0, 16)), std::string::npos) << refused.body;
    EXPECT_LT(refused.body.size(), 1000u) << refused.body;
  }
  // A Range the library cannot read is refused whole, not cut to its
  // first range (it was 416 with one byte of the refusal, "{").
  const Reply unread = Curl(path, {"-H", "Range: bytes=0-0,-99999999999999999999"}, zhuhai);
  EXPECT_EQ(unread.status, 416);
  EXPECT_THAT(unread.body, HasSubstr("\"rule\":\"RULE_MALFORMED_COMMAND\"")) << unread.body;
}

// Only the evidence download serves ranges: any other answer is sent whole
// whatever Range asks (the library cut a case list to the bytes asked, and
// sent it 300 times over for 300 ranges: 55 KB became 17 MB).
TEST_F(ApiTest, AnswersOtherThanFilesIgnoreRange) {
  const std::string many = [] {
    std::string r = "bytes=0-99999";
    for (int i = 0; i < 300; ++i) r += ",0-99999";
    return r;
  }();
  for (const std::string path : {"/v1/cases?page_size=100", "/v1/cases/C-2026-0005", "/v1/me"}) {
    const Reply whole = Curl(path, {}, supervisor_token_);
    ASSERT_EQ(whole.status, 200) << path;
    for (const std::string& range : {many, std::string("bytes=5-10"), std::string("bytes=-3")}) {
      const Reply ranged = Curl(path, {"-H", "Range: " + range}, supervisor_token_);
      EXPECT_EQ(ranged.status, 200) << path << " " << range.substr(0, 20);
      EXPECT_EQ(ranged.body, whole.body) << path << " " << range.substr(0, 20);
    }
  }
  // The console's files are served whole, as 200: a 206 without
  // Content-Range would have a cache keep the whole file as a part.
  for (const std::string path : {"/", "/assets/app-1234.js", "/cases/C-2026-0005"}) {
    const Reply whole = Curl(path);
    const std::string head = Headers(path, "", {"-H", "Range: bytes=0-3"});
    EXPECT_THAT(head, ::testing::StartsWith("HTTP/1.1 200")) << path;
    EXPECT_EQ(Curl(path, {"-H", "Range: bytes=0-3"}).body, whole.body) << path;
  }
  // A refusal too.
  const Reply refused = Curl("/v1/cases/C-2026-0005", {"-H", "Range: bytes=0-3"});
  EXPECT_EQ(refused.status, 401);
  EXPECT_THAT(refused.body, HasSubstr("RULE_UNAUTHENTICATED"));
  // Two credentials are one too many: a proxy in front could read the
  // other one.
  const Reply two = Curl("/v1/me", {"-H", "Authorization: Bearer " + supervisor_token_, "-H",
                                    "Authorization: Bearer dkt_x"});
  EXPECT_EQ(two.status, 400);
  EXPECT_THAT(two.body, HasSubstr("more than one Authorization"));
}

// Every recorded refusal is kept for the audit: a principal that has spent
// its budget of refusals is answered 429, undecided, and nothing more of
// its is recorded, while its reads and others' commands go on. What is not
// recorded (a repeat of a refusal) costs nothing.
TEST_F(ApiTest, APrincipalRefusedWithoutEndIsStoppedBeforeItFillsTheDisk) {
  // This test's docketd: 20 refusals at once, one more a minute, so the
  // budget does not refill while the test runs.
  ASSERT_NO_FATAL_FAILURE(Restart({"--refusal_burst=20", "--refusals_per_minute=1"}));

  const std::string gz = Login("E-101");
  ASSERT_FALSE(gz.empty());
  const auto refused_here = [&] {
    const Reply list = Curl("/v1/rejections?case_id=C-2026-0005", {}, supervisor_token_);
    EXPECT_EQ(list.status, 200) << list.body;
    return CountOf(list.body, "\"commandId\":\"flood-");
  };
  const auto send = [&](int from, int to) { return PostOpenAgain("flood", from, to, gz); };
  // 19 refusals, recorded: one is left.
  const Reply first = send(0, 19);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(CountOf(first.body, "\"rejection\""), 19);
  EXPECT_EQ(refused_here(), 19);
  // Repeats record nothing, and cost nothing: the last refusal is still
  // there after them.
  const Reply again = send(0, 19);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(CountOf(again.body, "\"duplicate\":true"), 19);
  // A request of 30 is let in on the one refusal left, and leaves a debt.
  const Reply last = send(100, 130);
  ASSERT_EQ(last.status, 200) << last.body;
  EXPECT_EQ(refused_here(), 49);

  const Reply stopped = send(200, 201);
  EXPECT_EQ(stopped.status, 429) << stopped.body;
  EXPECT_THAT(stopped.body, HasSubstr("RESOURCE_EXHAUSTED"));
  EXPECT_THAT(stopped.body, HasSubstr("E-101 has had too many commands refused lately"));
  // 29 owed at one a minute: half an hour until one refusal is left.
  std::smatch wait;
  const std::string head = absl::AsciiStrToLower(stopped.body);
  ASSERT_TRUE(std::regex_search(head, wait, std::regex("retry-after: ([0-9]+)"))) << head;
  EXPECT_NEAR(std::stoi(wait[1]), 1800, 60);
  EXPECT_EQ(refused_here(), 49) << "a command answered 429 is not recorded";
  // Its reads go on, and another principal's commands are decided.
  EXPECT_EQ(Curl("/v1/cases/C-2026-0005", {}, gz).status, 200);
  const Reply other =
      Curl("/v1/commands", {"-X", "POST", "-d", OpenAgainLines("flood", 300, 301)}, Login("E-100"));
  EXPECT_NE(other.status, 429) << other.body;
  EXPECT_THAT(other.body, HasSubstr("\"rule\""));
  // Zhuhai's refusals on its own case are not GZ's supervisor's to read;
  // headquarters reads them.
  ASSERT_NE(Curl("/v1/commands",
                 {"-X", "POST", "-d",
                  R"({"commandId":"zh-refused","caseId":"C-2026-0001","openCase":{}})"},
                 Login("E-100"))
                .status,
            200);
  const Reply theirs = Curl("/v1/rejections?case_id=C-2026-0001&page_size=1", {}, Login("S-GZ"));
  EXPECT_EQ(theirs.status, 200);
  EXPECT_EQ(theirs.body, "{}\n") << "nothing of another branch's refusals";
  EXPECT_THAT(Curl("/v1/rejections?case_id=C-2026-0001", {}, supervisor_token_).body,
              HasSubstr("zh-refused"));

  // The refusals are read in pages, each once, and docketctl --server
  // follows them to the end as --data_dir lists them.
  std::string token;
  int pages = 0, seen = 0;
  do {
    const Reply page = Curl(absl::StrCat("/v1/rejections?case_id=C-2026-0005&page_size=20",
                                         token.empty() ? "" : "&page_token=" + token),
                            {}, supervisor_token_);
    ASSERT_EQ(page.status, 200) << page.body;
    seen += CountOf(page.body, "\"commandId\":\"flood-");
    std::smatch next;
    token = std::regex_search(page.body, next, std::regex("\"nextPageToken\":\"([0-9a-f]+)\""))
                ? next[1].str()
                : "";
    // A token tells nothing of the key it holds (it may be another
    // branch's refusal), and only this list takes it.
    if (pages == 0) {
      ASSERT_FALSE(token.empty());
      EXPECT_EQ(token.find(absl::BytesToHexString("C-2026")), std::string::npos) << token;
      EXPECT_EQ(Curl("/v1/rejections?case_id=C-2026-00&page_token=" + token, {}, supervisor_token_)
                    .status,
                400);
    }
  } while (!token.empty() && ++pages < 100);
  EXPECT_EQ(seen, 50) << "E-101's 49 and E-100's one";
  EXPECT_GE(pages, 2);
  EXPECT_EQ(Curl("/v1/rejections?page_token=zz", {}, supervisor_token_).status, 400);
  EXPECT_EQ(Curl("/v1/rejections?page_token=" + absl::BytesToHexString("C-2026-0005"), {},
                 supervisor_token_)
                .status,
            400)
      << "a key not sealed by this server";
  const RunResult local = Ctl(dir_, {"rejections", "C-2026-0005"});
  const RunResult served =
      RunProcess({testing::DocketctlPath(), "--server=" + url_, "--token=" + supervisor_token_,
                  "rejections", "C-2026-0005"});
  EXPECT_EQ(served.exit_code, 0) << served.err;
  EXPECT_EQ(CountOf(served.out, "\"commandId\":\"flood-"), 50);
  EXPECT_EQ(served.out, local.out);
}

// Every command takes the single writer's time, a repeat too (it records
// nothing and costs no refusal): a principal past its budget of commands
// is answered 429 undecided while others go on, and one request holds no
// more than the burst.
TEST_F(ApiTest, APrincipalsCommandsAreBoundedSoRepeatsCannotHoldTheWriter) {
  // One command back every 10 s: nothing the test waits for refills it.
  ASSERT_NO_FATAL_FAILURE(Restart({"--command_burst=50", "--commands_per_second=0.1"}));
  const std::string gz = Login("E-101");
  ASSERT_FALSE(gz.empty());
  const auto send = [&](int from, int to) { return PostOpenAgain("again", from, to, gz); };
  const Reply first = send(0, 30);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(CountOf(first.body, "\"rejection\""), 30);
  const Reply repeats = send(0, 20);
  ASSERT_EQ(repeats.status, 200) << repeats.body;
  EXPECT_EQ(CountOf(repeats.body, "\"duplicate\":true"), 20) << "50 sent: the budget is spent";

  const Reply stopped = send(30, 31);
  EXPECT_EQ(stopped.status, 429) << stopped.body;
  EXPECT_THAT(stopped.body, HasSubstr("E-101 has sent too many commands lately"));
  std::smatch wait;
  const std::string head = absl::AsciiStrToLower(stopped.body);
  ASSERT_TRUE(std::regex_search(head, wait, std::regex("retry-after: ([0-9]+)"))) << head;
  EXPECT_GE(std::stoi(wait[1]), 5) << "one command comes back in 10 s";
  EXPECT_LE(std::stoi(wait[1]), 10);
  const Reply preview =
      Curl("/v1/cases/C-2026-0005/preview", {"-X", "POST", "-d", R"({"acknowledge":{}})"}, gz);
  EXPECT_EQ(preview.status, 429) << "a preview is decided by the writer too: " << preview.body;
  // Reads go on, and so do other principals' commands.
  EXPECT_EQ(Curl("/v1/cases/C-2026-0005", {}, gz).status, 200);
  const Reply other =
      Curl("/v1/commands",
           {"-X", "POST", "-d", R"({"commandId":"other-1","caseId":"C-2026-0005","openCase":{}})"},
           Login("E-100"));
  EXPECT_NE(other.status, 429) << other.body;
  EXPECT_THAT(other.body, HasSubstr("\"rule\""));
  // Undecided: nothing of the refused request was recorded.
  EXPECT_THAT(Curl("/v1/rejections?case_id=C-2026-0005", {}, supervisor_token_).body,
              Not(HasSubstr("again-30")));

  // More than the burst in one request is never let in, however long one
  // waits: it is refused as too large, nothing of it decided.
  const Reply large = send(100, 151);
  EXPECT_EQ(large.status, 413) << large.body;
  EXPECT_THAT(large.body, HasSubstr("RULE_COMMAND_TOO_LARGE"));
  EXPECT_THAT(large.body, HasSubstr("at most 50 commands"));
  EXPECT_THAT(Curl("/v1/rejections?case_id=C-2026-0005", {}, supervisor_token_).body,
              Not(HasSubstr("again-100")));

  // docketctl --server submit, answered 429, waits as it is told (the
  // refill of one command) and sends the group again.
  const RunResult waited =
      RunProcess({testing::DocketctlPath(), "--server=" + url_, "--token=" + gz, "submit"},
                 OpenAgainLines("again", 40, 41));
  EXPECT_EQ(waited.exit_code, 1) << "refused, as it opens an open case: " << waited.err;
  EXPECT_THAT(waited.err, HasSubstr("waiting"));
  EXPECT_EQ(CountOf(waited.out, "\"rejection\""), 1) << waited.out;
  EXPECT_THAT(waited.out, HasSubstr("again-40"));

  // Against a server whose requests hold fewer commands than docketctl
  // groups, it sends as many as the 413 says it takes: every command has
  // its outcome.
  ASSERT_NO_FATAL_FAILURE(Restart({"--command_burst=4", "--commands_per_second=1000"}));
  const Reply five = PostOpenAgain("again", 60, 65, Login("E-101"));
  EXPECT_EQ(five.status, 413) << five.body;
  EXPECT_THAT(absl::AsciiStrToLower(five.body), HasSubstr("x-docket-most-commands: 4"));
  const RunResult halves = RunProcess(
      {testing::DocketctlPath(), "--server=" + url_, "--token=" + Login("E-101"), "submit"},
      OpenAgainLines("again", 50, 55));
  EXPECT_EQ(halves.exit_code, 1) << halves.err;
  EXPECT_EQ(CountOf(halves.out, "\"rejection\""), 5) << halves.out << halves.err;
  EXPECT_THAT(halves.err, Not(HasSubstr("413")));
}

// Uploads are kept by content whether attached or not: a principal that
// has uploaded its budget (here 1 MiB, one more an hour) is answered 429
// from the headers, before any byte is read, while others upload.
TEST_F(ApiTest, UploadsAreBoundedByPrincipal) {
  ASSERT_NO_FATAL_FAILURE(Restart({"--upload_burst_mb=1", "--upload_mb_per_hour=1"}));
  const std::string gz = Login("E-101");
  ASSERT_FALSE(gz.empty());
  const auto upload = [&](const std::string& name, size_t bytes, const std::string& token) {
    std::string content = "\x89PNG\r\n\x1a\n" + name;
    content.resize(bytes, 'x');
    return Curl("/v1/evidence?kind=PHOTO&name=p.png",
                {"-X", "POST", "-D", "-", "-H", "Content-Type: image/png", "--data-binary",
                 "@" + testing::WriteFile(name, content)},
                token);
  };
  // Let in on the budget it has, and left in debt by it.
  EXPECT_EQ(upload("first.png", 1536 << 10, gz).status, 201);
  const Reply stopped = upload("second.png", 100, gz);
  EXPECT_EQ(stopped.status, 429) << stopped.body;
  EXPECT_THAT(stopped.body, HasSubstr("E-101 has uploaded its budget of evidence lately"));
  std::smatch wait;
  const std::string head = absl::AsciiStrToLower(stopped.body);
  ASSERT_TRUE(std::regex_search(head, wait, std::regex("retry-after: ([0-9]+)"))) << head;
  // Half a MiB owed, and the other byte, at one MiB an hour: half an hour.
  EXPECT_NEAR(std::stoi(wait[1]), 1800, 60);
  // Another principal uploads.
  EXPECT_EQ(upload("theirs.png", 100, Login("E-100")).status, 201);
}

// A file is attached by content (cas://<sha256>): through docketd a
// handler attaches what it uploaded, not a file only another holds (a stranger attached a Shanghai
// case's photo to a GZ case by its hash, then downloaded it through that case). A file it may not
// attach answers exactly as an absent one: nothing is learnt of it.
TEST_F(ApiTest, OnlyWhatOneUploadedIsAttachedByItsHash) {
  const std::string zhuhai = Login("E-100");
  const std::string gz = Login("E-101");
  ASSERT_FALSE(zhuhai.empty() || gz.empty());
  const std::string photo =
      testing::WriteFile("zhuhai-only.png", "\x89PNG\r\n\x1a\n only ZHUHAI has this photo");
  Reply up =
      Curl("/v1/evidence?kind=PHOTO&name=p.png",
           {"-X", "POST", "-H", "Content-Type: image/png", "--data-binary", "@" + photo}, zhuhai);
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string sha = RunProcess({"/usr/bin/sha256sum", photo}).out.substr(0, 64);
  const auto attach = [&](const std::string& hash, const std::string& token) {
    return Curl("/v1/cases/C-2026-0005/preview",
                {"-X", "POST", "-d",
                 absl::StrCat(R"({"attachEvidence":{"evidence":{"kind":"EVIDENCE_KIND_PHOTO",)",
                              R"("uri":"cas://)", hash, R"(","sha256Hex":")", hash,
                              R"(","sizeBytes":"1","mediaType":"image/png"}}})")},
                token);
  };
  const std::string absent(64, 'a');
  const Reply theirs = attach(sha, gz);
  const Reply nothing = attach(absent, gz);
  EXPECT_THAT(theirs.body, HasSubstr("RULE_EVIDENCE")) << theirs.body;
  EXPECT_THAT(theirs.body, HasSubstr("is not in the evidence store"));
  // Word for word what an absent file gets (the size, wrong on purpose,
  // is not told either).
  EXPECT_EQ(absl::StrReplaceAll(ReasonIn(theirs.body), {{sha, absent}}), ReasonIn(nothing.body));
  EXPECT_FALSE(ReasonIn(nothing.body).empty());
  // Nor what an administrator stored at the data directory: the examples'
  // photo of Shanghai's case C-2026-0007 (docketctl put-evidence) is not
  // GZ's to attach by its hash.
  const Reply example = Curl("/v1/cases/C-2026-0007", {}, Login("A-100"));
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(example.body, m, std::regex("\"sha256Hex\":\"(ab1568[0-9a-f]{58})\"")))
      << example.body;
  EXPECT_THAT(attach(m[1], gz).body, HasSubstr("is not in the evidence store"));
  // Once GZ uploads the same bytes itself, it may attach them (its size
  // is then what is checked).
  ASSERT_EQ(Curl("/v1/evidence?kind=PHOTO&name=p.png",
                 {"-X", "POST", "-H", "Content-Type: image/png", "--data-binary", "@" + photo}, gz)
                .status,
            201);
  const Reply own = attach(sha, gz);
  EXPECT_THAT(own.body, Not(HasSubstr("is not in the evidence store"))) << own.body;
  EXPECT_THAT(own.body, HasSubstr("bytes in the store, not 1"));
}

TEST_F(ApiTest, TheAuditIsTheAuditorsAndFindsTheDirectorySound) {
  const std::string auditor = Login("A-100");
  ASSERT_FALSE(auditor.empty());
  Reply audit = Curl("/v1/audit", {}, auditor);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_THAT(audit.body, HasSubstr("\"ok\":true"));
  EXPECT_THAT(audit.body, HasSubstr("\"evidenceChecked\":\""));
  EXPECT_THAT(audit.body, Not(HasSubstr("problems")));
  EXPECT_EQ(Curl("/v1/audit", {}, Login("E-101")).status, 403);
  EXPECT_EQ(Curl("/v1/audit", {}, supervisor_token_).status, 403);
  EXPECT_EQ(Curl("/v1/audit").status, 401);
}

TEST_F(ApiTest, WrongMethodsAre405AndTheConsoleIsServedHardened) {
  Reply wrong = Curl("/v1/commands", {"-X", "DELETE"}, supervisor_token_);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_THAT(wrong.body, HasSubstr("\"code\":\"INVALID_ARGUMENT\""));
  EXPECT_EQ(Curl("/v1/cases/C-2026-0005", {"-X", "PUT"}, supervisor_token_).status, 405);
  EXPECT_EQ(Curl("/v1/cases/C-2026-0005", {"-X", "PUT", "-d", "{}"}, supervisor_token_).status,
            405);
  EXPECT_EQ(Curl("/v1/sessions", {"-X", "GET"}).status, 405);
  EXPECT_EQ(Curl("/v1/nothing-here", {}, supervisor_token_).status, 404);

  // The console: its page at / and at its own paths, its assets, with a
  // content security policy; never instead of an API answer.
  for (const char* page : {"/", "/cases/C-2026-0005", "/queue"}) {
    Reply html = Curl(page);
    EXPECT_EQ(html.status, 200) << page;
    EXPECT_THAT(html.body, HasSubstr("<title>docket console</title>")) << page;
  }
  EXPECT_THAT(Headers("/cases/C-2026-0005"),
              HasSubstr("Content-Security-Policy: default-src 'self'"));
  EXPECT_THAT(Headers("/"), HasSubstr("X-Frame-Options: DENY"));
  Reply script = Curl("/assets/app-1234.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_THAT(script.body, HasSubstr("console.log"));
  EXPECT_EQ(Curl("/assets/missing.js").status, 404);
  EXPECT_THAT(Curl("/v1/cases/C-2026-0005").body, HasSubstr("UNAUTHENTICATED"));
  EXPECT_EQ(Curl("/healthz").status, 200);
}

// A preview sent without a command id gets one nobody can have taken: a
// stranger sent a refused command with the id the previews used by
// default ("preview"), and every preview after, anyone's, answered that it
// repeated a command id.
TEST_F(ApiTest, APreviewWithoutAnIdCannotBeBlockedByAnother) {
  const std::string gz = Login("E-101");
  const std::string supervisor = Login("S-GZ");
  ASSERT_FALSE(gz.empty() || supervisor.empty());
  const Reply squat = Curl(
      "/v1/commands",
      {"-X", "POST", "-d", R"({"commandId":"preview","caseId":"C-2026-0005","archive":{}})"}, gz);
  EXPECT_THAT(squat.body, HasSubstr("RULE_ARCHIVE_PRECONDITIONS")) << squat.body;
  for (const std::string& token : {supervisor, gz, gz}) {
    const Reply preview =
        Curl("/v1/cases/C-2026-0005/preview", {"-X", "POST", "-d", R"({"archive":{}})"}, token);
    EXPECT_EQ(preview.status, 200) << preview.body;
    EXPECT_THAT(preview.body, Not(HasSubstr("RULE_DUPLICATE_COMMAND_ID"))) << preview.body;
    EXPECT_THAT(preview.body, HasSubstr(R"("commandId":"preview-)")) << preview.body;
  }
}

// Pages are walked by their tokens; a token past the end, however large,
// is an empty page (a stranger's 2^63-1 came back as a negative token).
TEST_F(ApiTest, PagesAreWalkedByTheirTokensToTheEnd) {
  std::set<std::string> seen;
  int64_t total = -1;
  std::string token;
  for (int page = 0; page < 20; ++page) {
    const Reply r = Curl("/v1/cases?page_size=4" + (token.empty() ? "" : "&page_token=" + token),
                         {}, supervisor_token_);
    ASSERT_EQ(r.status, 200) << r.body;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.body, m, std::regex("\"total\":\"?([0-9]+)")));
    total = std::stoll(m[1]);
    const std::regex case_id(R"re("caseId":"([^"]+)")re");
    for (std::sregex_iterator it(r.body.begin(), r.body.end(), case_id);
         it != std::sregex_iterator(); ++it) {
      seen.insert((*it)[1]);
    }
    token = std::regex_search(r.body, m, std::regex("\"nextPageToken\":\"([^\"]+)\"")) ? m[1].str()
                                                                                       : "";
    if (token.empty()) break;
  }
  EXPECT_GT(total, 4);
  EXPECT_EQ(static_cast<int64_t>(seen.size()), total);
  const Reply past = Curl("/v1/cases?page_token=9223372036854775807", {}, supervisor_token_);
  EXPECT_EQ(past.status, 200) << past.body;
  EXPECT_THAT(past.body, Not(HasSubstr("nextPageToken")));
  EXPECT_THAT(past.body, Not(HasSubstr("caseId")));
  EXPECT_EQ(Curl("/v1/cases?page_token=-1", {}, supervisor_token_).status, 400);
}

// An administrator who resets a leaked password also signs out whoever
// used it: a new password ends the sessions the old one opened (a stranger
// kept a session for its 12 hours after the reset). Other principals'
// sessions, and tokens an administrator issued, stay.
TEST_F(ApiTest, ANewPasswordEndsTheSessionsOfTheOld) {
  const std::string leaked = Login("E-101");
  const std::string other = Login("S-GZ");
  ASSERT_FALSE(leaked.empty() || other.empty());
  ASSERT_EQ(Curl("/v1/me", {}, leaked).status, 200);

  server_->Kill(SIGTERM);
  ASSERT_EQ(server_->Wait(), 0);
  // E-101 also holds a token an administrator issued: not a session.
  RunResult issued = Ctl(dir_, {"token", "issue", "E-101", "--as=admin"});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  const std::string api_token(absl::StripTrailingAsciiWhitespace(issued.out));
  RunResult reset =
      Ctl(dir_, {"directory", "apply"},
          R"({"commandId":"pw-reset-E-101","actor":{"id":"admin"},"directory":{"setPassword":)"
          R"({"principalId":"E-101","password":"a new one"}}})"
          "\n");
  ASSERT_EQ(reset.exit_code, 0) << reset.out << reset.err;
  const std::string served = testing::FreshDir("reset.out");
  server_ = std::make_unique<testing::Child>(
      std::vector<std::string>{testing::DocketdPath(), "--data_dir=" + dir_, "--listen=127.0.0.1:0",
                               "--tick_every=0", "--console_dir="},
      "/dev/null", served, testing::FreshDir("reset.err"));
  url_ = testing::ServingUrl(served, 10000);
  ASSERT_FALSE(url_.empty()) << "docketd did not serve again";

  const Reply ended = Curl("/v1/me", {}, leaked);
  EXPECT_EQ(ended.status, 401) << ended.body;
  EXPECT_EQ(Curl("/v1/cases/C-2026-0005", {}, leaked).status, 401);
  EXPECT_EQ(Curl("/v1/me", {}, other).status, 200);
  EXPECT_EQ(Curl("/v1/me", {}, api_token).status, 200) << "issued, not a session";
  EXPECT_EQ(Login("E-101"), "");
  const std::string renewed = Login("E-101", "a new one");
  ASSERT_FALSE(renewed.empty());
  EXPECT_EQ(Curl("/v1/me", {}, renewed).status, 200);
}

// --data_dir writes refuse a directory docketd serves, at once and naming
// the server; once it has stopped, administration works again.
TEST_F(ApiTest, AServedDirectoryIsAdministeredOnlyWhenTheServerStops) {
  const auto started = std::chrono::steady_clock::now();
  RunResult refused = Ctl(dir_, {"token", "issue", "E-101", "--as=admin"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("is served by docketd at " + url_));
  EXPECT_THAT(refused.err, HasSubstr("--server=" + url_));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10))
      << "refused at once, not after the lock's wait";
  EXPECT_EQ(Ctl(dir_, {"verify"}).exit_code, 0) << "reading is fine";
  RunResult replay = Ctl(dir_, {"replay"});
  EXPECT_EQ(replay.exit_code, 2) << replay.out;
  EXPECT_THAT(replay.err, HasSubstr("is served by docketd at " + url_));
  // A second docketd on the directory is refused, naming the first.
  RunResult second = RunProcess(
      {testing::DocketdPath(), "--data_dir=" + dir_, "--listen=127.0.0.1:0", "--console_dir="});
  EXPECT_EQ(second.exit_code, 2) << second.out;
  EXPECT_THAT(second.err, HasSubstr("is served by docketd at " + url_ + " already"));
  // And RocksDB's lock on the directory, which refuses any other writer
  // whatever it checks first, is held while docketd serves: its connection
  // guard duplicated and closed every descriptor of the process, the LOCK
  // file's too, which released the lock (a second docketd then opened the
  // directory beside the first and corrupted it).
  std::this_thread::sleep_for(std::chrono::seconds(2));  // The guard looks again.
  const int lock_fd = open((dir_ + "/LOCK").c_str(), O_RDWR);
  ASSERT_GE(lock_fd, 0);
  struct flock held = {};
  held.l_type = F_WRLCK;
  held.l_whence = SEEK_SET;
  ASSERT_EQ(fcntl(lock_fd, F_GETLK, &held), 0);
  close(lock_fd);
  EXPECT_EQ(held.l_type, F_WRLCK) << "nobody holds the data directory's lock";

  server_->Kill(SIGTERM);
  EXPECT_EQ(server_->Wait(), 0);
  server_.reset();
  RunResult issued = Ctl(dir_, {"token", "issue", "E-101", "--as=admin"});
  EXPECT_EQ(issued.exit_code, 0) << issued.err;
}

// A docketd killed leaves its mark (SERVED_BY); its pid may be reused, by
// another docketd too. A mark naming a docketd that serves another
// directory (it holds that one's lock, not this one's) does not keep this
// directory from its administrators.
TEST_F(ApiTest, AMarkNamingADocketdThatServesAnotherDirectoryIsStale) {
  const std::string other = testing::OrganisedDir("killed-here");
  RunResult before = Ctl(other, {"token", "issue", "E-101", "--as=admin"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  std::ofstream(other + "/SERVED_BY") << server_->pid() << " " << url_ << "\n";
  RunResult issued = Ctl(other, {"token", "issue", "E-101", "--as=admin"});
  EXPECT_EQ(issued.exit_code, 0) << issued.err;
  EXPECT_THAT(issued.err, Not(HasSubstr("is served by docketd")));
  // The same mark in the directory that docketd serves still refuses.
  RunResult refused = Ctl(dir_, {"token", "issue", "E-101", "--as=admin"});
  EXPECT_THAT(refused.err, HasSubstr("is served by docketd at " + url_));
}

// DESIGN.md / issue: a slowloris connection times out and does not hold a
// worker; connections are bounded and the excess answered 503. docketd
// with a 2 s header deadline and room for 8 connections.
TEST_F(ApiTest, SlowHeadersAreCutAndConnectionsAreBounded) {
  server_->Kill(SIGTERM);
  ASSERT_EQ(server_->Wait(), 0);
  out_ = testing::FreshDir("docketd-guarded.out");
  server_ = std::make_unique<testing::Child>(
      std::vector<std::string>{testing::DocketdPath(), "--data_dir=" + dir_, "--listen=127.0.0.1:0",
                               "--tick_every=0", "--console_dir=", "--header_timeout=2s",
                               "--max_connections=8"},
      "/dev/null", out_, testing::FreshDir("docketd-guarded.err"));
  url_ = testing::ServingUrl(out_, 10000);
  ASSERT_FALSE(url_.empty());

  // Six clients trickle their headers, a byte every half second: each read
  // arrives well within the read timeout, the headers never end.
  std::vector<int> slow;
  for (int i = 0; i < 6; ++i) {
    const int fd = OpenSlowHeaders(url_, 1);
    ASSERT_GE(fd, 0);
    slow.push_back(fd);
  }
  // Meanwhile the server answers others.
  const Trickled trickled =
      TrickleUntilClosed(slow, std::chrono::milliseconds(500), std::chrono::seconds(8),
                         [&] { EXPECT_EQ(Curl("/healthz").status, 200); });
  EXPECT_EQ(trickled.closed, 6) << "slow headers held on";
  EXPECT_LT(trickled.seconds, 6.0);
  for (int fd : slow) close(fd);

  // Twenty connections that send nothing: beyond the eight, the newest are
  // answered 503 at once; the rest are closed within the header deadline.
  std::vector<int> idle;
  for (int i = 0; i < 20; ++i) {
    const int fd = Connect(url_, 6);
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  int busy = 0, cut = 0;
  for (int fd : idle) {
    const std::string answer = ReadUntilClosed(fd);
    if (absl::StartsWith(answer, "HTTP/1.1 503")) {
      ++busy;
      EXPECT_THAT(answer, HasSubstr("too many connections"));
      EXPECT_THAT(answer, HasSubstr("Retry-After: 1"));
    } else if (answer.empty()) {
      ++cut;
    }
    close(fd);
  }
  EXPECT_EQ(busy, 12);
  EXPECT_EQ(cut, 8);

  // Served as before; /metrics counts both.
  EXPECT_EQ(Curl("/healthz").status, 200);
  const Reply metrics = Curl("/metrics", {}, supervisor_token_);
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("docket_http_over_capacity_total 12"));
  std::smatch slow_total;
  ASSERT_TRUE(std::regex_search(metrics.body, slow_total,
                                std::regex("docket_http_slow_headers_total ([0-9]+)")));
  // The trickling six at least (an idle connection may be closed by the
  // library's own wait for a first byte before the guard gets to it).
  EXPECT_GE(std::stoi(slow_total[1]), 6);
}

// Under a slowloris attack (half the workers' worth of connections
// trickling their headers) the header deadline shrinks from 10 s to about
// a second, so the attackers hold the workers only that long; one slow
// client on a quiet server keeps the whole deadline.
TEST_F(ApiTest, ManySlowHeadersAreCutWithinAboutASecond) {
  // Trickles a byte on each every 200 ms for up to `limit`; the seconds
  // until all were closed (or `limit`).
  auto trickle = [&](std::vector<int>& fds, std::chrono::milliseconds limit) {
    const double taken = TrickleUntilClosed(fds, std::chrono::milliseconds(200), limit).seconds;
    for (int fd : fds) close(fd);
    return taken;
  };
  auto open_slow = [&](int n) {
    std::vector<int> fds;
    for (int i = 0; i < n; ++i) {
      const int fd = OpenSlowHeaders(url_, 2);
      EXPECT_GE(fd, 0);
      fds.push_back(fd);
    }
    return fds;
  };

  // One slow client alone: still connected after 3 s (the deadline is 10 s).
  std::vector<int> one = open_slow(1);
  EXPECT_GE(trickle(one, std::chrono::seconds(3)), 3.0) << "a lone slow client was cut early";

  // Forty at once (of 64 workers): all cut within about a second, while
  // the server answers others meanwhile.
  std::vector<int> many = open_slow(40);
  std::thread healthy([&] {
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(Curl("/healthz").status, 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  const double taken = trickle(many, std::chrono::seconds(8));
  healthy.join();
  EXPECT_LT(taken, 3.0) << "forty slow clients held the workers for " << taken << " s";
  EXPECT_EQ(Curl("/healthz").status, 200);
}

// The same attack on the front's route: forty connections trickle the
// head of a command, a byte every 200 ms. The front hands each to the
// library once it stalls, whose deadline then cuts them; meanwhile the
// front answers commands at once, never waiting on a slow one.
TEST_F(ApiTest, SlowCommandsDoNotHoldTheFront) {
  std::vector<int> slow;
  for (int i = 0; i < 40; ++i) {
    const int fd = OpenSlowHeaders(url_, 2, "POST /v1/commands HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    ASSERT_GE(fd, 0);
    slow.push_back(fd);
  }
  int answered = 0;
  double slowest = 0;
  const Trickled trickled =
      TrickleUntilClosed(slow, std::chrono::milliseconds(200), std::chrono::seconds(8), [&] {
        const auto started = std::chrono::steady_clock::now();
        const Reply reply =
            Curl("/v1/commands",
                 {"-X", "POST", "-H", "Content-Type: application/json", "-d",
                  absl::StrCat(R"({"commandId":"slow-)", answered, R"(","caseId":"C-SLOW-)",
                               answered, R"(","openCase":{"intake":{"channel":)",
                               R"("CHANNEL_PHONE","category":"CATEGORY_LATE",)",
                               R"("customer":{"id":"K"},"handlingBranch":"GZ"}}})")},
                 adapter_token_);
        EXPECT_EQ(reply.status, 200) << reply.body;
        answered += reply.status == 200;
        slowest = std::max(
            slowest,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      });
  for (int fd : slow) close(fd);
  EXPECT_EQ(trickled.closed, 40) << "slow commands held on";
  EXPECT_LT(trickled.seconds, 5.0);
  EXPECT_GE(answered, 3);
  EXPECT_LT(slowest, 1.0) << "a command waited behind the slow ones";
  const Reply metrics = Curl("/metrics", {}, supervisor_token_);
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(metrics.body, m, std::regex("docket_http_front_handed_off_total (\\d+)")));
  EXPECT_GE(std::stoi(m[1]), 40) << "the stalled heads went to the library";
}

// A stranger's attack on the front: a client pipelines requests (no
// token needed: each is answered 401) and reads none of the answers, until
// they fill what the kernel holds for it. The front closes it once it has
// taken no byte for the read timeout (5 s); before, it held the
// connection, and a SIGTERM's drain, for as long as the client liked.
TEST_F(ApiTest, AClientThatReadsNoAnswerIsCutAndHoldsNoDrain) {
  const int port = std::atoi(url_.substr(url_.rfind(':') + 1).c_str());
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const int small = 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::string batch;
  for (int i = 0; i < 50; ++i) {
    absl::StrAppend(&batch, "POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  }
  // Batches while the server takes them: it stops once its answers no
  // longer fit, and the last batch stays queued here.
  bool stuck = false;
  const auto started = std::chrono::steady_clock::now();
  while (!stuck && std::chrono::steady_clock::now() - started < std::chrono::seconds(20)) {
    ASSERT_EQ(send(fd, batch.data(), batch.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(batch.size()));
    stuck = true;
    for (int i = 0; i < 50 && stuck; ++i) {
      int queued = 0;
      ioctl(fd, SIOCOUTQ, &queued);
      stuck = queued > 0;
      if (stuck) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ASSERT_TRUE(stuck) << "the server read everything for 20 s";
  // Others are served meanwhile.
  EXPECT_EQ(Curl("/healthz").status, 200);
  // SIGTERM: docketd drains and exits 0 within the write timeout and a
  // little, the stuck client still connected and reading nothing.
  const auto stopping = std::chrono::steady_clock::now();
  server_->Kill(SIGTERM);
  EXPECT_EQ(server_->Wait(), 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - stopping).count();
  server_.reset();
  close(fd);
  EXPECT_LT(seconds, 9.0) << "a client that reads nothing held the drain";
}

// The server's peak resident memory (VmHWM), in MiB; -1 when unknown.
int64_t PeakResidentMib(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    int64_t kib = 0;
    if (absl::StartsWith(line, "VmHWM:") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")),
                         &kib)) {
      return kib / 1024;
    }
  }
  return -1;
}

// Header lines sent as fast as loopback carries them (each within the
// library's 8 KiB line limit, never ending): the connection is cut within
// about a scan of the guard, and the server holds tens of MB at most, not
// the hundreds it would keep until the header deadline.
TEST_F(ApiTest, EndlessHeaderLinesAreCutBeforeTheyFillMemory) {
  const int64_t peak_before = PeakResidentMib(server_->pid());
  ASSERT_GT(peak_before, 0);
  const int fd = Connect(url_, 2);
  ASSERT_GE(fd, 0);
  const std::string start = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  ASSERT_EQ(send(fd, start.data(), start.size(), MSG_NOSIGNAL), static_cast<ssize_t>(start.size()));
  std::string lines;
  for (int i = 0; i < 64; ++i) absl::StrAppend(&lines, "X-Fill: ", std::string(8000, 'a'), "\r\n");
  // Sends give up after 200 ms (a server that stops reading fills the
  // window); after each, whatever the server said, or its closing, ends it.
  timeval send_timeout{0, 200000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
  const auto started = std::chrono::steady_clock::now();
  size_t sent = 0;
  bool cut = false;
  std::string answer;
  while (!cut && std::chrono::steady_clock::now() - started < std::chrono::seconds(8)) {
    const ssize_t n = send(fd, lines.data(), lines.size(), MSG_NOSIGNAL);
    if (n > 0) sent += static_cast<size_t>(n);
    if (n <= 0 && errno != EAGAIN && errno != EWOULDBLOCK) cut = true;  // Reset.
    char buffer[1024];
    const ssize_t r = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (r > 0) answer.append(buffer, r);
    if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) cut = true;  // Answered, closed.
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  close(fd);
  EXPECT_TRUE(cut) << "8 s of header lines, " << (sent >> 20) << " MiB, and still connected";
  EXPECT_LT(seconds, 3.0);
  // Told why, unless the reset overtook the answer.
  if (!answer.empty()) {
    EXPECT_THAT(answer, HasSubstr("431 Request Header Fields Too Large"));
  }
  EXPECT_LT(sent, size_t{100} << 20);
  EXPECT_LT(PeakResidentMib(server_->pid()) - peak_before, 150)
      << "the server's peak memory grew with the headers it was sent (" << (sent >> 20)
      << " MiB sent)";
  EXPECT_EQ(Curl("/healthz").status, 200);
  const Reply metrics = Curl("/metrics", {}, supervisor_token_);
  EXPECT_THAT(metrics.body, HasSubstr("docket_http_large_headers_total 1"));
  // A request with ordinary headers is served as before.
  EXPECT_EQ(Curl("/healthz", {"-H", "X-Ordinary: " + std::string(6000, 'b')}).status, 200);
}

// Sign-ins flooding in at once, each for a principal nobody knows (a
// stranger's attack: each is a password hash, 32 MB and a quarter second of
// a core, and 40 at once took the server to 1.6 GB): they are hashed two
// at a time with sixteen waiting, the rest answered 503 at once, so the
// server's memory stays bounded; a person signs in afterwards.
TEST_F(ApiTest, SignInFloodsAreHashedAFewAtATime) {
  const int64_t peak_before = PeakResidentMib(server_->pid());
  ASSERT_GT(peak_before, 0);
  std::atomic<int> unauthenticated{0}, busy{0}, other{0};
  std::vector<std::thread> floods;
  for (int i = 0; i < 40; ++i) {
    floods.emplace_back([&, i] {
      const std::string body = absl::StrCat(R"({"principalId":"FLOOD-)", i, R"(","password":"x"})");
      const std::string answer =
          RawExchange(url_,
                      absl::StrCat("POST /v1/sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                   "Content-Type: application/json\r\nContent-Length: ",
                                   body.size(), "\r\n\r\n"),
                      body);
      if (absl::StartsWith(answer, "HTTP/1.1 401")) {
        ++unauthenticated;
      } else if (absl::StartsWith(answer, "HTTP/1.1 503") &&
                 absl::StrContains(answer, "too many sign-ins at once")) {
        ++busy;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& t : floods) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_GE(unauthenticated.load(), 2);
  EXPECT_GT(busy.load(), 0) << "forty sign-ins at once all waited for a hash";
  EXPECT_LT(PeakResidentMib(server_->pid()) - peak_before, 300)
      << "the server's peak memory grew with the sign-ins hashed at once";
  EXPECT_FALSE(Login("E-101").empty());
}

// Requests whose body length could be read two ways (a stranger's
// smuggling attempts: a front end reading one way and docketd the other
// would take the body's rest as another request) are refused and their
// connection closed: the request hidden in the body is never answered.
TEST_F(ApiTest, AmbiguousBodyLengthsAreRefusedAndNothingIsSmuggled) {
  const std::string hidden = "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n";
  const struct {
    const char* head;
    const char* body;
    const char* status;
  } cases[] = {
      {"POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
       "Transfer-Encoding: chunked\r\n\r\n",
       "0\r\n\r\n", "HTTP/1.1 400"},
      {"POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
       "Transfer-Encoding: xchunked\r\n\r\n",
       "hello", "HTTP/1.1 400"},
      {"POST /v1/commands HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "",
       "HTTP/1.1 501"},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0x41\r\n\r\n", "", "HTTP/1.1 400"},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: +66\r\n\r\n", "", "HTTP/1.1 400"},
  };
  for (const auto& c : cases) {
    const int fd = Connect(url_, 5);
    ASSERT_GE(fd, 0);
    // The hidden request in a segment of its own, as the stranger sent it
    // (the library drops what follows a request in the same read).
    const std::string request = absl::StrCat(c.head, c.body);
    ASSERT_EQ(send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    send(fd, hidden.data(), hidden.size(), MSG_NOSIGNAL);  // Fails once closed.
    const std::string answer = ReadUntilClosed(fd);
    close(fd);
    EXPECT_TRUE(absl::StartsWith(answer, c.status)) << c.head << "\n" << answer;
    EXPECT_THAT(answer, Not(HasSubstr("(open)"))) << c.head << ": the connection stayed open";
    EXPECT_THAT(answer, Not(HasSubstr("ready"))) << c.head << ": the hidden request was answered";
    EXPECT_EQ(answer.find("HTTP/1.1", 1), std::string::npos) << c.head << ": two answers";
  }
  // A plain chunked command is refused for its framing (411: a body
  // comes with its length), and a plain Content-Length is taken.
  EXPECT_EQ(Curl("/healthz").status, 200);
  const Reply chunked = Curl("/v1/commands",
                             {"-X", "POST", "-H", "Transfer-Encoding: chunked", "-H",
                              "Content-Type: application/json", "--data-binary", "{}"},
                             adapter_token_);
  EXPECT_EQ(chunked.status, 411);
  EXPECT_THAT(chunked.body, HasSubstr("Content-Length"));
  const Reply plain = Curl("/v1/commands", {"-X", "POST", "-d", "{}"}, adapter_token_);
  EXPECT_EQ(plain.status, 400);
  EXPECT_THAT(plain.body, HasSubstr("RULE_MALFORMED_COMMAND"));
}

// Event streams hold a worker each, so they are bounded: sixteen in all,
// and eight of one principal's, so that one principal cannot take them all
// (a stranger opened all sixteen as one person).
TEST_F(ApiTest, OnePrincipalCannotTakeEveryEventStream) {
  const std::string handler = Login("E-101");
  const std::string supervisor = Login("S-GZ");
  ASSERT_FALSE(handler.empty());
  ASSERT_FALSE(supervisor.empty());
  // The status line of a stream's answer, the connection left open.
  std::vector<int> open;
  auto stream = [&](const std::string& token) {
    const int fd = Connect(url_, 5);
    if (fd < 0) return std::string("connect failed");
    const std::string ask = absl::StrCat(
        "GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ", token, "\r\n\r\n");
    send(fd, ask.data(), ask.size(), MSG_NOSIGNAL);
    std::string answer;
    char buffer[2048];
    // The headers, and a refusal's body (its Content-Length), which may
    // come in a later segment.
    const auto complete = [&answer] {
      const size_t end = answer.find("\r\n\r\n");
      if (end == std::string::npos) return false;
      std::smatch m;
      const std::string head = answer.substr(0, end);
      if (!std::regex_search(head, m, std::regex("Content-Length: (\\d+)"))) return true;
      return answer.size() >= end + 4 + std::stoul(m[1]);
    };
    while (!complete()) {
      const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      answer.append(buffer, n);
    }
    open.push_back(fd);
    return answer;
  };
  for (int i = 0; i < 8; ++i) {
    EXPECT_TRUE(absl::StartsWith(stream(handler), "HTTP/1.1 200")) << "stream " << i;
  }
  const std::string ninth = stream(handler);
  EXPECT_TRUE(absl::StartsWith(ninth, "HTTP/1.1 503")) << ninth;
  EXPECT_THAT(ninth, HasSubstr("E-101 has 8 event streams open already"));
  // Another principal still gets one.
  EXPECT_TRUE(absl::StartsWith(stream(supervisor), "HTTP/1.1 200"));
  // A client that goes frees its place within a keep-alive or two (5 s
  // each), not at the next event.
  close(open[0]);
  open[0] = -1;
  const auto closed_at = std::chrono::steady_clock::now();
  bool reopened = false;
  while (!reopened && std::chrono::steady_clock::now() - closed_at < std::chrono::seconds(15)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    reopened = absl::StartsWith(stream(handler), "HTTP/1.1 200");
  }
  EXPECT_TRUE(reopened) << "a closed stream kept its place for 15 s";
  for (int fd : open) {
    if (fd >= 0) close(fd);
  }
}

// Idle keep-alive connections are not an attack: forty of them, each
// answered once, neither shorten a slow client's deadline nor are cut
// before the library's own keep-alive wait (2 s).
TEST_F(ApiTest, IdleKeepAliveConnectionsDoNotShortenTheHeaderDeadline) {
  std::vector<int> idle;
  for (int i = 0; i < 40; ++i) {
    const int fd = Connect(url_, 2);
    ASSERT_GE(fd, 0);
    const std::string ask = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(send(fd, ask.data(), ask.size(), MSG_NOSIGNAL), static_cast<ssize_t>(ask.size()));
    char answer[512];
    ASSERT_GT(recv(fd, answer, sizeof(answer), 0), 0);
    idle.push_back(fd);
  }
  const int slow = OpenSlowHeaders(url_, 2);
  ASSERT_GE(slow, 0);
  const Trickled trickled =
      TrickleUntilClosed({slow}, std::chrono::milliseconds(200), std::chrono::milliseconds(1700));
  EXPECT_EQ(trickled.closed, 0) << "idle keep-alive connections shortened a slow client's deadline";
  int idle_cut = 0;
  for (int fd : idle) {
    char b;
    idle_cut += recv(fd, &b, 1, MSG_DONTWAIT) == 0;
    close(fd);
  }
  EXPECT_EQ(idle_cut, 0) << "idle keep-alive connections cut before 2 s";
  close(slow);
}

// The request log says who did what, on every authenticated route, and
// never holds a token or a password.
TEST_F(ApiTest, TheRequestLogSaysWhoWithoutSecrets) {
  const std::string token = Login("E-101");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(Curl("/v1/cases/C-2026-0002", {}, token).status, 200);
  EXPECT_EQ(Curl("/v1/cases/C-2026-0002/history", {}, token).status, 200);
  EXPECT_EQ(Curl("/v1/cases?limit=5", {}, token).status, 200);
  EXPECT_EQ(Curl("/v1/events?from=1&follow=false", {}, token).status, 200);
  EXPECT_EQ(Curl("/v1/report", {}, supervisor_token_).status, 200);
  EXPECT_EQ(Curl("/v1/cases/C-2026-0002", {}, "dkt_0123456789abcdef_forged").status, 401);
  EXPECT_EQ(Login("E-101", "wrong-password"), "");
  server_->Kill(SIGTERM);
  ASSERT_EQ(server_->Wait(), 0);
  server_ = nullptr;
  const std::string log = testing::ReadFileOrDie(err_);
  for (const char* line :
       {"GET /v1/cases/C-2026-0002 200 E-101", "GET /v1/cases/C-2026-0002/history 200 E-101",
        "GET /v1/cases 200 E-101", "GET /v1/events 200 E-101", "GET /v1/report 200 E-300",
        "POST /v1/sessions 201 E-101", "GET /v1/cases/C-2026-0002 401 -"}) {
    EXPECT_THAT(log, HasSubstr(line));
  }
  for (const std::string& secret :
       // The secret is all after "dkt_<16 hex>_" (it may hold '_' itself).
       {token, token.substr(4 + 16 + 1), supervisor_token_, std::string("docket-demo"),
        std::string("wrong-password"), std::string("forged")}) {
    EXPECT_THAT(log, Not(HasSubstr(secret)));
  }
}

// A step decided after a deadline mark fell due, before the scanner's next
// tick, comes after the mark in the case's history: docketd records the
// marks due on a group's cases before deciding the group. The intake,
// backdated 23 hours as an adapter may, has clocks whose warnings fell due
// meanwhile; the next tick is an hour away.
TEST_F(ApiTest, AStepNeverPrecedesAMarkDueBeforeIt) {
  Restart({"--tick_every=1h"});
  const std::string handler = Login("E-101");
  ASSERT_FALSE(handler.empty());
  const Reply opened = OpenLateComplaintADayAgo("marks-1", "C-MARKS-1");
  ASSERT_EQ(opened.status, 200) << opened.body;
  const Reply acknowledged =
      Curl("/v1/commands",
           {"-d",
            R"({"commandId":"marks-2","caseId":"C-MARKS-1","acknowledge":{"note":"called back"}})"},
           handler);
  ASSERT_EQ(acknowledged.status, 200) << acknowledged.body;
  const Reply history = Curl("/v1/cases/C-MARKS-1/history", {}, handler);
  ASSERT_EQ(history.status, 200) << history.body;
  // Each entry's event names one command and one time, in revision order.
  std::vector<std::string> commands, times;
  const std::regex command_id("\"commandId\":\"([^\"]+)\""),
      occurred_at("\"occurredAt\":\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(history.body.begin(), history.body.end(), command_id);
       it != std::sregex_iterator(); ++it) {
    commands.push_back((*it)[1]);
  }
  for (auto it = std::sregex_iterator(history.body.begin(), history.body.end(), occurred_at);
       it != std::sregex_iterator(); ++it) {
    times.push_back((*it)[1]);
  }
  ASSERT_EQ(commands.size(), times.size()) << history.body;
  ASSERT_GE(commands.size(), 3u) << history.body;
  EXPECT_EQ(commands.front(), "marks-1");
  EXPECT_EQ(commands.back(), "marks-2");
  // Between them, docket's marks (the report upward's 50 and 75 % at least,
  // a calendar day's clock); no event occurs before the one before it.
  absl::Time last = absl::InfinitePast();
  for (size_t i = 0; i < commands.size(); ++i) {
    if (i > 0 && i + 1 < commands.size()) {
      EXPECT_THAT(commands[i], StartsWith("deadline:C-MARKS-1:"));
    }
    absl::Time at;
    std::string error;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, times[i], &at, &error)) << error;
    EXPECT_GE(at, last) << commands[i];
    last = at;
  }
}

// A preview is decided as the commit would be, after the marks due before
// it, and commits nothing, the marks included: on a case whose
// report-upward warnings fell due an hour after its intake, a previewed
// acknowledgement comes after them (its revision past theirs) and leaves
// the history at the intake alone; the acknowledgement itself records
// them first, and lands at the revision the preview said.
TEST_F(ApiTest, APreviewIsDecidedAfterTheMarksDueButRecordsNone) {
  Restart({"--tick_every=1h"});
  const std::string handler = Login("E-101");
  ASSERT_FALSE(handler.empty());
  const Reply opened = OpenLateComplaintADayAgo("pmarks-1", "C-PMARKS-1");
  ASSERT_EQ(opened.status, 200) << opened.body;
  const auto entries = [&] {
    const Reply history = Curl("/v1/cases/C-PMARKS-1/history", {}, handler);
    EXPECT_EQ(history.status, 200) << history.body;
    const std::regex command_id("\"commandId\":\"([^\"]+)\"");
    return std::distance(std::sregex_iterator(history.body.begin(), history.body.end(), command_id),
                         std::sregex_iterator());
  };
  ASSERT_EQ(entries(), 1);
  const Reply preview =
      Curl("/v1/cases/C-PMARKS-1/preview",
           {"-X", "POST", "-d", R"({"acknowledge":{"note":"called back"}})"}, handler);
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(entries(), 1) << "a preview recorded the marks due before it";
  const std::regex revision("\"revision\":\"([0-9]+)\"");
  std::smatch previewed;
  ASSERT_TRUE(std::regex_search(preview.body, previewed, revision)) << preview.body;
  EXPECT_GE(std::stoi(previewed[1]), 4) << "not decided after the marks: " << preview.body;
  const Reply acknowledged = Curl("/v1/commands",
                                  {"-d", R"({"commandId":"pmarks-2","caseId":"C-PMARKS-1",)"
                                         R"("acknowledge":{"note":"called back"}})"},
                                  handler);
  ASSERT_EQ(acknowledged.status, 200) << acknowledged.body;
  EXPECT_GE(entries(), 4);  // The intake, two warnings at least, the step.
  std::smatch committed;
  ASSERT_TRUE(std::regex_search(acknowledged.body, committed, revision)) << acknowledged.body;
  EXPECT_EQ(committed[1], previewed[1]);
}

// awaiting=me: the proposals the caller may approve now, as the engine's
// AvailableActions has it: headquarters approves C-2026-0007's and
// C-2026-0005's, GZ's supervisor C-2026-0005's (its branch's); a handler
// and the auditor approve none.
TEST_F(ApiTest, TheQueueListsTheProposalsAwaitingTheCallersApproval) {
  const auto awaiting = [&](const std::string& token) {
    const Reply r = Curl("/v1/cases?awaiting=me", {}, token);
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> ids;
    const std::regex id("\"caseId\":\"([^\"]+)\"");
    for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), id);
         it != std::sregex_iterator(); ++it) {
      ids.insert((*it)[1]);
    }
    return ids;
  };
  EXPECT_EQ(awaiting(supervisor_token_), (std::set<std::string>{"C-2026-0005", "C-2026-0007"}));
  EXPECT_EQ(awaiting(Login("S-GZ")), std::set<std::string>{"C-2026-0005"});
  EXPECT_TRUE(awaiting(Login("E-101")).empty());
  EXPECT_TRUE(awaiting(Login("A-100")).empty());
  EXPECT_EQ(Curl("/v1/cases?awaiting=you", {}, supervisor_token_).status, 400);
}

}  // namespace
}  // namespace docket
