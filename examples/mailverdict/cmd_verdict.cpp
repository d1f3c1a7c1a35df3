// Placeholder until the verdict engine lands (issue 6); replaced by that work.
#include "cli.hpp"

#include <iostream>

namespace mvcli {
int cmd_verdict(const std::vector<std::string>&) {
    std::cerr << "mailverdict verdict: not built yet\n";
    return exit_usage;
}
}  // namespace mvcli
