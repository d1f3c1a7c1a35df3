// libFuzzer: the RFC 6376 tag-list grammar and DKIM-Signature parsing.
#include <mailverdict/auth/dkim.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
bool is_fws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto tags = mailverdict::dkim::parse_tag_list(text);
    if (tags) {
        for (std::size_t i = 0; i < tags->tags.size(); ++i) {
            const auto& tag = tags->tags[i];
            // Views lie inside the input; names are never empty; no duplicates.
            if (tag.name.empty() || tag.name.data() < text.data() ||
                tag.value.data() + tag.value.size() > text.data() + text.size()) {
                std::abort();
            }
            for (std::size_t j = 0; j < i; ++j) {
                if (tags->tags[j].name == tag.name) {
                    std::abort();
                }
            }
            // RFC 6376 3.2: a value is VALCHARs and inner FWS, no ';', no FWS at either end.
            for (const char c : tag.value) {
                const auto u = static_cast<unsigned char>(c);
                if (!((u >= 0x21 && u <= 0x7E && c != ';') || is_fws(c))) {
                    std::abort();
                }
            }
            if (!tag.value.empty() && (is_fws(tag.value.front()) || is_fws(tag.value.back()))) {
                std::abort();
            }
        }
    } else if (tags.error().offset > size) {
        std::abort();
    } else if (tags.error().reason.starts_with("character 0x")) {
        // The byte named is the one at the offset given.
        static constexpr char kHex[] = "0123456789ABCDEF";
        const auto u = static_cast<unsigned char>(text[tags.error().offset]);
        const std::string_view named = std::string_view(tags.error().reason).substr(12, 2);
        if (named[0] != kHex[u >> 4] || named[1] != kHex[u & 15]) {
            std::abort();
        }
    }
    const auto sig = mailverdict::dkim::DkimSignature::parse(text);
    if (sig && (sig->domain.empty() || sig->selector.empty() || sig->signed_headers.empty())) {
        std::abort();
    }
    return 0;
}
