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

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/api/connection_guard.h"
#include "services/api/framing.h"

namespace docket::api {

// One request the front read, and its answer.
struct Exchange {
  httplib::Request req;
  httplib::Response res;
  // Called exactly once, from any thread, once the answer is decided;
  // then `finish`, when set, on the front's thread, before `res` is sent.
  std::function<void()> done;
  std::function<void()> finish;
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
// answer every other. So is a connection whose request began arriving
// `stall_limit` ago and is not whole; one idle for `keep_alive` is closed,
// and one that takes no byte of its answer for `write_timeout`. Each
// request it serves is told to the connection guard (HeadersRead, and
// Answered via `log`) as the library's are.
//
// Stop drains: no connection is accepted or request read any more, every
// request being served is answered (the front waits for each one's done,
// whether or not its client is still there), then all is closed.
//
// Thread safety: Start and Stop may be called from any thread; the hooks
// run on the front's thread, `Exchange::done` from any.
class CommandFront {
 public:
  struct Options {
    // Default: 1 MiB, docketd's limit for a command's body (--max_body_bytes).
    uint64_t max_body_bytes = 1 << 20;
    // Default: 2 s idle, as the library keeps a connection alive.
    absl::Duration keep_alive = absl::Seconds(2);
    // Default: 1 s from when a request's first byte was seen to its last.
    absl::Duration stall_limit = absl::Seconds(1);
    // Default: 5 s without a byte of an answer taken, as the library's
    // write timeout.
    absl::Duration write_timeout = absl::Seconds(5);
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

  // Serves `listening_fd` (bound, listening, non-blocking; the front's to
  // close) from Start on.
  static absl::StatusOr<std::unique_ptr<CommandFront>> Create(int listening_fd, Options options,
                                                              Hooks hooks);
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
    std::string out;                                     // Answer bytes not yet sent.
    absl::Time waiting_since;                            // Since the last answer.
    absl::Time arriving_since = absl::InfiniteFuture();  // A request's first byte.
    absl::Time sent_at;                                  // The last byte of `out` taken.
    size_t need = 0;  // Bytes waiting before looking again is worth it.
  };

  CommandFront(int listening_fd, Options options, Hooks hooks, int epoll, int wake);

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
  void Watch(bool listening);

  int listening_fd_;  // -1 once closed, when draining.
  const Options options_;
  const Hooks hooks_;
  const int epoll_;
  const int wake_;  // eventfd: answers ready, or Stop.

  // The front thread's.
  std::map<uint64_t, Connection> connections_;
  uint64_t next_id_ = 2;  // 0: the listening socket; 1: `wake_`.
  bool draining_ = false;
  int64_t outstanding_ = 0;  // Exchanges served, not yet answered.
  bool accepting_ = true;    // Out of descriptors: not until the next sweep.
  std::vector<char> look_;   // What Look peeks into.

  mutable absl::Mutex mu_;
  std::vector<std::pair<uint64_t, std::shared_ptr<Exchange>>> answered_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::mutex lifecycle_mu_;  // Start and Stop: no thread starts once stopped.
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace docket::api

#endif  // DOCKET_SERVICES_API_COMMAND_FRONT_H_
