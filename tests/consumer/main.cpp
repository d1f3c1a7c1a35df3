// The README's library example, built against an installed mailverdict: parse a saved
// message, find its envelope, check SPF with DNS answered from zone files.
// usage: consumer MESSAGE.eml ZONE_DIR   (expects SPF pass for the corpus message)
#include <mailverdict/auth/spf.hpp>
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/message/received.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

int main(int argc, char** argv) {
    if (argc != 3) {
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};

    using namespace mailverdict;
    auto message = Message::parse(std::move(bytes));  // never throws; see message.defects()
    auto chain = received_chain(message);             // Received hops, topmost first
    EnvelopeOptions where;
    where.boundary_patterns = {"*.mail.protection.outlook.com"};  // saved from Exchange Online
    Envelope envelope = derive_envelope(message, chain, where);   // client IP, HELO, MAIL FROM

    auto dns = dns::caching(dns::zone_files({argv[2]}));  // or dns::live({...})
    auto spf = spf::check_mail_from(*dns, *envelope.client_ip, envelope.mail_from.value_or(""),
                                    envelope.helo);
    std::cout << message.from().front().domain << ": spf=" << spf::to_string(spf.result) << " ("
              << spf.mechanism << ")\n";
    return spf.result == spf::Result::pass ? 0 : 1;
}
