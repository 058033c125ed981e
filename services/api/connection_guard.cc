#include "services/api/connection_guard.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"

namespace docket::api {
namespace {

// What the guard answers before it shuts a connection down: the
// Rejection's JSON under `status`, the connection closing.
std::string ClosingAnswer(absl::string_view status, absl::string_view code,
                          absl::string_view reason, absl::string_view headers = "") {
  const std::string body = absl::StrCat(R"({"rule":"RULE_UNSPECIFIED","code":")", code,
                                        R"(","reason":")", reason, R"("})");
  return absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: application/json\r\n", headers,
                      "Connection: close\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
}

// The answer to a connection over the bound.
const std::string& Busy() {
  static const std::string* const kBusy =
      new std::string(ClosingAnswer("503 Service Unavailable", "UNAVAILABLE",
                                    "too many connections; retry soon", "Retry-After: 1\r\n"));
  return *kBusy;
}

// The answer to a connection whose headers grew too large.
const std::string& TooLarge() {
  static const std::string* const kTooLarge = new std::string(ClosingAnswer(
      "431 Request Header Fields Too Large", "INVALID_ARGUMENT", "request headers too large"));
  return *kTooLarge;
}

// The peer of a connected socket, named as the HTTP library names it;
// nullopt for anything else.
std::optional<std::string> Peer(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return std::nullopt;
  std::optional<std::pair<std::string, int>> name = ConnectionGuard::NumericName(addr, len);
  if (!name) return std::nullopt;
  return ConnectionGuard::PeerName(name->first, name->second);
}

// A socket of this process accepted on the server's port, held by a
// duplicate of its descriptor: whatever the server does with its own
// descriptor meanwhile, the guard acts on the socket it looked at.
struct Socket {
  int fd = -1;  // The guard's duplicate; closed by the scan.
  std::string peer;
  // Its request's whole header block is waiting in the kernel, unread: it
  // is queued behind busy workers, not slow.
  bool headers_waiting = false;
  // Bytes received on the connection so far, and those not yet read by
  // the server; nullopt where the kernel does not say.
  std::optional<uint64_t> received;
  uint64_t unread = 0;
};

// The bytes a TCP connection has received so far (TCP_INFO).
std::optional<uint64_t> BytesReceived(int fd) {
  tcp_info info{};
  socklen_t len = sizeof(info);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
      len < offsetof(tcp_info, tcpi_bytes_received) + sizeof(info.tcpi_bytes_received)) {
    return std::nullopt;
  }
  return info.tcpi_bytes_received;
}

uint64_t BytesUnread(int fd) {
  int unread = 0;
  return ioctl(fd, SIOCINQ, &unread) == 0 && unread > 0 ? static_cast<uint64_t>(unread) : 0;
}

// Whether the bytes waiting on `fd` hold a whole header block.
bool HeadersWaiting(int fd) {
  char buffer[8192];
  const ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_PEEK | MSG_DONTWAIT);
  return n > 0 && absl::string_view(buffer, n).find("\r\n\r\n") != absl::string_view::npos;
}

// Shuts the connection on `fd` down (the library then closes it), after
// `answer`, if any, on plain HTTP. The send does not block: the guard
// answers only connections whose worker is reading, not writing, so their
// send buffers are empty.
void ShutDown(int fd, const std::string* answer, bool tls) {
  if (answer != nullptr && !tls) {
    [[maybe_unused]] ssize_t sent =
        send(fd, answer->data(), answer->size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  shutdown(fd, SHUT_RDWR);
}

// Whether descriptor `fd` of this process is a socket, read from its
// /proc link without opening it.
bool IsSocket(int fd) {
  char target[64];
  const std::string link = absl::StrCat("/proc/self/fd/", fd);
  const ssize_t n = readlink(link.c_str(), target, sizeof(target));
  return n > 0 && absl::StartsWith(absl::string_view(target, n), "socket:");
}

// This process's sockets accepted on `port` (not the listening one).
//
// Only sockets are duplicated: closing any descriptor of a file releases
// the process's POSIX locks on it, and the data directory's LOCK is one
// (RocksDB's lock against a second writer: duplicating and closing every
// descriptor let a second docketd, or docketctl replay, open the
// directory beside this one).
std::vector<Socket> ServerSockets(int listening_fd, int port) {
  std::vector<Socket> out;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return out;
  std::vector<int> fds;
  for (dirent* entry = readdir(dir); entry != nullptr; entry = readdir(dir)) {
    int fd = -1;
    if (absl::SimpleAtoi(entry->d_name, &fd) && fd != listening_fd && fd != dirfd(dir)) {
      fds.push_back(fd);
    }
  }
  closedir(dir);
  // A socket closed and its number reused between the look and the
  // duplicate is a file opened since, whose duplicate is closed below:
  // never the LOCK, which RocksDB opens once, before any connection, and
  // keeps open for the process's life.
  std::erase_if(fds, [](int fd) { return !IsSocket(fd); });
  for (int fd : fds) {
    const int mine = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (mine < 0) continue;  // Closed meanwhile.
    struct stat st;
    std::optional<std::string> peer;
    if (fstat(mine, &st) == 0 && S_ISSOCK(st.st_mode) && ConnectionGuard::LocalPort(mine) == port &&
        (peer = Peer(mine))) {
      out.push_back(
          {mine, *std::move(peer), HeadersWaiting(mine), BytesReceived(mine), BytesUnread(mine)});
    } else {
      close(mine);
    }
  }
  return out;
}

}  // namespace

ConnectionGuard::ConnectionGuard(int listening_fd, Options options)
    : listening_fd_(listening_fd), options_(options), port_(LocalPort(listening_fd)) {
  thread_ = std::thread([this] { Run(); });
}

ConnectionGuard::~ConnectionGuard() {
  stop_.store(true);
  thread_.join();
}

std::optional<std::pair<std::string, int>> ConnectionGuard::NumericName(
    const sockaddr_storage& addr, socklen_t len) {
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof(host), port,
                  sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return std::nullopt;
  }
  int number = 0;
  if (!absl::SimpleAtoi(port, &number)) return std::nullopt;
  return std::make_pair(std::string(host), number);
}

int ConnectionGuard::LocalPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

std::string ConnectionGuard::PeerName(const std::string& addr, int port) {
  return absl::StrCat(addr, ":", port);
}

bool ConnectionGuard::HeadersRead(const std::string& peer) {
  absl::MutexLock lock(&mu_);
  Connection& c = connections_[peer];
  const absl::Time now = absl::Now();
  if (c.first_seen == absl::Time()) c.first_seen = now;
  c.touched = now;
  c.waiting_since = absl::InfiniteFuture();
  return !c.shut;
}

void ConnectionGuard::Answered(const std::string& peer) {
  absl::MutexLock lock(&mu_);
  Connection& c = connections_[peer];
  const absl::Time now = absl::Now();
  if (c.first_seen == absl::Time()) c.first_seen = now;
  c.touched = now;
  c.waiting_since = now;
  c.served = true;
  c.baseline.reset();  // Taken again at the next scan.
}

ConnectionGuard::Stats ConnectionGuard::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void ConnectionGuard::Run() {
  while (!stop_.load()) {
    Scan(absl::Now());
    absl::SleepFor(options_.scan_every);
  }
}

void ConnectionGuard::Scan(absl::Time now) {
  if (port_ <= 0) return;
  const std::vector<Socket> sockets = ServerSockets(listening_fd_, port_);
  {
    // Decided and done under the lock: a request whose headers the server
    // reads meanwhile either was marked first (and is refused) or is not
    // touched.
    absl::MutexLock lock(&mu_);
    std::set<std::string> open;
    std::vector<const Socket*> fresh;  // Never sent a request.
    int64_t live = 0;
    // Per connection waiting for headers: whether it has begun a request
    // (bytes came since it began waiting: not an idle keep-alive client),
    // and whether it is queued (every such byte is still unread: no worker
    // has it yet, so it holds none).
    std::vector<std::pair<bool, bool>> begun_queued(sockets.size());
    int begun = 0;  // Waiting, begun and not queued: holding workers.
    for (size_t i = 0; i < sockets.size(); ++i) {
      const Socket& socket = sockets[i];
      open.insert(socket.peer);
      Connection& c = connections_[socket.peer];
      if (c.first_seen == absl::Time()) {
        c.first_seen = now;
        c.waiting_since = now;
        c.baseline = 0;  // A new connection: everything it sent is new.
      }
      c.touched = now;
      if (c.shut || c.waiting_since == absl::InfiniteFuture()) continue;
      if (!c.baseline && socket.received) c.baseline = socket.received;
      // Bytes received since it began waiting; unknown: as if begun.
      std::optional<uint64_t> came;
      if (socket.received && c.baseline) {
        came = *socket.received - std::min(*socket.received, *c.baseline);
      }
      const uint64_t since = came.value_or(1);
      const bool queued = socket.headers_waiting || (since > 0 && socket.unread >= since);
      // Read by the server since it began waiting: its headers so far (and
      // what the library read ahead of them, a few KiB at most).
      if (came && *came - std::min(*came, socket.unread) > options_.max_header_bytes) {
        ShutDown(socket.fd, &TooLarge(), options_.tls);
        c.shut = true;
        ++stats_.large_headers;
        continue;
      }
      begun_queued[i] = {since > 0, queued};
      begun += since > 0 && !queued;
    }
    // Slow clients taking the workers (not on TLS, whose bytes cannot be
    // looked into): each may hold one for much less.
    const bool pressed = !options_.tls && 2 * begun >= options_.workers;
    for (size_t i = 0; i < sockets.size(); ++i) {
      const Socket& socket = sockets[i];
      Connection& c = connections_[socket.peer];
      if (c.shut) continue;  // Shut down already; the library closes it.
      const auto [has_begun, queued] = begun_queued[i];
      const absl::Duration deadline =
          pressed && has_begun ? std::min(options_.header_timeout, options_.busy_header_timeout)
                               : options_.header_timeout;
      if (now - c.waiting_since > deadline && !queued) {
        ShutDown(socket.fd, nullptr, options_.tls);
        c.shut = true;
        ++stats_.slow_headers;
        continue;
      }
      ++live;
      if (!c.served && c.waiting_since != absl::InfiniteFuture()) {
        fresh.push_back(&socket);
      }
    }
    // Over the bound: those that have not sent a request go, the newest
    // first; last of all those whose whole request is waiting to be read
    // (a client that trickles, reconnecting, does not push out one that
    // asks at once).
    std::sort(fresh.begin(), fresh.end(), [&](const Socket* a, const Socket* b) {
      if (a->headers_waiting != b->headers_waiting) return !a->headers_waiting;
      return connections_[a->peer].first_seen > connections_[b->peer].first_seen;
    });
    for (const Socket* socket : fresh) {
      if (live <= options_.max_connections) break;
      ShutDown(socket->fd, &Busy(), options_.tls);  // Fresh: nothing sent to it yet.
      connections_[socket->peer].shut = true;
      ++stats_.over_capacity;
      --live;
    }
    // Closed connections are forgotten; not one the server told of after
    // the sockets were listed.
    for (auto it = connections_.begin(); it != connections_.end();) {
      const bool gone = open.count(it->first) == 0 && it->second.touched < now;
      it = gone ? connections_.erase(it) : std::next(it);
    }
    stats_.open = static_cast<int64_t>(sockets.size());
  }
  for (const Socket& socket : sockets) close(socket.fd);
}

}  // namespace docket::api
