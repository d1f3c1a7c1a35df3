// Terminal text of the pilot report and of a diff (report_json.hpp).
#include <mailverdict/output/report_json.hpp>

#include <chrono>
#include <ostream>

namespace mailverdict::output {

namespace {

std::string day(const std::optional<std::chrono::sys_seconds>& t) {
    return t ? report::utc_date(*t) : std::string("-");
}

std::string counts(const std::map<std::string, std::size_t>& m) {
    std::string out;
    for (const auto& [k, n] : m) {
        out += (out.empty() ? "" : " ") + k + "=" + std::to_string(n);
    }
    return out.empty() ? "none" : out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        out += (out.empty() ? "" : ", ") + s;
    }
    return out.empty() ? "-" : out;
}

}  // namespace

void print_report_text(std::ostream& out, const report::Report& report) {
    const auto& s = report.threat_status();
    out << "Threat protection status\n"
        << "  " << s.messages << " message(s), " << s.recipients << " recipient verdict(s)";
    if (s.unparsed > 0) {
        out << ", " << s.unparsed << " unparsed";
    }
    out << "\n  by detection (CAT): " << counts(s.by_detection)
        << "\n  by detection technology: " << counts(s.by_technology)
        << "\n  by final folder: " << counts(s.by_final_folder) << "\n  system -> final:";
    for (const auto& [k, n] : s.system_to_final) {
        out << " " << k.first << "->" << k.second << "=" << n;
    }
    out << "\n\nSpoof intelligence insight (pairs failing explicit authentication)\n";
    const auto spoof = report.spoof_insight();
    if (spoof.empty()) {
        out << "  none\n";
    }
    for (const auto& r : spoof) {
        out << "  " << r.spoofed_user << " via " << r.infrastructure << "  " << r.spoof_type
            << "  messages=" << r.messages << "  last seen " << day(r.last_seen) << "  insight "
            << r.insight_action << "  entry: " << r.configured
            << (r.configured_source.empty() ? "" : " (" + r.configured_source + ")") << "\n";
    }
    out << "\nImpersonation insight\n";
    const auto imp = report.impersonation_insight();
    if (imp.empty()) {
        out << "  none\n";
    }
    for (const auto& r : imp) {
        out << "  " << r.sender << " -> " << r.impersonated << "  " << r.kind << " (" << r.type
            << ")  policy " << r.policy << "  messages=" << r.messages << "  seen "
            << day(r.first_seen) << ".." << day(r.last_seen) << "  allowed to impersonate: "
            << (r.allowed.empty() ? "No" : "Yes (" + r.allowed + ")") << "\n";
    }
    out << "\nOverride analysis (onboarding step 6)\n";
    const auto ov = report.override_analysis();
    if (ov.empty()) {
        out << "  none\n";
    }
    for (const auto& r : ov) {
        out << "  " << r.source << ": " << r.entry << " [" << r.mechanism << "]\n"
            << "    matched=" << r.matched << " applied=" << r.applied << " changed=" << r.changed
            << " unnecessary=" << r.unnecessary << " risky=" << r.risky()
            << " (junk=" << r.risky_junk << " quarantine/reject=" << r.risky_blocked << ")\n";
        for (const auto& e : r.risky_examples) {
            out << "    risky: " << e.file << " " << e.recipient << " " << e.system_folder << " -> "
                << e.final_folder << "\n";
        }
    }
    out << "\nTop senders failing authentication (compauth=fail)\n";
    const auto fails = report.top_auth_failures();
    if (fails.empty()) {
        out << "  none\n";
    }
    for (const auto& r : fails) {
        out << "  " << r.from_domain << "  messages=" << r.messages << "  " << counts(r.reasons)
            << "  from " << counts(r.infrastructures) << "\n";
    }
    out << "\nDMARC/SPF/DKIM readiness of the senders seen\n";
    for (const auto& r : report.readiness()) {
        out << "  " << r.from_domain << "  messages=" << r.messages << "  DMARC "
            << (r.dmarc_record ? "p=" + r.dmarc_policy : std::string("no record")) << " ("
            << counts(r.dmarc) << ")  SPF " << counts(r.spf) << "  aligned SPF=" << r.spf_aligned
            << " DKIM=" << r.dkim_aligned << "  " << r.status() << "\n";
    }
}

void print_diff_text(std::ostream& out, const report::Diff& diff) {
    const auto& t = diff.totals();
    out << t.messages << " message(s), " << t.recipients << " recipient verdict(s): " << t.changed
        << " change(s) (folder " << t.folder_changed << ", detections " << t.detections_changed
        << ", overrides " << t.overrides_changed << ")\n";
    out << "  folder flow A -> B:";
    for (const auto& [k, n] : t.folder_flow) {
        out << " " << k.first << "->" << k.second << "=" << n;
    }
    out << "\n";
    for (const auto& c : diff.changes()) {
        out << "\n" << c.file << " (" << c.recipient << ")\n";
        out << "  folder:     " << c.folder_a << " -> " << c.folder_b
            << (c.folder_changed ? "" : " (same)") << "\n";
        out << "  detections: " << joined(c.detections_a) << " -> " << joined(c.detections_b)
            << "\n";
        out << "  overrides:  " << joined(c.overrides_a) << " -> " << joined(c.overrides_b) << "\n";
        if (c.reason_a != c.reason_b) {
            out << "  reason:     " << (c.reason_a.empty() ? "-" : c.reason_a) << " -> "
                << (c.reason_b.empty() ? "-" : c.reason_b) << "\n";
        }
    }
    const auto moved = diff.moved_to_junk_or_quarantine();
    out << "\nMoved to Junk/Quarantine/Rejected under B: " << moved.size() << "\n";
    for (const auto& c : moved) {
        out << "  " << c.file << " " << c.recipient << " " << c.folder_a << " -> " << c.folder_b
            << "\n";
    }
}

}  // namespace mailverdict::output
