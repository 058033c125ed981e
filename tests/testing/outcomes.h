#ifndef DOCKET_TESTS_TESTING_OUTCOMES_H_
#define DOCKET_TESTS_TESTING_OUTCOMES_H_

#include <string>
#include <vector>

#include "docket/v1/outcome.pb.h"

namespace docket::testing {

// The non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text);

// An outcome line (docketctl submit's JSON) with what differs between two
// runs of the same commands cleared: the events' recorded times and the
// rejection's time.
v1::CommandOutcome NormalizedOutcome(const std::string& line);

// Outcome lines as comparable text, one per command, sorted by command id;
// a test failure when a command has two.
std::vector<std::string> Normalized(const std::string& json_lines);

// The outcomes of `input` submitted by `docketctl --data_dir=dir submit`,
// expecting every command accepted (exit 0).
std::string SubmitEmbedded(const std::string& dir, const std::string& input);

}  // namespace docket::testing

#endif  // DOCKET_TESTS_TESTING_OUTCOMES_H_
