// mailverdict verdict FILE|DIR... --policy TENANT.yaml: what Exchange Online Protection /
// Defender for Office 365 would do with each message, per recipient, with the reasons.
// Output in input order whatever --jobs; exit 0, 1 (some input unreadable), 2 (usage or
// tenant file error or a --contacts database that cannot be opened: one line).
#include "cli.hpp"
#include "engine_setup.hpp"
#include "inputs.hpp"

#include <mailverdict/message/message.hpp>
#include <mailverdict/output/json.hpp>
#include <mailverdict/output/verdict_json.hpp>
#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <boost/json/array.hpp>

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
    InputOptions input_options;
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
         "Public Suffix List file (default: Debian's /usr/share/publicsuffix)");
    // clang-format on
    po::positional_options_description pos;
    add_input_options(desc, pos, o.inputs, o.input_options);
    add_contacts_option(desc, o.contacts);
    add_common_options(desc, o.common);
    const std::string usage_line =
        "mailverdict verdict FILE|DIR|MBOX|MAILDIR... [--files-from LIST] --policy TENANT.yaml "
        "[--recipient ADDR]... [--ip IP] "
        "[--contacts contacts.db] [--format text|table|json|jsonl|headers] [--jobs N]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    o.mail_from_given = option_given(args, "--mail-from");
    const Format format = o.common.parsed_format(
        {Format::text, Format::json, Format::jsonl, Format::headers, Format::table});
    require_inputs(o.inputs, o.input_options, usage_line);
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
        std::string text;
        json::object obj;
        verdict::Verdict verdict;
    };
    const MessageRun::Work<Item> work = [&](const std::string& file, std::string&& bytes) {
        Item item;
        const Message message = Message::parse(std::move(bytes));
        item.verdict = engine.evaluate(message, eo);
        const auto& v = item.verdict;
        if (format == Format::text) {
            std::ostringstream out;
            output::print_verdict_text(out, v, file, o.trace);
            item.text = out.str();
        } else if (format == Format::table) {
            std::ostringstream out;
            output::print_verdict_table_rows(out, v, file);
            item.text = out.str();
        } else if (format == Format::headers) {
            std::ostringstream out;
            for (const auto& r : v.recipients) {
                out << "==> " << file << " (" << r.address << ") <==\n";
                for (const auto& [name, value] : output::verdict_headers(v, r)) {
                    out << name << ": " << value << "\n";
                }
                out << "\n";
            }
            item.text = out.str();
        } else {
            item.obj = output::to_json(v, file);
        }
        return item;
    };

    json::array all;
    Summary summary;
    auto print = [&](json::object&& obj, const std::string& text) {
        if (format == Format::text || format == Format::headers || format == Format::table) {
            std::cout << text;
        } else if (format == Format::jsonl) {
            std::cout << output::compact(obj) << "\n";
        } else {
            all.emplace_back(std::move(obj));
        }
    };
    const MessageRun::Emit<Item> emit = [&](const std::string&, Item&& item) {
        summary.add(item.verdict);
        print(std::move(item.obj), item.text);
    };
    const MessageRun::Unreadable unreadable = [&](const std::string& file,
                                                  const std::string& error) {
        // The table keeps a row for it, so every input is accounted for.
        print({{"file", file}, {"parsed", false}, {"error", error}},
              format == Format::table
                  ? file.substr(file.rfind('/') + 1) + "  (not read: " + error + ")\n"
                  : "");
    };
    if (format == Format::table) {
        output::print_verdict_table_header(std::cout);
    }
    InputStream inputs(o.inputs, o.input_options);
    MessageRun run("verdict", o.common);
    run.run(inputs, work, emit, unreadable);
    const int status = run.status();
    if (format == Format::json) {
        json::object doc{{"messages", std::move(all)}};
        for (auto& kv : summary.to_json()) {
            doc[kv.key()] = kv.value();
        }
        std::cout << output::pretty(doc) << "\n";
    }
    if ((format == Format::text || format == Format::table) && !o.common.quiet) {
        summary.print(std::cout);
    }
    return status;
}

}  // namespace mvcli
