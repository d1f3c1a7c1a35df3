// libFuzzer: DKIM key records (RFC 6376 3.6.1) and the key material behind p=,
// loaded through OpenSSL by verifying a fixed signed message against the fuzzed key.
#include <mailverdict/auth/dkim.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {
const char kMessage[] =
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s;\r\n"
    " h=from; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; b=AAAA\r\n"
    "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=s; h=from;\r\n"
    " bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; b=AAAA\r\n"
    "From: a@example.com\r\n\r\n";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailverdict;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto key = dkim::DkimKey::parse(text);
    if (!key) {
        return 0;
    }
    static const Message message = Message::parse(kMessage);
    const std::chrono::sys_seconds now{std::chrono::seconds{1700000000}};
    for (const auto& field : message.fields()) {
        if (field.name == "DKIM-Signature") {
            (void)dkim::verify_with_key(message, field, *key, now);
        }
    }
    return 0;
}
