#include "scanners/station/llrp.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "ledger/bytes.h"
#include "scanners/station/station_testing.h"

namespace station::llrp {
namespace {

// name -> message bytes, from testdata/llrp_vectors.txt.
std::map<std::string, std::string> Vectors() {
  std::map<std::string, std::string> out;
  std::istringstream in(
      testing::ReadFile(std::string(UDI_TESTDATA) + "/llrp_vectors.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, part, hex;
    fields >> name;
    while (fields >> part) hex += part;
    auto bytes = ledger::FromHex(hex);
    EXPECT_TRUE(bytes.has_value()) << name;
    out[name] = bytes.value_or("");
  }
  return out;
}

TEST(LlrpCodecTest, EncodersMatchTheVectors) {
  auto v = Vectors();
  const std::vector<std::pair<std::string, Message>> cases = {
      {"keepalive_ack_5", KeepaliveAck(5)},
      {"keepalive_1000", Keepalive(1000)},
      {"delete_rospec_1_1", RospecCommand(kDeleteRospec, 1, 1)},
      {"enable_rospec_3_1", RospecCommand(kEnableRospec, 3, 1)},
      {"start_rospec_4_1", RospecCommand(kStartRospec, 4, 1)},
      {"add_rospec_response_2_ok",
       StatusResponse(kAddRospecResponse, 2, 0, "")},
      {"start_rospec_response_9_err",
       StatusResponse(kStartRospecResponse, 9, 100, "BAD!")},
      {"add_rospec_2_1", AddRospec(2, 1)},
      {"connection_attempt_1000_ok",
       ConnectionAttempt(1000, 1700000000000000ull, 0)},
      {"ro_access_report_7_epc96",
       RoAccessReport(7, {{"3074257BF7194E4000001A85", 1, true}})},
      {"ro_access_report_8_epcdata",
       RoAccessReport(8, {{"3114257BF4D2C91B47A00000", 0, false}})},
  };
  ASSERT_EQ(v.size(), cases.size());
  for (const auto& [name, message] : cases) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(v.count(name));
    EXPECT_EQ(ledger::ToHex(EncodeMessage(message)), ledger::ToHex(v[name]));
    // Round trip: the vector decodes to the same message, consuming every byte.
    auto decoded = DecodeMessage(v[name]);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ASSERT_TRUE(decoded->has_value());
    EXPECT_EQ((*decoded)->first, message);
    EXPECT_EQ((*decoded)->second, v[name].size());
  }
}

TEST(LlrpCodecTest, ParsersReadTheVectors) {
  auto v = Vectors();
  auto body = [&](const std::string& name) {
    return v[name].substr(kHeaderBytes);
  };

  auto report = ParseRoAccessReport(body("ro_access_report_7_epc96"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(*report,
            (std::vector<TagRead>{{"3074257BF7194E4000001A85", 1, true}}));
  auto data = ParseRoAccessReport(body("ro_access_report_8_epcdata"));
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data,
            (std::vector<TagRead>{{"3114257BF4D2C91B47A00000", 0, false}}));

  auto attempt = ParseConnectionAttempt(body("connection_attempt_1000_ok"));
  ASSERT_TRUE(attempt.ok()) << attempt.status().ToString();
  EXPECT_EQ(*attempt, std::optional<uint16_t>(0));

  auto ok = ParseStatus(body("add_rospec_response_2_ok"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->code, 0);
  auto err = ParseStatus(body("start_rospec_response_9_err"));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, 100);
  EXPECT_EQ(err->description, "BAD!");

  auto add = DecodeMessage(v["add_rospec_2_1"]);
  ASSERT_TRUE(add.ok() && add->has_value());
  EXPECT_EQ(ParseRospecId((*add)->first).value(), 1u);
  EXPECT_EQ(ParseRospecId(RospecCommand(kStartRospec, 4, 77)).value(), 77u);
}

TEST(LlrpCodecTest, AddRospecNestsWholeParameters) {
  // Every TLV inside ADD_ROSPEC parses with lengths that add up exactly.
  const Message m = AddRospec(2, 9);
  auto top = ParseParameters(m.body);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 1u);
  EXPECT_EQ((*top)[0].type, kRospec);
  auto inner = ParseParameters((*top)[0].value.substr(6));
  ASSERT_TRUE(inner.ok()) << inner.status().ToString();
  std::vector<uint16_t> types;
  for (const auto& p : *inner) types.push_back(p.type);
  EXPECT_EQ(types,
            (std::vector<uint16_t>{kRoBoundarySpec, kAiSpec, kRoReportSpec}));
}

TEST(LlrpCodecTest, PartialMessagesWaitForMoreBytes) {
  const std::string whole = EncodeMessage(AddRospec(2, 1));
  for (size_t n = 0; n < whole.size(); ++n) {
    SCOPED_TRACE(n);
    auto d = DecodeMessage(std::string_view(whole).substr(0, n));
    ASSERT_TRUE(d.ok());
    EXPECT_FALSE(d->has_value());
  }
  // Two messages back to back decode one at a time.
  const std::string two =
      EncodeMessage(Keepalive(1)) + EncodeMessage(KeepaliveAck(1));
  auto first = DecodeMessage(two);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->first.type, kKeepalive);
  EXPECT_EQ((*first)->second, kHeaderBytes);
}

TEST(LlrpCodecTest, MalformedInputErrors) {
  auto hex = [](std::string_view h) { return ledger::FromHex(h).value(); };
  struct Case {
    std::string name;
    std::string bytes;
    bool message;  // DecodeMessage, else ParseParameters / ParseRoAccessReport
    std::string want;
  };
  const std::vector<Case> cases = {
      {"version 2 (LLRP 1.1)", hex("083E0000000A00000001"), true,
       "version 2, want 1"},
      {"length below the header", hex("043E0000000900000001"), true,
       "message length 9"},
      {"length above the limit", hex("043E0100000100000001"), true,
       "message length 16777217"},
      {"unknown TV type", hex("FF00"), false,
       "parameter at byte 0: unknown TV type 127"},
      {"TLV overruns", hex("00F0001400"), false,
       "TLV type 240 length 20 does not fit"},
      {"TLV length below 4", hex("00F00002"), false, "length 2 does not fit"},
      {"truncated EPC-96", hex("00F0000A8D3074257BF7"), false,
       "TV type 13 truncated"},
      {"tag report without EPC", hex("00F00007810001"), false,
       "no EPC-96 or EPCData"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ledger::Status st = c.message ? DecodeMessage(c.bytes).status()
                                  : ParseRoAccessReport(c.bytes).status();
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find(c.want), std::string::npos) << st.message();
  }
}

}  // namespace
}  // namespace station::llrp
