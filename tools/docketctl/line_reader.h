#ifndef DOCKET_TOOLS_DOCKETCTL_LINE_READER_H_
#define DOCKET_TOOLS_DOCKETCTL_LINE_READER_H_

#include <cstdio>
#include <string>

namespace docket {

// Reads lines from a file descriptor with a hard cap on line length: a
// longer line is consumed to its end but returned truncated with
// `too_long` set, so no input can make the reader hold more than the cap.
class LineReader {
 public:
  LineReader(int fd, size_t max_line) : fd_(fd), max_line_(max_line) {}

  struct Line {
    std::string text;   // Without the newline; at most max_line bytes.
    size_t length = 0;  // The line's full length.
    bool too_long = false;
    // Only spaces, tabs and the like: no command (NDJSON's blank lines are
    // skipped, as the API skips them).
    bool blank() const;
  };

  // The next line; false at end of input (or a read error).
  bool Next(Line* line);

  // True when a line can be returned without blocking: buffered, or input
  // is ready on the descriptor (poll with zero timeout).
  bool Ready();

 private:
  bool Fill();

  int fd_;
  size_t max_line_;
  char buffer_[1 << 16];
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
};

}  // namespace docket

#endif  // DOCKET_TOOLS_DOCKETCTL_LINE_READER_H_
