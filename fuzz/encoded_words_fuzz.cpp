// Decodes arbitrary bytes as text holding RFC 2047 encoded words.
#include <mailverdict/message/message.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<mailverdict::Defect> defects;
    const std::string decoded = mailverdict::decode_encoded_words(text, &defects);
    for (const auto& defect : defects) {
        if (defect.offset > text.size()) {
            __builtin_trap();
        }
    }
    return decoded.size() > 4 * size + 16 ? 1 : 0;
}
