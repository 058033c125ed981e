#include "services/api/connection_guard.h"

#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace docket::api {
namespace {

// The answer to a connection over the bound.
const std::string& Busy() {
  static const std::string* const kBusy = [] {
    const std::string body =
        R"({"rule":"RULE_UNSPECIFIED","code":"UNAVAILABLE","reason":"too many connections; )"
        R"(retry soon"})";
    return new std::string(
        absl::StrCat("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                     "Retry-After: 1\r\nConnection: close\r\nContent-Length: ",
                     body.size(), "\r\n\r\n", body));
  }();
  return *kBusy;
}

int LocalPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

// The peer of a connected socket, named as the HTTP library names it
// (numeric host, then the port); nullopt for anything else.
std::optional<std::string> Peer(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return std::nullopt;
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof(host), port, sizeof(port),
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return std::nullopt;
  }
  int number = 0;
  if (!absl::SimpleAtoi(port, &number)) return std::nullopt;
  return ConnectionGuard::PeerName(host, number);
}

// This process's sockets accepted on `port` (not the listening one): fd -> peer.
std::map<int, std::string> ServerSockets(int listening_fd, int port) {
  std::map<int, std::string> out;
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
  for (int fd : fds) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) || LocalPort(fd) != port) continue;
    if (std::optional<std::string> peer = Peer(fd)) out[fd] = *std::move(peer);
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

std::string ConnectionGuard::PeerName(const std::string& addr, int port) {
  return absl::StrCat(addr, ":", port);
}

void ConnectionGuard::HeadersRead(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  Connection& c = connections_[peer];
  if (c.first_seen == absl::Time()) c.first_seen = absl::Now();
  c.waiting_since = absl::InfiniteFuture();
}

void ConnectionGuard::Answered(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  Connection& c = connections_[peer];
  if (c.first_seen == absl::Time()) c.first_seen = absl::Now();
  c.waiting_since = absl::Now();
  c.served = true;
}

ConnectionGuard::Stats ConnectionGuard::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
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
  const std::map<int, std::string> sockets = ServerSockets(listening_fd_, port_);
  std::vector<std::pair<int, std::string>> slow;
  std::vector<std::pair<absl::Time, std::pair<int, std::string>>> fresh;  // Never answered.
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> open;
    for (const auto& [fd, peer] : sockets) {
      open.insert(peer);
      Connection& c = connections_[peer];
      if (c.first_seen == absl::Time()) {
        c.first_seen = now;
        c.waiting_since = now;
      }
      if (c.shut) continue;  // Shut down already; the library closes it.
      if (now - c.waiting_since > options_.header_timeout) {
        c.shut = true;
        slow.emplace_back(fd, peer);
      } else if (!c.served && c.waiting_since != absl::InfiniteFuture()) {
        fresh.push_back({c.first_seen, {fd, peer}});
      }
    }
    // Closed connections are forgotten.
    for (auto it = connections_.begin(); it != connections_.end();) {
      it = open.count(it->first) > 0 ? std::next(it) : connections_.erase(it);
    }
    stats_.open = static_cast<int64_t>(sockets.size());
  }
  // A socket is acted on only if it still has the peer it was seen with.
  const auto still = [](int fd, const std::string& peer) {
    std::optional<std::string> now_peer = Peer(fd);
    return now_peer.has_value() && *now_peer == peer;
  };
  int64_t slow_count = 0;
  for (const auto& [fd, peer] : slow) {
    if (!still(fd, peer)) continue;
    shutdown(fd, SHUT_RDWR);
    ++slow_count;
  }
  int64_t excess = static_cast<int64_t>(sockets.size()) - slow_count - options_.max_connections;
  std::vector<std::string> busied;
  std::sort(fresh.begin(), fresh.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [seen, socket] : fresh) {
    if (excess <= 0) break;
    const auto& [fd, peer] = socket;
    if (!still(fd, peer)) continue;
    if (!options_.tls) {
      // A fresh socket's send buffer is empty: this does not block.
      [[maybe_unused]] ssize_t sent =
          send(fd, Busy().data(), Busy().size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    shutdown(fd, SHUT_RDWR);
    --excess;
    busied.push_back(peer);
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& peer : busied) connections_[peer].shut = true;
  stats_.slow_headers += slow_count;
  stats_.over_capacity += static_cast<int64_t>(busied.size());
}

}  // namespace docket::api
