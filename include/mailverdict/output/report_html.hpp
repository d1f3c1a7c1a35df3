// The HTML renderings of the pilot report and of a diff between two tenants: one
// self-contained page each (html.hpp: inline CSS and SVG, no script, no network), with the
// tables of the text and JSON renderings, charts (counts by folder, detections over time,
// the A -> B folder flow) and, on every figure, the JSON pointer of the same value in
// --format json (data-json). docs/report.md.
//
// A page is PageInfo + Sections: to add a view to the report page (posture, ...), append
// its sections to report_sections() and write the page with html::write_page.
#pragma once

#include <mailverdict/output/html.hpp>
#include <mailverdict/report/diff.hpp>
#include <mailverdict/report/report.hpp>

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace mailverdict::output {

// Name/value lines for the page header ("Tenant file" -> path, ...), given by the caller.
using HtmlFacts = std::vector<std::pair<std::string, std::string>>;

// The report page's title, facts (the given ones, then the span of the messages' dates),
// headline figures and notes.
html::PageInfo report_page(const report::Report& report, HtmlFacts facts);
// Threat-protection status, detections over time, spoof intelligence insight,
// impersonation insight, override analysis, senders failing authentication, readiness.
// The sections refer to `report`: write them while it lives.
std::vector<html::Section> report_sections(const report::Report& report);
// report_page + report_sections.
void write_report_html(std::ostream& out, const report::Report& report, HtmlFacts facts = {});

// `a_label`/`b_label` name the two configurations (the tenant files) in headings.
html::PageInfo diff_page(const report::Diff& diff, const std::string& a_label,
                         const std::string& b_label, HtmlFacts facts);
// Folder flow A -> B, moved to Junk/Quarantine/Rejected, every change. Refer to `diff`.
std::vector<html::Section> diff_sections(const report::Diff& diff, const std::string& a_label,
                                         const std::string& b_label);
void write_diff_html(std::ostream& out, const report::Diff& diff, const std::string& a_label,
                     const std::string& b_label, HtmlFacts facts = {});

}  // namespace mailverdict::output
