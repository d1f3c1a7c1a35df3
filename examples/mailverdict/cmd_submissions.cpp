// mailverdict submissions FILE|DIR... --labels LABELS.tsv --policy TENANT.yaml: user- or
// admin-reported labels (phish, spam, clean) scored against the tenant's verdicts: false
// positives and false negatives by detection, the mistakes, and the tuning Microsoft's
// submission flow would suggest (never applied). Exit codes as `verdict`.
#include "cli.hpp"
#include "engine_setup.hpp"
#include "ordered_pool.hpp"

#include <mailverdict/message/message.hpp>
#include <mailverdict/output/json.hpp>
#include <mailverdict/output/submissions.hpp>
#include <mailverdict/report/submissions.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <functional>
#include <iostream>

namespace mvcli {

using namespace mailverdict;

int cmd_submissions(const std::vector<std::string>& args) {
    CommonOptions common;
    std::vector<std::string> inputs;
    std::string policy_file;
    std::string labels_file;
    std::string contacts_file;
    po::options_description desc("mailverdict submissions options");
    // clang-format off
    desc.add_options()
        ("input", po::value(&inputs)->composing(), "message files or directories")
        ("labels", po::value(&labels_file),
         "the labels file: message<TAB>phish|spam|clean[<TAB>reporter[<TAB>note]]")
        ("policy", po::value(&policy_file), "the tenant file (YAML)")
        ("contacts", po::value(&contacts_file),
         "mailbox intelligence contact graph (SQLite, from `mailverdict learn`)");
    // clang-format on
    add_common_options(desc, common);
    po::positional_options_description pos;
    pos.add("input", -1);
    const std::string usage_line =
        "mailverdict submissions FILE|DIR... --labels LABELS.tsv --policy TENANT.yaml "
        "[--dns-zone ...] [--contacts contacts.db] [--format text|json] [--jobs N]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    const Format format = common.parsed_format({Format::text, Format::json});
    if (inputs.empty()) {
        throw UsageError("no input (usage: " + usage_line + ")");
    }
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
    report::SubmissionScore score(std::move(submissions));

    auto resolver = make_resolver(common);
    const TenantEngine loaded =
        load_tenant_engine(policy_file, *resolver, std::nullopt, contacts_file);
    const Engine& engine = *loaded.engine;

    struct Item {
        std::string file;
        std::string error;
        std::optional<verdict::Verdict> verdict;
    };
    const auto files = collect_inputs(inputs);
    const std::function<Item(std::size_t)> work = [&](std::size_t i) {
        Item item;
        item.file = files[i].string();
        std::string bytes;
        if (!read_file(files[i], bytes, item.error)) {
            return item;
        }
        const Message message = Message::parse(std::move(bytes));
        // Only labelled messages are judged (score.find is const and thread-safe).
        if (!score.find(item.file, message.message_id()).empty()) {
            item.verdict = engine.evaluate(message);
        }
        return item;
    };
    int status = exit_ok;
    const std::function<void(Item &&)> emit = [&](Item&& item) {
        if (!item.error.empty()) {
            status = exit_input_error;
            std::cerr << "mailverdict submissions: " << item.file << ": " << item.error << "\n";
            return;
        }
        if (item.verdict) {
            score.add(*item.verdict, item.file);
        }
    };
    run_ordered(files.size(), common.jobs, work, emit);
    if (format == Format::json) {
        std::cout << output::pretty(output::to_json(score)) << "\n";
    } else {
        output::print_submissions_text(std::cout, score);
    }
    return status;
}

}  // namespace mvcli
