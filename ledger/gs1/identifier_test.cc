#include <gtest/gtest.h>

#include "ledger/gs1.h"
#include "ledger/gs1/test_vectors.h"

namespace ledger::gs1 {
namespace {

using testing::ReadVectors;

std::string KindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kSgtin:
      return "sgtin";
    case KeyKind::kLgtin:
      return "lgtin";
    case KeyKind::kGtin:
      return "gtin";
    case KeyKind::kSscc:
      return "sscc";
    case KeyKind::kSgln:
      return "sgln";
    case KeyKind::kPgln:
      return "pgln";
    case KeyKind::kGrai:
      return "grai";
    case KeyKind::kGiai:
      return "giai";
    case KeyKind::kGsrn:
      return "gsrn";
    case KeyKind::kGdti:
      return "gdti";
    case KeyKind::kOther:
      return "other";
  }
  return "?";
}

TEST(ParseIdentifier, Vectors) {
  auto vectors = ReadVectors("identifiers.txt", 3);
  ASSERT_GT(vectors.size(), 80u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.where + " " + v.fields[0]);
    ASSERT_EQ(v.fields.size(), 3u);
    auto key = ParseIdentifier(v.fields[0]);
    if (v.fields[1] == "ERR") {
      ASSERT_FALSE(key.ok()) << key->ToString();
      EXPECT_TRUE(key.status().IsInvalidArgument());
      EXPECT_EQ(key.status().message(), v.fields[2]);
      continue;
    }
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(KindName(key->kind), v.fields[1]);
    EXPECT_EQ(key->ToString(), v.fields[2]);
    // Whatever parses must survive the trip through its own Digital Link.
    auto again = ParseIdentifier(key->ToDigitalLink());
    ASSERT_TRUE(again.ok())
        << key->ToDigitalLink() << ": " << again.status().ToString();
    EXPECT_EQ(*again, *key) << key->ToDigitalLink();
  }
}

// The EPC URI and the Digital Link of the same thing give the same key, and the
// key converts back to both.
TEST(ParseIdentifier, EpcUriAndDigitalLinkAgree) {
  auto vectors = ReadVectors("epc_digital_link_pairs.txt", 3);
  ASSERT_GT(vectors.size(), 20u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.where + " " + v.fields[0]);
    ASSERT_EQ(v.fields.size(), 3u);
    auto from_epc = ParseIdentifier(v.fields[0]);
    auto from_dl = ParseIdentifier(v.fields[1]);
    ASSERT_TRUE(from_epc.ok()) << from_epc.status().ToString();
    ASSERT_TRUE(from_dl.ok()) << from_dl.status().ToString();
    EXPECT_EQ(*from_epc, *from_dl)
        << from_epc->ToString() << " vs " << from_dl->ToString();
    EXPECT_EQ(from_epc->ToDigitalLink(), v.fields[1]);
    auto epc = ToEpcUri(*from_dl, std::stoi(v.fields[2]));
    ASSERT_TRUE(epc.ok()) << epc.status().ToString();
    EXPECT_EQ(*epc, v.fields[0]);
  }
}

TEST(ParseIdentifier, SchemesCoveredByPairs) {
  // Every EPC scheme this module supports appears in the pairs file.
  auto vectors = ReadVectors("epc_digital_link_pairs.txt", 3);
  for (std::string_view scheme :
       {"id:sgtin:", "class:lgtin:", "idpat:sgtin:", "id:sscc:", "id:sgln:",
        "id:pgln:", "id:grai:", "id:giai:", "id:gsrn:", "id:gsrnp:", "id:gdti:",
        "id:cpi:", "id:sgcn:", "id:ginc:", "id:gsin:", "id:itip:",
        "id:upui:"}) {
    SCOPED_TRACE(scheme);
    bool found = false;
    for (const auto& v : vectors)
      found = found || v.fields[0].find(scheme) != std::string::npos;
    EXPECT_TRUE(found);
  }
}

TEST(ToEpcUri, CompanyPrefixLengthErrors) {
  auto key = ParseIdentifier("urn:epc:id:sgtin:0614141.812345.6789");
  ASSERT_TRUE(key.ok());
  for (int bad : {0, 5, 13}) {
    SCOPED_TRACE(bad);
    auto epc = ToEpcUri(*key, bad);
    ASSERT_FALSE(epc.ok());
    EXPECT_EQ(
        epc.status().message(),
        "company prefix length " + std::to_string(bad) + " is not 6 to 12");
  }
  // Different company prefix lengths give different (all valid) URIs of the
  // same GTIN.
  auto epc6 = ToEpcUri(*key, 6);
  auto epc12 = ToEpcUri(*key, 12);
  ASSERT_TRUE(epc6.ok() && epc12.ok());
  EXPECT_EQ(*epc6, "urn:epc:id:sgtin:061414.8112345.6789");
  EXPECT_EQ(*epc12, "urn:epc:id:sgtin:061414112345.8.6789");
  EXPECT_EQ(*ParseIdentifier(*epc6), *key);
  EXPECT_EQ(*ParseIdentifier(*epc12), *key);
}

TEST(ToEpcUri, KeysWithoutAnEpc) {
  struct Case {
    std::string_view dl;
    int cpl;
    std::string_view error;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"https://id.gs1.org/8003/00614141123452", 7,
            "grai: the EPC needs a serial component"},
           {"https://id.gs1.org/253/0614141123452", 7,
            "gdti: the EPC needs a serial component"},
           {"https://id.gs1.org/8004/0614", 7,
            "giai: value cannot start with a 7-digit company prefix"},
           {"https://id.gs1.org/8013/1987654Ad4X4bL5ttr2310c2K", 7,
            "key 8013/1987654Ad4X4bL5ttr2310c2K has no EPC pure-identity "
            "URI"}}) {
    SCOPED_TRACE(c.dl);
    auto key = ParseIdentifier(c.dl);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    auto epc = ToEpcUri(*key, c.cpl);
    ASSERT_FALSE(epc.ok()) << *epc;
    EXPECT_EQ(epc.status().message(), c.error);
  }
}

TEST(Gs1Key, IsInstance) {
  struct Case {
    std::string_view id;
    bool instance;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"urn:epc:id:sgtin:0614141.812345.6789", true},
           {"urn:epc:class:lgtin:4012345.012345.998877", false},
           {"urn:epc:idpat:sgtin:4012345.012345.*", false},
           {"urn:epc:id:sscc:0614141.1234567890", true},
           {"urn:epc:id:sgln:0614141.12345.0", true},
           {"urn:epc:id:grai:0614141.12345.400", true},
           {"https://id.gs1.org/8003/00614141123452", false},
           {"urn:epc:id:gdti:0614141.12345.006847", true},
           {"https://id.gs1.org/253/0614141123452", false},
           {"urn:epc:id:sgcn:4012345.67890.04711", true},
           {"https://id.gs1.org/255/4012345678901", false},
           {"urn:epc:id:itip:4012345.012345.01.02.987", true},
           {"https://id.gs1.org/8006/040123451234560102", false},
           {"https://id.gs1.org/8013/1987654Ad4X4bL5ttr2310c2K", false}}) {
    SCOPED_TRACE(c.id);
    auto key = ParseIdentifier(c.id);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->is_instance(), c.instance);
  }
}

TEST(Gs1Key, ToDigitalLinkHost) {
  auto key = ParseIdentifier("urn:epc:id:sgtin:0614141.812345.A%2FB");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->ToString(), "01/80614141123458/21/A%2FB");
  EXPECT_EQ(key->ToDigitalLink("https://example.com/dl/"),
            "https://example.com/dl/01/80614141123458/21/A%2FB");
  EXPECT_EQ(*ParseIdentifier(key->ToDigitalLink("https://example.com/dl/")),
            *key);
}

// The index key text: "<ai>/<value>" per part, joined by '/', with '%' as
// %25 and '/' as %2F inside values (so that the key splits back into parts).
TEST(Gs1Key, ToStringEscapesPercentAndSlashInValues) {
  const struct {
    std::vector<std::pair<std::string, std::string>> parts;
    std::string want;
  } kCases[] = {
      {{{"01", "80614141123458"}}, "01/80614141123458"},
      {{{"01", "80614141123458"}, {"21", "A/B"}}, "01/80614141123458/21/A%2FB"},
      {{{"01", "80614141123458"}, {"10", "%/%"}},
       "01/80614141123458/10/%25%2F%25"},
      {{{"21", "/start"}}, "21/%2Fstart"},
      {{{"21", "end%"}}, "21/end%25"},
      {{{"21", "//%%"}}, "21/%2F%2F%25%25"},
      {{{"414", "0614141000005"}, {"254", "a%2Fb"}},
       "414/0614141000005/254/a%252Fb"},
      {{{"21", ""}}, "21/"},
      {{}, ""},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.want);
    Gs1Key key{KeyKind::kOther, c.parts};
    EXPECT_EQ(key.ToString(), c.want);
  }
}

}  // namespace
}  // namespace ledger::gs1
