#include "scanners/station/config.h"

#include <fstream>
#include <set>
#include <sstream>

#include "ledger/epcis.h"
#include "ledger/jcs.h"

namespace station {

namespace {

using json = nlohmann::json;
using ledger::Result;
using ledger::Status;

Status CheckKeys(const json& obj, const std::string& path,
                 const std::set<std::string>& allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!allowed.count(it.key())) {
      return Status::InvalidArgument(path + it.key() + ": unknown key");
    }
  }
  return Status::OK();
}

Status GetString(const json& obj, const std::string& key, bool required,
                 std::string* out) {
  if (!obj.contains(key)) {
    return required ? Status::InvalidArgument(key + ": required")
                    : Status::OK();
  }
  const json& v = obj[key];
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
    return Status::InvalidArgument(key + ": want a non-empty string");
  }
  *out = v.get<std::string>();
  return Status::OK();
}

Status GetInt(const json& obj, const std::string& key, int64_t min, int64_t max,
              int64_t* out) {
  if (!obj.contains(key)) return Status::OK();
  const json& v = obj[key];
  if (!v.is_number_integer() || v.get<int64_t>() < min ||
      v.get<int64_t>() > max) {
    return Status::InvalidArgument(key + ": want an integer in [" +
                                   std::to_string(min) + ", " +
                                   std::to_string(max) + "]");
  }
  *out = v.get<int64_t>();
  return Status::OK();
}

Result<InputSpec> ParseInput(const json& in, const std::string& path) {
  if (!in.is_object() || in.size() != 1) {
    return Status::InvalidArgument(
        path +
        ": want one of {\"tcp\": \"host:port\"}, {\"llrp\": \"host:port\"}, "
        "{\"serial\": \"/dev/...\"}, {\"stdin\": true}");
  }
  const std::string kind = in.begin().key();
  const json& v = in.begin().value();
  InputSpec spec;
  if (kind == "tcp" || kind == "llrp") {
    spec.kind = kind == "tcp" ? InputSpec::Kind::kTcp : InputSpec::Kind::kLlrp;
    if (!v.is_string())
      return Status::InvalidArgument(path + "." + kind +
                                     ": want \"host:port\"");
    std::string value = v.get<std::string>();
    if (kind == "llrp" && value.find(':') == std::string::npos)
      value += ":5084";
    LEDGER_RETURN_IF_ERROR(
        ParseHostPort(value, path + "." + kind, &spec.host, &spec.port));
    if (kind == "llrp" && spec.port == 0) {
      return Status::InvalidArgument(path +
                                     ".llrp: port 0 is not a reader's port");
    }
  } else if (kind == "serial") {
    spec.kind = InputSpec::Kind::kSerial;
    if (!v.is_string() || v.get<std::string>().empty()) {
      return Status::InvalidArgument(
          path + ".serial: want a device path such as /dev/ttyACM0");
    }
    spec.device = v.get<std::string>();
  } else if (kind == "stdin") {
    spec.kind = InputSpec::Kind::kStdin;
    if (!v.is_boolean() || !v.get<bool>()) {
      return Status::InvalidArgument(path + ".stdin: want true");
    }
  } else {
    return Status::InvalidArgument(
        path + "." + kind + ": unknown key (want tcp, llrp, serial or stdin)");
  }
  return spec;
}

Result<std::vector<PartyRef>> ParseParties(const json& list,
                                           const std::string& key,
                                           const std::string& member) {
  if (!list.is_array()) return Status::InvalidArgument(key + ": want an array");
  std::vector<PartyRef> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = key + "[" + std::to_string(i) + "]";
    const json& p = list[i];
    if (!p.is_object())
      return Status::InvalidArgument(path + ": want an object");
    LEDGER_RETURN_IF_ERROR(CheckKeys(p, path + ".", {"type", member}));
    PartyRef ref;
    LEDGER_RETURN_IF_ERROR(
        GetString(p, "type", true, &ref.type).WithPrefix(path));
    LEDGER_RETURN_IF_ERROR(
        GetString(p, member, true, &ref.id).WithPrefix(path));
    out.push_back(ref);
  }
  return out;
}

Status ParseNodeUrl(StationConfig* c) {
  const std::string prefix = "http://";
  if (c->node_url.rfind(prefix, 0) != 0) {
    return Status::InvalidArgument("node: want \"http://host:port\" (got \"" +
                                   c->node_url + "\")");
  }
  std::string rest = c->node_url.substr(prefix.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos) {
    return Status::InvalidArgument(
        "node: want \"http://host:port\" without a path");
  }
  LEDGER_RETURN_IF_ERROR(
      ParseHostPort(rest, "node", &c->node_host, &c->node_port));
  if (c->node_port == 0) return Status::InvalidArgument("node: port 0");
  return Status::OK();
}

// Offsets as EPCIS writes them: "+HH:MM" / "-HH:MM".
bool IsTimeZoneOffset(const std::string& s) {
  return s.size() == 6 && (s[0] == '+' || s[0] == '-') && isdigit(s[1]) &&
         isdigit(s[2]) && s[3] == ':' && isdigit(s[4]) && isdigit(s[5]) &&
         (s[1] - '0') * 10 + (s[2] - '0') <= 14 && (s[4] - '0') < 6;
}

const std::set<std::string> kTopKeys = {"node",         "token",
                                        "key",          "spool",
                                        "bizLocation",  "readPoint",
                                        "bizStep",      "disposition",
                                        "inputs",       "rfidRepeatWindowMs",
                                        "sourceList",   "destinationList",
                                        "mode",         "action",
                                        "closeCommand", "timeZoneOffset",
                                        "batchSize",    "retryInitialMs",
                                        "retryMaxMs",   "llrpRetryMaxMs"};

Status ParseStrings(const json& j, StationConfig* c) {
  LEDGER_RETURN_IF_ERROR(GetString(j, "node", true, &c->node_url));
  LEDGER_RETURN_IF_ERROR(ParseNodeUrl(c));
  LEDGER_RETURN_IF_ERROR(GetString(j, "token", true, &c->token));
  LEDGER_RETURN_IF_ERROR(GetString(j, "key", true, &c->key_file));
  LEDGER_RETURN_IF_ERROR(GetString(j, "spool", true, &c->spool_dir));
  LEDGER_RETURN_IF_ERROR(GetString(j, "bizLocation", false, &c->biz_location));
  LEDGER_RETURN_IF_ERROR(GetString(j, "readPoint", false, &c->read_point));
  LEDGER_RETURN_IF_ERROR(
      GetString(j, "closeCommand", false, &c->close_command));
  LEDGER_RETURN_IF_ERROR(
      GetString(j, "timeZoneOffset", false, &c->time_zone_offset));
  if (!IsTimeZoneOffset(c->time_zone_offset)) {
    return Status::InvalidArgument("timeZoneOffset: want +HH:MM or -HH:MM");
  }
  std::string mode = "object";
  LEDGER_RETURN_IF_ERROR(GetString(j, "mode", false, &mode));
  if (mode != "object" && mode != "packing") {
    return Status::InvalidArgument(
        "mode: want \"object\" or \"packing\" (got \"" + mode + "\")");
  }
  c->mode = mode == "packing" ? StationMode::kPacking : StationMode::kObject;
  LEDGER_RETURN_IF_ERROR(GetString(j, "action", false, &c->action));
  if (c->action != "OBSERVE" && c->action != "ADD") {
    return Status::InvalidArgument("action: want \"OBSERVE\" or \"ADD\"");
  }
  c->biz_step = c->mode == StationMode::kPacking ? "packing" : "";
  LEDGER_RETURN_IF_ERROR(
      GetString(j, "bizStep", c->mode == StationMode::kObject, &c->biz_step));
  auto step = ledger::epcis::NormalizeBizStep(c->biz_step);
  if (!step.ok()) return step.status().WithPrefix("bizStep");
  LEDGER_RETURN_IF_ERROR(GetString(j, "disposition", false, &c->disposition));
  if (!c->disposition.empty()) {
    auto disp = ledger::epcis::NormalizeDisposition(c->disposition);
    if (!disp.ok()) return disp.status().WithPrefix("disposition");
  }
  return Status::OK();
}

Status ParseNumbers(const json& j, StationConfig* c) {
  LEDGER_RETURN_IF_ERROR(
      GetInt(j, "rfidRepeatWindowMs", 0, 86400000, &c->rfid_repeat_window_ms));
  int64_t batch = c->batch_size;
  LEDGER_RETURN_IF_ERROR(GetInt(j, "batchSize", 1, 1000, &batch));
  c->batch_size = static_cast<int>(batch);
  LEDGER_RETURN_IF_ERROR(
      GetInt(j, "retryInitialMs", 1, 3600000, &c->retry_initial_ms));
  LEDGER_RETURN_IF_ERROR(GetInt(j, "retryMaxMs", 1, 3600000, &c->retry_max_ms));
  LEDGER_RETURN_IF_ERROR(
      GetInt(j, "llrpRetryMaxMs", 1, 3600000, &c->llrp_retry_max_ms));
  if (c->retry_max_ms < c->retry_initial_ms) {
    return Status::InvalidArgument("retryMaxMs: smaller than retryInitialMs");
  }
  return Status::OK();
}

}  // namespace

Status ParseHostPort(const std::string& value, const std::string& what,
                     std::string* host, uint16_t* port) {
  const size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
    return Status::InvalidArgument(what + ": want \"host:port\" (got \"" +
                                   value + "\")");
  }
  std::string h = value.substr(0, colon);
  if (h.front() == '[') {
    if (h.back() != ']')
      return Status::InvalidArgument(what + ": unbalanced '[' in host");
    h = h.substr(1, h.size() - 2);
  }
  const std::string p = value.substr(colon + 1);
  if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(p) > 65535) {
    return Status::InvalidArgument(what + ": port \"" + p +
                                   "\" is not 0..65535");
  }
  *host = h;
  *port = static_cast<uint16_t>(std::stoul(p));
  return Status::OK();
}

Result<StationConfig> ParseStationConfig(const std::string& text) {
  auto parsed = ledger::ParseJsonStrict(text);
  if (!parsed.ok()) return parsed.status();
  const json& j = *parsed;
  if (!j.is_object())
    return Status::InvalidArgument("station config: want a JSON object");
  LEDGER_RETURN_IF_ERROR(CheckKeys(j, "", kTopKeys));
  StationConfig c;
  LEDGER_RETURN_IF_ERROR(ParseStrings(j, &c));
  LEDGER_RETURN_IF_ERROR(ParseNumbers(j, &c));
  if (!j.contains("inputs") || !j["inputs"].is_array() || j["inputs"].empty()) {
    return Status::InvalidArgument("inputs: want a non-empty array");
  }
  int stdin_count = 0;
  for (size_t i = 0; i < j["inputs"].size(); ++i) {
    auto in = ParseInput(j["inputs"][i], "inputs[" + std::to_string(i) + "]");
    if (!in.ok()) return in.status();
    if (in->kind == InputSpec::Kind::kStdin && ++stdin_count > 1) {
      return Status::InvalidArgument("inputs[" + std::to_string(i) +
                                     "].stdin: given twice");
    }
    c.inputs.push_back(*in);
  }
  if (j.contains("sourceList")) {
    auto l = ParseParties(j["sourceList"], "sourceList", "source");
    if (!l.ok()) return l.status();
    c.source_list = *l;
  }
  if (j.contains("destinationList")) {
    auto l =
        ParseParties(j["destinationList"], "destinationList", "destination");
    if (!l.ok()) return l.status();
    c.destination_list = *l;
  }
  return c;
}

Result<StationConfig> ReadStationConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  auto c = ParseStationConfig(text.str());
  if (!c.ok()) return c.status().WithPrefix(path);
  return c;
}

}  // namespace station
