// mailverdict report DIR... --policy TENANT.yaml: the pilot report (threat-protection
// status, spoof and impersonation insight, override analysis, senders failing
// authentication, DMARC/SPF/DKIM readiness) over every message, streamed: memory grows
// with the distinct senders, not the messages. Exit codes as `verdict`.
#include "cli.hpp"
#include "engine_setup.hpp"
#include "inputs.hpp"

#include <mailverdict/auth/org_domain.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/message/received.hpp>
#include <mailverdict/output/json.hpp>
#include <mailverdict/output/posture_html.hpp>
#include <mailverdict/output/posture_json.hpp>
#include <mailverdict/output/report_html.hpp>
#include <mailverdict/output/report_json.hpp>
#include <mailverdict/policy/posture.hpp>
#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/report/report.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <functional>
#include <iostream>

namespace mvcli {

using namespace mailverdict;

int cmd_report(const std::vector<std::string>& args) {
    CommonOptions common;
    std::vector<std::string> inputs;
    InputOptions input_options;
    std::string policy_file;
    std::string contacts_file;
    po::options_description desc(
        "mailverdict report options (the report ends with the tenant's posture, "
        "docs/posture.md:\nit looks up the MX, SPF, DKIM and DMARC records of every accepted "
        "domain)");
    // clang-format off
    desc.add_options()
        ("policy", po::value(&policy_file), "the tenant file (YAML)");
    // clang-format on
    po::positional_options_description pos;
    add_input_options(desc, pos, inputs, input_options);
    add_contacts_option(desc, contacts_file);
    add_common_options(desc, common);
    const std::string usage_line =
        "mailverdict report FILE|DIR... --policy TENANT.yaml [--dns-zone ...] "
        "[--contacts contacts.db] [--format text|json|html] [--jobs N]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    // html is this command's own format (one self-contained page on stdout).
    const bool html = common.format == "html";
    const Format format = html ? Format::text : common.parsed_format({Format::text, Format::json});
    require_inputs(inputs, input_options, usage_line);
    if (policy_file.empty()) {
        throw UsageError("--policy TENANT.yaml is required (usage: " + usage_line + ")");
    }
    auto resolver = make_resolver(common);
    const TenantEngine loaded =
        load_tenant_engine(policy_file, *resolver, std::nullopt, contacts_file);
    const Engine& engine = *loaded.engine;

    struct Item {
        verdict::Verdict verdict;
        report::MessageContext context;
    };
    const MessageRun::Work<Item> work = [&](const std::string& file, std::string&& bytes) {
        Item item;
        const Message message = Message::parse(std::move(bytes));
        item.context.file = file;
        item.context.date = parse_date_time(message.date());
        item.verdict = engine.evaluate(message);
        return item;
    };
    report::Report report(loaded.tenant.get());
    const MessageRun::Emit<Item> emit = [&](const std::string&, Item&& item) {
        report.add(item.verdict, item.context);
    };
    InputStream stream(inputs, input_options);
    MessageRun run("report", common);
    run.run(stream, work, emit);
    const int status = run.status();
    // The tenant's posture (configuration analyzer and cut-over checks) belongs in the
    // pilot report too (issue 8 item 7): JSON key "posture", HTML sections, a text summary.
    auto suffixes = psl::PublicSuffixList::system();
    policy::PostureOptions posture_options;
    posture_options.public_suffixes = suffixes ? &*suffixes.list : nullptr;
    const policy::PostureResult posture =
        policy::PostureAnalyzer(*loaded.tenant, *resolver, posture_options).analyze();
    if (html) {
        auto sections = output::report_sections(report);
        for (auto& s : output::posture_sections(posture, posture_options.baseline, "/posture")) {
            sections.push_back(std::move(s));
        }
        output::html::write_page(
            std::cout,
            output::report_page(report, {{"Tenant", loaded.tenant->name()},
                                         {"Tenant file", policy_file},
                                         {"Inputs", inputs_fact(inputs, input_options)}}),
            sections);
    } else if (format == Format::json) {
        auto doc = output::to_json(report);
        doc["posture"] = output::to_json(posture, loaded.tenant->name(), posture_options.baseline);
        std::cout << output::pretty(doc) << "\n";
    } else {
        output::print_report_text(std::cout, report);
        std::size_t high = 0, failed = 0;
        for (const auto* f : posture.findings()) {
            failed += f->status == policy::CheckStatus::failed ? 1 : 0;
            high +=
                f->status == policy::CheckStatus::failed && f->severity == policy::Severity::high
                    ? 1
                    : 0;
        }
        std::cout << "\nPosture (Standard baseline)\n  score " << posture.score.earned << "/"
                  << posture.score.possible << " points, " << failed << " finding(s), " << high
                  << " of high severity: mailverdict posture --policy " << policy_file
                  << " lists them\n";
    }
    return status;
}

}  // namespace mvcli
