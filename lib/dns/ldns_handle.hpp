// RAII ownership of ldns objects. ldns is a C library with explicit *_free calls; every
// ldns object the dns layer creates is held in one of these so that early returns and
// exceptions (std::bad_alloc) never leak. ldns appears only in lib/dns.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>

// ldns/common.h defines `bool`, `true` and `false` as macros (bool -> _Bool) unless
// <stdbool.h> was seen first; in C++ those macros break the standard library
// (std::optional's operator<=>). g++'s <stdbool.h> marks them as defined and adds nothing.
// Every ldns include goes through this header.
#include <stdbool.h>  // NOLINT(modernize-deprecated-headers)

#include <ldns/ldns.h>

namespace mailverdict::dns::detail {

struct LdnsDeleter {
    void operator()(ldns_rdf* p) const noexcept { ldns_rdf_deep_free(p); }
    void operator()(ldns_rr* p) const noexcept { ldns_rr_free(p); }
    void operator()(ldns_rr_list* p) const noexcept { ldns_rr_list_deep_free(p); }
    void operator()(ldns_pkt* p) const noexcept { ldns_pkt_free(p); }
    void operator()(ldns_resolver* p) const noexcept { ldns_resolver_deep_free(p); }
    void operator()(ldns_zone* p) const noexcept { ldns_zone_deep_free(p); }
    void operator()(ldns_buffer* p) const noexcept { ldns_buffer_free(p); }
    // Strings returned by ldns_rdf2str and friends are malloc'ed.
    void operator()(char* p) const noexcept { std::free(p); }
    void operator()(std::FILE* p) const noexcept { std::fclose(p); }
};

template <class T>
using LdnsPtr = std::unique_ptr<T, LdnsDeleter>;

using RdfPtr = LdnsPtr<ldns_rdf>;
using RrPtr = LdnsPtr<ldns_rr>;
using PktPtr = LdnsPtr<ldns_pkt>;
using ResolverPtr = LdnsPtr<ldns_resolver>;
using ZonePtr = LdnsPtr<ldns_zone>;
using CStringPtr = LdnsPtr<char>;
using FilePtr = LdnsPtr<std::FILE>;

}  // namespace mailverdict::dns::detail
