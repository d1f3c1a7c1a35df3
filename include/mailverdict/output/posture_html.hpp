// The HTML rendering of a posture analysis (policy/posture.hpp): sections for the score,
// the findings to act on and the checks that passed, usable on their own page
// (`mailverdict posture --format html`) or appended to the report page (`mailverdict report
// --format html`). Every figure carries the JSON pointer of the same value in the posture
// JSON (output/posture_json.hpp) under `json_base` ("" on its own page, "/posture" inside
// the report's JSON). docs/posture.md.
#pragma once

#include <mailverdict/output/html.hpp>
#include <mailverdict/policy/posture.hpp>

#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailverdict::output {

// Score by area, findings to act on (by severity, with the recommended values and the
// action), checks that could not be run, and the passed checks counted by area. The
// sections refer to `result`: write them while it lives.
std::vector<html::Section> posture_sections(const policy::PostureResult& result,
                                            policy::Baseline baseline,
                                            const std::string& json_base = {});

// A whole page: title, the given facts, the score and severity counts as headline figures.
void write_posture_html(std::ostream& out, const policy::PostureResult& result,
                        std::string_view tenant, policy::Baseline baseline,
                        std::vector<std::pair<std::string, std::string>> facts = {});

}  // namespace mailverdict::output
