// JSON of a posture analysis (posture_json.hpp, docs/posture.md "JSON").
#include <mailverdict/output/posture_json.hpp>

#include <boost/json/array.hpp>

#include <cstdio>
#include <string>

namespace mailverdict::output {

namespace json = boost::json;

json::object to_json(const policy::Finding& f) {
    json::object o;
    o["id"] = f.id;
    o["area"] = std::string(policy::to_string(f.area));
    o["subject"] = f.subject;
    o["setting"] = f.setting;
    o["current"] = f.current;
    json::object recommended;
    recommended["standard"] = f.standard;
    recommended["strict"] = f.strict;
    o["recommended"] = std::move(recommended);
    o["meets_standard"] = f.meets_standard;
    o["meets_strict"] = f.meets_strict;
    o["severity"] = std::string(policy::to_string(f.severity));
    o["status"] = std::string(policy::to_string(f.status));
    o["action"] = f.action;
    o["source"] = f.source;
    o["points_possible"] = f.points_possible;
    o["points_earned"] = f.points_earned;
    return o;
}

json::object to_json(const policy::PostureResult& result, std::string_view tenant,
                     policy::Baseline baseline) {
    json::object o;
    o["tenant"] = std::string(tenant);
    o["baseline"] = std::string(policy::to_string(baseline));
    json::object score;
    score["earned"] = result.score.earned;
    score["possible"] = result.score.possible;
    // Display text with one decimal ("57.9"): Boost.JSON would print a double as 5.79E1;
    // earned / possible is the exact value.
    char percent[16];
    std::snprintf(percent, sizeof percent, "%.1f", result.score.percent());
    score["percent"] = percent;
    score["unchecked"] = result.score.unchecked;
    o["score"] = std::move(score);
    json::object summary;
    for (const auto s : {policy::Severity::high, policy::Severity::medium, policy::Severity::low,
                         policy::Severity::informational}) {
        summary[std::string(policy::to_string(s))] = 0;
    }
    summary["could_not_check"] = 0;
    summary["passed"] = 0;
    json::array findings;
    json::array passed;
    for (const auto& f : result.checks) {
        if (f.status == policy::CheckStatus::passed) {
            summary["passed"] = summary["passed"].as_int64() + 1;
            passed.push_back(to_json(f));
            continue;
        }
        const std::string key = f.status == policy::CheckStatus::could_not_check
                                    ? std::string("could_not_check")
                                    : std::string(policy::to_string(f.severity));
        summary[key] = summary[key].as_int64() + 1;
        findings.push_back(to_json(f));
    }
    o["summary"] = std::move(summary);
    o["findings"] = std::move(findings);
    o["passed"] = std::move(passed);
    return o;
}

}  // namespace mailverdict::output
