#include "scanners/station/station.h"

#include <chrono>

#include "ledger/envelope.h"
#include "ledger/epcis.h"
#include "scanners/epc_binary.h"
#include "scanners/scan.h"
#include "scanners/station/packing_session.h"

namespace station {

namespace {

using json = nlohmann::json;
using ledger::Result;
using ledger::Status;

int YearOf(int64_t unix_ms) {
  return std::stoi(FormatEventTime(unix_ms).substr(0, 4));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' ||
                        s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  return s;
}

}  // namespace

Clock Clock::System() {
  return Clock{[] {
                 return std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                     .count();
               },
               [] {
                 return std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                     .count();
               }};
}

Station::Station(StationConfig config, ledger::SigningKey key, Spool* spool,
                 Clock clock)
    : config_(std::move(config)),
      key_(std::move(key)),
      spool_(spool),
      clock_(std::move(clock)) {}

Result<std::unique_ptr<Station>> Station::Create(const StationConfig& config,
                                                 ledger::SigningKey key,
                                                 Spool* spool, Clock clock) {
  // A probe event with every configured member: a bad readPoint, bizLocation or
  // party fails here, naming the member.
  Identified probe{false, false,
                   "https://id.gs1.org/01/09506000134352/21/probe", "", ""};
  StationConfig object_config = config;
  if (object_config.biz_step.empty()) object_config.biz_step = "packing";
  auto checked = ledger::epcis::ValidateEvent(
      BuildObjectEvent(object_config, probe, clock.unix_ms()));
  if (!checked.ok())
    return checked.status().WithPrefix("station config makes invalid events");
  std::unique_ptr<Station> station(
      new Station(config, std::move(key), spool, std::move(clock)));
  if (config.mode == StationMode::kPacking) {
    auto session = LoadPackingSession(spool->dir());
    if (!session.ok()) return session.status();
    if (*session) {
      station->parent_ = (*session)->parent;
      station->children_ = std::move((*session)->children);
      station->close_time_ms_ = (*session)->close_time_ms;
    }
  }
  return station;
}

Status Station::SaveSession() {
  std::optional<PackingSession> session;
  if (parent_) session = PackingSession{*parent_, children_, close_time_ms_};
  return SavePackingSession(spool_->dir(), session);
}

StationCounters Station::counters() const { return {good_, bad_, suppressed_}; }

std::string Station::Bad(const std::string& reason) {
  ++bad_;
  return "ERR " + reason;
}

std::string Station::HandleLine(std::string_view line, std::string_view input) {
  if (config_.mode == StationMode::kPacking)
    return HandlePackingLine(line, input);
  return HandleLines({std::string(line)}, input).front();
}

std::vector<std::string> Station::HandleLines(
    const std::vector<std::string>& lines, std::string_view input) {
  std::vector<std::string> answers;
  if (config_.mode == StationMode::kPacking) {
    for (const auto& line : lines)
      answers.push_back(HandlePackingLine(line, input));
    return answers;
  }
  std::vector<Prepared> prepared;
  std::vector<std::string> payloads;
  for (const auto& line : lines) {
    prepared.push_back(PrepareObjectLine(line, input));
    if (prepared.back().error.empty())
      payloads.push_back(std::move(prepared.back().payload));
  }
  const Status st =
      payloads.empty() ? Status::OK() : spool_->AppendBatch(payloads);
  for (const auto& p : prepared) {
    if (!p.error.empty()) {
      answers.push_back(Bad(p.error));
    } else if (!st.ok()) {
      answers.push_back(Bad("spool: " + st.message()));
    } else {
      ++good_;
      answers.push_back("OK " + p.event_id);
    }
  }
  if (st.ok() && !payloads.empty() && on_spooled_) on_spooled_();
  return answers;
}

Station::Prepared Station::PrepareObjectLine(std::string_view line,
                                             std::string_view input) {
  const std::string data = scanners::DecodeGsEscapes(Trim(line));
  if (data.empty()) return {"empty scan", "", ""};
  auto scan = scanners::ParseScan(data, YearOf(clock_.unix_ms()));
  if (!scan.ok()) return {scan.status().message(), "", ""};
  auto what = IdentifyBarcode(*scan);
  if (!what.ok()) return {what.status().message(), "", ""};
  Prepared p =
      Prepare(BuildObjectEvent(config_, *what, clock_.unix_ms()), data, input);
  if (!p.error.empty() && what->is_hibc) {
    // The event validator decides whether non-GS1 identifiers are accepted.
    p.error = "HIBC " + data + ": cannot be recorded as " + what->uri + ": " +
              p.error;
  }
  return p;
}

std::string Station::HandlePackingLine(std::string_view line,
                                       std::string_view input) {
  const std::string data = scanners::DecodeGsEscapes(Trim(line));
  if (data.empty()) return Bad("empty scan");
  if (data == config_.close_command) return CloseParent(data, input);
  auto scan = scanners::ParseScan(data, YearOf(clock_.unix_ms()));
  if (!scan.ok()) return Bad(scan.status().message());
  auto what = IdentifyBarcode(*scan);
  if (!what.ok()) return Bad(what.status().message());
  return HandlePacking(*what);
}

std::optional<std::string> Station::HandleTag(std::string_view epc_hex,
                                              std::string_view input) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = clock_.monotonic_ms();
    auto [it, inserted] = last_seen_.try_emplace(std::string(epc_hex), now);
    if (!inserted) {
      const bool repeat = now - it->second < config_.rfid_repeat_window_ms;
      it->second = now;
      if (repeat) {
        ++suppressed_;
        return std::nullopt;
      }
    }
    if (last_seen_.size() >
        100000) {  // bound the filter: forget tags outside the window
      std::erase_if(last_seen_, [&](const auto& kv) {
        return now - kv.second >= config_.rfid_repeat_window_ms;
      });
    }
  }
  auto tag = scanners::DecodeEpcHex(epc_hex);
  if (!tag.ok())
    return Bad("EPC " + std::string(epc_hex) + ": " + tag.status().message());
  return HandleIdentified(IdentifyTag(*tag), epc_hex, input);
}

std::string Station::HandleIdentified(const Identified& what,
                                      std::string_view raw,
                                      std::string_view input) {
  if (config_.mode == StationMode::kPacking) return HandlePacking(what);
  return Commit(BuildObjectEvent(config_, what, clock_.unix_ms()), raw, input);
}

std::string Station::HandlePacking(const Identified& what) {
  if (what.is_hibc) {
    // A child the validator refuses would make the close fail: refuse it now.
    auto probe = ledger::epcis::ValidateEvent(
        BuildObjectEvent(config_, what, clock_.unix_ms()));
    if (!probe.ok()) {
      return Bad("HIBC child cannot be recorded as " + what.uri + ": " +
                 probe.status().message());
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!parent_) {
    if (!what.is_logistic_unit) {
      return Bad("no open parent: scan the SSCC of the case or pallet first (" +
                 what.uri + ")");
    }
    parent_ = what;
    children_.clear();
    close_time_ms_.reset();
    if (Status st = SaveSession(); !st.ok()) {
      parent_.reset();
      return Bad("packing session: " + st.message());
    }
    ++good_;
    return "OK OPEN " + what.uri;
  }
  if (what.uri == parent_->uri) return Bad(what.uri + " is the open parent");
  if (!what.is_class) {
    for (const auto& c : children_) {
      if (c.uri == what.uri)
        return Bad(what.uri + " is already packed in " + parent_->uri);
    }
  }
  children_.push_back(what);
  const auto close_time = close_time_ms_;
  close_time_ms_.reset();  // a new child makes a new aggregation
  if (Status st = SaveSession(); !st.ok()) {
    children_.pop_back();
    close_time_ms_ = close_time;
    return Bad("packing session: " + st.message());
  }
  ++good_;
  return "OK ADDED " + std::to_string(children_.size());
}

std::string Station::CloseParent(std::string_view raw, std::string_view input) {
  Identified parent;
  std::vector<Identified> children;
  int64_t event_time = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!parent_) return Bad("nothing to close: no open parent");
    if (children_.empty())
      return Bad("nothing to close: " + parent_->uri + " has no children");
    parent = *parent_;
    children = children_;
    // The event time is saved before the event is spooled: a close repeated
    // after a crash rebuilds the same event (same eventId, stored once).
    if (!close_time_ms_) {
      close_time_ms_ = clock_.unix_ms();
      if (Status st = SaveSession(); !st.ok()) {
        close_time_ms_.reset();
        return Bad("packing session: " + st.message());
      }
    }
    event_time = *close_time_ms_;
  }
  std::string answer = Commit(
      BuildAggregationEvent(config_, parent, children, event_time), raw, input);
  if (answer.rfind("OK ", 0) == 0) {
    std::lock_guard<std::mutex> lock(mu_);
    if (parent_ && parent_->uri == parent.uri) {
      parent_.reset();
      children_.clear();
      close_time_ms_.reset();
      // The event is spooled; should this fail, the saved session only makes
      // a repeated close answer with the same eventId.
      if (Status st = SaveSession(); !st.ok()) {
        return answer + " (packing session: " + st.message() + ")";
      }
    }
  }
  return answer;
}

Station::Prepared Station::Prepare(const json& event, std::string_view raw,
                                   std::string_view input) {
  auto facts = ledger::epcis::ValidateEvent(event);
  if (!facts.ok()) return {facts.status().message(), "", ""};
  auto canonical = ledger::CanonicalEventBytes(event);
  if (!canonical.ok()) return {canonical.status().message(), "", ""};
  auto envelope = ledger::SignEvent(event, key_);
  if (!envelope.ok()) return {envelope.status().message(), "", ""};
  Prepared p;
  p.event_id = ledger::EventIdFromCanonical(*canonical);
  json record = {{"eventId", p.event_id},
                 {"receivedAt", FormatEventTime(clock_.unix_ms())},
                 {"input", std::string(input)},
                 {"scan", std::string(raw)},
                 {"envelope", envelope->ToJson()}};
  // Invalid UTF-8 in the raw scan is replaced, not fatal: the envelope is what
  // counts.
  p.payload = record.dump(-1, ' ', false, json::error_handler_t::replace);
  return p;
}

std::string Station::Commit(const json& event, std::string_view raw,
                            std::string_view input) {
  Prepared p = Prepare(event, raw, input);
  if (!p.error.empty()) return Bad(p.error);
  Status st = spool_->Append(p.payload);
  if (!st.ok()) return Bad("spool: " + st.message());
  ++good_;
  if (on_spooled_) on_spooled_();
  return "OK " + p.event_id;
}

}  // namespace station
