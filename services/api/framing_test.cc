#include "services/api/framing.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace docket::api {
namespace {

constexpr uint64_t kMaxBody = 1 << 20;
constexpr char kBody[] = R"({"command_id":"c-1","case_id":"C-1","acknowledge":{}})";

std::string Command(const std::string& fields, const std::string& body = kBody) {
  return absl::StrCat("POST /v1/commands HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                      "Authorization: Bearer dkt_0123456789abcdef_secret\r\n", fields,
                      "Content-Type: application/json\r\nContent-Length: ", body.size(), "\r\n\r\n",
                      body);
}

Framed::Kind KindOf(const std::string& bytes) { return Frame(bytes, kMaxBody).kind; }

TEST(FrameTest, ServesACommandWhoseHeadAndBodyHaveAllCome) {
  const std::string request = Command("");
  const Framed framed = Frame(request, kMaxBody);
  ASSERT_EQ(framed.kind, Framed::Kind::kServe);
  EXPECT_EQ(framed.head_bytes + framed.body_bytes, request.size());
  EXPECT_EQ(request.substr(framed.head_bytes), kBody);
  ASSERT_EQ(framed.headers.size(), 4u);
  EXPECT_EQ(framed.headers[1].first, "Authorization");
  EXPECT_EQ(framed.headers[1].second, "Bearer dkt_0123456789abcdef_secret");
  // Another request behind it is left for the next look.
  EXPECT_EQ(Frame(request + request, kMaxBody).head_bytes, framed.head_bytes);
  EXPECT_EQ(KindOf(Command("Connection: keep-alive\r\n")), Framed::Kind::kServe);
}

TEST(FrameTest, WaitsForTheRestOfARequest) {
  const std::string request = Command("");
  for (size_t cut : {size_t{1}, size_t{20}, request.find("\r\n\r\n") + 2, request.size() - 1}) {
    EXPECT_EQ(KindOf(request.substr(0, cut)), Framed::Kind::kIncomplete) << cut;
  }
  EXPECT_EQ(KindOf(""), Framed::Kind::kIncomplete);
}

// Whatever the front does not serve exactly as the library's route would
// is the library's: other routes and methods, and every way of framing a
// body that the library's checks refuse or read differently.
TEST(FrameTest, HandsTheLibraryEverythingElse) {
  for (const std::string& bytes : {
           std::string("GET /v1/cases HTTP/1.1\r\nHost: x\r\n\r\n"),
           std::string("POST /v1/commands?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"),
           std::string("POST /v1/commands HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}"),
           std::string("POST /v1/cases/C-1/preview HTTP/1.1\r\n"),
           std::string("post /v1/commands HTTP/1.1\r\n"),
           std::string("PUT"),
       }) {
    EXPECT_EQ(KindOf(bytes), Framed::Kind::kHandOff) << bytes;
  }
  const std::string head = "POST /v1/commands HTTP/1.1\r\nHost: x\r\n";
  for (const std::string& fields : {
           std::string("Content-Length: 2\r\nContent-Length: 2\r\n"),
           std::string("Content-Length: +2\r\n"),
           std::string("Content-Length: 2, 2\r\n"),
           std::string("Content-Length: 0x2\r\n"),
           std::string("Content-Length:\r\n"),
           absl::StrCat("Content-Length: ", kMaxBody + 1, "\r\n"),
           std::string("Content-Length: 99999999999999999999\r\n"),
           std::string("Transfer-Encoding: chunked\r\n"),
           std::string("Content-Length: 2\r\nTransfer-Encoding: chunked\r\n"),
           std::string("Content-Length: 2\r\nExpect: 100-continue\r\n"),
           std::string("Content-Length: 2\r\nConnection: close\r\n"),
           std::string("Content-Length: 2\r\nUpgrade: h2c\r\n"),
           std::string("Content-Length: 2\r\nContent-Type: application/x-ndjson\r\n"),
           std::string("Content-Length: 2\r\nAuthorization: a\r\nAuthorization: b\r\n"),
           std::string("Content-Length: 2\r\nX-Note: a\x01z\r\n"),
           std::string("Content-Length: 2\r\nX-Note: caf\xc3\xa9\r\n"),
           std::string("Content-Length: 2\r\nX Note: a\r\n"),
           std::string("Content-Length: 2\r\n folded\r\n"),
           std::string("Content-Length: 2\r\n: no name\r\n"),
           std::string("Content-Length: 2\r\nno colon\r\n"),
           std::string("Content-Length: 2\r\nX-Note\n: a\r\n"),
           std::string(""),  // No Content-Length: the library answers 411.
           // The library decodes a percent-encoded value, inflates a body,
           // compresses an answer, cuts one to ranges.
           std::string("Content-Length: 2\r\nContent-Type: application%2Fx-ndjson\r\n"),
           std::string("Content-Length: 2\r\nAuthorization: Bearer%20dkt_x\r\n"),
           std::string("Content-Length: 2\r\nContent-Encoding: gzip\r\n"),
           std::string("Content-Length: 2\r\nAccept-Encoding: gzip\r\n"),
           std::string("Content-Length: 2\r\nRange: bytes=0-1\r\n"),
       }) {
    EXPECT_EQ(KindOf(absl::StrCat(head, fields, "\r\n{}")), Framed::Kind::kHandOff) << fields;
  }
  std::string many;
  for (int i = 0; i < 100; ++i) absl::StrAppend(&many, "X-", i, ": v\r\n");
  EXPECT_EQ(KindOf(Command(many)), Framed::Kind::kHandOff) << "over 100 fields";
  // A head longer than the library's line limit, whole or not.
  const std::string long_field = absl::StrCat("X-Long: ", std::string(8200, 'a'), "\r\n");
  EXPECT_EQ(KindOf(Command(long_field)), Framed::Kind::kHandOff);
  EXPECT_EQ(KindOf(Command(long_field).substr(0, 8300)), Framed::Kind::kHandOff);
}

// While a request is incomplete, Frame says how much of it is to come
// once its head has: the front looks again only when that much waits.
TEST(FrameTest, SaysHowLongAnIncompleteRequestIs) {
  const std::string request = Command("");
  const Framed head_only = Frame(request.substr(0, request.find("\r\n\r\n") + 4), kMaxBody);
  EXPECT_EQ(head_only.kind, Framed::Kind::kIncomplete);
  EXPECT_EQ(head_only.head_bytes + head_only.body_bytes, request.size());
  EXPECT_EQ(Frame(request.substr(0, 30), kMaxBody).head_bytes, 0u);
}

}  // namespace
}  // namespace docket::api
