// Checks of mailverdict's HTML pages shared by the renderer's unit tests and the
// browser-rendered CLI test: tag balance (the page and its SVG are well formed), the
// figures tagged with the JSON pointer of the same value (data-json), and resources that
// would make a browser fetch something.
#pragma once

#include <boost/json/value.hpp>

#include <algorithm>

#include <cstddef>
#include <regex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace mvtest {

// Problems with the page's tag structure ("" when none): every element closed in order,
// void elements (HTML Standard 13.1.2) and SVG's self-closed ones excepted.
inline std::string tag_balance_problem(const std::string& page) {
    static const std::regex tag(R"(<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>)");
    static const std::vector<std::string> voids{"area",   "base",  "br",    "col",  "embed",
                                                "hr",     "img",   "input", "link", "meta",
                                                "source", "track", "wbr"};
    std::vector<std::string> open;
    for (std::sregex_iterator it(page.begin(), page.end(), tag), end; it != end; ++it) {
        const std::string name = (*it)[2];
        const bool closing = (*it)[1].length() > 0;
        const bool self_closed = (*it)[3].length() > 0;
        if (closing) {
            if (open.empty() || open.back() != name) {
                return "unexpected </" + name + "> after <" + (open.empty() ? "" : open.back()) +
                       "> at offset " + std::to_string(it->position());
            }
            open.pop_back();
        } else if (!self_closed && std::find(voids.begin(), voids.end(), name) == voids.end()) {
            open.push_back(name);
        }
    }
    return open.empty() ? "" : "<" + open.back() + "> never closed";
}

// The first attribute that would make a browser fetch something ("" when none): any
// src/srcset/data/poster/action/formaction/xlink:href, an href that is not a fragment
// ("#id"), a CSS url() or @import.
inline std::string external_reference(const std::string& page) {
    static const std::regex attribute(
        R"re(<[A-Za-z][^>]*?\s((src|srcset|data|poster|action|formaction|xlink:href)\s*=|href\s*=\s*"?[^"#])[^>]*>)re",
        std::regex::icase);
    std::smatch m;
    if (std::regex_search(page, m, attribute)) {
        return m.str();
    }
    for (const char* css : {"url(", "@import"}) {
        if (page.find(css) != std::string::npos) {
            return css;
        }
    }
    return "";
}

// Character references a browser's serializer or our renderer writes.
inline std::string unescape_html(std::string s) {
    static const std::pair<const char*, const char*> refs[] = {
        {"&lt;", "<"},  {"&gt;", ">"},          {"&quot;", "\""},
        {"&#39;", "'"}, {"&nbsp;", "\xc2\xa0"}, {"&amp;", "&"}};
    for (const auto& r : refs) {
        std::string out;
        std::size_t pos = 0;
        const std::string from = r.first;
        for (std::size_t at; (at = s.find(from, pos)) != std::string::npos;
             pos = at + from.size()) {
            out += s.substr(pos, at - pos) + r.second;
        }
        s = out + s.substr(pos);
    }
    return s;
}

// A figure as shown: the JSON pointer it carries and its text (tags, and the muted
// second line of a cell, removed; references decoded).
struct ShownFigure {
    std::string pointer;
    std::string text;
};

inline std::vector<ShownFigure> shown_figures(const std::string& page) {
    static const std::regex figure(R"re(data-json="([^"]*)"[^>]*>([\s\S]*?)</(td|th|div)>)re");
    static const std::regex detail(R"re(<span class="detail">[\s\S]*?</span>)re");
    static const std::regex any_tag(R"(<[^>]*>)");
    std::vector<ShownFigure> out;
    for (std::sregex_iterator it(page.begin(), page.end(), figure), end; it != end; ++it) {
        std::string text = std::regex_replace((*it)[2].str(), detail, "");
        text = std::regex_replace(text, any_tag, "");
        out.push_back({unescape_html((*it)[1]), unescape_html(text)});
    }
    return out;
}

// A JSON value as the page shows it.
inline std::string shown_json(const boost::json::value& v) {
    if (v.is_string()) {
        return std::string(v.get_string());
    }
    if (v.is_int64()) {
        return std::to_string(v.get_int64());
    }
    if (v.is_uint64()) {
        return std::to_string(v.get_uint64());
    }
    if (v.is_bool()) {
        return v.get_bool() ? "true" : "false";
    }
    return "<not a scalar>";
}

// Every figure's text against the JSON value at its pointer: the mismatches, as
// "pointer: page 'x', json 'y'" (a pointer missing from the JSON is a mismatch too).
inline std::vector<std::string> figure_mismatches(const std::vector<ShownFigure>& figures,
                                                  const boost::json::value& doc) {
    std::vector<std::string> out;
    for (const auto& f : figures) {
        std::error_code ec;
        const boost::json::value* v = doc.find_pointer(f.pointer, ec);
        if (v == nullptr) {
            out.push_back(f.pointer + ": not in the JSON");
        } else if (shown_json(*v) != f.text) {
            out.push_back(f.pointer + ": page '" + f.text + "', json '" + shown_json(*v) + "'");
        }
    }
    return out;
}

}  // namespace mvtest
