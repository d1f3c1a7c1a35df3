// Renderings of the pilot report and of a diff between two tenants: JSON (keys listed in
// docs/report.md) and terminal text.
#pragma once

#include <mailverdict/report/diff.hpp>
#include <mailverdict/report/report.hpp>

#include <boost/json/object.hpp>

#include <iosfwd>

namespace mailverdict::output {

// {"threat_status", "spoof_insight", "impersonation_insight", "override_analysis",
//  "auth_failures", "readiness"}
boost::json::object to_json(const report::Report& report);
// {"totals", "changes", "moved_to_junk_or_quarantine"}
boost::json::object to_json(const report::Diff& diff);

void print_report_text(std::ostream& out, const report::Report& report);
void print_diff_text(std::ostream& out, const report::Diff& diff);

}  // namespace mailverdict::output
