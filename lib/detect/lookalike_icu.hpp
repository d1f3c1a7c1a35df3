// RAII owners of the ICU handles of the lookalike model (private header: ICU never appears
// in a public header, architecture "Modules").
#pragma once

#include <unicode/uspoof.h>

#include <memory>

namespace mailverdict::detect::icu {

struct SpoofCloser {
    void operator()(USpoofChecker* checker) const noexcept { uspoof_close(checker); }
};
// A configured USpoofChecker. After configuration only its const functions are used; ICU
// documents uspoof_check2 and uspoof_getSkeleton as safe to call from several threads.
using SpoofChecker = std::unique_ptr<USpoofChecker, SpoofCloser>;

struct CheckResultCloser {
    void operator()(USpoofCheckResult* result) const noexcept { uspoof_closeCheckResult(result); }
};
// The result of one uspoof_check2 call (one per call: not shared).
using CheckResult = std::unique_ptr<USpoofCheckResult, CheckResultCloser>;

}  // namespace mailverdict::detect::icu
