#ifndef DOCKET_TESTS_TESTING_SUBPROCESS_H_
#define DOCKET_TESTS_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace docket::testing {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal.
  int signal = 0;
  std::string out;
  std::string err;
  int64_t max_rss_kb = 0;  // The process's peak resident memory.
};

// Runs `argv` to completion with `input` on stdin; captures stdout/stderr.
RunResult RunProcess(const std::vector<std::string>& argv, const std::string& input = "",
                     const std::vector<std::string>& env = {});

// A child whose stdin comes from a file and whose stdout goes to a file,
// for tests that kill it mid-flight.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& stdin_path,
        const std::string& stdout_path, const std::string& stderr_path = "/dev/null");
  ~Child();
  void Kill(int signal);
  // Waits; returns the exit code, or -signal when killed.
  int Wait();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// The URL a docketd --listen prints once it serves ("docketd: serving
// URL"), read from its stdout file `out_path`; empty when it has not within
// `wait_ms`.
std::string ServingUrl(const std::string& out_path, int wait_ms);

// The path of a runfile, e.g. "tools/docketctl/docketctl".
std::string Runfile(const std::string& path);

}  // namespace docket::testing

#endif  // DOCKET_TESTS_TESTING_SUBPROCESS_H_
