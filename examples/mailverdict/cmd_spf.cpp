// Placeholder until the SPF evaluator lands (issue 3); replaced by the SPF work.
#include "cli.hpp"

#include <iostream>

namespace mvcli {
int cmd_spf(const std::vector<std::string>&) {
    std::cerr << "mailverdict spf: not built yet\n";
    return exit_usage;
}
}  // namespace mvcli
