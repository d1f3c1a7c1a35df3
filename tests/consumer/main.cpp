// Parses a message given on the command line and prints its From domain.
#include <mailverdict/message/message.hpp>

#include <iostream>
#include <string>

int main() {
    const auto m = mailverdict::Message::parse(
        "From: Someone <someone@Example.COM>\r\nSubject: hi\r\n\r\nbody\r\n");
    if (m.from().size() != 1) {
        return 1;
    }
    std::cout << m.from().front().domain << "\n";
    return m.from().front().domain == "example.com" ? 0 : 1;
}
