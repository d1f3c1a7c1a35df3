// libFuzzer target: Authentication-Results parsing (strict and lenient) and formatting.
// Oracles: errors point inside the text; whatever strict mode accepts, lenient mode
// accepts with the same results; a strictly parsed header formatted again parses back to
// the same value.
#include <mailverdict/auth/auth_results.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

bool same(const mailverdict::authres::AuthenticationResults& a,
          const mailverdict::authres::AuthenticationResults& b) {
    return a.authserv_id == b.authserv_id && a.version == b.version && a.no_result == b.no_result &&
           a.results == b.results;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailverdict::authres;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto strict = parse(text, Mode::strict);
    auto lenient = parse(text, Mode::lenient);
    if (!strict && strict.error().offset > text.size()) {
        std::abort();
    }
    if (!lenient && lenient.error().offset > text.size()) {
        std::abort();
    }
    if (!strict) {
        if (lenient) {
            (void)format(*lenient);
        }
        return 0;
    }
    if (!lenient || !same(*strict, *lenient)) {
        std::abort();
    }
    for (const bool fold : {false, true}) {
        FormatOptions options;
        options.fold = fold;
        const std::string formatted = format(*strict, options);
        auto back = parse(formatted, Mode::strict);
        if (!back || !same(*back, *strict)) {
            std::abort();
        }
    }
    return 0;
}
