#include "tools/docketctl/line_reader.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"

namespace docket {

bool LineReader::Line::blank() const {
  return !too_long && absl::StripAsciiWhitespace(text).empty();  // As the API skips a line.
}

bool LineReader::Fill() {
  if (eof_) return false;
  begin_ = 0;
  while (true) {
    const ssize_t n = ::read(fd_, buffer_, sizeof(buffer_));
    if (n > 0) {
      end_ = n;
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    eof_ = true;
    end_ = 0;
    return false;
  }
}

bool LineReader::Next(Line* line) {
  line->text.clear();
  line->length = 0;
  line->too_long = false;
  bool any = false;
  while (true) {
    if (begin_ == end_ && !Fill()) return any;
    any = true;
    const char* start = buffer_ + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    const size_t chunk = nl ? static_cast<const char*>(nl) - start : end_ - begin_;
    const size_t room = max_line_ > line->text.size() ? max_line_ - line->text.size() : 0;
    line->text.append(start, std::min(chunk, room));
    line->length += chunk;
    if (chunk > room) line->too_long = true;
    begin_ += chunk;
    if (nl) {
      ++begin_;  // The newline.
      return true;
    }
  }
}

bool LineReader::Ready() {
  if (begin_ < end_) return true;
  if (eof_) return false;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

}  // namespace docket
