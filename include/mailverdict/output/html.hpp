// Building blocks of mailverdict's HTML pages: one self-contained HTML5 document (inline
// CSS, inline SVG charts, no script, no external resource, a Content-Security-Policy that
// forbids both) made of sections. A page is a PageInfo (title, facts, headline figures)
// and a list of Sections, each a function that writes its body to an ostream with the
// helpers below, so a new view (posture, submissions) is one more function returning
// Sections. Every text that can come from a message, a tenant file or a path is written
// through escape(). Used by report_html.hpp; layout and choices in docs/report.md.
#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailverdict::output::html {

// Text for HTML content or a quoted attribute value: & < > " ' become character
// references; bytes that are not UTF-8 (mail is not always UTF-8), control characters
// other than tab and line breaks, and noncharacters become U+FFFD.
std::string escape(std::string_view text);

// An RFC 6901 JSON pointer (tokens escaped: ~ -> ~0, / -> ~1): "/threat_status/by_day/x".
// Cells and figures carry the pointer of the same value in the command's --format json
// output as a data-json attribute, so a reader (and the tests) can tell which figure is
// which.
std::string json_pointer(std::initializer_list<std::string_view> tokens);
// `base` + "/" + escaped token.
std::string json_pointer(std::string_view base, std::string_view token);
std::string json_pointer(std::string_view base, std::size_t index);

// The colour class ("k-inbox", "k-spoof", "k-p3") of a folder or detection category;
// unknown keys take a palette colour by `fallback_index`.
std::string colour_class(std::string_view key, std::size_t fallback_index = 0);

// A status pill's tone.
enum class Tone { none, good, info, warn, bad };

struct Cell {
    std::string text;
    bool number = false;     // right-aligned, tabular figures
    bool code = false;       // monospace, may break after / _ - . @ (file names, message IDs)
    bool nowrap = false;     // dates and other short values kept on one line
    std::string json;        // JSON pointer of the same value in --format json ("" none)
    Tone tone = Tone::none;  // shown as a pill when not none
    std::string swatch;      // colour class of a legend swatch before the text ("" none)
    std::string detail;      // a second, muted line (not part of the value)
};
Cell text_cell(std::string text, std::string json = {});
Cell code_cell(std::string text, std::string json = {});
Cell number_cell(std::size_t n, std::string json = {});
Cell pill_cell(std::string text, Tone tone, std::string json = {});

struct Table {
    std::string id;  // element id (ASCII letters, digits, '-')
    std::string caption;
    std::vector<std::string> headers;
    std::vector<bool> numeric_columns;  // headers of number columns are right-aligned too
    std::vector<std::vector<Cell>> rows;
    std::vector<Cell> footer;  // a totals row ("" = none)
    std::string empty_text = "None.";
};
// The first cell of each row is its row header (<th scope="row">).
void write_table(std::ostream& out, const Table& table);

// A labelled figure of the headline band (Messages, Recipient verdicts, ...).
struct Figure {
    std::string label;
    std::size_t value = 0;
    std::string json;
    Tone tone = Tone::none;
    std::string note;  // one short line under the figure
};

// --- charts (inline SVG, role="img" with <title> and <desc>; the numbers are also
// --- in a table next to every chart) ---

struct Series {
    std::string name;
    std::string colour;  // colour_class()
};

// Horizontal bars, one group per label and one bar per series (grouped bars).
struct BarChart {
    std::string id;
    std::string title;
    std::string description;
    std::vector<Series> series;
    struct Group {
        std::string label;
        std::vector<std::size_t> values;  // one per series
        std::string colour;  // for the series without a colour ("" = colour_class(label))
    };
    std::vector<Group> groups;
};
void write_bar_chart(std::ostream& out, const BarChart& chart);

// Vertical stacked columns (one column per label, one segment per series).
struct ColumnChart {
    std::string id;
    std::string title;
    std::string description;
    std::vector<Series> series;
    struct Column {
        std::string label;                // full label (tooltips)
        std::string short_label;          // axis label
        std::vector<std::size_t> values;  // one per series
    };
    std::vector<Column> columns;
};
void write_column_chart(std::ostream& out, const ColumnChart& chart);

// A two-column flow (Sankey-like) diagram: left nodes, right nodes, bands whose width is
// the count. Nodes are ordered as first seen in `node_order` (then by name).
struct FlowChart {
    std::string id;
    std::string title;
    std::string description;
    std::string left_heading;
    std::string right_heading;
    struct Flow {
        std::string from, to;
        std::size_t count = 0;
    };
    std::vector<Flow> flows;
    std::vector<std::string> node_order;
};
void write_flow_chart(std::ostream& out, const FlowChart& chart);

// --- page ---

struct Section {
    std::string id;     // anchor (ASCII letters, digits, '-')
    std::string title;  // heading and table of contents entry
    std::string lead;   // one paragraph under the heading: what the section answers
    std::function<void(std::ostream&)> write_body;
};

struct PageInfo {
    std::string title;                                       // <title> and heading
    std::string subtitle;                                    // under the heading
    std::vector<std::pair<std::string, std::string>> facts;  // "Tenant file" -> path
    std::vector<Figure> figures;                             // the headline band
    std::vector<std::string> notes;                          // "About these figures"
};

// A list for one fact line: the first `shown` items, comma-separated, then "and N more"
// (a report over thousands of files names a few).
std::string fact_list(const std::vector<std::string>& items, std::size_t shown = 5);

// The whole document: head (charset, viewport, CSP, inline CSS), header with facts and
// figures, table of contents, the sections in order, notes.
void write_page(std::ostream& out, const PageInfo& page, const std::vector<Section>& sections);

}  // namespace mailverdict::output::html
