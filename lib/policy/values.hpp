// Value checks shared by the tenant reader: domains, addresses, IP entries, dates.
// Each returns nullopt (or an error text) instead of throwing; the reader turns that into
// a TenantError with file, line and key.
#pragma once

#include <mailverdict/message/network.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::policy::detail {

std::string lower(std::string_view text);

// A domain name: IDNA-converted to a lower-case A-label, trailing dot removed, at least two
// labels, LDH labels (underscore allowed) of 1..63 octets, 253 octets at most.
std::optional<std::string> normalize_domain(std::string_view text);

// local@domain: a non-empty local part of at most 64 octets without spaces, controls or
// '@'; the domain as normalize_domain. Lower-cased (Exchange compares addresses that way).
std::optional<std::string> normalize_address(std::string_view text);

// A host name pattern: "*" or "*.domain" or a domain.
std::optional<std::string> normalize_host_pattern(std::string_view text);

// One IP entry as Exchange accepts it: a single address, CIDR "a/n", or a range "a-b"
// (same family, a <= b). Ranges become the smallest list of CIDR blocks covering them.
// Returns an error text on failure.
struct IpEntry {
    std::vector<IpNetwork> networks;
    std::string error;
};
IpEntry parse_ip_entry(std::string_view text);

// YYYY-MM-DD.
std::optional<std::chrono::sys_days> parse_date(std::string_view text);

// RFC 5322 field-name: printable ASCII except ':' (1..998 octets).
bool valid_header_name(std::string_view name);

}  // namespace mailverdict::policy::detail
