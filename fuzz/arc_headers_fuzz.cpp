// libFuzzer target: ARC validation and sealing on arbitrary messages. Every key lookup is
// answered with one fixed Ed25519 key. Oracles: validation never crashes and reports an
// instance count within the limit when it passes; a message without ARC fields, sealed
// with that key, validates as pass with one instance.
#include <mailverdict/auth/arc.hpp>
#include <mailverdict/dns/resolver.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view key_pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIBB8DMmIMn5wzyCsFhZUGe2F2k50d5aT5PLmwDBumYix\n"
    "-----END PRIVATE KEY-----\n";

class OneKey final : public mailverdict::dns::Resolver {
public:
    explicit OneKey(std::string record) : record_(std::move(record)) {}
    mailverdict::dns::Answer query(std::string_view name,
                                   mailverdict::dns::RecordType type) override {
        mailverdict::dns::Answer a;
        a.name = std::string(name);
        a.type = type;
        if (type != mailverdict::dns::RecordType::TXT) {
            a.status = mailverdict::dns::DnsStatus::nodata;
            return a;
        }
        a.txt.push_back({{record_}});
        return a;
    }

private:
    std::string record_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailverdict;
    static const arc::SealingKey key = [] {
        auto loaded = arc::SealingKey::from_pem(key_pem);
        if (!loaded) {
            std::abort();
        }
        return *loaded.key;
    }();
    static OneKey resolver(key.public_record());

    std::string bytes(reinterpret_cast<const char*>(data), size);
    const Message message = Message::parse(bytes);
    const arc::ArcResult result = arc::validate(message, resolver);
    if (result.cv == arc::ChainStatus::pass &&
        (result.instances == 0 || result.instances > arc::max_instances ||
         result.sets.size() != result.instances)) {
        std::abort();
    }
    // Prepending fields changes how some inputs parse (an mbox "From " first line is
    // skipped only at the top; a leading continuation would join our last field; a line
    // without a colon ends the header): those are not sealing problems.
    if (result.cv != arc::ChainStatus::none ||
        message.has_defect(DefectKind::leading_continuation) ||
        message.has_defect(DefectKind::header_without_colon)) {
        return 0;
    }
    arc::SealOptions options;
    options.domain = "sealer.example";
    options.selector = "fuzz";
    options.authserv_id = "mx.sealer.example";
    const auto now = std::chrono::sys_seconds{std::chrono::seconds{1700000000}};
    const arc::SealResult sealed = arc::seal(message, result, {}, key, options, now);
    if (!sealed) {
        std::abort();
    }
    const Message resealed = Message::parse(sealed.fields + bytes);
    const arc::ArcResult again = arc::validate(resealed, resolver);
    if (again.cv != arc::ChainStatus::pass || again.instances != 1) {
        std::abort();
    }
    return 0;
}
