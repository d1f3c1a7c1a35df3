// mailverdict posture --policy TENANT.yaml: the configuration analyzer (custom and default
// policies against the Standard or Strict recommendations) and the migration guide's
// cut-over readiness checks per accepted domain, with a score (docs/posture.md). Findings
// are results, not errors: exit 0 when the analysis ran, 2 for usage or configuration
// errors.
#include "cli.hpp"
#include "engine_setup.hpp"

#include <mailverdict/auth/org_domain.hpp>
#include <mailverdict/output/json.hpp>
#include <mailverdict/output/posture_html.hpp>
#include <mailverdict/output/posture_json.hpp>
#include <mailverdict/policy/posture.hpp>
#include <mailverdict/policy/tenant.hpp>

#include <iostream>
#include <optional>

namespace mvcli {

using namespace mailverdict;

int cmd_posture(const std::vector<std::string>& args) {
    CommonOptions common;
    std::string policy_file;
    std::string baseline = "standard";
    unsigned max_mx_ttl = 3600;
    std::string psl_file;
    po::options_description desc("mailverdict posture options");
    // clang-format off
    desc.add_options()
        ("policy", po::value(&policy_file), "the tenant file (YAML)")
        ("baseline", po::value(&baseline),
         "recommendations a policy setting must meet: standard (default) or strict")
        ("max-mx-ttl", po::value(&max_mx_ttl),
         "MX TTL in seconds above which lowering it before the switch is advised (default 3600)")
        ("public-suffix-list", po::value(&psl_file),
         "Public Suffix List file, for the DMARC organizational-domain fallback "
         "(default: Debian's /usr/share/publicsuffix)");
    // clang-format on
    add_common_options(desc, common);
    const po::positional_options_description pos;
    const std::string usage_line =
        "mailverdict posture --policy TENANT.yaml [--baseline standard|strict] "
        "[--dns-server ...|--dns-zone ...] [--format text|json|html]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    // html is this command's own format (one self-contained page on stdout).
    const bool html = common.format == "html";
    const Format format = html ? Format::text : common.parsed_format({Format::text, Format::json});
    if (policy_file.empty()) {
        throw UsageError("--policy TENANT.yaml is required (usage: " + usage_line + ")");
    }
    policy::PostureOptions options;
    if (baseline == "standard") {
        options.baseline = policy::Baseline::standard;
    } else if (baseline == "strict") {
        options.baseline = policy::Baseline::strict;
    } else {
        throw UsageError("--baseline: expected standard or strict, got '" + baseline + "'");
    }
    options.max_mx_ttl = max_mx_ttl;
    std::optional<policy::Tenant> tenant;
    try {
        tenant.emplace(policy::Tenant::load(policy_file));
    } catch (const policy::TenantError& e) {
        throw ConfigurationError(e.what());
    }
    auto loaded = psl_file.empty() ? psl::PublicSuffixList::system()
                                   : psl::PublicSuffixList::load_file(psl_file);
    if (!loaded) {
        throw UsageError(loaded.error);
    }
    options.public_suffixes = &*loaded.list;
    auto resolver = make_resolver(common);
    const policy::PostureAnalyzer analyzer(*tenant, *resolver, options);
    const policy::PostureResult result = analyzer.analyze();
    if (html) {
        output::write_posture_html(std::cout, result, tenant->name(), options.baseline,
                                   {{"Tenant", tenant->name()}, {"Tenant file", policy_file}});
    } else if (format == Format::json) {
        std::cout << output::pretty(output::to_json(result, tenant->name(), options.baseline))
                  << "\n";
    } else {
        output::print_posture_text(std::cout, result, tenant->name(), options.baseline);
    }
    return exit_ok;
}

}  // namespace mvcli
