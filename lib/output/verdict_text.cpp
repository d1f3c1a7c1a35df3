// Terminal text of a verdict: one block per message, the verdict first, then why.
#include <mailverdict/output/verdict_json.hpp>

#include <ostream>
#include <string_view>

namespace mailverdict::output {

void print_verdict_text(std::ostream& out, const verdict::Verdict& v, const std::string& file,
                        bool with_trace) {
    out << file << "\n";
    for (const auto& r : v.recipients) {
        out << "  " << (r.address.empty() ? "(unknown recipient)" : r.address) << ": "
            << verdict::to_string(r.final.folder) << " (" << r.final.action << ")";
        if (!(r.system == r.final)) {
            out << "  [without tenant overrides: " << verdict::to_string(r.system.folder) << " ("
                << r.system.action << ")]";
        }
        out << "\n";
        out << "    why: " << (r.final.reason.empty() ? "no detection" : r.final.reason) << "\n";
        if (!r.detections.empty()) {
            out << "    detections:";
            for (const auto& d : r.detections) {
                out << " " << verdict::category(d.detection);
            }
            out << "\n";
        }
        for (const auto& e : r.impersonation) {
            out << "    impersonation "
                << (e.suppression.empty() ? "" : "(allowed: " + e.suppression + ") ") << e.summary
                << "\n";
        }
        for (const auto& o : r.overrides) {
            out << "    override " << (o.applied ? "applied" : "not applied") << ": " << o.source
                << " [" << o.entry << "] " << o.effect << "\n";
        }
        out << "    policies: " << r.anti_phish_policy << " / " << r.anti_spam_policy << "\n";
        out << "    SFV:" << r.sfv << " CAT:" << r.cat << " SCL:" << r.scl
            << (r.sfty.empty() ? "" : " SFTY:" + r.sfty) << "\n";
        for (const auto& t : r.safety_tips) {
            out << "    safety tip: " << t << "\n";
        }
    }
    out << "  compauth=" << verdict::to_string(v.compauth.result)
        << " reason=" << v.compauth.reason_text() << ": " << v.compauth.detail << "\n";
    out << "  client "
        << (v.envelope.client_ip ? unmap(*v.envelope.client_ip).to_string() : "unknown")
        << (v.connector.empty() ? "" : " via connector '" + v.connector + "'")
        << (v.enhanced_filtering ? " (enhanced filtering)" : "") << "\n";
    if (!v.recipients.empty()) {
        out << "  Authentication-Results: " << microsoft_auth_results(v, v.recipients.front())
            << "\n";
    }
    if (with_trace) {
        for (const auto& s : v.trace) {
            out << "    - [" << s.stage << "] " << s.rule << ": " << s.outcome << "\n";
        }
        for (const auto& r : v.recipients) {
            for (const auto& s : r.trace) {
                out << "    - [" << s.stage << " " << r.address << "] " << s.rule << ": "
                    << s.outcome << "\n";
            }
        }
    }
}

}  // namespace mailverdict::output

namespace mailverdict::output {

namespace {

// Column widths of the verdict table; a longer value pushes the row (one space kept).
constexpr std::size_t message_width = 42;
constexpr std::size_t recipient_width = 30;
constexpr std::size_t folder_width = 11;

void cell(std::ostream& out, std::string_view text, std::size_t width) {
    out << text;
    out << std::string(text.size() < width ? width - text.size() : 1, ' ');
}

}  // namespace

void print_verdict_table_header(std::ostream& out) {
    cell(out, "MESSAGE", message_width);
    cell(out, "RECIPIENT", recipient_width);
    cell(out, "FINAL", folder_width);
    cell(out, "SYSTEM", folder_width);
    cell(out, "SFV", 5);
    cell(out, "CAT", 7);
    cell(out, "SCL", 4);
    cell(out, "COMPAUTH", 14);
    out << "WHY\n";
}

void print_verdict_table_rows(std::ostream& out, const verdict::Verdict& v,
                              const std::string& file) {
    // The file name only (an mbox message keeps its ":N"): the table is for scanning a
    // directory; text and jsonl keep the full name.
    const auto slash = file.rfind('/');
    const std::string name = slash == std::string::npos ? file : file.substr(slash + 1);
    const std::string compauth =
        std::string(verdict::to_string(v.compauth.result)) + "/" + v.compauth.reason_text();
    const std::string defects =
        v.defects.empty() ? "" : " [" + std::to_string(v.defects.size()) + " defect(s)]";
    if (v.recipients.empty()) {
        cell(out, name, message_width);
        out << "(no recipient)" << defects << "\n";
        return;
    }
    for (const auto& r : v.recipients) {
        cell(out, name, message_width);
        cell(out, r.address.empty() ? "(unknown)" : r.address, recipient_width);
        cell(out, verdict::to_string(r.final.folder), folder_width);
        // "=" when the tenant's overrides left the system verdict as it was.
        cell(out, r.system.folder == r.final.folder ? "=" : verdict::to_string(r.system.folder),
             folder_width);
        cell(out, r.sfv, 5);
        cell(out, r.cat, 7);
        cell(out, std::to_string(r.scl), 4);
        cell(out, compauth, 14);
        out << (r.final.reason.empty() ? "no detection" : r.final.reason) << defects << "\n";
    }
}

}  // namespace mailverdict::output
