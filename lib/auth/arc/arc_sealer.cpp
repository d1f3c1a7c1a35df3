// ARC sealing: RFC 8617 5.1 (a new ARC set: AAR, AMS, AS).
#include <mailverdict/auth/arc.hpp>

#include "auth/arc/arc_detail.hpp"
#include "auth/dkim/dkim_detail.hpp"
#include "auth/dkim/openssl_wrap.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

namespace mailverdict::arc {

struct SealingKey::Impl {
    dkim::detail::PkeyPtr pkey;
    dkim::KeyType type = dkim::KeyType::rsa;
    unsigned bits = 0;
};

namespace {

struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};

int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) {
    return 0;  // never prompt for a passphrase
}

// Folds "Name: tag; tag; ..." at tag boundaries so that lines stay short (RFC 5322 2.1.1).
class FieldText {
public:
    FieldText(std::string_view name, std::string line_end) : eol_(std::move(line_end)) {
        text_ = std::string(name) + ":";
        column_ = text_.size();
    }
    void add(std::string_view piece) {
        if (column_ + 1 + piece.size() > 78 && column_ > 1) {
            text_ += eol_ + "\t";
            column_ = 8;
        } else {
            text_ += ' ';
            ++column_;
        }
        text_ += piece;
        column_ += piece.size();
    }
    [[nodiscard]] std::string finish() const { return text_ + eol_; }

private:
    std::string eol_;
    std::string text_;
    std::size_t column_ = 0;
};

const std::vector<std::string>& default_headers() {
    static const std::vector<std::string> names = {
        "From",          "To",           "Cc",           "Subject",
        "Date",          "Message-ID",   "Reply-To",     "References",
        "In-Reply-To",   "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
        "DKIM-Signature"};
    return names;
}

}  // namespace

SealingKey::Loaded SealingKey::from_pem(std::string_view pem) {
    Loaded out;
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) {
        out.error = "out of memory";
        return out;
    }
    dkim::detail::PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    if (!pkey) {
        out.error = "not a PEM private key (or an encrypted one)";
        return out;
    }
    auto impl = std::make_shared<Impl>();
    if (EVP_PKEY_is_a(pkey.get(), "RSA") == 1) {
        impl->type = dkim::KeyType::rsa;
        impl->bits = static_cast<unsigned>(EVP_PKEY_get_bits(pkey.get()));
    } else if (EVP_PKEY_is_a(pkey.get(), "ED25519") == 1) {
        impl->type = dkim::KeyType::ed25519;
        impl->bits = 256;
    } else {
        out.error = "the key is neither RSA nor Ed25519";
        return out;
    }
    impl->pkey = std::move(pkey);
    out.key.emplace(std::shared_ptr<const Impl>(std::move(impl)));
    return out;
}

SealingKey::Loaded SealingKey::from_pem_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Loaded{std::nullopt, "cannot read " + path.string()};
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    auto loaded = from_pem(ss.str());
    if (!loaded) {
        loaded.error = path.string() + ": " + loaded.error;
    }
    return loaded;
}

dkim::KeyType SealingKey::type() const noexcept {
    return impl_->type;
}

unsigned SealingKey::bits() const noexcept {
    return impl_->bits;
}

std::string SealingKey::public_record() const {
    std::string p;
    if (impl_->type == dkim::KeyType::ed25519) {
        unsigned char raw[32];
        std::size_t size = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(impl_->pkey.get(), raw, &size) == 1) {
            p = dkim::detail::base64_encode(raw, size);  // RFC 8463 4.2
        }
    } else {
        unsigned char* der = nullptr;
        const int size = i2d_PUBKEY(impl_->pkey.get(), &der);
        if (size > 0) {
            p = dkim::detail::base64_encode(der, static_cast<std::size_t>(size));
            OPENSSL_free(der);
        }
    }
    return "v=DKIM1; k=" + std::string(dkim::to_string(impl_->type)) + "; p=" + p;
}

SealResult seal(const Message& message, const ArcResult& chain,
                const authres::AuthenticationResults& local, const SealingKey& key,
                const SealOptions& options, std::chrono::sys_seconds now) {
    SealResult out;
    const auto error = [&out](std::string text) {
        out.error = std::move(text);
        out.fields.clear();
        return out;
    };
    if (!dkim::detail::is_domain_text(options.domain) ||
        !dkim::detail::is_domain_text(options.selector)) {
        return error("invalid sealing domain or selector");
    }
    if (options.authserv_id.empty()) {
        return error("an authserv-id is needed for the ARC-Authentication-Results");
    }
    // RFC 8617 5.1: the new instance follows the highest one; past the limit no set may
    // be added (4.2.1).
    const unsigned instance = static_cast<unsigned>(chain.instances) + 1;
    if (instance > options.max_instances) {
        return error("the chain already has " + std::to_string(chain.instances) +
                     " instances (limit " + std::to_string(options.max_instances) + ")");
    }
    // RFC 8617 5.1 step 1: a chain whose most recent ARC-Seal already reports cv=fail is
    // over ("there is no need to proceed"); a failure detected here is still sealed with
    // cv=fail below, which is what records the break for the next hop (5.1.2).
    if (chain.reason == Reason::cv_fail_recorded) {
        return error("the most recent ARC-Seal already reports cv=fail (RFC 8617 5.1)");
    }
    // RFC 8617 5.1.1: cv= is the validation status of the chain as received (none when
    // there was none).
    out.cv = instance == 1 ? ChainStatus::none : chain.cv;
    if (instance > 1 && chain.cv == ChainStatus::none) {
        out.cv = ChainStatus::fail;  // sets exist but could not even be read as a chain
    }
    out.instance = instance;
    const std::string i_tag = "i=" + std::to_string(instance) + ";";
    const dkim::Algorithm algorithm = key.type() == dkim::KeyType::ed25519
                                          ? dkim::Algorithm::ed25519_sha256
                                          : dkim::Algorithm::rsa_sha256;
    const std::string a_tag = "a=" + std::string(dkim::to_string(algorithm)) + ";";
    const std::string t_tag = "t=" + std::to_string(now.time_since_epoch().count()) + ";";

    // ARC-Authentication-Results (RFC 8617 4.1.1): i=N; then an Authentication-Results
    // payload with this host's results, arc= included.
    authres::AuthenticationResults results = local;
    results.authserv_id = options.authserv_id;
    if (results.find("arc") == nullptr) {
        results.results.push_back(auth_results_arc(chain));
    }
    authres::FormatOptions fmt;
    fmt.line_end = options.line_end;
    fmt.indent = "\t";
    const std::string aar = "ARC-Authentication-Results: " + i_tag + " " +
                            authres::format(results, fmt) + options.line_end;

    // ARC-Message-Signature (RFC 8617 4.1.2): a DKIM-style signature without v=.
    std::vector<std::string> names;
    for (const auto& n : options.headers.empty() ? default_headers() : options.headers) {
        if (detail::is_arc_field(n)) {
            continue;  // RFC 8617 4.1.2: ARC fields are not signed by the AMS
        }
        if (!options.headers.empty() || message.find(n) != nullptr) {
            names.push_back(n);
        }
    }
    if (names.empty() || std::none_of(names.begin(), names.end(),
                                      [](const std::string& n) { return iequals(n, "From"); })) {
        names.insert(names.begin(), "From");
    }
    std::string h;
    for (const auto& n : names) {
        h += (h.empty() ? "" : ":") + n;
    }
    dkim::detail::BodyHashes bodies(message.body());
    const auto& bh = bodies.get(options.body_canon, std::nullopt, false).digest;
    FieldText ams_text("ARC-Message-Signature", options.line_end);
    ams_text.add(i_tag);
    ams_text.add(a_tag);
    ams_text.add("c=" + std::string(dkim::to_string(options.header_canon)) + "/" +
                 std::string(dkim::to_string(options.body_canon)) + ";");
    ams_text.add("d=" + options.domain + ";");
    ams_text.add("s=" + options.selector + ";");
    ams_text.add(t_tag);
    ams_text.add("h=" + h + ";");
    ams_text.add("bh=" + dkim::detail::base64_encode(bh.data(), bh.size()) + ";");
    ams_text.add("b=");
    std::string ams_unsigned = ams_text.finish();
    std::string input;
    detail::ams_hash_input(message.fields(), names, nullptr, ams_unsigned, options.header_canon,
                           input);
    const bool rsa = key.type() == dkim::KeyType::rsa;
    auto sig = dkim::detail::sign_digest(key.impl().pkey.get(), rsa, detail::sha256(input));
    if (sig.empty()) {
        return error("signing the ARC-Message-Signature failed");
    }
    // b= goes last, after the empty "b=" that was hashed.
    const std::string ams = ams_unsigned.substr(0, ams_unsigned.size() - options.line_end.size()) +
                            dkim::detail::base64_encode(sig.data(), sig.size()) + options.line_end;

    // ARC-Seal (RFC 8617 4.1.3) over every set, this one included (5.1.1).
    FieldText seal_text("ARC-Seal", options.line_end);
    seal_text.add(i_tag);
    seal_text.add(a_tag);
    seal_text.add(t_tag);
    seal_text.add("cv=" + std::string(to_string(out.cv)) + ";");
    seal_text.add("d=" + options.domain + ";");
    seal_text.add("s=" + options.selector + ";");
    seal_text.add("b=");
    const std::string seal_unsigned = seal_text.finish();
    std::vector<detail::RawSet> raw;
    if (out.cv != ChainStatus::fail) {
        for (const auto& set : chain.sets) {
            const auto& f = message.fields();
            raw.push_back({f[set.aar_field].raw, f[set.ams_field].raw, f[set.seal_field].raw});
        }
        if (raw.size() + 1 != instance) {
            // A passing chain always has all its sets parsed; anything else would seal an
            // incomplete chain.
            return error("the existing ARC sets could not be read");
        }
    }
    // RFC 8617 5.1.2: the seal of a failed chain covers only the set added here, "as if
    // this newest ARC Set was the only set present" (the broken sets have no
    // deterministic order to sign). seal_hash_input() then hashes one set.
    raw.push_back({aar, ams, seal_unsigned});
    detail::seal_hash_input(raw, static_cast<unsigned>(raw.size()), input);
    sig = dkim::detail::sign_digest(key.impl().pkey.get(), rsa, detail::sha256(input));
    if (sig.empty()) {
        return error("signing the ARC-Seal failed");
    }
    const std::string seal_field =
        seal_unsigned.substr(0, seal_unsigned.size() - options.line_end.size()) +
        dkim::detail::base64_encode(sig.data(), sig.size()) + options.line_end;
    out.fields = seal_field + ams + aar;
    return out;
}

}  // namespace mailverdict::arc
