// Private helpers shared by the dns implementations (not installed). Free of ldns, so
// tests can use them; the ldns-facing helpers are in ldns_util.hpp.
#pragma once

#include "mailverdict/dns/resolver.hpp"

#include <filesystem>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::dns::detail {

// A domain name in the one form the dns layer compares and stores: ldns presentation
// format (RFC 1035 5.1 escapes such as \. and \DDD), ASCII lower-case (RFC 4343), no
// trailing dot; the root is ".". nullopt when the text is not a valid name (a label over
// 63 octets, a name over 255, an empty label).
std::optional<std::string> normalize_name(std::string_view text);

// The name with its first label removed ("a.b.c" -> "b.c", "c" -> "."); nullopt for the
// root. Escaped dots ("a\.b.c") do not separate labels.
std::optional<std::string> parent_name(std::string_view name);

// An answer that carries no records: a failure or a negative answer.
Answer make_answer(std::string name, RecordType type, DnsStatus status, std::string detail = {});

// The "nameserver" lines of a resolv.conf(5) text, with port 53.
std::vector<Server> parse_resolv_conf(std::string_view text);

// Mnemonic of a record type for files ("TXT"), or its number for types without one.
std::string type_name(RecordType type);
std::optional<RecordType> parse_type_name(std::string_view text);

// Every owner name in the zone files (the same loading rules as zone_files()), with the
// record types each has; for tests that compare resolvers over a whole zone.
std::vector<std::pair<std::string, std::vector<RecordType>>> zone_contents(
    const std::vector<std::filesystem::path>& paths);

}  // namespace mailverdict::dns::detail
