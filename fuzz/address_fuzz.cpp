// Parses arbitrary bytes as an RFC 5322 address-list.
#include <mailverdict/message/message.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view value(reinterpret_cast<const char*>(data), size);
    std::vector<mailverdict::Defect> defects;
    const auto boxes = mailverdict::parse_address_list(value, &defects);
    for (const auto& box : boxes) {
        // Every mailbox returned has both parts; a failure here is a parser bug.
        if (box.local_part.empty() || box.domain.empty()) {
            __builtin_trap();
        }
    }
    if (const auto forms = mailverdict::idna_forms(value)) {
        if (forms->ascii.empty()) {
            __builtin_trap();
        }
    }
    return 0;
}
