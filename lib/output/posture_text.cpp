// Terminal text of a posture analysis (posture_json.hpp): findings grouped by severity,
// each with what was found, what is recommended and what to do.
#include <mailverdict/output/posture_json.hpp>

#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace mailverdict::output {

namespace {

void print_finding(std::ostream& out, const policy::Finding& f) {
    out << "  [" << f.id << "] " << f.subject;
    if (!f.setting.empty()) {
        out << ": " << f.setting;
    }
    out << "\n      current:     " << f.current << "\n";
    if (f.standard == f.strict) {
        if (!f.standard.empty()) {
            out << "      recommended: " << f.standard << "\n";
        }
    } else {
        out << "      recommended: Standard " << f.standard << ", Strict " << f.strict << "\n";
    }
    if (!f.action.empty()) {
        out << "      action:      " << f.action << "\n";
    }
    out << "      source:      " << f.source << "\n";
}

std::string percent(double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", value);
    return buf;
}

}  // namespace

void print_posture_text(std::ostream& out, const policy::PostureResult& result,
                        std::string_view tenant, policy::Baseline baseline) {
    const auto& score = result.score;
    out << "Posture of " << tenant
        << " (baseline: " << (baseline == policy::Baseline::strict ? "Strict" : "Standard") << ")\n"
        << "Score: " << score.earned << " / " << score.possible << " points ("
        << percent(score.percent()) << ")";
    if (score.unchecked > 0) {
        out << "; " << score.unchecked << " points could not be checked";
    }
    out << "\n";
    const auto findings = result.findings();
    if (findings.empty()) {
        out << "\nNo findings.\n";
    }
    struct Group {
        std::string_view title;
        bool could_not_check;
        policy::Severity severity;
    };
    const Group groups[] = {
        {"HIGH", false, policy::Severity::high},
        {"MEDIUM", false, policy::Severity::medium},
        {"LOW", false, policy::Severity::low},
        {"INFORMATIONAL", false, policy::Severity::informational},
        {"COULD NOT CHECK (DNS)", true, policy::Severity::informational},
    };
    for (const auto& g : groups) {
        std::vector<const policy::Finding*> in_group;
        for (const auto* f : findings) {
            const bool unchecked = f->status == policy::CheckStatus::could_not_check;
            if (unchecked == g.could_not_check && (unchecked || f->severity == g.severity)) {
                in_group.push_back(f);
            }
        }
        if (in_group.empty()) {
            continue;
        }
        out << "\n" << g.title << " (" << in_group.size() << ")\n";
        for (const auto* f : in_group) {
            print_finding(out, *f);
        }
    }
    std::map<std::string, std::size_t> passed;
    std::size_t total = 0;
    std::vector<const policy::Finding*> strict_gaps;
    for (const auto& f : result.checks) {
        if (f.status != policy::CheckStatus::passed) {
            continue;
        }
        ++passed[std::string(policy::to_string(f.area))];
        ++total;
        if (baseline == policy::Baseline::standard && !f.meets_strict) {
            strict_gaps.push_back(&f);
        }
    }
    out << "\nPassed: " << total << " check(s)";
    std::string sep = ": ";
    for (const auto& [area, n] : passed) {
        out << sep << area << " " << n;
        sep = ", ";
    }
    out << "\n";
    if (!strict_gaps.empty()) {
        out << "\nMeets Standard, below Strict (" << strict_gaps.size() << ")\n";
        for (const auto* f : strict_gaps) {
            out << "  [" << f->id << "] " << f->subject << ": " << f->current << " (Strict "
                << f->strict << ")\n";
        }
    }
}

}  // namespace mailverdict::output
