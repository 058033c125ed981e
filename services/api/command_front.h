#ifndef DOCKET_SERVICES_API_COMMAND_FRONT_H_
#define DOCKET_SERVICES_API_COMMAND_FRONT_H_

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/api/connection_guard.h"

namespace docket::api {

// What the front makes of the bytes waiting at the head of a connection.
struct Framed {
  enum class Kind {
    kIncomplete,  // Not all of a request yet.
    kServe,       // A POST /v1/commands the front serves: head and body whole.
    kHandOff,     // Anything else: the HTTP library serves the connection.
  };
  Kind kind = Kind::kIncomplete;
  size_t head_bytes = 0;  // Through the blank line.
  size_t body_bytes = 0;
  // The header fields as sent, values without surrounding whitespace.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Pure. A request the front serves is one it reads exactly as the HTTP
// library would, and whose answer the library's route would give: exactly
// "POST /v1/commands HTTP/1.1"; header fields of token names and visible
// ASCII values, at most 100 of them; one Content-Length of plain digits,
// at most `max_body_bytes`; at most one Authorization; no Transfer-Encoding,
// Expect, Upgrade, or Connection but keep-alive; a JSON body (not NDJSON)
// naming no password (hashed at the edge, on a worker). Everything else,
// well formed or not, is the library's to answer, with its own checks.
Framed Frame(absl::string_view bytes, uint64_t max_body_bytes);

// One request the front read, and its answer.
struct Exchange {
  httplib::Request req;
  httplib::Response res;
  // Called once `res` holds the answer, from any thread, exactly once.
  std::function<void()> done;
};

// docketd's front for the hot route, POST /v1/commands, on plain HTTP.
// One thread accepts every connection and reads requests without a thread
// of its own each (epoll): a command waits for its group's commit on no
// thread, and its answer goes out in one write. cpp-httplib 0.11 gives
// every connection a worker thread for its life and polls before each read
// and write: with 64 keep-alive clients, the switches between those
// threads cost more than deciding the commands.
//
// The front reads a request only by looking (MSG_PEEK) until it has all of
// it and knows it serves it (Frame); a request it does not serve is left
// unread, and the connection, from that request on, is handed to the
// library (`hand_off`), whose routes, limits and checks answer it as they
// answer every other. So is a connection that has sent part of a request
// and stalled for `stall_limit`; one idle for `keep_alive` is closed.
// Each request it serves is told to the connection guard (HeadersRead,
// Answered via `log`) as the library's are.
//
// Thread safety: Stop may be called from any thread; the hooks run on the
// front's thread, `Exchange::done` from any.
class CommandFront {
 public:
  struct Options {
    uint64_t max_body_bytes = 1 << 20;
    absl::Duration keep_alive = absl::Seconds(2);
    absl::Duration stall_limit = absl::Seconds(1);
  };
  struct Hooks {
    // Serves a request Frame said to serve: calls its done once answered.
    std::function<void(std::shared_ptr<Exchange>)> serve;
    // The request log (and the guard's Answered): once per request served.
    std::function<void(const httplib::Request&, const httplib::Response&)> log;
    // The library serves connection `fd` from here on, and closes it.
    std::function<void(int fd)> hand_off;
    ConnectionGuard* guard = nullptr;  // May be null.
  };
  struct Stats {
    int64_t served = 0;      // Requests answered by the front.
    int64_t handed_off = 0;  // Connections given to the library.
  };

  // Takes `listening_fd` (bound and listening; closed by Stop).
  CommandFront(int listening_fd, Options options, Hooks hooks);
  ~CommandFront();  // Stops.
  CommandFront(const CommandFront&) = delete;
  CommandFront& operator=(const CommandFront&) = delete;

  void Start();
  // Stops accepting and reading; the requests in flight are answered, then
  // every connection the front holds is closed.
  void Stop();

  Stats stats() const;

 private:
  struct Connection {
    int fd = -1;
    std::string addr;
    int port = 0;
    std::string peer;  // ConnectionGuard::PeerName.
    bool in_flight = false;
    bool close_after = false;
    std::string out;  // Answer bytes not yet sent.
    absl::Time waiting_since;
  };

  void Run();
  void Accept();
  void Look(uint64_t id);
  void Serve(uint64_t id, const Framed& framed);
  void Flush(uint64_t id);
  void Answered();
  void Sweep(absl::Time now);
  void Close(uint64_t id);
  void HandOff(uint64_t id);
  void Wake();

  const int listening_fd_;
  const Options options_;
  const Hooks hooks_;
  int epoll_ = -1;
  int wake_ = -1;  // eventfd: answers ready, or Stop.

  // The front thread's.
  std::map<uint64_t, Connection> connections_;
  uint64_t next_id_ = 2;  // 0: the listening socket; 1: `wake_`.
  bool draining_ = false;
  bool out_of_descriptors_ = false;
  std::vector<char> look_;  // What Look peeks into.

  mutable std::mutex mu_;
  std::vector<std::pair<uint64_t, std::shared_ptr<Exchange>>> answered_;  // Under mu_.
  Stats stats_;                                                           // Under mu_.
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace docket::api

#endif  // DOCKET_SERVICES_API_COMMAND_FRONT_H_
