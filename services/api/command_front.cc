#include "services/api/command_front.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace docket::api {
namespace {

// What the front looks at of a connection at once: a command's request
// fits many times over; a longer one is the library's.
constexpr size_t kLook = 64 << 10;
constexpr uint64_t kListening = 0;
constexpr uint64_t kWake = 1;

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

// The answer's bytes, as the library writes them: status line, fields,
// Content-Length, body.
std::string Serialize(const httplib::Response& res, bool close, absl::Duration keep_alive) {
  std::string out = absl::StrCat("HTTP/1.1 ", res.status, " ", StatusText(res.status), "\r\n");
  for (const auto& [name, value] : res.headers) {
    if (absl::EqualsIgnoreCase(name, "Content-Length")) continue;
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  if (!close) {
    absl::StrAppend(&out, "Keep-Alive: timeout=", absl::ToInt64Seconds(keep_alive), "\r\n");
  }
  absl::StrAppend(&out, "Content-Length: ", res.body.size(), "\r\n\r\n", res.body);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CommandFront>> CommandFront::Create(int listening_fd,
                                                                   Options options, Hooks hooks) {
  const int epoll = epoll_create1(EPOLL_CLOEXEC);
  const int wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWake;
  if (epoll < 0 || wake < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event) != 0) {
    const std::string why = strerror(errno);
    if (epoll >= 0) close(epoll);
    if (wake >= 0) close(wake);
    return absl::UnavailableError(absl::StrCat("the front cannot poll: ", why));
  }
  auto front = std::unique_ptr<CommandFront>(
      new CommandFront(listening_fd, options, std::move(hooks), epoll, wake));
  front->Watch(true);
  return front;
}

CommandFront::CommandFront(int listening_fd, Options options, Hooks hooks, int epoll, int wake)
    : listening_fd_(listening_fd),
      options_(options),
      hooks_(std::move(hooks)),
      epoll_(epoll),
      wake_(wake) {}

CommandFront::~CommandFront() {
  Stop();
  close(epoll_);
  close(wake_);
}

void CommandFront::Start() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (stopping_.load()) return;  // Stopped before it began.
  thread_ = std::thread([this] { Run(); });
}

void CommandFront::Wake() {
  const uint64_t one = 1;
  (void)!write(wake_, &one, sizeof(one));
}

void CommandFront::Stop() {
  {
    std::lock_guard<std::mutex> lock(lifecycle_mu_);
    if (stopping_.exchange(true)) return;
  }
  Wake();
  if (thread_.joinable()) thread_.join();
  if (listening_fd_ >= 0) close(listening_fd_);
  listening_fd_ = -1;
}

CommandFront::Stats CommandFront::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void CommandFront::Watch(bool listening) {
  if (listening) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kListening;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, listening_fd_, &event);
  } else {
    epoll_ctl(epoll_, EPOLL_CTL_DEL, listening_fd_, nullptr);
  }
}

void CommandFront::Run() {
  epoll_event events[128];
  absl::Time swept = absl::Now();
  for (;;) {
    if (stopping_.load() && !draining_) {
      // No connection more (new ones are refused), no request more; those
      // being served are answered, then everything is closed.
      draining_ = true;
      if (accepting_) Watch(false);
      close(listening_fd_);
      listening_fd_ = -1;
      std::vector<uint64_t> idle;
      for (const auto& [id, c] : connections_) {
        if (!c.in_flight && c.out.empty()) idle.push_back(id);
      }
      for (uint64_t id : idle) Close(id);
    }
    if (draining_ && connections_.empty() && outstanding_ == 0) return;
    const int n = epoll_wait(epoll_, events, 128, 250);
    for (int i = 0; i < n; ++i) {
      const uint64_t id = events[i].data.u64;
      if (id == kListening) {
        if (!draining_) Accept();
      } else if (id == kWake) {
        uint64_t count;
        (void)!read(wake_, &count, sizeof(count));
        Answered();
      } else if (auto it = connections_.find(id); it != connections_.end()) {
        if (events[i].events & (EPOLLERR | EPOLLHUP)) {
          Close(id);  // An answer on its way is dropped when it comes.
          continue;
        }
        // Reported with every wakeup (edge-triggered): an answer waits
        // only after a send that did not take all of it.
        if ((events[i].events & EPOLLOUT) && !it->second.out.empty()) Flush(id);
        if (connections_.contains(id) && (events[i].events & (EPOLLIN | EPOLLRDHUP))) Look(id);
      }
    }
    const absl::Time now = absl::Now();
    if (now - swept >= absl::Milliseconds(250)) {
      Sweep(now);
      swept = now;
    }
  }
}

void CommandFront::Accept() {
  for (;;) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    const int fd = accept4(listening_fd_, reinterpret_cast<sockaddr*>(&addr), &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: new connections wait in the backlog, and the
        // listening socket is not watched until the next sweep (it would
        // be ready at every wait meanwhile).
        std::cerr << "docketd: accept: " << strerror(errno) << "; accepting again in 250 ms\n";
        accepting_ = false;
        Watch(false);
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        std::cerr << "docketd: accept: " << strerror(errno) << "\n";
      }
      return;
    }
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    const uint64_t id = next_id_++;
    Connection& c = connections_[id];
    c.fd = fd;
    if (std::optional<std::pair<std::string, int>> name = ConnectionGuard::NumericName(addr, len)) {
      c.addr = name->first;
      c.port = name->second;
    }
    c.peer = ConnectionGuard::PeerName(c.addr, c.port);
    c.waiting_since = absl::Now();
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.u64 = id;
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) Close(id);
  }
}

void CommandFront::Look(uint64_t id) {
  Connection& c = connections_.at(id);
  if (c.in_flight || !c.out.empty() || draining_) return;
  // Nothing looked at again until what it waits for has come: a client
  // sending a byte at a time costs an ioctl a byte, not a look.
  int waiting = 0;
  if (ioctl(c.fd, FIONREAD, &waiting) == 0 && waiting > 0 &&
      static_cast<size_t>(waiting) < c.need) {
    return;
  }
  look_.resize(kLook);
  const ssize_t n = recv(c.fd, look_.data(), look_.size(), MSG_PEEK);
  if (n == 0) return Close(id);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) Close(id);
    return;
  }
  if (c.arriving_since == absl::InfiniteFuture()) c.arriving_since = absl::Now();
  const absl::string_view bytes(look_.data(), static_cast<size_t>(n));
  const Framed framed = Frame(bytes, options_.max_body_bytes);
  switch (framed.kind) {
    case Framed::Kind::kServe:
      return Serve(id, framed);
    case Framed::Kind::kHandOff:
      return HandOff(id);
    case Framed::Kind::kIncomplete:
      // Longer than the front looks at: the library reads it.
      if (bytes.size() == kLook) return HandOff(id);
      c.need = framed.head_bytes > 0 ? framed.head_bytes + framed.body_bytes : bytes.size() + 1;
      return;
  }
}

void CommandFront::Serve(uint64_t id, const Framed& framed) {
  Connection& c = connections_.at(id);
  std::string bytes(framed.head_bytes + framed.body_bytes, '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = recv(c.fd, bytes.data() + got, bytes.size() - got, 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return Close(id);  // What was looked at is there: only a reset takes it.
    }
    got += static_cast<size_t>(n);
  }
  c.need = 0;
  c.arriving_since = absl::InfiniteFuture();
  if (hooks_.guard != nullptr && !hooks_.guard->HeadersRead(c.peer)) {
    return Close(id);  // Shut down by the guard: nothing of it is done.
  }
  auto exchange = std::make_shared<Exchange>();
  httplib::Request& req = exchange->req;
  req.method = "POST";
  req.path = "/v1/commands";
  req.version = "HTTP/1.1";
  req.remote_addr = c.addr;
  req.remote_port = c.port;
  for (const auto& [name, value] : framed.headers) req.headers.emplace(name, value);
  req.body = bytes.substr(framed.head_bytes);
  c.in_flight = true;
  ++outstanding_;
  exchange->done = [this, id, exchange]() mutable {
    // Published and the front woken under the lock: once it is released,
    // the front may answer, drop the exchange and this closure with it,
    // and stop; nothing of either is touched after.
    CommandFront* front = this;
    std::shared_ptr<Exchange> answered = std::move(exchange);
    absl::MutexLock lock(&front->mu_);
    front->answered_.emplace_back(id, std::move(answered));
    front->Wake();
  };
  hooks_.serve(std::move(exchange));
}

void CommandFront::Answered() {
  std::vector<std::pair<uint64_t, std::shared_ptr<Exchange>>> answered;
  {
    absl::MutexLock lock(&mu_);
    answered.swap(answered_);
    stats_.served += static_cast<int64_t>(answered.size());
  }
  for (auto& [id, exchange] : answered) {
    --outstanding_;
    if (exchange->finish) exchange->finish();
    // The request was done, whether or not its client is still there.
    hooks_.log(exchange->req, exchange->res);
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    Connection& c = it->second;
    if (exchange->res.content_provider_) {
      // An answer streamed by the library (none of this route's are).
      std::cerr << "docketd: the front cannot send a streamed answer; closing\n";
      Close(id);
      continue;
    }
    c.in_flight = false;
    c.close_after = exchange->res.get_header_value("Connection") == "close";
    c.out = Serialize(exchange->res, c.close_after, options_.keep_alive);
    const absl::Time now = absl::Now();
    c.waiting_since = now;
    c.sent_at = now;
    Flush(id);
  }
}

void CommandFront::Flush(uint64_t id) {
  Connection& c = connections_.at(id);
  while (!c.out.empty()) {
    const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // EPOLLOUT goes on.
      return Close(id);
    }
    c.out.erase(0, static_cast<size_t>(n));
    c.sent_at = absl::Now();
  }
  // An answer all sent (only then is this reached with nothing in flight).
  if (c.close_after || draining_) return Close(id);
  Look(id);  // A request sent behind the last one.
}

void CommandFront::Sweep(absl::Time now) {
  if (!accepting_ && !draining_) {
    accepting_ = true;
    Watch(true);
  }
  std::vector<uint64_t> stalled, idle;
  for (const auto& [id, c] : connections_) {
    if (c.in_flight) continue;
    if (!c.out.empty()) {
      // A client that takes none of its answer.
      if (now - c.sent_at >= options_.write_timeout) idle.push_back(id);
      continue;
    }
    if (now - c.arriving_since >= options_.stall_limit) {
      stalled.push_back(id);  // Part of a request: the library's deadlines.
      continue;
    }
    if (c.arriving_since == absl::InfiniteFuture() &&
        now - c.waiting_since >= options_.keep_alive) {
      char byte;
      const ssize_t n = recv(c.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n > 0) {
        stalled.push_back(id);  // Bytes it never looked at: the library's.
      } else {
        idle.push_back(id);
      }
    }
  }
  for (uint64_t id : stalled) HandOff(id);
  for (uint64_t id : idle) Close(id);
}

void CommandFront::Close(uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, it->second.fd, nullptr);
  close(it->second.fd);
  connections_.erase(it);
}

void CommandFront::HandOff(uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  const int fd = it->second.fd;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  connections_.erase(it);
  {
    absl::MutexLock lock(&mu_);
    ++stats_.handed_off;
  }
  hooks_.hand_off(fd);
}

}  // namespace docket::api
