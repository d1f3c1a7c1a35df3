// libFuzzer: the RFC 6376 tag-list grammar and DKIM-Signature parsing.
#include <mailverdict/auth/dkim.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

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
        }
    } else if (tags.error().offset > size) {
        std::abort();
    }
    const auto sig = mailverdict::dkim::DkimSignature::parse(text);
    if (sig && (sig->domain.empty() || sig->selector.empty() || sig->signed_headers.empty())) {
        std::abort();
    }
    return 0;
}
