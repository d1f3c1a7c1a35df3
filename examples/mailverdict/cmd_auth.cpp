// Placeholder until DMARC/ARC/Authentication-Results land (issue 5); replaced by that work.
#include "cli.hpp"

#include <iostream>

namespace mvcli {
int cmd_auth(const std::vector<std::string>&) {
    std::cerr << "mailverdict auth: not built yet\n";
    return exit_usage;
}
}  // namespace mvcli
