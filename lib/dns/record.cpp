// Recording and replay decorators (format documented in resolver.hpp, JSON Lines through
// Boost.JSON). A recording lets a run be repeated later with exactly the DNS it saw.
#include "dns/detail.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <map>
#include <mutex>

namespace mailverdict::dns {

namespace {

namespace json = boost::json;

constexpr std::string_view format_name = "mailverdict-dns-record";

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= s.size())
            return false;  // sequence cut short
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // overlong forms, surrogates, beyond U+10FFFF
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

json::value txt_string_to_json(const std::string& s) {
    if (valid_utf8(s))
        return json::value(s);
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(s.size() * 2);
    for (unsigned char c : s) {
        hex += digits[c >> 4];
        hex += digits[c & 15];
    }
    return json::object{{"hex", hex}};
}

std::string txt_string_from_json(const json::value& v) {
    if (v.is_string())
        return std::string(v.get_string());
    const auto& hex = v.as_object().at("hex").as_string();
    if (hex.size() % 2)
        throw std::invalid_argument("odd hex string");
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        throw std::invalid_argument("bad hex digit");
    };
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
    }
    return out;
}

json::object to_json(const Answer& a) {
    json::object o;
    o["name"] = a.name;
    o["type"] = detail::type_name(a.type);
    o["status"] = to_string(a.status);
    o["canonical_name"] = a.canonical_name;
    o["ttl"] = a.ttl;
    if (!a.addresses.empty()) {
        json::array arr;
        for (const auto& ip : a.addresses)
            arr.emplace_back(ip.to_string());
        o["addresses"] = std::move(arr);
    }
    if (!a.mx.empty()) {
        json::array arr;
        for (const auto& mx : a.mx) {
            arr.emplace_back(
                json::object{{"preference", mx.preference}, {"exchange", mx.exchange}});
        }
        o["mx"] = std::move(arr);
    }
    if (!a.txt.empty()) {
        json::array arr;
        for (const auto& txt : a.txt) {
            json::array strings;
            for (const auto& s : txt.strings)
                strings.push_back(txt_string_to_json(s));
            arr.emplace_back(std::move(strings));
        }
        o["txt"] = std::move(arr);
    }
    if (!a.names.empty()) {
        json::array arr;
        for (const auto& n : a.names)
            arr.emplace_back(n);
        o["names"] = std::move(arr);
    }
    o["detail"] = a.detail;
    return o;
}

DnsStatus parse_status(std::string_view s) {
    for (auto st :
         {DnsStatus::ok, DnsStatus::nodata, DnsStatus::nxdomain, DnsStatus::servfail,
          DnsStatus::refused, DnsStatus::formerr, DnsStatus::timeout, DnsStatus::budget_exceeded}) {
        if (to_string(st) == s)
            return st;
    }
    throw std::invalid_argument("unknown status '" + std::string(s) + "'");
}

// Throws std::exception subclasses on malformed input; the caller adds file:line.
Answer from_json(const json::object& o) {
    Answer a;
    a.name = std::string(o.at("name").as_string());
    const auto type = detail::parse_type_name(o.at("type").as_string());
    if (!type)
        throw std::invalid_argument("unknown type");
    a.type = *type;
    a.status = parse_status(o.at("status").as_string());
    a.canonical_name =
        o.contains("canonical_name") ? std::string(o.at("canonical_name").as_string()) : a.name;
    a.ttl = o.contains("ttl") ? json::value_to<std::uint32_t>(o.at("ttl")) : 0;
    if (const auto* v = o.if_contains("addresses")) {
        for (const auto& ip : v->as_array()) {
            a.addresses.push_back(boost::asio::ip::make_address(std::string(ip.as_string())));
        }
    }
    if (const auto* v = o.if_contains("mx")) {
        for (const auto& mx : v->as_array()) {
            const auto& m = mx.as_object();
            a.mx.push_back(MxRecord{json::value_to<std::uint16_t>(m.at("preference")),
                                    std::string(m.at("exchange").as_string())});
        }
    }
    if (const auto* v = o.if_contains("txt")) {
        for (const auto& txt : v->as_array()) {
            TxtRecord record;
            for (const auto& s : txt.as_array())
                record.strings.push_back(txt_string_from_json(s));
            a.txt.push_back(std::move(record));
        }
    }
    if (const auto* v = o.if_contains("names")) {
        for (const auto& n : v->as_array())
            a.names.emplace_back(n.as_string());
    }
    if (const auto* v = o.if_contains("detail"))
        a.detail = std::string(v->as_string());
    return a;
}

class RecordingResolver final : public Resolver {
public:
    RecordingResolver(std::shared_ptr<Resolver> inner, const std::filesystem::path& file)
        : inner_(std::move(inner)), out_(file, std::ios::binary | std::ios::trunc) {
        if (!inner_)
            throw DnsConfigError("recording resolver needs an inner resolver");
        if (!out_)
            throw DnsConfigError(file.string() + ": cannot write the DNS recording");
        out_ << json::serialize(json::object{{"format", format_name}, {"version", 1}}) << '\n';
        out_.flush();
    }

    Answer query(std::string_view name, RecordType type) override {
        return write(inner_->query(name, type));
    }

    Answer query_within(std::string_view name, RecordType type, Deadline deadline) override {
        return write(inner_->query_within(name, type, deadline));
    }

    std::vector<Answer> query_many(std::span<const Question> questions,
                                   Deadline deadline) override {
        auto answers = inner_->query_many(questions, deadline);
        for (const auto& a : answers) {
            write(a);
        }
        return answers;
    }

private:
    Answer write(Answer answer) {
        const auto line = json::serialize(to_json(answer));
        std::lock_guard lock(mutex_);
        // Flushed per line so that a run that dies still leaves what it saw.
        out_ << line << '\n';
        out_.flush();
        return answer;
    }

    std::shared_ptr<Resolver> inner_;
    std::mutex mutex_;
    std::ofstream out_;
};

class ReplayResolver final : public Resolver {
public:
    explicit ReplayResolver(const std::filesystem::path& file) {
        std::ifstream in(file, std::ios::binary);
        if (!in)
            throw DnsConfigError(file.string() + ": cannot read the DNS recording");
        std::string line;
        int number = 0;
        while (std::getline(in, line)) {
            ++number;
            if (line.empty() || line == "\r")
                continue;
            try {
                const auto value = json::parse(line);
                const auto& o = value.as_object();
                if (o.contains("format")) {
                    if (o.at("format").as_string() != format_name ||
                        o.at("version").as_int64() != 1) {
                        throw std::invalid_argument("not a version 1 mailverdict DNS recording");
                    }
                    continue;
                }
                Answer answer = from_json(o);
                auto normalized = detail::normalize_name(answer.name);
                Key key{normalized ? *normalized : answer.name, answer.type};
                answers_[key].answers.push_back(std::move(answer));
            } catch (const std::exception& e) {
                throw DnsConfigError(file.string() + ":" + std::to_string(number) + ": " +
                                     e.what());
            }
        }
    }

    Answer query(std::string_view name, RecordType type) override {
        auto normalized = detail::normalize_name(name);
        Key key{normalized ? *normalized : std::string(name), type};
        std::lock_guard lock(mutex_);
        auto it = answers_.find(key);
        if (it == answers_.end()) {
            return detail::make_answer(key.first, type, DnsStatus::timeout,
                                       "not in the DNS recording being replayed");
        }
        auto& entry = it->second;
        const auto index = std::min(entry.next, entry.answers.size() - 1);
        if (entry.next < entry.answers.size())
            ++entry.next;
        return entry.answers[index];
    }

private:
    using Key = std::pair<std::string, RecordType>;
    struct Entry {
        std::vector<Answer> answers;
        std::size_t next = 0;
    };
    std::mutex mutex_;
    std::map<Key, Entry> answers_;
};

}  // namespace

std::shared_ptr<Resolver> recording(std::shared_ptr<Resolver> inner,
                                    const std::filesystem::path& file) {
    return std::make_shared<RecordingResolver>(std::move(inner), file);
}

std::shared_ptr<Resolver> replay(const std::filesystem::path& file) {
    return std::make_shared<ReplayResolver>(file);
}

}  // namespace mailverdict::dns
