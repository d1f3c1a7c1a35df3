// libFuzzer target: IpNetwork::parse on arbitrary bytes; what parses must print as a
// network that parses back to itself and contains its own address.
#include <mailverdict/message/network.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text{reinterpret_cast<const char*>(data), size};
    (void)mailverdict::parse_address(text);
    const auto network = mailverdict::IpNetwork::parse(text);
    if (!network) {
        return 0;
    }
    const unsigned width = network->address.is_v4() ? 32U : 128U;
    if (network->prefix > width || !network->contains(network->address)) {
        __builtin_trap();
    }
    const auto again = mailverdict::IpNetwork::parse(network->to_string());
    if (!again || again->address != network->address || again->prefix != network->prefix) {
        __builtin_trap();
    }
    return 0;
}
