#include "support/dns_server.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mailverdict::test {

namespace {

constexpr const char* nsd_path = "/usr/sbin/nsd";
constexpr const char* nsd_checkconf_path = "/usr/sbin/nsd-checkconf";

std::string strip_dot(std::string s) {
    if (s.size() > 1 && s.back() == '.')
        s.pop_back();
    return s;
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

int bound_socket(int type, std::uint16_t port) {
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    auto addr = loopback(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::uint16_t port_of(int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
}

// A port free for both UDP and TCP on 127.0.0.1 at the time of asking.
std::uint16_t free_port() {
    for (int attempt = 0; attempt < 50; ++attempt) {
        const int udp = bound_socket(SOCK_DGRAM, 0);
        if (udp < 0)
            continue;
        const auto port = port_of(udp);
        const int tcp = bound_socket(SOCK_STREAM, port);
        ::close(udp);
        if (tcp >= 0) {
            ::close(tcp);
            return port;
        }
    }
    throw std::runtime_error("no free port on 127.0.0.1");
}

void put16(std::string& out, unsigned v) {
    out += static_cast<char>((v >> 8) & 0xff);
    out += static_cast<char>(v & 0xff);
}

void put32(std::string& out, std::uint32_t v) {
    put16(out, v >> 16);
    put16(out, v & 0xffff);
}

std::string encode_name(std::string_view name) {
    std::string out;
    while (!name.empty() && name != ".") {
        const auto dot = name.find('.');
        const auto label = name.substr(0, dot);
        out += static_cast<char>(label.size());
        out += label;
        name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    }
    out += '\0';
    return out;
}

// A minimal query (RFC 1035 4.1.1): ID, RD, one question.
std::string make_query(std::uint16_t id, std::string_view name, std::uint16_t type) {
    std::string q;
    put16(q, id);
    put16(q, 0x0100);  // RD
    put16(q, 1);
    put16(q, 0);
    put16(q, 0);
    put16(q, 0);
    q += encode_name(name);
    put16(q, type);
    put16(q, 1);  // IN
    return q;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

// posix_spawn with stdout and stderr appended to `log`, in a new process group so the
// whole NSD family (main, server and xfrd processes) can be signalled together.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        throw std::runtime_error(args[0] + ": " + std::strerror(rc));
    return pid;
}

// Sends one UDP query to 127.0.0.1:port and waits up to `wait` for any reply.
bool answers(std::uint16_t port, std::chrono::milliseconds wait) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const auto addr = loopback(port);
    const auto query = make_query(0x4d56, ".", 6);
    bool ok = ::sendto(fd, query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&addr),
                       sizeof addr) > 0;
    if (ok) {
        pollfd p{fd, POLLIN, 0};
        ok = ::poll(&p, 1, static_cast<int>(wait.count())) == 1;
        if (ok) {
            std::array<char, 512> buf{};
            ok = ::recv(fd, buf.data(), buf.size(), 0) >= 12;
        }
    }
    ::close(fd);
    return ok;
}

std::string stem_origin(const std::filesystem::path& path) {
    std::string stem = path.filename().string();
    for (std::string_view suffix : {".zone", ".db"}) {
        if (stem.size() > suffix.size() && stem.ends_with(suffix)) {
            stem.resize(stem.size() - suffix.size());
            break;
        }
    }
    return stem;
}

}  // namespace

std::vector<TestZone> zones_from_directory(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const auto name = entry.path().filename().string();
        if (entry.is_regular_file() && !name.starts_with('.') && !name.ends_with(".md") &&
            !name.ends_with(".txt")) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    std::vector<TestZone> zones;
    for (const auto& f : files)
        zones.push_back({stem_origin(f), read_file(f)});
    return zones;
}

bool NsdServer::available() {
    return ::access(nsd_path, X_OK) == 0;
}

std::string NsdServer::address() const {
    return "127.0.0.1:" + std::to_string(port_);
}

NsdServer::NsdServer(const std::vector<TestZone>& zones) {
    if (!available())
        throw std::runtime_error(std::string(nsd_path) + " is not installed");
    std::string tmpl = (std::filesystem::temp_directory_path() / "mv-nsd-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
        throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    std::string log;
    // The free port can be taken between asking and NSD binding it; try a few.
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (start(zones, log))
            return;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw std::runtime_error("NSD did not start:\n" + log);
}

bool NsdServer::start(const std::vector<TestZone>& zones, std::string& log) {
    port_ = free_port();
    const auto conf = dir_ / "nsd.conf";
    const auto log_path = dir_ / "nsd.log";
    std::filesystem::remove(log_path);
    std::filesystem::create_directories(dir_ / "xfr");
    const auto p = std::to_string(port_);
    std::string text =
        "server:\n"
        "  ip-address: 127.0.0.1@" +
        p +
        "\n"
        "  port: " +
        p +
        "\n"
        "  do-ip6: no\n"
        "  username: \"\"\n"
        "  chroot: \"\"\n"
        "  zonesdir: \"" +
        dir_.string() +
        "\"\n"
        "  pidfile: \"" +
        (dir_ / "nsd.pid").string() +
        "\"\n"
        "  database: \"\"\n"
        "  xfrdfile: \"" +
        (dir_ / "xfrd.state").string() +
        "\"\n"
        "  zonelistfile: \"" +
        (dir_ / "zone.list").string() +
        "\"\n"
        "  xfrdir: \"" +
        (dir_ / "xfr").string() +
        "\"\n"
        "  logfile: \"" +
        log_path.string() +
        "\"\n"
        "  server-count: 1\n"
        "  verbosity: 1\n"
        "  hide-version: yes\n"
        "remote-control:\n"
        "  control-enable: no\n";
    for (const auto& zone : zones) {
        const auto origin = strip_dot(zone.origin);
        const auto file = origin + ".zone";
        write_file(dir_ / file, zone.text);
        text += "zone:\n  name: \"" + origin + "\"\n  zonefile: \"" + file + "\"\n";
    }
    write_file(conf, text);

    // nsd-checkconf gives a clearer message than a server that will not start.
    pid_t check = spawn({nsd_checkconf_path, conf.string()}, log_path);
    int status = 0;
    ::waitpid(check, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        log = "nsd-checkconf rejected the configuration:\n" + read_file(log_path) + "\n" + text;
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        throw std::runtime_error(log);
    }

    pid_ = spawn({nsd_path, "-d", "-c", conf.string()}, log_path);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            log = read_file(log_path);
            return false;
        }
        if (answers(port_, std::chrono::milliseconds{50}))
            return true;
    }
    log = "no answer within 10 s:\n" + read_file(log_path);
    stop();
    return false;
}

void NsdServer::stop() noexcept {
    if (pid_ <= 0)
        return;
    ::kill(-pid_, SIGTERM);  // the process group we created for NSD
    int status = 0;
    for (int i = 0; i < 200; ++i) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            break;
        }
        ::usleep(10'000);
    }
    if (pid_ > 0) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
}

NsdServer::~NsdServer() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

// ---------------------------------------------------------------- fault server

std::string FaultServer::address() const {
    return "127.0.0.1:" + std::to_string(port_);
}

FaultServer::FaultServer(FaultOptions options) : options_(std::move(options)) {
    for (int attempt = 0; attempt < 50 && tcp_ < 0; ++attempt) {
        udp_ = bound_socket(SOCK_DGRAM, 0);
        if (udp_ < 0)
            continue;
        port_ = port_of(udp_);
        tcp_ = bound_socket(SOCK_STREAM, port_);
        if (tcp_ < 0) {
            ::close(udp_);
            udp_ = -1;
        }
    }
    if (tcp_ < 0 || ::listen(tcp_, 16) != 0 || ::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
        throw std::runtime_error("fault server: cannot listen on 127.0.0.1");
    }
    thread_ = std::thread([this] { run(); });
}

FaultServer::~FaultServer() {
    const char byte = 'x';
    (void)!::write(stop_pipe_[1], &byte, 1);
    if (thread_.joinable())
        thread_.join();
    for (int fd : {udp_, tcp_, stop_pipe_[0], stop_pipe_[1]}) {
        if (fd >= 0)
            ::close(fd);
    }
}

bool FaultServer::wait_or_stop(std::chrono::milliseconds delay) const {
    pollfd p{stop_pipe_[0], POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(delay.count())) == 0;  // true: not stopped
}

void FaultServer::run() {
    for (;;) {
        std::array<pollfd, 3> fds{
            {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (fds[2].revents)
            return;
        if (fds[0].revents & POLLIN)
            handle_udp();
        if (fds[1].revents & POLLIN)
            handle_tcp();
    }
}

void FaultServer::handle_udp() {
    std::array<char, 65536> buf{};
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const auto n =
        ::recvfrom(udp_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0)
        return;
    ++udp_queries_;
    if (options_.fault == Fault::timeout)
        return;
    if (options_.fault == Fault::slow && !wait_or_stop(options_.delay))
        return;
    const auto reply = respond(std::string(buf.data(), static_cast<std::size_t>(n)), false);
    if (!reply.empty()) {
        ::sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
}

void FaultServer::handle_tcp() {
    const int fd = ::accept4(tcp_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    // RFC 1035 4.2.2 / RFC 7766 8: each message is preceded by a two-octet length.
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto read_exact = [fd](char* p, std::size_t n) {
        while (n > 0) {
            const auto got = ::recv(fd, p, n, 0);
            if (got <= 0)
                return false;
            p += got;
            n -= static_cast<std::size_t>(got);
        }
        return true;
    };
    std::array<unsigned char, 2> prefix{};
    if (read_exact(reinterpret_cast<char*>(prefix.data()), 2)) {
        std::string query(static_cast<std::size_t>(prefix[0] << 8 | prefix[1]), '\0');
        if (read_exact(query.data(), query.size())) {
            ++tcp_queries_;
            bool send = options_.fault != Fault::timeout;
            if (send && options_.fault == Fault::slow)
                send = wait_or_stop(options_.delay);
            const auto reply = send ? respond(query, true) : std::string{};
            if (!reply.empty()) {
                std::string framed;
                put16(framed, static_cast<unsigned>(reply.size()));
                framed += reply;
                (void)!::send(fd, framed.data(), framed.size(), MSG_NOSIGNAL);
            }
        }
    }
    ::close(fd);
}

std::string FaultServer::respond(const std::string& query, bool over_tcp) const {
    if (query.size() < 12)
        return {};
    const auto u8 = [&](std::size_t i) { return static_cast<unsigned char>(query[i]); };
    if (options_.fault == Fault::garbage) {
        // The query's ID, then bytes no DNS parser accepts: a header claiming 65535
        // questions and nothing after it.
        std::string junk = query.substr(0, 2);
        junk += "\x81\x80\xff\xff\xff\xff";
        junk += "garbage!";
        return junk;
    }
    // The question: labels up to the root, then QTYPE and QCLASS (no compression in
    // queries, RFC 1035 4.1.4 allows it but no stub uses it there).
    std::size_t pos = 12;
    while (pos < query.size() && u8(pos) != 0)
        pos += u8(pos) + 1u;
    if (pos + 5 > query.size())
        return {};
    std::string qname_wire = query.substr(12, pos + 1 - 12);
    const unsigned qtype = u8(pos + 1) << 8 | u8(pos + 2);
    const std::string qtail = query.substr(pos + 1, 4);  // QTYPE QCLASS

    unsigned rcode = 0;
    switch (options_.fault) {
        case Fault::servfail:
            rcode = 2;
            break;
        case Fault::refused:
            rcode = 5;
            break;
        case Fault::formerr:
            rcode = 1;
            break;
        default:
            break;
    }
    const bool truncate = options_.fault == Fault::truncated && !over_tcp;
    if (options_.fault == Fault::wrong_name)
        qname_wire = std::string("\x05wrong", 6) + qname_wire;

    std::vector<std::string> rdatas;
    if (rcode == 0 && !truncate) {
        if (qtype == 1) {
            in_addr addr{};
            ::inet_pton(AF_INET, options_.a.c_str(), &addr);
            rdatas.emplace_back(reinterpret_cast<const char*>(&addr), 4);
        } else if (qtype == 16) {
            std::string rdata;
            std::vector<std::string> strings = options_.txt;
            if (options_.fault == Fault::oversized)
                strings.assign(16, std::string(250, 'x'));
            for (const auto& s : strings) {
                rdata += static_cast<char>(std::min<std::size_t>(s.size(), 255));
                rdata += s.substr(0, 255);
            }
            rdatas.push_back(rdata);
        }
    }
    std::string reply;
    reply += query.substr(0, 2);  // ID
    // QR, opcode from the query, AA, TC, RD from the query; RA; RCODE
    unsigned flags =
        0x8000u | (u8(2) & 0x78u) << 8 | 0x0400u | (u8(2) & 0x01u) << 8 | 0x0080u | rcode;
    if (truncate)
        flags |= 0x0200u;
    put16(reply, flags);
    put16(reply, 1);
    put16(reply, static_cast<unsigned>(rdatas.size()));
    put16(reply, 0);
    put16(reply, 0);
    reply += qname_wire;
    reply += qtail;
    for (const auto& rdata : rdatas) {
        put16(reply, 0xC00C);  // owner: pointer to the question name
        put16(reply, qtype);
        put16(reply, 1);
        put32(reply, options_.ttl);
        put16(reply, static_cast<unsigned>(rdata.size()));
        reply += rdata;
    }
    return reply;
}

}  // namespace mailverdict::test
