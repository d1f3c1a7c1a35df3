// Domain names in both IDNA forms through ICU's UTS #46 processing.
#include <mailverdict/message/message.hpp>

#include "message/icu_wrap.hpp"

#include <string>

namespace mailverdict {

namespace {

icu::Idna open_uts46() {
    // Nontransitional processing (IDNA2008 behaviour, as browsers and Exchange use):
    // "ß" stays "ß". Bidi and ContextJ checks reject labels that spoof direction or
    // hide joiners. STD3 rules are off: mail domains such as "_dmarc" use "_".
    UErrorCode status = U_ZERO_ERROR;
    icu::Idna idna{uidna_openUTS46(UIDNA_NONTRANSITIONAL_TO_ASCII |
                                       UIDNA_NONTRANSITIONAL_TO_UNICODE | UIDNA_CHECK_BIDI |
                                       UIDNA_CHECK_CONTEXTJ,
                                   &status)};
    if (U_FAILURE(status)) {
        return nullptr;
    }
    return idna;
}

const UIDNA* uts46() {
    // Opened once; the processor is immutable and ICU allows concurrent use.
    static const icu::Idna processor = open_uts46();
    return processor.get();
}

using IdnaFunction = int32_t (*)(const UIDNA*, const char*, int32_t, char*, int32_t, UIDNAInfo*,
                                 UErrorCode*);

std::optional<std::string> convert(IdnaFunction function, std::string_view name) {
    const UIDNA* idna = uts46();
    if (idna == nullptr) {
        return std::nullopt;
    }
    std::string out(name.size() * 4 + 16, '\0');
    for (int attempt = 0; attempt < 2; ++attempt) {
        UIDNAInfo info = UIDNA_INFO_INITIALIZER;
        UErrorCode status = U_ZERO_ERROR;
        const int32_t length =
            function(idna, name.data(), static_cast<int32_t>(name.size()), out.data(),
                     static_cast<int32_t>(out.size()), &info, &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) {
            out.assign(static_cast<std::size_t>(length) + 1, '\0');
            continue;
        }
        if (U_FAILURE(status) || info.errors != 0) {
            return std::nullopt;
        }
        out.resize(static_cast<std::size_t>(length));
        return out;
    }
    return std::nullopt;
}

}  // namespace

std::optional<DomainForms> idna_forms(std::string_view domain) {
    // A root dot at the end is not part of the name for mail (RFC 5321 2.3.5).
    if (!domain.empty() && domain.back() == '.') {
        domain.remove_suffix(1);
    }
    if (domain.empty() || domain.size() > 1024) {
        return std::nullopt;
    }
    auto ascii = convert(&uidna_nameToASCII_UTF8, domain);
    if (!ascii) {
        return std::nullopt;
    }
    auto unicode = convert(&uidna_nameToUnicodeUTF8, *ascii);
    if (!unicode) {
        return std::nullopt;
    }
    return DomainForms{std::move(*ascii), std::move(*unicode)};
}

}  // namespace mailverdict
