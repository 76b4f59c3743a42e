#include "scanners/station/station_cli.h"

#include <csignal>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/keys.h"
#include "scanners/station/config.h"
#include "scanners/station/forwarder.h"
#include "scanners/station/inputs.h"
#include "scanners/station/llrp_client.h"
#include "scanners/station/spool.h"
#include "scanners/station/station.h"

namespace station {

namespace {

using json = nlohmann::json;

constexpr std::string_view kRunUsage =
    "usage: ledger-scan run --config station.json\n"
    "\n"
    "Runs the scanning station: reads scans from the configured inputs (tcp, "
    "llrp, serial,\n"
    "stdin), answers each with \"OK <eventId>\" once its signed EPCIS event is "
    "in the spool, or\n"
    "\"ERR <reason>\", and delivers the spool to the node. Stops on SIGINT or "
    "SIGTERM.\n"
    "See scanners/station/README.md for the configuration file.\n";

constexpr std::string_view kStatusUsage =
    "usage: ledger-scan status (--config station.json | --spool DIR)\n"
    "\n"
    "Prints the spool's queue depth and oldest undelivered scan as one JSON "
    "object.\n";

// Parses "--name value" pairs; returns false (after printing why) on anything
// else.
bool ParseFlags(const std::vector<std::string_view>& args,
                std::string_view command, std::string_view usage,
                std::vector<std::pair<std::string, std::string*>> flags,
                bool* help) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      *help = true;
      return true;
    }
    bool known = false;
    for (auto& [name, out] : flags) {
      if (args[i] == name) {
        if (i + 1 >= args.size()) {
          std::cerr << "ledger-scan " << command << ": " << name
                    << " needs a value\n";
          return false;
        }
        *out = std::string(args[++i]);
        known = true;
      }
    }
    if (!known) {
      std::cerr << "ledger-scan " << command << ": unknown option '" << args[i]
                << "'\n"
                << usage;
      return false;
    }
  }
  return true;
}

// The running station: everything `run` starts, stopped in reverse order.
struct Running {
  std::unique_ptr<Spool> spool;
  std::unique_ptr<Station> station;
  std::unique_ptr<Forwarder> forwarder;
  std::vector<std::unique_ptr<TcpListener>> listeners;
  std::vector<std::unique_ptr<LlrpClient>> readers;
  std::vector<std::unique_ptr<FdLineReader>> line_readers;

  ~Running() {
    for (auto& r : line_readers) r->Stop();
    for (auto& r : readers) r->Stop();
    for (auto& l : listeners) l->Stop();
    if (forwarder) forwarder->Stop();
  }
};

int StartInputs(const StationConfig& config, Running* run) {
  Station* station = run->station.get();
  LineHandler handler = [station](const std::vector<std::string>& lines,
                                  std::string_view source) {
    return station->HandleLines(lines, source);
  };
  for (const auto& in : config.inputs) {
    switch (in.kind) {
      case InputSpec::Kind::kTcp: {
        auto l = TcpListener::Start(in.host, in.port, handler);
        if (!l.ok()) {
          std::cerr << "ledger-scan run: tcp input: " << l.status().message()
                    << "\n";
          return 1;
        }
        std::cerr << "ledger-scan run: tcp input listening on " << in.host
                  << ":" << (*l)->port() << std::endl;
        run->listeners.push_back(std::move(*l));
        break;
      }
      case InputSpec::Kind::kLlrp: {
        LlrpClientOptions o;
        o.host = in.host;
        o.port = in.port;
        o.max_backoff_ms = config.llrp_retry_max_ms;
        const std::string source =
            "llrp " + in.host + ":" + std::to_string(in.port);
        auto client = std::make_unique<LlrpClient>(
            o, [station, source](const llrp::TagRead& t) {
              auto answer = station->HandleTag(t.epc_hex, source);
              if (answer && answer->rfind("ERR", 0) == 0)
                std::cerr << source << ": " << *answer << "\n";
            });
        client->Start();
        run->readers.push_back(std::move(client));
        break;
      }
      case InputSpec::Kind::kSerial: {
        auto r = FdLineReader::OpenSerial(in.device, handler);
        if (!r.ok()) {
          std::cerr << "ledger-scan run: serial input: " << r.status().message()
                    << "\n";
          return 1;
        }
        run->line_readers.push_back(std::move(*r));
        break;
      }
      case InputSpec::Kind::kStdin:
        run->line_readers.push_back(FdLineReader::ForStdin(handler));
        break;
    }
  }
  return 0;
}

}  // namespace

int RunCommand(const std::vector<std::string_view>& args) {
  std::string config_path;
  bool help = false;
  if (!ParseFlags(args, "run", kRunUsage, {{"--config", &config_path}}, &help))
    return 2;
  if (help) {
    std::cout << kRunUsage;
    return 0;
  }
  if (config_path.empty()) {
    std::cerr << "ledger-scan run: --config is required\n" << kRunUsage;
    return 2;
  }
  auto config = ReadStationConfig(config_path);
  if (!config.ok()) {
    std::cerr << "ledger-scan run: " << config.status().message() << "\n";
    return 2;
  }
  auto key = ledger::ReadPrivateKeyFile(config->key_file);
  if (!key.ok()) {
    std::cerr << "ledger-scan run: key: " << key.status().message() << "\n";
    return 1;
  }
  // Signals are taken by sigwait below; every thread started from here inherits
  // the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Running run;
  auto spool = Spool::Open(config->spool_dir);
  if (!spool.ok()) {
    std::cerr << "ledger-scan run: spool: " << spool.status().message() << "\n";
    return 1;
  }
  run.spool = std::move(*spool);
  if (run.spool->recovered_torn_bytes() > 0) {
    std::cerr << "ledger-scan run: spool: dropped a torn tail of "
              << run.spool->recovered_torn_bytes()
              << " bytes (a scan that was never acknowledged)\n";
  }
  auto station = Station::Create(*config, std::move(*key), run.spool.get());
  if (!station.ok()) {
    std::cerr << "ledger-scan run: " << station.status().message() << "\n";
    return 2;
  }
  run.station = std::move(*station);
  run.forwarder = std::make_unique<Forwarder>(
      run.spool.get(),
      NodeEndpoint{config->node_host, config->node_port, config->token, 10000},
      static_cast<size_t>(config->batch_size), config->retry_initial_ms,
      config->retry_max_ms);
  Forwarder* forwarder = run.forwarder.get();
  run.station->SetOnSpooled([forwarder] { forwarder->Notify(); });
  run.forwarder->Start();
  if (int rc = StartInputs(*config, &run); rc != 0) return rc;
  std::cerr << "ledger-scan run: station ready (" << run.spool->pending_count()
            << " scans waiting for delivery)" << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "ledger-scan run: stopping on signal " << sig << "\n";
  return 0;
}

int StatusCommand(const std::vector<std::string_view>& args) {
  std::string config_path, spool_dir;
  bool help = false;
  if (!ParseFlags(args, "status", kStatusUsage,
                  {{"--config", &config_path}, {"--spool", &spool_dir}},
                  &help)) {
    return 2;
  }
  if (help) {
    std::cout << kStatusUsage;
    return 0;
  }
  if (config_path.empty() == spool_dir.empty()) {
    std::cerr
        << "ledger-scan status: give exactly one of --config and --spool\n"
        << kStatusUsage;
    return 2;
  }
  if (!config_path.empty()) {
    auto config = ReadStationConfig(config_path);
    if (!config.ok()) {
      std::cerr << "ledger-scan status: " << config.status().message() << "\n";
      return 2;
    }
    spool_dir = config->spool_dir;
  }
  auto inspection = InspectSpool(spool_dir);
  if (!inspection.ok()) {
    std::cerr << "ledger-scan status: " << inspection.status().message()
              << "\n";
    return 1;
  }
  json out = {{"spool", spool_dir},
              {"pending", inspection->pending.size()},
              {"delivered", inspection->cursor.delivered},
              {"spoolBytes", inspection->file_bytes},
              {"tornTailBytes", inspection->torn_tail_bytes},
              {"oldestPending", nullptr}};
  if (!inspection->pending.empty()) {
    const json record =
        json::parse(inspection->pending.front().payload, nullptr, false);
    json oldest = {{"offset", inspection->pending.front().offset}};
    for (const char* k : {"eventId", "receivedAt", "input", "scan"}) {
      if (record.is_object() && record.contains(k)) oldest[k] = record[k];
    }
    out["oldestPending"] = oldest;
  }
  std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace station
