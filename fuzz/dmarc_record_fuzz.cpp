// libFuzzer target: DmarcRecord::parse on arbitrary bytes. Checks that parsing never
// crashes, that errors point inside the text, that parsed values keep their ranges and
// that parsing is deterministic.
#include <mailverdict/auth/dmarc.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailverdict::dmarc;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const bool is_v1 = DmarcRecord::is_dmarc1(text);
    auto parsed = DmarcRecord::parse(text);
    if (!parsed) {
        if (parsed.error().offset > text.size()) {
            std::abort();
        }
        (void)parsed.error().to_string();
        return 0;
    }
    const DmarcRecord& r = *parsed;
    if (!is_v1 || r.text != text || r.percent > 100) {
        std::abort();
    }
    if (r.treated_as_none && (r.policy != Policy::none || r.aggregate_uris.empty())) {
        std::abort();  // RFC 7489 6.6.3 step 6 needs a valid rua
    }
    auto again = DmarcRecord::parse(text);
    if (!again || again->policy != r.policy || again->percent != r.percent ||
        again->aggregate_uris != r.aggregate_uris) {
        std::abort();
    }
    return 0;
}
