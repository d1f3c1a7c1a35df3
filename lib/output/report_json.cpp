// JSON of the pilot report and of a diff (report_json.hpp).
#include <mailverdict/output/report_json.hpp>

#include <boost/json/array.hpp>

#include <chrono>

namespace mailverdict::output {

namespace json = boost::json;

namespace {

json::object counts(const std::map<std::string, std::size_t>& m) {
    json::object o;
    for (const auto& [k, n] : m) {
        o[k] = n;
    }
    return o;
}

json::value when(const std::optional<std::chrono::sys_seconds>& t) {
    if (!t) {
        return nullptr;
    }
    return json::value(report::utc_date_time(*t));
}

json::array strings(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) {
        a.emplace_back(s);
    }
    return a;
}

json::object change_json(const report::RecipientChange& c) {
    return {
        {"file", c.file},
        {"message_id", c.message_id},
        {"recipient", c.recipient},
        {"folder", json::object{{"a", c.folder_a}, {"b", c.folder_b}}},
        {"action", json::object{{"a", c.action_a}, {"b", c.action_b}}},
        {"reason", json::object{{"a", c.reason_a}, {"b", c.reason_b}}},
        {"detections",
         json::object{{"a", strings(c.detections_a)}, {"b", strings(c.detections_b)}}},
        {"overrides", json::object{{"a", strings(c.overrides_a)}, {"b", strings(c.overrides_b)}}},
        {"folder_changed", c.folder_changed},
        {"detections_changed", c.detections_changed},
        {"overrides_changed", c.overrides_changed}};
}

}  // namespace

json::object to_json(const report::Report& report) {
    const auto& s = report.threat_status();
    json::array flow;
    for (const auto& [k, n] : s.system_to_final) {
        flow.push_back(json::object{{"system", k.first}, {"final", k.second}, {"count", n}});
    }
    json::object by_day;
    for (const auto& [day, cats] : s.by_day) {
        by_day[day] = counts(cats);
    }
    json::object status{{"messages", s.messages},
                        {"unparsed", s.unparsed},
                        {"recipients", s.recipients},
                        {"by_detection", counts(s.by_detection)},
                        {"by_detection_technology", counts(s.by_technology)},
                        {"by_system_folder", counts(s.by_system_folder)},
                        {"by_final_folder", counts(s.by_final_folder)},
                        {"system_to_final", std::move(flow)},
                        {"by_day", std::move(by_day)}};
    json::array spoof;
    for (const auto& r : report.spoof_insight()) {
        spoof.push_back(json::object{{"spoofed_user", r.spoofed_user},
                                     {"sending_infrastructure", r.infrastructure},
                                     {"spoof_type", r.spoof_type},
                                     {"messages", r.messages},
                                     {"last_seen", when(r.last_seen)},
                                     {"insight_action", r.insight_action},
                                     {"configured", r.configured},
                                     {"configured_source", r.configured_source}});
    }
    json::array imp;
    for (const auto& r : report.impersonation_insight()) {
        imp.push_back(json::object{{"sender", r.sender},
                                   {"impersonated", r.impersonated},
                                   {"kind", r.kind},
                                   {"type", r.type},
                                   {"policy", r.policy},
                                   {"messages", r.messages},
                                   {"recipients", r.recipients},
                                   {"first_seen", when(r.first_seen)},
                                   {"last_seen", when(r.last_seen)},
                                   {"allowed_to_impersonate", !r.allowed.empty()},
                                   {"allowed_because", r.allowed}});
    }
    json::array ov;
    for (const auto& r : report.override_analysis()) {
        json::array ex;
        for (const auto& e : r.risky_examples) {
            ex.push_back(json::object{{"file", e.file},
                                      {"recipient", e.recipient},
                                      {"system_folder", e.system_folder},
                                      {"final_folder", e.final_folder},
                                      {"system_reason", e.system_reason}});
        }
        ov.push_back(json::object{{"source", r.source},
                                  {"mechanism", r.mechanism},
                                  {"entry", r.entry},
                                  {"matched", r.matched},
                                  {"applied", r.applied},
                                  {"changed", r.changed},
                                  {"unnecessary", r.unnecessary},
                                  {"risky", r.risky()},
                                  {"risky_junk", r.risky_junk},
                                  {"risky_quarantine_or_reject", r.risky_blocked},
                                  {"risky_examples", std::move(ex)}});
    }
    json::array fails;
    for (const auto& r : report.top_auth_failures()) {
        fails.push_back(json::object{{"from_domain", r.from_domain},
                                     {"messages", r.messages},
                                     {"compauth", counts(r.reasons)},
                                     {"sending_infrastructure", counts(r.infrastructures)}});
    }
    json::array ready;
    for (const auto& r : report.readiness()) {
        ready.push_back(json::object{{"from_domain", r.from_domain},
                                     {"messages", r.messages},
                                     {"dmarc_record", r.dmarc_record},
                                     {"dmarc_policy", r.dmarc_policy},
                                     {"dmarc", counts(r.dmarc)},
                                     {"spf", counts(r.spf)},
                                     {"spf_aligned", r.spf_aligned},
                                     {"dkim_aligned", r.dkim_aligned},
                                     {"aligned", r.aligned},
                                     {"status", r.status()}});
    }
    return {{"threat_status", std::move(status)},      {"spoof_insight", std::move(spoof)},
            {"impersonation_insight", std::move(imp)}, {"override_analysis", std::move(ov)},
            {"auth_failures", std::move(fails)},       {"readiness", std::move(ready)}};
}

json::object to_json(const report::Diff& diff) {
    const auto& t = diff.totals();
    json::array flow;
    for (const auto& [k, n] : t.folder_flow) {
        flow.push_back(json::object{{"a", k.first}, {"b", k.second}, {"count", n}});
    }
    json::array changes;
    for (const auto& c : diff.changes()) {
        changes.push_back(change_json(c));
    }
    json::array moved;
    for (const auto& c : diff.moved_to_junk_or_quarantine()) {
        moved.push_back(change_json(c));
    }
    return {{"totals", json::object{{"messages", t.messages},
                                    {"recipients", t.recipients},
                                    {"changed", t.changed},
                                    {"folder_changed", t.folder_changed},
                                    {"detections_changed", t.detections_changed},
                                    {"overrides_changed", t.overrides_changed},
                                    {"folder_flow", std::move(flow)}}},
            {"changes", std::move(changes)},
            {"moved_to_junk_or_quarantine", std::move(moved)}};
}

}  // namespace mailverdict::output
