#include "node/daemon/config.h"

#include <gtest/gtest.h>

#include "ledger/keys.h"

namespace node {
namespace {

TEST(ConfigTest, DefaultsAndFlags) {
  auto c = ParseCommandLine({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->server.host, "127.0.0.1");
  EXPECT_EQ(c->server.port, 7800);
  EXPECT_EQ(c->key_file, "./data/node.key");
  auto d = ParseCommandLine(
      {"--data", "/x", "--listen=0.0.0.0:9", "--name", "acme.example/log"});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->key_file, "/x/node.key");
  EXPECT_EQ(d->server.host, "0.0.0.0");
  EXPECT_EQ(d->server.port, 9);
  EXPECT_EQ(d->service.name, "acme.example/log");
}

TEST(ConfigTest, BadFlagsAreNamed) {
  struct Case {
    std::vector<std::string> args;
    std::string prefix;
  };
  const Case cases[] = {
      {{"--bogus"}, "--bogus:"},
      {{"--data"}, "--data:"},
      {{"--listen", "localhost"}, "--listen:"},
      {{"--listen", "h:70000"}, "--listen:"},
      {{"--name", "a+b"}, "--name:"},
      {{"--config", "/nonexistent/x.json"}, "--config:"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args[0]);
    auto r = ParseCommandLine(c.args);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message().rfind(c.prefix, 0), 0u)
        << r.status().message();
  }
}

TEST(ConfigTest, ConfigJsonRejectsUnknownKeysByName) {
  NodeConfig c;
  ASSERT_TRUE(ApplyConfigJson(R"({"bodyLimitBytes": 1048576, "maxPageSize": 50,
                                  "defaultPageSize": 10, "readTimeoutSeconds": 5})",
                              &c)
                  .ok());
  EXPECT_EQ(c.server.body_limit, 1048576u);
  EXPECT_EQ(c.service.max_page_size, 50u);
  EXPECT_EQ(c.server.read_timeout.count(), 5);
  struct Case {
    std::string json, prefix;
  };
  const Case cases[] = {
      {R"({"bodyLimit": 5})", "bodyLimit:"},
      {R"({"maxPageSize": -1})", "maxPageSize:"},
      {R"({"maxPageSize": "big"})", "maxPageSize:"},
      {R"({"threads": 5000})", "threads:"},
      {R"([1])", "not a JSON object"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.json);
    NodeConfig n;
    auto st = ApplyConfigJson(k.json, &n);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.message().rfind(k.prefix, 0), 0u) << st.message();
  }
}

// replicaWriteBufferBytes: each replica's LevelDB memtable (ReplicaStore).
TEST(ConfigTest, ReplicaWriteBufferBytes) {
  NodeConfig c;
  EXPECT_EQ(c.replica_write_buffer_bytes,
            replication::kDefaultReplicaWriteBufferBytes);
  ASSERT_TRUE(
      ApplyConfigJson(R"({"replicaWriteBufferBytes": 134217728})", &c).ok());
  EXPECT_EQ(c.replica_write_buffer_bytes, size_t{128} << 20);
  EXPECT_EQ(ConfigToJson(c)["replicaWriteBufferBytes"], 134217728u);
  auto st = ApplyConfigJson(R"({"replicaWriteBufferBytes": 1000})", &c);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("replicaWriteBufferBytes: want", 0), 0u)
      << st.message();
}

// logWriteBufferBytes: the own log's LevelDB memtable (LogOptions).
TEST(ConfigTest, LogWriteBufferBytes) {
  NodeConfig c;
  EXPECT_EQ(c.log_write_buffer_bytes, ledger::kDefaultLogWriteBufferBytes);
  EXPECT_EQ(ConfigToJson(c)["logWriteBufferBytes"],
            ledger::kDefaultLogWriteBufferBytes);
  ASSERT_TRUE(ApplyConfigJson(R"({"logWriteBufferBytes": 33554432})", &c).ok());
  EXPECT_EQ(c.log_write_buffer_bytes, size_t{32} << 20);
  EXPECT_EQ(ConfigToJson(c)["logWriteBufferBytes"], 33554432u);
  for (const char* bad : {R"({"logWriteBufferBytes": 1000})",
                          R"({"logWriteBufferBytes": 4294967297})",
                          R"({"logWriteBufferBytes": "64MiB"})"}) {
    SCOPED_TRACE(bad);
    auto st = ApplyConfigJson(bad, &c);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.message().rfind("logWriteBufferBytes: ", 0), 0u)
        << st.message();
  }
  EXPECT_EQ(c.log_write_buffer_bytes, size_t{32} << 20);
  // The node opens its log with it.
  c.data_dir = "/srv/udi";
  auto key = ledger::SigningKey::Generate(c.name);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  const ledger::LogOptions o = OwnLogOptions(c, *key);
  EXPECT_EQ(o.write_buffer_bytes, size_t{32} << 20);
  EXPECT_EQ(o.block_cache_bytes, c.block_cache_bytes);
  EXPECT_EQ(o.data_dir, "/srv/udi");
  EXPECT_EQ(o.origin, c.name);
  EXPECT_EQ(o.key.KeyId(), key->KeyId());
}

}  // namespace
}  // namespace node
