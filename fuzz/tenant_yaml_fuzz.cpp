// libFuzzer target: Tenant::parse on arbitrary text. Every input either loads or throws
// TenantError (with a file name and a line that is 0 or inside the input); nothing else
// may escape, crash or hang.
//
// Input is capped at 64 KiB: yaml-cpp 0.7's work grows faster than linearly on some
// hostile inputs (long flow collections, many aliases), and its recursion is bounded only
// by its own DepthGuard (2000 levels). Tenant::parse itself refuses files over
// Tenant::max_file_bytes and counts every YAML node it visits (aliases included).
#include <mailverdict/policy/selection.hpp>
#include <mailverdict/policy/tenant.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64U * 1024U) {
        return 0;
    }
    const std::string_view text{reinterpret_cast<const char*>(data), size};
    try {
        const auto tenant = mailverdict::Tenant::parse(text, "fuzz.yaml");
        // Selection over whatever loaded must always find a policy.
        const auto phish = mailverdict::policy::select_anti_phish_policy(tenant, "a@contoso.com");
        const auto spam = mailverdict::policy::select_anti_spam_policy(tenant, "a@contoso.com");
        if (phish.policy == nullptr || spam.policy == nullptr) {
            __builtin_trap();
        }
        for (const auto& rule : tenant.mail_flow_rules()) {
            for (const auto& header : rule.conditions.headers) {
                (void)header.matches_value("fuzz value");
            }
        }
    } catch (const mailverdict::TenantError& error) {
        const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
        if (error.file() != "fuzz.yaml" || error.line() < 0 || error.line() > lines + 1) {
            __builtin_trap();
        }
    }
    return 0;
}
