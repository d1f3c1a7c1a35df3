// The benchmark corpus: N messages shaped like real inbound mail for contoso.com from ~50
// sender domains, DKIM-signed with the project's own signer, about 8% of them relayed by a
// mailing list that modifies them and seals them with ARC (the project's own sealer), with
// the BIND zones that publish every key, SPF include chain and DMARC policy, an envelope
// per message and the DKIM and ARC results each message is meant to get (expected.tsv).
#include "bench_corpus.hpp"

#include <mailverdict/auth/arc.hpp>
#include <mailverdict/auth/dkim.hpp>
#include <mailverdict/message/message.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace mvcli::bench_corpus {

namespace {

using namespace mailverdict;

constexpr std::size_t esp_count = 5;
// 2026-03-02 00:00:00 UTC: the first message's date; each next one is 37 s later.
constexpr std::int64_t corpus_epoch = 1772409600;

constexpr std::array<std::string_view, 48> words = {
    "the",        "quarterly", "report",   "invoice",      "meeting",  "schedule", "please",
    "review",     "attached",  "document", "account",      "payment",  "update",   "team",
    "project",    "deadline",  "customer", "order",        "shipment", "delivery", "contract",
    "renewal",    "security",  "policy",   "access",       "password", "training", "webinar",
    "newsletter", "offer",     "discount", "subscription", "service",  "support",  "ticket",
    "request",    "approval",  "budget",   "forecast",     "summary",  "minutes",  "agenda",
    "and",        "of",        "for",      "with",         "to",       "in"};

// The mailing list (RFC 2919 list, RFC 8617 intermediary): its host sends from one address
// of 198.51.100.0/24 (RFC 5737 TEST-NET-2, clear of every sender and ESP range).
constexpr std::string_view list_domain = "lists.woodgrove-community.example";
constexpr std::string_view list_address = "community@lists.woodgrove-community.example";
constexpr std::string_view list_network = "198.51.100";
constexpr std::string_view list_host_octet = "25";
constexpr std::string_view list_arc_selector = "arc2026";
// Share of messages relayed by the list, drawn from a stream of its own (list_stream) so the
// other messages stay byte-identical to a corpus made before the list existed.
constexpr double list_share = 0.08;
constexpr std::uint64_t list_stream = 0x6c6973742d617263ULL;  // "list-arc"

constexpr std::array<std::string_view, 8> recipients = {
    "adele.vance@contoso.com",   "alex.wilber@contoso.com",  "diego.siciliani@contoso.com",
    "megan.bowen@contoso.com",   "nestor.wilke@contoso.com", "patti.fernandez@contoso.com",
    "lynne.robbins@contoso.com", "isaiah.langer@contoso.com"};

struct Rng {
    std::mt19937_64 g;
    std::uint64_t below(std::uint64_t n) {
        return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(g);
    }
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi) {
        return std::uniform_int_distribution<std::uint64_t>(lo, hi)(g);
    }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(g) < p; }
};

struct Domain {
    std::string name;  // sender-07.example
    unsigned index = 0;
    bool ed25519_only = false;  // one Ed25519 signature
    bool dual = false;          // RSA and Ed25519 signatures
    std::string dmarc;          // empty: no record
    std::optional<dkim::SigningKey> rsa;
    std::optional<dkim::SigningKey> ed;
};

std::string two(unsigned n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02u", n);
    return buf;
}

// The /24 of sender domain `d` ("198.18.7"): the first 256 in 198.18.0.0/16 (the corpus
// of 50 domains is unchanged), the next ones in 100.64.0.0/10 (RFC 6598), clear of the
// ESPs' 198.19.200.0/22.
std::string network_of(unsigned d) {
    if (d < 256) {
        return "198.18." + std::to_string(d);
    }
    const unsigned n = d - 256;
    return "100." + std::to_string(64 + n / 256) + "." + std::to_string(n % 256);
}

// Its reverse zone (one per /16) and the owner name of host `h` in it.
std::string reverse_zone_of(unsigned d) {
    if (d < 256) {
        return "18.198.in-addr.arpa";
    }
    return std::to_string(64 + (d - 256) / 256) + ".100.in-addr.arpa";
}
std::string reverse_owner(unsigned d, unsigned h) {
    return std::to_string(h) + "." + std::to_string(d < 256 ? d : (d - 256) % 256);
}

std::string rfc5322_date(std::int64_t t) {
    using namespace std::chrono;
    const sys_seconds s{seconds{t}};
    const auto day = floor<days>(s);
    const year_month_day ymd{day};
    const weekday wd{day};
    const hh_mm_ss hms{s - day};
    static constexpr std::array<const char*, 7> wds = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> mons = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %u %s %d %02d:%02d:%02d +0000", wds[wd.c_encoding()],
                  static_cast<unsigned>(ymd.day()), mons[static_cast<unsigned>(ymd.month()) - 1],
                  static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    return buf;
}

std::string hex(Rng& rng, std::size_t n) {
    static constexpr std::string_view digits = "0123456789ABCDEF";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += digits[rng.below(16)];
    }
    return s;
}

std::string base64(const std::string& in) {
    static constexpr std::string_view t =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    std::size_t line = 0;
    auto put = [&](char c) {
        out += c;
        if (++line == 76) {
            out += "\r\n";
            line = 0;
        }
    };
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                           (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        put(t[(v >> 18) & 63]);
        put(t[(v >> 12) & 63]);
        put(t[(v >> 6) & 63]);
        put(t[v & 63]);
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) {
            v |= static_cast<unsigned char>(in[i + 1]) << 8;
        }
        put(t[(v >> 18) & 63]);
        put(t[(v >> 12) & 63]);
        put(i + 1 < in.size() ? t[(v >> 6) & 63] : '=');
        put('=');
    }
    if (line != 0) {
        out += "\r\n";
    }
    return out;
}

// Text of about `bytes` bytes in CRLF lines of up to 72 characters.
std::string text(Rng& rng, std::size_t bytes) {
    std::string out;
    std::string line;
    while (out.size() < bytes) {
        const auto w = words[rng.below(words.size())];
        if (line.size() + w.size() + 1 > 72) {
            out += line + (rng.chance(0.1) ? ".\r\n\r\n" : "\r\n");
            line.clear();
        }
        line += line.empty() ? std::string(w) : " " + std::string(w);
    }
    return out + line + "\r\n";
}

// A TXT record's data split into <=250-byte strings.
std::string txt(const std::string& value) {
    if (value.size() <= 250) {
        return "\"" + value + "\"";
    }
    std::string out = "( ";
    for (std::size_t i = 0; i < value.size(); i += 250) {
        out += "\"" + value.substr(i, 250) + "\"\n\t\t";
    }
    return out + ")";
}

std::string soa(const std::string& origin) {
    return "$ORIGIN " + origin + ".\n$TTL 3600\n@\tIN SOA ns1." + origin + ". hostmaster." +
           origin + ". 2026030101 7200 3600 1209600 300\n@\tIN NS ns1." + origin +
           ".\nns1\tIN A 198.18.255.1\n";
}

void write(const std::filesystem::path& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

dkim::SigningKey loaded(dkim::SigningKey::Loaded l) {
    if (!l) {
        throw std::runtime_error("signing key: " + l.error);
    }
    return *l.key;
}

arc::SealingKey loaded(arc::SealingKey::Loaded l) {
    if (!l) {
        throw std::runtime_error("ARC sealing key: " + l.error);
    }
    return *l.key;
}

authres::ResultInfo result_info(std::string method, std::string result,
                                std::vector<authres::Property> properties) {
    authres::ResultInfo r;
    r.method = std::move(method);
    r.result = std::move(result);
    r.properties = std::move(properties);
    return r;
}

// What the list's MTA found on the author's message as it arrived, before changing it:
// the ARC-Authentication-Results of its seal (RFC 8617 4.1.1). The message came from the
// author domain's own host (SPF pass), carried its intact signature(s) (DKIM pass) and so
// aligned DMARC pass, or none when the domain publishes no DMARC record.
authres::AuthenticationResults list_saw(const Domain& dom, const std::string& mail_from) {
    authres::AuthenticationResults r;
    r.authserv_id = std::string(list_domain);
    r.results.push_back(result_info("spf", "pass", {{"smtp", "mailfrom", mail_from}}));
    if (!dom.ed25519_only) {
        r.results.push_back(
            result_info("dkim", "pass", {{"header", "d", dom.name}, {"header", "s", "s2048"}}));
    }
    if (dom.ed25519_only || dom.dual) {
        r.results.push_back(
            result_info("dkim", "pass", {{"header", "d", dom.name}, {"header", "s", "ed1"}}));
    }
    r.results.push_back(
        result_info("dmarc", dom.dmarc.empty() ? "none" : "pass", {{"header", "from", dom.name}}));
    return r;
}

// "adele.vance@contoso.com" -> "adele.vance=contoso.com" (the VERP form of a recipient).
std::string replace_at(std::string address) {
    std::replace(address.begin(), address.end(), '@', '=');
    return address;
}

// The hop into Microsoft 365's front end, the newest Received field of every message.
std::string microsoft_hop(const std::string& from, const std::string& ip,
                          const std::string& front_end, std::int64_t t) {
    return fmt::format(
        "Received: from {0} ({0} [{1}])\r\n\tby BN8NAM12FT0{2}.mail.protection.outlook.com "
        "(10.13.182.99) with Microsoft SMTP Server\r\n\t(version=TLS1_3, "
        "cipher=TLS_AES_256_GCM_SHA384) id 15.20.7452.22 via Frontend Transport; {3}\r\n",
        from, ip, front_end, rfc5322_date(t));
}

// What the list does with a post (as Mailman does), in RFC 8617's order: it has verified
// the message as it arrived (list_saw), changes it (a subject tag, and a footer that breaks
// the author's DKIM body hash), adds its RFC 2369/2919 fields, then seals the message as
// changed: ARC set i=1, cv=none (the post carried no ARC set: RFC 8617 5.1.1).
void relay_through_list(std::string& bytes, const Domain& dom, const std::string& author_mail_from,
                        const arc::SealingKey& key, std::int64_t when) {
    const auto at = bytes.find("\r\nSubject: ");
    if (at == std::string::npos) {
        throw std::runtime_error("list message without a Subject field");
    }
    bytes.insert(at + 11, "[community] ");
    bytes += fmt::format(
        "_______________________________________________\r\n"
        "community mailing list -- {0}\r\n"
        "To unsubscribe send an email to community-leave@{1}\r\n",
        list_address, list_domain);
    bytes.insert(0, fmt::format("List-Id: Woodgrove community <community.{0}>\r\n"
                                "List-Unsubscribe: <mailto:community-leave@{0}>\r\n"
                                "List-Post: <mailto:{1}>\r\n",
                                list_domain, list_address));
    arc::SealOptions so;
    so.domain = std::string(list_domain);
    so.selector = std::string(list_arc_selector);
    so.authserv_id = std::string(list_domain);
    // The chain as received: no ARC set at all (validating it would say the same, none).
    const arc::ArcResult received;
    const auto sealed = arc::seal(Message::parse(bytes), received, list_saw(dom, author_mail_from),
                                  key, so, std::chrono::sys_seconds{std::chrono::seconds{when}});
    if (!sealed) {
        throw std::runtime_error("sealing a list message: " + sealed.error);
    }
    bytes.insert(0, sealed.fields);
}

std::string tenant_yaml() {
    // lists.woodgrove-community.example is deliberately not a trusted ARC sealer
    // (trusted_arc_sealers absent): what Microsoft does with list mail by default.
    return "# Benchmark tenant: contoso.com on Microsoft 365, Standard preset for everyone.\n"
           "# The mailing list lists.woodgrove-community.example is not a trusted ARC sealer\n"
           "# (no trusted_arc_sealers): its relayed messages are judged on their own DMARC.\n"
           "version: 1\n\ntenant:\n  name: Contoso\n  license: mdo_plan2\n\n"
           "accepted_domains:\n  - name: contoso.com\n    type: Authoritative\n\n"
           "mail_routing:\n  mx: microsoft\n"
           "  boundary_hosts: [\"*.mail.protection.outlook.com\"]\n\n"
           "anti_phishing:\n  standard:\n    enabled: true\n    impersonation:\n"
           "      users_to_protect:\n        - name: Patti Fernandez\n"
           "          address: patti.fernandez@contoso.com\n"
           "      domains_to_protect: [fabrikam.com]\n";
}

}  // namespace

Stats generate(const Options& options) {
    Rng rng{std::mt19937_64(options.seed)};
    namespace fs = std::filesystem;
    fs::create_directories(options.out / "messages");
    fs::create_directories(options.out / "zones");
    for (const auto& dir : {options.out / "messages", options.out / "zones"}) {
        for (const auto& e : fs::directory_iterator(dir)) {
            fs::remove(e.path());
        }
    }

    // Domains: RSA-2048 for most, Ed25519 for every tenth, both for every fifth; DMARC
    // policies none/quarantine/reject/reject with pct and sp, none at all for a few.
    const std::size_t domain_count = options.domains;
    if (domain_count == 0 || domain_count > max_domains) {
        throw std::runtime_error("the number of sender domains must be 1.." +
                                 std::to_string(max_domains));
    }
    std::vector<Domain> domains(domain_count);
    static constexpr std::array<std::string_view, 4> policies = {
        "v=DMARC1; p=none; rua=mailto:dmarc@",
        "v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:dmarc@",
        "v=DMARC1; p=reject; rua=mailto:dmarc@",
        "v=DMARC1; p=reject; sp=quarantine; pct=50; rua=mailto:dmarc@"};
    for (std::size_t d = 0; d < domain_count; ++d) {
        auto& dom = domains[d];
        dom.index = static_cast<unsigned>(d);
        dom.name = "sender-" + two(dom.index) + ".example";
        dom.ed25519_only = d % 10 == 7;
        dom.dual = d % 5 == 1;
        if (d % 10 != 9) {
            dom.dmarc = std::string(policies[d % 4]) + dom.name;
        }
    }
    std::mt19937_64 key_rng(options.seed ^ 0x6b65797367656e31ULL);
    auto rsa_key = [&](Domain& d) -> const dkim::SigningKey& {
        if (!d.rsa) {
            d.rsa = loaded(dkim::SigningKey::from_pem(rsa_private_pem(key_rng, 2048)));
        }
        return *d.rsa;
    };
    auto ed_key = [&](Domain& d) -> const dkim::SigningKey& {
        if (!d.ed) {
            std::vector<unsigned char> seed(32);
            std::mt19937_64 s(options.seed * 1000003ULL + d.index);
            for (auto& b : seed) {
                b = static_cast<unsigned char>(s() & 0xff);
            }
            d.ed = loaded(dkim::SigningKey::from_ed25519_seed(seed));
        }
        return *d.ed;
    };
    // Keys for every domain, in domain order (so a key does not depend on the messages),
    // then the list's ARC key (drawn last: the domains' keys are those of a corpus made
    // before the list existed).
    for (auto& d : domains) {
        if (!d.ed25519_only) {
            rsa_key(d);
        }
        if (d.ed25519_only || d.dual) {
            ed_key(d);
        }
    }
    const arc::SealingKey list_key =
        loaded(arc::SealingKey::from_pem(rsa_private_pem(key_rng, 2048)));
    const std::string list_host = std::string(list_domain);
    const std::string list_ip = std::string(list_network) + "." + std::string(list_host_octet);
    Rng list_rng{std::mt19937_64(options.seed ^ list_stream)};

    Stats stats;
    stats.domains = domain_count;
    std::string envelopes = "# file\tclient_ip\thelo\tmail_from\trecipient\n";
    std::string expected =
        "# file\tdkim (pass: every signature valid, fail: broken, none)\tarc (pass: sealed by "
        "the list, none)\n";
    const auto base_time = corpus_epoch;
    for (std::size_t i = 0; i < options.count; ++i) {
        // Whether the list relays this one: its own stream, so the draws of `rng` (and so
        // every message the list does not relay) are those of a corpus without the list.
        const bool via_list = list_rng.chance(list_share);
        auto& dom = domains[rng.below(domain_count)];
        const std::int64_t when = base_time + static_cast<std::int64_t>(i) * 37;
        const auto host = "mta-" + std::to_string(10 + rng.below(4));
        const auto fqdn = host + "." + dom.name;
        std::string ip;
        const auto route = rng.below(100);
        if (route < 90) {
            ip = network_of(dom.index) + "." + fqdn.substr(4, 2);
        } else if (route < 95) {
            ip = "198.19." + std::to_string(200 + dom.index % esp_count) + "." +
                 std::to_string(1 + rng.below(250));
        } else {
            ip = "203.0.113." + std::to_string(1 + rng.below(250));
        }
        if (via_list) {
            // The author posts to the list from its own host (SPF pass at the list, as its
            // ARC-Authentication-Results says).
            ip = network_of(dom.index) + "." + fqdn.substr(4, 2);
        }
        const std::string rcpt(recipients[rng.below(recipients.size())]);
        const auto author_bounce = "bounce-" + hex(rng, 8) + "@" + dom.name;
        // A list sends with its own bounce address (Mailman's VERP form, per recipient).
        const auto mail_from =
            via_list ? fmt::format("community-bounces+{}@{}", replace_at(rcpt), list_domain)
                     : author_bounce;
        const std::string to = via_list ? std::string(list_address) : rcpt;
        const auto from_local = std::string(words[rng.below(words.size())]) + "." +
                                std::string(words[rng.below(words.size())]);

        // Headers, newest first; Received hops folded over two or three lines. A list
        // message's first hop is the list's inbound one; it is put above the author's
        // signatures after signing, with the list's own fields and its hop to Microsoft.
        std::string h;
        std::string list_hop;
        const auto hops = rng.between(3, 6);
        const auto front_end = two(static_cast<unsigned>(rng.below(100)));
        std::int64_t t = via_list ? when - 30 : when;
        if (via_list) {
            list_hop = fmt::format(
                "Received: from {0} ({0} [{1}])\r\n\tby {2} (Postfix) with ESMTPS id {3}\r\n\t"
                "for <{4}>; {5}\r\n",
                fqdn, ip, list_domain, hex(list_rng, 10), list_address, rfc5322_date(t));
        } else {
            h += microsoft_hop(fqdn, ip, front_end, t);
        }
        std::string by = fqdn;
        for (std::uint64_t hop = 1; hop < hops; ++hop) {
            t -= static_cast<std::int64_t>(rng.between(1, 20));
            const auto inner = "app-" + std::to_string(hop) + ".internal." + dom.name;
            // Drawn in the order g++ evaluated the former operator+ chain (right to left),
            // so a seed still gives byte-identical messages.
            const auto queue_id = hex(rng, 10);
            const auto last_octet = 1 + rng.below(250);
            h += fmt::format(
                "Received: from {0} ({0} [10.{1}.{2}.{3}])\r\n\tby {4} (Postfix) with ESMTPS id "
                "{5}\r\n\tfor <{6}>; {7}\r\n",
                inner, dom.index % 256, hop, last_octet, by, queue_id, to, rfc5322_date(t));
            by = inner;
        }
        h += "Return-Path: <" + mail_from + ">\r\n";
        h += fmt::format("From: \"{0}\" <{0}@{1}>\r\n", from_local, dom.name);
        h += "To: <" + to + ">\r\n";
        std::string subject;
        for (std::uint64_t w = rng.between(3, 9); w > 0; --w) {
            subject += std::string(words[rng.below(words.size())]) + (w > 1 ? " " : "");
        }
        h += "Subject: " + subject + "\r\n";
        h += "Date: " + rfc5322_date(when - 60) + "\r\n";
        h += "Message-ID: <" + hex(rng, 16) + "." + std::to_string(i) + "@" + dom.name + ">\r\n";
        h += "MIME-Version: 1.0\r\n";
        const bool multipart = rng.chance(0.3);
        const auto boundary = "=_bench_" + hex(rng, 20);
        h += multipart ? "Content-Type: multipart/mixed;\r\n\tboundary=\"" + boundary + "\"\r\n"
                       : std::string(
                             "Content-Type: text/plain; charset=utf-8\r\n"
                             "Content-Transfer-Encoding: 7bit\r\n");
        static constexpr std::array<std::string_view, 12> extras = {
            "X-Mailer: BenchMailer 4.2 (build 1187)",
            "List-Unsubscribe: <mailto:unsubscribe@lists.invalid?subject=unsubscribe>,\r\n\t"
            "<https://lists.invalid/unsubscribe/abc>",
            "List-Id: Customer updates <updates.lists.invalid>",
            "X-Priority: 3",
            "Thread-Topic: bench",
            "Accept-Language: en-US",
            "Content-Language: en-US",
            "X-MS-Has-Attach: no",
            "Feedback-ID: 1:campaign:bench:esp",
            "X-Originating-IP: [10.0.0.8]",
            "Precedence: bulk",
            "X-Auto-Response-Suppress: All"};
        // Fields counted as if present though not in `h` (the list's inbound hop, the list
        // fields a list message does not carry from its author): the fill below draws the
        // same number of trace fields as without the list.
        std::size_t held_back = via_list ? 1 : 0;
        for (const auto& x : extras) {
            if (rng.chance(0.6)) {
                if (via_list && x.starts_with("List-")) {
                    ++held_back;  // the list writes its own List-Id and List-Unsubscribe
                } else {
                    h += std::string(x) + "\r\n";
                }
            }
        }
        // Fill up to 15..40 fields with trace headers.
        std::size_t fields = held_back;
        for (std::size_t p = 0; p + 1 < h.size(); ++p) {
            fields += (h[p] == '\n' && p + 1 < h.size() && h[p + 1] != '\t') ? 1 : 0;
        }
        ++fields;                                 // the first line
        const auto target = rng.between(15, 38);  // DKIM-Signature fields come on top
        for (std::size_t k = 0; fields < target; ++k, ++fields) {
            h += "X-Bench-Trace-" + std::to_string(k) + ": " + hex(rng, 24) +
                 ";\r\n\tseq=" + std::to_string(k) + "\r\n";
        }

        // Body: 2-60 KB; multipart ones carry a base64 attachment.
        const auto size = static_cast<std::size_t>(
            2048.0 * std::pow(30.0, std::uniform_real_distribution<double>(0, 1)(rng.g)));
        std::string body;
        if (multipart) {
            const auto text_part = std::max<std::size_t>(800, size / 3);
            std::string blob;
            for (std::size_t b = 0; b < (size - std::min(size, text_part)) * 3 / 4; ++b) {
                blob += static_cast<char>(rng.below(256));
            }
            const std::string plain = text(rng, text_part);
            body = fmt::format(
                "This is a multi-part message in MIME format.\r\n\r\n--{0}\r\nContent-Type: "
                "text/plain; charset=utf-8\r\n\r\n{1}\r\n--{0}\r\nContent-Type: application/pdf; "
                "name=\"report-{2}.pdf\"\r\nContent-Disposition: attachment; "
                "filename=\"report-{2}.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{3}\r\n"
                "--{0}--\r\n",
                boundary, plain, i, base64(blob));
        } else {
            body = text(rng, size);
        }
        std::string bytes = std::move(h);
        bytes.append("\r\n").append(body);

        // Signatures: 3% unsigned; the rest by the domain's key(s); 8% broken afterwards.
        // A list message is signed and intact when it reaches the list (the draws are made
        // all the same, for the messages after it).
        const bool unsigned_drawn = rng.chance(0.03);
        const bool broken_drawn = !unsigned_drawn && rng.chance(0.08);
        const bool break_body = rng.chance(0.5);
        const bool unsigned_message = unsigned_drawn && !via_list;
        const bool broken = broken_drawn && !via_list;
        if (!unsigned_message) {
            auto sign_with = [&](const dkim::SigningKey& key, const std::string& selector) {
                dkim::SignOptions so;
                so.domain = dom.name;
                so.selector = selector;
                const auto m = Message::parse(bytes);
                const auto r = dkim::sign(
                    m, key, so, std::chrono::sys_seconds{std::chrono::seconds{when - 50}});
                if (!r) {
                    throw std::runtime_error("signing message " + std::to_string(i) + ": " +
                                             r.error);
                }
                bytes.insert(0, r.field);
                ++stats.signatures;
            };
            if (!dom.ed25519_only) {
                sign_with(*dom.rsa, "s2048");
            }
            if (dom.ed25519_only || dom.dual) {
                sign_with(*dom.ed, "ed1");
            }
        }
        if (broken) {
            ++stats.broken;
            if (break_body) {
                bytes += "-- \r\nAppended by a mailing list footer after signing.\r\n";
            } else {
                const auto at = bytes.find("\r\nSubject: ");
                bytes.insert(at + 11, "[EXTERNAL] ");
            }
        }
        if (via_list) {
            bytes.insert(0, list_hop);
            relay_through_list(bytes, dom, author_bounce, list_key, when - 5);
            bytes.insert(0, microsoft_hop(list_host, list_ip, front_end, when));
            ++stats.list_messages;
        }
        char name[32];
        std::snprintf(name, sizeof name, "msg-%06zu.eml", i);
        write(options.out / "messages" / name, bytes);
        stats.bytes += bytes.size();
        ++stats.messages;
        envelopes += fmt::format("{}\t{}\t{}\t{}\t{}\n", name, via_list ? list_ip : ip,
                                 via_list ? list_host : fqdn, mail_from, rcpt);
        // A list message's author signatures fail (the footer breaks their body hash).
        expected += std::string(name) + "\t" +
                    (unsigned_message     ? "none"
                     : broken || via_list ? "fail"
                                          : "pass") +
                    "\t" + (via_list ? "pass" : "none") + "\n";
    }

    // Zones: each sender domain (SPF chain 3 deep, DKIM keys, DMARC, hosts), the ESPs
    // (2 deep), the reverse zones of the senders' networks and contoso.com.
    std::map<std::string, std::string> reverse;
    for (const auto& d : domains) {
        std::string z = soa(d.name);
        const auto net = network_of(d.index);
        auto& rev = reverse[reverse_zone_of(d.index)];
        if (rev.empty()) {
            rev = soa(reverse_zone_of(d.index));
        }
        z += "@\tIN MX 10 mta-10." + d.name + ".\n";
        z += "@\tIN TXT " +
             txt("v=spf1 include:_spf." + d.name + " include:spf.esp-" +
                 std::to_string(d.index % esp_count) + ".example -all") +
             "\n";
        z += "_spf\tIN TXT " +
             txt("v=spf1 ip4:" + net + ".0/24 include:_spf2." + d.name + " ~all") + "\n";
        z += "_spf2\tIN TXT " +
             txt("v=spf1 ip4:198.19." + std::to_string(d.index % 200) + ".0/24 a:mta-10." + d.name +
                 " -all") +
             "\n";
        for (unsigned h = 10; h < 14; ++h) {
            z += "mta-" + std::to_string(h) + "\tIN A " + net + "." + std::to_string(h) + "\n";
            rev += reverse_owner(d.index, h) + "\tIN PTR mta-" + std::to_string(h) + "." + d.name +
                   ".\n";
        }
        if (d.rsa) {
            z += "s2048._domainkey\tIN TXT " + txt(d.rsa->public_record()) + "\n";
        }
        if (d.ed) {
            z += "ed1._domainkey\tIN TXT " + txt(d.ed->public_record()) + "\n";
        }
        if (!d.dmarc.empty()) {
            z += "_dmarc\tIN TXT " + txt(d.dmarc) + "\n";
        }
        write(options.out / "zones" / (d.name + ".zone"), z);
    }
    for (unsigned e = 0; e < esp_count; ++e) {
        const auto name = "esp-" + std::to_string(e) + ".example";
        std::string z = soa(name);
        z += "spf\tIN TXT " + txt("v=spf1 include:_net." + name + " -all") + "\n";
        z += "_net\tIN TXT " + txt("v=spf1 ip4:198.19." + std::to_string(200 + e) + ".0/24 -all") +
             "\n";
        z += "_dmarc\tIN TXT " + txt("v=DMARC1; p=none") + "\n";
        write(options.out / "zones" / (name + ".zone"), z);
    }
    // The list: its host's address, MX, SPF for its bounce domain and HELO name, the ARC
    // key, DMARC, and the PTR of its outbound address (forward-confirmed).
    {
        std::string z = soa(list_host);
        z += "@\tIN A " + list_ip + "\n";
        z += "@\tIN MX 10 " + list_host + ".\n";
        z += "@\tIN TXT " + txt("v=spf1 ip4:" + std::string(list_network) + ".0/24 -all") + "\n";
        z += std::string(list_arc_selector) + "._domainkey\tIN TXT " +
             txt(list_key.public_record()) + "\n";
        z += "_dmarc\tIN TXT " + txt("v=DMARC1; p=none; rua=mailto:dmarc@" + list_host) + "\n";
        write(options.out / "zones" / (list_host + ".zone"), z);
        const std::string rev_zone = "100.51.198.in-addr.arpa";
        write(options.out / "zones" / (rev_zone + ".zone"),
              soa(rev_zone) + std::string(list_host_octet) + "\tIN PTR " + list_host + ".\n");
    }
    for (const auto& [zone, text] : reverse) {
        write(options.out / "zones" / (zone + ".zone"), text);
    }
    write(options.out / "zones" / "contoso.com.zone",
          soa("contoso.com") + "@\tIN MX 0 contoso-com.mail.protection.outlook.com.\n@\tIN TXT " +
              txt("v=spf1 include:spf.protection.outlook.com -all") + "\n_dmarc\tIN TXT " +
              txt("v=DMARC1; p=reject") + "\n");
    write(options.out / "envelopes.tsv", envelopes);
    write(options.out / "expected.tsv", expected);
    write(options.out / "tenant.yaml", tenant_yaml());
    return stats;
}

}  // namespace mvcli::bench_corpus
