// Test helpers shared by the api/ unit tests (header only; not part of the
// library): a sample event and a real Log in a fresh temporary directory with
// participant "acme" registered.
#ifndef UDI_API_API_TESTING_H_
#define UDI_API_API_TESTING_H_

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/keys.h"
#include "ledger/log.h"
#include "ledger/status.h"

namespace api::test_util {

// An OBSERVE/shipping ObjectEvent of the SGTIN 0614141.107346.<serial>.
inline nlohmann::json MakeEvent(const std::string& serial) {
  return {{"type", "ObjectEvent"},
          {"eventTime", "2026-11-26T10:00:00.000Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"action", "OBSERVE"},
          {"epcList", {"urn:epc:id:sgtin:0614141.107346." + serial}},
          {"bizStep", "shipping"}};
}

// A log with origin `origin` in a new temporary directory (removed by the
// destructor, after the log is closed), its registry holding "acme"
// (GLN 0614141000005, manufacturer) with key `acme`.
struct AcmeLog {
  std::string dir;
  std::unique_ptr<ledger::Log> log;
  ledger::SigningKey acme;

  ledger::Status Open(const std::string& origin) {
    std::string tmpl = "/tmp/udi-" + origin + "-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      return ledger::Status::Internal("mkdtemp " + tmpl + " failed");
    }
    dir = tmpl;
    ledger::LogOptions o;
    o.data_dir = dir + "/log";
    o.origin = origin;
    o.key = *ledger::SigningKey::Generate(origin);
    auto opened = ledger::Log::Open(std::move(o));
    if (!opened.ok()) return opened.status();
    log = std::move(*opened);
    acme = *ledger::SigningKey::Generate("acme");
    ledger::Participant p{"0614141000005", "acme", "manufacturer",
                          acme.verifier().ToText(), false};
    return log->AppendParticipant(p, 1).status();
  }
  ~AcmeLog() {
    log.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

}  // namespace api::test_util

#endif  // UDI_API_API_TESTING_H_
