#include "services/runtime/served_by.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace docket {
namespace {

std::string MarkPath(const std::string& dir) {
  return (std::filesystem::path(dir) / "SERVED_BY").string();
}

// Whether process `pid` holds `dir`'s lock (the store's LOCK file, which
// RocksDB write-locks with fcntl for as long as it has the directory open);
// nullopt when that cannot be told (no such file, a system that does not
// say). Asked, not taken: F_GETLK changes no lock.
std::optional<bool> HoldsTheLock(const std::string& dir, pid_t pid) {
  const int fd = ::open((std::filesystem::path(dir) / "LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock held = {};
  held.l_type = F_WRLCK;
  held.l_whence = SEEK_SET;
  const int asked = fcntl(fd, F_GETLK, &held);
  ::close(fd);
  if (asked != 0) return std::nullopt;
  return held.l_type != F_UNLCK && held.l_pid == pid;
}

}  // namespace

absl::Status MarkServed(const std::string& dir, const std::string& url) {
  const std::string path = MarkPath(dir);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << getpid() << " " << url << "\n";
    if (!out.flush()) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", ec.message()));
  return absl::OkStatus();
}

void UnmarkServed(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove(MarkPath(dir), ec);
}

std::optional<std::string> ServedBy(const std::string& dir) {
  std::ifstream in(MarkPath(dir));
  pid_t pid = 0;
  std::string url;
  if (!(in >> pid >> url) || pid <= 0 || pid == getpid()) return std::nullopt;
  if (kill(pid, 0) != 0 && errno != EPERM) return std::nullopt;  // Gone.
  // A reused pid is some other program.
  std::ifstream cmdline(absl::StrCat("/proc/", pid, "/cmdline"));
  std::stringstream argv0;
  argv0 << cmdline.rdbuf();
  if (!absl::StrContains(argv0.str().substr(0, argv0.str().find('\0')), "docketd")) {
    return std::nullopt;
  }
  // A docketd, but maybe not this directory's: one killed here, its pid
  // reused by a docketd serving another directory. This one's is the
  // process holding the directory's lock.
  if (HoldsTheLock(dir, pid) == false) return std::nullopt;
  return url;
}

}  // namespace docket
