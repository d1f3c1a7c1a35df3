#include "support/run_command.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace mvtest {

std::string shell_quote(const std::string& word) {
    std::string q = "'";
    for (char c : word) {
        if (c == '\'') {
            q += "'\\''";
        } else {
            q += c;
        }
    }
    return q + "'";
}

CommandResult run_command(const std::string& command_line) {
    namespace fs = std::filesystem;
    char tmpl[] = "/tmp/mv-cmd-err-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) {
        throw std::runtime_error("mkstemp failed");
    }
    ::close(fd);
    const std::string full = command_line + " 2>" + shell_quote(tmpl);
    CommandResult r;
    FILE* pipe = ::popen(full.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("popen failed");
    }
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
        r.out.append(buf, n);
    }
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(tmpl, std::ios::binary);
    r.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
    std::error_code ec;
    fs::remove(tmpl, ec);
    return r;
}

std::string cli() {
    return shell_quote(MV_CLI_PATH);
}

std::string corpus(const std::string& relative) {
    return shell_quote(std::string(MV_SOURCE_DIR) + "/corpus/" + relative);
}

}  // namespace mvtest
