// Placeholder until DKIM lands (issue 4); replaced by the DKIM work.
#include "cli.hpp"

#include <iostream>

namespace mvcli {
int cmd_dkim(const std::vector<std::string>&) {
    std::cerr << "mailverdict dkim: not built yet\n";
    return exit_usage;
}
}  // namespace mvcli
