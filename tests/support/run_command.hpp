// Runs a command line through /bin/sh and captures its output and exit status
// (used by the CLI tests, which exercise the real mailverdict binary).
#pragma once

#include <string>

namespace mvtest {

struct CommandResult {
    int exit_code = -1;
    std::string out;  // standard output
    std::string err;  // standard error
};

CommandResult run_command(const std::string& command_line);

// Single-quotes a word for /bin/sh.
std::string shell_quote(const std::string& word);

// The mailverdict binary under test (MV_CLI_PATH), quoted for /bin/sh.
std::string cli();
// A path under the source tree's corpus/ (MV_SOURCE_DIR), quoted for /bin/sh.
std::string corpus(const std::string& relative);

}  // namespace mvtest
