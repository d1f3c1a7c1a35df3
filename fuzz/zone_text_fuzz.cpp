// libFuzzer target: the zone-file resolver over arbitrary master-file text. A parse
// failure must be a DnsConfigError, never a crash; a loaded zone must answer any name.
#include "mailverdict/dns/resolver.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        auto dns = mailverdict::dns::zone_text(text, "example.com");
        for (auto type : {mailverdict::dns::RecordType::A, mailverdict::dns::RecordType::TXT,
                          mailverdict::dns::RecordType::MX}) {
            (void)dns->query("example.com", type);
            (void)dns->query("a.b.example.com", type);
        }
    } catch (const mailverdict::dns::DnsConfigError&) {
        // expected for text that is not a zone
    }
    return 0;
}
