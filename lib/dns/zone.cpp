// Zone-file resolver: BIND master files (RFC 1035 5) parsed by ldns, answered the way an
// authoritative server would answer from the same data, so that an offline run gives the
// answers NSD gives when serving the same files (tests/dns/equivalence_test.cpp checks it).
//
// All loaded files form one name tree. SOA records mark zone apexes; they give negative
// answers their TTL (RFC 2308 5) and bound empty non-terminals. Zone cuts (NS below an
// apex) are not treated as referrals: the loaded data is taken as the whole truth. A name
// under no loaded data is NXDOMAIN (the offline world ends at the loaded zones).
#include "dns/ldns_util.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace mailverdict::dns {

namespace {

using detail::make_answer;

constexpr int max_cname_hops = 16;  // as in live.cpp: the same bound offline and live

struct RRset {
    std::uint32_t ttl = std::numeric_limits<std::uint32_t>::max();
    Answer data;                  // records in the Answer field of their type
    std::set<std::string> wires;  // rdata already loaded, to drop duplicates (RFC 2181 5)
};

struct Node {
    std::map<std::uint16_t, RRset> rrsets;
};

std::string rdata_key(const ldns_rr* rr) {
    std::string key;
    for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
        const auto size = ldns_rdf_size(rdf);
        key.append(reinterpret_cast<const char*>(&size), sizeof size);
        key.append(reinterpret_cast<const char*>(ldns_rdf_data(rdf)), size);
    }
    return key;
}

// "example.com.zone" -> "example.com": the zone name BIND and NSD take from their
// configuration, here from the file name. A $ORIGIN in the file overrides it.
std::optional<std::string> origin_from_filename(const std::filesystem::path& path) {
    std::string stem = path.filename().string();
    for (std::string_view suffix : {".zone", ".db"}) {
        if (stem.size() > suffix.size() && stem.ends_with(suffix)) {
            stem.resize(stem.size() - suffix.size());
            break;
        }
    }
    return detail::normalize_name(stem);
}

class ZoneResolver final : public Resolver {
public:
    // Reads records one by one with ldns_rr_new_frm_fp_l, which handles $ORIGIN, $TTL,
    // parentheses, "@" and omitted owners (RFC 1035 5.1). Not ldns_zone_new_frm_fp_l: on
    // a syntax error it frees its record list without the records (leaks; ldns 1.8.3).
    void load(std::FILE* fp, const std::optional<std::string>& origin, const std::string& source) {
        // ldns replaces (and frees) *origin and *prev as directives and owners go by.
        ldns_rdf* current_origin = origin ? ldns_dname_new_frm_str(origin->c_str()) : nullptr;
        ldns_rdf* previous = nullptr;
        struct Release {
            ldns_rdf*& a;
            ldns_rdf*& b;
            ~Release() {
                ldns_rdf_deep_free(a);
                ldns_rdf_deep_free(b);
            }
        } release{current_origin, previous};
        // 3600: the TTL of records before any $TTL (ldns' and NSD's default)
        std::uint32_t default_ttl = 3600;
        int line = 0;  // ldns counts the lines it has read, the failing one included
        while (!std::feof(fp)) {
            ldns_rr* raw = nullptr;
            const auto status =
                ldns_rr_new_frm_fp_l(&raw, fp, &default_ttl, &current_origin, &previous, &line);
            detail::RrPtr rr{raw};
            switch (status) {
                case LDNS_STATUS_OK:
                    if (!rr)
                        continue;
                    // Without a starting origin, the SOA owner becomes it (as ldns does).
                    if (!current_origin && ldns_rr_get_type(rr.get()) == LDNS_RR_TYPE_SOA) {
                        current_origin = ldns_rdf_clone(ldns_rr_owner(rr.get()));
                    }
                    add(rr.get());
                    break;
                case LDNS_STATUS_SYNTAX_EMPTY:
                case LDNS_STATUS_SYNTAX_TTL:
                case LDNS_STATUS_SYNTAX_ORIGIN:
                    break;
                default:
                    throw DnsConfigError(source + ":" + std::to_string(line) + ": " +
                                         ldns_get_errorstr_by_id(status));
            }
        }
    }

    // After loading: every ancestor of an owner up to its apex exists as an empty
    // non-terminal (RFC 8020: a name with descendants is not NXDOMAIN).
    void finish() {
        for (const auto& [owner, node] : nodes_) {
            existing_.insert(owner);
            if (apex_negative_ttl_.contains(owner))
                continue;
            for (auto p = detail::parent_name(owner); p && *p != "."; p = detail::parent_name(*p)) {
                existing_.insert(*p);
                if (apex_negative_ttl_.contains(*p))
                    break;
            }
        }
    }

    Answer query(std::string_view name, RecordType type) override {
        auto normalized = detail::normalize_name(name);
        if (!normalized) {
            return make_answer(std::string(name), type, DnsStatus::formerr,
                               "not a valid domain name");
        }
        Answer answer = make_answer(*normalized, type, DnsStatus::ok);
        std::string current = *normalized;
        std::set<std::string> seen{current};
        std::uint32_t ttl = std::numeric_limits<std::uint32_t>::max();
        const auto wanted = static_cast<std::uint16_t>(type);
        for (int hop = 0;; ++hop) {
            const Node* node = find(current);
            if (!node && !existing_.contains(current)) {
                node = wildcard_for(current);
                if (!node)
                    return negative(std::move(answer), current, DnsStatus::nxdomain);
            }
            if (!node)
                return negative(std::move(answer), current, DnsStatus::nodata);
            if (auto it = node->rrsets.find(wanted); it != node->rrsets.end()) {
                append(it->second.data, answer);
                answer.canonical_name = current;
                answer.ttl = std::min(ttl, it->second.ttl);
                return answer;
            }
            const auto cname = node->rrsets.find(static_cast<std::uint16_t>(RecordType::CNAME));
            if (type == RecordType::CNAME || cname == node->rrsets.end() ||
                cname->second.data.names.empty()) {
                return negative(std::move(answer), current, DnsStatus::nodata);
            }
            if (hop >= max_cname_hops) {
                return make_answer(*normalized, type, DnsStatus::servfail,
                                   "CNAME chain longer than " + std::to_string(max_cname_hops));
            }
            ttl = std::min(ttl, cname->second.ttl);
            current = cname->second.data.names.front();
            if (!seen.insert(current).second) {
                return make_answer(*normalized, type, DnsStatus::servfail,
                                   "CNAME loop at " + current);
            }
        }
    }

    std::vector<std::pair<std::string, std::vector<RecordType>>> contents() const {
        std::vector<std::pair<std::string, std::vector<RecordType>>> out;
        for (const auto& [owner, node] : nodes_) {
            std::vector<RecordType> types;
            for (const auto& [type, rrset] : node.rrsets)
                types.push_back(static_cast<RecordType>(type));
            out.emplace_back(owner, std::move(types));
        }
        std::sort(out.begin(), out.end());
        return out;
    }

private:
    void add(const ldns_rr* rr) {
        if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
            return;
        const auto owner = detail::rdf_name(ldns_rr_owner(rr));
        const auto type = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
        auto& rrset = nodes_[owner].rrsets[type];
        if (!rrset.wires.insert(rdata_key(rr)).second)
            return;
        rrset.data.type = static_cast<RecordType>(type);
        detail::append_rdata(rr, rrset.data);  // types without an Answer field: presence only
        rrset.ttl = std::min(rrset.ttl, ldns_rr_ttl(rr));
        if (type == LDNS_RR_TYPE_SOA) {
            const auto neg = detail::negative_ttl(rr);
            auto [it, inserted] = apex_negative_ttl_.emplace(owner, neg);
            if (!inserted)
                it->second = std::min(it->second, neg);
        }
    }

    const Node* find(const std::string& name) const {
        auto it = nodes_.find(name);
        return it == nodes_.end() ? nullptr : &it->second;
    }

    // RFC 4592 3.3.1: the source of synthesis is "*." + the closest encloser (the
    // longest existing ancestor); only that one wildcard may answer.
    const Node* wildcard_for(const std::string& name) const {
        for (auto p = detail::parent_name(name); p; p = detail::parent_name(*p)) {
            if (*p == ".")
                return find("*");
            if (existing_.contains(*p))
                return find("*." + *p);
        }
        return nullptr;
    }

    Answer negative(Answer answer, const std::string& last, DnsStatus status) const {
        answer.status = status;
        answer.canonical_name = last;
        answer.ttl = 0;
        // RFC 2308 5: the SOA of the zone holding the name gives the negative TTL.
        std::optional<std::string> p = last;
        for (; p; p = detail::parent_name(*p)) {
            if (auto it = apex_negative_ttl_.find(*p); it != apex_negative_ttl_.end()) {
                answer.ttl = it->second;
                break;
            }
        }
        if (!p && status == DnsStatus::nxdomain)
            answer.detail = last + " is in no loaded zone";
        return answer;
    }

    static void append(const Answer& from, Answer& to) {
        to.addresses.insert(to.addresses.end(), from.addresses.begin(), from.addresses.end());
        to.mx.insert(to.mx.end(), from.mx.begin(), from.mx.end());
        to.txt.insert(to.txt.end(), from.txt.begin(), from.txt.end());
        to.names.insert(to.names.end(), from.names.begin(), from.names.end());
    }

    std::unordered_map<std::string, Node> nodes_;
    std::unordered_set<std::string> existing_;
    std::unordered_map<std::string, std::uint32_t> apex_negative_ttl_;
};

void load_file(ZoneResolver& resolver, const std::filesystem::path& path) {
    detail::FilePtr fp{std::fopen(path.c_str(), "r")};
    if (!fp) {
        throw DnsConfigError(path.string() + ": cannot open zone file: " + std::strerror(errno));
    }
    resolver.load(fp.get(), origin_from_filename(path), path.string());
}

bool is_zone_file_in_directory(const std::filesystem::directory_entry& entry) {
    const auto name = entry.path().filename().string();
    // Hidden files and documentation next to the zones are not zones.
    return entry.is_regular_file() && !name.starts_with('.') && !name.ends_with(".md") &&
           !name.ends_with(".txt");
}

std::shared_ptr<ZoneResolver> load_paths(const std::vector<std::filesystem::path>& paths) {
    auto resolver = std::make_shared<ZoneResolver>();
    for (const auto& path : paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            std::vector<std::filesystem::path> files;
            for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
                if (is_zone_file_in_directory(entry))
                    files.push_back(entry.path());
            }
            if (ec)
                throw DnsConfigError(path.string() + ": " + ec.message());
            std::sort(files.begin(), files.end());  // deterministic load order
            for (const auto& file : files)
                load_file(*resolver, file);
        } else {
            load_file(*resolver, path);
        }
    }
    resolver->finish();
    return resolver;
}

}  // namespace

std::vector<std::pair<std::string, std::vector<RecordType>>> detail::zone_contents(
    const std::vector<std::filesystem::path>& paths) {
    return load_paths(paths)->contents();
}

std::shared_ptr<Resolver> zone_files(const std::vector<std::filesystem::path>& paths) {
    return load_paths(paths);
}

std::shared_ptr<Resolver> zone_text(std::string_view text, std::string_view origin) {
    auto resolver = std::make_shared<ZoneResolver>();
    if (!text.empty()) {
        auto normalized = detail::normalize_name(origin);
        if (!normalized)
            throw DnsConfigError("invalid zone origin '" + std::string(origin) + "'");
        std::string copy(text);
        // fmemopen in read mode never writes to the buffer.
        detail::FilePtr fp{fmemopen(copy.data(), copy.size(), "r")};
        if (!fp)
            throw DnsConfigError("cannot read zone text");
        resolver->load(fp.get(), *normalized, "<zone text>");
    }
    resolver->finish();
    return resolver;
}

}  // namespace mailverdict::dns
