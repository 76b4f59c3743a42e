// bench_station: end-to-end station throughput.
//
//   bench_station [--scans N] [--scanners C] [--node PATH_TO_LEDGER_NODE]
//
// 1. TCP input -> parse -> event -> validate -> sign -> spool append +
// fdatasync -> "OK":
//    C scanner connections each pipeline N/C scans; prints scans/s.
// 2. Delivery: when a ledger-node binary is given (default: next to this
// program),
//    starts it on a free port with a fresh data dir, registers the station key,
//    and lets the forwarder drain the spool; prints delivered/s.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "ledger/keys.h"
#include "scanners/station/forwarder.h"
#include "scanners/station/inputs.h"
#include "scanners/station/station.h"

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// One scanner connection pipelining `count` scans; returns the number answered
// OK.
size_t RunScanner(uint16_t port, int first, int count) {
  auto fd = station::ConnectTcp("127.0.0.1", port, nullptr, 10000);
  if (!fd.ok()) return 0;
  std::thread writer([&] {
    std::string batch;
    for (int i = first; i < first + count; ++i) {
      batch +=
          "]d20109506000134352"
          "21B" +
          std::to_string(i) + "\n";
      if (batch.size() > 16384) {
        (void)station::SendAll(fd->get(), batch);
        batch.clear();
      }
    }
    (void)station::SendAll(fd->get(), batch);
  });
  size_t ok = 0, lines = 0;
  std::string buffer;
  while (lines < static_cast<size_t>(count)) {
    auto bytes = station::ReceiveSome(fd->get(), nullptr, 60000);
    if (!bytes.ok() || bytes->empty()) break;
    buffer += *bytes;
    size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      ok += buffer.compare(0, 3, "OK ") == 0;
      ++lines;
      buffer.erase(0, nl + 1);
    }
  }
  writer.join();
  return ok;
}

uint16_t FreePort() {
  uint16_t port = 0;
  auto fd = station::ListenTcp("127.0.0.1", 0, &port);
  return fd.ok() ? port : 0;
}

// Starts ledger-node; returns its pid or -1.
pid_t StartNode(const std::string& bin, const std::string& data,
                uint16_t port) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(bin.c_str(), bin.c_str(), "--data", data.c_str(), "--listen",
            ("127.0.0.1:" + std::to_string(port)).c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

int Deliver(const std::string& node_bin, const std::string& dir,
            station::Spool* spool, const ledger::SigningKey& key) {
  const uint16_t port = FreePort();
  const pid_t pid = StartNode(node_bin, dir + "/node", port);
  station::NodeClient probe({"127.0.0.1", port, "", 2000});
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (true) {
    auto r = probe.Get("/healthz");
    if (r.ok() && r->first == 200) break;
    if (Clock::now() > deadline) {
      std::cerr << "bench_station: ledger-node did not start\n";
      ::kill(pid, SIGKILL);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string admin_token;
  {
    std::ifstream in(dir + "/node/admin.token");
    std::getline(in, admin_token);
  }
  station::NodeClient admin({"127.0.0.1", port, admin_token, 10000});
  auto reg = admin.Post("/v1/participants",
                        json{{"gln", "0614141000005"},
                             {"name", key.name()},
                             {"role", "manufacturer"},
                             {"verifierKey", key.verifier().ToText()}}
                            .dump());
  auto tok =
      admin.Post("/v1/tokens",
                 json{{"role", "writer"}, {"participant", key.KeyId()}}.dump());
  if (!reg.ok() || reg->first != 201 || !tok.ok() || tok->first != 201) {
    std::cerr << "bench_station: registering the station key failed\n";
    ::kill(pid, SIGKILL);
    return 1;
  }
  const std::string token = json::parse(tok->second)["token"];
  const uint64_t total = spool->pending_count();
  const auto start = Clock::now();
  station::Forwarder forwarder(spool, {"127.0.0.1", port, token, 30000}, 500,
                               10, 1000);
  forwarder.Start();
  while (spool->pending_count() > 0 &&
         Clock::now() < start + std::chrono::seconds(600)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double secs = Seconds(start);
  forwarder.Stop();
  std::cout << "delivery: " << total - spool->pending_count()
            << " envelopes to ledger-node in " << secs << " s = "
            << static_cast<uint64_t>((total - spool->pending_count()) / secs)
            << " delivered/s (batches of 500, failures "
            << forwarder.stats().failures << ")\n";
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int scans = 20000, scanners = 4;
  std::string node_bin =
      std::filesystem::path(argv[0]).parent_path().string() + "/ledger-node";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--scans")
      scans = std::stoi(argv[i + 1]);
    else if (flag == "--scanners")
      scanners = std::stoi(argv[i + 1]);
    else if (flag == "--node")
      node_bin = argv[i + 1];
    else {
      std::cerr
          << "usage: bench_station [--scans N] [--scanners C] [--node PATH]\n";
      return 2;
    }
  }
  const std::string dir = std::filesystem::temp_directory_path().string() +
                          "/bench_station." + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  auto key = ledger::SigningKey::Generate("bench-station");
  auto spool = station::Spool::Open(dir + "/spool");
  if (!key.ok() || !spool.ok()) return 1;
  station::StationConfig config;
  config.biz_step = "receiving";
  config.read_point = "urn:epc:id:sgln:0614141.00777.0";
  auto st = station::Station::Create(config, *key, spool->get());
  if (!st.ok()) return 1;
  station::Station* s = st->get();
  auto listener = station::TcpListener::Start(
      "127.0.0.1", 0,
      [s](const std::vector<std::string>& lines, std::string_view src) {
        return s->HandleLines(lines, src);
      });
  if (!listener.ok()) return 1;

  const auto start = Clock::now();
  std::vector<std::thread> threads;
  std::vector<size_t> ok(scanners);
  const int per = scans / scanners;
  for (int c = 0; c < scanners; ++c) {
    threads.emplace_back(
        [&, c] { ok[c] = RunScanner((*listener)->port(), c * per, per); });
  }
  for (auto& t : threads) t.join();
  const double secs = Seconds(start);
  size_t total = 0;
  for (size_t n : ok) total += n;
  std::cout << "tcp input -> spool fsync: " << total << " scans from "
            << scanners << " pipelined scanners in " << secs
            << " s = " << static_cast<uint64_t>(total / secs)
            << " scans/s (each answered OK after fdatasync; group commit)\n";
  (*listener)->Stop();
  int rc = 0;
  if (std::filesystem::exists(node_bin)) {
    rc = Deliver(node_bin, dir, spool->get(), *key);
  } else {
    std::cout << "delivery: skipped (no ledger-node at " << node_bin << ")\n";
  }
  spool->reset();
  std::filesystem::remove_all(dir);
  return rc;
}
