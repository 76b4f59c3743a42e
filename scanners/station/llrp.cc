#include "scanners/station/llrp.h"

#include "ledger/bytes.h"

namespace station::llrp {

namespace {

using ledger::Result;
using ledger::Status;

void Put8(std::string* o, uint8_t v) { o->push_back(static_cast<char>(v)); }
void Put16(std::string* o, uint16_t v) {
  Put8(o, static_cast<uint8_t>(v >> 8));
  Put8(o, static_cast<uint8_t>(v));
}
void Put32(std::string* o, uint32_t v) {
  Put16(o, static_cast<uint16_t>(v >> 16));
  Put16(o, static_cast<uint16_t>(v));
}
void Put64(std::string* o, uint64_t v) {
  Put32(o, static_cast<uint32_t>(v >> 32));
  Put32(o, static_cast<uint32_t>(v));
}
uint16_t Get16(std::string_view s, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[at]) << 8) |
                               static_cast<uint8_t>(s[at + 1]));
}
uint32_t Get32(std::string_view s, size_t at) {
  return (static_cast<uint32_t>(Get16(s, at)) << 16) | Get16(s, at + 2);
}

// A TLV parameter: header, then `value`.
std::string Tlv(uint16_t type, std::string_view value) {
  std::string out;
  Put16(&out, type & 0x3ff);
  Put16(&out, static_cast<uint16_t>(4 + value.size()));
  out.append(value);
  return out;
}

// Value lengths of the TV parameters (LLRP 1.0.1 §16.2, type -> bytes after the
// type byte).
int TvLength(uint8_t type) {
  switch (type) {
    case 1:
      return 2;  // AntennaID
    case 2:
      return 8;  // FirstSeenTimestampUTC
    case 3:
      return 8;  // FirstSeenTimestampUptime
    case 4:
      return 8;  // LastSeenTimestampUTC
    case 5:
      return 8;  // LastSeenTimestampUptime
    case 6:
      return 1;  // PeakRSSI
    case 7:
      return 2;  // ChannelIndex
    case 8:
      return 2;  // TagSeenCount
    case 9:
      return 4;  // ROSpecID
    case 10:
      return 2;  // InventoryParameterSpecID
    case 11:
      return 2;  // C1G2-CRC
    case 12:
      return 2;  // C1G2-PC
    case 13:
      return 12;  // EPC-96
    case 14:
      return 2;  // SpecIndex
    case 15:
      return 2;  // ClientRequestOpSpecResult
    case 16:
      return 4;  // AccessSpecID
    case 17:
      return 2;  // OpSpecID
    case 18:
      return 4;  // C1G2SingulationDetails
    default:
      return -1;
  }
}

std::string AiSpec() {
  std::string ai;
  Put16(&ai, 1);  // AntennaCount
  Put16(&ai, 0);  // AntennaID 0: all antennas
  std::string stop;
  Put8(&stop, 0);   // AISpecStopTriggerType: Null (runs until the ROSpec stops)
  Put32(&stop, 0);  // DurationTrigger
  ai += Tlv(kAiSpecStopTrigger, stop);
  std::string inv;
  Put16(&inv, 1);  // InventoryParameterSpecID
  Put8(&inv, 1);   // ProtocolID: EPCGlobalClass1Gen2
  ai += Tlv(kInventoryParameterSpec, inv);
  return Tlv(kAiSpec, ai);
}

std::string RoReportSpec() {
  std::string selector;
  // Bits from the most significant: ROSpecID, SpecIndex,
  // InventoryParameterSpecID, AntennaID, ChannelIndex, PeakRSSI,
  // FirstSeenTimestamp, LastSeenTimestamp, TagSeenCount, AccessSpecID, 6
  // reserved.
  Put16(&selector, (1u << 12) | (1u << 9));  // AntennaID, FirstSeenTimestamp
  std::string spec;
  Put8(&spec, 1);   // ROReportTrigger: upon N tags or end of AISpec
  Put16(&spec, 1);  // N = 1: report every tag at once
  spec += Tlv(kTagReportContentSelector, selector);
  return Tlv(kRoReportSpec, spec);
}

std::string HexToBytes(std::string_view hex) {
  return ledger::FromHex(hex).value_or(std::string());
}

std::string UpperHex(std::string_view bytes) {
  std::string h = ledger::ToHex(bytes);
  for (char& c : h)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return h;
}

const Parameter* Find(const std::vector<Parameter>& ps, uint16_t type) {
  for (const auto& p : ps) {
    if (p.type == type) return &p;
  }
  return nullptr;
}

}  // namespace

std::string MessageTypeName(uint16_t type) {
  switch (type) {
    case kCloseConnectionResponse:
      return "CLOSE_CONNECTION_RESPONSE";
    case kCloseConnection:
      return "CLOSE_CONNECTION";
    case kAddRospec:
      return "ADD_ROSPEC";
    case kDeleteRospec:
      return "DELETE_ROSPEC";
    case kStartRospec:
      return "START_ROSPEC";
    case kStopRospec:
      return "STOP_ROSPEC";
    case kEnableRospec:
      return "ENABLE_ROSPEC";
    case kDisableRospec:
      return "DISABLE_ROSPEC";
    case kAddRospecResponse:
      return "ADD_ROSPEC_RESPONSE";
    case kDeleteRospecResponse:
      return "DELETE_ROSPEC_RESPONSE";
    case kStartRospecResponse:
      return "START_ROSPEC_RESPONSE";
    case kStopRospecResponse:
      return "STOP_ROSPEC_RESPONSE";
    case kEnableRospecResponse:
      return "ENABLE_ROSPEC_RESPONSE";
    case kDisableRospecResponse:
      return "DISABLE_ROSPEC_RESPONSE";
    case kRoAccessReport:
      return "RO_ACCESS_REPORT";
    case kKeepalive:
      return "KEEPALIVE";
    case kReaderEventNotification:
      return "READER_EVENT_NOTIFICATION";
    case kKeepaliveAck:
      return "KEEPALIVE_ACK";
    case kErrorMessage:
      return "ERROR_MESSAGE";
    default:
      return "type " + std::to_string(type);
  }
}

std::string EncodeMessage(const Message& m) {
  std::string out;
  Put16(&out, static_cast<uint16_t>((kVersion1_0_1 << 10) | (m.type & 0x3ff)));
  Put32(&out, static_cast<uint32_t>(kHeaderBytes + m.body.size()));
  Put32(&out, m.id);
  out += m.body;
  return out;
}

Result<std::optional<std::pair<Message, size_t>>> DecodeMessage(
    std::string_view buf) {
  if (buf.size() < kHeaderBytes)
    return std::optional<std::pair<Message, size_t>>();
  const uint16_t first = Get16(buf, 0);
  const int version = (first >> 10) & 0x7;
  if (version != kVersion1_0_1) {
    return Status::InvalidArgument("LLRP header: version " +
                                   std::to_string(version) +
                                   ", want 1 (LLRP 1.0.1)");
  }
  const uint32_t length = Get32(buf, 2);
  if (length < kHeaderBytes || length > kMaxMessageBytes) {
    return Status::InvalidArgument("LLRP header: message length " +
                                   std::to_string(length) + " outside [10, " +
                                   std::to_string(kMaxMessageBytes) + "]");
  }
  if (buf.size() < length) return std::optional<std::pair<Message, size_t>>();
  Message m;
  m.type = first & 0x3ff;
  m.id = Get32(buf, 6);
  m.body = std::string(buf.substr(kHeaderBytes, length - kHeaderBytes));
  return std::optional<std::pair<Message, size_t>>(
      std::make_pair(std::move(m), length));
}

Result<std::vector<Parameter>> ParseParameters(std::string_view bytes) {
  std::vector<Parameter> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const std::string at = "parameter at byte " + std::to_string(pos);
    const uint8_t b = static_cast<uint8_t>(bytes[pos]);
    if (b & 0x80) {
      const uint8_t type = b & 0x7f;
      const int len = TvLength(type);
      if (len < 0)
        return Status::InvalidArgument(at + ": unknown TV type " +
                                       std::to_string(type));
      if (pos + 1 + static_cast<size_t>(len) > bytes.size()) {
        return Status::InvalidArgument(at + ": TV type " +
                                       std::to_string(type) + " truncated");
      }
      out.push_back(
          {type, true, pos, bytes.substr(pos + 1, static_cast<size_t>(len))});
      pos += 1 + static_cast<size_t>(len);
      continue;
    }
    if (pos + 4 > bytes.size())
      return Status::InvalidArgument(at + ": TLV header truncated");
    const uint16_t type = Get16(bytes, pos) & 0x3ff;
    const uint16_t len = Get16(bytes, pos + 2);
    if (len < 4 || pos + len > bytes.size()) {
      return Status::InvalidArgument(at + ": TLV type " + std::to_string(type) +
                                     " length " + std::to_string(len) +
                                     " does not fit");
    }
    out.push_back({type, false, pos, bytes.substr(pos + 4, len - 4)});
    pos += len;
  }
  return out;
}

Message AddRospec(uint32_t message_id, uint32_t rospec_id) {
  std::string start;
  Put8(&start, 0);  // ROSpecStartTriggerType: Null (START_ROSPEC starts it)
  std::string stop;
  Put8(&stop, 0);   // ROSpecStopTriggerType: Null
  Put32(&stop, 0);  // DurationTriggerValue
  const std::string boundary =
      Tlv(kRoBoundarySpec,
          Tlv(kRospecStartTrigger, start) + Tlv(kRospecStopTrigger, stop));
  std::string rospec;
  Put32(&rospec, rospec_id);
  Put8(&rospec, 0);  // Priority
  Put8(&rospec, 0);  // CurrentState: Disabled
  rospec += boundary + AiSpec() + RoReportSpec();
  return {kAddRospec, message_id, Tlv(kRospec, rospec)};
}

Message RospecCommand(uint16_t type, uint32_t message_id, uint32_t rospec_id) {
  std::string body;
  Put32(&body, rospec_id);
  return {type, message_id, body};
}

Message KeepaliveAck(uint32_t message_id) {
  return {kKeepaliveAck, message_id, ""};
}
Message Keepalive(uint32_t message_id) { return {kKeepalive, message_id, ""}; }

Message StatusResponse(uint16_t type, uint32_t message_id, uint16_t status_code,
                       std::string_view description) {
  std::string status;
  Put16(&status, status_code);
  Put16(&status, static_cast<uint16_t>(description.size()));
  status.append(description);
  return {type, message_id, Tlv(kLlrpStatus, status)};
}

Message ConnectionAttempt(uint32_t message_id, uint64_t utc_micros,
                          uint16_t status) {
  std::string ts;
  Put64(&ts, utc_micros);
  std::string event;
  Put16(&event, status);
  return {kReaderEventNotification, message_id,
          Tlv(kReaderEventNotificationData,
              Tlv(kUtcTimestamp, ts) + Tlv(kConnectionAttemptEvent, event))};
}

Message RoAccessReport(uint32_t message_id, const std::vector<TagRead>& tags) {
  std::string body;
  for (const auto& t : tags) {
    const std::string epc = HexToBytes(t.epc_hex);
    std::string data;
    if (t.as_epc96) {
      Put8(&data, 0x80 | kEpc96Tv);
      data += epc;
    } else {
      std::string value;
      Put16(&value, static_cast<uint16_t>(epc.size() * 8));  // EPCLengthBits
      value += epc;
      data += Tlv(kEpcData, value);
    }
    if (t.antenna != 0) {
      Put8(&data, 0x80 | kAntennaIdTv);
      Put16(&data, t.antenna);
    }
    body += Tlv(kTagReportData, data);
  }
  return {kRoAccessReport, message_id, body};
}

Result<LlrpStatus> ParseStatus(std::string_view body) {
  auto ps = ParseParameters(body);
  if (!ps.ok()) return ps.status();
  const Parameter* p = Find(*ps, kLlrpStatus);
  if (p == nullptr) return Status::InvalidArgument("LLRPStatus: missing");
  if (p->value.size() < 4)
    return Status::InvalidArgument("LLRPStatus: truncated");
  LlrpStatus s;
  s.code = Get16(p->value, 0);
  const uint16_t n = Get16(p->value, 2);
  if (4u + n > p->value.size()) {
    return Status::InvalidArgument("LLRPStatus: ErrorDescription length " +
                                   std::to_string(n) + " does not fit");
  }
  s.description = std::string(p->value.substr(4, n));
  return s;
}

Result<std::optional<uint16_t>> ParseConnectionAttempt(std::string_view body,
                                                       bool* closed) {
  auto ps = ParseParameters(body);
  if (!ps.ok()) return ps.status();
  const Parameter* data = Find(*ps, kReaderEventNotificationData);
  if (data == nullptr)
    return Status::InvalidArgument("ReaderEventNotificationData: missing");
  auto inner = ParseParameters(data->value);
  if (!inner.ok())
    return inner.status().WithPrefix("ReaderEventNotificationData");
  if (closed != nullptr)
    *closed = Find(*inner, kConnectionCloseEvent) != nullptr;
  const Parameter* attempt = Find(*inner, kConnectionAttemptEvent);
  if (attempt == nullptr) return std::optional<uint16_t>();
  if (attempt->value.size() < 2) {
    return Status::InvalidArgument("ConnectionAttemptEvent: truncated");
  }
  return std::optional<uint16_t>(Get16(attempt->value, 0));
}

Result<std::vector<TagRead>> ParseRoAccessReport(std::string_view body) {
  auto ps = ParseParameters(body);
  if (!ps.ok()) return ps.status().WithPrefix("RO_ACCESS_REPORT");
  std::vector<TagRead> out;
  for (const auto& p : *ps) {
    if (p.type != kTagReportData) continue;
    const std::string where =
        "TagReportData at byte " + std::to_string(p.offset);
    auto inner = ParseParameters(p.value);
    if (!inner.ok()) return inner.status().WithPrefix(where);
    TagRead t;
    if (const Parameter* e = Find(*inner, kEpc96Tv)) {
      t.epc_hex = UpperHex(e->value);
    } else if (const Parameter* d = Find(*inner, kEpcData)) {
      if (d->value.size() < 2)
        return Status::InvalidArgument(where + ": EPCData truncated");
      const uint16_t bits = Get16(d->value, 0);
      const size_t bytes = (bits + 7u) / 8u;
      if (2 + bytes > d->value.size()) {
        return Status::InvalidArgument(where + ": EPCData of " +
                                       std::to_string(bits) +
                                       " bits does not fit");
      }
      t.epc_hex = UpperHex(d->value.substr(2, bytes));
      t.as_epc96 = false;
    } else {
      return Status::InvalidArgument(where +
                                     ": no EPC-96 or EPCData parameter");
    }
    if (const Parameter* a = Find(*inner, kAntennaIdTv))
      t.antenna = Get16(a->value, 0);
    out.push_back(std::move(t));
  }
  return out;
}

Result<uint32_t> ParseRospecId(const Message& m) {
  if (m.type == kAddRospec) {
    auto ps = ParseParameters(m.body);
    if (!ps.ok()) return ps.status().WithPrefix("ADD_ROSPEC");
    const Parameter* r = Find(*ps, kRospec);
    if (r == nullptr || r->value.size() < 6) {
      return Status::InvalidArgument("ADD_ROSPEC: no ROSpec parameter");
    }
    return Get32(r->value, 0);
  }
  if (m.body.size() != 4) {
    return Status::InvalidArgument(MessageTypeName(m.type) + ": body of " +
                                   std::to_string(m.body.size()) +
                                   " bytes, want the 4-byte ROSpecID");
  }
  return Get32(m.body, 0);
}

}  // namespace station::llrp
