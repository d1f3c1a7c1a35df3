// Terminal text of a verdict: one block per message, the verdict first, then why.
#include <mailverdict/output/verdict_json.hpp>

#include <ostream>

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
