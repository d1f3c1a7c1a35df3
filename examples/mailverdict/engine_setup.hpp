// The tenant and verdict engine behind `verdict`, `report` and `diff`: loaded once per
// tenant file, with the same errors for every command.
#pragma once

#include <mailverdict/auth/org_domain.hpp>
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace mvcli {

// A configuration problem whose message is already the one line to print
// ("pilot.yaml:14: key: ..."): main prints it as it is and exits 2.
class ConfigurationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct TenantEngine {
    std::unique_ptr<mailverdict::policy::Tenant> tenant;  // the engine refers to it
    std::unique_ptr<mailverdict::verdict::Engine> engine;
};

// Loads `policy_file` and builds its engine over `resolver`; `contacts_file` (may be
// empty) is the learnt contact graph. Throws ConfigurationError for an invalid tenant
// file, a contacts database that cannot be opened, or impersonation settings over
// Microsoft's limits.
TenantEngine load_tenant_engine(
    const std::string& policy_file, mailverdict::dns::Resolver& resolver,
    const std::optional<mailverdict::psl::PublicSuffixList>& list, const std::string& contacts_file,
    std::chrono::milliseconds dns_deadline = mailverdict::auth::default_dns_deadline);

}  // namespace mvcli
