// GET .../entries bodies written without a JSON document (EntriesBody) are
// byte for byte the nlohmann::json dump the handler used to write.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <limits>

#include "api/handlers_internal.h"
#include "api/service.h"
#include "ledger/bytes.h"
#include "ledger/envelope.h"

namespace api {
namespace {

using nlohmann::json;

// The oracle: the body as the handler built it through nlohmann::json.
std::string JsonBody(
    const std::vector<std::pair<uint64_t, std::string>>& entries) {
  json list = json::array();
  for (const auto& [index, leaf] : entries)
    list.push_back({{"index", index}, {"leaf", ledger::ToBase64(leaf)}});
  return JsonResponse(200, {{"entries", std::move(list)}}).body;
}

TEST(EntriesBodyTest, MatchesTheJsonDump) {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  struct Case {
    const char* name;
    std::vector<std::pair<uint64_t, std::string>> entries;
  };
  const Case cases[] = {
      {"empty", {}},
      {"index 0, empty leaf", {{0, ""}}},
      {"padding 2, 1, 0", {{0, "a"}, {1, "ab"}, {2, "abc"}}},
      {"every byte value", {{9, all_bytes}}},
      {"large indexes",
       {{1234567890123, "{\"x\":1}"}, {max - 1, "\n\"\\"}, {max, "z"}}},
      {"a JSON event leaf",
       {{0, R"({"type":"ObjectEvent","epcList":["urn:epc:id:sgtin:1.2.3"]})"},
        {10, std::string(1000, '\xff')}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EntriesBody body;
    if (!c.entries.empty()) body.Reserve(8);  // too small: must still grow
    for (const auto& [index, leaf] : c.entries) body.Add(index, leaf);
    EXPECT_EQ(std::move(body).Finish(), JsonBody(c.entries));
  }
}

// Through the handler over a real Log: the same bytes as the JSON document
// built from Log::ReadEntries.
TEST(EntriesBodyTest, ServedEntriesMatchTheJsonDump) {
  char tmpl[] = "/tmp/udi-api-entries-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  {
    ledger::LogOptions o;
    o.data_dir = dir + "/log";
    o.origin = "api-test";
    o.key = *ledger::SigningKey::Generate("api-test");
    auto log = ledger::Log::Open(std::move(o));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    auto acme = *ledger::SigningKey::Generate("acme");
    ASSERT_TRUE(
        (*log)
            ->AppendParticipant({"0614141000005", "acme", "manufacturer",
                                 acme.verifier().ToText(), false},
                                1)
            .ok());
    Metrics metrics;
    auto tokens = TokenStore::Open(dir + "/tokens.json").value();
    Committer committer(log->get(), &metrics, CommitterOptions{});
    ServiceOptions options;
    options.max_log_entries = 5;
    Service service(options, log->get(), tokens.get(), &committer, &metrics);
    const std::string reader = tokens->Create(Role::kAdmin, "")->second;
    const std::string writer =
        tokens->Create(Role::kWriter, acme.KeyId())->second;
    auto call = [&](const std::string& method, const std::string& target,
                    const std::string& token, const std::string& body) {
      Request r;
      EXPECT_TRUE(ParseTarget(target, &r).ok()) << target;
      r.method = method;
      r.headers["authorization"] = "Bearer " + token;
      r.body = body;
      std::promise<Response> promise;
      auto future = promise.get_future();
      service.Handle(std::move(r), [&promise](Response res) {
        promise.set_value(std::move(res));
      });
      return future.get();
    };
    for (int i = 0; i < 7; ++i) {
      json event = {
          {"type", "ObjectEvent"},
          {"eventTime", "2026-11-26T10:00:00.000Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"action", "OBSERVE"},
          {"epcList", {"urn:epc:id:sgtin:0614141.107346." + std::to_string(i)}},
          {"bizStep", "shipping"}};
      Response posted = call("POST", "/v1/events", writer,
                             ledger::SignEvent(event, acme)->ToJson().dump());
      ASSERT_EQ(posted.status, 200) << posted.body;
    }
    ASSERT_EQ((*log)->Size(), 8u);
    struct Case {
      uint64_t start, count;
    };
    const Case cases[] = {{0, 3}, {0, 100}, {3, 5}, {6, 10}, {8, 1}, {2, 0}};
    for (const auto& c : cases) {
      SCOPED_TRACE("start=" + std::to_string(c.start) +
                   " count=" + std::to_string(c.count));
      Response got = call("GET",
                          "/v1/log/entries?start=" + std::to_string(c.start) +
                              "&count=" + std::to_string(c.count),
                          reader, "");
      ASSERT_EQ(got.status, 200) << got.body;
      EXPECT_EQ(got.content_type, "application/json");
      uint64_t n = std::min<uint64_t>({c.count, 5, 8 - c.start});
      auto read = (*log)->ReadEntries(c.start, n);
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      std::vector<std::pair<uint64_t, std::string>> want;
      for (const auto& e : *read) want.emplace_back(e.index, e.bytes);
      EXPECT_EQ(got.body, JsonBody(want));
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace api
