// HTML sections and page of a posture analysis (posture_html.hpp).
#include <mailverdict/output/posture_html.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <ostream>

namespace mailverdict::output {

namespace {

using html::Cell;
using html::code_cell;
using html::number_cell;
using html::pill_cell;
using html::text_cell;
using html::Tone;
using policy::CheckStatus;
using policy::Finding;
using policy::Severity;

Tone severity_tone(const Finding& f) {
    if (f.status == CheckStatus::could_not_check) {
        return Tone::info;
    }
    switch (f.severity) {
        case Severity::high:
            return Tone::bad;
        case Severity::medium:
            return Tone::warn;
        default:
            return Tone::info;
    }
}

std::size_t count(int points) {
    return points < 0 ? 0 : static_cast<std::size_t>(points);
}

std::string percent_text(const policy::PostureScore& score) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", score.percent());
    return buf;
}

// The index of each check in the JSON's "findings" (not passed) or "passed" array.
struct Indexed {
    const Finding* finding;
    std::size_t index;
};

void score_body(std::ostream& out, const policy::PostureResult& result, const std::string& base) {
    struct AreaRow {
        std::size_t passed = 0, failed = 0, unchecked = 0;
        int earned = 0, possible = 0;
    };
    std::map<std::string, AreaRow> areas;
    for (const auto& f : result.checks) {
        auto& a = areas[std::string(policy::to_string(f.area))];
        if (f.status == CheckStatus::passed) {
            ++a.passed;
        } else if (f.status == CheckStatus::failed) {
            ++a.failed;
        } else {
            ++a.unchecked;
        }
        if (f.status != CheckStatus::could_not_check) {
            a.earned += f.points_earned;
            a.possible += f.points_possible;
        }
    }
    html::Table t;
    t.id = "posture-score";
    t.caption = "Points by area (a check earns its points in full when it passes)";
    t.headers = {"Area", "Passed", "Failed", "Could not check", "Points earned", "Points possible"};
    t.numeric_columns = {false, true, true, true, true, true};
    for (const auto& [area, a] : areas) {
        t.rows.push_back({text_cell(area), number_cell(a.passed), number_cell(a.failed),
                          number_cell(a.unchecked), number_cell(count(a.earned)),
                          number_cell(count(a.possible))});
    }
    t.footer = {text_cell("Total"),
                number_cell(0),
                number_cell(0),
                number_cell(0),
                number_cell(count(result.score.earned), base + "/score/earned"),
                number_cell(count(result.score.possible), base + "/score/possible")};
    std::size_t passed = 0, failed = 0, unchecked = 0;
    for (const auto& [area, a] : areas) {
        passed += a.passed;
        failed += a.failed;
        unchecked += a.unchecked;
    }
    t.footer[1] = number_cell(passed, base + "/summary/passed");
    t.footer[2] = number_cell(failed);
    t.footer[3] = number_cell(unchecked, base + "/summary/could_not_check");
    html::write_table(out, t);

    html::Table s;
    s.id = "posture-summary";
    s.caption = "Score";
    s.headers = {"", "Value"};
    s.numeric_columns = {false, true};
    Cell percent = text_cell(percent_text(result.score), base + "/score/percent");
    percent.number = true;  // a JSON string ("81.3"), shown as the number it is
    s.rows = {{text_cell("Score (%)"), percent},
              {text_cell("Points of checks that could not run"),
               number_cell(count(result.score.unchecked), base + "/score/unchecked")}};
    for (const auto sev :
         {Severity::high, Severity::medium, Severity::low, Severity::informational}) {
        std::size_t n = 0;
        for (const auto& f : result.checks) {
            n += f.status == CheckStatus::failed && f.severity == sev ? 1 : 0;
        }
        const std::string name(policy::to_string(sev));
        std::string pointer = base;
        pointer.append("/summary/").append(name);
        s.rows.push_back({text_cell("Findings of severity " + name), number_cell(n, pointer)});
    }
    html::write_table(out, s);
}

void findings_body(std::ostream& out, const std::vector<Indexed>& rows, const std::string& base,
                   policy::Baseline baseline, bool unchecked) {
    html::Table t;
    t.id = unchecked ? "posture-unchecked" : "posture-findings";
    t.caption = unchecked ? "Checks a DNS failure kept from running"
                          : std::string("Settings and records weaker than the ") +
                                std::string(policy::to_string(baseline)) +
                                " recommendation or the cut-over checklist";
    const bool strict = baseline == policy::Baseline::strict;
    t.headers = {"Severity", "Subject and check",
                 "Current",  strict ? "Strict (Standard)" : "Standard (Strict)",
                 "Action",   "Points"};
    t.numeric_columns = {false, false, false, false, false, true};
    t.empty_text = unchecked ? "Every check ran." : "Nothing to act on.";
    for (const auto& [f, i] : rows) {
        const std::string p = html::json_pointer(base + "/findings", i);
        // The subject (policy, rule, connector, domain) with the check's id and setting as
        // its second line: docs/posture.md lists the checks by id.
        Cell subject = text_cell(f->subject, p + "/subject");
        subject.detail = f->id + (f->setting.empty() ? "" : " (" + f->setting + ")");
        Cell action = text_cell(f->action, p + "/action");
        action.detail = f->source;
        // The baseline's value; the other column as the cell's second line.
        Cell recommended = strict ? text_cell(f->strict, p + "/recommended/strict")
                                  : text_cell(f->standard, p + "/recommended/standard");
        const std::string& other = strict ? f->standard : f->strict;
        if (!other.empty()) {
            recommended.detail = (strict ? "Standard: " : "Strict: ") + other;
        }
        t.rows.push_back({pill_cell(std::string(policy::to_string(f->severity)), severity_tone(*f),
                                    p + "/severity"),
                          subject, code_cell(f->current, p + "/current"), recommended, action,
                          number_cell(count(f->points_possible), p + "/points_possible")});
    }
    html::write_table(out, t);
}

void passed_body(std::ostream& out, const std::vector<Indexed>& rows, const std::string& base) {
    html::Table t;
    t.id = "posture-passed";
    t.caption = "Checks that passed";
    t.headers = {"Check", "Subject", "Current", "Points"};
    t.numeric_columns = {false, false, false, true};
    for (const auto& [f, i] : rows) {
        const std::string p = html::json_pointer(base + "/passed", i);
        t.rows.push_back({code_cell(f->id, p + "/id"), text_cell(f->subject, p + "/subject"),
                          code_cell(f->current, p + "/current"),
                          number_cell(count(f->points_earned), p + "/points_earned")});
    }
    html::write_table(out, t);
}

struct Split {
    std::vector<Indexed> failed, unchecked, passed;
};

Split split(const policy::PostureResult& result) {
    // The JSON lists failed and could_not_check together in "findings" (analysis order) and
    // the passed checks in "passed"; keep those indexes for the pointers.
    Split s;
    std::size_t findings = 0, passed = 0;
    for (const auto& f : result.checks) {
        if (f.status == CheckStatus::passed) {
            s.passed.push_back({&f, passed++});
        } else if (f.status == CheckStatus::failed) {
            s.failed.push_back({&f, findings++});
        } else {
            s.unchecked.push_back({&f, findings++});
        }
    }
    // Findings to act on: high first (stable: analysis order within a severity).
    std::stable_sort(s.failed.begin(), s.failed.end(), [](const Indexed& a, const Indexed& b) {
        return a.finding->severity < b.finding->severity;
    });
    return s;
}

}  // namespace

std::vector<html::Section> posture_sections(const policy::PostureResult& result,
                                            policy::Baseline baseline,
                                            const std::string& json_base) {
    const policy::PostureResult* r = &result;
    auto parts = std::make_shared<Split>(split(result));
    return {
        {"posture-score", "Posture score",
         "Points earned out of points possible, in the spirit of Secure Score: every check is "
         "worth the points of its severity (high 10, medium 5, low 2) and earns them when it "
         "passes; checks that could not run count in neither total.",
         [r, json_base](std::ostream& out) { score_body(out, *r, json_base); }},
        {"posture-findings", "Posture findings",
         "The configuration analyzer (custom and default policies against Microsoft's Standard "
         "and Strict recommendations) and the checks to pass before switching MX (migration "
         "guide, onboarding step 8), most severe first.",
         [parts, json_base, baseline](std::ostream& out) {
             findings_body(out, parts->failed, json_base, baseline, false);
             findings_body(out, parts->unchecked, json_base, baseline, true);
         }},
        {"posture-passed", "Posture checks passed", "Every check that met its recommendation.",
         [parts, json_base](std::ostream& out) { passed_body(out, parts->passed, json_base); }},
    };
}

void write_posture_html(std::ostream& out, const policy::PostureResult& result,
                        std::string_view tenant, policy::Baseline baseline,
                        std::vector<std::pair<std::string, std::string>> facts) {
    html::PageInfo page;
    page.title = "mailverdict posture";
    page.subtitle = "Configuration analyzer and MX cut-over readiness of " + std::string(tenant) +
                    ", against the " + std::string(policy::to_string(baseline)) +
                    " recommendations.";
    page.facts = std::move(facts);
    std::size_t high = 0, failed = 0;
    for (const auto& f : result.checks) {
        failed += f.status == CheckStatus::failed ? 1 : 0;
        high += f.status == CheckStatus::failed && f.severity == Severity::high ? 1 : 0;
    }
    page.figures = {
        {"Points earned", count(result.score.earned), "/score/earned", Tone::info,
         "of " + std::to_string(result.score.possible) + " possible (" +
             percent_text(result.score) + " %)"},
        {"Points possible", count(result.score.possible), "/score/possible", Tone::none, ""},
        {"High severity", high, "/summary/high", high > 0 ? Tone::bad : Tone::good,
         "findings to fix before the switch"},
        {"Findings", failed, "", failed > 0 ? Tone::warn : Tone::good, "checks that failed"},
    };
    page.notes = {
        "Weights, the TTL threshold and the host name patterns taken as Microsoft's are "
        "mailverdict's choices, documented in docs/posture.md.",
        "Every figure in a table carries, as its data-json attribute, the JSON pointer of the "
        "same value in the output of mailverdict posture --format json.",
    };
    html::write_page(out, page, posture_sections(result, baseline));
}

}  // namespace mailverdict::output
