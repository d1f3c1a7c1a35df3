// Parses arbitrary bytes as a message and touches every accessor; unfolded values are
// checked against a byte-by-byte reference.
#include <mailverdict/message/message.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// RFC 5322 2.2.3 unfolding, byte by byte: every line end (CRLF, or a bare LF) removed, a CR
// not before an LF kept; then SP, HTAB, CR and LF trimmed at both ends.
std::string reference_value(std::string_view raw_value) {
    std::string out;
    for (std::size_t i = 0; i < raw_value.size(); ++i) {
        const char c = raw_value[i];
        if (c == '\n' || (c == '\r' && i + 1 < raw_value.size() && raw_value[i + 1] == '\n')) {
            continue;
        }
        out += c;
    }
    const auto wsp = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t b = 0;
    std::size_t e = out.size();
    while (b < e && wsp(out[b])) {
        ++b;
    }
    while (e > b && wsp(out[e - 1])) {
        --e;
    }
    return out.substr(b, e - b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    mailverdict::ParseLimits limits;
    limits.max_fields = 200;  // small limits so the fuzzer reaches them
    limits.max_header_bytes = 16 * 1024;
    const auto message =
        mailverdict::Message::parse(std::string(reinterpret_cast<const char*>(data), size), limits);
    const mailverdict::Message copy = message;
    std::size_t total = copy.bytes().size() + copy.header_block().size() + copy.body().size();
    for (const auto& field : copy.fields()) {
        total += field.name.size() + field.raw.size() + field.raw_value.size() +
                 field.value().size() + field.offset;
        total += copy.find(field.name) != nullptr ? 1 : 0;
        if (field.value() != reference_value(field.raw_value)) {
            std::abort();
        }
    }
    for (const auto& defect : copy.defects()) {
        total += mailverdict::to_string(defect.kind).size() + defect.detail.size() + defect.offset;
    }
    for (const auto& box : copy.from()) {
        total += box.address().size() + box.display_name.size() + box.domain_ascii.size() +
                 box.domain_unicode.size();
    }
    total += copy.to().size() + copy.cc().size() + copy.mailboxes("Reply-To").size() +
             copy.find_all("Received").size();
    if (const auto path = copy.return_path()) {
        total += path->address().size();
    }
    total += copy.subject().size() + copy.message_id().size() + copy.date().size();
    total += copy.has_body_separator() ? 1 : 0;
    return total == static_cast<std::size_t>(-1) ? 1 : 0;
}
