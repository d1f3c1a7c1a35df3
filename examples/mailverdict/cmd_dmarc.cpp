// mailverdict dmarc FILE [--ip --mail-from --helo]: SPF and DKIM computed once, then
// DMARC (RFC 7489) with Microsoft's bestguesspass and action. The pipeline is shared with
// `mailverdict auth` and lives in cmd_auth.cpp.
#include "cli.hpp"

namespace mvcli {

namespace authcli {
int dmarc_command(const std::vector<std::string>& args);  // cmd_auth.cpp
}  // namespace authcli

int cmd_dmarc(const std::vector<std::string>& args) {
    return authcli::dmarc_command(args);
}

}  // namespace mvcli
