// HTML pages of the pilot report and of a diff (report_html.hpp). Every figure shown in a
// table carries the JSON pointer of the same value in the command's --format json output.
#include <mailverdict/output/report_html.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <numeric>
#include <ostream>

namespace mailverdict::output {

namespace {

using html::Cell;
using html::code_cell;
using html::json_pointer;
using html::number_cell;
using html::pill_cell;
using html::text_cell;
using html::Tone;

// Explorer's delivery locations in the order of verdict::Folder; categories in
// Microsoft's processing order (brief 1.3), "no detection" last.
constexpr std::array<std::string_view, 8> folder_order{
    "inbox", "junk", "quarantine", "rejected", "dropped", "deleted", "redirected", ""};
constexpr std::array<std::string_view, 11> category_order{
    "MALW", "HPHSH", "PHSH", "HSPM", "SPOOF", "UIMP", "DIMP", "GIMP", "SPM", "BULK", "NONE"};

template <std::size_t N>
std::size_t rank_in(const std::array<std::string_view, N>& order, std::string_view key) {
    return static_cast<std::size_t>(std::find(order.begin(), order.end(), key) - order.begin());
}

// The keys of a count map in a fixed order (unknown keys after, by name).
template <std::size_t N, class Map>
std::vector<std::string> keys_in(const std::array<std::string_view, N>& order, const Map& m) {
    std::vector<std::string> keys;
    keys.reserve(m.size());
    for (const auto& kv : m) {
        keys.push_back(kv.first);
    }
    std::stable_sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
        return rank_in(order, a) < rank_in(order, b);
    });
    return keys;
}

std::string folder_label(const std::string& folder) {
    return folder.empty() ? std::string("(absent)") : folder;
}

std::string category_label(const std::string& cat) {
    return cat == "NONE" ? std::string("No detection (NONE)") : cat;
}

std::size_t count_of(const std::map<std::string, std::size_t>& m, const std::string& key) {
    const auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

// A count cell whose JSON pointer exists only when the key is in the JSON map.
Cell map_count(const std::map<std::string, std::size_t>& m, const std::string& key,
               std::initializer_list<std::string_view> path) {
    const std::size_t n = count_of(m, key);
    return number_cell(n, m.count(key) > 0 ? json_pointer(json_pointer(path), key) : "");
}

std::string utc(const std::optional<std::chrono::sys_seconds>& t) {
    if (!t) {
        return "-";
    }
    return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC",
                       fmt::gmtime(std::chrono::system_clock::to_time_t(*t)));
}

Cell date_cell(const std::optional<std::chrono::sys_seconds>& t) {
    Cell c = text_cell(utc(t));
    c.nowrap = true;
    return c;
}

std::string counts_text(const std::map<std::string, std::size_t>& m) {
    std::string out;
    for (const auto& [k, n] : m) {
        // No break inside "pass × 3" (U+00A0 around the sign).
        out += (out.empty() ? "" : ", ") + k + "\xc2\xa0\xc3\x97\xc2\xa0" + std::to_string(n);
    }
    return out.empty() ? "-" : out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        out += (out.empty() ? "" : ", ") + s;
    }
    return out.empty() ? "-" : out;
}

std::string arrow(const std::string& a, const std::string& b) {
    return a + " \xe2\x86\x92 " + b;
}

Tone folder_tone(const std::string& folder) {
    if (folder == "inbox") {
        return Tone::good;
    }
    if (folder == "junk" || folder == "deleted") {
        return Tone::warn;
    }
    if (folder == "quarantine" || folder == "rejected" || folder == "dropped") {
        return Tone::bad;
    }
    return Tone::info;
}

Tone readiness_tone(const std::string& status) {
    if (status == "enforced, all mail aligned") {
        return Tone::good;
    }
    if (status == "no DMARC record") {
        return Tone::bad;
    }
    return Tone::warn;
}

// --- report sections ---

void threat_status_body(std::ostream& out, const report::Report& report) {
    const auto& s = report.threat_status();
    std::map<std::string, std::size_t> folders = s.by_final_folder;
    for (const auto& kv : s.by_system_folder) {
        folders[kv.first] += 0;
    }
    const auto folder_keys = keys_in(folder_order, folders);

    html::BarChart chart;
    chart.id = "chart-folders";
    chart.title = "Recipient verdicts by delivery folder";
    chart.series = {{"System verdict (before overrides)", "k-system"},
                    {"Final verdict (after overrides)", "k-final"}};
    std::string desc = "Recipient verdicts by folder, system verdict then final verdict:";
    html::Table table;
    table.id = "table-folders";
    table.caption = "Recipient verdicts by delivery folder";
    table.headers = {"Folder", "System verdict", "Final verdict", "Difference"};
    table.numeric_columns = {false, true, true, true};
    for (const auto& f : folder_keys) {
        const std::size_t system = count_of(s.by_system_folder, f);
        const std::size_t final = count_of(s.by_final_folder, f);
        chart.groups.push_back({f, {system, final}, ""});
        desc += " " + f + " " + std::to_string(system) + " then " + std::to_string(final) + ";";
        Cell folder = text_cell(f);
        folder.swatch = html::colour_class(f);
        const long long delta = static_cast<long long>(final) - static_cast<long long>(system);
        Cell diff = text_cell(delta == 0 ? "0" : fmt::format("{:+d}", delta));
        diff.number = true;
        table.rows.push_back(
            {folder, map_count(s.by_system_folder, f, {"threat_status", "by_system_folder"}),
             map_count(s.by_final_folder, f, {"threat_status", "by_final_folder"}), diff});
    }
    chart.description = desc;
    table.footer = {text_cell("Total"), number_cell(s.recipients, "/threat_status/recipients"),
                    number_cell(s.recipients, "/threat_status/recipients"), text_cell("")};
    out << "<div class=\"cols\"><div>";
    html::write_bar_chart(out, chart);
    out << "</div><div>";
    html::write_table(out, table);
    out << "</div></div>\n";

    // Detections: the first (winning) detection's CAT and Explorer's technology.
    html::BarChart detections;
    detections.id = "chart-detections";
    detections.title = "Recipient verdicts by detection (CAT)";
    detections.series = {{"Recipient verdicts", ""}};
    std::string ddesc = "Recipient verdicts by first detection:";
    html::Table by_cat;
    by_cat.id = "table-detections";
    by_cat.caption = "By detection (CAT, the first in Microsoft's order)";
    by_cat.headers = {"Detection", "Recipient verdicts"};
    by_cat.numeric_columns = {false, true};
    std::size_t palette = 0;
    for (const auto& cat : keys_in(category_order, s.by_detection)) {
        const std::size_t n = s.by_detection.at(cat);
        const std::string colour = html::colour_class(cat, palette++);
        detections.groups.push_back({category_label(cat), {n}, colour});
        ddesc += " " + category_label(cat) + " " + std::to_string(n) + ";";
        Cell label = text_cell(category_label(cat));
        label.swatch = colour;
        by_cat.rows.push_back(
            {label, map_count(s.by_detection, cat, {"threat_status", "by_detection"})});
    }
    detections.description = ddesc;
    html::Table by_tech;
    by_tech.id = "table-technology";
    by_tech.caption = "By detection technology (Explorer)";
    by_tech.headers = {"Detection technology", "Recipient verdicts"};
    by_tech.numeric_columns = {false, true};
    for (const auto& [tech, n] : s.by_technology) {
        by_tech.rows.push_back(
            {text_cell(tech),
             number_cell(n, json_pointer({"threat_status", "by_detection_technology", tech}))});
    }
    out << "<div class=\"cols\"><div>";
    html::write_bar_chart(out, detections);
    html::write_table(out, by_cat);
    out << "</div><div>";
    html::write_table(out, by_tech);

    html::Table flow;
    flow.id = "table-system-final";
    flow.caption = "System verdict \xe2\x86\x92 final verdict";
    flow.headers = {"System folder", "Final folder", "Recipient verdicts", ""};
    flow.numeric_columns = {false, false, true, false};
    std::size_t i = 0;
    for (const auto& [k, n] : s.system_to_final) {
        Cell from = text_cell(k.first);
        from.swatch = html::colour_class(k.first);
        Cell to = text_cell(k.second);
        to.swatch = html::colour_class(k.second);
        flow.rows.push_back(
            {from, to,
             number_cell(n,
                         json_pointer(json_pointer("/threat_status/system_to_final", i), "count")),
             k.first == k.second ? text_cell("") : pill_cell("override", Tone::info)});
        ++i;
    }
    html::write_table(out, flow);
    out << "</div></div>\n";
}

// The days of the chart: every day between the first and the last message when the span
// is at most 92 days (a quiet day shows as an empty column), else only the days seen;
// "undated" last.
std::vector<std::string> chart_days(
    const std::map<std::string, std::map<std::string, std::size_t>>& by_day) {
    std::vector<std::string> seen;
    bool undated = false;
    for (const auto& kv : by_day) {
        if (kv.first == "undated") {
            undated = true;
        } else {
            seen.push_back(kv.first);
        }
    }
    std::vector<std::string> days;
    const auto parse = [](const std::string& d) -> std::optional<std::chrono::sys_days> {
        int y = 0;
        unsigned m = 0;
        unsigned dd = 0;
        if (std::sscanf(d.c_str(), "%d-%u-%u", &y, &m, &dd) != 3) {
            return std::nullopt;
        }
        const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                              std::chrono::day{dd}};
        if (!ymd.ok()) {
            return std::nullopt;
        }
        return std::chrono::sys_days{ymd};
    };
    const auto first = seen.empty() ? std::nullopt : parse(seen.front());
    const auto last = seen.empty() ? std::nullopt : parse(seen.back());
    if (first && last && (*last - *first).count() <= 92) {
        for (auto d = *first; d <= *last; d += std::chrono::days{1}) {
            days.push_back(
                fmt::format("{:%Y-%m-%d}", fmt::gmtime(std::chrono::system_clock::to_time_t(d))));
        }
    } else {
        days = seen;
    }
    if (undated) {
        days.emplace_back("undated");
    }
    return days;
}

void over_time_body(std::ostream& out, const report::Report& report) {
    const auto& by_day = report.threat_status().by_day;
    std::map<std::string, std::size_t> cats;
    for (const auto& kv : by_day) {
        for (const auto& c : kv.second) {
            cats[c.first] += c.second;
        }
    }
    const auto cat_keys = keys_in(category_order, cats);
    html::ColumnChart chart;
    chart.id = "chart-over-time";
    chart.title = "Detections over time (recipient verdicts per day of the message's Date, UTC)";
    std::size_t palette = 0;
    for (const auto& c : cat_keys) {
        chart.series.push_back({category_label(c), html::colour_class(c, palette++)});
    }
    html::Table table;
    table.id = "table-over-time";
    table.caption = "Recipient verdicts per day and detection";
    table.headers = {"Day (UTC)"};
    table.numeric_columns = {false};
    for (const auto& c : cat_keys) {
        table.headers.push_back(c);
        table.numeric_columns.push_back(true);
    }
    table.headers.emplace_back("Total");
    table.numeric_columns.push_back(true);
    std::string desc = "Recipient verdicts per day:";
    for (const auto& day : chart_days(by_day)) {
        const auto it = by_day.find(day);
        html::ColumnChart::Column column{day, day == "undated" ? day : day.substr(5), {}};
        std::vector<Cell> row{text_cell(day)};
        std::size_t total = 0;
        std::string parts;
        for (const auto& c : cat_keys) {
            const std::size_t n = it == by_day.end() ? 0 : count_of(it->second, c);
            column.values.push_back(n);
            total += n;
            row.push_back(it == by_day.end()
                              ? number_cell(0)
                              : map_count(it->second, c, {"threat_status", "by_day", day}));
            if (n > 0) {
                parts.append(parts.empty() ? "" : ", ")
                    .append(c)
                    .append(" ")
                    .append(std::to_string(n));
            }
        }
        row.push_back(number_cell(total));
        table.rows.push_back(std::move(row));
        chart.columns.push_back(std::move(column));
        if (total > 0) {
            desc.append(" ").append(day).append(": ").append(parts).append(";");
        }
    }
    chart.description = chart.columns.empty() ? "No messages." : desc;
    std::vector<Cell> footer{text_cell("Total")};
    std::size_t all = 0;
    for (const auto& c : cat_keys) {
        footer.push_back(number_cell(cats[c]));
        all += cats[c];
    }
    footer.push_back(number_cell(all));
    table.footer = std::move(footer);
    html::write_column_chart(out, chart);
    html::write_table(out, table);
}

void spoof_body(std::ostream& out, const report::Report& report) {
    html::Table t;
    t.id = "table-spoof";
    t.headers = {"Spoofed user", "Sending infrastructure", "Spoof type",  "Messages",
                 "Last seen",    "Service verdict",        "Tenant entry"};
    t.numeric_columns = {false, false, false, true, false, false, false};
    t.empty_text = "No sender failed explicit email authentication.";
    std::size_t i = 0;
    for (const auto& r : report.spoof_insight()) {
        const std::string p = json_pointer("/spoof_insight", i++);
        const Tone entry_tone = r.configured == "allow"   ? Tone::warn
                                : r.configured == "block" ? Tone::info
                                                          : Tone::none;
        t.rows.push_back(
            {text_cell(r.spoofed_user, p + "/spoofed_user"),
             text_cell(r.infrastructure, p + "/sending_infrastructure"),
             text_cell(r.spoof_type, p + "/spoof_type"), number_cell(r.messages, p + "/messages"),
             date_cell(r.last_seen),
             pill_cell(r.insight_action, r.insight_action == "Blocked" ? Tone::bad : Tone::good,
                       p + "/insight_action"),
             pill_cell(r.configured +
                           (r.configured_source.empty() ? "" : " (" + r.configured_source + ")"),
                       entry_tone)});
    }
    html::write_table(out, t);
}

void impersonation_body(std::ostream& out, const report::Report& report) {
    html::Table t;
    t.id = "table-impersonation";
    t.headers = {
        "Sender",   "Impersonated", "Kind",       "Impersonation type", "Policy",
        "Messages", "Recipients",   "First seen", "Last seen",          "Allowed to impersonate"};
    t.numeric_columns = {false, false, false, false, false, true, true, false, false, false};
    t.empty_text = "No impersonation finding.";
    std::size_t i = 0;
    for (const auto& r : report.impersonation_insight()) {
        const std::string p = json_pointer("/impersonation_insight", i++);
        t.rows.push_back(
            {text_cell(r.sender, p + "/sender"), text_cell(r.impersonated, p + "/impersonated"),
             text_cell(r.kind, p + "/kind"), text_cell(r.type, p + "/type"),
             text_cell(r.policy, p + "/policy"), number_cell(r.messages, p + "/messages"),
             number_cell(r.recipients, p + "/recipients"), date_cell(r.first_seen),
             date_cell(r.last_seen),
             r.allowed.empty() ? pill_cell("No", Tone::bad)
                               : pill_cell("Yes (" + r.allowed + ")", Tone::warn)});
    }
    html::write_table(out, t);
}

void overrides_body(std::ostream& out, const report::Report& report) {
    const auto rows = report.override_analysis();
    html::Table t;
    t.id = "table-overrides";
    t.headers = {"Override source", "Entry",           "Matched",
                 "Applied",         "Changed",         "Unnecessary",
                 "Risky",           "Risky: was junk", "Risky: was quarantine or reject",
                 "Assessment"};
    t.numeric_columns = {false, false, true, true, true, true, true, true, true, false};
    t.empty_text = "No override matched.";
    html::Table ex;
    ex.id = "table-risky-examples";
    ex.caption = "Risky overrides: the recipient verdicts they delivered";
    ex.headers = {"Override",      "File",         "Recipient",
                  "System folder", "Final folder", "System verdict's reason"};
    ex.empty_text = "No override delivered mail the service would have junked or blocked.";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const std::string p = json_pointer("/override_analysis", i);
        Cell assessment = r.risky() > 0    ? pill_cell("Risky: review", Tone::bad)
                          : r.changed == 0 ? pill_cell("Unnecessary: consider removing", Tone::warn)
                                           : pill_cell("Changes verdicts", Tone::info);
        Cell source = text_cell(r.source, p + "/source");
        source.detail = r.mechanism;
        t.rows.push_back(
            {source, text_cell(r.entry, p + "/entry"), number_cell(r.matched, p + "/matched"),
             number_cell(r.applied, p + "/applied"), number_cell(r.changed, p + "/changed"),
             number_cell(r.unnecessary, p + "/unnecessary"), number_cell(r.risky(), p + "/risky"),
             number_cell(r.risky_junk, p + "/risky_junk"),
             number_cell(r.risky_blocked, p + "/risky_quarantine_or_reject"), assessment});
        for (std::size_t j = 0; j < r.risky_examples.size(); ++j) {
            const auto& e = r.risky_examples[j];
            const std::string q = json_pointer(p + "/risky_examples", j);
            Cell system = text_cell(e.system_folder, q + "/system_folder");
            system.swatch = html::colour_class(e.system_folder);
            Cell final = text_cell(e.final_folder, q + "/final_folder");
            final.swatch = html::colour_class(e.final_folder);
            ex.rows.push_back({text_cell(r.source + ": " + r.entry), code_cell(e.file, q + "/file"),
                               text_cell(e.recipient, q + "/recipient"), system, final,
                               text_cell(e.system_reason, q + "/system_reason")});
        }
    }
    html::write_table(out, t);
    if (!rows.empty()) {
        html::write_table(out, ex);
        const std::size_t kept = report.limits().examples;
        out << "<p class=\"lead\">At most " << kept
            << " examples are kept per override; the Risky column counts them all.</p>\n";
    }
}

void auth_failures_body(std::ostream& out, const report::Report& report) {
    html::Table t;
    t.id = "table-auth-failures";
    t.headers = {"From domain", "Messages", "Composite authentication (result/reason)",
                 "Sending infrastructure"};
    t.numeric_columns = {false, true, false, false};
    t.empty_text = "No message failed composite authentication.";
    std::size_t i = 0;
    for (const auto& r : report.top_auth_failures()) {
        const std::string p = json_pointer("/auth_failures", i++);
        t.rows.push_back(
            {text_cell(r.from_domain, p + "/from_domain"), number_cell(r.messages, p + "/messages"),
             code_cell(counts_text(r.reasons)), text_cell(counts_text(r.infrastructures))});
    }
    html::write_table(out, t);
}

void readiness_body(std::ostream& out, const report::Report& report) {
    html::Table t;
    t.id = "table-readiness";
    t.headers = {"From domain", "Messages",     "DMARC policy", "DMARC results", "SPF results",
                 "SPF aligned", "DKIM aligned", "Aligned",      "Status"};
    t.numeric_columns = {false, true, false, false, false, true, true, true, false};
    t.empty_text = "No message with a From domain.";
    std::size_t i = 0;
    for (const auto& r : report.readiness()) {
        const std::string p = json_pointer("/readiness", i++);
        const std::string status = r.status();
        t.rows.push_back({text_cell(r.from_domain, p + "/from_domain"),
                          number_cell(r.messages, p + "/messages"),
                          r.dmarc_record ? text_cell(r.dmarc_policy, p + "/dmarc_policy")
                                         : pill_cell("no record", Tone::bad),
                          text_cell(counts_text(r.dmarc)), text_cell(counts_text(r.spf)),
                          number_cell(r.spf_aligned, p + "/spf_aligned"),
                          number_cell(r.dkim_aligned, p + "/dkim_aligned"),
                          number_cell(r.aligned, p + "/aligned"),
                          pill_cell(status, readiness_tone(status), p + "/status")});
    }
    html::write_table(out, t);
}

// --- diff sections ---

std::string change_what(const report::RecipientChange& c) {
    std::string out;
    const auto add = [&](bool on, const char* what) {
        if (on) {
            out += (out.empty() ? "" : ", ") + std::string(what);
        }
    };
    add(c.folder_changed, "folder");
    add(c.detections_changed, "detections");
    add(c.overrides_changed, "overrides");
    return out;
}

void flow_body(std::ostream& out, const report::Diff& diff, const std::string& a_label,
               const std::string& b_label) {
    const auto& t = diff.totals();
    html::FlowChart chart;
    chart.id = "chart-flow";
    chart.title = "Recipient verdicts from A's final folder to B's";
    chart.left_heading = "A: " + a_label;
    chart.right_heading = "B: " + b_label;
    for (const auto f : folder_order) {
        chart.node_order.emplace_back(folder_label(std::string(f)));
    }
    std::string desc = "Recipient verdicts moving from folder under A to folder under B:";
    html::Table table;
    table.id = "table-flow";
    table.caption = "Folder flow A \xe2\x86\x92 B";
    table.headers = {"Folder under A", "Folder under B", "Recipient verdicts", ""};
    table.numeric_columns = {false, false, true, false};
    std::size_t i = 0;
    for (const auto& [k, n] : t.folder_flow) {
        const std::string a = folder_label(k.first);
        const std::string b = folder_label(k.second);
        chart.flows.push_back({a, b, n});
        desc.append(" ")
            .append(a)
            .append(" to ")
            .append(b)
            .append(" ")
            .append(std::to_string(n))
            .append(";");
        Cell from = text_cell(a);
        from.swatch = html::colour_class(k.first.empty() ? "absent" : k.first);
        Cell to = text_cell(b);
        to.swatch = html::colour_class(k.second.empty() ? "absent" : k.second);
        table.rows.push_back(
            {from, to,
             number_cell(n, json_pointer(json_pointer("/totals/folder_flow", i), "count")),
             k.first == k.second ? text_cell("") : pill_cell("moves", folder_tone(k.second))});
        ++i;
    }
    chart.description = desc;
    table.footer = {text_cell("Total"), text_cell(""),
                    number_cell(t.recipients, "/totals/recipients"), text_cell("")};
    html::write_flow_chart(out, chart);
    html::write_table(out, table);
}

std::vector<Cell> change_row(const report::RecipientChange& c, const std::string& p) {
    Cell a = text_cell(folder_label(c.folder_a), p + "/folder/a");
    a.swatch = html::colour_class(c.folder_a.empty() ? "absent" : c.folder_a);
    Cell b = text_cell(folder_label(c.folder_b), p + "/folder/b");
    b.swatch = html::colour_class(c.folder_b.empty() ? "absent" : c.folder_b);
    Cell file = code_cell(c.file, p + "/file");
    file.detail = c.message_id;
    return {file, text_cell(c.recipient, p + "/recipient"), a, b};
}

void moved_body(std::ostream& out, const report::Diff& diff) {
    html::Table t;
    t.id = "table-moved";
    t.headers = {"File (Message-ID)", "Recipient",          "Folder under A",
                 "Folder under B",    "Detections under B", "Reason under B"};
    t.empty_text = "No recipient verdict moves to Junk, Quarantine or Rejected.";
    const auto moved = diff.moved_to_junk_or_quarantine();
    for (std::size_t i = 0; i < moved.size(); ++i) {
        const auto& c = moved[i];
        auto row = change_row(c, json_pointer("/moved_to_junk_or_quarantine", i));
        row.push_back(text_cell(joined(c.detections_b)));
        row.push_back(text_cell(c.reason_b.empty() ? "-" : c.reason_b));
        t.rows.push_back(std::move(row));
    }
    html::write_table(out, t);
}

void changes_body(std::ostream& out, const report::Diff& diff) {
    html::Table t;
    t.id = "table-changes";
    t.headers = {"File (Message-ID)", "Recipient", "Folder under A", "Folder under B",
                 "Detections",        "Overrides", "Reason",         "Changed"};
    t.empty_text = "Nothing changes between A and B.";
    const auto& changes = diff.changes();
    for (std::size_t i = 0; i < changes.size(); ++i) {
        const auto& c = changes[i];
        const std::string p = json_pointer("/changes", i);
        auto row = change_row(c, p);
        row.push_back(text_cell(arrow(joined(c.detections_a), joined(c.detections_b))));
        row.push_back(text_cell(arrow(joined(c.overrides_a), joined(c.overrides_b))));
        row.push_back(text_cell(c.reason_a == c.reason_b
                                    ? (c.reason_a.empty() ? "-" : c.reason_a + " (same)")
                                    : arrow(c.reason_a.empty() ? "-" : c.reason_a,
                                            c.reason_b.empty() ? "-" : c.reason_b)));
        row.push_back(
            pill_cell(change_what(c), c.folder_changed ? folder_tone(c.folder_b) : Tone::info));
        t.rows.push_back(std::move(row));
    }
    html::write_table(out, t);
}

}  // namespace

html::PageInfo report_page(const report::Report& report, HtmlFacts facts) {
    const auto& s = report.threat_status();
    html::PageInfo page;
    page.title = "mailverdict pilot report";
    page.subtitle =
        "What Microsoft Defender for Office 365 would do with these messages under this tenant's "
        "configuration: threat-protection status, insights, overrides and readiness.";
    std::string first, last;
    for (const auto& kv : s.by_day) {
        if (kv.first != "undated") {
            first = first.empty() ? kv.first : first;
            last = kv.first;
        }
    }
    if (!first.empty()) {
        facts.emplace_back("Messages dated",
                           first == last ? first : first + " to " + last + " (UTC)");
    }
    page.facts = std::move(facts);
    std::size_t risky = 0;
    for (const auto& r : report.override_analysis()) {
        risky += r.risky();
    }
    const auto folder_figure = [&](const std::string& folder, const std::string& label, Tone tone) {
        return html::Figure{label, count_of(s.by_final_folder, folder),
                            s.by_final_folder.count(folder) > 0
                                ? json_pointer({"threat_status", "by_final_folder", folder})
                                : std::string(),
                            tone, "final verdicts"};
    };
    page.figures = {
        {"Messages", s.messages, "/threat_status/messages", Tone::info,
         s.unparsed > 0 ? std::to_string(s.unparsed) + " could not be evaluated" : ""},
        {"Recipient verdicts", s.recipients, "/threat_status/recipients", Tone::info, ""},
        folder_figure("inbox", "Inbox", Tone::good),
        folder_figure("junk", "Junk", Tone::warn),
        folder_figure("quarantine", "Quarantine", Tone::bad),
        folder_figure("rejected", "Rejected", Tone::bad),
        {"Risky overrides", risky, "", risky > 0 ? Tone::bad : Tone::good,
         "verdicts delivered that the service would have junked or blocked"},
    };
    page.notes = {
        "Threat-protection figures count recipient verdicts, as Explorer does: a message to "
        "three recipients counts three times. The detection is the first one in Microsoft's "
        "processing order.",
        "Detection technology maps phish to \"Advanced filter\" and spam to \"General "
        "filter\": an inference, Microsoft does not document those two.",
        "Days are the UTC day of each message's Date field; messages without a readable Date "
        "are counted as \"undated\".",
        "Every figure in a table carries, as its data-json attribute, the JSON pointer of the "
        "same value in the output of mailverdict report --format json.",
    };
    return page;
}

std::vector<html::Section> report_sections(const report::Report& report) {
    const report::Report* r = &report;
    return {
        {"threat-status", "Threat protection status",
         "Recipient verdicts by delivery folder before (system verdict) and after (final "
         "verdict) the tenant's overrides, and by the detection that decided them.",
         [r](std::ostream& out) { threat_status_body(out, *r); }},
        {"over-time", "Detections over time",
         "Recipient verdicts per day of the message's Date, by first detection.",
         [r](std::ostream& out) { over_time_body(out, *r); }},
        {"spoof-insight", "Spoof intelligence insight",
         "Spoofed-user and sending-infrastructure pairs whose mail failed explicit email "
         "authentication (DMARC did not pass): review them (onboarding step 3) and allow the "
         "legitimate ones with a spoofed-sender entry.",
         [r](std::ostream& out) { spoof_body(out, *r); }},
        {"impersonation-insight", "Impersonation insight",
         "Senders whose display name or domain imitates a protected user or domain, per "
         "anti-phishing policy (onboarding step 4).",
         [r](std::ostream& out) { impersonation_body(out, *r); }},
        {"override-analysis", "Override analysis",
         "Each override source and entry: how many recipient verdicts it matched, how many it "
         "changed and how many of those the service would have junked or quarantined "
         "(onboarding step 6: remove unnecessary overrides, watch risky ones).",
         [r](std::ostream& out) { overrides_body(out, *r); }},
        {"auth-failures", "Top senders failing authentication",
         "From domains of messages whose composite authentication failed, with the reason "
         "codes and the sending infrastructures.",
         [r](std::ostream& out) { auth_failures_body(out, *r); }},
        {"readiness", "DMARC, SPF and DKIM readiness",
         "Per From domain seen: the DMARC record and policy, authentication results and how "
         "much of the mail is aligned.",
         [r](std::ostream& out) { readiness_body(out, *r); }},
    };
}

void write_report_html(std::ostream& out, const report::Report& report, HtmlFacts facts) {
    html::write_page(out, report_page(report, std::move(facts)), report_sections(report));
}

html::PageInfo diff_page(const report::Diff& diff, const std::string& a_label,
                         const std::string& b_label, HtmlFacts facts) {
    const auto& t = diff.totals();
    html::PageInfo page;
    page.title = "mailverdict diff";
    page.subtitle =
        "What changes for the same messages between configuration A and configuration B.";
    facts.insert(facts.begin(), {{"A", a_label}, {"B", b_label}});
    page.facts = std::move(facts);
    const std::size_t moved = diff.moved_to_junk_or_quarantine().size();
    page.figures = {
        {"Messages", t.messages, "/totals/messages", Tone::info, ""},
        {"Recipient verdicts", t.recipients, "/totals/recipients", Tone::info, ""},
        {"Changed", t.changed, "/totals/changed", t.changed > 0 ? Tone::warn : Tone::good,
         "any of folder, detections, overrides"},
        {"Folder changes", t.folder_changed, "/totals/folder_changed", Tone::none, ""},
        {"Detection changes", t.detections_changed, "/totals/detections_changed", Tone::none, ""},
        {"Override changes", t.overrides_changed, "/totals/overrides_changed", Tone::none, ""},
        {"Moved to junk, quarantine, rejected", moved, "", moved > 0 ? Tone::bad : Tone::good,
         "mail B stops delivering to the Inbox"},
    };
    page.notes = {
        "Recipients are matched by address; a recipient verdict is listed when its final "
        "folder, action, detections (CATs) or applied overrides differ.",
        "Every figure in a table carries, as its data-json attribute, the JSON pointer of the "
        "same value in the output of mailverdict diff --format json.",
    };
    return page;
}

std::vector<html::Section> diff_sections(const report::Diff& diff, const std::string& a_label,
                                         const std::string& b_label) {
    const report::Diff* d = &diff;
    return {
        {"flow", "Folder flow from A to B",
         "Every recipient verdict, from its final folder under A to its final folder under B; "
         "pale bands keep their folder.",
         [d, a_label, b_label](std::ostream& out) { flow_body(out, *d, a_label, b_label); }},
        {"moved", "Moved to Junk, Quarantine or Rejected",
         "The recipient verdicts B no longer delivers to the Inbox (or moves to a stricter "
         "folder): the mail users will miss or find in Junk after the change.",
         [d](std::ostream& out) { moved_body(out, *d); }},
        {"changes", "Every change",
         "Per message and recipient: folder, detections, applied overrides and the final "
         "disposition's reason under A and B.",
         [d](std::ostream& out) { changes_body(out, *d); }},
    };
}

void write_diff_html(std::ostream& out, const report::Diff& diff, const std::string& a_label,
                     const std::string& b_label, HtmlFacts facts) {
    html::write_page(out, diff_page(diff, a_label, b_label, std::move(facts)),
                     diff_sections(diff, a_label, b_label));
}

}  // namespace mailverdict::output
