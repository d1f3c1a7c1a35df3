// mailverdict submissions FILE|DIR... --labels LABELS.tsv --policy TENANT.yaml: user- or
// admin-reported labels (phish, spam, clean) scored against the tenant's verdicts: false
// positives and false negatives by detection, the mistakes, and the tuning Microsoft's
// submission flow would suggest (never applied). Exit codes as `verdict`.
#include "cli.hpp"
#include "engine_setup.hpp"
#include "inputs.hpp"

#include <mailverdict/message/message.hpp>
#include <mailverdict/output/json.hpp>
#include <mailverdict/output/submissions.hpp>
#include <mailverdict/report/submissions.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <iostream>

namespace mvcli {

using namespace mailverdict;

int cmd_submissions(const std::vector<std::string>& args) {
    CommonOptions common;
    std::vector<std::string> inputs;
    std::string policy_file;
    std::string labels_file;
    std::string contacts_file;
    InputOptions input_options;
    po::options_description desc("mailverdict submissions options");
    // clang-format off
    desc.add_options()
        ("labels", po::value(&labels_file),
         "the labels file: message<TAB>phish|spam|clean[<TAB>reporter[<TAB>note]]")
        ("policy", po::value(&policy_file), "the tenant file (YAML)");
    // clang-format on
    po::positional_options_description pos;
    add_input_options(desc, pos, inputs, input_options);
    add_contacts_option(desc, contacts_file);
    add_common_options(desc, common);
    const std::string usage_line =
        "mailverdict submissions FILE|DIR... --labels LABELS.tsv --policy TENANT.yaml "
        "[--dns-zone ...] [--contacts contacts.db] [--format text|json] [--jobs N]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    const Format format = common.parsed_format({Format::text, Format::json});
    require_inputs(inputs, input_options, usage_line);
    if (labels_file.empty() || policy_file.empty()) {
        throw UsageError("--labels and --policy are required (usage: " + usage_line + ")");
    }
    std::string labels_text;
    std::string error;
    if (!read_file(labels_file, labels_text, error)) {
        throw UsageError("--labels " + labels_file + ": " + error);
    }
    std::vector<report::Submission> submissions;
    try {
        submissions = report::parse_submissions(labels_text, labels_file);
    } catch (const report::SubmissionsError& e) {
        throw ConfigurationError(e.what());
    }
    auto resolver = make_resolver(common);
    const TenantEngine loaded =
        load_tenant_engine(policy_file, *resolver, std::nullopt, contacts_file);
    report::SubmissionScore score(std::move(submissions), {}, loaded.tenant.get());
    const Engine& engine = *loaded.engine;

    // Only labelled messages are judged (SubmissionScore::find is const: safe on workers).
    const MessageRun::Work<std::optional<verdict::Verdict>> work =
        [&](const std::string& file, std::string&& bytes) -> std::optional<verdict::Verdict> {
        const Message message = Message::parse(std::move(bytes));
        if (score.find(file, message.message_id()).empty()) {
            return std::nullopt;
        }
        return engine.evaluate(message);
    };
    const MessageRun::Emit<std::optional<verdict::Verdict>> emit =
        [&](const std::string& file, std::optional<verdict::Verdict>&& verdict) {
            if (verdict) {
                score.add(*verdict, file);
            }
        };
    InputStream stream(inputs, input_options);
    MessageRun run("submissions", common);
    run.run(stream, work, emit);
    const int status = run.status();
    if (format == Format::json) {
        std::cout << output::pretty(output::to_json(score)) << "\n";
    } else {
        output::print_submissions_text(std::cout, score);
    }
    return status;
}

}  // namespace mvcli
