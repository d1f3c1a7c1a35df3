// mailverdict diff DIR... --policy A.yaml --policy B.yaml: every message judged under two
// tenant configurations; per message and recipient what changes (final folder,
// detections, overrides applied), the totals, and the recipients that B moves to Junk,
// Quarantine or Rejected. Exit codes as `verdict`.
#include "cli.hpp"
#include "engine_setup.hpp"
#include "inputs.hpp"

#include <mailverdict/message/message.hpp>
#include <mailverdict/output/json.hpp>
#include <mailverdict/output/report_html.hpp>
#include <mailverdict/output/report_json.hpp>
#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/report/diff.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <functional>
#include <iostream>

namespace mvcli {

using namespace mailverdict;

int cmd_diff(const std::vector<std::string>& args) {
    CommonOptions common;
    std::vector<std::string> inputs;
    InputOptions input_options;
    std::vector<std::string> policies;
    std::string contacts_file;
    po::options_description desc("mailverdict diff options");
    // clang-format off
    desc.add_options()
        ("policy", po::value(&policies)->composing(),
         "the tenant files A and B (YAML), given twice: --policy A.yaml --policy B.yaml");
    // clang-format on
    po::positional_options_description pos;
    add_input_options(desc, pos, inputs, input_options);
    add_contacts_option(desc, contacts_file);
    add_common_options(desc, common);
    const std::string usage_line =
        "mailverdict diff FILE|DIR... --policy A.yaml --policy B.yaml [--dns-zone ...] "
        "[--contacts contacts.db] [--format text|json|html] [--jobs N]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    // html is this command's own format (one self-contained page on stdout).
    const bool html = common.format == "html";
    const Format format = html ? Format::text : common.parsed_format({Format::text, Format::json});
    require_inputs(inputs, input_options, usage_line);
    if (policies.size() != 2) {
        throw UsageError("--policy must be given twice, A then B (usage: " + usage_line + ")");
    }
    auto resolver = make_resolver(common);
    std::vector<TenantEngine> loaded;
    loaded.reserve(policies.size());
    for (const auto& p : policies) {
        loaded.push_back(load_tenant_engine(p, *resolver, std::nullopt, contacts_file));
    }
    const std::vector<const Engine*> engines{loaded[0].engine.get(), loaded[1].engine.get()};

    struct Item {
        verdict::Verdict a, b;
    };
    const MessageRun::Work<Item> work = [&](const std::string&, std::string&& bytes) {
        Item item;
        const Message message = Message::parse(std::move(bytes));
        item.a = engines[0]->evaluate(message);
        item.b = engines[1]->evaluate(message);
        return item;
    };
    report::Diff diff;
    const MessageRun::Emit<Item> emit = [&](const std::string& file, Item&& item) {
        diff.add(item.a, item.b, file);
    };
    InputStream stream(inputs, input_options);
    MessageRun run("diff", common);
    run.run(stream, work, emit);
    const int status = run.status();
    if (html) {
        output::write_diff_html(std::cout, diff, policies[0], policies[1],
                                {{"Inputs", inputs_fact(inputs, input_options)}});
    } else if (format == Format::json) {
        std::cout << output::pretty(output::to_json(diff)) << "\n";
    } else {
        std::cout << "A: " << policies[0] << "\nB: " << policies[1] << "\n";
        output::print_diff_text(std::cout, diff);
    }
    return status;
}

}  // namespace mvcli
