// mailverdict learn DIR... --out contacts.db: the mailbox-intelligence contact graph (brief
// 4.2) from a history of messages, persisted in SQLite (docs/impersonation.md).
#include "cli.hpp"
#include "inputs.hpp"

#include <mailverdict/detect/contact_graph.hpp>
#include <mailverdict/policy/tenant.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>
#include <optional>

namespace mvcli {

using namespace mailverdict;

namespace {

struct LearnCliOptions {
    std::vector<std::string> inputs;
    InputOptions input_options;
    bool progress = false;
    std::string out;
    std::string tenant;
    std::vector<std::string> internal_domains;
    bool append = false;
    std::string format = "text";
    bool quiet = false;
};

}  // namespace

int cmd_learn(const std::vector<std::string>& args) {
    LearnCliOptions o;
    po::options_description desc("mailverdict learn options");
    // clang-format off
    desc.add_options()
        ("out", po::value(&o.out), "the contacts database to write (SQLite)")
        ("tenant", po::value(&o.tenant),
         "tenant file: its accepted domains are the organization's mailboxes")
        ("internal-domain", po::value(&o.internal_domains)->composing(),
         "a domain of the organization's mailboxes (repeatable; with sub-domains)")
        ("append", po::bool_switch(&o.append), "add to an existing --out instead of replacing it")
        ("format", po::value(&o.format)->default_value("text"), "output: text or json")
        ("quiet", po::bool_switch(&o.quiet), "print nothing but errors")
        ("progress", po::bool_switch(&o.progress),
         "progress line on stderr (default: when stderr is a terminal and stdout is not)")
        ("help,h", "show this help");
    // clang-format on
    po::positional_options_description pos;
    add_input_options(desc, pos, o.inputs, o.input_options);
    const std::string usage_line =
        "mailverdict learn FILE|DIR|MBOX|MAILDIR... [--files-from LIST] --out contacts.db "
        "[--tenant TENANT.yaml | "
        "--internal-domain DOMAIN...] [--append] [--format text|json]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    require_inputs(o.inputs, o.input_options, usage_line);
    if (o.out.empty()) {
        throw UsageError("--out contacts.db is required (usage: " + usage_line + ")");
    }
    if (o.format != "text" && o.format != "json") {
        throw UsageError("unknown --format '" + o.format + "' (text, json)");
    }
    detect::LearnOptions learn;
    for (const auto& d : o.internal_domains) {
        learn.internal_domains.push_back(d);
    }
    if (!o.tenant.empty()) {
        try {
            const auto tenant = Tenant::load(o.tenant);
            for (const auto& d : tenant.accepted_domains()) {
                learn.internal_domains.push_back(d.name);
            }
        } catch (const TenantError& e) {
            std::cerr << e.what() << "\n";
            return exit_usage;
        }
    }

    detect::ContactGraph graph;
    if (o.append && std::filesystem::exists(o.out)) {
        graph = detect::ContactGraph::load(o.out);  // ContactGraphError: one line, exit 2
    }
    std::size_t messages = 0;
    std::size_t skipped = 0;
    std::size_t recorded = 0;
    InputStream inputs(o.inputs, o.input_options);
    MessageRun run("learn", 1, o.progress, o.quiet);
    // Parsing is all the work; learning updates the one graph, in emit (serialized).
    const MessageRun::Work<Message> work = [](const std::string&, std::string&& bytes) {
        return Message::parse(std::move(bytes));
    };
    const MessageRun::Emit<Message> emit = [&](const std::string& name, Message&& message) {
        const auto outcome = detect::learn_message(graph, message, learn);
        ++messages;
        recorded += outcome.recorded;
        if (outcome.recorded == 0) {
            ++skipped;
            if (!o.quiet && o.format == "text") {
                run.note(name, "skipped (" + outcome.skipped + ")");
            }
        }
    };
    run.run(inputs, work, emit);
    const bool input_error = run.status() != exit_ok;
    if (messages == 0 && input_error) {
        return exit_input_error;  // nothing read: leave --out as it was
    }
    graph.save(o.out);
    if (!o.quiet) {
        if (o.format == "json") {
            boost::json::object j;
            j["messages"] = messages;
            j["skipped"] = skipped;
            j["recorded"] = recorded;
            j["mailboxes"] = graph.mailbox_count();
            j["pairs"] = graph.pair_count();
            j["out"] = o.out;
            std::cout << boost::json::serialize(j) << "\n";
        } else {
            std::cout << "learnt " << recorded << " exchanges from " << messages << " messages ("
                      << skipped << " skipped): " << graph.mailbox_count() << " mailboxes, "
                      << graph.pair_count() << " contact pairs -> " << o.out << "\n";
        }
    }
    return input_error ? exit_input_error : exit_ok;
}

}  // namespace mvcli
