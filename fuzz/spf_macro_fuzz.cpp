// libFuzzer target: the RFC 7208 7 macro expander. The first byte picks the context
// (domain-spec, explanation, unknown modifier); the rest is the macro string. Checks
// that the checker and the expander agree and that truncation keeps its promise.
// lib/ is not on the fuzz targets' include path: the private header by its path.
#include "auth/spf/spf_macro.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

class FixedValues final : public mailverdict::spf::detail::MacroValues {
public:
    std::string_view value(char letter, std::string& scratch) override {
        switch (letter) {
            case 's':
                return "strong-bad@email.example.com";
            case 'l':
                return "strong-bad";
            case 'o':
            case 'd':
                return "email.example.com";
            case 'i':
                return "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2";
            case 'p':
                return "unknown";
            case 'v':
                return "ip6";
            case 'h':
                return "mx.example.org";
            case 'c':
                return "2001:db8::cb01";
            case 'r':
                return "receiver.example";
            case 't':
                scratch = "1700000000";
                return scratch;
            default:
                std::abort();  // the expander must only ask for known letters
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailverdict::spf::detail;
    if (size == 0) {
        return 0;
    }
    const MacroContext context = data[0] % 3 == 0   ? MacroContext::domain_spec
                                 : data[0] % 3 == 1 ? MacroContext::explain_string
                                                    : MacroContext::unknown_modifier;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto error = check_macro_string(text, context);
    if (error && error->offset > text.size()) {
        std::abort();
    }
    FixedValues values;
    std::string out;
    const bool expanded = expand_macro_string(text, context, values, out);
    // Every valid string expands; a string that does not expand was found invalid.
    if (!error && !expanded) {
        std::abort();
    }
    if (expanded && error && context != MacroContext::domain_spec) {
        std::abort();  // outside domain-specs the two share one grammar
    }
    truncate_domain(out, 253);
    if (out.size() > 253) {
        std::abort();
    }
    return 0;
}
