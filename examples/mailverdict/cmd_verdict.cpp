// mailverdict verdict FILE|DIR... --policy TENANT.yaml: what Exchange Online Protection /
// Defender for Office 365 would do with each message, per recipient, with the reasons.
// Output in input order whatever --jobs; exit 0, 1 (some input unreadable), 2 (usage or
// tenant file error or a --contacts database that cannot be opened: one line).
#include "cli.hpp"
#include "engine_setup.hpp"
#include "ordered_pool.hpp"

#include <mailverdict/message/message.hpp>
#include <mailverdict/output/json.hpp>
#include <mailverdict/output/verdict_json.hpp>
#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <boost/json/array.hpp>

#include <unistd.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

namespace mvcli {

namespace json = boost::json;
using namespace mailverdict;

namespace {

struct VerdictOptions {
    CommonOptions common;
    std::vector<std::string> inputs;
    std::string policy;
    std::vector<std::string> recipients;
    std::string ip;
    std::string helo;
    std::string mail_from;
    bool mail_from_given = false;
    long long now = -1;
    bool trace = false;
    std::string psl_file;
    std::string contacts;
};

struct Summary {
    std::size_t messages = 0;
    std::size_t recipients = 0;
    std::map<std::string, std::size_t> folders, detections, overrides;

    void add(const verdict::Verdict& v) {
        ++messages;
        for (const auto& r : v.recipients) {
            ++recipients;
            ++folders[std::string(verdict::to_string(r.final.folder))];
            if (!r.detections.empty()) {
                ++detections[std::string(verdict::category(r.detections.front().detection))];
            }
            for (const auto& o : r.overrides) {
                if (o.applied) {
                    ++overrides[o.mechanism];
                }
            }
        }
    }
    [[nodiscard]] json::object to_json() const {
        auto obj = [](const std::map<std::string, std::size_t>& m) {
            json::object o;
            for (const auto& [k, n] : m) {
                o[k] = n;
            }
            return o;
        };
        return {{"summary", json::object{{"messages", messages},
                                         {"recipients", recipients},
                                         {"folders", obj(folders)},
                                         {"detections", obj(detections)},
                                         {"overrides", obj(overrides)}}}};
    }
    void print(std::ostream& out) const {
        out << messages << " message(s), " << recipients << " recipient verdict(s)\n";
        auto line = [&](const char* title, const std::map<std::string, std::size_t>& m) {
            out << "  " << title << ":";
            if (m.empty()) {
                out << " none";
            }
            for (const auto& [k, n] : m) {
                out << " " << k << "=" << n;
            }
            out << "\n";
        };
        line("folders", folders);
        line("detections (highest per recipient)", detections);
        line("overrides applied", overrides);
    }
};

}  // namespace

int cmd_verdict(const std::vector<std::string>& args) {
    VerdictOptions o;
    po::options_description desc("mailverdict verdict options");
    // clang-format off
    desc.add_options()
        ("input", po::value(&o.inputs)->composing(), "message files or directories")
        ("policy", po::value(&o.policy), "the tenant file (YAML)")
        ("recipient", po::value(&o.recipients)->composing(),
         "envelope recipient (repeatable; default: from the message)")
        ("ip", po::value(&o.ip), "client IP (default: derived with the tenant's routing)")
        ("helo", po::value(&o.helo), "HELO/EHLO name")
        ("mail-from", po::value(&o.mail_from), "MAIL FROM address ('' = null sender)")
        ("now", po::value(&o.now),
         "evaluation time, seconds since the epoch (default: the topmost Received date)")
        ("trace", po::bool_switch(&o.trace), "text format: print every decision")
        ("public-suffix-list", po::value(&o.psl_file),
         "Public Suffix List file (default: Debian's /usr/share/publicsuffix)")
        ("contacts", po::value(&o.contacts),
         "mailbox intelligence contact graph (SQLite, from `mailverdict learn`)");
    // clang-format on
    add_common_options(desc, o.common);
    po::positional_options_description pos;
    pos.add("input", -1);
    const std::string usage_line =
        "mailverdict verdict FILE|DIR... --policy TENANT.yaml [--recipient ADDR]... [--ip IP] "
        "[--contacts contacts.db] [--format text|json|jsonl|headers] [--jobs N]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    o.mail_from_given = option_given(args, "--mail-from");
    const Format format =
        o.common.parsed_format({Format::text, Format::json, Format::jsonl, Format::headers});
    if (o.inputs.empty()) {
        throw UsageError("no input (usage: " + usage_line + ")");
    }
    if (o.policy.empty()) {
        throw UsageError("--policy TENANT.yaml is required (usage: " + usage_line + ")");
    }
    verdict::EvaluateOptions eo;
    for (const auto& r : o.recipients) {
        eo.recipients.push_back(r);
    }
    if (!o.ip.empty()) {
        boost::system::error_code ec;
        auto addr = boost::asio::ip::make_address(o.ip, ec);
        if (ec) {
            throw UsageError("--ip '" + o.ip + "' is not an IP address");
        }
        eo.client_ip = addr;
    }
    if (!o.helo.empty()) {
        eo.helo = o.helo;
    }
    if (o.mail_from_given) {
        eo.mail_from = o.mail_from;
    }
    if (o.now >= 0) {
        eo.now = std::chrono::sys_seconds{std::chrono::seconds{o.now}};
    }
    std::optional<psl::PublicSuffixList> list;
    if (!o.psl_file.empty()) {
        auto loaded = psl::PublicSuffixList::load_file(o.psl_file);
        if (!loaded) {
            throw UsageError(loaded.error);
        }
        list = *loaded.list;
    }
    auto resolver = make_resolver(o.common);
    const TenantEngine loaded = load_tenant_engine(
        o.policy, *resolver, list, o.contacts, std::chrono::milliseconds(o.common.dns_deadline_ms));
    const Engine& engine = *loaded.engine;

    struct Item {
        bool read = false;
        std::string file;
        std::string error;
        std::string text;
        json::object obj;
        std::optional<verdict::Verdict> verdict;
    };
    const auto inputs = collect_inputs(o.inputs);
    const std::function<Item(std::size_t)> work = [&](std::size_t i) {
        Item item;
        item.file = inputs[i].string();
        std::string bytes;
        if (!read_file(inputs[i], bytes, item.error)) {
            item.obj = {{"file", item.file}, {"parsed", false}, {"error", item.error}};
            return item;
        }
        item.read = true;
        const Message message = Message::parse(std::move(bytes));
        auto v = engine.evaluate(message, eo);
        if (format == Format::text) {
            std::ostringstream out;
            output::print_verdict_text(out, v, item.file, o.trace);
            item.text = out.str();
        } else if (format == Format::headers) {
            std::ostringstream out;
            for (const auto& r : v.recipients) {
                out << "==> " << item.file << " (" << r.address << ") <==\n";
                for (const auto& [name, value] : output::verdict_headers(v, r)) {
                    out << name << ": " << value << "\n";
                }
                out << "\n";
            }
            item.text = out.str();
        } else {
            item.obj = output::to_json(v, item.file);
        }
        item.verdict = std::move(v);
        return item;
    };

    const bool progress = isatty(STDERR_FILENO) != 0 && !o.common.quiet && inputs.size() > 20;
    int status = exit_ok;
    json::array all;
    Summary summary;
    std::size_t done = 0;
    const std::function<void(Item &&)> emit = [&](Item&& item) {
        ++done;
        if (!item.read) {
            status = exit_input_error;
            std::cerr << "mailverdict verdict: " << item.file << ": " << item.error << "\n";
        } else {
            summary.add(*item.verdict);
        }
        if (progress) {
            std::cerr << "\r" << done << "/" << inputs.size() << " messages" << std::flush;
        }
        if (format == Format::text || format == Format::headers) {
            std::cout << item.text;
        } else if (format == Format::jsonl) {
            std::cout << output::compact(item.obj) << "\n";
        } else {
            all.emplace_back(std::move(item.obj));
        }
    };
    run_ordered(inputs.size(), o.common.jobs, work, emit);
    if (progress) {
        std::cerr << "\n";
    }
    if (format == Format::json) {
        json::object doc{{"messages", std::move(all)}};
        for (auto& kv : summary.to_json()) {
            doc[kv.key()] = kv.value();
        }
        std::cout << output::pretty(doc) << "\n";
    }
    if (format == Format::text && !o.common.quiet) {
        summary.print(std::cout);
    }
    return status;
}

}  // namespace mvcli
