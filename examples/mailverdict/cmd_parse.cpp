// mailverdict parse FILE|DIR...: what the message stage sees in each message.
#include "cli.hpp"
#include "inputs.hpp"

#include <mailverdict/dns/reverse.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/message/network.hpp>
#include <mailverdict/message/received.hpp>
#include <mailverdict/output/json.hpp>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <functional>
#include <iostream>
#include <optional>
#include <sstream>

namespace mvcli {

namespace json = boost::json;
using namespace mailverdict;

namespace {

struct ParseOptions {
    CommonOptions common;
    std::vector<std::string> inputs;
    InputOptions input_options;
    EnvelopeArguments env;
    std::vector<std::string> skip_listed;
};

EnvelopeOptions envelope_options(const ParseOptions& o) {
    EnvelopeOptions e;
    apply_envelope_arguments(o.env, e);
    for (const auto& s : o.skip_listed) {
        auto net = IpNetwork::parse(s);
        if (!net) {
            throw UsageError("--skip-listed needs an IP range, not '" + s + "'");
        }
        e.skip_listed_networks.push_back(*net);
    }
    return e;
}

std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : s;
}

json::object reverse_json(const dns::ReverseDns& r) {
    json::array names;
    for (const auto& n : r.names) {
        names.emplace_back(n);
    }
    return {{"status", std::string(dns::to_string(r.status))},
            {"names", std::move(names)},
            {"verified", r.verified ? json::value(*r.verified) : json::value(nullptr)},
            {"detail", r.detail}};
}

void print_text(std::ostream& out, const std::string& file, const Message& m,
                const std::vector<Hop>& chain, const Envelope& env,
                const std::optional<dns::ReverseDns>& rdns) {
    out << file << "\n";
    if (m.from().empty()) {
        out << "  From:       -\n";
    }
    for (const auto& f : m.from()) {
        out << "  From:       ";
        if (!f.display_name.empty()) {
            out << '"' << f.display_name << "\" ";
        }
        out << '<' << f.address() << ">\n";
    }
    out << "  Subject:    " << m.subject() << "\n";
    out << "  Message-ID: " << or_dash(m.message_id()) << "\n";
    out << "  Date:       " << or_dash(m.date()) << "\n";
    out << "  Fields:     " << m.fields().size() << ", body " << m.body().size() << " bytes\n";
    out << "  Hops:       " << chain.size() << (chain.empty() ? "\n" : " (topmost first)\n");
    for (const auto& h : chain) {
        out << "    " << h.index << "  from " << or_dash(h.from_name);
        if (!h.reverse_name.empty() && h.reverse_name != h.from_name) {
            out << " (" << h.reverse_name << ")";
        }
        out << " [" << (h.ip ? h.ip->to_string() : std::string("-")) << "]";
        out << " by " << or_dash(h.by_name);
        if (!h.with.empty()) {
            out << " with " << h.with;
        }
        out << "\n";
    }
    out << "  Envelope:   client "
        << (env.client_ip ? env.client_ip->to_string() : std::string("unknown")) << " ("
        << to_string(env.client_source)
        << (env.hop_index ? " #" + std::to_string(*env.hop_index) : "") << "), HELO "
        << or_dash(env.helo) << "\n";
    if (rdns) {
        out << "              PTR "
            << (rdns->verified ? *rdns->verified + " (forward-confirmed)" : "none")
            << (rdns->verified ? "" : " (" + rdns->detail + ")") << "\n";
    }
    out << "              MAIL FROM "
        << (env.mail_from ? (env.mail_from->empty() ? "<>" : *env.mail_from)
                          : std::string("unknown"))
        << " (" << to_string(env.mail_from_source) << ")\n";
    out << "              RCPT TO ";
    if (env.recipients.empty()) {
        out << "unknown";
    }
    for (std::size_t i = 0; i < env.recipients.size(); ++i) {
        out << (i != 0U ? ", " : "") << env.recipients[i];
    }
    out << " (" << to_string(env.recipients_source) << ")\n";
    if (m.defects().empty()) {
        out << "  Defects:    none\n";
    } else {
        out << "  Defects:    " << m.defects().size() << "\n";
        for (const auto& d : m.defects()) {
            out << "    " << to_string(d.kind) << ": " << d.detail << "\n";
        }
    }
    out << "\n";
}

}  // namespace

int cmd_parse(const std::vector<std::string>& args) {
    ParseOptions o;
    po::options_description desc("mailverdict parse options");
    // clang-format off
    desc.add_options()
        ("boundary", po::value(&o.env.boundaries)->composing(),
         "host pattern of the boundary MTA, e.g. *.mail.protection.outlook.com (repeatable)")
        ("trusted", po::value(&o.env.trusted)->composing(),
         "trusted internal host suffix or IP range (repeatable)")
        ("skip-listed", po::value(&o.skip_listed)->composing(),
         "connector IP range skipped by enhanced filtering (repeatable)")
        ("ip", po::value(&o.env.ip), "client IP (overrides the derived one)")
        ("helo", po::value(&o.env.helo), "HELO name (overrides the derived one)")
        ("mail-from", po::value(&o.env.mail_from), "MAIL FROM address ('' = null sender)")
        ("recipient", po::value(&o.env.recipients)->composing(), "envelope recipient (repeatable)");
    // clang-format on
    po::positional_options_description pos;
    add_input_options(desc, pos, o.inputs, o.input_options);
    add_common_options(desc, o.common);
    const std::string usage_line =
        "mailverdict parse FILE|DIR|MBOX|MAILDIR... [--files-from LIST] [--boundary PATTERN] "
        "[--trusted HOST|CIDR]... "
        "[--format text|json|jsonl]";
    if (parse_arguments(args, desc, pos, usage_line, std::cout)) {
        return exit_ok;
    }
    o.env.mail_from_given = option_given(args, "--mail-from");
    const Format format = o.common.parsed_format({Format::text, Format::json, Format::jsonl});
    require_inputs(o.inputs, o.input_options, usage_line);
    const EnvelopeOptions env_options = envelope_options(o);
    // With a DNS source (--dns-zone, --dns-server, --dns-replay), the client's reverse
    // name is looked up and forward-confirmed, as EOP does for the PTR: field.
    std::shared_ptr<dns::Resolver> resolver;
    if (!o.common.dns_zones.empty() || !o.common.dns_servers.empty() ||
        !o.common.dns_replay.empty()) {
        resolver = make_resolver(o.common);
    }

    struct Item {
        bool has_defects = false;
        std::string text;  // Format::text
        json::object obj;  // Format::json / jsonl
    };
    const MessageRun::Work<Item> work = [&](const std::string& file, std::string&& bytes) {
        Item item;
        Message message = Message::parse(std::move(bytes));
        std::vector<Defect> hop_defects;
        const auto chain = received_chain(message, max_received_hops, &hop_defects);
        for (auto& d : hop_defects) {
            message.add_defect(std::move(d));
        }
        const Envelope env = derive_envelope(message, chain, env_options);
        item.has_defects = !message.defects().empty();
        std::optional<dns::ReverseDns> rdns;
        if (resolver && env.client_ip) {
            rdns = dns::forward_confirmed_reverse(*resolver, *env.client_ip);
        }
        if (format == Format::text) {
            std::ostringstream out;
            print_text(out, file, message, chain, env, rdns);
            item.text = out.str();
            return item;
        }
        item.obj["file"] = file;
        item.obj["parsed"] = true;
        for (auto& kv : output::message_summary(message, chain, env)) {
            item.obj[kv.key()] = kv.value();
        }
        if (rdns) {
            item.obj["envelope"].as_object()["reverse_dns"] = reverse_json(*rdns);
        }
        return item;
    };

    json::array all;
    std::size_t parsed = 0;
    std::size_t with_defects = 0;
    auto print = [&](json::object&& obj, const std::string& text) {
        if (format == Format::text) {
            std::cout << text;
        } else if (format == Format::jsonl) {
            std::cout << output::compact(obj) << "\n";
        } else {
            all.emplace_back(std::move(obj));
        }
    };
    const MessageRun::Emit<Item> emit = [&](const std::string&, Item&& item) {
        ++parsed;
        with_defects += item.has_defects ? 1 : 0;
        print(std::move(item.obj), item.text);
    };
    const MessageRun::Unreadable unreadable = [&](const std::string& file,
                                                  const std::string& error) {
        print({{"file", file}, {"parsed", false}, {"error", error}}, "");
    };
    InputStream inputs(o.inputs, o.input_options);
    MessageRun run("parse", o.common);
    run.run(inputs, work, emit, unreadable);
    const int status = run.status();
    if (format == Format::json) {
        std::cout << output::pretty(all) << "\n";
    }
    if (format == Format::text && !o.common.quiet) {
        std::cout << parsed << " message(s) parsed, " << with_defects << " with defects"
                  << (status == exit_ok ? "" : ", some inputs could not be read") << "\n";
    }
    return status;
}

}  // namespace mvcli
