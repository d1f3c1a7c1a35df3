// Placeholder until DMARC/ARC/Authentication-Results land (issue 5); replaced by that work.
#include "cli.hpp"

#include <iostream>

namespace mvcli {
int cmd_arc(const std::vector<std::string>&) {
    std::cerr << "mailverdict arc: not built yet\n";
    return exit_usage;
}
}  // namespace mvcli
