#include <mailverdict/output/json.hpp>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <ctime>
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

// Strings from mail are not always UTF-8 (raw 8-bit headers, TXT records): every
// string is written as valid JSON text, with each invalid byte replaced by U+FFFD.
void write_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        out += "\\u00";
                        out += hex[c >> 4];
                        out += hex[c & 0x0f];
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
            continue;
        }
        // RFC 3629 4: well-formed UTF-8 sequences only (no overlongs, no surrogates).
        std::size_t len = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            lo = c == 0xe0 ? 0xa0 : 0x80;
            hi = c == 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf;
        }
        bool valid = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; valid && k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            valid = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xbf);
        }
        if (valid) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xef\xbf\xbd";  // U+FFFD
            ++i;
        }
    }
    out += '"';
}

void write_value(std::string& out, const json::value& v, int indent, bool pretty) {
    const auto newline = [&](int level) {
        if (pretty) {
            out += '\n';
            out.append(static_cast<std::size_t>(level) * 2, ' ');
        }
    };
    if (v.is_object()) {
        const auto& obj = v.get_object();
        if (obj.empty()) {
            out += "{}";
            return;
        }
        out += '{';
        bool first = true;
        for (const auto& kv : obj) {
            if (!first) {
                out += ',';
            }
            first = false;
            newline(indent + 1);
            write_string(out, kv.key());
            out += pretty ? ": " : ":";
            write_value(out, kv.value(), indent + 1, pretty);
        }
        newline(indent);
        out += '}';
    } else if (v.is_array()) {
        const auto& arr = v.get_array();
        if (arr.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        bool first = true;
        for (const auto& e : arr) {
            if (!first) {
                out += ',';
            }
            first = false;
            newline(indent + 1);
            write_value(out, e, indent + 1, pretty);
        }
        newline(indent);
        out += ']';
    } else if (v.is_string()) {
        write_string(out, v.get_string());
    } else {
        out += json::serialize(v);
    }
}

}  // namespace

std::string pretty(const json::value& value) {
    std::string out;
    write_value(out, value, 0, true);
    return out;
}

std::string compact(const json::value& value) {
    std::string out;
    write_value(out, value, 0, false);
    return out;
}

}  // namespace mailverdict::output
