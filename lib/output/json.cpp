#include <mailverdict/output/json.hpp>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <ctime>
#include <sstream>
#include <string>

namespace mailverdict::output {

namespace json = boost::json;

json::object to_json(const Mailbox& mailbox) {
    json::object o;
    o["display_name"] = mailbox.display_name;
    o["address"] = mailbox.address();
    o["domain"] = mailbox.domain;
    if (!mailbox.domain_unicode.empty() && mailbox.domain_unicode != mailbox.domain) {
        o["domain_unicode"] = mailbox.domain_unicode;
    }
    return o;
}

json::object to_json(const Defect& defect) {
    json::object o;
    o["kind"] = std::string(to_string(defect.kind));
    o["detail"] = defect.detail;
    o["offset"] = defect.offset;
    return o;
}

namespace {

json::value optional_string(const std::string& s) {
    if (s.empty()) {
        return nullptr;
    }
    return json::value(s);
}

std::string format_time(std::chrono::sys_seconds t) {
    const std::time_t tt = t.time_since_epoch().count();
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return {buf, n};
}

}  // namespace

json::object to_json(const Hop& hop) {
    json::object o;
    o["index"] = hop.index;
    o["from"] = optional_string(hop.from_name);
    o["helo"] = optional_string(hop.helo);
    o["reverse_name"] = optional_string(hop.reverse_name);
    o["ip"] = hop.ip ? json::value(hop.ip->to_string()) : json::value(nullptr);
    o["by"] = optional_string(hop.by_name);
    o["with"] = optional_string(hop.with);
    o["id"] = optional_string(hop.id);
    o["for"] = optional_string(hop.for_address);
    o["date"] = hop.date ? json::value(format_time(*hop.date)) : json::value(nullptr);
    return o;
}

json::object to_json(const Envelope& envelope) {
    json::object o;
    o["client_ip"] =
        envelope.client_ip ? json::value(envelope.client_ip->to_string()) : json::value(nullptr);
    o["helo"] = optional_string(envelope.helo);
    o["reverse_name"] = optional_string(envelope.reverse_name);
    o["mail_from"] = envelope.mail_from ? json::value(*envelope.mail_from) : json::value(nullptr);
    json::array rcpts;
    for (const auto& r : envelope.recipients) {
        rcpts.emplace_back(r);
    }
    o["recipients"] = std::move(rcpts);
    o["source"] = std::string(to_string(envelope.client_source));
    o["mail_from_source"] = std::string(to_string(envelope.mail_from_source));
    o["recipients_source"] = std::string(to_string(envelope.recipients_source));
    o["hop_index"] = envelope.hop_index ? json::value(*envelope.hop_index) : json::value(nullptr);
    return o;
}

json::object message_summary(const Message& message, const std::vector<Hop>& chain,
                             const Envelope& envelope) {
    json::object o;
    o["message_id"] = optional_string(message.message_id());
    o["subject"] = message.subject();
    o["date"] = optional_string(message.date());
    o["from"] = message.from().empty() ? json::value(nullptr)
                                       : json::value(to_json(message.from().front()));
    json::array defects;
    for (const auto& d : message.defects()) {
        defects.emplace_back(to_json(d));
    }
    o["defects"] = std::move(defects);
    o["fields"] = message.fields().size();
    o["body_bytes"] = message.body().size();
    json::array hops;
    for (const auto& h : chain) {
        hops.emplace_back(to_json(h));
    }
    o["hops"] = std::move(hops);
    o["envelope"] = to_json(envelope);
    return o;
}

namespace {

void pretty_into(std::ostringstream& os, const json::value& v, int indent) {
    const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
    const std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
    if (v.is_object()) {
        const auto& obj = v.get_object();
        if (obj.empty()) {
            os << "{}";
            return;
        }
        os << "{\n";
        bool first = true;
        for (const auto& kv : obj) {
            if (!first) {
                os << ",\n";
            }
            first = false;
            os << inner << json::serialize(json::value(kv.key())) << ": ";
            pretty_into(os, kv.value(), indent + 1);
        }
        os << "\n" << pad << "}";
    } else if (v.is_array()) {
        const auto& arr = v.get_array();
        if (arr.empty()) {
            os << "[]";
            return;
        }
        os << "[\n";
        bool first = true;
        for (const auto& e : arr) {
            if (!first) {
                os << ",\n";
            }
            first = false;
            os << inner;
            pretty_into(os, e, indent + 1);
        }
        os << "\n" << pad << "]";
    } else {
        os << json::serialize(v);
    }
}

}  // namespace

std::string pretty(const json::value& value) {
    std::ostringstream os;
    pretty_into(os, value, 0);
    return os.str();
}

}  // namespace mailverdict::output
