#ifndef DOCKET_SERVICES_API_CONNECTION_GUARD_H_
#define DOCKET_SERVICES_API_CONNECTION_GUARD_H_

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace docket::api {

// Bounds what cpp-httplib 0.11 does not: how long a connection may take
// to send a request's headers, and how many connections may be open at
// once. The library gives a worker thread to each connection and reads its
// headers with a timeout per read, so a client that trickles a byte every
// few seconds holds that worker for as long as it likes, and connections
// beyond the workers wait unanswered.
//
// The guard watches the server's connections from its own thread: the open
// sockets of this process on the listening socket's port (from
// /proc/self/fd). A connection is waiting for headers from the moment it is
// first seen, and again after each answer, until the server's pre-routing
// says it has read a request's headers (HeadersRead); from then until the
// answer is logged (Answered) it is in a request, whose body the routes
// bound themselves. A connection waiting for headers longer than
// `header_timeout` is shut down (the worker's read ends; the library
// closes it). When more than `max_connections` are open, those that have
// not sent a request yet are answered 503 (plain HTTP; with TLS they are
// shut down) and shut down until the bound holds: the newest first, and
// those whose whole request waits to be read last.
//
// Connections are told apart by their peer's address and port, the only
// names the library's requests carry. The guard works on duplicates of the
// descriptors it lists, so a descriptor the server closes and reuses
// meanwhile is never touched. A connection whose whole header block is
// waiting unread (queued behind busy workers), or every byte of which since
// it began waiting is unread (no worker has it), is not slow. While half
// the workers' worth of connections or more are in the middle of sending
// their headers (bytes came since they began waiting, and a worker has
// read them: a slowloris attack; idle keep-alive clients do not count),
// the deadline of those is `busy_header_timeout`: a slow client then holds
// a worker for about a second, not ten. One slow client on a quiet server
// keeps the full deadline. Not on TLS, whose bytes say nothing until
// decrypted.
//
// The library bounds each header line (8 KiB), not their number: a client
// could send header lines as fast as loopback carries them, and the
// server would keep them all until the deadline (hundreds of MB from one
// connection). A connection whose server has read more than
// `max_header_bytes` since it began waiting for headers is answered 431
// (plain HTTP) and shut down at the next look, so what one can make the
// server hold is bounded by what arrives between two looks.
//
// Thread safety: HeadersRead and Answered may be called from any thread.
class ConnectionGuard {
 public:
  struct Options {
    // Default: 10 s to send a request's whole header block.
    absl::Duration header_timeout = absl::Seconds(10);
    // Default: 64, the server's worker threads. Once half of that many
    // connections are waiting for headers at once (slow clients taking the
    // workers), the deadline is `busy_header_timeout` instead.
    int workers = 64;
    // Default: 1 s to send the header block while the workers are taken.
    absl::Duration busy_header_timeout = absl::Seconds(1);
    // Default: 512 connections open at once.
    int max_connections = 512;
    // Default: 64 KiB read for one request's headers at most.
    uint64_t max_header_bytes = 64 << 10;
    // Default: the sockets are looked at four times a second.
    absl::Duration scan_every = absl::Milliseconds(250);
    bool tls = false;  // No plain-text 503 on a TLS connection.
  };
  struct Stats {
    int64_t open = 0;           // At the last scan.
    int64_t slow_headers = 0;   // Shut down: headers too slow.
    int64_t over_capacity = 0;  // Answered 503: too many connections.
    int64_t large_headers = 0;  // Answered 431: headers too large.
  };

  // Starts watching the connections accepted on `listening_fd`.
  ConnectionGuard(int listening_fd, Options options);
  ~ConnectionGuard();  // Stops watching.
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // The server has read the headers of a request from `peer` ("ADDR:PORT",
  // as PeerName makes it from the request's remote_addr and remote_port);
  // false when the guard has shut the connection down (refuse the request:
  // nothing of it may be done). Answered: the server has answered it.
  bool HeadersRead(const std::string& peer);
  void Answered(const std::string& peer);

  static std::string PeerName(const std::string& addr, int port);
  // A socket address as the HTTP library names a peer: numeric host and
  // port; nullopt when it names none. The front names its peers so too.
  static std::optional<std::pair<std::string, int>> NumericName(const sockaddr_storage& addr,
                                                                socklen_t len);
  // The port socket `fd` is bound to; -1 when none.
  static int LocalPort(int fd);

  Stats stats() const;

 private:
  struct Connection {
    absl::Time waiting_since;  // Infinite future while in a request.
    bool served = false;       // It has had an answer.
    bool shut = false;         // Shut down by the guard; the library closes it.
    absl::Time first_seen;
    absl::Time touched;  // Last listed, or told of by the server.
    // The bytes it had received when it began waiting (as first seen by a
    // scan after that); unset until then.
    std::optional<uint64_t> baseline;
  };

  void Run();
  // One look at the sockets: the thread's work.
  void Scan(absl::Time now);

  const int listening_fd_;
  const Options options_;
  int port_ = -1;  // The listening socket's.

  mutable absl::Mutex mu_;
  std::map<std::string, Connection> connections_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace docket::api

#endif  // DOCKET_SERVICES_API_CONNECTION_GUARD_H_
