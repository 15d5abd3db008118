// NetconfReplyReader: a <get> reply's XML read as a session reads it, without a session.
#include <fstream>
#include <sstream>

#include "colosla/netconf/netconf_client.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::source_file;

namespace {

const NetconfReplyReader& reader() {
  static const NetconfReplyReader r({source_file("tests/data/yang"), "/usr/share/yuma/modules"},
                                    {"ietf-interfaces", "iana-if-type", "openconfig-interfaces",
                                     "ietf-hardware", "iana-hardware"});
  return r;
}

std::string file(const std::string& relative) {
  std::ifstream in(source_file(relative));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a <get> reply becomes DataNode trees", "[netconf]") {
  auto r =
      reader().get_reply(file("tests/fuzz/corpus/netconf_data/test-server-interfaces-state.xml"));
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 1);
  const DataNode& top = r->front();
  CHECK(top.module == "ietf-interfaces");
  CHECK(top.name == "interfaces-state");
  const auto interfaces = top.all("interface");
  REQUIRE(interfaces.size() == 2);
  REQUIRE(interfaces[1]->leaf("name") != nullptr);
  CHECK(*interfaces[1]->leaf("name") == "eth1");
  REQUIRE(interfaces[1]->leaf("oper-status") != nullptr);
  CHECK(*interfaces[1]->leaf("oper-status") == "down");
  REQUIRE(interfaces[1]->leaf("type") != nullptr);
  CHECK(*interfaces[1]->leaf("type") == "iana-if-type:ethernetCsmacd");  // canonical identityref
}

TEST_CASE("a reply without data, an <rpc-error> and text that is no reply", "[netconf]") {
  auto ok = reader().get_reply(
      R"(<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><ok/></rpc-reply>)");
  REQUIRE(ok.has_value());
  CHECK(ok->empty());

  auto error = reader().get_reply(file("tests/fuzz/corpus/netconf_data/rpc-error.xml"));
  REQUIRE_FALSE(error.has_value());
  CHECK(error.error().code == Errc::io);
  CHECK(error.error().msg == "<get> failed: resource denied");

  auto garbage = reader().get_reply("<rpc-reply");
  REQUIRE_FALSE(garbage.has_value());
  CHECK(garbage.error().code == Errc::invalid_input);
  CHECK(garbage.error().msg.rfind("the reply does not parse: ", 0) == 0);
}

TEST_CASE("a module that cannot be found is a ConfigError naming it", "[netconf]") {
  CHECK_THROWS_WITH(NetconfReplyReader({source_file("tests/data/yang"), "/usr/share/yuma/modules"},
                                       {"no-such-module"}),
                    Catch::Contains("no-such-module"));
}
