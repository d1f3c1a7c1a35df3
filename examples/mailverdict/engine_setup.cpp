#include "engine_setup.hpp"

#include <mailverdict/detect/contact_graph.hpp>
#include <mailverdict/detect/impersonation.hpp>

namespace mvcli {

using namespace mailverdict;

TenantEngine load_tenant_engine(const std::string& policy_file, dns::Resolver& resolver,
                                const std::optional<psl::PublicSuffixList>& list,
                                const std::string& contacts_file,
                                std::chrono::milliseconds dns_deadline) {
    TenantEngine te;
    try {
        te.tenant = std::make_unique<policy::Tenant>(policy::Tenant::load(policy_file));
    } catch (const policy::TenantError& e) {
        throw ConfigurationError(e.what());
    }
    std::optional<detect::ContactGraph> contacts;
    if (!contacts_file.empty()) {
        try {
            contacts.emplace(detect::ContactGraph::load(contacts_file));
        } catch (const detect::ContactGraphError& e) {
            throw ConfigurationError("--contacts: " + std::string(e.what()));
        }
    }
    try {
        verdict::EngineOptions options;
        options.auth.dns_deadline = dns_deadline;
        options.list = list;
        options.contacts = std::move(contacts);
        te.engine = std::make_unique<verdict::Engine>(*te.tenant, resolver, std::move(options));
    } catch (const detect::ImpersonationConfigError& e) {
        throw ConfigurationError(policy_file + ": " + e.what());
    }
    return te;
}

}  // namespace mvcli
