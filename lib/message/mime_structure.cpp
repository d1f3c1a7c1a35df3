// Multipart structure (mime_structure.hpp). Content-Type values are parsed by mimetic; the
// delimiter scan is RFC 2046 5.1.1: a delimiter is a line "--" boundary, optionally
// followed by "--" (the close delimiter) and transport padding (spaces, tabs).
#include "mime_structure.hpp"

#include <mimetic/contenttype.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace mailverdict::detail {

namespace {

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
    });
}

std::string_view without_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    return line;
}

bool only_padding(std::string_view rest) {
    return std::all_of(rest.begin(), rest.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// The value of an RFC 2231 extended parameter: after charset'language', %XX decoded.
std::string rfc2231_value(std::string_view text) {
    const auto first = text.find('\'');
    const auto second = first == std::string_view::npos ? first : text.find('\'', first + 1);
    if (second != std::string_view::npos) {
        text.remove_prefix(second + 1);
    }
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() &&
            std::isxdigit(static_cast<unsigned char>(text[i + 1])) != 0 &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2])) != 0) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

struct Checker {
    std::size_t max_depth;
    std::vector<Defect>& defects;

    void once(DefectKind kind, std::string detail, std::size_t offset) {
        for (const auto& d : defects) {
            if (d.kind == kind) {
                return;
            }
        }
        defects.push_back(Defect{kind, std::move(detail), offset});
    }

    // The unfolded Content-Type of a part header (the lines before its first empty line);
    // the part's body starts after that line.
    static std::string part_content_type(std::string_view part, std::size_t& body_start) {
        std::string value;
        bool in_content_type = false;
        std::size_t pos = 0;
        body_start = part.size();
        while (pos < part.size()) {
            const auto eol = part.find('\n', pos);
            const auto end = eol == std::string_view::npos ? part.size() : eol;
            const std::string_view line = without_cr(part.substr(pos, end - pos));
            const std::size_t next = eol == std::string_view::npos ? part.size() : eol + 1;
            if (line.empty()) {
                body_start = next;
                break;
            }
            if (line.front() == ' ' || line.front() == '\t') {
                if (in_content_type) {
                    value += ' ';
                    value += line;
                }
            } else {
                in_content_type = iequals_prefix(line, "content-type:");
                if (in_content_type) {
                    std::string_view v = line.substr(13);
                    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
                        v.remove_prefix(1);  // mimetic reads the type from the first byte
                    }
                    value = std::string(v);
                }
            }
            pos = next;
        }
        return value;
    }

    void check(std::string_view content_type, std::string_view body, std::size_t offset,
               std::size_t depth) {
        if (content_type.empty()) {
            return;
        }
        const mimetic::ContentType ct{std::string(content_type)};
        if (!iequals_prefix(std::string_view(ct.type()), "multipart")) {
            return;
        }
        if (depth >= max_depth) {
            once(DefectKind::mime_depth_limit,
                 "multipart nested deeper than " + std::to_string(max_depth) +
                     " levels (ParseLimits::max_mime_depth): the inner parts were not checked",
                 offset);
            return;
        }
        std::string boundary = ct.param("boundary");
        if (boundary.empty()) {
            // RFC 2231 3/4: boundary*=charset'lang'percent-encoded, or boundary*0=...
            // continuations. The first is decoded; a continued boundary is not checked.
            for (const auto& p : ct.paramList()) {
                const std::string_view name(p.name());
                if (iequals_prefix(name, "boundary*0") ||
                    (iequals_prefix(name, "boundary*") && name.size() > 9)) {
                    return;
                }
                if (iequals_prefix(name, "boundary*")) {
                    boundary = rfc2231_value(p.value());
                }
            }
        }
        if (boundary.empty()) {
            once(DefectKind::multipart_without_boundary,
                 "Content-Type " + std::string(ct.type()) + "/" + std::string(ct.subtype()) +
                     " without a boundary parameter (RFC 2046 5.1.1)",
                 offset);
            return;
        }
        const std::string delimiter = "--" + boundary;
        // Part ranges between delimiter lines.
        std::vector<std::pair<std::size_t, std::size_t>> parts;
        std::size_t part_start = std::string_view::npos;
        bool closed = false;
        std::size_t pos = 0;
        while (pos < body.size() && !closed) {
            const auto eol = body.find('\n', pos);
            const auto end = eol == std::string_view::npos ? body.size() : eol;
            const std::string_view line = without_cr(body.substr(pos, end - pos));
            const std::size_t next = eol == std::string_view::npos ? body.size() : eol + 1;
            if (line.size() >= delimiter.size() && line.substr(0, delimiter.size()) == delimiter) {
                std::string_view rest = line.substr(delimiter.size());
                const bool close = rest.substr(0, 2) == "--";
                if (close) {
                    rest.remove_prefix(2);
                }
                if (only_padding(rest)) {
                    if (part_start != std::string_view::npos) {
                        parts.emplace_back(part_start, pos);
                    }
                    part_start = next;
                    closed = close;
                }
            }
            pos = next;
        }
        if (parts.empty() && part_start == std::string_view::npos) {
            once(DefectKind::multipart_boundary_missing,
                 "the boundary \"" + boundary +
                     "\" never starts a line of the body (RFC 2046 5.1.1)",
                 offset);
            return;
        }
        if (!closed) {
            once(DefectKind::multipart_unterminated,
                 "no close delimiter \"" + delimiter + "--\" (RFC 2046 5.1.1): truncated?",
                 offset + body.size());
            if (part_start != std::string_view::npos) {
                parts.emplace_back(part_start, body.size());
            }
        }
        for (const auto& [begin, end] : parts) {
            const std::string_view part = body.substr(begin, end - begin);
            std::size_t body_start = 0;
            const std::string inner = part_content_type(part, body_start);
            check(inner, part.substr(body_start), offset + begin + body_start, depth + 1);
        }
    }
};

}  // namespace

void check_mime_structure(std::string_view content_type, std::string_view body,
                          std::size_t body_offset, std::size_t max_depth,
                          std::vector<Defect>& defects) {
    Checker{max_depth, defects}.check(content_type, body, body_offset, 0);
}

}  // namespace mailverdict::detail
