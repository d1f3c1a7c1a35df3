// libFuzzer target: arbitrary bytes as one Received value, and as a whole message whose
// envelope is derived with every rule enabled.
#include <mailverdict/message/received.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text{reinterpret_cast<const char*>(data), size};

    const mailverdict::Hop hop = mailverdict::parse_received(text);
    if (hop.raw != text) {
        __builtin_trap();  // the hop keeps the value it was parsed from
    }
    (void)mailverdict::parse_date_time(text);

    const mailverdict::Message message = mailverdict::Message::parse(std::string{text});
    const auto chain = mailverdict::received_chain(message);
    if (chain.size() > mailverdict::max_received_hops) {
        __builtin_trap();
    }
    mailverdict::EnvelopeOptions options;
    options.boundary_patterns = {"*.mail.protection.outlook.com"};
    options.trusted_host_suffixes = {"example.net"};
    options.trusted_networks = {*mailverdict::IpNetwork::parse("10.0.0.0/8")};
    options.skip_listed_networks = {*mailverdict::IpNetwork::parse("192.0.2.0/24"),
                                    *mailverdict::IpNetwork::parse("2001:db8::/32")};
    const mailverdict::Envelope envelope = mailverdict::derive_envelope(message, chain, options);
    if (envelope.hop_index && *envelope.hop_index >= chain.size()) {
        __builtin_trap();
    }
    options.boundary_patterns.clear();
    options.skip_last_ip = true;
    (void)mailverdict::derive_envelope(message, chain, options);
    return 0;
}
