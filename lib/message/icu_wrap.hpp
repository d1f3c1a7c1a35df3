// RAII owners for the ICU C handles used by the message stage (private header).
#pragma once

#include <unicode/ucnv.h>
#include <unicode/uidna.h>

#include <memory>

namespace mailverdict::icu {

struct ConverterCloser {
    void operator()(UConverter* converter) const noexcept { ucnv_close(converter); }
};
// A charset converter (ucnv_open); not thread-safe, so one per conversion.
using Converter = std::unique_ptr<UConverter, ConverterCloser>;

struct IdnaCloser {
    void operator()(UIDNA* idna) const noexcept { uidna_close(idna); }
};
// A UTS #46 processor (uidna_openUTS46); immutable after opening, safe to share.
using Idna = std::unique_ptr<UIDNA, IdnaCloser>;

}  // namespace mailverdict::icu
