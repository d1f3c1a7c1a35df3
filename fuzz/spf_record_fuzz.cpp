// libFuzzer target: SpfRecord::parse on arbitrary bytes. Checks that parsing never
// crashes, that spans stay inside the text, and that a parsed record re-parses the same.
#include <mailverdict/auth/spf.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailverdict::spf;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = SpfRecord::parse(text);
    if (!parsed) {
        const SpfParseError& e = parsed.error();
        if (e.offset > text.size()) {
            std::abort();
        }
        (void)e.to_string();
        return 0;
    }
    const SpfRecord& record = *parsed;
    if (record.text() != text) {
        std::abort();
    }
    for (const Mechanism& m : record.mechanisms()) {
        if (m.term.offset + m.term.length > text.size() ||
            m.domain_spec.offset + m.domain_spec.length > text.size()) {
            std::abort();
        }
        if (record.term(m).empty()) {
            std::abort();
        }
    }
    (void)record.redirect();
    (void)record.explanation();
    (void)record.unknown_modifiers();
    auto again = SpfRecord::parse(record.text());
    if (!again || again->mechanisms().size() != record.mechanisms().size()) {
        std::abort();
    }
    return 0;
}
