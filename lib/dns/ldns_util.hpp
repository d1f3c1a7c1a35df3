// Helpers that speak ldns, shared by the live and zone-file resolvers so that both
// turn the same records into identical Answers.
#pragma once

#include "dns/detail.hpp"
#include "dns/ldns_handle.hpp"

namespace mailverdict::dns::detail {

// A wire-format dname rdf in the normalized form of normalize_name().
std::string rdf_name(const ldns_rdf* rdf);

// Appends the rdata of `rr` to the field of `answer` that its type uses (addresses, mx,
// txt, names). Returns false for types the Answer has no field for.
bool append_rdata(const ldns_rr* rr, Answer& answer);

// RFC 2308 5: the TTL of a negative answer is min(SOA TTL, SOA MINIMUM).
std::uint32_t negative_ttl(const ldns_rr* soa);

}  // namespace mailverdict::dns::detail
