// HTML building blocks: escaping, tables, the page shell and its stylesheet (html.hpp).
#include <mailverdict/output/html.hpp>

#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <ostream>

namespace mailverdict::output::html {

namespace {

constexpr std::string_view replacement = "\xef\xbf\xbd";  // U+FFFD

// HTML Standard 13.2.3.5 ("Preprocessing the input stream"): controls other than
// whitespace and noncharacters are parse errors; they carry nothing a reader needs.
bool unwanted(UChar32 c) {
    if (c < 0x20) {
        return c != '\t' && c != '\n' && c != '\r';
    }
    if (c >= 0x7f && c <= 0x9f) {
        return true;
    }
    return (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

void append_escaped_ascii(std::string& out, char c) {
    switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
    }
}

std::string_view tone_name(Tone tone) {
    switch (tone) {
        case Tone::good:
            return "good";
        case Tone::info:
            return "info";
        case Tone::warn:
            return "warn";
        case Tone::bad:
            return "bad";
        case Tone::none:
            break;
    }
    return "";
}

// Code text (paths, message IDs, mechanism names) may break after a separator instead of
// anywhere: <wbr> adds a break opportunity and no text.
std::string breakable(std::string_view text) {
    std::string out;
    for (const char c : escape(text)) {
        out += c;
        if (c == '/' || c == '_' || c == '-' || c == '.' || c == '@') {
            out += "<wbr>";
        }
    }
    return out;
}

void write_cell(std::ostream& out, const Cell& cell, bool row_header) {
    out << (row_header ? "<th scope=\"row\"" : "<td");
    std::string cls;
    if (cell.number) {
        cls = "num";
    } else if (cell.code) {
        cls = "code";
    } else if (cell.nowrap) {
        cls = "nw";
    }
    if (!cls.empty()) {
        out << " class=\"" << cls << "\"";
    }
    if (!cell.json.empty()) {
        out << " data-json=\"" << escape(cell.json) << "\"";
    }
    out << ">";
    const std::string text = cell.code ? breakable(cell.text) : escape(cell.text);
    if (!cell.swatch.empty()) {
        out << "<span class=\"nw\"><span class=\"swatch " << escape(cell.swatch)
            << "\" aria-hidden=\"true\"></span>" << text << "</span>";
    } else if (cell.tone != Tone::none) {
        out << "<span class=\"pill " << tone_name(cell.tone) << "\">" << text << "</span>";
    } else {
        out << text;
    }
    if (!cell.detail.empty()) {
        out << "<span class=\"detail\">" << breakable(cell.detail) << "</span>";
    }
    out << (row_header ? "</th>" : "</td>");
}

// The stylesheet: system fonts only (no web font to fetch), print-friendly, colours
// chosen to stay distinct for the common colour-vision deficiencies where possible, and
// every chart colour also named in a table.
constexpr std::string_view stylesheet = R"css(
:root{--fg:#1c2733;--muted:#5a6777;--line:#dde2e8;--bg:#f3f5f8;--card:#fff;--head:#0f2b4c;--accent:#1565c0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header.page{background:var(--head);color:#fff;padding:28px 0 24px}
.wrap{max-width:1240px;margin:0 auto;padding:0 28px}
header.page h1{margin:0;font-size:24px;font-weight:600;letter-spacing:.01em}
header.page .subtitle{margin:4px 0 0;color:#c9d6e6}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 18px;margin:16px 0 0;font-size:13px}
dl.facts dt{color:#a9bdd3}
dl.facts dd{margin:0;word-break:break-all}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin:-14px 0 20px}
.figure{background:var(--card);border:1px solid var(--line);border-top:4px solid var(--accent);border-radius:6px;padding:10px 14px;box-shadow:0 1px 2px rgba(15,43,76,.06)}
.figure.good{border-top-color:#2e7d32}.figure.info{border-top-color:#1565c0}.figure.warn{border-top-color:#d4a106}.figure.bad{border-top-color:#c62828}
.figure .value{font-size:26px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.2}
.figure .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.figure .note{color:var(--muted);font-size:12px}
nav.toc{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 16px;margin:0 0 20px;font-size:13px}
nav.toc ol{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:4px 20px}
nav.toc a{color:var(--accent);text-decoration:none}
nav.toc a:hover{text-decoration:underline}
main{padding-top:24px}
section.report{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:20px 24px 8px;margin:0 0 20px;box-shadow:0 1px 2px rgba(15,43,76,.05)}
section.report h2{margin:0 0 4px;font-size:18px;font-weight:600}
section.report h3{margin:16px 0 4px;font-size:15px;font-weight:600}
p.lead{margin:0 0 14px;color:var(--muted);max-width:90ch}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:8px 28px;align-items:start}
.table-scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:6px 0 18px;font-size:13px}
caption{text-align:left;font-weight:600;padding:0 0 6px;color:var(--fg)}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:#eef2f6;font-weight:600;vertical-align:bottom;border-bottom:2px solid #c9d1db}
tbody tr:nth-child(even){background:#f9fafc}
tbody th{font-weight:500}
tfoot th,tfoot td{font-weight:650;border-top:2px solid #c9d1db;border-bottom:none}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
thead th.num{white-space:normal}
tbody th{min-width:9em}
.code,.detail{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace;font-size:12px;overflow-wrap:break-word}
.detail{display:block;color:var(--muted);font-size:11px;font-weight:400}
.nw{white-space:nowrap}
td.empty{color:var(--muted);font-style:italic}
.pill{display:inline-block;padding:1px 9px;border-radius:8px;font-size:12px;font-weight:600}
.pill.good{background:#e3f3e5;color:#1d6322}.pill.info{background:#e4edf9;color:#0d4a8f}.pill.warn{background:#fff3d1;color:#7d5800}.pill.bad{background:#fde3e3;color:#a11b1b}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:7px;vertical-align:0;background:currentColor}
figure.chart{margin:6px 0 14px}
.chart-title{font-weight:600;margin:0 0 4px}
figure.chart svg{display:block;width:auto;height:auto;max-width:100%}
figure.chart figcaption{font-size:12px;color:var(--muted);margin-top:4px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:12px;fill:#1c2733}
svg .axis{stroke:#9aa5b1;stroke-width:1}
svg .gridline{stroke:#e6e9ee;stroke-width:1}
svg .muted{fill:#5a6777}
svg .value{font-size:11px;font-variant-numeric:tabular-nums}
svg .heading{font-weight:600}
svg .band{fill-opacity:.42}
svg .band.same{fill-opacity:.16}
svg .band:hover{fill-opacity:.7}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;color:var(--muted);margin:2px 0 6px}
footer.page{color:var(--muted);font-size:12px;padding:8px 0 36px}
footer.page ul{margin:4px 0 10px;padding-left:18px}
.k-inbox{color:#2e7d32;fill:#2e7d32}.k-junk{color:#d4a106;fill:#d4a106}.k-quarantine{color:#e8590c;fill:#e8590c}
.k-rejected{color:#b0203e;fill:#b0203e}.k-dropped{color:#6d4c41;fill:#6d4c41}.k-deleted{color:#546e7a;fill:#546e7a}
.k-redirected{color:#00838f;fill:#00838f}.k-absent{color:#b0bac5;fill:#b0bac5}
.k-malw{color:#7b1020;fill:#7b1020}.k-hphsh{color:#c62828;fill:#c62828}.k-phsh{color:#ef5350;fill:#ef5350}
.k-hspm{color:#8d6e00;fill:#8d6e00}.k-spoof{color:#e8590c;fill:#e8590c}.k-uimp{color:#6a1b9a;fill:#6a1b9a}
.k-dimp{color:#9c4dcc;fill:#9c4dcc}.k-gimp{color:#4527a0;fill:#4527a0}.k-spm{color:#d4a106;fill:#d4a106}
.k-bulk{color:#1e88e5;fill:#1e88e5}.k-none{color:#b0bac5;fill:#b0bac5}
.k-system{color:#90a4ae;fill:#90a4ae}.k-final{color:#1565c0;fill:#1565c0}
.k-p0{color:#1565c0;fill:#1565c0}.k-p1{color:#00897b;fill:#00897b}.k-p2{color:#f4511e;fill:#f4511e}.k-p3{color:#8e24aa;fill:#8e24aa}
.k-p4{color:#c0ca33;fill:#c0ca33}.k-p5{color:#6d4c41;fill:#6d4c41}.k-p6{color:#d81b60;fill:#d81b60}.k-p7{color:#546e7a;fill:#546e7a}
@media print{body{background:#fff}header.page{background:#fff;color:#000;padding-top:0}header.page .subtitle,dl.facts dt{color:#333}
.figures{margin-top:8px}nav.toc{display:none}section.report{box-shadow:none;border:none;padding:0;break-inside:auto}
table{break-inside:auto}tr{break-inside:avoid}figure.chart{break-inside:avoid}}
)css";

}  // namespace

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const bool plain = std::all_of(text.begin(), text.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r';
    });
    if (plain) {
        for (const char c : text) {
            append_escaped_ascii(out, c);
        }
        return out;
    }
    // ICU decodes with every ill-formed sequence replaced by U+FFFD (RFC 3629 section 3:
    // no overlongs, no surrogates, nothing above U+10FFFF).
    const auto decoded = icu::UnicodeString::fromUTF8(
        icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
    for (std::int32_t i = 0; i < decoded.length(); i = decoded.moveIndex32(i, 1)) {
        const UChar32 c = decoded.char32At(i);
        if (c < 0x80 && !unwanted(c)) {
            append_escaped_ascii(out, static_cast<char>(c));
        } else if (unwanted(c) || U_IS_SURROGATE(c)) {
            out += replacement;
        } else {
            std::array<std::uint8_t, 4> buf{};
            std::int32_t n = 0;
            U8_APPEND_UNSAFE(buf.data(), n, c);
            out.append(reinterpret_cast<const char*>(buf.data()), static_cast<std::size_t>(n));
        }
    }
    return out;
}

std::string json_pointer(std::string_view base, std::string_view token) {
    std::string out(base);
    out += '/';
    for (const char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string json_pointer(std::string_view base, std::size_t index) {
    return json_pointer(base, std::to_string(index));
}

std::string json_pointer(std::initializer_list<std::string_view> tokens) {
    std::string out;
    for (const auto token : tokens) {
        out = json_pointer(out, token);
    }
    return out;
}

std::string colour_class(std::string_view key, std::size_t fallback_index) {
    static constexpr std::array<std::string_view, 22> known{
        "inbox", "junk",  "quarantine", "rejected", "dropped", "deleted", "redirected", "absent",
        "malw",  "hphsh", "phsh",       "hspm",     "spoof",   "uimp",    "dimp",       "gimp",
        "spm",   "bulk",  "none",       "system",   "final",   ""};
    std::string lower;
    for (const char c : key) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (!lower.empty() && std::find(known.begin(), known.end(), lower) != known.end()) {
        return "k-" + lower;
    }
    return "k-p" + std::to_string(fallback_index % 8);
}

Cell text_cell(std::string text, std::string json) {
    Cell c;
    c.text = std::move(text);
    c.json = std::move(json);
    return c;
}

Cell code_cell(std::string text, std::string json) {
    Cell c = text_cell(std::move(text), std::move(json));
    c.code = true;
    return c;
}

Cell number_cell(std::size_t n, std::string json) {
    Cell c = text_cell(std::to_string(n), std::move(json));
    c.number = true;
    return c;
}

Cell pill_cell(std::string text, Tone tone, std::string json) {
    Cell c = text_cell(std::move(text), std::move(json));
    c.tone = tone;
    return c;
}

void write_table(std::ostream& out, const Table& table) {
    out << "<div class=\"table-scroll\"><table";
    if (!table.id.empty()) {
        out << " id=\"" << escape(table.id) << "\"";
    }
    out << ">";
    if (!table.caption.empty()) {
        out << "<caption>" << escape(table.caption) << "</caption>";
    }
    const auto numeric = [&](std::size_t i) {
        return i < table.numeric_columns.size() && table.numeric_columns[i];
    };
    out << "<thead><tr>";
    for (std::size_t i = 0; i < table.headers.size(); ++i) {
        out << "<th scope=\"col\"" << (numeric(i) ? " class=\"num\"" : "") << ">"
            << escape(table.headers[i]) << "</th>";
    }
    out << "</tr></thead><tbody>";
    if (table.rows.empty()) {
        out << "<tr><td class=\"empty\" colspan=\""
            << std::max<std::size_t>(1, table.headers.size()) << "\">" << escape(table.empty_text)
            << "</td></tr>";
    }
    for (const auto& row : table.rows) {
        out << "<tr>";
        for (std::size_t i = 0; i < row.size(); ++i) {
            write_cell(out, row[i], i == 0);
        }
        out << "</tr>";
    }
    out << "</tbody>";
    if (!table.footer.empty() && !table.rows.empty()) {
        out << "<tfoot><tr>";
        for (std::size_t i = 0; i < table.footer.size(); ++i) {
            write_cell(out, table.footer[i], i == 0);
        }
        out << "</tr></tfoot>";
    }
    out << "</table></div>\n";
}

std::string fact_list(const std::vector<std::string>& items, std::size_t shown) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < shown; ++i) {
        out += (i == 0 ? "" : ", ") + items[i];
    }
    if (items.size() > shown) {
        out += " and " + std::to_string(items.size() - shown) + " more";
    }
    return out;
}

void write_page(std::ostream& out, const PageInfo& page, const std::vector<Section>& sections) {
    // No script, no network: the policy makes the browser refuse any fetch or script even
    // if a bug let one into the page (and log it, which the tests look for).
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
        << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\" />\n"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
        << "<meta name=\"referrer\" content=\"no-referrer\" />\n"
        << "<meta name=\"generator\" content=\"mailverdict\" />\n"
        << "<title>" << escape(page.title) << "</title>\n<style>" << stylesheet
        << "</style>\n</head>\n<body>\n";

    out << "<header class=\"page\"><div class=\"wrap\"><h1>" << escape(page.title) << "</h1>";
    if (!page.subtitle.empty()) {
        out << "<p class=\"subtitle\">" << escape(page.subtitle) << "</p>";
    }
    if (!page.facts.empty()) {
        out << "<dl class=\"facts\">";
        for (const auto& fact : page.facts) {
            out << "<dt>" << escape(fact.first) << "</dt><dd>" << escape(fact.second) << "</dd>";
        }
        out << "</dl>";
    }
    out << "</div></header>\n<main class=\"wrap\">\n";

    if (!page.figures.empty()) {
        out << "<div class=\"figures\">";
        for (const auto& f : page.figures) {
            out << "<div class=\"figure" << (f.tone == Tone::none ? "" : " ") << tone_name(f.tone)
                << "\">"
                << "<div class=\"label\">" << escape(f.label) << "</div><div class=\"value\"";
            if (!f.json.empty()) {
                out << " data-json=\"" << escape(f.json) << "\"";
            }
            out << ">" << f.value << "</div>";
            if (!f.note.empty()) {
                out << "<div class=\"note\">" << escape(f.note) << "</div>";
            }
            out << "</div>";
        }
        out << "</div>\n";
    }

    if (sections.size() > 1) {
        out << "<nav class=\"toc\" aria-label=\"Sections\"><ol>";
        for (const auto& s : sections) {
            out << "<li><a href=\"#" << escape(s.id) << "\">" << escape(s.title) << "</a></li>";
        }
        out << "</ol></nav>\n";
    }

    for (const auto& s : sections) {
        out << "<section class=\"report\" id=\"" << escape(s.id) << "\" aria-labelledby=\""
            << escape(s.id) << "-h\">\n<h2 id=\"" << escape(s.id) << "-h\">" << escape(s.title)
            << "</h2>\n";
        if (!s.lead.empty()) {
            out << "<p class=\"lead\">" << escape(s.lead) << "</p>\n";
        }
        if (s.write_body) {
            s.write_body(out);
        }
        out << "</section>\n";
    }
    out << "</main>\n<footer class=\"page\"><div class=\"wrap\">";
    if (!page.notes.empty()) {
        out << "<strong>About these figures</strong><ul>";
        for (const auto& n : page.notes) {
            out << "<li>" << escape(n) << "</li>";
        }
        out << "</ul>";
    }
    out << "<p>Generated by mailverdict. A self-contained page: no script, nothing loaded "
           "from the network.</p></div></footer>\n</body>\n</html>\n";
}

}  // namespace mailverdict::output::html
