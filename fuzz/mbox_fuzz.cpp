// libFuzzer target: the mbox reader (RFC 4155) on arbitrary bytes, both variants, with a
// small message limit so the over-limit path is reached. Oracles: message numbers count
// up from 1; a kept message is never longer than the limit nor than the input; a message
// over the limit keeps no bytes; mboxo keeps every byte of the input that is not a From_
// line or separating blank line, so its messages together are never longer than the input.
#include <mailverdict/message/mailbox.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    for (const auto variant : {mailverdict::MboxVariant::mboxrd, mailverdict::MboxVariant::mboxo}) {
        std::istringstream in(input);
        mailverdict::MboxLimits limits;
        limits.max_message_bytes = 512;
        limits.max_separator_bytes = 64;
        mailverdict::MboxReader reader(in, variant, limits);
        mailverdict::MboxMessage m;
        std::size_t expected = 1;
        std::uint64_t total = 0;
        while (reader.next(m)) {
            if (m.number != expected++ || m.bytes.size() > limits.max_message_bytes ||
                m.bytes.size() > size || m.separator.size() > limits.max_separator_bytes ||
                (m.over_limit && !m.bytes.empty()) || m.offset > size) {
                __builtin_trap();
            }
            total += m.size;
        }
        if (variant == mailverdict::MboxVariant::mboxo && total > size) {
            __builtin_trap();
        }
    }
    return 0;
}
