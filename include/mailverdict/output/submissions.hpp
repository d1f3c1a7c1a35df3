// Renderings of user submissions scored against a configuration (report/submissions.hpp):
// JSON (keys in docs/submissions.md) and terminal text.
#pragma once

#include <mailverdict/report/submissions.hpp>

#include <boost/json/object.hpp>

#include <iosfwd>

namespace mailverdict::output {

// {"totals", "by_label", "confusion", "false_positives_by", "false_negatives_by",
//  "mistakes", "suggestions", "unmatched"}
boost::json::object to_json(const report::SubmissionScore& score);

void print_submissions_text(std::ostream& out, const report::SubmissionScore& score);

}  // namespace mailverdict::output
