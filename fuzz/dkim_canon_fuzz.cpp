// libFuzzer: body and header canonicalization (RFC 6376 3.4) against a naive
// line-by-line reference, the l= cut, and the signature-field b= removal.
#include <mailverdict/auth/dkim.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::string reference_body(std::string_view body, bool relaxed) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (true) {
        const std::size_t nl = body.find('\n', start);
        if (nl == std::string_view::npos) {
            if (start < body.size()) {
                lines.emplace_back(body.substr(start));
            }
            break;
        }
        std::string line(body.substr(start, nl - start));
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        lines.push_back(std::move(line));
        start = nl + 1;
    }
    if (relaxed) {
        for (auto& line : lines) {
            std::string out;
            for (const char c : line) {
                const bool wsp = c == ' ' || c == '\t';
                if (wsp) {
                    if (out.empty() || out.back() != ' ') {
                        out += ' ';
                    }
                } else {
                    out += c;
                }
            }
            while (!out.empty() && out.back() == ' ') {
                out.pop_back();
            }
            line = std::move(out);
        }
    }
    while (!lines.empty() && lines.back().empty()) {
        lines.pop_back();
    }
    std::string out;
    for (const auto& line : lines) {
        out += line;
        out += "\r\n";
    }
    if (out.empty() && !relaxed) {
        out = "\r\n";
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailverdict::dkim;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const Canon canon : {Canon::simple, Canon::relaxed}) {
        const std::string full = canonical_body(text, canon);
        if (full != reference_body(text, canon == Canon::relaxed)) {
            std::abort();
        }
        const std::uint64_t limit = size % 97;
        const std::string cut = canonical_body(text, canon, limit);
        if (cut != full.substr(0, static_cast<std::size_t>(limit))) {
            std::abort();
        }
        std::string header;
        canonicalize_header(text, canon, header);
        if (header.size() < 2 || header.substr(header.size() - 2) != "\r\n") {
            std::abort();
        }
        std::string field;
        (void)canonicalize_signature_field(text, canon, field);
    }
    return 0;
}
