// Renderings of a posture analysis (policy/posture.hpp): JSON (keys listed in
// docs/posture.md) and terminal text grouped by severity.
#pragma once

#include <mailverdict/policy/posture.hpp>

#include <boost/json/object.hpp>

#include <iosfwd>
#include <string_view>

namespace mailverdict::output {

// {"tenant", "baseline", "score", "summary", "findings", "passed"}: `findings` are the
// checks that did not pass (failed or could_not_check), `passed` the others, both in
// analysis order; every entry has the keys of to_json(const Finding&).
boost::json::object to_json(const policy::PostureResult& result, std::string_view tenant,
                            policy::Baseline baseline);
// {"id", "area", "subject", "setting", "current", "recommended": {"standard", "strict"},
//  "meets_standard", "meets_strict", "severity", "status", "action", "source",
//  "points_possible", "points_earned"}
boost::json::object to_json(const policy::Finding& finding);

// Score line, then the findings by severity (high first; could_not_check apart) with the
// action to take, then the passed checks counted per area.
void print_posture_text(std::ostream& out, const policy::PostureResult& result,
                        std::string_view tenant, policy::Baseline baseline);

}  // namespace mailverdict::output
